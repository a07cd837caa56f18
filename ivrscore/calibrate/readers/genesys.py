"""Genesys Cloud analytics conversation details (``/api/v2/analytics/conversations/details``).

One JSON object per conversation (a query page ``{"conversations": [...]}``, an array, or one
per line): ``conversationStart``, ``conversationEnd`` and ``participants``, each with a
``purpose`` (``customer``, ``ivr``, ``acd``, ``agent`` ...) and ``sessions`` of ``segments``
(``segmentStart``, ``segmentEnd``, ``segmentType``, ``queueId``, ``disconnectType``).

A call is read from its participants in time order: an ``ivr`` session enters its flow (the
``flow.flowName``, else ``flowId``: list those ids under a node's ``meta.log_ids``); an ``acd``
segment enters its queue (``queueName`` if present, else ``queueId``); the first ``interact``
segment of an ``agent`` participant is the answer (``userId`` names the agent); the call ends
at ``conversationEnd``. A queue segment that the customer ends (``disconnectType`` ``peer`` or
``client``) with no agent after it is an abandonment - the reading the Genesys field
reference suggests, not checked against real traffic. ``ani`` and ``dnis`` (numbers) are never
read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .._events import Call, Event, ReadReport, head_bytes, parse_time
from ._common import Options
from ._json import json_objects, looks_like

__all__ = ["read", "sniff"]


def sniff(path: Path) -> bool:
    """JSON with ``participants`` and ``purpose`` (conversation details)."""
    try:
        head = head_bytes(path)
    except OSError:
        return False
    return looks_like(head, "participants", "purpose")


def _segments(part: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for session in part.get("sessions") or []:
        if isinstance(session, dict):
            for seg in session.get("segments") or []:
                if isinstance(seg, dict):
                    yield session, seg


def _conversation(obj: dict[str, Any], opts: Options) -> list[Event]:
    start = parse_time(str(obj["conversationStart"]), opts.tz)
    items: list[tuple[float, int, Event]] = []
    first_agent: float | None = None
    queue_end: tuple[float, str, str] | None = None
    for part in obj.get("participants") or []:
        if not isinstance(part, dict):
            continue
        purpose = str(part.get("purpose", "")).lower()
        if purpose == "ivr":
            for session in part.get("sessions") or []:
                flow = session.get("flow") if isinstance(session, dict) else None
                node = ""
                if isinstance(flow, dict):
                    node = str(flow.get("flowName") or flow.get("flowId") or "")
                segs = [s for _, s in _segments({"sessions": [session]})]
                if segs and node:
                    t = parse_time(str(segs[0]["segmentStart"]), opts.tz)
                    items.append((t, 0, Event(t, "enter", node)))
        elif purpose == "acd":
            for _, seg in _segments(part):
                t = parse_time(str(seg["segmentStart"]), opts.tz)
                q = str(seg.get("queueName") or seg.get("queueId") or "queue")
                items.append((t, 0, Event(t, "enter", q)))
                if seg.get("segmentEnd"):
                    end = parse_time(str(seg["segmentEnd"]), opts.tz)
                    queue_end = (end, q, str(seg.get("disconnectType", "")).lower())
        elif purpose in ("agent", "user"):
            who = str(part.get("userId") or part.get("participantName") or "")
            for _, seg in _segments(part):
                if str(seg.get("segmentType", "")).lower() == "interact":
                    t = parse_time(str(seg["segmentStart"]), opts.tz)
                    if first_agent is None or t < first_agent:
                        first_agent = t
                    items.append((t, 1, Event(t, "answer", agent=who)))
                    break
    items.sort(key=lambda x: (x[0], x[1]))
    events = [Event(start, "start"), *(e for _, _, e in items)]
    end_text = obj.get("conversationEnd")
    end = parse_time(str(end_text), opts.tz) if end_text else max(e.t for e in events)
    if first_agent is None and queue_end is not None and queue_end[2] in ("peer", "client"):
        events.append(Event(queue_end[0], "abandon", queue_end[1]))
    else:
        events.append(Event(end, "end"))
    return events


def read(paths: Sequence[Path], report: ReadReport, opts: Options) -> Iterator[Call]:
    """Calls from conversation details (see the module notes)."""
    for path in paths:
        for line, obj in json_objects(path, report):
            if "conversationStart" not in obj or "participants" not in obj:
                report.bad(path.name, line, "not a conversation (conversationStart, participants)")
                continue
            try:
                events = _conversation(obj, opts)
            except (ValueError, KeyError, TypeError) as exc:
                report.bad(path.name, line, "unreadable conversation", str(exc)[:80])
                continue
            report.calls += 1
            yield Call(events, where=f"{path.name}:{line}")
