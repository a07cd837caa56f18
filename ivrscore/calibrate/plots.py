"""Charts of a calibration (matplotlib): patience survival and hazard, observed against
predicted by hour of the week.

Each function draws on ``ax`` (default: a new figure), returns the Axes and never calls
``plt.show()``. matplotlib is imported when a chart is drawn.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .estimate import SurvivalFit

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ._result import Calibration

__all__ = ["hazard", "hourly", "survival"]

COLOURS = {
    "observed": "#4e79a7",
    "band": "#a0cbe8",
    "exponential": "#e15759",
    "lognormal": "#59a14f",
    "predicted": "#f28e2b",
}
"""Colours of the charts (Tableau 10 tones, as :mod:`ivrscore.plot`)."""


def _new_axes(ax: Axes | None, size: tuple[float, float] = (7.0, 4.0)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=size)
    return new


def _fit_of(obj: Calibration | SurvivalFit, which: str) -> SurvivalFit:
    if isinstance(obj, SurvivalFit):
        return obj
    fit = getattr(obj, which)
    if fit is None:
        raise ValueError(
            f"this calibration has no {which.replace('_', ' ')} (no queue in the logs)"
        )
    assert isinstance(fit, SurvivalFit)
    return fit


def _title(which: str) -> str:
    return {
        "patience": "patience over the whole call",
        "queue_patience": "patience from queue entry",
    }.get(which, which)


def survival(
    cal: Calibration | SurvivalFit,
    *,
    which: str = "queue_patience",
    ax: Axes | None = None,
    max_s: float | None = None,
) -> Axes:
    """The callers' patience: the Kaplan-Meier curve with its 95% band, and the exponential
    and log-normal fits.

    Parameters
    ----------
    cal : Calibration or SurvivalFit
    which : {"queue_patience", "patience"}
        Patience from queue entry (default; the literature's), or over the whole call (the
        caller model's).
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    max_s : float, optional
        Right end of the time axis (default: the hazard table's horizon).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from scipy import stats

    fit = _fit_of(cal, which)
    ax = _new_axes(ax)
    horizon = max_s or (
        float(fit.hazard["start_s"][-1] + fit.hazard["width_s"][-1]) if fit.hazard else 600.0
    )
    if fit.km_t.size:
        t = np.r_[0.0, fit.km_t]
        ax.fill_between(
            t, np.r_[1.0, fit.km_lo], np.r_[1.0, fit.km_hi], step="post",
            color=COLOURS["band"], alpha=0.6, lw=0, label="95% band",
        )  # fmt: skip
        ax.step(t, np.r_[1.0, fit.km_s], where="post", color=COLOURS["observed"], lw=1.8,
                label="Kaplan-Meier")  # fmt: skip
    grid = np.linspace(0.0, horizon, 400)
    if math.isfinite(fit.exponential.value) and fit.exponential.value > 0:
        ax.plot(grid, np.exp(-grid / fit.exponential.value), color=COLOURS["exponential"],
                ls="--", label=f"exponential, mean {fit.exponential.value:.0f} s")  # fmt: skip
    if fit.lognormal is not None:
        ln = fit.lognormal
        ax.plot(
            grid, stats.lognorm.sf(grid, ln.sigma, scale=ln.median_s), color=COLOURS["lognormal"],
            ls=":", lw=2, label=f"log-normal, median {ln.median_s:.0f} s, sigma {ln.sigma:.2f}",
        )  # fmt: skip
    ax.set_xlim(0, horizon)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("seconds")
    ax.set_ylabel("share still willing to wait")
    ax.set_title(f"Callers' {_title(which)} ({fit.events:,} hung up of {fit.n:,})")
    ax.legend(loc="lower left", fontsize="small", frameon=False)
    ax.grid(alpha=0.3)
    return ax


def hazard(
    cal: Calibration | SurvivalFit,
    *,
    which: str = "queue_patience",
    ax: Axes | None = None,
) -> Axes:
    """The hazard of hanging up: per interval, the chance a caller still waiting hangs up, per
    second (an actuarial life table, with 2 standard errors), and the fits' hazards.

    A bump means something makes callers leave at that moment - in the Anonymous Bank data an
    announcement near 60 s.

    Parameters
    ----------
    cal : Calibration or SurvivalFit
    which : {"queue_patience", "patience"}
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from scipy import stats

    fit = _fit_of(cal, which)
    ax = _new_axes(ax)
    h = fit.hazard
    if not h:
        raise ValueError("no observations to draw a hazard from")
    mid = h["start_s"] + h["width_s"] / 2
    ok = np.isfinite(h["hazard"]) & (h["at_risk"] >= 20)
    ax.fill_between(
        mid[ok], np.maximum(h["hazard"] - 2 * h["se"], 0)[ok], (h["hazard"] + 2 * h["se"])[ok],
        color=COLOURS["band"], alpha=0.6, lw=0, label="2 standard errors",
    )  # fmt: skip
    ax.plot(mid[ok], h["hazard"][ok], "o-", ms=3, color=COLOURS["observed"],
            label=f"observed, per {h['width_s'][0]:.0f} s")  # fmt: skip
    grid = np.linspace(max(h["width_s"][0] / 2, 0.5), float(mid[-1]), 300)
    if math.isfinite(fit.exponential.value) and fit.exponential.value > 0:
        ax.axhline(1.0 / fit.exponential.value, color=COLOURS["exponential"], ls="--",
                   label="exponential fit (constant)")  # fmt: skip
    if fit.lognormal is not None:
        ln = fit.lognormal
        d = stats.lognorm(ln.sigma, scale=ln.median_s)
        ax.plot(grid, d.pdf(grid) / np.maximum(d.sf(grid), 1e-300), color=COLOURS["lognormal"],
                ls=":", lw=2, label="log-normal fit")  # fmt: skip
    ax.set_xlim(0, float(h["start_s"][-1] + h["width_s"][-1]))
    ax.set_ylim(bottom=0)
    ax.set_xlabel("seconds")
    ax.set_ylabel("hang-ups per second of waiting")
    ax.set_title(f"Hazard of hanging up: {_title(which)}")
    ax.legend(loc="upper right", fontsize="small", frameon=False)
    ax.grid(alpha=0.3)
    return ax


_METRICS: dict[str, tuple[str, str]] = {
    "abandoned": ("share of queued calls abandoned", "Abandonment by hour of the week"),
    "asa": ("mean wait of answered calls, s", "Average speed of answer by hour of the week"),
    "calls": ("calls per hour", "Calls by hour of the week"),
}


def hourly(
    cal: Calibration,
    *,
    metric: str = "abandoned",
    ax: Axes | None = None,
    min_calls: float | None = None,
) -> Axes:
    """Observed against predicted for each hour of the week (Monday first).

    Parameters
    ----------
    cal : Calibration
    metric : {"abandoned", "asa", "calls"}
        Abandonment (predicted by Erlang A per hour with the agents on duty), the mean wait of
        answered calls (the same), or calls per hour (predicted by the tree's ``arrivals``
        profile with the observed total).
    ax : matplotlib Axes, optional
        Where to draw (default: a new wide figure).
    min_calls : float, optional
        For abandonment and ASA, leave out hours of the week with fewer queued calls than this
        an hour on average (default: :data:`~ivrscore.calibrate._result.MIN_CALLS_PER_HOUR`, 3):
        a night hour with a few calls in a month says little, and its prediction with next to
        nobody on duty is near 100%.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ._result import MIN_CALLS_PER_HOUR

    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {', '.join(_METRICS)}")
    least = MIN_CALLS_PER_HOUR if min_calls is None else min_calls
    ax = _new_axes(ax, (11.0, 4.0))
    hours = cal.hours
    x = np.arange(168)
    obs, se, pred = np.full(168, np.nan), np.full(168, np.nan), np.full(168, np.nan)
    for i, h in enumerate(hours):
        w = h.weeks if h.weeks > 0 else np.nan
        if metric != "calls" and not h.offered / w >= least:
            continue
        if metric == "abandoned":
            obs[i] = (
                h.abandoned_in_predicted_hours
                if math.isfinite(h.abandoned_predicted)
                else (h.abandoned.value)
            )
            se[i], pred[i] = h.abandoned.se, h.abandoned_predicted
        elif metric == "asa":
            obs[i], se[i], pred[i] = h.asa.value, h.asa.se, h.asa_predicted
        else:
            obs[i], se[i], pred[i] = h.calls / w, math.sqrt(h.calls) / w, h.calls_predicted / w
    ylabel, title = _METRICS[metric]
    shown = np.isfinite(obs)
    ax.errorbar(
        x[shown], obs[shown], yerr=2 * np.nan_to_num(se[shown]), fmt="o", ms=3,
        color=COLOURS["observed"], ecolor=COLOURS["band"], elinewidth=1, label="observed (2 s.e.)",
    )  # fmt: skip
    if np.isfinite(pred).any():
        how = "Erlang A per hour" if metric != "calls" else "the tree's arrival profile"
        ax.plot(x, pred, "-", color=COLOURS["predicted"], lw=1.5, label=f"predicted ({how})")
    for d in range(1, 7):
        ax.axvline(d * 24 - 0.5, color="0.8", lw=0.8)
    ax.set_xticks(
        [d * 24 + 12 for d in range(7)], ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    )
    ax.set_xlim(-0.5, 167.5)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize="small", frameon=False)
    return ax


def _figure_png(draw: Any, size: tuple[float, float] = (7.0, 4.0)) -> bytes:
    """A chart drawn on a figure of its own (not pyplot's), as PNG bytes."""
    import io

    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    draw(fig.subplots())
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return buf.getvalue()
