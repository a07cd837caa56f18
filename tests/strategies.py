"""Hypothesis strategies for valid phone-tree documents (reuse them in every test module).

``documents()`` draws plain data that must validate; ``trees()`` validates it. Every node type
appears; targets are drawn from the tree's own ids; message and branch nodes only point
forward (by file order) so no silent cycle arises; menus, inputs, queues and agents may point
anywhere, so real cycles (menus back to menus, transfers) occur.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import strategies as st

import ivrscore as ivr
from ivrscore.model import NODE_TYPES

WORDS = ("press", "for", "billing", "faults", "to", "speak", "an", "advisor", "please", "hold")
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#")

prompts = st.one_of(
    st.none(), st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join)
)


@st.composite
def shares(draw: st.DrawFn, n: int) -> list[float]:
    """``n`` positive shares summing to 1 (exactly representable: multiples of 1/64)."""
    cuts = sorted(draw(st.lists(st.integers(1, 63), min_size=n - 1, max_size=n - 1, unique=True)))
    edges = [0, *cuts, 64]
    return [(b - a) / 64 for a, b in itertools.pairwise(edges)]


@st.composite
def patience(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["exponential", "exponential", "lognormal", "none"]))
    if kind == "exponential":
        return {"mean_s": draw(st.floats(20, 900))}
    if kind == "lognormal":
        return {
            "distribution": "lognormal",
            "median_s": draw(st.floats(20, 900)),
            "sigma": draw(st.floats(0.1, 1.5)),
        }
    return {"distribution": "none"}


@st.composite
def documents(
    draw: st.DrawFn,
    *,
    min_nodes: int = 2,
    max_nodes: int = 14,
    exponential_only: bool = False,
) -> dict[str, Any]:
    """A valid phone-tree document as plain data."""
    n_tasks = draw(st.integers(1, 4))
    task_names = [f"task{i}" for i in range(n_tasks)]
    task_shares = draw(shares(n_tasks)) if n_tasks > 1 else [1.0]
    n = draw(st.integers(min_nodes, max_nodes))
    ids = [f"n{i}" for i in range(n)]
    types = [draw(st.sampled_from(NODE_TYPES)) for _ in ids[:-1]]
    # the last node is never a message or branch, so every message/branch has a forward target
    types.append(draw(st.sampled_from([t for t in NODE_TYPES if t not in ("message", "branch")])))
    schedules = {}
    if draw(st.booleans()):
        schedules["office"] = {"mon-fri": "08:00-18:00", "sat": "09:00-13:00"}
    if draw(st.booleans()):
        schedules["night"] = {"daily": "22:00-06:00"}
    sched_names = list(schedules)

    def any_target() -> str:
        return draw(st.sampled_from(ids))

    def forward_target(i: int) -> str:
        later = ids[i + 1 :]
        others = [x for x, t in zip(ids, types, strict=True) if t not in ("message", "branch")]
        return draw(st.sampled_from(later + others))

    nodes: dict[str, Any] = {}
    for i, (nid, typ) in enumerate(zip(ids, types, strict=True)):
        node: dict[str, Any] = {"type": typ}
        prompt = draw(prompts)
        if prompt:
            node["prompt"] = prompt
        if typ == "message":
            if draw(st.integers(0, 4)):
                node["next"] = forward_target(i)
        elif typ in ("menu", "input"):
            node["timeout_s"] = draw(st.floats(1, 12))
            node["retries"] = draw(st.integers(0, 4))
            node["barge_in"] = draw(st.booleans())
            if draw(st.booleans()):
                node["on_failure"] = any_target()
            if typ == "menu":
                keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=10, unique=True))
                node["options"] = {
                    k: {"say": f"For option {k}, press {k}.", "next": any_target()} for k in keys
                }
            else:
                node["collects"] = draw(st.sampled_from(["account_number", "date_of_birth", "pin"]))
                node["digits"] = draw(st.integers(1, 16))
                if draw(st.booleans()):
                    node["next"] = any_target()
                if draw(st.booleans()):
                    node["zero_out"] = any_target()
        elif typ == "branch":
            conds = []
            for _ in range(draw(st.integers(1, 2))):
                if sched_names and draw(st.booleans()):
                    key = draw(st.sampled_from(["open", "closed"]))
                    conds.append(
                        {key: draw(st.sampled_from(sched_names)), "next": forward_target(i)}
                    )
                else:
                    conds.append(
                        {"share": draw(st.sampled_from([0.25, 0.5])), "next": forward_target(i)}
                    )
            node["when"] = conds
            node["otherwise"] = forward_target(i)
        elif typ == "queue":
            if sched_names and draw(st.booleans()):
                node["open"] = draw(st.sampled_from(sched_names))
                if draw(st.booleans()):
                    node["on_closed"] = any_target()
            if draw(st.booleans()):
                if exponential_only or draw(st.booleans()):
                    node["wait"] = {"mean_s": draw(st.floats(5, 600))}
                else:
                    node["wait"] = {
                        "distribution": "lognormal",
                        "median_s": draw(st.floats(5, 600)),
                        "sigma": draw(st.floats(0.1, 1.2)),
                    }
            elif draw(st.booleans()):
                node["staffing"] = {
                    "agents": draw(st.integers(1, 20)),
                    "calls_per_hour": draw(st.floats(5, 400)),
                    "handle_time_s": draw(st.floats(60, 600)),
                }
            node["announces_wait"] = draw(st.booleans())
            if draw(st.booleans()):
                node["next"] = any_target()
        elif typ == "agent":
            node["handles"] = draw(st.lists(st.sampled_from(task_names), unique=True))
            node["asks"] = draw(
                st.lists(
                    st.sampled_from(["account_number", "date_of_birth", "postcode"]), unique=True
                )
            )
            if draw(st.booleans()):
                node["transfer_to"] = any_target()
        elif typ == "self_service":
            node["handles"] = draw(st.lists(st.sampled_from(task_names), min_size=1, unique=True))
            node["duration_s"] = draw(st.floats(5, 200))
            if draw(st.booleans()):
                node["next"] = any_target()
        if draw(st.integers(0, 9)) == 0:
            node["meta"] = {"owner": "team", "ticket": draw(st.integers(1, 999))}
        nodes[nid] = node

    doc: dict[str, Any] = {
        "name": "generated",
        "entry": ids[0],
        "words_per_minute": draw(st.sampled_from([130.0, 150.0, 170.0])),
        "schedules": schedules,
        "tasks": [{"name": t, "share": s} for t, s in zip(task_names, task_shares, strict=True)],
        "arrivals": draw(st.sampled_from(["uniform", "office_hours"])),
        "nodes": nodes,
    }
    n_personas = draw(st.integers(0, 2))
    if n_personas:
        persona_shares = draw(shares(n_personas)) if n_personas > 1 else [1.0]
        doc["callers"] = [
            {
                "name": f"p{i}",
                "share": s,
                "patience": {"mean_s": draw(st.floats(30, 600))}
                if exponential_only
                else draw(patience()),
                "barge_in": draw(st.floats(0, 1)),
                "choice_error": draw(st.floats(0, 0.3)),
                "input_error": draw(st.floats(0, 0.3)),
                "wants_human": draw(st.floats(0, 1)),
            }
            for i, s in enumerate(persona_shares)
        ]
    return doc


def trees(**kwargs: Any) -> st.SearchStrategy[ivr.PhoneTree]:
    """Valid :class:`ivrscore.PhoneTree` objects."""
    return documents(**kwargs).map(ivr.PhoneTree.model_validate)
