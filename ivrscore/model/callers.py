"""Who calls, and why: tasks, caller personas, patience and arrival profiles.

Every default caller parameter cites where its number comes from
(``shared/research/guidelines.md`` section 2 in the project repository, summarised in
``docs/caller-model.md``). Where no source gives a number, the docstring says so: those defaults
are assumptions to replace with your own call data.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from .base import Meta, Model, meta_field

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "ARRIVAL_PRESETS",
    "AnsweredWait",
    "Arrivals",
    "Distribution",
    "Exponential",
    "Lognormal",
    "NoPatience",
    "Patience",
    "Persona",
    "QueueWait",
    "Task",
    "arrival_weights",
]

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Seconds = Annotated[float, Field(gt=0.0)]
NonNegSeconds = Annotated[float, Field(ge=0.0)]


class Task(Model):
    """A reason people call, with the share of callers who have it."""

    name: str = Field(min_length=1)
    """Task id, used by ``handles:`` on agents and self-service nodes."""
    share: Probability
    """Share of callers with this task; the shares of all tasks sum to 1."""
    description: str | None = None
    """Optional words for reports."""
    words: tuple[str, ...] = ()
    """Words a caller with this task listens for in menu options, e.g. ``[cancel, leave]``.

    Default: the words of the task's name (``report_fault`` listens for "report" and "fault").
    Matching ignores case and plain endings ("faults", "moving" match "fault", "move").
    """
    meta: Meta = meta_field()


class Exponential(Model):
    """Exponential distribution with the given mean (memoryless: the case ``analyze`` solves exactly)."""

    distribution: Literal["exponential"] = "exponential"
    mean_s: Seconds
    """Mean in seconds."""

    @property
    def mean(self) -> float:
        """Mean in seconds."""
        return self.mean_s


class Lognormal(Model):
    """Log-normal distribution given by its median and the standard deviation of its log."""

    distribution: Literal["lognormal"]
    median_s: Seconds
    """Median in seconds (``exp(mu)``)."""
    sigma: Annotated[float, Field(gt=0.0, le=5.0)]
    """Standard deviation of ``log(X)``."""

    @property
    def mean(self) -> float:
        """Mean in seconds: ``median * exp(sigma**2 / 2)``."""
        return self.median_s * math.exp(self.sigma**2 / 2.0)


class NoPatience(Model):
    """Callers who never hang up on their own."""

    distribution: Literal["none"]

    @property
    def mean(self) -> float:
        """Infinite."""
        return math.inf


def _distribution_tag(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("distribution", "exponential"))
    return str(getattr(value, "distribution", "exponential"))


Distribution = Annotated[
    Annotated[Exponential, Tag("exponential")] | Annotated[Lognormal, Tag("lognormal")],
    Discriminator(_distribution_tag),
]
"""A duration distribution: exponential ``{mean_s}`` (the default) or lognormal
``{distribution: lognormal, median_s, sigma}``."""


class AnsweredWait(Model):
    """A queue's wait given as the average speed of answer (ASA) of the calls it answers, as
    call statistics report it. The engines turn it into the wait a caller with unlimited
    patience would face, through the callers' patience (answered callers are the ones whose
    wait was short): ``mean = asa * patience / (patience - asa)`` for exponential waits and
    patience."""

    asa_s: Seconds
    """Average seconds to answer, over answered calls."""

    @property
    def distribution(self) -> str:
        return "asa"


def _wait_tag(value: Any) -> str:
    if isinstance(value, dict):
        if "asa_s" in value and "distribution" not in value:
            return "asa"
        return str(value.get("distribution", "exponential"))
    return str(getattr(value, "distribution", "exponential"))


QueueWait = Annotated[
    Annotated[Exponential, Tag("exponential")]
    | Annotated[Lognormal, Tag("lognormal")]
    | Annotated[AnsweredWait, Tag("asa")],
    Discriminator(_wait_tag),
]
"""A queue's wait: the wait a caller with unlimited patience would face - exponential
``{mean_s}`` (the default) or log-normal ``{distribution: lognormal, median_s, sigma}`` - or the
answered calls' average speed of answer ``{asa_s}``."""

Patience = Annotated[
    Annotated[Exponential, Tag("exponential")]
    | Annotated[Lognormal, Tag("lognormal")]
    | Annotated[NoPatience, Tag("none")],
    Discriminator(_distribution_tag),
]
"""How long a caller waits before hanging up: exponential ``{mean_s}`` (the default), lognormal
``{distribution: lognormal, median_s, sigma}`` or ``{distribution: none}``."""


class Persona(Model):
    """A kind of caller: how patient, how fast, how error-prone.

    Every default is documented with its source; change them to match your callers.
    """

    name: str = "typical"
    """Persona name for reports."""
    share: Probability = 1.0
    """Share of callers of this persona; the shares of all personas sum to 1."""
    patience: Patience = Field(default_factory=lambda: Exponential(mean_s=240.0))
    """Time the caller will spend not yet being helped (prompts, inputs, queues) before hanging up.

    Default: exponential, mean 240 s. No source gives a pre-queue IVR patience distribution
    (guidelines section 4, note 10); queue-patience studies suggest exponential or log-normal
    with a mean of 2-10 minutes (Gans, Koole & Mandelbaum 2003; Mandelbaum & Zeltyn's example
    uses 2 minutes). 4 minutes sits inside that range. Exponential patience is memoryless, which
    is what makes the exact analysis possible.
    """
    barge_in: Probability = 0.3
    """Share of callers who press their key as soon as they hear their option.

    Default 0.3: an assumption. Sources agree that dial-through must be allowed (GetHuman v1.0 #7;
    AS/NZS 4263 §2.3-2.4) but none measured how many callers use it.
    """
    response_s: NonNegSeconds = 1.35
    """Time from hearing the option (or the end of the prompt) to the key press.

    Default 1.35 s: the Keystroke-Level Model's mental-preparation operator M (Card, Moran &
    Newell 1983).
    """
    digit_s: NonNegSeconds = 0.6
    """Time per digit when keying data (account numbers, dates).

    Default 0.6 s: between the KLM keystroke times for random letters (0.50 s) and complex codes
    (0.75 s) (Card, Moran & Newell 1983); consistent with Deininger (1960), 5.9-6.2 s to key a
    whole telephone number on a push-button pad.
    """
    choice_error: Probability = 0.05
    """Chance of picking a wrong option at a menu of two task options; grows with the number of
    task options (the zero-out to a person, ``*``, ``#`` and a replay of the menu do not count).

    Default 0.05: an assumption (no source measured menu mis-selection directly; one consulting
    case reports 41% of callers misrouted overall, fonolo 2010). The growth with breadth follows
    the Hick-Hyman law: the chance of a correct choice is ``(1 - choice_error) ** log2(n)``
    for a menu of ``n`` options.
    """
    input_error: Probability = 0.03
    """Chance that one attempt at keying data fails.

    Default 0.03: the upper end of the 1.3-3.0% of telephone numbers keyed with errors on
    push-button pads (Deininger 1960, via a secondary summary).
    """
    wants_human: Probability = 0.1
    """Share of callers who want a person: they take a zero-out to a human whenever one is
    offered, and press 0 anyway at a menu that offers none (an invalid key: the menu replays,
    then ``on_failure``).

    Default 0.1: an assumption. No quantitative source for zero-out rates was found (guidelines
    section 4, note 12).
    """
    accepts_callback: Probability = 0.5
    """Share of callers offered a callback in a queue (``callback:`` on the queue) who take it.

    Default 0.5: an assumption; no source measured take-up of queue callback offers.
    """
    meta: Meta = meta_field()

    def choice_error_at(self, n_options: int) -> float:
        """Chance of a wrong choice at a menu of ``n_options`` options (Hick-Hyman growth).

        Examples
        --------
        >>> p = Persona()
        >>> round(p.choice_error_at(2), 4), round(p.choice_error_at(8), 4)
        (0.05, 0.1426)
        >>> p.choice_error_at(1)
        0.0
        """
        if n_options <= 1:
            return 0.0
        return float(1.0 - (1.0 - self.choice_error) ** math.log2(n_options))


ARRIVAL_PRESETS = ("uniform", "office_hours")
"""Named arrival profiles: ``uniform`` (every hour of the week alike) and ``office_hours`` (a
typical weekly contact-centre profile)."""

Arrivals = Literal["uniform", "office_hours"] | list[list[float]]
"""When calls arrive across the week: a preset name or a 7x24 table of weights (Monday first)."""

# Hourly shape of a weekday's arrivals: near zero at night, a main peak mid-morning and a
# smaller one early afternoon, the shape of the intraday arrival curves in Gans, Koole &
# Mandelbaum (2003), "Telephone call centers: tutorial, review and research prospects", MSOM 5(2).
_WEEKDAY_SHAPE = (
    0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 2.5, 5.5, 8.0, 8.6, 8.2,
    7.2, 7.6, 7.8, 7.2, 6.4, 5.2, 3.6, 2.6, 2.0, 1.4, 0.8, 0.4,
)  # fmt: skip
# Weekend days: later start, lower volume.
_WEEKEND_SHAPE = (
    0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 2.0, 3.6, 4.4, 4.6,
    4.4, 4.0, 3.6, 3.2, 2.8, 2.4, 2.0, 1.6, 1.2, 0.9, 0.6, 0.3,
)  # fmt: skip
# Day-of-week volume: Monday highest, falling through the week (a common contact-centre pattern).
_DAY_FACTOR = (1.2, 1.05, 1.0, 1.0, 0.95, 0.55, 0.3)


def arrival_weights(arrivals: Arrivals) -> NDArray[np.float64]:
    """Probability of a call arriving in each hour of the week, as a ``(7, 24)`` array summing to 1.

    Parameters
    ----------
    arrivals : {"uniform", "office_hours"} or 7x24 list of weights
        ``office_hours`` is a typical weekly contact-centre profile: weekday peaks at 10:00 and
        14:00, quieter weekends, Monday the busiest day.

    Examples
    --------
    >>> w = arrival_weights("office_hours")
    >>> w.shape, round(float(w.sum()), 9)
    ((7, 24), 1.0)
    >>> bool(w[0, 10] > w[6, 10] > w[0, 3])
    True
    """
    import numpy as np  # numpy loads when a table is made, not with the model

    table = np.asarray(hourly_arrivals(arrivals), dtype=float).reshape(7, 24)
    out: NDArray[np.float64] = table / table.sum()
    return out


def hourly_arrivals(arrivals: Arrivals) -> list[float]:
    """The 168 hourly weights of the week (Monday 00:00 first), as given: not normalised.

    The plain-Python form of :func:`arrival_weights` (a linter reads it without numpy).

    Examples
    --------
    >>> w = hourly_arrivals("office_hours")
    >>> len(w), round(w[10], 2), round(w[24 * 6 + 10], 2)
    (168, 10.32, 1.32)
    """
    if isinstance(arrivals, str):
        if arrivals == "uniform":
            return [1.0] * 168
        if arrivals == "office_hours":
            return [
                h * _DAY_FACTOR[d]
                for d in range(7)
                for h in (_WEEKDAY_SHAPE if d < 5 else _WEEKEND_SHAPE)
            ]
        raise ValueError(f"unknown arrivals preset {arrivals!r}")
    return [float(x) for row in arrivals for x in row]


def check_arrival_table(value: Any) -> Any:
    """Validate a 7x24 arrival table (used by the tree model)."""
    if isinstance(value, str):
        return value
    rows = list(value) if isinstance(value, list | tuple) else []
    if len(rows) != 7 or any(not isinstance(r, list | tuple) or len(r) != 24 for r in rows):
        raise ValueError(
            "arrivals must be 'uniform', 'office_hours' or a table of 7 rows (Monday first) "
            "of 24 hourly weights"
        )
    flat = [float(x) for r in rows for x in r]
    if any(x < 0 or not math.isfinite(x) for x in flat) or sum(flat) <= 0:
        raise ValueError("arrival weights must be finite, non-negative and not all zero")
    return value
