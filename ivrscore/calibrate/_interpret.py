"""One call's events, read against the tree: where the caller went and what they did.

:func:`interpret` walks a call's events (the vocabulary of :data:`~._events.EVENTS`) through a
:class:`~._mapping.TreeMap` and returns :class:`Facts`: the nodes visited, the keys pressed at
each menu (inferred from where the caller went next when the log does not record keys), data
entry attempts, queue waits, services, the time the caller's patience was running, the outcome,
and everything that does not fit the tree (ids it does not have, moves it does not allow).

Patience follows the caller model: it runs while the caller is not yet being helped - in
messages, menus, inputs, branches, queues, and self-service that does not resolve the call - and
pauses while a person or a resolving self-service node helps them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from ._events import Call, Event
from ._mapping import PATIENCE_TYPES, TreeMap

__all__ = ["ABANDONED", "ANSWERED", "LEFT", "Facts", "interpret"]

ANSWERED, ABANDONED, LEFT = 0, 1, 2
"""How a queue wait ended: answered by a person, the caller hung up, the caller left the queue
another way (a timeout, a callback, a key)."""


@dataclass(slots=True)
class Facts:
    """What one call did, in the tree's terms."""

    start: float
    task: str | None = None
    task_raw: str = ""
    outcome: str = ""
    ended_at: str = ""
    exposure: float = 0.0
    abandoned: bool = False
    visits: list[str] = field(default_factory=list)
    choices: list[tuple[str, str, int, bool]] = field(default_factory=list)
    """``(menu or input, key, attempt, inferred)``; key ``""`` is silence, ``"?"`` unknown."""
    invalid: list[tuple[str, str]] = field(default_factory=list)
    inputs: list[tuple[str, int, bool]] = field(default_factory=list)
    queues: list[tuple[str, float, float, int]] = field(default_factory=list)
    """``(queue, entered at, seconds waited, ANSWERED | ABANDONED | LEFT)``."""
    services: list[tuple[str, str, float, float]] = field(default_factory=list)
    """``(agent node or "", agent name or "", started at, seconds)``."""
    unmapped: list[str] = field(default_factory=list)
    off_tree: list[tuple[str, str]] = field(default_factory=list)
    resolved_at: str = ""
    declined: list[str] = field(default_factory=list)
    """Agents that transferred the caller and self-service nodes passed through unresolved."""
    complete: bool = False


class _Walk:
    __slots__ = (
        "attempt",
        "cur",
        "f",
        "key_seen",
        "m",
        "prev",
        "q",
        "running",
        "self_pending",
        "svc",
        "t",
    )

    def __init__(self, m: TreeMap, start: float) -> None:
        self.m = m
        self.f = Facts(start=start)
        self.cur: str | None = None
        self.prev: str | None = None
        self.t = start
        self.running = True
        self.self_pending = 0.0
        self.attempt = 0
        self.key_seen = False
        self.q: tuple[str, float] | None = None
        self.svc: list[object] | None = None

    # -- time -----------------------------------------------------------------------------------

    def advance(self, t: float) -> None:
        dt = t - self.t
        if dt > 0:
            if self.running:
                if self.cur is not None and self.m.types[self.cur] == "self_service":
                    self.self_pending += dt
                else:
                    self.f.exposure += dt
            self.t = t

    # -- moves ----------------------------------------------------------------------------------

    def node_of(self, ev: Event) -> str | None:
        if not ev.node:
            return self.cur
        nid = self.m.node(ev.node)
        if nid is None:
            self.f.unmapped.append(ev.node)
        return nid

    def leave(self, t: float, to: str | None) -> None:
        """Close what the current node had open before moving on to ``to``."""
        cur, m, f = self.cur, self.m, self.f
        if cur is None:
            return
        kind = m.types[cur]
        if kind == "menu" and not self.key_seen and to is not None:
            key = m.key_to(cur, to)
            f.choices.append((cur, key or "?", self.attempt, True))
        elif kind == "self_service":
            f.declined.append(cur)
            f.exposure += self.self_pending
            self.self_pending = 0.0
        elif kind == "agent":
            if self.svc is not None:
                self.end_service(t)
            f.declined.append(cur)
        if self.q is not None and kind == "queue":
            q, t0 = self.q
            f.queues.append((q, t0, t - t0, LEFT))
            self.q = None

    def enter(self, ev: Event) -> None:
        self.advance(ev.t)
        if not ev.node:
            return
        nid = self.m.node(ev.node)
        if nid is None:
            # A step the tree does not have (a platform's pass-through block, a queue named
            # otherwise): as far as the tree knows the caller is still where they were.
            self.f.unmapped.append(ev.node)
            return
        if nid == self.cur and not (self.key_seen and self.m.types[nid] == "menu"):
            return  # the same node logged again (or a replay): not a new visit
        self.leave(ev.t, nid)
        self.arrive(nid, ev.t)

    def left_queue(self, ev: Event) -> None:
        """The caller left a queue unanswered and without hanging up (a timeout, a key)."""
        self.advance(ev.t)
        if self.q is not None:
            q, t0 = self.q
            self.f.queues.append((q, t0, ev.t - t0, LEFT))
            self.q = None

    def arrive(self, nid: str, t: float) -> None:
        m, f = self.m, self.f
        if self.prev is not None and not m.on_tree(self.prev, nid):
            f.off_tree.append((self.prev, nid))
        f.visits.append(nid)
        self.prev = self.cur = nid
        self.attempt = 0
        self.key_seen = False
        kind = m.types[nid]
        self.running = kind in PATIENCE_TYPES
        if kind == "queue":
            self.q = (nid, t)
        elif kind == "agent" and self.svc is None:
            self.svc = [nid, "", t]

    # -- what the caller did at a node ---------------------------------------------------------

    def at(self, ev: Event) -> tuple[str, str] | None:
        """Advance to the event; ``(node, type)`` it happened at, or ``None`` if unmapped."""
        self.advance(ev.t)
        nid = self.node_of(ev)
        return None if nid is None else (nid, self.m.types[nid])

    def key(self, ev: Event) -> None:
        where = self.at(ev)
        if where is None:
            return
        nid, kind = where
        if kind == "menu":
            menu = self.m.menu(nid)
            assert menu is not None
            if ev.key in menu.options:
                self.f.choices.append((nid, ev.key, self.attempt, False))
                self.key_seen = True
            else:
                self.f.invalid.append((nid, ev.key))
                self.attempt += 1
        elif kind == "input" and ev.key == "0" and self.m.zero_out(nid):
            self.f.choices.append((nid, "0", self.attempt, False))
            self.key_seen = True

    def silence(self, ev: Event, invalid: bool) -> None:
        where = self.at(ev)
        if where is None:
            return
        nid, kind = where
        if kind == "menu":
            if invalid:
                self.f.invalid.append((nid, ev.key or "?"))
            else:
                self.f.choices.append((nid, "", self.attempt, False))
            self.attempt += 1
        elif kind == "input":
            self.f.inputs.append((nid, self.attempt, False))
            self.attempt += 1

    def entry(self, ev: Event, ok: bool) -> None:
        where = self.at(ev)
        if where is None or where[1] != "input":
            return
        self.f.inputs.append((where[0], self.attempt, ok))
        if ok:
            self.key_seen = True
        else:
            self.attempt += 1

    def answer(self, ev: Event) -> None:
        self.advance(ev.t)
        m, f = self.m, self.f
        target = m.node(ev.node) if ev.node else None
        if ev.node and target is None:
            f.unmapped.append(ev.node)
        agent: str | None = None
        if target is not None and m.types[target] == "queue":
            agent = m.answered_by(target)
            if (self.q is None or self.q[0] != target) and self.cur != target:
                self.leave(ev.t, target)  # answered at a queue the log did not enter
                self.arrive(target, ev.t)
        elif target is not None and m.types[target] == "agent":
            agent = target
        elif self.cur is not None and m.types[self.cur] == "queue":
            agent = m.answered_by(self.cur)
        if self.q is not None:
            q, t0 = self.q
            f.queues.append((q, t0, ev.t - t0, ANSWERED))
            self.q = None
        if self.svc is not None:
            self.end_service(ev.t)
        if agent is not None and agent != self.cur:
            if self.cur is not None and m.types[self.cur] != "queue":
                self.leave(ev.t, agent)
            self.arrive(agent, ev.t)
        self.svc = [agent or "", ev.agent, ev.t]
        self.running = False

    def end_service(self, t: float) -> None:
        assert self.svc is not None
        node, who, t0 = self.svc
        self.f.services.append((str(node), str(who), float(t0), t - float(t0)))  # type: ignore[arg-type]
        self.svc = None

    def transfer(self, ev: Event) -> None:
        self.advance(ev.t)
        if self.svc is not None:
            self.end_service(ev.t)
        if self.cur is not None and self.m.types[self.cur] == "agent":
            self.f.declined.append(self.cur)
            self.cur = None  # the caller is between nodes until the next one is entered
        self.running = True

    def finish(self, ev: Event, outcome: str) -> None:
        self.advance(ev.t)
        m, f = self.m, self.f
        if not outcome:
            outcome = self.guess_outcome()
        if self.q is not None:
            q, t0 = self.q
            f.queues.append((q, t0, ev.t - t0, ABANDONED if outcome == "abandoned" else LEFT))
            self.q = None
        served_by = str(self.svc[0]) if self.svc is not None else ""
        if self.svc is not None:
            self.end_service(ev.t)
        if outcome == "resolved_self_service":
            f.resolved_at = self.cur or ""
        else:
            f.exposure += self.self_pending
            if outcome == "abandoned" and self.cur and m.types[self.cur] == "self_service":
                # a caller it resolves is helped, not waiting: one who hangs up here has a task
                # this node does not handle
                f.declined.append(self.cur)
        self.self_pending = 0.0
        if outcome == "resolved_by_agent":
            f.resolved_at = served_by or (
                self.cur if self.cur and m.types[self.cur] == "agent" else ""
            )
        elif outcome == "disconnected" and self.cur and m.types[self.cur] == "agent":
            f.declined.append(self.cur)  # the person could not help
        f.outcome = outcome
        f.abandoned = outcome == "abandoned"
        f.ended_at = self.cur or (ev.node if ev.node else "")
        f.complete = True

    def guess_outcome(self) -> str:
        """The outcome of a call whose end the log does not explain (see the generic format)."""
        if self.svc is not None and self.svc[0]:
            return "resolved_by_agent"
        cur = self.cur
        if cur is None:
            return "resolved_by_agent" if self.svc is not None else "abandoned"
        kind = self.m.types[cur]
        if kind == "agent":
            return "resolved_by_agent"
        if kind == "self_service":
            return "resolved_self_service"
        if kind in ("voicemail", "callback"):
            return kind
        if kind == "hangup" or (self.m.ends_without_next(cur) and kind == "message"):
            return "disconnected"
        return "abandoned"


def interpret(call: Call, m: TreeMap) -> Facts:
    """Read one call against the tree (see the module notes)."""
    events = call.events
    if any(b.t < a.t for a, b in pairwise(events)):
        events = sorted(events, key=lambda e: e.t)
    starts = [e.t for e in events if e.kind == "start"]
    w = _Walk(m, min(starts) if starts else events[0].t)
    if call.task:
        w.f.task_raw = call.task
        w.f.task = m.task(call.task)
    for ev in events:
        kind = ev.kind
        if kind == "enter":
            w.enter(ev)
        elif kind == "key":
            w.key(ev)
        elif kind == "no_input":
            w.silence(ev, invalid=False)
        elif kind == "invalid":
            w.silence(ev, invalid=True)
        elif kind == "input":
            w.entry(ev, ok=True)
        elif kind == "input_failed":
            w.entry(ev, ok=False)
        elif kind == "answer":
            w.answer(ev)
        elif kind == "transfer":
            w.transfer(ev)
        elif kind == "leave":
            w.left_queue(ev)
        elif kind == "abandon":
            w.finish(ev, "abandoned")
            break
        elif kind == "end":
            w.finish(ev, ev.outcome)
            break
    if not w.f.complete:
        # the log stops without saying how the call ended: what was running is censored here
        w.advance(events[-1].t)
        if w.q is not None:
            q, t0 = w.q
            w.f.queues.append((q, t0, events[-1].t - t0, LEFT))
        if w.svc is not None:
            w.end_service(events[-1].t)
        w.f.exposure += w.self_pending
        w.f.ended_at = w.cur or ""
    return w.f
