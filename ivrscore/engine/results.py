"""Result objects of the engines: outcomes and metrics, overall and per task."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..model.tree import PhoneTree
from ._compile import DISCONNECTED, DISCONNECTED_CLOSED, OUTCOMES
from .ledger import Harms

__all__ = ["METRICS", "OUTCOMES", "Result", "TaskResult", "Totals"]

METRICS = (
    "p_resolved",
    "p_human",
    "mean_time_s",
    "mean_time_to_human_s",
    "mean_time_to_resolution_s",
    "mean_menus",
    "mean_options_heard",
    "mean_keypresses",
    "mean_identity_prompts",
    "p_repeat_identity",
    "mean_transfers",
    "p_out_of_hours_disconnected",
)
"""Metric names (a contract): per task and overall. Time-to-human and time-to-resolution means
are over the calls that reach a person, or are resolved."""


@dataclass
class Totals:
    """Additive sums behind the metrics, for a share ``weight`` of calls (expectations are per
    call of that share)."""

    weight: float
    time: float = 0.0
    time_resolved: float = 0.0
    time_human: float = 0.0
    p_human: float = 0.0
    menus: float = 0.0
    options: float = 0.0
    keys: float = 0.0
    identity: float = 0.0
    repeat: float = 0.0
    transfers: float = 0.0

    _FIELDS = (
        "time",
        "time_resolved",
        "time_human",
        "p_human",
        "menus",
        "options",
        "keys",
        "identity",
        "repeat",
        "transfers",
    )

    def add(self, other: Totals, weight: float) -> None:
        """Add ``other`` (per-call expectations) for a share ``weight`` of calls."""
        self.weight += weight
        for name in self._FIELDS:
            setattr(self, name, getattr(self, name) + weight * getattr(other, name))

    def mean(self) -> Totals:
        """Per-call expectations (divide by the weight)."""
        w = self.weight or 1.0
        out = Totals(weight=1.0)
        for name in self._FIELDS:
            setattr(out, name, getattr(self, name) / w)
        return out


def _metrics(outcomes7: NDArray[np.float64], t: Totals) -> dict[str, float]:
    p_resolved = float(outcomes7[0] + outcomes7[1])
    nan = math.nan
    return {
        "p_resolved": p_resolved,
        "p_human": t.p_human,
        "mean_time_s": t.time,
        "mean_time_to_human_s": t.time_human / t.p_human if t.p_human > 0 else nan,
        "mean_time_to_resolution_s": t.time_resolved / p_resolved if p_resolved > 0 else nan,
        "mean_menus": t.menus,
        "mean_options_heard": t.options,
        "mean_keypresses": t.keys,
        "mean_identity_prompts": t.identity,
        "p_repeat_identity": t.repeat,
        "mean_transfers": t.transfers,
        "p_out_of_hours_disconnected": float(outcomes7[DISCONNECTED_CLOSED]),
    }


def _outcomes(outcomes7: NDArray[np.float64]) -> dict[str, float]:
    six = outcomes7[:6].copy()
    six[DISCONNECTED] += outcomes7[DISCONNECTED_CLOSED]
    return {name: float(v) for name, v in zip(OUTCOMES, six, strict=True)}


@dataclass(frozen=True)
class TaskResult:
    """Outcomes and metrics of the callers with one task."""

    outcomes: dict[str, float]
    metrics: dict[str, float]


@dataclass(frozen=True)
class Result:
    """Expected outcomes and metrics of a tree: overall and per task.

    Attributes
    ----------
    name : str
        The tree's name.
    method : str
        ``"exact"`` (analyze), ``"simulation"`` or an approximation's description.
    outcomes : dict
        Share of calls ending in each outcome (they sum to 1).
    metrics : dict
        Every metric in :data:`METRICS`.
    tasks : dict
        Per task, a :class:`TaskResult`.
    """

    name: str
    method: str
    outcomes: dict[str, float]
    metrics: dict[str, float]
    tasks: dict[str, TaskResult]
    task_shares: dict[str, float] = field(default_factory=dict)
    hourly: Any = field(default=None, repr=False, compare=False)
    """Per staffed queue and hour of the week, its load and waits (:class:`ivrscore.engine.
    dynamics.QueueHours`), when the tree has a ``volume:``; else ``None``."""
    harms: Harms | None = field(default=None, repr=False, compare=False)
    """What the calls go through and where they are lost (see :mod:`ivrscore.engine.ledger`)."""

    @classmethod
    def from_chains(
        cls,
        tree: PhoneTree,
        task_names: Sequence[str],
        chains: Sequence[tuple[int, float, NDArray[np.float64], Totals]],
        *,
        method: str,
    ) -> Result:
        """Combine per-chain expectations, weighted by the share of calls of each chain."""
        overall = np.zeros(7)
        total = Totals(weight=0.0)
        per_task_out = {t: np.zeros(7) for t in task_names}
        per_task = {t: Totals(weight=0.0) for t in task_names}
        for ti, weight, out, tot in chains:
            task = task_names[ti]
            overall += weight * out
            total.add(tot, weight)
            per_task_out[task] += weight * out
            per_task[task].add(tot, weight)
        w = total.weight or 1.0
        tasks = {}
        for t in task_names:
            tw = per_task[t].weight
            o = per_task_out[t] / tw if tw > 0 else per_task_out[t]
            tasks[t] = TaskResult(_outcomes(o), _metrics(o, per_task[t].mean()))
        shares = {t: per_task[t].weight / w for t in task_names}
        o = overall / w
        return cls(
            name=tree.name,
            method=method,
            outcomes=_outcomes(o),
            metrics=_metrics(o, total.mean()),
            tasks=tasks,
            task_shares=shares,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: ``{outcomes, metrics, tasks: {TASK: {outcomes, metrics}}}`` (plus
        ``name`` and ``method``); NaN (no call reached it) becomes ``null``."""

        def clean(d: dict[str, float]) -> dict[str, float | None]:
            return {
                k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()
            }

        return {
            "name": self.name,
            "method": self.method,
            "outcomes": clean(self.outcomes),
            "metrics": clean(self.metrics),
            "tasks": {
                t: {"outcomes": clean(r.outcomes), "metrics": clean(r.metrics)}
                for t, r in self.tasks.items()
            },
        }

    def summary(self) -> str:
        """The result as text for a terminal (80 columns)."""
        lines = [f"{self.name} — {self.method}", "", "outcomes (share of calls)"]
        for k, v in self.outcomes.items():
            lines.append(f"  {k:<24} {v:7.1%}")
        lines.append("")
        lines.append("metrics")
        for k, v in self.metrics.items():
            lines.append(f"  {k:<30} {_fmt(k, v)}")
        lines.append("")
        width = max([len(t) for t in self.tasks] + [4])  # task names whole, never cut
        head = f"  {'task':<{width}} {'share':>6} {'resolved':>9} {'human':>7} {'abandon':>8} {'cut off':>8} {'mean time':>16}"
        lines.append("per task")
        lines.append(head)
        for t, r in self.tasks.items():
            lines.append(
                f"  {t:<{width}} {self.task_shares.get(t, math.nan):>6.0%} "
                f"{r.metrics['p_resolved']:>9.1%} {r.metrics['p_human']:>7.1%} "
                f"{r.outcomes['abandoned']:>8.1%} {r.outcomes['disconnected']:>8.1%} "
                f"{_fmt('mean_time_s', r.metrics['mean_time_s']):>16}"
            )
        lines += self._hourly_lines()
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _hourly_lines(self) -> list[str]:
        if self.hourly is None or all(self.hourly.fixed):
            return []
        return ["", *self.hourly.summary().splitlines()]

    def to_dataframe(self) -> Any:
        """One row per task, then one for all calls (``"all calls"``), as a pandas DataFrame
        (needs pandas): the task's share, its outcomes and its metrics."""
        from ..report._frames import result_frame

        return result_frame(self)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{v:.1%}</td></tr>" for k, v in self.outcomes.items()
        )
        mrows = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{html.escape(_fmt(k, v))}</td></tr>"
            for k, v in self.metrics.items()
        )
        return (
            f"<div><strong>{html.escape(self.name)}</strong> <em>({html.escape(self.method)})</em>"
            f"<table><tr><th>outcome</th><th>share</th></tr>{rows}</table>"
            f"<table><tr><th>metric</th><th>value</th></tr>{mrows}</table>"
            f"<pre style='display:none'>{html.escape(self.summary())}</pre></div>"
        )


def _fmt(name: str, v: float) -> str:
    if isinstance(v, float) and math.isnan(v):
        return "—"
    if name.startswith("p_"):
        return f"{v:.1%}"
    if name.endswith("_s"):  # named in seconds, shown in seconds (and minutes when long)
        return f"{v:.0f} s" if v < 120 else f"{v:.0f} s ({v / 60:.1f} min)"
    return f"{v:.2f}"
