"""Compiling at scale: the vectorised compiler against a plain one-state-at-a-time enumeration.

``compile_tree`` shares steps between kinds of callers, plans menus with numpy and enumerates the
states of all chains a level at a time. The reference here walks each chain on its own, one
state at a time from a FIFO queue, asking the same per-(node, attempt) step generators for the
steps of every state it meets, and must give the same tables, value for value.
"""

from __future__ import annotations

import sys
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

import ivrscore as ivr
from ivrscore.engine._compile import (
    _STEP_FIELDS,
    EV_RESOLVED,
    EV_UNHELPED,
    IMPLICIT_HANGUP,
    Compiled,
    _Builder,
    _Menus,
    compile_tree,
)
from ivrscore.model.nodes import Menu

from .strategies import trees

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _big_tree(n: int) -> ivr.PhoneTree:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from big_tree import big_tree
    finally:
        sys.path.remove(str(BENCHMARKS))
    tree: ivr.PhoneTree = big_tree(n)
    return tree


def reference(tree: ivr.PhoneTree, c: Compiled) -> dict[str, Any]:
    """The tables of ``c``'s chains, enumerated one state at a time, chain after chain."""
    b = _Builder(tree)
    node_ids = [*tree.nodes, IMPLICIT_HANGUP]
    node_pos = {n: i for i, n in enumerate(node_ids)}
    width = 2 + max((getattr(n, "retries", 0) for n in tree.nodes.values()), default=0)
    menus = _Menus(b, node_pos, width)
    menu_index = {nid: m for m, nid in enumerate(menus.ids)}
    agent = {nid for nid, n in tree.nodes.items() if n.type == "agent"}

    def menu_steps(desired: Any, nid: str, attempt: int, persona: Any) -> list[dict[str, Any]]:
        menu_of, cols, labels = menus.block(desired, attempt, persona, width)
        out = []
        for r in np.flatnonzero(menu_of == menu_index[nid]).tolist():
            step = dict.fromkeys(_STEP_FIELDS)
            step.update({f: cols[f][r].item() for f in cols if f != "next_na"})
            na = int(cols["next_na"][r])
            step["next"] = None if na < 0 else (node_ids[na // width], na % width)
            step["label"] = labels[r]
            out.append(step)
        return out

    def other_steps(nid: str, attempt: int, ch: Any) -> list[dict[str, Any]]:
        steps = b.steps(
            nid,
            attempt,
            tree.task_names[ch.task],
            c.personas[ch.persona],
            ch.zero_outer,
            c.patterns[ch.pattern],
        )
        out = []
        for st in steps:
            step = {f: getattr(st, f) for f in _STEP_FIELDS}
            nxt = st.next_node
            step["next"] = None if nxt is None else (nxt, st.next_attempt)
            step["label"] = st.label
            out.append(step)
        return out

    defaults = {"kind": 0, "a": 0.0, "b": 0.0, "patience": True, "identity": 0, "transfers": 0}
    defaults |= {"closed": False, "data_or": 0, "again": 0, "propagate": False}
    defaults |= {"closed_now": False}
    states: list[tuple[str, bool, bool, bool]] = []
    alts: list[dict[str, Any]] = []
    for ch in c.chains:
        cost = np.full(len(node_ids), np.inf)
        for nid, v in b.cost[tree.task_names[ch.task]].items():
            cost[node_pos[nid]] = v
        persona = c.personas[ch.persona]
        desired = menus.desired(cost, persona.response_s, ch.zero_outer, ch.task)
        start = (tree.entry, 0, 0, False, False, tree.entry in agent)
        ids = {start: len(states)}
        queue = deque([start])
        while queue:
            s = queue.popleft()
            nid, attempt, data, repeated, closed, human = s
            states.append((nid, repeated, closed, human))
            node = tree.nodes.get(nid)
            if isinstance(node, Menu):
                steps = menu_steps(desired, nid, attempt, persona)
            else:
                steps = other_steps(nid, attempt, ch)
            for step in steps:
                step = {
                    k: (defaults[k] if v is None and k in defaults else v) for k, v in step.items()
                }
                again = (data & step["again"]) != 0
                alt = dict(step, state=ids[s], repeat=again and not repeated, next_state=-1)
                if step["next"] is not None:
                    to, to_attempt = step["next"]
                    t = (
                        to,
                        to_attempt,
                        data | step["data_or"],
                        repeated or (again and step["propagate"]),
                        closed or step["closed_now"],
                        human or to in agent,
                    )
                    if t not in ids:
                        ids[t] = len(ids) + ids[start]
                        queue.append(t)
                    alt["next_state"] = ids[t]
                    alt["human"] = t[5] and not human
                else:
                    alt["human"] = False
                alts.append(alt)
    return {"states": states, "alts": alts}


def check_same(tree: ivr.PhoneTree) -> None:
    c = compile_tree(tree)
    ref = reference(tree, c)
    states, alts = ref["states"], ref["alts"]
    assert c.n_states == len(states)
    assert [c.node_ids[i] for i in c.state_node.tolist()] == [s[0] for s in states]
    assert c.state_repeated.tolist() == [s[1] for s in states]
    assert c.state_closed.tolist() == [s[2] for s in states]
    assert c.state_human.tolist() == [s[3] for s in states]
    assert c.alt_state.size == len(alts)
    assert np.array_equal(c.alt_start[:-1], np.searchsorted(c.alt_state, np.arange(c.n_states)))
    columns = {
        "alt_state": "state",
        "alt_next": "next_state",
        "alt_prob": "prob",
        "alt_fixed": "fixed",
        "alt_kind": "kind",
        "alt_a": "a",
        "alt_b": "b",
        "alt_patience": "patience",
        "alt_outcome": "outcome",
        "alt_menus": "menus",
        "alt_identity": "identity",
        "alt_repeat": "repeat",
        "alt_options": "options",
        "alt_keys": "keys",
        "alt_transfers": "transfers",
        "alt_closed": "closed",
        "alt_event": "event",
        "alt_human": "human",
    }
    for name, key in columns.items():
        got = getattr(c, name).tolist()
        want = [a[key] for a in alts]
        assert got == want, name  # exact: the same floats, not close ones
    assert [c.alt_label(i) for i in range(c.alt_state.size)] == [a["label"] for a in alts]
    starts = [ch.start for ch in c.chains]
    assert starts == sorted(starts) and starts[0] == 0
    assert np.isclose(sum(ch.weight for ch in c.chains), 1.0)


@pytest.mark.parametrize("name", ivr.examples.names())
def test_examples_compile_as_one_state_at_a_time(name: str) -> None:
    check_same(ivr.load(ivr.examples.path(name)))


@pytest.mark.parametrize("n", [60, 400])
def test_big_trees_compile_as_one_state_at_a_time(n: int) -> None:
    check_same(_big_tree(n))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_generated_trees_compile_as_one_state_at_a_time(tree: ivr.PhoneTree) -> None:
    try:
        compile_tree(tree)
    except ivr.IvrscoreError:  # refused (an unstable queue, say): nothing to compare
        assume(False)
    check_same(tree)


def test_an_agent_that_helps_some_tasks_shares_its_steps_but_not_its_outcome() -> None:
    # big trees share each agent's steps between the tasks it helps (and those it does not):
    # every chain still meets the outcome of its own task
    tree = _big_tree(400)
    c = compile_tree(tree)
    for alt in np.flatnonzero(c.alt_event == EV_RESOLVED).tolist()[:200]:
        node = tree.nodes[c.node_ids[int(c.state_node[c.alt_state[alt]])]]
        task = c.task_names[c.chains[int(c.state_chain[c.alt_state[alt]])].task]
        assert task in node.handles  # type: ignore[union-attr]
    unhelped = np.flatnonzero((c.alt_event == EV_UNHELPED) & (c.alt_next < 0)).tolist()
    assert unhelped
    for alt in unhelped[:200]:
        node = tree.nodes[c.node_ids[int(c.state_node[c.alt_state[alt]])]]
        task = c.task_names[c.chains[int(c.state_chain[c.alt_state[alt]])].task]
        assert task not in node.handles  # type: ignore[union-attr]


def test_a_tree_too_large_to_compile_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ivrscore.cli import main
    from ivrscore.engine import _compile

    tree = _big_tree(60)
    c = compile_tree(tree)
    width = 2 + max(getattr(n, "retries", 0) for n in tree.nodes.values())
    cells = len(c.chains) * len(c.node_ids) * width
    monkeypatch.setattr(_compile, "MAX_CELLS", cells)  # exactly at the limit: compiles
    assert compile_tree(tree).n_states == c.n_states
    monkeypatch.setattr(_compile, "MAX_CELLS", cells - 1)
    with pytest.raises(_compile.TooLargeError, match=f"{cells:,} places") as err:
        compile_tree(tree)
    assert isinstance(err.value, ivr.IvrscoreError) and "\n" not in str(err.value)
    with pytest.raises(_compile.TooLargeError):
        ivr.score(tree)
    with pytest.raises(_compile.TooLargeError):
        ivr.simulate(tree, calls=100, rng=1)
    path = tmp_path / "big.yaml"
    ivr.dump(tree, path)
    assert main(["score", str(path)]) == 2
    err_text = capsys.readouterr().err.strip()
    assert "too large to compile" in err_text and len(err_text.splitlines()) == 1
