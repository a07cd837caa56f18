"""Time of day: which schedules are open together, and how many calls arrive then.

A call happens at one moment, so every schedule is either open or closed for the whole call.
The week splits into *patterns* (which schedules are open); analyses condition on the pattern,
weighted by the share of calls that arrive while it holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model.schedule import MINUTES_PER_WEEK
from .model.tree import PhoneTree

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
    return minute_patterns(tree)[0]


def minute_patterns(tree: PhoneTree) -> tuple[list[Pattern], np.ndarray]:
    """The patterns (as :func:`patterns`) and, for each minute of the week (Monday 00:00
    first), the index of the pattern in force."""
    names = list(tree.schedules)
    if not names:
        return [Pattern({}, 1.0, 1.0)], np.zeros(MINUTES_PER_WEEK, dtype=np.int64)
    minute_open = np.zeros((len(names), MINUTES_PER_WEEK), dtype=bool)
    for i, name in enumerate(names):
        for a, b in tree.schedules[name].intervals:
            minute_open[i, a:b] = True
    codes = np.zeros(MINUTES_PER_WEEK, dtype=np.int64)
    for i in range(len(names)):
        codes |= minute_open[i].astype(np.int64) << i
    per_minute = np.repeat(tree.arrival_weights().reshape(-1) / 60.0, 60)
    ordered = np.sort(codes)  # np.unique, without the numpy.ma it imports (a linter's start)
    unique = ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]
    found = []
    for code in unique:
        mask = codes == code
        state = {name: bool((int(code) >> i) & 1) for i, name in enumerate(names)}
        found.append((Pattern(state, float(per_minute[mask].sum()), float(mask.mean())), int(code)))
    total = sum(p.calls for p, _ in found) or 1.0
    found = [(Pattern(p.open, p.calls / total, p.week), c) for p, c in found]
    found.sort(key=lambda pc: (-pc[0].calls, -pc[0].week))
    lookup = np.zeros(int(unique.max()) + 1, dtype=np.int64)
    for i, (_, code) in enumerate(found):
        lookup[code] = i
    return [p for p, _ in found], lookup[codes]
