"""Time of day: which schedules are open together, and how many calls arrive then.

A call happens at one moment, so every schedule is either open or closed for the whole call.
The week splits into *patterns* (which schedules are open); analyses condition on the pattern,
weighted by the share of calls that arrive while it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from .model.callers import hourly_arrivals
from .model.schedule import MINUTES_PER_WEEK
from .model.tree import PhoneTree

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Pattern", "minute_patterns", "patterns"]


@dataclass(frozen=True)
class Pattern:
    """One combination of open and closed schedules.

    Attributes
    ----------
    open : dict of str to bool
        Each schedule's state.
    calls : float
        Share of calls that arrive in this pattern (by the tree's ``arrivals``).
    week : float
        Share of the week's minutes in this pattern.
    """

    open: dict[str, bool]
    calls: float
    week: float

    def describe(self) -> str:
        """``"office open, moves_team closed"``, or ``"always"`` without schedules."""
        if not self.open:
            return "always"
        return ", ".join(f"{s} {'open' if o else 'closed'}" for s, o in self.open.items())


def patterns(tree: PhoneTree) -> list[Pattern]:
    """The open/closed patterns of the tree's schedules that occur in the week.

    Returns
    -------
    list of Pattern
        Sorted by share of calls, largest first; ``calls`` sums to 1. Patterns that occur only
        when no calls arrive keep ``calls == 0`` (a lint rule still cares about them).

    Examples
    --------
    >>> import ivrscore as ivr
    >>> ps = patterns(ivr.load(ivr.examples.path("acme_telecom")))
    >>> [p.describe() for p in ps]
    ['office open, moves_team open', 'office closed, moves_team closed', 'office open, moves_team closed']
    >>> round(sum(p.calls for p in ps), 9)
    1.0
    """
    return _patterns(tree)[0]


def _patterns(tree: PhoneTree) -> tuple[list[Pattern], list[int]]:
    """The patterns and each one's code (bit ``i`` set: the ``i``-th schedule open).

    Plain Python over the schedules' interval ends (a linter needs no numpy): the week splits
    into spans between consecutive ends, each span with one code; a span's calls are its
    minutes in each hour times that hour's weight per minute.
    """
    names = list(tree.schedules)
    if not names:
        return [Pattern({}, 1.0, 1.0)], [0]
    spans = [tree.schedules[name].intervals for name in names]
    ends = sorted({0, MINUTES_PER_WEEK, *(t for iv in spans for ab in iv for t in ab)})
    weight = hourly_arrivals(tree.arrivals)
    calls: dict[int, float] = {}
    minutes: dict[int, int] = {}
    for a, b in pairwise(ends):
        code = 0
        for i, iv in enumerate(spans):
            if any(lo <= a < hi for lo, hi in iv):
                code |= 1 << i
        got = 0.0
        for h in range(a // 60, (b - 1) // 60 + 1):
            got += (min(b, 60 * h + 60) - max(a, 60 * h)) * weight[h] / 60.0
        calls[code] = calls.get(code, 0.0) + got
        minutes[code] = minutes.get(code, 0) + (b - a)
    total = sum(calls.values()) or 1.0
    found = [
        (
            Pattern(
                {name: bool((code >> i) & 1) for i, name in enumerate(names)},
                calls[code] / total,
                minutes[code] / MINUTES_PER_WEEK,
            ),
            code,
        )
        for code in sorted(calls)
    ]
    found.sort(key=lambda pc: (-pc[0].calls, -pc[0].week))
    return [p for p, _ in found], [c for _, c in found]


def minute_patterns(tree: PhoneTree) -> tuple[list[Pattern], np.ndarray]:
    """The patterns (as :func:`patterns`) and, for each minute of the week (Monday 00:00
    first), the index of the pattern in force."""
    import numpy as np  # the engines' minute tables; the patterns themselves need none

    found, codes_of = _patterns(tree)
    index = np.zeros(MINUTES_PER_WEEK, dtype=np.int64)
    if len(found) == 1:
        return found, index
    codes = np.zeros(MINUTES_PER_WEEK, dtype=np.int64)
    for i, name in enumerate(tree.schedules):
        for a, b in tree.schedules[name].intervals:
            codes[a:b] |= 1 << i
    lookup = np.zeros(max(codes_of) + 1, dtype=np.int64)
    lookup[codes_of] = np.arange(len(found))
    return found, lookup[codes]
