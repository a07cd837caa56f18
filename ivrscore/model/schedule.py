"""Opening hours: ``{mon-fri: "08:00-18:00", sat: "09:00-13:00"}``.

A schedule maps day specifications to time ranges, in the local time of the call:

* days: ``mon`` … ``sun``, ranges ``mon-fri`` (they may wrap: ``fri-mon``), lists ``sat,sun``,
  and the words ``daily``, ``weekdays``, ``weekends``;
* times: ``"08:00-18:00"``, several ranges a day ``"08:00-12:00, 13:00-17:00"``, overnight ranges
  ``"22:00-06:00"`` (open from 22:00 that day until 06:00 the next), ``"24h"`` and ``"closed"``.

A day named in two entries is open at the union of their ranges.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic import PrivateAttr, RootModel, model_validator

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["DAYS", "Schedule", "parse_days", "parse_ranges"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Day abbreviations, Monday first (ISO weekday order)."""

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

_DAY_WORDS = {
    "daily": tuple(range(7)),
    "everyday": tuple(range(7)),
    "weekdays": tuple(range(5)),
    "weekends": (5, 6),
}
_DAY_ALIASES = {
    "monday": 0,
    "tuesday": 1,
    "tues": 1,
    "wednesday": 2,
    "thursday": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def _day_index(word: str) -> int:
    w = word.strip().lower()
    if w in DAYS:
        return DAYS.index(w)
    if w in _DAY_ALIASES:
        return _DAY_ALIASES[w]
    raise ValueError(f"unknown day {word!r}; use mon, tue, wed, thu, fri, sat or sun")


def parse_days(spec: str) -> tuple[int, ...]:
    """Parse a day specification into weekday indices (Monday = 0).

    Parameters
    ----------
    spec : str
        ``"mon"``, ``"mon-fri"``, ``"sat,sun"``, ``"fri-mon"``, ``"daily"``, ``"weekdays"`` or
        ``"weekends"``, or a comma-separated mix of them.

    Returns
    -------
    tuple of int
        Sorted, without repeats.

    Examples
    --------
    >>> parse_days("mon-fri")
    (0, 1, 2, 3, 4)
    >>> parse_days("fri-mon")
    (0, 4, 5, 6)
    >>> parse_days("weekends, wed")
    (2, 5, 6)
    """
    out: set[int] = set()
    for part in str(spec).split(","):
        p = part.strip().lower().replace(" ", "")
        if not p:
            raise ValueError(f"empty day in {spec!r}")
        if p in _DAY_WORDS:
            out.update(_DAY_WORDS[p])
        elif "-" in p:
            a, b = p.split("-", 1)
            i, j = _day_index(a), _day_index(b)
            k = i
            while True:
                out.add(k)
                if k == j:
                    break
                k = (k + 1) % 7
        else:
            out.add(_day_index(p))
    return tuple(sorted(out))


def _minutes(text: str, *, end: bool) -> int:
    m = _TIME.match(text.strip())
    if not m:
        raise ValueError(f"bad time {text.strip()!r}; write HH:MM, e.g. 08:30")
    h, mi = int(m.group(1)), int(m.group(2))
    if mi > 59 or h > 24 or (h == 24 and (mi != 0 or not end)):
        raise ValueError(f"bad time {text.strip()!r}; hours run 00-23 (24:00 only as an end)")
    return h * 60 + mi


def parse_ranges(spec: Any) -> tuple[tuple[int, int], ...]:
    """Parse a day's opening times into ``(start, end)`` minutes after that day's midnight.

    An overnight range ends after 1440 (the next day's minutes continue the count).

    Parameters
    ----------
    spec : str
        ``"08:00-18:00"``, ``"08:00-12:00, 13:00-17:00"``, ``"22:00-06:00"``, ``"24h"`` or
        ``"closed"``.

    Returns
    -------
    tuple of (int, int)

    Examples
    --------
    >>> parse_ranges("08:00-12:00, 13:30-17:00")
    ((480, 720), (810, 1020))
    >>> parse_ranges("22:00-06:00")
    ((1320, 1800),)
    >>> parse_ranges("closed")
    ()
    """
    if isinstance(spec, bool) or not isinstance(spec, str):
        raise ValueError(
            f'opening times must be a quoted string like "08:00-18:00", not {spec!r}'
            " (unquoted times can be read by YAML as numbers)"
        )
    text = spec.strip().lower()
    if text in ("closed", "none", ""):
        return ()
    if text in ("24h", "24/7", "all day", "open"):
        return ((0, MINUTES_PER_DAY),)
    out = []
    for part in text.split(","):
        if "-" not in part:
            raise ValueError(
                f"bad time range {part.strip()!r}; write HH:MM-HH:MM, e.g. 08:00-18:00"
            )
        a, b = part.split("-", 1)
        start, stop = _minutes(a, end=False), _minutes(b, end=True)
        if stop == start:
            raise ValueError(f'time range {part.strip()!r} is empty; for all day write "24h"')
        if stop < start:
            stop += MINUTES_PER_DAY  # overnight: runs into the next day
        out.append((start, stop))
    return tuple(sorted(out))


class Schedule(RootModel[dict[str, Any]]):
    """Named opening hours, e.g. ``{"mon-fri": "08:00-18:00", "sat": "09:00-13:00"}``.

    The mapping is kept as written (so it round-trips); the parsed week is held as half-open
    ``[start, end)`` intervals in minutes after Monday 00:00.

    Examples
    --------
    >>> office = Schedule({"mon-fri": "08:00-18:00", "sat": "09:00-13:00"})
    >>> office.is_open(0, 8 * 60), office.is_open(5, 13 * 60), office.is_open(6, 10 * 60)
    (True, False, False)
    >>> office.hours_per_week
    54.0
    >>> night = Schedule({"fri": "22:00-06:00"})
    >>> night.is_open(5, 5 * 60)  # Saturday 05:00 is inside Friday's overnight range
    True
    """

    model_config = {"frozen": True}

    _intervals: tuple[tuple[int, int], ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _parse(self) -> Schedule:
        spans: list[tuple[int, int]] = []
        for days, times in self.root.items():
            try:
                idx = parse_days(days)
            except ValueError as exc:
                raise ValueError(f"in {days!r}: {exc}") from None
            try:
                ranges = parse_ranges(times)
            except ValueError as exc:
                raise ValueError(f"{days}: {exc}") from None
            for d in idx:
                for start, stop in ranges:
                    a = d * MINUTES_PER_DAY + start
                    b = d * MINUTES_PER_DAY + stop
                    if b <= MINUTES_PER_WEEK:
                        spans.append((a, b))
                    else:  # Sunday overnight wraps to Monday morning
                        spans.append((a, MINUTES_PER_WEEK))
                        spans.append((0, b - MINUTES_PER_WEEK))
        self._intervals = _merge(spans)
        return self

    @property
    def intervals(self) -> tuple[tuple[int, int], ...]:
        """Open intervals ``[start, end)`` in minutes after Monday 00:00, merged and sorted."""
        return self._intervals

    @property
    def hours_per_week(self) -> float:
        """Total opening hours in a week."""
        return sum(b - a for a, b in self._intervals) / 60.0

    def is_open(self, day: int, minute: float) -> bool:
        """Whether the schedule is open on weekday ``day`` (Monday = 0) at ``minute`` after midnight."""
        t = (day % 7) * MINUTES_PER_DAY + minute
        return any(a <= t < b for a, b in self._intervals)

    def open_fraction(self) -> NDArray[np.float64]:
        """Fraction of each hour of the week the schedule is open, as a ``(7, 24)`` array.

        Examples
        --------
        >>> float(Schedule({"mon": "08:30-09:00"}).open_fraction()[0, 8])
        0.5
        """
        import numpy as np  # numpy loads when a table is made, not with the model

        minute_open = np.zeros(MINUTES_PER_WEEK, dtype=bool)
        for a, b in self._intervals:
            minute_open[a:b] = True
        frac: NDArray[np.float64] = minute_open.reshape(7, 24, 60).mean(axis=2)
        return frac


def _merge(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return tuple(out)
