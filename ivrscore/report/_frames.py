"""pandas DataFrames of results, reports, findings and comparisons (pandas is optional)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..engine import Result
    from ..lint import Findings
    from ..score import Comparison, Report

__all__ = ["comparison_frame", "criteria_frame", "findings_frame", "pandas", "result_frame"]


def pandas() -> Any:
    """The pandas module, or an ImportError that says how to get it."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError(
            "to_dataframe() needs pandas, an optional dependency: "
            "pip install 'ivrscore[pandas]' (or pip install pandas)"
        ) from exc
    return pd


def result_frame(result: Result) -> Any:
    """One row per task, then one for all calls: share, the outcomes, the metrics."""
    pd = pandas()
    shares = getattr(result, "task_shares", {}) or {}
    rows = {
        task: {"share": shares.get(task, float("nan")), **r.outcomes, **r.metrics}
        for task, r in result.tasks.items()
    }
    rows["all calls"] = {"share": 1.0, **result.outcomes, **result.metrics}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "task"
    return frame


def criteria_frame(report: Report) -> Any:
    """One row per criterion: metric, value, target, limit, weight, score, points lost, laws."""
    pd = pandas()
    frame = pd.DataFrame(
        [
            {
                "criterion": c.name,
                "metric": c.metric,
                "value": c.value,
                "target": c.target,
                "limit": c.limit,
                "weight": c.weight,
                "score": c.score,
                "points_lost": c.points_lost,
                "laws": tuple(c.laws),
            }
            for c in report.criteria
        ]
    )
    return frame.set_index("criterion")


_FINDING_COLUMNS = (
    "code",
    "slug",
    "severity",
    "node",
    "line",
    "message",
    "hint",
    "path",
    "laws",
    "file",
)


def findings_frame(findings: Findings) -> Any:
    """One row per finding, in file order; severity is an ordered categorical."""
    pd = pandas()
    frame = pd.DataFrame(
        [{k: f.to_dict()[k] for k in _FINDING_COLUMNS} for f in findings],
        columns=list(_FINDING_COLUMNS),
    )
    frame["severity"] = pd.Categorical(
        frame["severity"], categories=["info", "warning", "error"], ordered=True
    )
    frame["line"] = frame["line"].astype("Int64")
    return frame


def comparison_frame(cmp: Comparison) -> Any:
    """One row per criterion: value and score before and after, and the change in score."""
    pd = pandas()
    rows = [
        {
            "criterion": b.name,
            "metric": b.metric,
            "value_before": b.value,
            "value_after": a.value,
            "score_before": b.score,
            "score_after": a.score,
            "score_change": a.score - b.score,
        }
        for b, a in zip(cmp.before.criteria, cmp.after.criteria, strict=False)
    ]
    return pd.DataFrame(rows).set_index("criterion")
