"""The generic CSV event log: one row per thing that happened in a call.

Columns (a header row names them; order is free, names ignore case):

=============  ========  =================================================================
column         needed    what
=============  ========  =================================================================
``call_id``    yes       The call's id (any text). Rows of a call need not be adjacent.
``timestamp``  yes       ISO 8601 (``2024-03-04T10:15:02``, optional fraction, ``Z`` or an
                         offset) or POSIX seconds.
``event``      yes       One of ``start enter key no_input invalid input input_failed answer
                         transfer leave abandon end`` (see below).
``node``       no        Where: a tree node id, or the platform's id for it (the ids the
                         importers keep under ``meta.source``, or ``meta.log_ids``).
``key``        no        The key pressed (``key``, ``invalid``).
``outcome``    no        How the call ended (``end``): ``resolved_self_service``,
                         ``resolved_by_agent``, ``abandoned``, ``disconnected``,
                         ``voicemail``, ``callback``.
``agent``      no        Who answered (``answer``): lets calibrate count agents on duty.
``task``       no        Why the caller called, when the log knows (a wrap-up code).
=============  ========  =================================================================

Events: ``start`` the call arrives (optional: else its first row); ``enter`` the caller reaches
``node``; ``key`` pressed ``key`` at ``node``; ``no_input`` silence until the timeout;
``invalid`` a key the menu does not take; ``input`` / ``input_failed`` data keyed at an input
node accepted / rejected; ``answer`` a person answered (``node``: the queue or the agent);
``transfer`` the person passed the call on; ``leave`` the caller left a queue unanswered
without hanging up (a timeout, a key, a callback offer); ``abandon`` the caller hung up before being helped;
``end`` the call ended. A replay of a menu is not a new ``enter``; when the log records no keys,
calibrate infers them from the node entered next. An ``enter`` at an id the tree does not have
is counted (and reported) and leaves the caller where they were: platforms log steps a tree
folds into one node.

An ``end`` without an outcome is read from where the call was: after an ``answer``, resolved by
the agent; at a self-service node, resolved there; at a hang-up, voicemail or callback node,
that; at a message with no way on, disconnected; anywhere else, the caller hung up (abandoned).

Example::

    call_id,timestamp,node,event,key,outcome,agent
    c1,2024-03-04T10:00:00,welcome,enter,,,
    c1,2024-03-04T10:00:06,main_menu,enter,,,
    c1,2024-03-04T10:00:19,main_menu,key,2,,
    c1,2024-03-04T10:00:19,faults_queue,enter,,,
    c1,2024-03-04T10:02:47,faults_queue,answer,,,DANA
    c1,2024-03-04T10:09:02,faults_agent,end,,resolved_by_agent,
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from ..._text import did_you_mean
from .._events import EVENTS, OUTCOME_NAMES, Call, Event, ReadReport, head_bytes, parse_time
from ._common import Options, Pending, csv_rows, header_index

__all__ = ["COLUMNS", "read", "sniff"]

COLUMNS = ("call_id", "timestamp", "node", "event", "key", "outcome", "agent", "task")
"""The generic log's columns, in the order :func:`ivrscore.calibrate.synthetic.write_generic`
writes them."""

_ALIASES: dict[str, tuple[str, ...]] = {
    "call_id": ("call", "callid", "contact_id", "conversation_id", "session_id"),
    "timestamp": ("time", "ts", "datetime", "date_time", "time_stamp"),
    "event": ("event_type", "action"),
    "node": ("node_id", "step", "block"),
    "key": ("digit", "digits", "dtmf"),
    "outcome": ("disposition", "result"),
    "agent": ("agent_id", "agent_name", "server"),
    "task": ("reason", "wrap_up", "wrapup_code"),
}


def sniff(path: Path) -> bool:
    """A CSV whose header has a call id, a timestamp and an event column."""
    try:
        first = head_bytes(path, 2048).decode("utf-8-sig", "replace").splitlines()[0]
    except (IndexError, OSError):
        return False
    cols = {c.strip().lower() for c in first.split(",")}
    has = {
        name: any(a in cols for a in (name, *_ALIASES[name]))
        for name in ("call_id", "timestamp", "event")
    }
    return all(has.values())


def read(paths: Sequence[Path], report: ReadReport, opts: Options) -> Iterator[Call]:
    """Calls from generic CSV event logs (see the module notes)."""
    pending = Pending(report)
    events = set(EVENTS)
    outcomes = set(OUTCOME_NAMES)
    for path in paths:
        name = path.name
        rows = csv_rows(path)
        head = next(rows, None)
        if head is None:
            report.note(f"{name} is empty")
            continue
        col = header_index(head[1], _ALIASES, ("call_id", "timestamp", "event"), str(path))
        c_id, c_t, c_ev = col["call_id"], col["timestamp"], col["event"]
        c_node, c_key = col.get("node"), col.get("key")
        c_out, c_agent, c_task = col.get("outcome"), col.get("agent"), col.get("task")
        width = max(col.values()) + 1
        for line, row in rows:
            report.rows += 1
            if row[0] == "\x00csv-error":
                report.bad(name, line, "unreadable CSV", row[1])
                continue
            if len(row) < width:
                row = row + [""] * (width - len(row))
            cid = row[c_id].strip()
            if not cid:
                report.bad(name, line, "no call id")
                continue
            kind = row[c_ev].strip().lower()
            if kind not in events:
                hint = did_you_mean(kind, events)
                report.bad(
                    name, line, "unknown event", f"{kind[:30]!r}" + (f"; {hint}" if hint else "")
                )
                continue
            try:
                t = parse_time(row[c_t], opts.tz)
            except ValueError as exc:
                report.bad(name, line, "bad timestamp", str(exc))
                continue
            outcome = row[c_out].strip().lower() if c_out is not None else ""
            if outcome and outcome not in outcomes:
                hint = did_you_mean(outcome, outcomes)
                report.bad(
                    name,
                    line,
                    "unknown outcome",
                    f"{outcome[:30]!r}" + (f"; {hint}" if hint else ""),
                )
                continue
            ev = Event(
                t,
                kind,
                row[c_node].strip() if c_node is not None else "",
                row[c_key].strip() if c_key is not None else "",
                outcome,
                row[c_agent].strip() if c_agent is not None else "",
            )
            task = row[c_task].strip() if c_task is not None else ""
            pending.add(cid, ev, task=task, where=f"{name}:{line}", file=name, line=line)
            yield from pending.ready()
    yield from pending.flush()
