"""FreeSWITCH call detail records (``mod_cdr_csv``), with ``mod_callcenter`` queue variables.

One row per call leg. Without a header the columns are those of the default ``example``
template: ``caller_id_name, caller_id_number, destination_number, context, start_stamp,
answer_stamp, end_stamp, duration, billsec, hangup_cause, uuid, bleg_uuid, accountcode,
read_codec, write_codec``. A header row (a custom template) may name other variables, and the
``mod_callcenter`` ones are used when present: ``cc_queue``, ``cc_queue_joined_epoch``,
``cc_queue_answered_epoch`` (or ``bridge_epoch``), ``cc_queue_terminated_epoch``,
``cc_queue_canceled_epoch``, ``cc_cause``, ``cc_cancel_reason`` and ``cc_agent``.

A call is its A leg with the B leg it names (``bleg_uuid``): the caller enters the A leg's
``destination_number`` (map it to a node with ``meta.log_ids``: an IVR's or a queue's
extension), a person answers when the B leg (or, with callcenter variables, the queue) is
answered - the B leg's ``destination_number`` names them - and the call ends at ``end_stamp``.
``ORIGINATOR_CANCEL`` (the caller hung up first) before an answer is abandonment. A row whose
``uuid`` was already read (spreadsheet copies repeat rows) is skipped as a duplicate. Caller
names and numbers are never read.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .._events import Call, Event, ReadReport, head_bytes, parse_time
from ._common import Options, csv_rows

__all__ = ["DEFAULT_COLUMNS", "read", "sniff"]

DEFAULT_COLUMNS = (
    "caller_id_name", "caller_id_number", "destination_number", "context", "start_stamp",
    "answer_stamp", "end_stamp", "duration", "billsec", "hangup_cause", "uuid", "bleg_uuid",
    "accountcode", "read_codec", "write_codec",
)  # fmt: skip
"""The columns of ``mod_cdr_csv``'s default template."""

_CAUSES = {
    "NORMAL_CLEARING", "ORIGINATOR_CANCEL", "NO_ANSWER", "USER_BUSY", "NO_USER_RESPONSE",
    "CALL_REJECTED", "RECOVERY_ON_TIMER_EXPIRE", "NORMAL_TEMPORARY_FAILURE", "LOSE_RACE",
    "UNALLOCATED_NUMBER", "NO_ROUTE_DESTINATION", "ALLOTTED_TIMEOUT", "MEDIA_TIMEOUT",
    "SUBSCRIBER_ABSENT", "DESTINATION_OUT_OF_ORDER", "NORMAL_UNSPECIFIED", "ATTENDED_TRANSFER",
    "BLIND_TRANSFER", "PICKED_OFF", "MANAGER_REQUEST", "SYSTEM_SHUTDOWN",
}  # fmt: skip
MAX_SEEN = 200_000
"""Recent leg uuids remembered to skip repeated rows."""
WINDOW_S = 3600.0
"""A leg waits this long (by end time) for the other leg of its call before it is read alone."""


def sniff(path: Path) -> bool:
    """A CSV whose rows carry a hang-up cause and leg UUIDs where the default template has them,
    or whose header names ``uuid`` and ``start_stamp``."""
    try:
        text = head_bytes(path).decode("utf-8-sig", "replace")
    except OSError:
        return False
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        low = line.lower()
        if "uuid" in low and "start_stamp" in low:
            return True
        cells = [c.strip().strip('"') for c in line.split(",")]
        return len(cells) >= 12 and cells[9] in _CAUSES
    return False


@dataclass
class _Leg:
    uuid: str
    bleg: str
    dest: str
    start: float
    answer: float | None
    end: float
    cause: str
    where: str
    cc: dict[str, str]


def _leg(row: list[str], col: dict[str, int], opts: Options, where: str) -> _Leg:
    def get(name: str) -> str:
        i = col.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    start = parse_time(get("start_stamp"), opts.tz)
    answer = get("answer_stamp")
    end = get("end_stamp")
    cc = {k: get(k) for k in col if k.startswith("cc_") or k == "bridge_epoch"}
    return _Leg(
        uuid=get("uuid"),
        bleg=get("bleg_uuid"),
        dest=get("destination_number"),
        start=start,
        answer=parse_time(answer, opts.tz) if answer else None,
        end=parse_time(end, opts.tz) if end else start,
        cause=get("hangup_cause").upper(),
        where=where,
        cc=cc,
    )


def _events(a: _Leg, b: _Leg | None, opts: Options) -> list[Event]:
    out = [Event(a.start, "start"), Event(a.start, "enter", a.dest)]
    cc = a.cc
    joined = cc.get("cc_queue_joined_epoch", "")
    if joined:
        queue = cc.get("cc_queue", "").split("@")[0] or a.dest
        out.append(Event(parse_time(joined, opts.tz), "enter", queue))
        answered = cc.get("cc_queue_answered_epoch") or cc.get("bridge_epoch", "")
        if answered and answered != "0":
            out.append(
                Event(parse_time(answered, opts.tz), "answer", queue, agent=cc.get("cc_agent", ""))
            )
            out.append(Event(a.end, "end"))
            return out
        cancel = cc.get("cc_queue_canceled_epoch", "")
        reason = cc.get("cc_cancel_reason", "").upper()
        t = parse_time(cancel, opts.tz) if cancel and cancel != "0" else a.end
        if reason in ("TIMEOUT", "NO_AGENT_TIMEOUT", "EXIT_WITH_KEY"):
            out.append(Event(t, "leave", queue))
            out.append(Event(a.end, "end"))
        else:
            out.append(Event(t, "abandon", queue))
        return out
    if b is not None and b.answer is not None:
        out.append(Event(b.answer, "answer", b.dest, agent=b.dest))
        out.append(Event(max(a.end, b.answer), "end"))
        return out
    if a.cause == "ORIGINATOR_CANCEL" or (
        b is not None and b.answer is None and a.cause != "NORMAL_CLEARING"
    ):
        out.append(Event(a.end, "abandon"))
    else:
        out.append(Event(a.end, "end"))
    return out


def read(paths: Sequence[Path], report: ReadReport, opts: Options) -> Iterator[Call]:
    """Calls from FreeSWITCH CDR files (see the module notes)."""
    seen: OrderedDict[str, None] = OrderedDict()  # recent uuids (bounded), to skip copies
    waiting_a: dict[str, _Leg] = {}  # A legs waiting for their B leg, by the B leg's uuid
    loose: dict[str, _Leg] = {}  # legs with no B leg: an A leg alone, or someone's B leg
    latest = float("-inf")

    def emit(a: _Leg, b: _Leg | None) -> Call:
        report.calls += 1
        return Call(_events(a, b, opts), where=a.where)

    def flush_old() -> Iterator[Call]:
        cutoff = latest - WINDOW_S
        for uid in [u for u, leg in loose.items() if leg.end < cutoff]:
            yield emit(loose.pop(uid), None)
        for uid in [u for u, leg in waiting_a.items() if leg.end < cutoff]:
            yield emit(waiting_a.pop(uid), None)

    for path in paths:
        name = path.name
        rows = csv_rows(path)
        col = {c: i for i, c in enumerate(DEFAULT_COLUMNS)}
        first = True
        for line, row in rows:
            if first:
                first = False
                low = [c.strip().lower() for c in row]
                if "uuid" in low and "start_stamp" in low:
                    col = {c: i for i, c in enumerate(low)}
                    continue
            report.rows += 1
            if row[0] == "\x00csv-error":
                report.bad(name, line, "unreadable CSV", row[1])
                continue
            if len(row) < min(len(col), 12):
                report.bad(name, line, f"{len(row)} columns, not {len(col)}")
                continue
            try:
                leg = _leg(row, col, opts, f"{name}:{line}")
            except ValueError as exc:
                report.bad(name, line, "bad timestamp", str(exc))
                continue
            if not leg.uuid:
                report.bad(name, line, "no uuid")
                continue
            if leg.uuid in seen:
                report.bad(name, line, "duplicate record", "a leg already read")
                continue
            seen[leg.uuid] = None
            if len(seen) > MAX_SEEN:
                seen.popitem(last=False)
            latest = max(latest, leg.end)
            if leg.bleg:
                b = loose.pop(leg.bleg, None)
                if b is not None:
                    yield emit(leg, b)
                else:
                    waiting_a[leg.bleg] = leg
            elif leg.uuid in waiting_a:
                yield emit(waiting_a.pop(leg.uuid), leg)
            else:
                loose[leg.uuid] = leg
            if report.rows % 10_000 == 0:
                yield from flush_old()
    for a in waiting_a.values():
        yield emit(a, None)
    for leg in loose.values():
        yield emit(leg, None)
