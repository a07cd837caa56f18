"""Per-call records in the layout of the "Anonymous Bank" call-centre data (Technion, 1999).

The data: every call to the call centre of a small Israeli bank in 1999, one tab-separated
record per call, organised by Ilan Guedj and Avi Mandelbaum at the Technion's Service
Enterprise Engineering lab ("Anonymous Bank" call-center data, documentation of 9 February
2000; the data behind Brown et al. 2005, JASA). The documentation says the data is free for
use, and asks users to acknowledge the source and to notify Avi Mandelbaum.

Columns (17, with a header line): ``vru+line call_id customer_id priority type date vru_entry
vru_exit vru_time q_start q_exit q_time outcome ser_start ser_exit ser_time server``. A call
goes through the voice response unit (VRU), then, unless the caller hangs up there, to the
queue (``q_start`` is ``0:00:00`` when it goes straight to an agent) and to an agent
(``outcome`` ``AGENT``), or hangs up (``HANG``). ``PHANTOM`` records are virtual calls the
documentation says to ignore.

Each record becomes the events of one call at three nodes: ``vru``, ``queue`` (reached at
``vru_exit`` by every caller who leaves the VRU for a person, waiting ``q_time`` seconds, none
for a call that goes straight to an agent) and the agent who answers it, whose name is
``server``, for ``ser_time`` seconds. ``type`` (``PS``, ``PE``, ``IN``, ``NE``,
``NW``, ``TT``) is the caller's task. Name the tree's nodes ``vru`` and ``queue`` (or list those
ids under their ``meta.log_ids``); :func:`tree` is such a tree.

``call_id`` and ``customer_id`` are never read. Records the documentation's notes call
inconsistent are skipped and counted: a negative ``vru_time``, or a ``HANG`` with a service
time. A served call whose ``server`` is ``NO_SERVER`` is kept without an agent's name.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path

from .._events import Call, Event, LogFileError, ReadReport, head_bytes, to_seconds
from ._common import Options, csv_rows

__all__ = ["HEADER", "read", "sniff", "tree", "tree_path"]

HEADER = (
    "vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry", "vru_exit",
    "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time",
    "server",
)  # fmt: skip
"""The 17 columns, in order."""


def tree_path() -> Path:
    """The bundled phone tree of the Anonymous Bank call centre (``vru`` → ``queue`` → agent)."""
    return Path(str(resources.files(__package__.rsplit(".", 1)[0]) / "anonymous_bank.yaml"))


def tree() -> object:
    """The bundled tree, loaded (a :class:`~ivrscore.PhoneTree`).

    Examples
    --------
    >>> t = tree()
    >>> [n for n in t.nodes], t.task_names
    (['vru', 'queue', 'agent'], ('ps', 'nw', 'ne', 'tt', 'in', 'pe'))
    """
    from ...io import load

    return load(tree_path())


def sniff(path: Path) -> bool:
    """A tab-separated file whose header starts ``vru+line``."""
    try:
        return head_bytes(path, 64).lstrip(b"\xef\xbb\xbf").startswith(b"vru+line\t")
    except OSError:
        return False


def _clock(text: str) -> float:
    h, m, s = text.strip().split(":")
    return int(h) * 3600.0 + int(m) * 60.0 + int(s)


def read(paths: Sequence[Path], report: ReadReport, opts: Options) -> Iterator[Call]:
    """Calls from Anonymous Bank records (see the module notes)."""
    del opts  # the records are in local time and have no zone
    col = {name: i for i, name in enumerate(HEADER)}
    i_type, i_date, i_out, i_server = col["type"], col["date"], col["outcome"], col["server"]
    i_ve, i_vt = col["vru_entry"], col["vru_time"]
    i_qs, i_qt = col["q_start"], col["q_time"]
    i_st = col["ser_time"]
    no_server = 0
    for path in paths:
        name = path.name
        rows = csv_rows(path, delimiter="\t")
        head = next(rows, None)
        if head is None:
            report.note(f"{name} is empty")
            continue
        if [h.strip() for h in head[1][:3]] != list(HEADER[:3]):
            raise LogFileError(
                "not Anonymous Bank records: the header should start 'vru+line call_id "
                "customer_id'",
                file=name,
                line=head[0],
            )
        days: dict[str, float] = {}
        for line, row in rows:
            report.rows += 1
            if row[0] == "\x00csv-error" or len(row) < len(HEADER):
                report.bad(name, line, "not 17 tab-separated fields", f"{len(row)} fields")
                continue
            outcome = row[i_out].strip()
            if outcome == "PHANTOM":
                report.ignored[
                    "PHANTOM records (virtual calls the documentation says to ignore)"
                ] += 1
                continue
            if outcome not in ("AGENT", "HANG"):
                report.bad(name, line, "unknown outcome", repr(outcome[:12]))
                continue
            date = row[i_date].strip()
            try:
                base = days.get(date)
                if base is None:
                    yy, mm, dd = int(date[:2]), int(date[2:4]), int(date[4:6])
                    year = 1900 + yy if yy >= 50 else 2000 + yy
                    base = days[date] = to_seconds(datetime(year, mm, dd))
                entry = base + _clock(row[i_ve])
                vru_time = int(row[i_vt])
                q_start = _clock(row[i_qs])
                q_time = int(row[i_qt])
                ser_time = int(row[i_st])
            except (ValueError, IndexError):
                report.bad(name, line, "unreadable date, time or duration")
                continue
            if vru_time < 0 or q_time < 0 or ser_time < 0:
                report.bad(name, line, "negative duration (inconsistent record)")
                continue
            if outcome == "HANG" and ser_time > 0:
                report.bad(name, line, "HANG with a service time (inconsistent record)")
                continue
            vru_exit = entry + vru_time
            queued = q_start > 0 or q_time > 0
            events = [Event(entry, "start"), Event(entry, "enter", "vru")]
            if outcome == "HANG" and not queued:
                events.append(Event(vru_exit, "abandon", "vru"))
            else:
                events.append(Event(vru_exit, "enter", "queue"))
                leave = vru_exit + q_time
                if outcome == "HANG":
                    events.append(Event(leave, "abandon", "queue"))
                else:
                    server = row[i_server].strip()
                    if server == "NO_SERVER":
                        server = ""
                        no_server += 1
                    events.append(Event(leave, "answer", "queue", agent=server))
                    events.append(Event(leave + ser_time, "end", outcome="resolved_by_agent"))
            report.calls += 1
            yield Call(events, task=row[i_type].strip(), where=f"{name}:{line}")
    if no_server:
        report.note(
            f"{no_server:,} served calls name no agent (server NO_SERVER): kept, but not in the "
            "count of agents on duty"
        )
