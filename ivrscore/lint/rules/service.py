"""IVR5xx: service. Closed departments, transfers and queues."""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from ...graph import mean_patience_s
from ...model.nodes import Agent, Branch
from .._context import Context
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
        for _, target, d in ctx.g.out_edges(nid, data=True):
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

    for _state, _mask, witness in ctx.journeys((tree.entry, 0), step):
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
    for nid, node in ctx.queues():
        s = node.staffing
        if s is None or s.offered_load < s.agents or not math.isinf(patience):
            continue
        yield Hit(
            nid,
            f"{nid} is offered {s.offered_load:.1f} Erlangs of calls for {s.agents} agents and "
            "callers never give up: the queue grows without end",
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
