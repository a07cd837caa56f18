"""The caller model compiled into step tables that both engines read.

A *chain* is one kind of call: a task, a persona, whether the caller takes zero-outs
(``wants_human``), and a time-of-week pattern (which schedules are open). Its *states* are
``(node, attempt, data given, repeated?, out-of-hours?, met a person?)``, enumerated from the
entry so only reachable ones exist. From each state the caller takes one *alternative*: a
probability, a duration (a fixed part plus an exponential, log-normal or Erlang A wait), whether
patience runs during it, the counts it adds, and where it leads (a state or an outcome).

A state's alternatives depend only on its (node, attempt) and the kind of caller; the data given
and the flags only decide whether a step repeats a question and which flags the next state
carries. So the steps are computed once per (node, attempt) for each kind of caller they depend
on (menus for every menu at once, with numpy), and the states of all chains are then enumerated
breadth first, a level at a time, with numpy.

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

from ..exceptions import IvrscoreError
from ..graph import (
    IMPLICIT_HANGUP,
    flow_edges,
    leads_to_human,
    mean_patience_s,
    menu_timeline,
    node_duration_s,
)
from ..model.callers import AnsweredWait, Exponential, Lognormal, Persona
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
from ..model.staffing import asa_to_mean_wait, roster_by_hour
from ..model.tree import PhoneTree
from ..promises import chosen_options, offers_person
from ..queueing import QueueMetrics, erlang_a, no_agents
from ..timeofday import patterns

__all__ = [
    "D_ERLANG",
    "D_EXP",
    "D_LOGNORMAL",
    "D_NONE",
    "MAX_CELLS",
    "OUTCOMES",
    "Chain",
    "Compiled",
    "TooLargeError",
    "check_size",
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

(
    EV_NEXT,
    EV_OPTION,
    EV_MISTAKE,
    EV_RETRY,
    EV_FAILURE,
    EV_CLOSED,
    EV_TRANSFER,
    EV_CALLBACK,
    EV_ZERO,
    EV_RESOLVED,
    EV_END,
    EV_UNHELPED,
    EV_DEAD_END,
    EV_ZERO_REFUSED,
) = range(14)
"""What a step is, for explaining where calls go: flows on, picks the option it wanted, picks
another by mistake, gets a replay, runs out of attempts (``on_failure``), finds something
closed, is transferred, takes a callback offer, takes a way to a person (zero-out), is helped,
reaches an ending node, meets a person or service that cannot help, hits a dead end, or runs
out of attempts pressing 0 where no person is offered."""

VARIABLE_DIGITS = 8
"""Digits assumed for an input that gives no ``digits`` (dates and account numbers are ~8)."""

_TRY_ZERO = -2  # a menu where a caller who wants a person presses 0, which offers none
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
class Slot:
    """Where callers of one or more staffed queues wait for the same people."""

    name: str
    """The queue's id, or ``pool:NAME`` for a pool."""
    queues: list[str]
    """The queues that wait here."""
    agents: NDArray[np.int64] | None
    """Agents in each hour of the week (``None`` for a fixed queue, whose model holds)."""
    handle_time_s: float
    fixed: bool
    pool: str | None = None


def stage_rates(m: QueueMetrics) -> NDArray[np.float64]:
    """Rates of the exponential stages a waiting caller passes in an Erlang A queue: with ``j``
    callers ahead, ``N mu + j theta``; a caller with ``k`` ahead passes stages ``k .. 0``."""
    theta = 0.0 if math.isinf(m.patience_s) else 1.0 / m.patience_s
    n = m.ahead_distribution().size
    out: NDArray[np.float64] = m.agents / m.handle_time_s + theta * np.arange(n, dtype=float)
    return out


def open_by_hour(tree: PhoneTree) -> dict[str, NDArray[np.bool_]]:
    """Per schedule, whether it is open at the middle of each of the 168 hours of the week."""
    mid = np.arange(168) * 60 + 30
    out = {}
    for name, sched in tree.schedules.items():
        is_open = np.zeros(168, dtype=bool)
        for a, b in sched.intervals:
            is_open |= (mid >= a) & (mid < b)
        out[name] = is_open
    return out


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
    alt_step: NDArray[np.int64]
    alt_event: NDArray[np.int64]
    step_labels: list[str]
    queues: list[QueueMetrics] = field(default_factory=list)
    queue_rates: list[NDArray[np.float64]] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    """The staffed queues' slots (a queue, or the queues of a pool), indexed as ``queues``."""
    hourly: list[list[QueueMetrics]] | None = None
    """Per slot, its Erlang A model in each of the 168 hours of the week, once the dynamics
    has run (``None``: every slot's model holds every hour)."""

    @property
    def dynamic(self) -> bool:
        """Whether some queue's calls follow from the tree's volume, hour by hour."""
        return any(not s.fixed for s in self.slots)

    @property
    def n_states(self) -> int:
        return int(self.state_node.size)

    def alt_label(self, alt: int) -> str:
        """What a caller did in an alternative, in words ("pressed 2 at main_menu")."""
        return self.step_labels[int(self.alt_step[alt])]

    def alt_closed_after(self) -> NDArray[np.bool_]:
        """Whether the caller has been through a closed edge once the alternative is taken."""
        closed_next = np.zeros(self.alt_state.size, dtype=bool)
        has_next = self.alt_next >= 0
        closed_next[has_next] = self.state_closed[self.alt_next[has_next]]
        own = self.state_closed[self.alt_state] | self.alt_closed
        return np.where(has_next, closed_next, own)


@dataclass(slots=True)
class _Step:
    """One alternative from every state at a (node, attempt), for one kind of caller.

    What depends on the caller's history (the data given, the flags) is kept symbolic:
    the next state is ``(next_node, next_attempt)`` with ``data_or`` added to the data given;
    the step is a *repeat* when the data given meets ``again`` (``propagate``: the repeat
    also marks the next state as repeated); ``closed_now`` marks the next state as having been
    through a closed edge.
    """

    prob: float
    fixed: float = 0.0
    kind: int = D_NONE
    a: float = 0.0
    b: float = 0.0
    patience: bool = True
    next_node: str | None = None
    next_attempt: int = 0
    outcome: int = -1
    menus: int = 0
    identity: int = 0
    options: int = 0
    keys: int = 0
    transfers: int = 0
    closed: bool = False
    label: str = ""
    data_or: int = 0
    again: int = 0
    propagate: bool = False
    closed_now: bool = False
    event: int = EV_NEXT


_STEP_FIELDS = (
    "prob", "fixed", "kind", "a", "b", "patience", "outcome", "menus", "identity", "options",
    "keys", "transfers", "closed", "data_or", "again", "propagate", "closed_now", "event",
)  # fmt: skip


def _to(target: str | None, **kw: Any) -> dict[str, Any]:
    """Fields of a step that goes to ``target`` (``None``: the call is cut off)."""
    if target is None:
        return {"outcome": DISCONNECTED, **({"event": kw["event"]} if "event" in kw else {})}
    return {"next_node": target, **kw}


class _Builder:
    def __init__(self, tree: PhoneTree) -> None:
        self.tree = tree
        # how callers move (the structure only: no graph is built, no queue is solved)
        self.edges = flow_edges(tree, waits=False)
        self.data_index: dict[str, int] = {}
        for _, node in tree.nodes.items():
            names = [node.collects] if isinstance(node, Input) else list(getattr(node, "asks", ()))
            for d in names:
                self.data_index.setdefault(d, len(self.data_index))
        self.queue_index: dict[str, int] = {}
        self.queues: list[QueueMetrics] = []
        self.queue_rates: list[NDArray[np.float64]] = []
        self.slots: list[Slot] = []
        self.open_by_hour = open_by_hour(tree)
        self._reverse: dict[str, list[tuple[str, float]]] | None = None
        self._resolvers: dict[str, list[tuple[str, float]]] | None = None
        self.cost: dict[str, dict[str, float]] = {t: self._cost_to_go(t) for t in tree.task_names}
        self.timelines = {
            nid: menu_timeline(n, tree) for nid, n in tree.nodes.items() if isinstance(n, Menu)
        }
        self.durations = {
            nid: self.timelines[nid][0] if isinstance(n, Menu) else node_duration_s(n, tree)
            for nid, n in tree.nodes.items()
        }
        self.zero_keys: dict[str, list[str]] = {
            nid: [] for nid, n in tree.nodes.items() if isinstance(n, Menu)
        }
        for u, _, d in self.edges:
            if d["event"] == "zero_out" and d["key"] is not None and u in self.zero_keys:
                self.zero_keys[u].append(d["key"])

    # -- the caller's sense of direction ----------------------------------------------------------

    def _cost_to_go(self, task: str) -> dict[str, float]:
        """Cost from each node to a resolver of ``task`` (reverse Dijkstra): transfers first,
        then how specialised the resolver is, then seconds of listening and keying."""
        if self._reverse is None:  # the weighted edges into each node, read once for all tasks
            self._reverse = {}
            for u, v, d in self.edges:
                if d["event"] in ("option", "next", "transfer"):
                    w = (
                        d["listen_s"]
                        + d["input_s"]
                        + (_TRANSFER if d["event"] == "transfer" else 0)
                    )
                    self._reverse.setdefault(v, []).append((u, w))
        reverse = self._reverse
        if self._resolvers is None:  # the resolvers of each task, found once for all tasks
            self._resolvers = {}
            for nid, n in self.tree.nodes.items():
                if isinstance(n, Agent | SelfService):
                    for t in dict.fromkeys(n.handles):
                        self._resolvers.setdefault(t, []).append((nid, len(n.handles) * _GENERAL))
        goals = dict(self._resolvers.get(task, []))
        dist: dict[str, float] = {}
        heap = [(c, nid) for nid, c in goals.items()]
        heapq.heapify(heap)
        while heap:
            c, v = heapq.heappop(heap)
            if v in dist:
                continue
            dist[v] = c
            for u, w in reverse.get(v, ()):
                if u not in goals and u not in dist:
                    heapq.heappush(heap, (c + w, u))
        return dist

    # -- queues -----------------------------------------------------------------------------------

    def queue_model(self, nid: str, q: Queue) -> int:
        """Index of the queue slot (an Erlang A model) a staffed queue waits in: its own, or
        its pool's. A queue offered fixed ``calls_per_hour`` gets its model now; one whose calls
        follow from the tree's volume gets a slot that :mod:`ivrscore.engine.dynamics` fills,
        hour by hour."""
        s = q.staffing
        assert s is not None
        key = f"pool:{s.pool}" if s.pool is not None else nid
        if key in self.queue_index:
            self.slots[self.queue_index[key]].queues.append(nid)
            return self.queue_index[key]
        patience = mean_patience_s(self.tree.personas)
        if s.is_fixed:
            assert isinstance(s.agents, int) and s.calls_per_hour and s.handle_time_s
            if math.isinf(patience) and s.offered_load >= s.agents:
                from ..queueing import UnstableQueueError

                raise UnstableQueueError(
                    f"queue {nid!r}: {s.offered_load:.1f} Erlangs for {s.agents} agents and "
                    "callers who never hang up: the wait is unbounded (rule IVR504)"
                )
            m = erlang_a(
                s.agents,
                calls_per_hour=s.calls_per_hour,
                handle_time_s=s.handle_time_s,
                patience_s=patience,
            )
            slot = Slot(key, [nid], None, s.handle_time_s, fixed=True)
        else:
            pool = self.tree.pools[s.pool] if s.pool is not None else None
            roster = pool.agents if pool is not None else s.agents
            handle = pool.handle_time_s if pool is not None else s.handle_time_s
            assert roster is not None and handle is not None
            agents = roster_by_hour(roster, self.open_by_hour)
            slot = Slot(key, [nid], agents, handle, fixed=False, pool=s.pool)
            m = no_agents(handle, patience)  # filled per hour by the dynamics
        self.queue_index[key] = len(self.queues)
        self.slots.append(slot)
        self.queues.append(m)
        self.queue_rates.append(stage_rates(m))
        return self.queue_index[key]

    # -- steps per (node, attempt) ---------------------------------------------------------------

    def dependence(self, nid: str) -> str:
        """What a node's steps depend on besides (node, attempt): used to share them."""
        if nid == IMPLICIT_HANGUP:
            return ""
        kind = self.tree.nodes[nid].type
        return {
            "input": "pz",
            "branch": "k",
            "queue": "kp",
            "agent": "t",
            "self_service": "t",
        }.get(kind, "")

    def steps(
        self,
        nid: str,
        attempt: int,
        task: str,
        persona: Persona,
        zo: bool,
        pattern: dict[str, bool],
    ) -> list[_Step]:
        if nid == IMPLICIT_HANGUP:
            return [
                _Step(
                    1.0,
                    patience=False,
                    outcome=DISCONNECTED,
                    label="hung up by the system",
                    event=EV_END,
                )
            ]
        node = self.tree.nodes[nid]
        if isinstance(node, Message):
            ev = EV_NEXT if node.next else EV_DEAD_END
            return [
                _Step(
                    1.0, fixed=self.durations[nid], label=f"heard {nid}", **_to(node.next, event=ev)
                )
            ]
        if isinstance(node, Menu):
            raise AssertionError("menus are planned all at once by _Menus")  # pragma: no cover
        if isinstance(node, Input):
            return self._input(nid, node, attempt, persona, zo)
        if isinstance(node, Branch):
            return self._branch(nid, node, pattern)
        if isinstance(node, Queue):
            return self._queue(nid, node, pattern, persona)
        if isinstance(node, Agent):
            return self._agent(nid, node, task)
        if isinstance(node, SelfService):
            if task in node.handles:
                return [
                    _Step(
                        1.0,
                        fixed=self.durations[nid],
                        patience=False,
                        outcome=R_SELF,
                        label=f"was helped by {nid}",
                        event=EV_RESOLVED,
                    )
                ]
            ev = EV_NEXT if node.next else EV_UNHELPED
            return [
                _Step(
                    1.0,
                    fixed=self.durations[nid],
                    label=f"went through {nid}, which could not help",
                    **_to(node.next, event=ev),
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
                _Step(
                    1.0,
                    fixed=self.durations[nid],
                    patience=False,
                    outcome=outcome,
                    label=f"{words[node.type]} at {nid}",
                    event=EV_END,
                )
            ]
        raise AssertionError(node)  # pragma: no cover

    def _input(
        self, nid: str, node: Input, attempt: int, persona: Persona, zo: bool
    ) -> list[_Step]:
        bit = 1 << self.data_index[node.collects]
        first = attempt == 0
        prompt = self.durations[nid]
        # A first attempt at data the caller already gave is a repeat (counted once).
        common: dict[str, Any] = {"identity": 1 if first else 0, "again": bit if first else 0}
        if zo and node.zero_out:
            return [
                _Step(
                    1.0,
                    fixed=prompt + persona.response_s,
                    keys=1,
                    label=f"pressed 0 at {nid}",
                    **common,
                    **_to(node.zero_out, event=EV_ZERO),
                )
            ]
        digits = node.digits or VARIABLE_DIGITS
        typing = prompt + persona.response_s + digits * persona.digit_s
        ok = _to(node.next, data_or=bit, propagate=True)
        retry = attempt < node.retries
        if retry:  # (an on_failure back to this input starts it afresh, at attempt 0)
            bad: dict[str, Any] = {
                "next_node": nid,
                "next_attempt": attempt + 1,
                "propagate": True,
                "event": EV_RETRY,
            }
        else:
            bad = _to(node.on_failure, propagate=True, event=EV_FAILURE)
        e = persona.input_error
        out = [
            _Step(
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
                _Step(
                    e,
                    fixed=typing,
                    keys=digits,
                    label=f"failed to key {node.collects} at {nid}",
                    **common,
                    **bad,
                )
            )
        return out

    def _branch(self, nid: str, node: Branch, pattern: dict[str, bool]) -> list[_Step]:
        left = 1.0
        out = []
        d = self.durations[nid]
        for c in node.when:
            if c.share is not None:  # a share of every caller here (shares add up to <= 1)
                p = min(c.share, left)
            else:
                sched = c.open or c.closed
                holds = pattern.get(sched or "", True) == (c.open is not None)
                p = left if holds else 0.0
            if p > 0:
                shut = c.closed is not None
                out.append(
                    _Step(
                        p,
                        fixed=d,
                        closed=shut,
                        label=f"{nid}: {c.describe()}",
                        **_to(c.next, closed_now=shut, event=EV_CLOSED if shut else EV_NEXT),
                    )
                )
            left -= p
        if left > 1e-15:
            all_open = all(c.open is not None for c in node.when)
            out.append(
                _Step(
                    left,
                    fixed=d,
                    closed=all_open,
                    label=f"{nid}: otherwise",
                    **_to(
                        node.otherwise,
                        closed_now=all_open,
                        event=EV_CLOSED if all_open else EV_NEXT,
                    ),
                )
            )
        return out

    def _queue(
        self, nid: str, node: Queue, pattern: dict[str, bool], persona: Persona
    ) -> list[_Step]:
        if node.open is not None and not pattern.get(node.open, True):
            return [
                _Step(
                    1.0,
                    closed=True,
                    label=f"found {nid} closed",
                    **_to(node.on_closed, closed_now=True, event=EV_CLOSED),
                )
            ]
        d = self.durations[nid]
        out = []
        take = persona.accepts_callback if node.callback else 0.0
        if take > 0:
            out.append(
                _Step(
                    take,
                    fixed=d,
                    label=f"took the callback offer at {nid}",
                    **_to(node.callback, event=EV_CALLBACK),
                )
            )
        stay = 1.0 - take
        if stay <= 0:
            return out
        nxt = _to(node.next, event=EV_NEXT if node.next else EV_DEAD_END)
        label = f"waited at {nid}"
        if node.wait is not None:
            if isinstance(node.wait, AnsweredWait):
                # the average speed of answer of answered calls, as the wait an unlimited
                # caller would face (through the callers' patience)
                mean = asa_to_mean_wait(node.wait.asa_s, mean_patience_s(self.tree.personas))
                out.append(_Step(stay, fixed=d, kind=D_EXP, a=mean, label=label, **nxt))
            elif isinstance(node.wait, Exponential):
                out.append(_Step(stay, fixed=d, kind=D_EXP, a=node.wait.mean_s, label=label, **nxt))
            else:
                assert isinstance(node.wait, Lognormal)
                out.append(
                    _Step(
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
            out.append(_Step(stay, fixed=d, kind=D_ERLANG, a=float(qi), label=label, **nxt))
        else:
            out.append(_Step(stay, fixed=d, label=label, **nxt))
        return out

    def _agent(self, nid: str, node: Agent, task: str) -> list[_Step]:
        asked = 0
        for d in node.asks:
            asked |= 1 << self.data_index[d]
        common: dict[str, Any] = {"identity": len(node.asks), "again": asked, "patience": False}
        if task in node.handles:
            return [
                _Step(
                    1.0,
                    fixed=self.durations[nid],
                    outcome=R_AGENT,
                    label=f"was helped by {nid}",
                    event=EV_RESOLVED,
                    **common,
                )
            ]
        if node.transfer_to:
            return [
                _Step(
                    1.0,
                    transfers=1,
                    label=f"was transferred by {nid}",
                    **common,
                    **_to(node.transfer_to, data_or=asked, propagate=True, event=EV_TRANSFER),
                )
            ]
        return [
            _Step(
                1.0,
                outcome=DISCONNECTED,
                label=f"{nid} could not help",
                event=EV_UNHELPED,
                **common,
            )
        ]


_COL_TYPES: dict[str, Any] = {
    "prob": np.float64, "fixed": np.float64, "a": np.float64, "b": np.float64,
    "patience": np.bool_, "closed": np.bool_, "propagate": np.bool_, "closed_now": np.bool_,
}  # fmt: skip


class _StepTable:
    """Steps of every (node, attempt, kind of caller): blocks of columns (menus, planned with
    numpy) and runs of steps (the other nodes), turned into one set of columns at the end.

    A run repeats a *variant*, a list of steps computed once: many kinds of caller share the
    steps of a node (an agent who helps, or does not help, every task the same way), so each
    variant's fields are read once and copied into its runs with numpy, and so are its words.
    """

    def __init__(self) -> None:
        self.n = 0
        self.blocks: list[tuple[int, dict[str, NDArray[Any]]]] = []
        # the words of the rows, in order: a block's list, or a list of runs (variant numbers)
        self.pieces: list[tuple[bool, list[Any]]] = []
        self.variant_steps: list[_Step] = []
        self.variant_next: list[int] = []
        self.variant_start: list[int] = [0]
        self.run_lo: list[int] = []
        self.run_variant: list[int] = []

    def variant(self, steps: list[_Step], na_of: Any) -> int:
        """Register a list of steps (with where each leads); returns its variant number."""
        self.variant_steps.extend(steps)
        self.variant_next.extend(
            -1 if st.next_node is None else na_of(st.next_node, st.next_attempt) for st in steps
        )
        self.variant_start.append(len(self.variant_steps))
        return len(self.variant_start) - 2

    def add_runs(self, variants: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Add one run of each variant, in order; returns each run's rows ``lo, hi``."""
        start = np.array(self.variant_start, dtype=np.int64)
        sizes = start[variants + 1] - start[variants]
        hi = self.n + np.cumsum(sizes)
        lo = hi - sizes
        self.n = int(hi[-1]) if hi.size else self.n
        self.run_lo.extend(lo.tolist())
        self.run_variant.extend(variants.tolist())
        self.pieces.append((True, variants.tolist()))
        return lo, hi

    def add_block(self, chunk: dict[str, NDArray[Any]], labels: list[str]) -> int:
        """Add rows given as columns (missing fields take the step defaults); returns the index
        of the first."""
        lo = self.n
        self.n += len(labels)
        self.blocks.append((lo, chunk))
        self.pieces.append((False, labels))
        return lo

    def _runs(self, variants: list[int]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """For runs of these variants, one after another: each row's position among them and
        the variant step it copies."""
        start = np.array(self.variant_start, dtype=np.int64)
        var = np.array(variants, dtype=np.int64)
        length = start[var + 1] - start[var]
        offset = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)
        return offset, np.repeat(start[var], length) + offset

    def labels(self) -> list[str]:
        """The words of every row."""
        words = _strings([st.label for st in self.variant_steps])
        out: list[str] = []
        for runs, items in self.pieces:
            out.extend(words[self._runs(items)[1]].tolist() if runs else items)
        return out

    def columns(self) -> tuple[NDArray[np.int64], dict[str, NDArray[Any]]]:
        """``(source, values)``: row ``i``'s field ``f`` is ``values[f][source[i]]``.

        The values hold each distinct block once and each variant's steps once: the table
        repeats them for many kinds of caller, and is never written out in full.
        """
        default = _Step(0.0)
        source = np.empty(self.n, dtype=np.int64)
        distinct: dict[int, int] = {}  # block chunk (by identity) -> its first value row
        chunks: list[tuple[int, dict[str, NDArray[Any]]]] = []
        size = 0
        for lo, chunk in self.blocks:
            rows = len(next(iter(chunk.values())))
            if id(chunk) not in distinct:
                distinct[id(chunk)] = size
                chunks.append((rows, chunk))
                size += rows
            source[lo : lo + rows] = np.arange(distinct[id(chunk)], distinct[id(chunk)] + rows)
        offset, src = self._runs(self.run_variant)
        start = np.array(self.variant_start, dtype=np.int64)
        sizes = start[1:] - start[:-1]
        length = sizes[np.array(self.run_variant, dtype=np.int64)]
        source[np.repeat(np.array(self.run_lo, dtype=np.int64), length) + offset] = size + src
        fields = list(zip(*map(attrgetter(*_STEP_FIELDS), self.variant_steps), strict=True))
        values = {}
        for i, f in enumerate((*_STEP_FIELDS, "next_na")):
            dtype = _COL_TYPES.get(f, np.int64)
            fill = -1 if f == "next_na" else getattr(default, f)
            parts = [
                chunk[f].astype(dtype, copy=False) if f in chunk else np.full(rows, fill, dtype)
                for rows, chunk in chunks
            ]
            if f == "next_na":
                parts.append(np.array(self.variant_next, dtype=dtype))
            else:
                parts.append(np.array(fields[i] if fields else [], dtype=dtype))
            values[f] = np.concatenate(parts)
        return source, values


def _strings(items: list[str]) -> NDArray[np.object_]:
    """A list of str as a 1-d object array (numpy picks from it without copying the text)."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


class _Menus:
    """Every menu's options as flat arrays, to plan all menus at once for one kind of caller."""

    def __init__(self, b: _Builder, node_pos: dict[str, int], width: int) -> None:
        tree = b.tree
        found = [(nid, n) for nid, n in tree.nodes.items() if isinstance(n, Menu)]
        self.ids = [nid for nid, _ in found]
        menus = [m for _, m in found]
        self.node = np.array([node_pos[nid] for nid in self.ids], dtype=np.int64)
        self.n = np.array([len(m.options) for m in menus], dtype=np.int64)
        self.first = np.concatenate([[0], np.cumsum(self.n)[:-1]]).astype(np.int64)
        self.total = np.array([b.timelines[nid][0] for nid in self.ids], dtype=np.float64)
        self.timeout = np.array([m.timeout_s for m in menus], dtype=np.float64)
        self.retries = np.array([m.retries for m in menus], dtype=np.int64)
        self.barge = np.array([m.barge_in for m in menus], dtype=np.bool_)
        self.failure = np.array(
            [-1 if m.on_failure is None else node_pos[m.on_failure] * width for m in menus],
            dtype=np.int64,
        )
        self.opt_menu = np.repeat(np.arange(len(self.ids)), self.n)
        self.opt_end = np.array(
            [e for nid in self.ids for e in b.timelines[nid][1]], dtype=float
        ).reshape(-1)
        targets = [o.next for m in menus for o in m.options.values()]
        self.opt_target = np.array([node_pos[t] for t in targets], dtype=np.int64)
        self.opt_self = self.opt_target == self.node[self.opt_menu]
        # task options: not 0 to a person, not * or #, not a replay of the menu itself
        keys = [k for m in menus for k in m.options]
        zero_to_human = np.array(
            [k == "0" and leads_to_human(tree, t) for k, t in zip(keys, targets, strict=True)],
            dtype=bool,
        )
        self.is_task = ~self.opt_self & ~zero_to_human & ~np.isin(np.array(keys), ["*", "#"])
        self.n_task = np.bincount(
            self.opt_menu, weights=self.is_task, minlength=len(self.ids)
        ).astype(np.int64)
        self.task_end = self.total.copy()
        has_task = self.n_task > 0
        last_task = np.zeros(len(self.ids))
        np.maximum.at(last_task, self.opt_menu[self.is_task], self.opt_end[self.is_task])
        self.task_end[has_task] = last_task[has_task]
        self.zero = np.full(len(self.ids), -1, dtype=np.int64)
        # what a caller who wants a person presses: the zero-out, else an option whose words
        # offer a person and lead to one, else key 0 whatever it does, else 0 anyway (invalid)
        self.person = np.full(len(self.ids), _TRY_ZERO, dtype=np.int64)
        pressed: list[str] = []
        mistaken: list[str] = []
        for m, (nid, menu) in enumerate(zip(self.ids, menus, strict=True)):
            keys = list(menu.options)
            zero = b.zero_keys[nid]
            if zero:
                self.zero[m] = keys.index(zero[0])
                self.person[m] = self.zero[m]
            else:
                offers = [
                    i
                    for i, o in enumerate(menu.options.values())
                    if o.next != nid and offers_person(o) and leads_to_human(tree, o.next)
                ]
                if offers:
                    self.person[m] = offers[0]
                elif "0" in menu.options:
                    self.person[m] = keys.index("0")
            pressed += [f"pressed {k} at {nid}" for k in keys]
            mistaken += [f"mistakenly pressed {k} at {nid}" for k in keys]
        # the words of each step, as arrays of str objects to pick from with numpy
        self.labels = (_strings(pressed), _strings(mistaken))
        self.found_none = _strings([f"found no option at {nid}" for nid in self.ids])
        self.tried_zero = _strings(
            [f"pressed 0 at {nid}, which offers no person" for nid in self.ids]
        )
        # the option each task's callers pick by what the options promise (-1: none promises it)
        chosen = chosen_options(tree)
        key_pos = [{k: i for i, k in enumerate(menu.options)} for menu in menus]
        self.promised = np.full((len(tree.task_names), len(self.ids)), -1, dtype=np.int64)
        for ti, task in enumerate(tree.task_names):
            for m, nid in enumerate(self.ids):
                key = chosen.get((nid, task))
                if key is not None:
                    self.promised[ti, m] = key_pos[m][key]

    def desired(
        self, cost: NDArray[np.float64], response_s: float, zo: bool, task: int
    ) -> NDArray[np.int64]:
        """Per menu, the option index a caller aims for (-1: none fits; ``_TRY_ZERO``: a caller
        who wants a person presses 0 where no option offers one).

        A caller who wants a person takes the option that offers one. Others take the option
        that promises their task (:mod:`ivrscore.promises`); where none does, the option whose
        path serves the task best, else the zero-out.
        """
        if zo:
            person: NDArray[np.int64] = self.person.copy()
            return person
        c = cost[self.opt_target] + self.opt_end + response_s
        c[~self.is_task | ~np.isfinite(cost[self.opt_target])] = np.inf  # 0 is a last resort
        order = np.lexsort((np.arange(c.size), c, self.opt_menu))  # by menu, cost, position
        firsts = order[np.searchsorted(self.opt_menu[order], np.arange(len(self.ids)))]
        best = np.where(np.isfinite(c[firsts]), firsts - self.first, -1)
        by_structure = np.where(best >= 0, best, self.zero)
        out: NDArray[np.int64] = np.where(
            self.promised[task] >= 0, self.promised[task], by_structure
        )
        return out

    def block(
        self, desired: NDArray[np.int64], attempt: int, persona: Persona, width: int
    ) -> tuple[NDArray[np.int64], dict[str, NDArray[Any]], list[str]]:
        """Steps of every menu that has this attempt: ``(menu of each row, columns, labels)``."""
        live = self.retries >= attempt
        enter = 1 if attempt == 0 else 0
        # menus whose caller finds no option: one step, silence (or key 0, which is not an
        # option, for a caller who wants a person), then a replay or on_failure
        none = live & (desired < 0)
        m_none = np.flatnonzero(none)
        tried = desired[m_none] == _TRY_ZERO
        retry = attempt < self.retries[m_none]
        nxt_none = np.where(retry, self.node[m_none] * width + attempt + 1, self.failure[m_none])
        wait_none = np.where(tried, persona.response_s, self.timeout[m_none])
        # menus with a choice: per option, a barge-in row and a heard-everything row
        has = live & (desired >= 0)
        o = np.flatnonzero(has[self.opt_menu])
        om = self.opt_menu[o]
        # a caller aiming for a task option may press another task option instead (more likely
        # the more task options there are); one aiming for 0, * or # presses it
        n_task = self.n_task[om]
        errors = [persona.choice_error_at(int(k)) for k in range(int(self.n.max()) + 1)]
        p_err = np.array(errors)[n_task]
        is_desired = (o - self.first[om]) == desired[om]
        aims_task = self.is_task[self.first[om] + np.maximum(desired[om], 0)]
        p = np.where(
            is_desired,
            np.where(aims_task, 1.0 - p_err, 1.0),
            np.where(aims_task & self.is_task[o], p_err / np.maximum(n_task - 1, 1), 0.0),
        )
        barge = np.where(self.barge[om], persona.barge_in, 0.0)
        rows_o = np.repeat(o, 2)
        rows_m = np.repeat(om, 2)
        heard_all = np.tile([False, True], o.size)
        prob = np.repeat(p, 2) * np.where(heard_all, 1.0 - np.repeat(barge, 2), np.repeat(barge, 2))
        keep = prob > 0
        rows_o, rows_m, heard_all, prob = rows_o[keep], rows_m[keep], heard_all[keep], prob[keep]
        # a caller who waits for every option presses once the last task option is spoken
        # (the zero-out, repeat and back keys after it do not hold them up)
        aims_row = self.is_task[self.first[rows_m] + np.maximum(desired[rows_m], 0)]
        full = np.where(aims_row, self.task_end[rows_m], self.total[rows_m])
        fixed = np.where(heard_all, full, self.opt_end[rows_o]) + persona.response_s
        heard = np.where(heard_all, self.n[rows_m], rows_o - self.first[rows_m] + 1)
        # merge both kinds of rows in menu order (a menu has one kind or the other)
        menu_of = np.concatenate([m_none, rows_m])
        order = np.argsort(menu_of, kind="stable")
        cols = {
            "prob": np.concatenate([np.ones(m_none.size), prob])[order],
            "fixed": np.concatenate([self.total[m_none] + wait_none, fixed])[order],
            "menus": np.full(order.size, enter, dtype=np.int64),
            "options": np.concatenate([self.n[m_none], heard])[order],
            "keys": np.concatenate([tried.astype(np.int64), np.ones(rows_o.size, np.int64)])[order],
            "next_na": np.concatenate([nxt_none, self.opt_target[rows_o] * width])[order],
        }
        cols["outcome"] = np.where(cols["next_na"] < 0, DISCONNECTED, -1)
        took = rows_o - self.first[rows_m]
        ev_opt = np.where(
            took != desired[rows_m],
            EV_MISTAKE,
            np.where(
                (took == self.zero[rows_m]) | (took == self.person[rows_m]), EV_ZERO, EV_OPTION
            ),
        )
        ev_none = np.where(retry, EV_RETRY, np.where(tried, EV_ZERO_REFUSED, EV_FAILURE))
        cols["event"] = np.concatenate([ev_none, ev_opt]).astype(np.int64)[order]
        pressed, mistaken = self.labels
        desired_row = (rows_o - self.first[rows_m]) == desired[rows_m]
        labels = np.concatenate(
            [
                np.where(tried, self.tried_zero[m_none], self.found_none[m_none]),
                np.where(desired_row, pressed[rows_o], mistaken[rows_o]),
            ]
        )
        return menu_of[order], cols, labels[order].tolist()


MAX_CELLS = 8_000_000
"""The most (kind of call x node x attempt) places the step tables are built for: about 2.5
times a 10,000-node tree with 80 kinds of call, which compiles in about 3 s of CPU and 1 GB.
The tables grow with this product, so a larger tree is refused (:class:`TooLargeError`) in one
line instead of running for minutes and several gigabytes."""


class TooLargeError(IvrscoreError):
    """A tree has too many nodes for its kinds of call to compile (see :data:`MAX_CELLS`)."""


def _width(tree: PhoneTree) -> int:
    """Attempts numbered per node: one more than the most retries, and one spare."""
    return 2 + max((getattr(n, "retries", 0) for n in tree.nodes.values()), default=0)


def _chains(tree: PhoneTree, pats: list[Any]) -> list[Chain]:
    """Every kind of call with a share of the calls (``start`` still unknown)."""
    personas = tree.personas
    shares = tree.task_shares()
    p_shares = np.array([p.share for p in personas], dtype=float)
    p_shares = p_shares / p_shares.sum()
    chains: list[Chain] = []
    for ti, _task in enumerate(tree.task_names):
        for pi, persona in enumerate(personas):
            for zo in (False, True):
                p_zo = persona.wants_human if zo else 1.0 - persona.wants_human
                if p_zo <= 0:
                    continue
                for ki, pat in enumerate(pats):
                    weight = float(shares[ti] * p_shares[pi] * p_zo * pat.calls)
                    if weight > 0:
                        chains.append(Chain(ti, pi, zo, ki, weight, -1))
    return chains


def _check_size(tree: PhoneTree, n_chains: int, width: int) -> None:
    cells = n_chains * (len(tree.nodes) + 1) * width
    if cells > MAX_CELLS:
        raise TooLargeError(
            f"tree {tree.name!r} is too large to compile: {len(tree.nodes):,} nodes x "
            f"{n_chains} kinds of call (tasks x personas x zero-out habit x opening-hours "
            f"patterns) x {width} attempts is {cells:,} places, over the {MAX_CELLS:,} this "
            "version handles; split the tree into its sub-menus, or give fewer tasks"
        )


def check_size(tree: PhoneTree) -> None:
    """Raise :class:`TooLargeError` if :func:`compile_tree` would refuse ``tree`` (cheap: it
    counts, without compiling)."""
    _check_size(tree, len(_chains(tree, patterns(tree))), _width(tree))


def compile_tree(tree: PhoneTree) -> Compiled:
    """Compile a tree's callers into step tables (every task, persona, zero-out habit and
    time-of-week pattern).

    The steps of every (node, attempt) are computed once for each kind of caller they depend
    on - menus for all menus at once with numpy - and shared between chains. Then every
    chain's states are enumerated from the entry, breadth first, all chains together, a whole
    level at a time: a state is ``(chain, node and attempt, data given, flags)``.
    """
    pats = patterns(tree)
    chains = _chains(tree, pats)
    width = _width(tree)
    _check_size(tree, len(chains), width)
    b = _Builder(tree)
    personas = tree.personas
    task_names = tree.task_names  # (a property that builds the tuple: read it once)
    node_ids = [*tree.nodes, IMPLICIT_HANGUP]
    node_pos = {n: i for i, n in enumerate(node_ids)}
    n_na = len(node_ids) * width
    na_node = np.repeat(np.arange(len(node_ids), dtype=np.int64), width)
    is_agent = np.array([tree.nodes[n].type == "agent" for n in tree.nodes] + [False])
    na_agent = is_agent[na_node]
    if len(b.data_index) > 62:
        raise IvrscoreError(
            f"{len(b.data_index)} different data items are collected or asked for; "
            "ivrscore handles up to 62"
        )

    def na_of(nid: str, attempt: int) -> int:
        pos = node_pos.get(nid)
        if pos is None:  # a tree built without validation (model_construct) can point nowhere
            raise IvrscoreError(
                f"node '{nid}' is a target but not a node of the tree; build trees with "
                "ivr.load, ivr.loads or PhoneTree.model_validate, which check every target"
            )
        return pos * width + attempt

    # -- the steps of every (node, attempt) for every chain --------------------------------------
    table = _StepTable()
    step_lo = np.full((len(chains), n_na), -1, dtype=np.int64)
    step_hi = np.full((len(chains), n_na), -1, dtype=np.int64)
    menus = _Menus(b, node_pos, width)
    if menus.ids:
        by_kind: dict[tuple[int, int, bool], list[int]] = {}
        for ci, ch in enumerate(chains):
            by_kind.setdefault((ch.task, ch.persona, ch.zero_outer), []).append(ci)
        # a block depends on the kind of caller only through the options they aim for and
        # their persona (callers who want a person aim the same way whatever their task)
        planned: dict[tuple[bytes, int, int], tuple[Any, ...]] = {}
        for (ti, pi, zo), cis in by_kind.items():
            cost = np.full(len(node_ids), np.inf)
            if not zo:
                for nid, c in b.cost[task_names[ti]].items():
                    cost[node_pos[nid]] = c
            persona = personas[pi]
            desired = menus.desired(cost, persona.response_s, zo, ti)
            rows = np.array(cis, dtype=np.int64)
            for attempt in range(int(menus.retries.max()) + 1):
                plan = (desired.tobytes(), attempt, pi)
                if plan not in planned:
                    menu_of, cols, labels = menus.block(desired, attempt, persona, width)
                    first = np.searchsorted(menu_of, np.arange(len(menus.ids)))
                    last = np.searchsorted(menu_of, np.arange(len(menus.ids)), side="right")
                    live = last > first
                    planned[plan] = (cols, labels, first[live], last[live], live)
                cols, labels, first, last, live = planned[plan]
                lo = table.add_block(cols, labels)
                na = menus.node[live] * width + attempt
                grid = (rows[:, None], na[None, :])  # np.ix_ without its checks (per kind)
                step_lo[grid] = lo + first
                step_hi[grid] = lo + last
    # other nodes: their steps depend on some of (task, persona, zero-out, pattern) only
    groups: dict[str, dict[tuple[Any, ...], list[int]]] = {}
    for dep in {b.dependence(nid) for nid in node_ids}:
        g: dict[tuple[Any, ...], list[int]] = groups.setdefault(dep, {})
        for ci, ch in enumerate(chains):
            kind = {"t": ch.task, "p": ch.persona, "z": ch.zero_outer, "k": ch.pattern}
            g.setdefault(tuple(kind[c] for c in dep), []).append(ci)
    group_rows = {
        dep: [np.array(cis, dtype=np.int64) for cis in g.values()] for dep, g in groups.items()
    }
    # every (node, attempt, group of chains) gets a run of steps, node by node; a run repeats
    # a variant (see _StepTable), set for all chains of its group below
    group_start: dict[str, int] = {}  # groups numbered dep by dep
    members: list[NDArray[np.int64]] = []
    for dep, rs in group_rows.items():
        group_start[dep] = len(members)
        members.extend(rs)
    representative = {dep: [chains[int(r[0])] for r in rs] for dep, rs in group_rows.items()}
    run_variant: list[int] = []
    run_group: list[int] = []
    run_na: list[int] = []
    for nid in node_ids:
        node = tree.nodes.get(nid)
        if isinstance(node, Menu):
            continue
        attempts = node.retries + 1 if isinstance(node, Input) else 1
        dep = b.dependence(nid)
        reps = representative[dep]
        first_group = group_start[dep]
        base = na_of(nid, 0)
        if isinstance(node, Agent | SelfService):
            # an agent's or a service's steps depend on the task only through whether it
            # helps: the steps of a task it helps (or does not) are the same for every such task
            handles = set(node.handles)
            helps = [task_names[ch.task] in handles for ch in reps]
            shared: dict[bool, int] = {}
            for h, ch in zip(helps, reps, strict=True):
                if h not in shared:
                    steps = b.steps(
                        nid, 0, task_names[ch.task], personas[ch.persona], ch.zero_outer,
                        pats[ch.pattern].open,
                    )  # fmt: skip
                    shared[h] = table.variant(steps, na_of)
            run_variant.extend([shared[h] for h in helps])
            run_group.extend(range(first_group, first_group + len(reps)))
            run_na.extend([base] * len(reps))
            continue
        for gi, ch in enumerate(reps):
            for attempt in range(attempts):
                steps = b.steps(
                    nid, attempt, task_names[ch.task], personas[ch.persona], ch.zero_outer,
                    pats[ch.pattern].open,
                )  # fmt: skip
                run_variant.append(table.variant(steps, na_of))
                run_group.append(first_group + gi)
                run_na.append(base + attempt)
    lo_of, hi_of = table.add_runs(np.array(run_variant, dtype=np.int64))
    group_of = np.array(run_group, dtype=np.int64)
    na_of_run = np.array(run_na, dtype=np.int64)
    order = np.argsort(group_of, kind="stable")
    bounds = np.searchsorted(group_of[order], np.arange(len(members) + 1))
    for gid, rows_of in enumerate(members):
        sel = order[bounds[gid] : bounds[gid + 1]]
        grid = (rows_of[:, None], na_of_run[sel][None, :])  # np.ix_ without its checks
        step_lo[grid] = lo_of[sel]
        step_hi[grid] = hi_of[sel]
    source, scol = table.columns()

    # -- every chain's states, breadth first -----------------------------------------------------
    # A state is packed into one integer key: (chain, node and attempt, data given, flags).
    d_bits = max(1, len(b.data_index))
    na_bits = max(1, int(n_na - 1).bit_length())
    c_bits = max(1, int(len(chains) - 1).bit_length())
    key_type: Any = np.int64 if c_bits + na_bits + d_bits + 3 <= 63 else object

    def pack(chain: Any, na: Any, data: Any, flags: Any) -> Any:
        k = chain.astype(key_type) << (na_bits + d_bits + 3)
        return k | (na.astype(key_type) << (d_bits + 3)) | (data.astype(key_type) << 3) | flags

    start_na = na_of(tree.entry, 0)
    start_flags = 4 if na_agent[start_na] else 0  # flag bits: repeated 1, closed 2, human 4
    f_id = np.arange(len(chains), dtype=np.int64)
    f_chain = f_id.copy()
    f_na = np.full(len(chains), start_na, dtype=np.int64)
    f_data = np.zeros(len(chains), dtype=np.int64)
    f_flags = np.full(len(chains), start_flags, dtype=np.int64)
    seen_keys = pack(f_chain, f_na, f_data, f_flags)  # sorted, as chain is the top field
    seen_ids = f_id.copy()
    n_states = len(chains)
    parts: dict[str, list[NDArray[Any]]] = {
        k: [] for k in ("chain", "na", "flags", "a_state", "a_step", "a_next", "a_repeat")
    }
    while f_id.size:
        parts["chain"].append(f_chain)
        parts["na"].append(f_na)
        parts["flags"].append(f_flags)
        lo, hi = step_lo[f_chain, f_na], step_hi[f_chain, f_na]
        counts = hi - lo
        owner = np.repeat(np.arange(f_id.size), counts)
        step = lo[owner] + np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
        data, flags = f_data[owner], f_flags[owner]
        srow = source[step]
        again = (data & scol["again"][srow]) != 0
        repeated = (flags & 1) != 0
        nxt = scol["next_na"][srow]
        n_data = data | scol["data_or"][srow]
        n_flags = (
            (repeated | (again & scol["propagate"][srow])).astype(np.int64)
            | ((((flags & 2) != 0) | scol["closed_now"][srow]).astype(np.int64) << 1)
            | ((((flags & 4) != 0) | na_agent[np.maximum(nxt, 0)]).astype(np.int64) << 2)
        )
        go = np.flatnonzero(nxt >= 0)
        g_chain = f_chain[owner[go]]
        keys = pack(g_chain, nxt[go], n_data[go], n_flags[go])
        uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        at = np.searchsorted(seen_keys, uniq)
        known = at < seen_keys.size
        known[known] = seen_keys[at[known]] == uniq[known]
        uniq_ids = np.empty(uniq.size, dtype=np.int64)
        uniq_ids[known] = seen_ids[at[known]]
        fresh = np.flatnonzero(~known)
        # new states in the order their first alternative was found (stable numbering)
        fresh = fresh[np.argsort(first[fresh], kind="stable")]
        uniq_ids[fresh] = np.arange(n_states, n_states + fresh.size)
        n_states += fresh.size
        # insert the new keys into the sorted ones (a merge, not a sort of everything again)
        add = np.sort(fresh)  # uniq is sorted, so uniq[add] is too
        at_new = np.searchsorted(seen_keys, uniq[add])
        seen_keys = np.insert(seen_keys, at_new, uniq[add])
        seen_ids = np.insert(seen_ids, at_new, uniq_ids[add])
        target = np.full(step.size, -1, dtype=np.int64)
        target[go] = uniq_ids[inverse.reshape(-1)]
        parts["a_state"].append(f_id[owner])
        parts["a_step"].append(step)
        parts["a_next"].append(target)
        parts["a_repeat"].append(again & ~repeated)
        src = go[first[fresh]]
        f_chain, f_na = g_chain[first[fresh]], nxt[src]
        f_data, f_flags = n_data[src], n_flags[src]
        f_id = uniq_ids[fresh]

    # -- number each chain's states contiguously, in the order they were found ------------------
    st_chain = np.concatenate(parts["chain"])
    renumber = np.empty(n_states, dtype=np.int64)
    order = np.argsort(st_chain, kind="stable")
    renumber[order] = np.arange(n_states)
    st_chain = st_chain[order]
    st_na = np.concatenate(parts["na"])[order]
    st_flags = np.concatenate(parts["flags"])[order]
    chains = [
        Chain(c.task, c.persona, c.zero_outer, c.pattern, c.weight, int(renumber[ci]))
        for ci, c in enumerate(chains)
    ]
    rows = renumber[np.concatenate(parts["a_state"])]
    perm = np.argsort(rows, kind="stable")  # group every state's alternatives together
    alt_state = rows[perm]
    step = np.concatenate(parts["a_step"])[perm]
    raw_next = np.concatenate(parts["a_next"])[perm]
    alt_next = np.where(raw_next >= 0, renumber[np.maximum(raw_next, 0)], -1)
    alt_start = np.searchsorted(alt_state, np.arange(n_states + 1)).astype(np.int64)
    srow = source[step]
    compiled = Compiled(
        tree=tree,
        node_ids=node_ids,
        task_names=tree.task_names,
        personas=personas,
        patterns=[p.open for p in pats],
        pattern_calls=[p.calls for p in pats],
        chains=chains,
        state_chain=st_chain,
        state_node=na_node[st_na],
        state_repeated=(st_flags & 1) != 0,
        state_closed=(st_flags & 2) != 0,
        state_human=(st_flags & 4) != 0,
        alt_start=alt_start,
        alt_state=alt_state,
        alt_prob=scol["prob"][srow],
        alt_fixed=scol["fixed"][srow],
        alt_kind=scol["kind"][srow],
        alt_a=scol["a"][srow],
        alt_b=scol["b"][srow],
        alt_patience=scol["patience"][srow],
        alt_next=alt_next,
        alt_outcome=scol["outcome"][srow],
        alt_menus=scol["menus"][srow],
        alt_identity=scol["identity"][srow],
        alt_repeat=np.concatenate(parts["a_repeat"])[perm],
        alt_options=scol["options"][srow],
        alt_keys=scol["keys"][srow],
        alt_transfers=scol["transfers"][srow],
        alt_closed=scol["closed"][srow],
        alt_human=np.zeros(alt_state.size, dtype=bool),
        alt_step=step,
        alt_event=scol["event"][srow],
        step_labels=table.labels(),
        queues=b.queues,
        queue_rates=b.queue_rates,
        slots=b.slots,
    )
    has_next = alt_next >= 0
    compiled.alt_human[has_next] = (
        compiled.state_human[alt_next[has_next]] & ~compiled.state_human[alt_state[has_next]]
    )
    return compiled
