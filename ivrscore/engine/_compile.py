"""The caller model compiled into step tables that both engines read.

A *chain* is one kind of call: a task, a persona, whether the caller takes zero-outs
(``wants_human``), and a time-of-week pattern (which schedules are open). Its *states* are
``(node, attempt, data given, repeated?, out-of-hours?, met a person?)``, enumerated from the
entry so only reachable ones exist. From each state the caller takes one *alternative*: a
probability, a duration (a fixed part plus an exponential, log-normal or Erlang A wait), whether
patience runs during it, the counts it adds, and where it leads (a state or an outcome).

``analyze`` turns the table into an absorbing Markov chain; ``simulate`` walks it with numpy,
one row per caller. They read the same table, so they model the same callers.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..graph import IMPLICIT_HANGUP, menu_timeline, node_duration_s, to_networkx
from ..model.callers import Exponential, Lognormal, Persona
from ..model.nodes import (
    Agent,
    Branch,
    Callback,
    Hangup,
    Input,
    Menu,
    Message,
    Queue,
    SelfService,
    Voicemail,
)
from ..model.tree import PhoneTree
from ..queueing import QueueMetrics, erlang_a, erlang_c
from ..timeofday import patterns

__all__ = [
    "D_ERLANG",
    "D_EXP",
    "D_LOGNORMAL",
    "D_NONE",
    "OUTCOMES",
    "Chain",
    "Compiled",
    "compile_tree",
]

OUTCOMES = (
    "resolved_self_service",
    "resolved_by_agent",
    "abandoned",
    "disconnected",
    "voicemail",
    "callback",
)
"""Every call ends in exactly one of these."""
R_SELF, R_AGENT, ABANDONED, DISCONNECTED, VOICEMAIL, CALLBACK = range(6)
DISCONNECTED_CLOSED = 6  # internal: disconnected after taking a closed edge

D_NONE, D_EXP, D_LOGNORMAL, D_ERLANG = range(4)
"""Kinds of the random part of a step's duration."""

VARIABLE_DIGITS = 8
"""Digits assumed for an input that gives no ``digits`` (dates and account numbers are ~8)."""

_TRANSFER = 1e9  # route cost of a transfer: callers avoid them before anything else
_GENERAL = 1e6  # route cost per task a resolver handles: callers aim for the specialist


@dataclass(frozen=True)
class Chain:
    """One kind of call."""

    task: int
    persona: int
    zero_outer: bool
    pattern: int
    weight: float
    start: int


@dataclass
class Compiled:
    """The step tables of every chain, concatenated (global state and alternative indices)."""

    tree: PhoneTree
    node_ids: list[str]
    task_names: tuple[str, ...]
    personas: tuple[Persona, ...]
    patterns: list[dict[str, bool]]
    pattern_calls: list[float]
    chains: list[Chain]
    state_chain: NDArray[np.int64]
    state_node: NDArray[np.int64]
    state_human: NDArray[np.bool_]
    state_repeated: NDArray[np.bool_]
    state_closed: NDArray[np.bool_]
    # alternatives, grouped by state (alt_start[s] .. alt_start[s+1])
    alt_start: NDArray[np.int64]
    alt_state: NDArray[np.int64]
    alt_prob: NDArray[np.float64]
    alt_fixed: NDArray[np.float64]
    alt_kind: NDArray[np.int64]
    alt_a: NDArray[np.float64]
    alt_b: NDArray[np.float64]
    alt_patience: NDArray[np.bool_]
    alt_next: NDArray[np.int64]
    alt_outcome: NDArray[np.int64]
    alt_menus: NDArray[np.int64]
    alt_identity: NDArray[np.int64]
    alt_repeat: NDArray[np.bool_]
    alt_options: NDArray[np.int64]
    alt_keys: NDArray[np.int64]
    alt_transfers: NDArray[np.int64]
    alt_closed: NDArray[np.bool_]
    alt_human: NDArray[np.bool_]
    alt_label: list[str]
    queues: list[QueueMetrics] = field(default_factory=list)
    queue_rates: list[NDArray[np.float64]] = field(default_factory=list)

    @property
    def n_states(self) -> int:
        return int(self.state_node.size)

    def alt_closed_after(self) -> NDArray[np.bool_]:
        """Whether the caller has been through a closed edge once the alternative is taken."""
        closed_next = np.zeros(self.alt_state.size, dtype=bool)
        has_next = self.alt_next >= 0
        closed_next[has_next] = self.state_closed[self.alt_next[has_next]]
        own = self.state_closed[self.alt_state] | self.alt_closed
        return np.where(has_next, closed_next, own)


@dataclass(slots=True)
class _Alt:
    prob: float
    fixed: float = 0.0
    kind: int = D_NONE
    a: float = 0.0
    b: float = 0.0
    patience: bool = True
    next: tuple[Any, ...] | None = None
    outcome: int = -1
    menus: int = 0
    identity: int = 0
    repeat: bool = False
    options: int = 0
    keys: int = 0
    transfers: int = 0
    closed: bool = False
    label: str = ""


class _Builder:
    def __init__(self, tree: PhoneTree) -> None:
        self.tree = tree
        self.g = to_networkx(tree)
        self.data_index: dict[str, int] = {}
        for _, node in tree.nodes.items():
            names = [node.collects] if isinstance(node, Input) else list(getattr(node, "asks", ()))
            for d in names:
                self.data_index.setdefault(d, len(self.data_index))
        self.queue_index: dict[str, int] = {}
        self.queues: list[QueueMetrics] = []
        self.queue_rates: list[NDArray[np.float64]] = []
        self.cost: dict[str, dict[str, float]] = {t: self._cost_to_go(t) for t in tree.task_names}
        self.durations = {nid: node_duration_s(n, tree) for nid, n in tree.nodes.items()}
        self.timelines = {
            nid: menu_timeline(n, tree) for nid, n in tree.nodes.items() if isinstance(n, Menu)
        }
        self.zero_keys = {
            nid: [
                d["key"]
                for _, _, d in self.g.out_edges(nid, data=True)
                if d["event"] == "zero_out" and d["key"] is not None
            ]
            for nid, n in tree.nodes.items()
            if isinstance(n, Menu)
        }
        self._menu_plans: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}

    # -- the caller's sense of direction ----------------------------------------------------------

    def _cost_to_go(self, task: str) -> dict[str, float]:
        """Cost from each node to a resolver of ``task`` (reverse Dijkstra): transfers first,
        then how specialised the resolver is, then seconds of listening and keying."""
        g = self.g
        goals = {
            nid: len(n.handles) * _GENERAL
            for nid, n in self.tree.nodes.items()
            if isinstance(n, Agent | SelfService) and task in n.handles
        }
        dist: dict[str, float] = {}
        heap = [(c, nid) for nid, c in goals.items()]
        heapq.heapify(heap)
        while heap:
            c, v = heapq.heappop(heap)
            if v in dist:
                continue
            dist[v] = c
            for u, _, d in g.in_edges(v, data=True):
                if u in goals or u in dist or d["event"] not in ("option", "next", "transfer"):
                    continue
                w = d["listen_s"] + d["input_s"] + (_TRANSFER if d["event"] == "transfer" else 0)
                heapq.heappush(heap, (c + w, u))
        return dist

    # -- queues -----------------------------------------------------------------------------------

    def queue_model(self, nid: str, q: Queue) -> int:
        """Index of the Erlang A model of a staffed queue."""
        if nid not in self.queue_index:
            from ..graph import mean_patience_s

            s = q.staffing
            assert s is not None
            patience = mean_patience_s(self.tree.personas)
            if math.isinf(patience):
                if s.offered_load >= s.agents:
                    from ..queueing import UnstableQueueError

                    raise UnstableQueueError(
                        f"queue {nid!r}: {s.offered_load:.1f} Erlangs for {s.agents} agents and "
                        "callers who never hang up: the wait is unbounded (rule IVR504)"
                    )
                m = erlang_c(
                    s.agents, calls_per_hour=s.calls_per_hour, handle_time_s=s.handle_time_s
                )
                theta_q = 0.0
            else:
                m = erlang_a(
                    s.agents,
                    calls_per_hour=s.calls_per_hour,
                    handle_time_s=s.handle_time_s,
                    patience_s=patience,
                )
                theta_q = 1.0 / patience
            mu = 1.0 / s.handle_time_s
            ahead = m.ahead_distribution()
            # rate of the stage with j callers ahead; a caller with k ahead passes stages k..0
            rates: NDArray[np.float64] = s.agents * mu + theta_q * np.arange(
                ahead.size, dtype=float
            )
            self.queue_index[nid] = len(self.queues)
            self.queues.append(m)
            self.queue_rates.append(rates)
        return self.queue_index[nid]

    # -- alternatives per node --------------------------------------------------------------------

    def alternatives(
        self,
        state: tuple[Any, ...],
        task: str,
        persona: Persona,
        zo: bool,
        pattern: dict[str, bool],
    ) -> list[_Alt]:
        nid, _attempt, data, repeated, closed, human = state
        if nid == IMPLICIT_HANGUP:
            return [_Alt(1.0, patience=False, outcome=DISCONNECTED, label="hung up by the system")]
        node = self.tree.nodes[nid]

        def goto(target: str | None, closed_now: bool = False) -> dict[str, Any]:
            if target is None:
                return {"outcome": DISCONNECTED}
            return {"next": (target, 0, data, repeated, closed or closed_now, human)}

        if isinstance(node, Message):
            return [_Alt(1.0, fixed=self.durations[nid], **goto(node.next), label=f"heard {nid}")]
        if isinstance(node, Menu):
            return self._menu(nid, node, state, task, persona, zo, goto)
        if isinstance(node, Input):
            return self._input(nid, node, state, persona, zo, goto)
        if isinstance(node, Branch):
            return self._branch(nid, node, pattern, goto)
        if isinstance(node, Queue):
            return self._queue(nid, node, pattern, persona, goto)
        if isinstance(node, Agent):
            return self._agent(nid, node, state, task, goto)
        if isinstance(node, SelfService):
            if task in node.handles:
                return [
                    _Alt(
                        1.0,
                        fixed=self.durations[nid],
                        patience=False,
                        outcome=R_SELF,
                        label=f"was helped by {nid}",
                    )
                ]
            return [
                _Alt(
                    1.0,
                    fixed=self.durations[nid],
                    **goto(node.next),
                    label=f"went through {nid}, which could not help",
                )
            ]
        if isinstance(node, Voicemail | Callback | Hangup):
            outcome = {"voicemail": VOICEMAIL, "callback": CALLBACK, "hangup": DISCONNECTED}[
                node.type
            ]
            words = {
                "voicemail": "left a voicemail",
                "callback": "booked a callback",
                "hangup": "was hung up on",
            }
            return [
                _Alt(
                    1.0,
                    fixed=self.durations[nid],
                    patience=False,
                    outcome=outcome,
                    label=f"{words[node.type]} at {nid}",
                )
            ]
        raise AssertionError(node)  # pragma: no cover

    def _menu(
        self,
        nid: str,
        node: Menu,
        state: tuple[Any, ...],
        task: str,
        persona: Persona,
        zo: bool,
        goto: Any,
    ) -> list[_Alt]:
        attempt = state[1]
        key = (nid, attempt, task, id(persona), zo)
        plan = self._menu_plans.get(key)
        if plan is None:
            plan = self._menu_plans[key] = self._plan_menu(nid, node, attempt, task, persona, zo)
        _, _, data, repeated, closed, human = state
        out = []
        for prob, fixed, menus, options, keys, label, target, retry in plan:
            if retry:
                nxt: tuple[Any, ...] | None = (nid, attempt + 1, data, repeated, closed, human)
            elif target is None:
                nxt = None
            else:
                nxt = (target, 0, data, repeated, closed, human)
            outcome = DISCONNECTED if nxt is None else -1
            out.append(
                _Alt(
                    prob,
                    fixed,
                    D_NONE,
                    0.0,
                    0.0,
                    True,
                    nxt,
                    outcome,
                    menus,
                    0,
                    False,
                    options,
                    keys,
                    0,
                    False,
                    label,
                )
            )
        return out

    def _plan_menu(
        self, nid: str, node: Menu, attempt: int, task: str, persona: Persona, zo: bool
    ) -> list[tuple[Any, ...]]:
        """The choices at a menu for one kind of caller, the same in every state there:
        ``(prob, seconds, menus, options heard, keys, label, target, retry?)``."""
        total, ends = self.timelines[nid]
        keys = list(node.options)
        n = len(keys)
        zero = self.zero_keys[nid]
        costs = self.cost[task]
        desired: str | None = None
        if zo and zero:
            desired = zero[0]
        else:
            best = math.inf
            for i, k in enumerate(keys):
                target = node.options[k].next
                if target == nid or target not in costs:
                    continue
                c = costs[target] + ends[i] + persona.response_s
                if c < best:
                    best, desired = c, k
            if desired is None and zero:
                desired = zero[0]
        enter = 1 if attempt == 0 else 0
        if desired is None:  # nothing fits the task: the caller says nothing, the menu replays
            retry = attempt < node.retries
            target_if_done = None if retry else node.on_failure
            label = f"found no option at {nid}"
            return [(1.0, total + node.timeout_s, enter, n, 0, label, target_if_done, retry)]
        p_err = persona.choice_error_at(n) if n > 1 else 0.0
        barge = persona.barge_in if node.barge_in else 0.0
        out = []
        for i, k in enumerate(keys):
            p = (1.0 - p_err) if k == desired else p_err / (n - 1)
            if p <= 0:
                continue
            what = "pressed" if k == desired else "mistakenly pressed"
            for b, heard, t in ((barge, i + 1, ends[i]), (1.0 - barge, n, total)):
                if b > 0:
                    label = f"{what} {k} at {nid}"
                    target = node.options[k].next
                    out.append(
                        (p * b, t + persona.response_s, enter, heard, 1, label, target, False)
                    )
        return out

    def _is_zero_out(self, nid: str, key: str) -> bool:
        return key in self.zero_keys.get(nid, ())

    def _input(
        self, nid: str, node: Input, state: tuple[Any, ...], persona: Persona, zo: bool, goto: Any
    ) -> list[_Alt]:
        attempt, data, repeated = state[1], state[2], state[3]
        bit = 1 << self.data_index[node.collects]
        first = attempt == 0
        again = first and bool(data & bit)
        prompt = self.durations[nid]
        common: dict[str, Any] = {
            "identity": 1 if first else 0,
            "menus": 0,
            "repeat": again and not repeated,
        }
        if zo and node.zero_out:
            alt = goto(node.zero_out)
            return [
                _Alt(
                    1.0,
                    fixed=prompt + persona.response_s,
                    keys=1,
                    label=f"pressed 0 at {nid}",
                    **common,
                    **alt,
                )
            ]
        digits = node.digits or VARIABLE_DIGITS
        typing = prompt + persona.response_s + digits * persona.digit_s
        ok = goto(node.next)
        if "next" in ok:
            nxt = ok["next"]
            ok["next"] = (nxt[0], 0, data | bit, repeated or again, *nxt[4:])
        retry = attempt < node.retries
        bad = goto(nid if retry else node.on_failure)
        if retry:  # (an on_failure back to this input starts it afresh, at attempt 0)
            bad["next"] = (nid, attempt + 1, data, repeated or again, *state[4:])
        elif "next" in bad:
            nxt = bad["next"]
            bad["next"] = (nxt[0], 0, data, repeated or again, *nxt[4:])
        e = persona.input_error
        out = [
            _Alt(
                1.0 - e,
                fixed=typing,
                keys=digits,
                label=f"keyed {node.collects} at {nid}",
                **common,
                **ok,
            )
        ]
        if e > 0:
            out.append(
                _Alt(
                    e,
                    fixed=typing,
                    keys=digits,
                    label=f"failed to key {node.collects} at {nid}",
                    **common,
                    **bad,
                )
            )
        return out

    def _branch(self, nid: str, node: Branch, pattern: dict[str, bool], goto: Any) -> list[_Alt]:
        left = 1.0
        out = []
        d = self.durations[nid]
        for c in node.when:
            if c.share is not None:
                p = left * c.share
            else:
                sched = c.open or c.closed
                holds = pattern.get(sched or "", True) == (c.open is not None)
                p = left if holds else 0.0
            if p > 0:
                shut = c.closed is not None
                out.append(
                    _Alt(
                        p,
                        fixed=d,
                        closed=shut,
                        label=f"{nid}: {c.describe()}",
                        **goto(c.next, shut),
                    )
                )
            left -= p
        if left > 1e-15:
            all_open = all(c.open is not None for c in node.when)
            out.append(
                _Alt(
                    left,
                    fixed=d,
                    closed=all_open,
                    label=f"{nid}: otherwise",
                    **goto(node.otherwise, all_open),
                )
            )
        return out

    def _queue(
        self, nid: str, node: Queue, pattern: dict[str, bool], persona: Persona, goto: Any
    ) -> list[_Alt]:
        if node.open is not None and not pattern.get(node.open, True):
            return [
                _Alt(1.0, closed=True, label=f"found {nid} closed", **goto(node.on_closed, True))
            ]
        d = self.durations[nid]
        out = []
        take = persona.accepts_callback if node.callback else 0.0
        if take > 0:
            out.append(
                _Alt(
                    take, fixed=d, label=f"took the callback offer at {nid}", **goto(node.callback)
                )
            )
        stay = 1.0 - take
        if stay <= 0:
            return out
        nxt = goto(node.next)
        label = f"waited at {nid}"
        if node.wait is not None:
            if isinstance(node.wait, Exponential):
                out.append(_Alt(stay, fixed=d, kind=D_EXP, a=node.wait.mean_s, label=label, **nxt))
            else:
                assert isinstance(node.wait, Lognormal)
                out.append(
                    _Alt(
                        stay,
                        fixed=d,
                        kind=D_LOGNORMAL,
                        a=math.log(node.wait.median_s),
                        b=node.wait.sigma,
                        label=label,
                        **nxt,
                    )
                )
        elif node.staffing is not None:
            qi = self.queue_model(nid, node)
            out.append(_Alt(stay, fixed=d, kind=D_ERLANG, a=float(qi), label=label, **nxt))
        else:
            out.append(_Alt(stay, fixed=d, label=label, **nxt))
        return out

    def _agent(
        self, nid: str, node: Agent, state: tuple[Any, ...], task: str, goto: Any
    ) -> list[_Alt]:
        data, repeated = state[2], state[3]
        asked = 0
        for d in node.asks:
            asked |= 1 << self.data_index[d]
        again = bool(data & asked)
        common: dict[str, Any] = {
            "identity": len(node.asks),
            "repeat": again and not repeated,
            "patience": False,
        }
        if task in node.handles:
            return [
                _Alt(
                    1.0,
                    fixed=self.durations[nid],
                    outcome=R_AGENT,
                    label=f"was helped by {nid}",
                    **common,
                )
            ]
        if node.transfer_to:
            alt = goto(node.transfer_to)
            nxt = alt["next"]
            alt["next"] = (nxt[0], 0, data | asked, repeated or again, *nxt[4:])
            return [_Alt(1.0, transfers=1, label=f"was transferred by {nid}", **common, **alt)]
        return [_Alt(1.0, outcome=DISCONNECTED, label=f"{nid} could not help", **common)]


def compile_tree(tree: PhoneTree) -> Compiled:
    """Compile a tree's callers into step tables (every task, persona, zero-out habit and
    time-of-week pattern)."""
    b = _Builder(tree)
    pats = patterns(tree)
    personas = tree.personas
    shares = tree.task_shares()
    p_shares = np.array([p.share for p in personas], dtype=float)
    p_shares = p_shares / p_shares.sum()
    chains: list[Chain] = []
    st_chain: list[int] = []
    st_node: list[str] = []
    st_flags: list[tuple[bool, bool, bool]] = []
    alt_rows: list[int] = []
    alt_objs: list[_Alt] = []
    alt_targets: list[int] = []
    agents = {nid for nid, n in tree.nodes.items() if n.type == "agent"}
    for ti, task in enumerate(tree.task_names):
        for pi, persona in enumerate(personas):
            for zo in (False, True):
                p_zo = persona.wants_human if zo else 1.0 - persona.wants_human
                if p_zo <= 0:
                    continue
                for ki, pat in enumerate(pats):
                    weight = float(shares[ti] * p_shares[pi] * p_zo * pat.calls)
                    if weight <= 0:
                        continue
                    ci = len(chains)
                    start = (tree.entry, 0, 0, False, False, tree.entry in agents)
                    index = {start: len(st_node)}  # this chain's states
                    st_chain.append(ci)
                    st_node.append(tree.entry)
                    st_flags.append((False, False, bool(start[5])))
                    chains.append(Chain(ti, pi, zo, ki, weight, index[start]))
                    todo = [start]
                    while todo:
                        state = todo.pop()
                        s = index[state]
                        for alt in b.alternatives(state, task, persona, zo, pat.open):
                            nxt = alt.next
                            target = -1
                            if nxt is not None:
                                if nxt[0] in agents and not nxt[5]:
                                    nxt = alt.next = (*nxt[:5], True)
                                target = index.get(nxt, -1)
                                if target < 0:
                                    target = index[nxt] = len(st_node)
                                    st_chain.append(ci)
                                    st_node.append(nxt[0])
                                    st_flags.append((bool(nxt[3]), bool(nxt[4]), bool(nxt[5])))
                                    todo.append(nxt)
                            alt_rows.append(s)
                            alt_objs.append(alt)
                            alt_targets.append(target)
    node_ids = [*tree.nodes, IMPLICIT_HANGUP]
    node_pos = {n: i for i, n in enumerate(node_ids)}
    n_states = len(st_node)
    rows = np.array(alt_rows, dtype=np.int64)
    perm = np.argsort(rows, kind="stable")  # group every state's alternatives together
    alt_state = rows[perm]
    alt_start = np.searchsorted(alt_state, np.arange(n_states + 1)).astype(np.int64)
    flags = np.array(st_flags, dtype=bool).reshape(-1, 3)
    fields = (
        "prob", "fixed", "kind", "a", "b", "patience", "outcome", "menus", "identity",
        "repeat", "options", "keys", "transfers", "closed",
    )  # fmt: skip
    getter = attrgetter(*fields)
    table = (
        list(zip(*(getter(a) for a in alt_objs), strict=True)) if alt_objs else [()] * len(fields)
    )
    columns = dict(zip(fields, table, strict=True))

    def col(name: str, dtype: Any) -> Any:
        return np.asarray(columns[name], dtype=dtype)[perm]

    alt_next = np.asarray(alt_targets, dtype=np.int64)[perm]
    labels = [alt_objs[i].label for i in perm]
    compiled = Compiled(
        tree=tree,
        node_ids=node_ids,
        task_names=tree.task_names,
        personas=personas,
        patterns=[p.open for p in pats],
        pattern_calls=[p.calls for p in pats],
        chains=chains,
        state_chain=np.array(st_chain, dtype=np.int64),
        state_node=np.array([node_pos[n] for n in st_node], dtype=np.int64),
        state_repeated=flags[:, 0].copy(),
        state_closed=flags[:, 1].copy(),
        state_human=flags[:, 2].copy(),
        alt_start=alt_start,
        alt_state=alt_state,
        alt_prob=col("prob", float),
        alt_fixed=col("fixed", float),
        alt_kind=col("kind", np.int64),
        alt_a=col("a", float),
        alt_b=col("b", float),
        alt_patience=col("patience", bool),
        alt_next=alt_next,
        alt_outcome=col("outcome", np.int64),
        alt_menus=col("menus", np.int64),
        alt_identity=col("identity", np.int64),
        alt_repeat=col("repeat", bool),
        alt_options=col("options", np.int64),
        alt_keys=col("keys", np.int64),
        alt_transfers=col("transfers", np.int64),
        alt_closed=col("closed", bool),
        alt_human=np.zeros(alt_state.size, dtype=bool),
        alt_label=labels,
        queues=b.queues,
        queue_rates=b.queue_rates,
    )
    has_next = alt_next >= 0
    compiled.alt_human[has_next] = (
        compiled.state_human[alt_next[has_next]] & ~compiled.state_human[alt_state[has_next]]
    )
    return compiled
