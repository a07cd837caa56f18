"""Synthetic call logs: callers walked through a tree's caller model, written as logs.

:func:`calls` walks callers one at a time through the step tables both engines read
(:func:`ivrscore.engine._compile.compile_tree`), the way ``simulate``'s sample journeys do, and
records what a platform would log: the nodes entered, the keys pressed, data entry attempts,
queue waits, answers and hang-ups, with wall-clock times. Calibrating a tree against logs of
its own callers must give its parameters back (within their standard errors): that is the
round-trip test of :mod:`ivrscore.calibrate`.

People's handle times are not part of the caller model (patience does not run while a person
helps); they are drawn exponential with the mean ``handle_time_s`` of the staffing of the queue
in front of the person, or ``handle_time_s`` when given.

Writers: :func:`write_generic` (the generic CSV event log) and :func:`write_connect` (Amazon
Connect contact trace records and contact flow logs, as JSON lines).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..graph import IMPLICIT_HANGUP
from ..model.callers import Exponential, Lognormal
from ..model.nodes import Queue
from ..model.tree import PhoneTree
from ._events import OUTCOME_NAMES, Call, Event, as_datetime, parse_time
from .predict import _label_kind

__all__ = ["calls", "write_connect", "write_generic"]

_START = "2024-01-01T00:00:00"  # a Monday


def _erlang_wait(q: Any, rates: np.ndarray, gen: np.random.Generator) -> float:
    if gen.random() >= q.p_wait:
        return 0.0
    ahead = q.ahead_distribution()
    k = min(int(np.searchsorted(np.cumsum(ahead), gen.random() * ahead.sum())), rates.size - 1)
    if (rates[: k + 1] <= 0).any():  # nobody to answer and nobody ahead leaving: never answered
        return math.inf
    return float(sum(gen.exponential(1.0) / rates[j] for j in range(k + 1)))


def calls(
    tree: PhoneTree,
    n: int,
    *,
    rng: int | np.random.Generator | None = None,
    start: str | datetime = _START,
    weeks: float = 1.0,
    handle_time_s: float | None = None,
    agents: Sequence[str] = (),
    record_task: bool = False,
) -> list[Call]:
    """``n`` callers walked through ``tree``'s caller model, as logged calls.

    Parameters
    ----------
    tree : PhoneTree
    n : int
        Callers.
    rng : int or numpy.random.Generator, optional
        Seed (the same seed gives the same calls).
    start : datetime or ISO text, default Monday 2024-01-01 00:00
        When the logs begin. Calls arrive over ``weeks`` weeks by the tree's ``arrivals``.
    weeks : float, default 1
    handle_time_s : float, optional
        Mean handle time of every person (default: the ``staffing`` of the queue before them,
        else 180 s).
    agents : sequence of str, optional
        Names of people answering; each answer names one at random.
    record_task : bool, default False
        Whether calls carry their caller's task (as a log with wrap-up codes would).

    Returns
    -------
    list of Call

    Examples
    --------
    >>> import ivrscore as ivr
    >>> cs = calls(ivr.load(ivr.examples.path("acme_telecom")), 3, rng=0)
    >>> [e.kind for e in cs[0].events][:2]
    ['start', 'enter']
    """
    from ..engine._compile import D_ERLANG, D_EXP, D_LOGNORMAL, compile_tree
    from ..timeofday import minute_patterns

    gen = np.random.default_rng(rng)
    c = compile_tree(tree)
    t0 = parse_time(start) if isinstance(start, str) else parse_time(start.isoformat())
    running = np.cumsum(c.alt_prob)
    first = c.alt_start[c.alt_state]
    before = np.where(first > 0, running[np.maximum(first - 1, 0)], 0.0)
    last = c.alt_start[c.alt_state + 1] - 1
    keys = c.alt_state + (running - before) / (running[last] - before)
    kinds = [_label_kind(lab) for lab in c.step_labels]
    labels = c.step_labels
    _, minute_pattern = minute_patterns(tree)
    minute_w = np.repeat(tree.arrival_weights().reshape(-1) / 60.0, 60)
    minute_cum = np.cumsum(minute_w / minute_w.sum())
    start_of = {(ch.task, ch.persona, ch.zero_outer, ch.pattern): ch.start for ch in c.chains}
    task_cum = np.cumsum(tree.task_shares())
    personas = tree.personas
    p_cum = np.cumsum([p.share for p in personas])
    handle: dict[str, float] = {}
    for node in tree.nodes.values():
        if isinstance(node, Queue) and node.next:
            staffed = node.staffing.handle_time_s if node.staffing else None
            if node.staffing is not None and node.staffing.pool is not None:
                staffed = tree.pools[node.staffing.pool].handle_time_s
            mean = handle_time_s or staffed or 180.0
            handle.setdefault(node.next, mean)
    types = {nid: node.type for nid, node in tree.nodes.items()}
    out: list[Call] = []
    week_s = 7 * 86_400.0
    n_weeks = max(1, math.ceil(weeks))
    for _ in range(n):
        ti = min(
            int(np.searchsorted(task_cum, gen.random() * task_cum[-1], side="right")),
            len(task_cum) - 1,
        )
        pi = min(
            int(np.searchsorted(p_cum, gen.random() * p_cum[-1], side="right")), len(p_cum) - 1
        )
        persona = personas[pi]
        zo = bool(gen.random() < persona.wants_human)
        while True:
            minute = min(int(np.searchsorted(minute_cum, gen.random(), side="right")), 10079)
            week = int(gen.integers(n_weeks))
            at = t0 + week * week_s + minute * 60.0 + float(gen.random()) * 60.0
            if at < t0 + weeks * week_s:
                break
        s = start_of[(ti, pi, zo, int(minute_pattern[minute]))]
        pat = persona.patience
        if isinstance(pat, Exponential):
            left = float(gen.exponential(pat.mean_s))
        elif isinstance(pat, Lognormal):
            left = float(math.exp(math.log(pat.median_s) + pat.sigma * gen.standard_normal()))
        else:
            left = math.inf
        clock = at
        events = [Event(clock, "start")]
        prev_retry = False
        for _step in range(2000):
            nid = c.node_ids[int(c.state_node[s])]
            if nid != IMPLICIT_HANGUP and not prev_retry:
                events.append(Event(clock, "enter", nid))
            alt = min(
                int(np.searchsorted(keys, s + gen.random(), side="right")),
                int(c.alt_start[s + 1]) - 1,
            )
            d = float(c.alt_fixed[alt])
            kind = int(c.alt_kind[alt])
            if kind == D_EXP:
                d += float(gen.exponential(c.alt_a[alt]))
            elif kind == D_LOGNORMAL:
                d += float(math.exp(c.alt_a[alt] + c.alt_b[alt] * gen.standard_normal()))
            elif kind == D_ERLANG:
                qi = int(c.alt_a[alt])
                d += _erlang_wait(c.queues[qi], c.queue_rates[qi], gen)
            if c.alt_patience[alt] and d > left:
                events.append(Event(clock + left, "abandon", nid if nid != IMPLICIT_HANGUP else ""))
                break
            if c.alt_patience[alt]:
                left -= d
            k, key = kinds[int(c.alt_step[alt])]
            ntype = types.get(nid, "")
            end = clock + d
            nxt = int(c.alt_next[alt])
            outcome = int(c.alt_outcome[alt])
            label = labels[int(c.alt_step[alt])]
            if ntype == "menu":
                events.append(Event(end, "key" if k == "key" else "no_input", nid, key))
            elif ntype == "input":
                if k == "key":
                    events.append(Event(end, "key", nid, "0"))
                else:
                    events.append(Event(end, "input" if k == "ok" else "input_failed", nid))
            elif ntype == "queue" and label.startswith("waited at"):
                who = agents[int(gen.integers(len(agents)))] if agents else ""
                events.append(Event(end, "answer", nid, agent=who))
            elif ntype == "agent":
                h = float(gen.exponential(handle.get(nid, handle_time_s or 180.0)))
                end = clock + h
                if nxt >= 0:
                    events.append(Event(end, "transfer", nid))
            clock = end
            if nxt < 0:
                name = OUTCOME_NAMES[outcome] if 0 <= outcome < len(OUTCOME_NAMES) else ""
                events.append(
                    Event(clock, "end", nid if nid != IMPLICIT_HANGUP else "", outcome=name)
                )
                break
            prev_retry = k in ("none", "fail") and c.node_ids[int(c.state_node[nxt])] == nid
            s = nxt
        out.append(Call(events, task=tree.task_names[ti] if record_task else ""))
    return out


def _iso(t: float, ms: bool = True) -> str:
    return as_datetime(t).isoformat(timespec="milliseconds" if ms else "seconds")


def write_generic(calls: Iterable[Call], path: str | Path) -> int:
    """Write calls as a generic CSV event log; returns the rows written.

    Rows are in time order across calls, as a platform writes them.
    """
    from .readers.generic import COLUMNS

    rows = []
    for i, call in enumerate(calls):
        cid = f"call-{i + 1:06d}"
        for e in call.events:
            rows.append((e.t, cid, e.node, e.kind, e.key, e.outcome, e.agent, call.task))
    rows.sort(key=lambda r: r[0])
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for t, cid, node, kind, key, outcome, agent, task in rows:
            w.writerow((cid, _iso(t), node, kind, key, outcome, agent, task))
    return len(rows)


_MODULE = {
    "message": "PlayPrompt",
    "menu": "GetUserInput",
    "input": "StoreUserInput",
    "branch": "CheckHoursOfOperation",
    "queue": "TransferToQueue",
    "self_service": "InvokeExternalResource",
    "voicemail": "InvokeExternalResource",
    "callback": "TransferToQueue",
    "hangup": "Disconnect",
}


def _block_id(tree: PhoneTree, nid: str) -> str:
    src = tree.nodes[nid].meta.get("source")
    if isinstance(src, dict) and src.get("id"):
        return str(src["id"])
    return nid


def write_connect(
    calls: Iterable[Call], tree: PhoneTree, records: str | Path, flow_logs: str | Path
) -> tuple[int, int]:
    """Write calls as Amazon Connect contact trace records and contact flow logs (JSON lines).

    Flow-log entries name blocks by each node's ``meta.source.id`` (an imported flow's block
    ids), else by node id; an input block's entry carries ``Results`` (the key, ``Timeout``,
    ``Success`` or ``Error``). Each queue visit gets a record of its own, as Connect makes a
    new contact on a transfer (``InitialContactId`` joins them). A caller who hangs up is
    ``CUSTOMER_DISCONNECT``; a call the flow ends (self-service done, a hang-up node) is
    ``CONTACT_FLOW_DISCONNECT``. Records carry a made-up customer number (``+1555...``), as real
    ones carry a real one. Returns ``(records, flow-log entries)`` written.
    """
    n_rec = 0
    arn = "arn:aws:connect:us-east-1:000000000000:instance/example"
    entries: list[tuple[float, str]] = []  # flow logs are written in time order, as CloudWatch does
    with open(records, "w", encoding="utf-8") as fr:
        for i, call in enumerate(calls):
            initial = f"{i + 1:08d}-0000-4000-8000-{0:012d}"
            legs: list[dict[str, Any]] = []
            leg = _new_leg(legs, initial, i, call.events[0].t, "INBOUND")
            cur_id = leg["ContactId"]
            for e in call.events:
                node = tree.nodes.get(e.node) if e.node else None
                if e.kind == "enter" and node is not None and node.type != "agent":
                    if node.type == "queue":
                        if leg["Queue"] is not None:  # a transfer: a new contact
                            leg = _new_leg(legs, initial, i, e.t, "TRANSFER")
                            cur_id = leg["ContactId"]
                        leg["Queue"] = {
                            "Name": e.node,
                            "ARN": f"{arn}/queue/{_block_id(tree, e.node)}",
                            "EnqueueTimestamp": _iso(e.t) + "Z",
                        }
                    entry = {
                        "ContactId": cur_id,
                        "ContactFlowId": f"{arn}/contact-flow/main",
                        "ContactFlowModuleType": _MODULE.get(node.type, "PlayPrompt"),
                        "Identifier": _block_id(tree, e.node),
                        "Timestamp": _iso(e.t) + "Z",
                        "Parameters": {},
                    }
                    entries.append((e.t, json.dumps(entry)))
                elif e.kind in ("key", "no_input", "input", "input_failed") and node is not None:
                    result = {"key": e.key, "no_input": "Timeout", "input": "Success",
                              "input_failed": "Error"}[e.kind]  # fmt: skip
                    entry = {
                        "ContactId": cur_id,
                        "ContactFlowModuleType": _MODULE.get(node.type, "GetUserInput"),
                        "Identifier": _block_id(tree, e.node),
                        "Timestamp": _iso(e.t) + "Z",
                        "Results": result,
                    }
                    entries.append((e.t, json.dumps(entry)))
                elif e.kind == "answer" and leg["Queue"] is not None:
                    leg["Queue"]["DequeueTimestamp"] = _iso(e.t) + "Z"
                    enq = parse_time(leg["Queue"]["EnqueueTimestamp"][:-1])
                    leg["Queue"]["Duration"] = round(e.t - enq)
                    leg["Agent"] = {"ConnectedToAgentTimestamp": _iso(e.t) + "Z",
                                    "Username": e.agent or "agent"}  # fmt: skip
                elif e.kind == "transfer" and leg["Agent"] is not None:
                    connected = parse_time(leg["Agent"]["ConnectedToAgentTimestamp"][:-1])
                    leg["Agent"]["AgentInteractionDuration"] = round(e.t - connected)
                    leg["TransferCompletedTimestamp"] = _iso(e.t) + "Z"
                elif e.kind in ("abandon", "end"):
                    if leg["Agent"] is not None:
                        connected = parse_time(leg["Agent"]["ConnectedToAgentTimestamp"][:-1])
                        leg["Agent"]["AgentInteractionDuration"] = round(e.t - connected)
                        reason = "AGENT_DISCONNECT"
                    elif e.kind == "abandon":
                        reason = "CUSTOMER_DISCONNECT"
                        if leg["Queue"] is not None:
                            leg["Queue"]["DequeueTimestamp"] = _iso(e.t) + "Z"
                    else:
                        reason = "CONTACT_FLOW_DISCONNECT"
                    leg["DisconnectTimestamp"] = _iso(e.t) + "Z"
                    leg["DisconnectReason"] = reason
            for leg in legs:
                leg["LastUpdateTimestamp"] = leg.get(
                    "DisconnectTimestamp", leg["InitiationTimestamp"]
                )
                fr.write(json.dumps(leg) + "\n")
                n_rec += 1
    entries.sort(key=lambda x: x[0])
    with open(flow_logs, "w", encoding="utf-8") as fl:
        fl.writelines(text + "\n" for _, text in entries)
    return n_rec, len(entries)


def _new_leg(
    legs: list[dict[str, Any]], initial: str, k: int, t: float, method: str
) -> dict[str, Any]:
    """A new contact trace record of call ``k`` (the next of ``legs``)."""
    leg: dict[str, Any] = {
        "AWSContactTraceRecordFormatVersion": "2017-03-10",
        "ContactId": f"{k + 1:08d}-0000-4000-8000-{len(legs):012d}",
        "InitialContactId": initial,
        "PreviousContactId": legs[-1]["ContactId"] if legs else None,
        "Channel": "VOICE",
        "InitiationMethod": method,
        "InitiationTimestamp": _iso(t) + "Z",
        "CustomerEndpoint": {"Address": f"+1555{k % 10_000_000:07d}", "Type": "TELEPHONE_NUMBER"},
        "Queue": None,
        "Agent": None,
    }
    legs.append(leg)
    return leg
