"""Amazon Connect: contact trace records (CTRs) with contact flow logs.

*Contact trace records* (the contact-record export stream, or ``DescribeContact``): one JSON
object per contact with ``ContactId``, ``InitiationTimestamp``, ``Queue``
(``Name``, ``ARN``, ``EnqueueTimestamp``, ``DequeueTimestamp``), ``Agent``
(``ConnectedToAgentTimestamp``, ``Username``, ``AgentInteractionDuration``),
``DisconnectTimestamp`` and ``DisconnectReason``. Records delivered more than once are kept
once (the latest ``LastUpdateTimestamp``), and a contact's transfers (records sharing an
``InitialContactId``) are joined into one call.

*Contact flow logs* (CloudWatch): one JSON object per block a contact went through, with
``ContactId``, ``Identifier`` (the block's id, which the importer keeps as ``meta.source.id``),
``ContactFlowModuleType``, ``Timestamp`` and, for input blocks, ``Results`` (the key, or
``Timeout``); exports with a timestamp before each object are read too.

A call is the flow-log path (nodes entered, keys) followed by the record's queue and agent:
``enter`` the queue (by its ``Name``) at ``EnqueueTimestamp``, ``answer`` at
``ConnectedToAgentTimestamp``, and the end at ``DisconnectTimestamp``. A customer who
disconnected before reaching an agent abandoned (for queued contacts that is the
documentation's rule; in the flow it is a hang-up before being helped: self-service that
resolves a call ends it from the flow, ``CONTACT_FLOW_DISCONNECT``). Either kind of file can be
given alone. ``CustomerEndpoint`` (the
caller's number) is never read. Timestamps are UTC: give ``tz`` for the call centre's hours.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._events import Call, Event, ReadReport, head_bytes, parse_time
from ._common import IDLE_S, SWEEP_EVERY, Options
from ._json import json_objects, looks_like

__all__ = ["read", "sniff"]

_KEYS = set("0123456789*#")
_TIMEOUTS = {"timeout", "notimeout", "no input"}
_INVALID = {"nomatchingcondition", "nomatch", "invalidnumber", "error"}
_INPUT_BLOCKS = {"storeuserinput", "storecustomerinput"}


def _is_record(obj: dict[str, Any]) -> bool:
    return "ContactId" in obj and (
        "InitiationTimestamp" in obj or "AWSContactTraceRecordFormatVersion" in obj
    )


def _is_flow_log(obj: dict[str, Any]) -> bool:
    return "ContactId" in obj and ("ContactFlowModuleType" in obj or "Identifier" in obj)


def sniff(path: Path) -> bool:
    """JSON with ``ContactId`` and either a flow block type or a record's timestamps."""
    try:
        head = head_bytes(path)
    except OSError:
        return False
    return looks_like(head, "ContactId") and (
        "ContactFlowModuleType" in head.decode("utf-8", "replace")
        or "InitiationTimestamp" in head.decode("utf-8", "replace")
        or "AWSContactTraceRecordFormatVersion" in head.decode("utf-8", "replace")
    )


@dataclass
class _Record:
    """What calibrate needs of a contact trace record."""

    contact: str
    initial: str
    updated: float
    start: float
    queue: str = ""
    enqueued: float | None = None
    dequeued: float | None = None
    answered: float | None = None
    agent: str = ""
    talk_s: float | None = None
    ended: float | None = None
    reason: str = ""
    where: str = ""


def _t(value: Any, opts: Options) -> float | None:
    if not isinstance(value, str | int | float) or value in ("", None):
        return None
    return parse_time(str(value), opts.tz)


def _record(obj: dict[str, Any], opts: Options) -> _Record:
    start = _t(obj.get("InitiationTimestamp"), opts)
    if start is None:
        start = _t(obj.get("ConnectedToSystemTimestamp"), opts)
    if start is None:
        raise ValueError("no InitiationTimestamp")
    q = obj.get("Queue") or {}
    a = obj.get("Agent") or {}
    name = q.get("Name") or (str(q.get("ARN", "")).rsplit("/", 1)[-1] if q.get("ARN") else "")
    talk = a.get("AgentInteractionDuration")
    return _Record(
        contact=str(obj["ContactId"]),
        initial=str(obj.get("InitialContactId") or obj["ContactId"]),
        updated=_t(obj.get("LastUpdateTimestamp"), opts) or start,
        start=start,
        queue=str(name),
        enqueued=_t(q.get("EnqueueTimestamp"), opts),
        dequeued=_t(q.get("DequeueTimestamp"), opts),
        answered=_t(a.get("ConnectedToAgentTimestamp"), opts),
        agent=str(a.get("Username") or a.get("ARN") or ""),
        talk_s=float(talk) if isinstance(talk, int | float) else None,
        ended=_t(obj.get("DisconnectTimestamp"), opts),
        reason=str(obj.get("DisconnectReason") or ""),
    )


def _record_events(r: _Record) -> list[Event]:
    out: list[Event] = []
    if r.enqueued is not None:
        out.append(Event(r.enqueued, "enter", r.queue))
        if r.answered is not None:
            out.append(Event(r.answered, "answer", r.queue, agent=r.agent))
    end = r.ended
    if end is None and r.answered is not None and r.talk_s is not None:
        end = r.answered + r.talk_s
    if end is not None:
        if r.answered is None and r.reason == "CUSTOMER_DISCONNECT":
            # the customer hung up before reaching an agent: an abandonment, in the queue
            # (the documentation's rule) or in the flow
            out.append(Event(end, "abandon"))
        else:
            out.append(Event(end, "end"))
    return out


def _flow_event(obj: dict[str, Any], opts: Options) -> list[Event]:
    t = _t(obj.get("Timestamp"), opts)
    if t is None:
        raise ValueError("no Timestamp")
    block = str(obj.get("Identifier") or obj.get("ContactFlowModuleType") or "")
    out = [Event(t, "enter", block)]
    result = obj.get("Results")
    if isinstance(result, str) and result:
        kind = str(obj.get("ContactFlowModuleType", "")).lower()
        low = result.strip().lower()
        if kind in _INPUT_BLOCKS:
            ok = low in ("success", "true", "ok")
            out.append(Event(t, "input" if ok else "input_failed", block))
        elif result.strip() in _KEYS:
            out.append(Event(t, "key", block, result.strip()))
        elif low in _TIMEOUTS:
            out.append(Event(t, "no_input", block))
        elif low in _INVALID and kind in ("getuserinput", "getparticipantinput"):
            out.append(Event(t, "invalid", block))
    return out


def read(paths: Sequence[Path], report: ReadReport, opts: Options) -> Iterator[Call]:
    """Calls from contact records and flow logs (see the module notes)."""
    records: dict[str, _Record] = {}
    flow_files: list[Path] = []
    for path in paths:
        kind = ""
        for line, obj in json_objects(path, report):
            if _is_record(obj):
                kind = "records"
                try:
                    r = _record(obj, opts)
                except (ValueError, TypeError) as exc:
                    report.bad(path.name, line, "unreadable contact record", str(exc))
                    continue
                r.where = f"{path.name}:{line}"
                old = records.get(r.contact)
                if old is not None:
                    report.ignored["contact records delivered again (kept the latest)"] += 1
                    if old.updated > r.updated:
                        continue
                records[r.contact] = r
            elif _is_flow_log(obj):
                kind = "flow logs"
                break
            else:
                report.bad(path.name, line, "neither a contact record nor a flow-log entry")
        if kind == "flow logs":
            report.rows -= 1  # the first entry is read again below
            flow_files.append(path)
    # contacts joined by their initial contact (transfers make new records)
    by_initial: dict[str, list[_Record]] = {}
    for r in records.values():
        by_initial.setdefault(r.initial, []).append(r)
    to_initial = {r.contact: r.initial for r in records.values()}
    del records
    open_calls: dict[str, list[Event]] = {}
    span: dict[str, tuple[float, float]] = {}
    where: dict[str, str] = {}
    rows = 0

    def close(cid: str) -> Call:
        events = open_calls.pop(cid)
        span.pop(cid, None)
        report.calls += 1
        return _call(events, by_initial.pop(cid, []), where.pop(cid, ""))

    for path in flow_files:
        for line, obj in json_objects(path, report):
            if not _is_flow_log(obj):
                report.bad(path.name, line, "not a flow-log entry")
                continue
            try:
                events = _flow_event(obj, opts)
            except (ValueError, TypeError) as exc:
                report.bad(path.name, line, "unreadable flow-log entry", str(exc))
                continue
            contact = str(obj["ContactId"])
            cid = to_initial.get(contact, contact)
            now = events[0].t
            if cid not in open_calls:
                open_calls[cid] = []
                where[cid] = f"{path.name}:{line}"
                span[cid] = (now, now)
                report.max_open = max(report.max_open, len(open_calls))
            else:
                lo, hi = span[cid]
                span[cid] = (min(lo, now), max(hi, now))
            open_calls[cid].extend(events)
            rows += 1
            if rows % SWEEP_EVERY == 0:  # calls the log has moved on from (either way in time)
                idle = [c for c, (lo, hi) in span.items() if now > hi + IDLE_S or now < lo - IDLE_S]
                for c in idle:
                    yield close(c)
    for cid in list(open_calls):
        yield close(cid)
    # contacts with records but no flow logs
    for legs in by_initial.values():
        report.calls += 1
        yield _call([], legs, legs[0].where)


def _call(flow: list[Event], legs: list[_Record], where: str) -> Call:
    """One call: the flow-log path, then each record's queue, agent and end (in time order;
    with transfers only the last record's end ends the call)."""
    legs = sorted(legs, key=lambda r: r.start)
    events = list(flow)
    if legs:
        events.insert(0, Event(legs[0].start, "start"))
    ends: list[Event] = []
    for r in legs:
        for e in _record_events(r):
            (ends if e.kind in ("end", "abandon") else events).append(e)
    if ends:
        events.append(max(ends, key=lambda e: e.t))
    events.sort(key=lambda e: (e.t, e.kind in ("end", "abandon")))
    return Call(events, where=where)
