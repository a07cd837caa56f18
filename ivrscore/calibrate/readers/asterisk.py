"""Asterisk: the queue log (``queue_log``), with Channel Event Logging (CEL) where present.

*queue_log*, as Asterisk writes it (``epoch|uniqueid|queue|member|EVENT|data...``) or as a
database export with a header (PBXware's ``uid,date_time,callid,queue_name,type,event,param1,
param2,param3,entpos,expos,htime,ttime,time``). Per caller (``uniqueid``): ``ENTERQUEUE``
enters the queue (the tree node the queue's name maps to), ``CONNECT`` is the answer by the
member (the agent), ``ABANDON`` a hang-up in the queue, ``EXITWITHTIMEOUT``, ``EXITWITHKEY``
and ``EXITEMPTY`` leave it unanswered, ``COMPLETECALLER`` / ``COMPLETEAGENT`` end a served
call, and the transfers (``TRANSFER``, ``BLINDTRANSFER``, ``ATTENDEDTRANSFER``) pass it on.
Member and system events (``RINGNOANSWER``, ``ADDMEMBER``, log-ins, reloads, call-backs dialled
out) are counted as ignored. The caller id ``ENTERQUEUE`` carries is never read.

*CEL* (a CSV or pipe-separated table with a header naming ``eventtype``, ``eventtime``,
``context``, ``exten``, ``uniqueid``, ``linkedid``): per call (``linkedid``), ``CHAN_START``
starts it, each ``APP_START`` enters the dialplan step ``context,exten`` (the ids the Asterisk
importer keeps under ``meta.source``), ``BRIDGE_ENTER`` / ``BRIDGE_START`` is an answer, and
``LINKEDID_END`` (or the last ``HANGUP``) ends it. Queue events join a CEL call through the
caller channel's ``uniqueid``. Caller names and numbers (``cid_*``) are never read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from .._events import Call, Event, LogFileError, ReadReport, head_bytes, parse_time
from ._common import Options, Pending, csv_rows, header_index

__all__ = ["read", "sniff"]

_QUEUE_EVENTS = {
    "ENTERQUEUE", "CONNECT", "ABANDON", "EXITWITHTIMEOUT", "EXITWITHKEY", "EXITEMPTY",
    "COMPLETECALLER", "COMPLETEAGENT", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER",
}  # fmt: skip
_CEL_COLUMNS = {
    "eventtype": ("event_type", "event"),
    "eventtime": ("event_time", "time"),
    "context": (),
    "exten": ("extension",),
    "appname": ("app", "application"),
    "uniqueid": ("unique_id",),
    "linkedid": ("linked_id",),
}
_PBX_COLUMNS = {
    "date_time": ("epoch",),
    "callid": ("uniqueid", "call_id"),
    "queue_name": ("queue", "queuename"),
    "type": ("agent", "member"),
    "event": (),
}


def _first_line(path: Path) -> str:
    text = head_bytes(path, 4096).decode("utf-8-sig", "replace")
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line
    return ""


def _kind(path: Path) -> str:
    """``queue_log`` (raw), ``queue_csv`` (a database export), ``cel`` or ``""``."""
    line = _first_line(path)
    low = line.lower()
    if "eventtype" in low and "linkedid" in low:
        return "cel"
    if "callid" in low and "queue_name" in low and "event" in low:
        return "queue_csv"
    parts = line.split("|")
    if len(parts) >= 5 and parts[0].strip().replace(".", "", 1).isdigit():
        return "queue_log"
    return ""


def sniff(path: Path) -> bool:
    """An Asterisk queue_log (raw or exported) or a CEL table."""
    try:
        return bool(_kind(path))
    except OSError:
        return False


def _queue_event(kind: str, t: float, queue: str, member: str, data: list[str]) -> Event | None:
    if kind == "ENTERQUEUE":
        return Event(t, "enter", queue)
    if kind == "CONNECT":
        return Event(t, "answer", queue, agent=member if member != "NONE" else "")
    if kind == "ABANDON":
        return Event(t, "abandon", queue)
    if kind in ("EXITWITHTIMEOUT", "EXITEMPTY"):
        return Event(t, "leave", queue)
    if kind == "EXITWITHKEY":
        return Event(t, "leave", queue, key=data[0] if data else "")
    if kind in ("COMPLETECALLER", "COMPLETEAGENT"):
        return Event(t, "end")
    if kind in ("TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"):
        return Event(t, "transfer")
    return None  # pragma: no cover - filtered by _QUEUE_EVENTS


def _queue_rows(
    path: Path, kind: str, report: ReadReport, opts: Options
) -> Iterator[tuple[str, Event, int]]:
    """``(caller uniqueid, event, line)`` of a queue log."""
    name = path.name
    if kind == "queue_log":
        rows: Iterator[tuple[int, list[str]]] = csv_rows(path, delimiter="|")
        cols = None
    else:
        rows = csv_rows(path)
        head = next(rows, None)
        if head is None:
            return
        cols = header_index(head[1], _PBX_COLUMNS, ("date_time", "callid", "event"), str(path))
    for line, row in rows:
        report.rows += 1
        if row[0] == "\x00csv-error":
            report.bad(name, line, "unreadable row", row[1])
            continue
        try:
            if cols is None:
                epoch, callid, queue, member, ev = (c.strip() for c in row[:5])
                data = row[5:]
            else:
                epoch, callid = row[cols["date_time"]].strip(), row[cols["callid"]].strip()
                queue = row[cols["queue_name"]].strip() if "queue_name" in cols else ""
                member = row[cols["type"]].strip() if "type" in cols else ""
                ev = row[cols["event"]].strip()
                data = []
        except (ValueError, IndexError):
            report.bad(name, line, "not a queue_log row (epoch|uniqueid|queue|member|EVENT|...)")
            continue
        ev = ev.upper()
        if ev not in _QUEUE_EVENTS:
            report.ignored[f"queue_log {ev} events (agents and system)"] += 1
            continue
        if not callid or callid in ("NONE", "MANAGER", "REALTIME"):
            report.bad(name, line, "queue event without a caller's uniqueid", ev)
            continue
        try:
            t = parse_time(epoch, opts.tz)
        except ValueError as exc:
            report.bad(name, line, "bad timestamp", str(exc))
            continue
        out = _queue_event(ev, t, queue, member, data)
        if out is not None:
            yield callid, out, line


def _cel_calls(
    path: Path, report: ReadReport, opts: Options
) -> Iterator[tuple[str, set[str], list[Event], str]]:
    """``(linkedid, channel uniqueids, events, where)`` per CEL call."""
    name = path.name
    first = _first_line(path)
    delim = "|" if first.count("|") > first.count(",") else ","
    rows = csv_rows(path, delimiter=delim)
    head = next(rows, None)
    if head is None:
        return
    col = header_index(head[1], _CEL_COLUMNS, ("eventtype", "eventtime", "linkedid"), str(path))
    calls: dict[str, tuple[set[str], list[Event], str]] = {}
    order: list[str] = []
    for line, row in rows:
        report.rows += 1
        if row[0] == "\x00csv-error":
            report.bad(name, line, "unreadable row", row[1])
            continue
        row = row + [""] * (max(col.values()) + 1 - len(row))
        kind = row[col["eventtype"]].strip().upper()
        linked = row[col["linkedid"]].strip()
        if not linked:
            report.bad(name, line, "no linkedid")
            continue
        try:
            t = parse_time(row[col["eventtime"]], opts.tz)
        except ValueError as exc:
            report.bad(name, line, "bad timestamp", str(exc))
            continue
        if linked not in calls:
            calls[linked] = (set(), [], f"{name}:{line}")
            order.append(linked)
        chans, events, _ = calls[linked]
        uid = row[col["uniqueid"]].strip() if "uniqueid" in col else ""
        if uid:
            chans.add(uid)
        ctx = row[col["context"]].strip() if "context" in col else ""
        ext = row[col["exten"]].strip() if "exten" in col else ""
        if kind == "CHAN_START" and not events:
            events.append(Event(t, "start"))
        elif kind == "APP_START" and ctx:
            events.append(Event(t, "enter", f"{ctx},{ext}" if ext else ctx))
        elif kind in ("BRIDGE_ENTER", "BRIDGE_START"):
            events.append(Event(t, "answer"))
        elif kind == "LINKEDID_END":
            events.append(Event(t, "end"))
        else:
            report.ignored[f"CEL {kind} events"] += 1
    for linked in order:
        chans, events, where = calls[linked]
        if events and events[-1].kind != "end":
            events.append(Event(events[-1].t, "end"))
        yield linked, chans, events, where


def read(paths: Sequence[Path], report: ReadReport, opts: Options) -> Iterator[Call]:
    """Calls from queue logs and CEL (see the module notes)."""
    kinds = {p: _kind(p) for p in paths}
    for p, k in kinds.items():
        if not k:
            raise LogFileError("not an Asterisk queue_log or CEL table", file=p.name)
    queue_files = [p for p in paths if kinds[p] != "cel"]
    cel_files = [p for p in paths if kinds[p] == "cel"]
    if not cel_files:
        pending = Pending(report)
        for p in queue_files:
            for callid, ev, line in _queue_rows(p, kinds[p], report, opts):
                start = callid not in pending.open
                pending.add(callid, ev, where=f"{p.name}:{line}", file=p.name, line=line)
                if start and ev.kind == "enter" and callid in pending.open:
                    pending.open[callid].events.insert(0, Event(ev.t, "start"))
                yield from pending.ready()
        yield from pending.flush()
        return
    # with CEL: the queue events of each caller channel are kept until its CEL call comes
    queued: dict[str, list[Event]] = {}
    for p in queue_files:
        for callid, ev, _line in _queue_rows(p, kinds[p], report, opts):
            queued.setdefault(callid, []).append(ev)
    for p in cel_files:
        for _linked, chans, events, where in _cel_calls(p, report, opts):
            extra = [e for c in chans for e in queued.pop(c, [])]
            if extra:
                ends = [e for e in events if e.kind == "end"]
                events = [e for e in events if e.kind not in ("end", "answer")] + extra
                if not any(e.kind in ("end", "abandon") for e in extra):
                    events += ends
            events.sort(key=lambda e: (e.t, e.kind in ("end", "abandon")))
            report.calls += 1
            yield Call(events, where=where)
    for events in queued.values():
        report.calls += 1
        yield Call([Event(events[0].t, "start"), *events])
