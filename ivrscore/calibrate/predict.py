"""What the tree predicts, to set beside what the logs show.

* :func:`node_expectations` - per node, the expected visits and abandonments per call, the
  share of each key at each menu and the failure rate of each input, from the same absorbing
  Markov chain :func:`ivrscore.analyze` solves (the step tables of
  :func:`ivrscore.engine._compile.compile_tree`, one chain per kind of caller). The sum of the
  per-node abandonments is ``analyze(tree).outcomes["abandoned"]``.
* :func:`choice_table` - ``P(key | menu, task, persona, zero-out habit)``, for telling tasks
  apart by the keys callers press.
* :func:`erlang_a_hour` - Erlang A for one hour with a fractional number of agents on duty.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field

import numpy as np

from ..model.callers import Exponential, Lognormal, NoPatience
from ..model.tree import PhoneTree
from ..queueing import erlang_a

__all__ = ["NodeExpectations", "choice_table", "erlang_a_hour", "node_expectations"]

_PRESSED = re.compile(r"^(?:mistakenly )?pressed (\S) at (.+)$")
_NONE = re.compile(r"^found no option at (.+)$")
_KEYED = re.compile(r"^keyed .+ at (.+)$")
_FAILED = re.compile(r"^failed to key .+ at (.+)$")


def _label_kind(label: str) -> tuple[str, str]:
    """What a step of the compiled tables is, from its label: ``("key", K)``, ``("none", "")``,
    ``("ok", "")``, ``("fail", "")`` or ``("", "")``."""
    m = _PRESSED.match(label)
    if m:
        return "key", m.group(1)
    if _NONE.match(label):
        return "none", ""
    if _KEYED.match(label):
        return "ok", ""
    if _FAILED.match(label):
        return "fail", ""
    return "", ""


@dataclass
class NodeExpectations:
    """Per-call expectations of a tree (see :func:`node_expectations`)."""

    visits: dict[str, float] = field(default_factory=dict)
    abandoned: dict[str, float] = field(default_factory=dict)
    keys: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per menu: share of each key among the attempts callers finish (``""`` is silence)."""
    input_failure: dict[str, float] = field(default_factory=dict)
    approximate: bool = False
    """Whether log-normal patience was replaced by an exponential of the same mean."""

    @property
    def p_abandoned(self) -> float:
        return float(sum(self.abandoned.values()))


def _thetas(tree: PhoneTree) -> tuple[list[float], bool]:
    out, approx = [], False
    for p in tree.personas:
        pat = p.patience
        if isinstance(pat, Exponential):
            out.append(1.0 / pat.mean_s)
        elif isinstance(pat, NoPatience):
            out.append(0.0)
        else:
            assert isinstance(pat, Lognormal)
            out.append(1.0 / pat.mean)
            approx = True
    return out, approx


def node_expectations(tree: PhoneTree) -> NodeExpectations:
    """Expected visits and abandonments per call at each node, key shares at each menu and
    failure rates at each input, from the tree's absorbing Markov chain.

    A *visit* is an arrival at the node; a replay of a menu after silence, or another attempt
    at an input after a failed one, is the same visit. Log-normal patience is replaced by an
    exponential of the same mean (as ``analyze(tree, approximate=True)`` does).

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("acme_telecom"))
    >>> e = node_expectations(tree)
    >>> e.visits[tree.entry]
    1.0
    >>> abs(e.p_abandoned - ivr.analyze(tree).outcomes["abandoned"]) < 1e-9
    True
    """
    from ..engine._compile import compile_tree
    from ..engine.analyze import solve_segment, thetas_of

    c = compile_tree(tree)
    _, approx = _thetas(tree)
    thetas = thetas_of(c, approximate=True)
    closed_all = c.alt_closed_after()
    if c.dynamic:  # queue waits follow the hour's load: sum the week's hours
        from ..engine.dynamics import solve_week

        segments = solve_week(c, thetas, closed_all).segments
    else:
        weights = np.array([ch.weight for ch in c.chains])
        segments = [solve_segment(c, weights, thetas, closed_all)]
    # per alternative, over all calls: callers who start it, and who finish it
    enter = np.sum([seg.entered for seg in segments], axis=0)
    done = np.sum([seg.entered * seg.survive for seg in segments], axis=0)
    kinds = [_label_kind(lab) for lab in c.step_labels]
    alt_kind = np.array([k[0] for k in kinds], dtype=object)[c.alt_step]
    alt_key = np.array([k[1] for k in kinds], dtype=object)[c.alt_step]
    n_nodes = len(c.node_ids)
    visits = np.zeros(n_nodes)
    for chain in c.chains:
        visits[c.state_node[chain.start]] += chain.weight
    here = c.state_node[c.alt_state]
    nxt = c.alt_next
    has = nxt >= 0
    to = c.state_node[np.maximum(nxt, 0)]
    retry = has & (to == here) & np.isin(alt_kind, ("none", "fail"))
    np.add.at(visits, to[has & ~retry], done[has & ~retry])
    aband = np.zeros(n_nodes)
    np.add.at(aband, here, enter - done)
    key_mass: dict[tuple[int, str], float] = {}
    for i in np.flatnonzero(np.isin(alt_kind, ("key", "none")) & (done > 0)).tolist():
        key = (int(here[i]), str(alt_key[i]))
        key_mass[key] = key_mass.get(key, 0.0) + float(done[i])
    inputs = np.zeros((n_nodes, 2))  # ok, failed
    for col, kind in ((0, "ok"), (1, "fail")):
        sel = alt_kind == kind
        np.add.at(inputs[:, col], here[sel], done[sel])
    out = NodeExpectations(approximate=approx)
    for i, nid in enumerate(c.node_ids):
        if nid not in tree.nodes:
            continue
        out.visits[nid] = float(visits[i])
        out.abandoned[nid] = float(aband[i])
        tot = inputs[i].sum()
        if tot > 0:
            out.input_failure[nid] = float(inputs[i, 1] / tot)
    totals: dict[int, float] = {}
    for (i, _k), v in key_mass.items():
        totals[i] = totals.get(i, 0.0) + v
    for (i, k), v in sorted(key_mass.items()):
        nid = c.node_ids[i]
        if tree.nodes[nid].type == "menu" and totals[i] > 0:
            out.keys.setdefault(nid, {})[k] = v / totals[i]
    return out


def choice_table(tree: PhoneTree) -> dict[tuple[int, int, bool], dict[tuple[str, str], float]]:
    """``P(key | menu, kind of caller)`` for every menu (and every input with a zero-out).

    Keys of the result are ``(task index, persona index, takes zero-outs)``; values map
    ``(node, key)`` to the chance a caller of that kind presses ``key`` on an attempt at
    ``node`` (``""``: stays silent). At an input, key ``"0"`` is the zero-out and ``""`` the
    data entry.
    """
    from ..engine._compile import compile_tree

    c = compile_tree(tree)
    kinds = [_label_kind(lab) for lab in c.step_labels]
    out: dict[tuple[int, int, bool], dict[tuple[str, str], float]] = {}
    types = [tree.nodes[n].type if n in tree.nodes else "" for n in c.node_ids]
    bounds = np.searchsorted(c.state_chain, np.arange(len(c.chains) + 1))
    done: dict[tuple[int, int, bool], set[int]] = {}
    for ci, chain in enumerate(c.chains):
        kind = (chain.task, chain.persona, chain.zero_outer)
        table = out.setdefault(kind, {})
        seen = done.setdefault(kind, set())
        for s in range(int(bounds[ci]), int(bounds[ci + 1])):
            node = int(c.state_node[s])
            if node in seen or types[node] not in ("menu", "input"):
                continue
            seen.add(node)
            nid = c.node_ids[node]
            for a in range(int(c.alt_start[s]), int(c.alt_start[s + 1])):
                k, key = kinds[int(c.alt_step[a])]
                if types[node] == "input":
                    key = "0" if k == "key" else ""
                elif k not in ("key", "none"):
                    continue
                table[(nid, key)] = table.get((nid, key), 0.0) + float(c.alt_prob[a])
    return out


@functools.lru_cache(maxsize=1 << 16)
def _erlang_a(
    n: int, calls: float, handle_s: float, patience_s: float
) -> tuple[float, float, float]:
    """Erlang A figures, remembered: a long log repeats the same hours week after week."""
    m = erlang_a(n, calls_per_hour=calls, handle_time_s=handle_s, patience_s=patience_s)
    return m.p_abandon, m.mean_wait_served_s, m.occupancy


def erlang_a_hour(
    agents: float, calls: float, handle_time_s: float, patience_s: float
) -> tuple[float, float, float]:
    """Erlang A for one hour: ``(P(abandon), mean wait of answered calls, occupancy)``.

    ``agents`` may be fractional (agents on duty part of the hour): the figures are
    interpolated linearly between the whole numbers either side; below one agent, between
    nobody (every caller hangs up) and one.

    Examples
    --------
    >>> pa, asa, occ = erlang_a_hour(50, 2880, 60, 120)
    >>> round(pa, 4)
    0.0309
    >>> lo, hi = erlang_a_hour(4, 100, 180, 120)[0], erlang_a_hour(5, 100, 180, 120)[0]
    >>> abs(erlang_a_hour(4.5, 100, 180, 120)[0] - (lo + hi) / 2) < 1e-12
    True
    """
    if calls <= 0:
        return 0.0, 0.0, 0.0
    if agents <= 0:
        return 1.0, math.nan, math.nan

    def one(n: int) -> tuple[float, float, float]:
        return _erlang_a(n, float(calls), float(handle_time_s), float(patience_s))

    lo, hi = math.floor(agents), math.ceil(agents)
    b = one(max(hi, 1))
    if hi == lo:
        return b
    f = agents - lo
    if lo == 0:  # part of the hour with nobody on duty: everyone then hangs up
        return (1 - f) + f * b[0], b[1], f * b[2]
    a = one(lo)
    return (
        (1 - f) * a[0] + f * b[0],
        (1 - f) * a[1] + f * b[1],
        (1 - f) * a[2] + f * b[2],
    )
