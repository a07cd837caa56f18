"""The result of :func:`ivrscore.calibrate`: estimates, the calibrated tree, the checks."""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..model.tree import PhoneTree
from ._events import ReadReport, as_datetime
from .estimate import DurationFit, Estimate, SurvivalFit

__all__ = ["Calibration", "HourCheck", "InputFit", "MenuCheck", "NodeCheck", "QueueFit"]

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
Z_FLAG = 3.0
"""Observed and predicted figures more than this many standard errors apart are flagged."""
MIN_CALLS_PER_HOUR = 3.0
"""Hours of the week with fewer queued calls an hour (on average) are left out of the hourly
comparison's summary and charts: a night hour with a handful of calls in a month, waiting for
the first agent of the morning, says little about Erlang A."""


def _num(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _z(obs: float, pred: float, se: float) -> float:
    if not (math.isfinite(obs) and math.isfinite(pred) and math.isfinite(se)):
        return math.nan
    if se <= 0:
        return 0.0 if abs(obs - pred) < 1e-12 else math.nan
    return (obs - pred) / se


@dataclass
class QueueFit:
    """One queue: waits of answered calls, the offered wait, abandonment, patience in it."""

    node: str
    calls: int
    answered: int
    abandoned: int
    p_abandon: Estimate
    offered_wait: Estimate
    """Mean wait a caller with unlimited patience would face: exponential, censored where the
    caller hung up or left."""
    asa: Estimate
    """Mean wait of answered calls (average speed of answer)."""
    patience: SurvivalFit

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "p_abandon": self.p_abandon.to_dict(),
            "offered_wait_mean_s": self.offered_wait.to_dict(),
            "asa_s": self.asa.to_dict(),
            "patience": self.patience.to_dict(hazard=False),
        }


@dataclass
class InputFit:
    """Failure rate of one input node: pooled and per attempt."""

    node: str
    rate: Estimate
    per_attempt: list[Estimate]
    predicted: float = math.nan

    def to_dict(self) -> dict[str, Any]:
        return {
            "failure_rate": self.rate.to_dict(),
            "per_attempt": [e.to_dict() for e in self.per_attempt],
            "predicted": _num(self.predicted),
            "z": _num(_z(self.rate.value, self.predicted, self.rate.se)),
        }


@dataclass
class NodeCheck:
    """One node: visits and abandonments per call, observed and predicted."""

    node: str
    type: str
    visits: Estimate
    visits_predicted: float
    visits_calibrated: float
    abandoned: Estimate
    abandoned_predicted: float
    abandoned_calibrated: float

    @property
    def visits_z(self) -> float:
        return _z(self.visits.value, self.visits_predicted, self.visits.se)

    @property
    def abandoned_z(self) -> float:
        return _z(self.abandoned.value, self.abandoned_predicted, self.abandoned.se)

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "type": self.type,
            "visits_per_call": self.visits.to_dict(),
            "visits_predicted": _num(self.visits_predicted),
            "visits_calibrated": _num(self.visits_calibrated),
            "visits_z": _num(self.visits_z),
            "abandoned_share": self.abandoned.to_dict(),
            "abandoned_predicted": _num(self.abandoned_predicted),
            "abandoned_calibrated": _num(self.abandoned_calibrated),
            "abandoned_z": _num(self.abandoned_z),
        }


@dataclass
class MenuCheck:
    """One menu: the share of each key among the attempts callers finished."""

    node: str
    attempts: int
    unknown: int
    """Attempts whose key could not be told (the log has no keys and the next node does not
    tell one option from another)."""
    inferred: int
    """Keys inferred from the node entered next."""
    keys: dict[str, tuple[int, Estimate, float, float]]
    """Per key (``""`` is silence): ``(count, observed share, predicted, calibrated)``."""
    invalid: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "unknown": self.unknown,
            "inferred": self.inferred,
            "keys": {
                (k or "silence"): {
                    "count": c,
                    "share": e.to_dict(),
                    "predicted": _num(p),
                    "calibrated": _num(pc),
                    "z": _num(_z(e.value, p, e.se)),
                }
                for k, (c, e, p, pc) in self.keys.items()
            },
            "invalid_keys": self.invalid,
        }


@dataclass
class HourCheck:
    """One hour of the week (0 = Monday 00:00): volume, abandonment and ASA, observed and
    predicted (Erlang A per clock hour, weighted by the calls offered)."""

    hour: int
    calls: float
    weeks: float
    calls_predicted: float
    offered: float
    abandoned: Estimate
    abandoned_in_predicted_hours: float
    abandoned_predicted: float
    asa: Estimate
    asa_predicted: float
    agents: float
    handle_s: float

    @property
    def label(self) -> str:
        return f"{DAYS[self.hour // 24]} {self.hour % 24:02d}:00"

    @property
    def compared(self) -> bool:
        """Whether the hour has a prediction and enough calls (:data:`MIN_CALLS_PER_HOUR`)."""
        return (
            math.isfinite(self.abandoned_predicted)
            and self.weeks > 0
            and self.offered / self.weeks >= MIN_CALLS_PER_HOUR
        )

    @property
    def calls_z(self) -> float:
        return _z(self.calls, self.calls_predicted, math.sqrt(max(self.calls_predicted, 0.0)))

    @property
    def abandoned_z(self) -> float:
        return _z(self.abandoned_in_predicted_hours, self.abandoned_predicted, self.abandoned.se)

    @property
    def asa_z(self) -> float:
        return _z(self.asa.value, self.asa_predicted, self.asa.se)

    def to_dict(self) -> dict[str, Any]:
        w = self.weeks if self.weeks > 0 else math.nan
        return {
            "hour": self.hour,
            "label": self.label,
            "calls": self.calls,
            "calls_per_hour": _num(self.calls / w),
            "calls_predicted": _num(self.calls_predicted),
            "calls_z": _num(self.calls_z),
            "offered": self.offered,
            "abandoned": self.abandoned.to_dict(),
            "abandoned_predicted": _num(self.abandoned_predicted),
            "abandoned_z": _num(self.abandoned_z),
            "asa_s": self.asa.to_dict(),
            "asa_predicted_s": _num(self.asa_predicted),
            "asa_z": _num(self.asa_z),
            "agents_on_duty": _num(self.agents),
            "handle_time_s": _num(self.handle_s),
        }


@dataclass(frozen=True)
class Calibration:
    """A tree's caller model fitted to call logs, and the tree set against the logs.

    Attributes
    ----------
    tree, calibrated : PhoneTree
        The tree as given, and with the fitted figures in place (``meta.calibrated`` says what
        was fitted, from what, with standard errors). Write it with :meth:`dump`.
    read : ReadReport
        What reading the logs found: rows, skipped rows with reasons, ignored records.
    calls : int
        Calls used.
    volume : Estimate
        Calls per week.
    arrivals, arrivals_se : arrays of 168
        Mean calls per hour of the week (Monday 00:00 first) and standard errors.
    tasks : dict of Estimate
        Task shares; ``task_method`` says how they were found.
    patience, queue_patience : SurvivalFit
        The callers' patience over the whole call (the caller model's), and from queue entry.
    queues : dict of QueueFit
    handle, handle_all : DurationFit
        Handle times per agent node, and over all.
    inputs : dict of InputFit
    menus : dict of MenuCheck
    nodes : list of NodeCheck
    hours : list of HourCheck
        The 168 hours of the week.
    clock : dict of arrays
        The same per clock hour of the logs (``hour`` counts hours since 1970).
    on_duty : array of 168 or None
        Mean agents on duty per hour of the week, when the records name agents.
    unmapped : dict
        Log ids the tree does not have, with how many events carried each.
    off_tree : list of (from, to, calls)
        Moves callers made that the tree does not have.
    notes : list of str
        What to know about the estimates.
    seconds : float
        Time taken.
    """

    tree: PhoneTree
    calibrated: PhoneTree
    read: ReadReport
    calls: int
    outside: int
    period: tuple[float, float]
    weeks: float
    volume: Estimate
    arrivals: NDArray[np.float64] = field(repr=False)
    arrivals_se: NDArray[np.float64] = field(repr=False)
    occurrences: NDArray[np.float64] = field(repr=False)
    outcomes: dict[str, Estimate] = field(repr=False)
    predicted_outcomes: dict[str, dict[str, float]] = field(repr=False)
    tasks: dict[str, Estimate] = field(repr=False)
    task_method: str = field(repr=False)
    patience: SurvivalFit = field(repr=False)
    queue_patience: SurvivalFit | None = field(repr=False)
    queues: dict[str, QueueFit] = field(repr=False)
    handle: dict[str, DurationFit] = field(repr=False)
    handle_all: DurationFit = field(repr=False)
    inputs: dict[str, InputFit] = field(repr=False)
    menus: dict[str, MenuCheck] = field(repr=False)
    nodes: list[NodeCheck] = field(repr=False)
    hours: list[HourCheck] = field(repr=False)
    clock: dict[str, NDArray[Any]] = field(repr=False)
    agents_named: int = field(repr=False)
    on_duty: NDArray[np.float64] | None = field(repr=False)
    unmapped: dict[str, int] = field(repr=False)
    unmapped_events: int = field(repr=False)
    off_tree: list[tuple[str, str, int]] = field(repr=False)
    invalid_keys: list[tuple[str, str, int]] = field(repr=False)
    unknown_task_codes: dict[str, int] = field(repr=False)
    fitted: dict[str, Any] = field(repr=False)
    notes: list[str] = field(repr=False)
    seconds: float = field(repr=False)

    # -- summaries ------------------------------------------------------------------------------

    @property
    def period_text(self) -> str:
        a, b = (as_datetime(x) for x in self.period)
        span = self.period[1] - self.period[0]
        length = (
            f"{self.weeks:.1f} weeks"
            if span >= 7 * 86_400
            else f"{span / 86_400:.1f} days"
            if span >= 86_400
            else f"{span / 3600:.0f} hours"
        )
        return f"{a:%Y-%m-%d %H:%M} to {b:%Y-%m-%d %H:%M} ({length})"

    def hourly_error(self) -> dict[str, float]:
        """How well Erlang A per hour predicts abandonment and ASA over the hours it could be
        predicted: observed and predicted overall (weighted by calls offered), the mean
        absolute error and the root mean square of the z-scores, over the hours of the week
        with a prediction and at least :data:`MIN_CALLS_PER_HOUR` queued calls an hour."""
        rows = [h for h in self.hours if h.compared]
        if not rows:
            return {}
        w = np.array([h.offered for h in rows])
        obs = np.array([h.abandoned_in_predicted_hours for h in rows])
        pred = np.array([h.abandoned_predicted for h in rows])
        z = np.array([h.abandoned_z for h in rows])
        asa_o = np.array([h.asa.value for h in rows])
        asa_p = np.array([h.asa_predicted for h in rows])
        ok = np.isfinite(asa_o) & np.isfinite(asa_p)
        za = np.array([h.asa_z for h in rows])
        return {
            "hours": float(len(rows)),
            "abandon_observed": float((obs * w).sum() / w.sum()),
            "abandon_predicted": float((pred * w).sum() / w.sum()),
            "abandon_mae": float((np.abs(obs - pred) * w).sum() / w.sum()),
            "abandon_rms_z": float(np.sqrt(np.nanmean(z**2))),
            "asa_observed_s": float((asa_o[ok] * w[ok]).sum() / w[ok].sum())
            if ok.any()
            else math.nan,
            "asa_predicted_s": float((asa_p[ok] * w[ok]).sum() / w[ok].sum())
            if ok.any()
            else math.nan,
            "asa_mae_s": float((np.abs(asa_o - asa_p)[ok] * w[ok]).sum() / w[ok].sum())
            if ok.any()
            else math.nan,
            "asa_rms_z": float(np.sqrt(np.nanmean(za[np.isfinite(za)] ** 2)))
            if np.isfinite(za).any()
            else math.nan,
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain data (the ``--report json`` output). No caller numbers or
        customer ids: readers never keep them."""
        p = self.patience
        out: dict[str, Any] = {
            "tree": self.tree.name,
            "read": self.read.to_dict(),
            "period": {
                "from": as_datetime(self.period[0]).isoformat(timespec="seconds"),
                "to": as_datetime(self.period[1]).isoformat(timespec="seconds"),
                "weeks": self.weeks,
            },
            "calls": self.calls,
            "calls_outside_period": self.outside,
            "seconds": self.seconds,
            "volume": {"calls_per_week": self.volume.to_dict()},
            "arrivals": {
                "calls_per_hour": [_num(x) for x in self.arrivals],
                "se": [_num(x) for x in self.arrivals_se],
            },
            "outcomes": {
                k: {
                    "observed": e.to_dict(),
                    **{
                        f"predicted_{label}": _num(res.get(k))
                        for label, res in self.predicted_outcomes.items()
                    },
                }
                for k, e in self.outcomes.items()
            },
            "tasks": {
                "method": self.task_method,
                **{k: e.to_dict() for k, e in self.tasks.items()},
            },
            "patience": p.to_dict(),
            "queue_patience": self.queue_patience.to_dict() if self.queue_patience else None,
            "queues": {k: q.to_dict() for k, q in self.queues.items()},
            "handle_time": {
                "all": self.handle_all.to_dict(),
                **{k: v.to_dict() for k, v in self.handle.items()},
            },
            "agents": {
                "named": self.agents_named,
                "on_duty_by_hour": [_num(x) for x in self.on_duty]
                if self.on_duty is not None
                else None,
            },
            "inputs": {k: v.to_dict() for k, v in self.inputs.items()},
            "menus": {k: v.to_dict() for k, v in self.menus.items()},
            "nodes": [n.to_dict() for n in self.nodes],
            "hours": [h.to_dict() for h in self.hours],
            "hourly_error": {k: _num(v) for k, v in self.hourly_error().items()},
            "unmapped": {"events": self.unmapped_events, "ids": self.unmapped},
            "off_tree": [{"from": a, "to": b, "calls": c} for a, b, c in self.off_tree],
            "invalid_keys": [{"menu": a, "key": b, "count": c} for a, b, c in self.invalid_keys],
            "unknown_task_codes": self.unknown_task_codes,
            "fitted": self.fitted,
            "notes": self.notes,
        }
        return out

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=2, default=_json_default)

    def summary(self) -> str:
        """The report as text."""
        from ._report import text_report

        return text_report(self)

    def __str__(self) -> str:
        return self.summary()

    def to_html(self) -> str:
        """The report as a standalone HTML page (charts embedded as PNG)."""
        from ._report import html_report

        return html_report(self, standalone=True)

    def _repr_html_(self) -> str:
        from ._report import html_report

        return html_report(self, standalone=False)

    def dump(self, path: str | Path) -> None:
        """Write the calibrated tree (YAML or JSON by the suffix)."""
        from ..io import dump

        dump(self.calibrated, path)

    def to_dataframe(self, what: str = "hours") -> Any:
        """``nodes``, ``hours`` or ``clock`` as a pandas DataFrame (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_dataframe needs pandas: pip install pandas") from exc
        if what == "clock":
            df = pd.DataFrame(self.clock)
            df.insert(0, "time", pd.to_datetime(df["hour"] * 3600, unit="s"))
            return df
        if what == "nodes":
            return pd.json_normalize([r.to_dict() for r in self.nodes])
        if what == "hours":
            return pd.json_normalize([h.to_dict() for h in self.hours])
        raise ValueError("what must be 'nodes', 'hours' or 'clock'")

    def __repr__(self) -> str:
        return (
            f"Calibration({self.tree.name!r}, calls={self.calls:,}, "
            f"patience={self.patience.exponential.value:.0f}s, period={self.period_text!r})"
        )


def _json_default(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(f"cannot write {type(x).__name__} as JSON")  # pragma: no cover


def escape(text: object) -> str:
    return html.escape(str(text), quote=True)
