"""How many calls a line gets and who answers them: volume, agent pools and rosters.

Without ``volume:`` a staffed queue gives its own ``calls_per_hour`` and holds it every hour
of the week (Erlang A, as before). With a tree-level ``volume:`` the calls reaching each queue
follow from the menu: calls arriving in each hour of the week (``volume`` spread by
``arrivals``) times the visits the chain predicts per call, so a redesign that sends more
callers to a person makes that person's queue busier. Agents may be one number, a number per
schedule, or a 7x24 roster; several queues may share one ``pool:`` of agents.

Examples
--------
>>> v = Volume(calls_per_week=42_000)
>>> round(v.weekly(peak_share=0.02), 1)
42000.0
>>> round(Volume(peak_calls_per_hour=840).weekly(peak_share=0.02), 1)
42000.0
>>> roster_by_hour(6, {}).tolist()[:3]
[6, 6, 6]
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, field_validator, model_validator

from .base import Meta, Model, meta_field

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["MAX_AGENTS", "OTHERWISE", "Pool", "Roster", "Volume", "check_roster", "roster_by_hour"]

MAX_AGENTS = 100_000
"""The most agents one queue or pool may have in an hour."""

OTHERWISE = "otherwise"
"""The key of a per-schedule roster that gives the agents when none of its schedules is open."""

Roster = int | dict[str, int] | list[list[int]]
"""Agents: one number for every hour, ``{SCHEDULE: n, ..., otherwise: m}`` (the first listed
schedule open in an hour gives its agents; ``otherwise`` defaults to 0), or a table of 7 rows
(Monday first) of 24 hourly numbers."""


def check_roster(value: Any) -> Any:
    """Validate a roster's shape and numbers (used by the models below)."""
    if isinstance(value, bool):
        raise ValueError("agents must be a whole number, a number per schedule or a 7x24 table")
    if isinstance(value, int):
        if not 0 <= value <= MAX_AGENTS:
            raise ValueError(f"agents must be between 0 and {MAX_AGENTS:,}")
        return value
    if isinstance(value, dict):
        for k, n in value.items():
            if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_AGENTS:
                raise ValueError(
                    f"agents for {k!r} must be a whole number from 0 to {MAX_AGENTS:,}"
                )
        return value
    if isinstance(value, list | tuple):
        if len(value) != 7 or any(not isinstance(r, list | tuple) or len(r) != 24 for r in value):
            raise ValueError("an agent roster is 7 rows (Monday first) of 24 hourly numbers")
        for row in value:
            for n in row:
                if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_AGENTS:
                    raise ValueError(
                        f"roster entries are whole numbers of agents from 0 to {MAX_AGENTS:,}"
                    )
        return [list(r) for r in value]
    raise ValueError("agents must be a whole number, a number per schedule or a 7x24 table")


def roster_by_hour(roster: Roster, open_by_hour: dict[str, NDArray[np.bool_]]) -> NDArray[np.int64]:
    """Agents in each of the 168 hours of the week (Monday 00:00 first).

    ``open_by_hour`` gives, per schedule, whether it is open in each hour (at the hour's
    middle minute).
    """
    import numpy as np  # numpy loads when a table is made, not with the model

    if isinstance(roster, int):
        return np.full(168, roster, dtype=np.int64)
    if isinstance(roster, list):
        return np.asarray(roster, dtype=np.int64).reshape(168)
    out = np.full(168, int(roster.get(OTHERWISE, 0)), dtype=np.int64)
    decided = np.zeros(168, dtype=bool)
    for name, n in roster.items():
        if name == OTHERWISE:
            continue
        here = open_by_hour[name] & ~decided
        out[here] = n
        decided |= here
    return out


class Volume(Model):
    """How many calls the line gets: per week, or in its busiest hour (give one)."""

    calls_per_week: Annotated[float, Field(gt=0.0, le=1e9)] | None = None
    """Calls in a week; ``arrivals`` spreads them over its hours."""
    peak_calls_per_hour: Annotated[float, Field(gt=0.0, le=1e8)] | None = None
    """Calls in the busiest hour of the week (by ``arrivals``)."""
    meta: Meta = meta_field()

    @model_validator(mode="after")
    def _one(self) -> Volume:
        given = [k for k in ("calls_per_week", "peak_calls_per_hour") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(
                "volume needs exactly one of 'calls_per_week' or 'peak_calls_per_hour'"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    def weekly(self, peak_share: float) -> float:
        """Calls per week, given the busiest hour's share of the week's calls."""
        if self.calls_per_week is not None:
            return float(self.calls_per_week)
        assert self.peak_calls_per_hour is not None
        return float(self.peak_calls_per_hour) / peak_share


class Pool(Model):
    """People who answer several queues, first come first served."""

    agents: Roster
    """Agents on duty: one number, per schedule, or a 7x24 roster."""
    handle_time_s: Annotated[float, Field(ge=1e-3, le=1e7)]
    """Average handling time of a call, seconds."""
    meta: Meta = meta_field()

    _check_agents = field_validator("agents", mode="before")(check_roster)

    @property
    def schedules(self) -> list[str]:
        """The schedules a per-schedule roster names."""
        return [k for k in self.agents if k != OTHERWISE] if isinstance(self.agents, dict) else []


def asa_to_mean_wait(asa_s: float, patience_s: float) -> float:
    """The wait a caller with unlimited patience would face, from the average speed of answer
    of answered calls: with an exponential wait of mean ``m`` and exponential patience of mean
    ``p``, answered callers waited ``m p / (m + p)`` on average, so ``m = asa p / (p - asa)``.

    Examples
    --------
    >>> round(asa_to_mean_wait(60, 240), 6)
    80.0
    >>> asa_to_mean_wait(60, math.inf)
    60.0
    """
    if math.isinf(patience_s):
        return float(asa_s)
    if asa_s >= patience_s:
        raise ValueError(
            f"an average speed of answer of {asa_s:g} s is not possible with callers who hang "
            f"up after {patience_s:g} s on average: answered callers wait less than that"
        )
    return asa_s * patience_s / (patience_s - asa_s)
