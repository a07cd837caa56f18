"""IVR5xx: service. Closed departments, transfers and queues."""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from ...graph import mean_patience_s
from ...model.nodes import Agent, Branch, Input, Menu, Message, Queue, SelfService
from ...model.staffing import roster_by_hour
from ...promises import chosen_options
from .._context import Context, short
from .._registry import Hit, rule


@rule(
    code="IVR501",
    slug="closed-dead-end",
    severity="error",
    laws=(3, 8, 9),
    fix="When closed, offer a callback, voicemail, self-service or another way on (`on_closed: "
    "book_callback`), not just the opening hours and goodbye.",
    bad="""
    faults_queue: {type: queue, open: office, on_closed: not_taking_calls, next: faults_agent}
    not_taking_calls:
      type: hangup
      prompt: "I'm sorry, that department is not taking calls. Goodbye."
    """,
    good="""
    faults_queue: {type: queue, open: office, on_closed: book_callback, next: faults_agent}
    book_callback:
      type: callback
      prompt: "We're closed. We'll call you back when we open at eight."
    """,
)
def closed_dead_end(ctx: Context) -> Iterator[Hit]:
    """A closed branch that only says goodbye: no callback, voicemail or other way on (or a
    queue with opening hours and nowhere to go when closed).

    "When a human is not available, callers should be offered the option to be called back. If
    24 hour service is not available, the caller should be able to leave a message" (GetHuman
    v1.0 #4); Lewis 2011 (via acixd): "offer a callback option (if the call center isn't
    open)". The essays' "I'm sorry, that department is not taking calls, goodbye" (law 3).
    """
    for nid, node in ctx.queues():
        if node.open is None:
            continue
        if node.on_closed is None:
            yield Hit(
                nid,
                f"when {node.open} is closed, callers reaching {nid} have nowhere to go: the "
                "call just ends",
            )
        elif ctx.only_goodbye(node.on_closed):
            yield Hit(
                nid,
                f"when {node.open} is closed, {ctx.caller_with(nid)} reaching {nid} "
                f"{ctx.goodbye_words(node.on_closed)}",
            )
    for nid, branch in ctx.nodes("branch"):
        assert isinstance(branch, Branch)
        for target, d in ctx.flow.out[nid]:
            if d["event"] == "closed" and ctx.only_goodbye(target):
                schedules = ", ".join(
                    c.open or c.closed or "" for c in branch.when if c.open or c.closed
                )
                yield Hit(
                    nid,
                    f"when {schedules} is closed, {ctx.caller_with(nid)} at {nid} "
                    f"{ctx.goodbye_words(target)}",
                )
                break


@rule(
    code="IVR502",
    slug="pass-the-buck",
    severity="warning",
    laws=(5, 8),
    fix="Route callers to the team that handles their task from the menu, and let the first "
    "person who cannot help transfer to the one who can, once.",
    options=("max_transfers",),
    bad="""
    faults_agent: {type: agent, handles: [report_fault], transfer_to: general_queue}
    general_agent: {type: agent, handles: [pay_bill], transfer_to: broadband_queue}
    broadband_agent: {type: agent, handles: [broadband_setup]}
    """,
    good="""
    faults_agent: {type: agent, handles: [report_fault, broadband_setup], transfer_to: general_queue}
    general_agent: {type: agent, handles: [pay_bill, report_fault, broadband_setup]}
    """,
)
def pass_the_buck(ctx: Context) -> Iterator[Hit]:
    """A caller can be transferred between people more often than the standard (once).

    Law 5, "don't pass the buck": being "transferred several times" is the essays' example.
    Each blind transfer costs about 65 s of agent time (PolyAI) and the caller re-explains; a
    transfer is taken only by callers whose task the person does not handle, so the search is
    per task, over (node, transfers so far) states.
    """
    tree = ctx.tree
    limit = ctx.standard.max_transfers
    over: list[tuple[Any, str, str]] = []  # (witness, agent, target) of transfers past the limit
    current: list[Any] = [None]  # the witness of the state being expanded

    def step(state: tuple[str, int], event: str, v: str) -> tuple[str, int] | None:
        nid, n = state
        if event != "transfer":
            return v, n
        if n + 1 > limit:
            over.append((current[0], nid, v))
            return None
        return v, n + 1

    for _state, _mask, witness in ctx.journeys((tree.entry, 0), step, on=("transfer",)):
        current[0] = witness  # journeys expands a state right after yielding it
    worst: dict[str, tuple[str, list[str]]] = {}
    for witness, nid, target in over:
        if nid in worst:
            continue
        handled = set(getattr(tree.nodes[nid], "handles", ()))
        others = [t for t in tree.task_names if t not in handled]
        task, walk = witness(ctx.tasks_through(nid), among=others)
        path = [s[0] for s in walk] + [target]
        people = [p for p in path if isinstance(tree.nodes.get(p), Agent)]
        if len(set(people)) == len(people):  # a chain of different people, not a loop
            worst[nid] = (task, path)
    order = {n: i for i, n in enumerate(tree.nodes)}
    for nid in sorted(worst, key=lambda n: order[n]):
        task, path = worst[nid]
        hops = [
            f"{u} → {v}"
            for u, v in pairwise(path)
            if isinstance(tree.nodes.get(u), Agent) and tree.nodes[u].transfer_to == v  # type: ignore[union-attr]
        ]
        yield Hit(
            nid,
            f"a caller with {task} can be transferred {len(hops)} times ({'; '.join(hops)}); "
            f"standard: at most {limit}",
            path=tuple(path),
        )


@rule(
    code="IVR503",
    slug="silent-queue",
    severity="warning",
    laws=(9, 8),
    fix="Tell callers the expected wait when they join the queue, and update it "
    "(`announces_wait: true`).",
    options=("announce_wait_over_s",),
    bad="""
    faults_queue: {type: queue, wait: {mean_s: 600}, next: faults_agent}
    """,
    good="""
    faults_queue: {type: queue, wait: {mean_s: 600}, announces_wait: true, next: faults_agent}
    """,
)
def silent_queue(ctx: Context) -> Iterator[Hit]:
    """A queue with an expected wait over 30 s that never tells callers how long it will be.

    "Callers should be told the approximate wait time" (GetHuman v1.0 #2); "most IVRs provide
    callers with an expected wait time, especially if the estimated wait is over some criterion,
    such as 30 seconds" (videsign "Transfers"). Callers decide whether to hold when they know
    (Zohar, Mandelbaum & Shimkin 2002: patience adapts to expected waits).
    """
    limit = ctx.standard.announce_wait_over_s
    for nid, node in ctx.queues():
        wait = ctx.waits[nid]
        if not node.announces_wait and wait > limit:
            yield Hit(
                nid, f"callers wait about {_minutes(wait)} at {nid} without being told how long"
            )


@rule(
    code="IVR504",
    slug="unstable-queue",
    severity="error",
    laws=(9, 8),
    fix="Staff above the offered load (agents > calls_per_hour x handle_time_s / 3600).",
    bad="""
    callers: {patience: {distribution: none}}
    general_queue: {type: queue, staffing: {agents: 10, calls_per_hour: 240, handle_time_s: 180}}
    """,
    good="""
    callers: {patience: {distribution: none}}
    general_queue: {type: queue, staffing: {agents: 14, calls_per_hour: 240, handle_time_s: 180}}
    """,
)
def unstable_queue(ctx: Context) -> Iterator[Hit]:
    """A staffed queue whose offered load is at or over its agents, with no abandonment to
    bound it.

    An M/M/N queue with load A >= N grows without bound (Erlang C exists only for A < N); only
    callers giving up keep such a queue finite (Erlang A, Mandelbaum & Zeltyn 2007), which
    means the line works by driving callers away.
    """
    patience = mean_patience_s(ctx.tree.personas)
    if not math.isinf(patience):
        return
    for nid, node in ctx.queues():
        s = node.staffing
        if s is None or not s.is_fixed:
            continue
        assert isinstance(s.agents, int)
        if s.offered_load < s.agents:
            continue
        yield Hit(
            nid,
            f"{nid} is offered {s.offered_load:.1f} Erlangs of calls for {s.agents} agents and "
            "callers never give up: the queue grows without end",
        )
    # queues whose calls follow from the volume: the load of every hour of the week
    if ctx.hourly_load is None:
        return

    import numpy as np  # (only for trees with a volume: the rest lint without numpy)

    from ...engine.dynamics import hour_label

    slots, load = ctx.hourly_load
    for i, slot in enumerate(slots):
        if slot.fixed or slot.agents is None:
            continue
        erlangs = load[i] * slot.handle_time_s / 3600.0
        over = np.flatnonzero((erlangs > 0) & (erlangs >= slot.agents))
        if not over.size:
            continue
        h = int(over[np.argmax(erlangs[over] - slot.agents[over])])
        first = slot.queues[0]
        yield Hit(
            first,
            f"{slot.name} is offered {erlangs[h]:.1f} Erlangs of calls at {hour_label(h)} for "
            f"{int(slot.agents[h])} agents and callers never give up: the queue grows without "
            f"end ({over.size} hour{'s' if over.size != 1 else ''} of the week like this)",
        )


@rule(
    code="IVR505",
    slug="no-callback-offer",
    severity="warning",
    laws=(8, 6),
    fix="Offer a callback in long queues (`callback: book_callback`).",
    options=("callback_wait_s",),
    bad="""
    faults_queue: {type: queue, wait: {mean_s: 600}, announces_wait: true, next: faults_agent}
    """,
    good="""
    faults_queue:
      type: queue
      wait: {mean_s: 600}
      announces_wait: true
      callback: book_callback
      next: faults_agent
    """,
)
def no_callback_offer(ctx: Context) -> Iterator[Hit]:
    """A queue with an expected wait of 3 minutes or more and no callback offer.

    The VUI Post ("Closing the dialog IV"): if the wait is 3 minutes or more, offer a callback;
    GetHuman draft: offer a callback "about every five minutes" during long holds.
    """
    limit = ctx.standard.callback_wait_s
    for nid, node in ctx.queues():
        wait = ctx.waits[nid]
        if node.callback is None and wait >= limit:
            yield Hit(
                nid, f"callers wait about {_minutes(wait)} at {nid} with no offer of a callback"
            )


def _minutes(seconds: float) -> str:
    if math.isinf(seconds):
        return "forever"
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} minutes"


@rule(
    code="IVR506",
    slug="broken-promise",
    severity="warning",
    laws=(9, 5),
    fix="Send the option to a team that handles every task it names, or change its words (or "
    "its `for:` list) to say what its path does.",
    bad="""
    main_menu:
      type: menu
      options:
        "1": {say: "For faults or broadband, press 1.", next: faults_queue}
    faults_queue: {type: queue, next: faults_agent}
    faults_agent: {type: agent, handles: [report_fault], transfer_to: general_queue}
    """,
    good="""
    main_menu:
      type: menu
      options:
        "1": {say: "For faults or broadband, press 1.", next: faults_queue}
    faults_queue: {type: queue, next: faults_agent}
    faults_agent: {type: agent, handles: [report_fault, broadband_setup]}
    """,
)
def broken_promise(ctx: Context) -> Iterator[Hit]:
    """An option that says it serves a task (by its words or its ``for:`` list) whose path does
    not resolve that task without a transfer.

    Law 9, "say what you will do and do what you say": callers choose by what an option
    promises (:mod:`ivrscore.promises`), so a promise the path does not keep sends them to a
    person who passes them on (law 5) or to a dead end. The path is followed as a caller with
    the task would take it while everything is open: at later menus by what their options
    promise, through inputs, messages, branches and queues, to the first person or service.
    """
    tree = ctx.tree
    chosen = chosen_options(tree, ctx.promises)
    clean: dict[str, set[str]] = {t: set() for t in tree.task_names}  # see _follow
    for nid, _menu in ctx.menus():
        for key, promise in ctx.promises[nid]:
            if promise.source == "none" or not promise.tasks:
                continue
            target = tree.nodes[nid].options[key].next  # type: ignore[union-attr]
            broken = []
            for task in sorted(promise.tasks, key=tree.task_names.index):
                end = _follow(ctx, target, task, chosen, clean.get(task))
                if end is not None:
                    broken.append((task, end))
            if not broken:
                continue
            said = tree.nodes[nid].options[key].say  # type: ignore[union-attr]
            where = "; ".join(f"a caller with {task} {what}" for task, (what, _) in broken)
            first_path = broken[0][1][1]
            yield Hit(
                nid,
                f"option {key} at {nid} {('(' + short(said) + ') ') if said else ''}is for "
                f"{', '.join(t for t, _ in broken)}, but {where}",
                path=(nid, *first_path),
            )


_Link = tuple[str, "_Link | None"]
"""A walk, newest node first: ``(node, the walk before it)``."""


def _follow(
    ctx: Context,
    start: str,
    task: str,
    chosen: dict[tuple[str, str], str],
    clean: set[str] | None = None,
) -> tuple[str, tuple[str, ...]] | None:
    """Follow a caller with ``task`` from ``start`` while everything is open: ``None`` when the
    path resolves the task before any transfer (or cannot be judged: a menu that promises
    nothing for it, a loop), else what happens and the path.

    ``clean`` holds nodes already known to keep the promise for ``task`` (everything a caller
    with it can reach from them does): they are not walked again, and the nodes of a walk that
    finds nothing are added to it. No path to a broken promise passes through such a node, so
    the answer is the same, and each option's walk does not repeat the ones before it.
    """
    tree = ctx.tree
    todo: list[_Link] = [(start, None)]
    seen: set[str] = set() if clean is None else clean
    visited: list[str] = []

    def walked(link: _Link) -> tuple[str, ...]:
        out: list[str] = []
        at: _Link | None = link
        while at is not None:
            out.append(at[0])
            at = at[1]
        return tuple(reversed(out))

    while todo:
        link = todo.pop()
        nid = link[0]
        if nid in seen:
            continue
        seen.add(nid)
        visited.append(nid)
        node = tree.nodes[nid]
        nxt: list[str | None] = []
        if isinstance(node, Agent | SelfService) and task in node.handles:
            continue
        if isinstance(node, Agent):
            seen.difference_update(visited)  # a broken walk: what it saw is not known clean
            if node.transfer_to:
                return f"is transferred by {nid} to {node.transfer_to}", walked(link)
            return f"reaches {nid}, who cannot help", walked(link)
        if isinstance(node, Menu):
            key = chosen.get((nid, task))
            if key is None:
                continue  # the caller goes by structure here: not this rule's business
            nxt = [node.options[key].next]
        elif isinstance(node, Branch):
            nxt = _open_branches(node)
        elif isinstance(node, Message | Input | Queue | SelfService):
            nxt = [node.next]
        elif node.type == "hangup":
            seen.difference_update(visited)
            return f"reaches {nid} and is cut off", walked(link)
        else:
            continue  # voicemail or callback: deferred, not broken
        for v in nxt:
            if v is None:
                seen.difference_update(visited)
                return f"reaches a dead end at {nid}", walked(link)
            todo.append((v, link))
    return None


def _open_branches(node: Branch) -> list[str | None]:
    """Where a branch sends callers while every schedule is open (every share branch too)."""
    out: list[str | None] = []
    for c in node.when:
        if c.share is not None:
            out.append(c.next)
        elif c.open is not None:
            return [*out, c.next]
    return [*out, node.otherwise]


@rule(
    code="IVR507",
    slug="unstaffed-hours",
    severity="error",
    laws=(3, 9),
    fix="Put agents on the roster for every hour the queue is open, or close the queue then "
    "(`open:` a schedule, with `on_closed:` a callback or voicemail).",
    bad="""
    schedules: {office: {mon-fri: "08:00-18:00"}}
    general_queue:
      type: queue
      open: office
      staffing: {agents: {office: 0}, handle_time_s: 300}
    """,
    good="""
    schedules: {office: {mon-fri: "08:00-18:00"}}
    general_queue:
      type: queue
      open: office
      staffing: {agents: {office: 12}, handle_time_s: 300}
    """,
)
def unstaffed_hours(ctx: Context) -> Iterator[Hit]:
    """A roster with no agents in hours when its queue's schedule says it is open.

    Callers in those hours are told to wait for people who are not there: they wait until they
    give up. The essays' "that department is not taking calls", without even saying so (law 3:
    any time of day; law 9: do what you say).
    """
    tree = ctx.tree
    if tree.volume is None:
        return
    import numpy as np  # (only for trees with a volume: the rest lint without numpy)

    from ...engine._compile import open_by_hour  # here: linting other trees loads no engine

    opened = open_by_hour(tree)
    seen: set[str] = set()
    for nid, node in ctx.queues():
        s = node.staffing
        if s is None or s.is_fixed:
            continue
        roster = tree.pools[s.pool].agents if s.pool is not None else s.agents
        key = f"pool:{s.pool}" if s.pool is not None else nid
        if roster is None or key in seen:
            continue
        agents = roster_by_hour(roster, opened)
        is_open = opened[node.open] if node.open is not None else np.ones(168, dtype=bool)
        empty = np.flatnonzero(is_open & (agents == 0))
        if not empty.size:
            continue
        seen.add(key)
        who = f"pool {s.pool}" if s.pool is not None else "its roster"
        yield Hit(
            nid,
            f"{nid} is open with no agents in {who} for {empty.size} hour"
            f"{'s' if empty.size != 1 else ''} of the week ({_spans(empty)}): callers wait for "
            "nobody until they give up",
        )


def _spans(hours: Any) -> str:
    """``"Sat 09:00-13:00, Sun 10:00-11:00"`` for sorted hours of the week (at most 4 spans)."""

    spans: list[tuple[int, int]] = []
    for h in hours.tolist():
        if spans and spans[-1][1] == h:
            spans[-1] = (spans[-1][0], h + 1)
        else:
            spans.append((h, h + 1))

    def span(a: int, b: int) -> str:
        from ...engine.dynamics import hour_label  # the engines load only when a rule needs them

        if b - a >= 168:
            return "every hour"
        end = hour_label(b % 168)
        if (b - 1) // 24 == a // 24:
            return f"{hour_label(a)}-{'24:00' if b % 24 == 0 else end[4:]}"
        return f"{hour_label(a)} to {end}"

    words = [span(a, b) for a, b in spans[:4]]
    return ", ".join(words) + (f" and {len(spans) - 4} more" if len(spans) > 4 else "")
