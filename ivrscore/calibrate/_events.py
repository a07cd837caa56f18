"""The common form every log reader produces: calls as ordered events, and what was skipped.

Every reader (one per platform's log format) turns its rows into :class:`Call` objects whose
events use one small vocabulary, the one the generic CSV event log is written in
(:data:`EVENTS`). The rest of :mod:`ivrscore.calibrate` only ever sees that form.

Times are seconds on the call centre's wall clock, counted like POSIX time (a naive local
timestamp read as if it were UTC), so the hour of the week is plain arithmetic.
"""

from __future__ import annotations

import gzip
import io
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import IO

from ..engine._compile import OUTCOMES
from ..exceptions import IvrscoreError

__all__ = [
    "EVENTS",
    "OUTCOME_NAMES",
    "Call",
    "Event",
    "LogFileError",
    "ReadReport",
    "hour_of_week",
    "open_text",
    "parse_time",
    "redact",
]

EVENTS = (
    "start",
    "enter",
    "key",
    "no_input",
    "invalid",
    "input",
    "input_failed",
    "answer",
    "transfer",
    "leave",
    "abandon",
    "end",
)
"""The event vocabulary of a call (the ``event`` column of the generic CSV log).

``start``: the call arrives; ``enter``: the caller reaches ``node``; ``key``: the caller pressed
``key`` at ``node``; ``no_input``: silence until the timeout at ``node``; ``invalid``: a key
``node`` does not take; ``input`` / ``input_failed``: data keyed at ``node`` was accepted /
rejected; ``answer``: a person answered (``node`` is the queue or the agent, ``agent`` names
them); ``transfer``: the person passed the call on; ``leave``: the caller left a queue unanswered
without hanging up (a timeout, a key, a callback); ``abandon``: the caller hung up before being
helped; ``end``: the call ended, with ``outcome`` when the log knows it.
"""

OUTCOME_NAMES = OUTCOMES
"""The six outcomes of the caller model (an ``end`` event's ``outcome``)."""

_EPOCH = datetime(1970, 1, 1)
_MONDAY_OFFSET = 3  # 1970-01-01 was a Thursday: day 0 + 3 = Monday-based weekday


class LogFileError(IvrscoreError):
    """A call log cannot be read as the format it was given (or detected) as.

    Its message is one line naming the file and, when known, the line.

    Examples
    --------
    >>> str(LogFileError("no header line", file="calls.csv", line=1))
    'calls.csv:1: no header line'
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        self.file = file
        self.line = line
        where = f"{file}:{line}: " if file and line else f"{file}: " if file else ""
        super().__init__(redact(where + message))


@dataclass(slots=True)
class Event:
    """One thing that happened in a call.

    Attributes
    ----------
    t : float
        Wall-clock seconds (see the module notes).
    kind : str
        One of :data:`EVENTS`.
    node : str
        The node the event happened at, as the log names it (a tree node id or a platform id);
        empty when the event has none.
    key : str
        The key pressed (``key`` and ``invalid`` events).
    outcome : str
        One of :data:`OUTCOME_NAMES` (``end`` events), or empty.
    agent : str
        Who answered (``answer`` events), when the log names people.
    """

    t: float
    kind: str
    node: str = ""
    key: str = ""
    outcome: str = ""
    agent: str = ""


@dataclass(slots=True)
class Call:
    """One call: its events in time order, and the caller's task when the log records it.

    The call's own id is not kept: nothing downstream needs it, and reports must not show it.
    """

    events: list[Event]
    task: str = ""
    where: str = ""
    """``file:line`` of the call's first row, for messages."""


MAX_MESSAGES = 20
"""Bad rows quoted in a report (the rest are counted)."""


@dataclass
class ReadReport:
    """What reading the logs found: rows read and skipped (with reasons), calls produced.

    Attributes
    ----------
    files : list of str
        File names read (without folders).
    format : str
        The log format.
    rows : int
        Rows (lines, records or JSON objects) read.
    skipped : int
        Rows skipped as unreadable; each reason is counted in ``reasons`` and the first
        :data:`MAX_MESSAGES` are quoted in ``messages`` as ``file:line: message``.
    ignored : Counter
        Rows read but not about callers' journeys (agent log-ins, reloads ...), by kind.
    calls : int
        Calls produced.
    max_open : int
        Most calls held open at once while reading (what bounds the memory of a long log).
    """

    files: list[str] = field(default_factory=list)
    format: str = ""
    rows: int = 0
    skipped: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)
    calls: int = 0
    notes: list[str] = field(default_factory=list)
    max_open: int = 0

    def bad(self, file: str, line: int | None, reason: str, detail: str = "") -> None:
        """Count a skipped row: ``reason`` is the kind (counted), ``detail`` the specifics."""
        self.skipped += 1
        self.reasons[reason] += 1
        if len(self.messages) < MAX_MESSAGES:
            where = f"{Path(file).name}:{line}" if line else Path(file).name
            text = f"{reason}: {detail}" if detail else reason
            self.messages.append(redact(f"{where}: {text}"))

    def note(self, text: str) -> None:
        """Record a remark about the logs as a whole (once)."""
        text = redact(text)
        if text not in self.notes:
            self.notes.append(text)

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {
            "files": self.files,
            "format": self.format,
            "rows": self.rows,
            "skipped": self.skipped,
            "reasons": dict(self.reasons),
            "messages": self.messages,
            "ignored": dict(self.ignored),
            "calls": self.calls,
            "max_open": self.max_open,
            "notes": self.notes,
        }


_NUMBER = re.compile(r"\+?\d(?:[ .()/-]?\d){6,}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def redact(text: str) -> str:
    """Mask anything that looks like a telephone number or a customer id: 7 or more digits,
    possibly with single separators (``+44 20 7946 0958``), that is not a date.

    Every string that comes from a log into a message or a report (quoted bad rows, ids the
    tree does not have, task codes, file names) passes through here first, so nothing quoted
    from a log can leak a caller's number.

    Examples
    --------
    >>> redact("bad caller id +44 20 7946 0958 on line 3")
    'bad caller id <number> on line 3'
    >>> redact("customer 27644400, queue 3000, 2024-03-04 10:15")
    'customer <number>, queue 3000, 2024-03-04 10:15'
    """

    def mask(m: re.Match[str]) -> str:
        s = m.group(0)
        if _DATE.match(s.lstrip("+")):
            return s
        return "<number>"

    return _NUMBER.sub(mask, text)


def open_text(path: str | Path) -> IO[str]:
    """Open a log for reading as text: UTF-8 (a BOM is skipped), gzip when it ends in ``.gz``;
    undecodable bytes become U+FFFD instead of stopping the read."""
    p = Path(path)
    if p.suffix == ".gz":
        return io.TextIOWrapper(
            gzip.open(p, "rb"), encoding="utf-8-sig", errors="replace", newline=""
        )
    return open(p, encoding="utf-8-sig", errors="replace", newline="")


def head_bytes(path: str | Path, n: int = 4096) -> bytes:
    """The first ``n`` bytes of a log (decompressed when it ends in ``.gz``)."""
    p = Path(path)
    opener = gzip.open if p.suffix == ".gz" else open
    with opener(p, "rb") as f:
        out: bytes = f.read(n)
    return out


_FALLBACK_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M",
)


def to_seconds(dt: datetime, tz: tzinfo | None = None) -> float:
    """Wall-clock seconds of a datetime (aware ones are first converted to ``tz`` if given)."""
    if dt.tzinfo is not None:
        if tz is not None:
            dt = dt.astimezone(tz)
        dt = dt.replace(tzinfo=None)
    return (dt - _EPOCH).total_seconds()


def parse_time(text: str, tz: tzinfo | None = None) -> float:
    """Wall-clock seconds from a timestamp in a log.

    Accepts ISO 8601 (``2024-03-04T10:15:02``, ``2024-03-04 10:15:02.5``, with ``Z`` or an
    offset), POSIX seconds (``1709547302``, or milliseconds and microseconds, told apart by
    size) and a few spreadsheet forms (``2020/2/10 22:41``). A timestamp with a zone is
    converted to ``tz`` when given, else read in its own zone.

    Raises
    ------
    ValueError
        Not a timestamp.

    Examples
    --------
    >>> parse_time("1970-01-02T00:00:01")
    86401.0
    >>> parse_time("2020/2/10 22:41") == parse_time("2020-02-10T22:41:00")
    True
    >>> parse_time("1709547302000") == parse_time("1709547302")
    True
    """
    s = text.strip()
    if not s:
        raise ValueError("empty timestamp")
    if s[0].isdigit() and s.replace(".", "", 1).isdigit():
        value = float(s)
        if value > 1e14:  # microseconds
            value /= 1e6
        elif value > 1e11:  # milliseconds
            value /= 1e3
        if tz is not None:
            return to_seconds(datetime.fromtimestamp(value, timezone.utc), tz)
        return value
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    try:
        return to_seconds(datetime.fromisoformat(s), tz)
    except ValueError:
        pass
    for fmt in _FALLBACK_FORMATS:
        try:
            return to_seconds(datetime.strptime(s, fmt), tz)
        except ValueError:
            continue
    raise ValueError(f"not a timestamp: {text.strip()[:40]!r}")


def as_datetime(t: float) -> datetime:
    """The wall-clock datetime of seconds from :func:`parse_time`."""
    return _EPOCH + timedelta(seconds=t)


def hour_of_week(t: float) -> int:
    """Hour of the week, 0 = Monday 00:00-01:00, 167 = Sunday 23:00-24:00.

    Examples
    --------
    >>> hour_of_week(parse_time("2024-03-04T10:30:00"))  # a Monday
    10
    >>> hour_of_week(parse_time("2024-03-10T23:59:59"))  # a Sunday
    167
    """
    hours = math.floor(t / 3600.0)
    day = (hours // 24 + _MONDAY_OFFSET) % 7
    return int(day * 24 + hours % 24)


def iter_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of a text log, without line endings."""
    with open_text(path) as f:
        for n, line in enumerate(f, 1):
            yield n, line.rstrip("\r\n")
