"""The score: a phone tree measured against "if you must use technology, make it user-friendly".

Each criterion is one metric with a *target* (full marks) and a *limit* (zero), linear between
and clipped; the overall score is their weighted mean, 0-100, graded A (>= 90), B (>= 80),
C (>= 70), D (>= 60), F. Findings of severity ``error`` are the Standard's "no-nos": while any
remains, the score is capped (default 69, a D at best). Every point lost is traced to a
criterion and its metric, or to the cap and the findings behind it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .engine import Result, analyze, simulate
from .engine.analyze import NotExactError
from .exceptions import IvrscoreError
from .lint import Finding, Findings, lint
from .model.tree import PhoneTree
from .standard import CRITERIA, ERROR_CAP, Criterion, Standard

__all__ = [
    "CRITERIA",
    "ERROR_CAP",
    "Comparison",
    "Criterion",
    "CriterionScore",
    "Report",
    "compare",
    "grade",
    "score",
]


CRITERION_RULES: dict[str, tuple[str, ...]] = {
    "hang_ups": ("IVR301", "IVR102", "IVR501"),
    "abandonment": ("IVR402", "IVR401", "IVR503", "IVR505", "IVR504"),
    "time_to_human": ("IVR403", "IVR204", "IVR505"),
    "effort": ("IVR201", "IVR202", "IVR305", "IVR203"),
    "repeated_identity": ("IVR302",),
    "passing_the_buck": ("IVR502",),
    "any_time_of_day": ("IVR501",),
    "resolution": ("IVR104", "IVR103"),
}
"""Findings that explain each criterion's lost points."""


def grade(points: float) -> str:
    """A (>= 90), B (>= 80), C (>= 70), D (>= 60), F.

    Examples
    --------
    >>> grade(91), grade(60), grade(59.9)
    ('A', 'D', 'F')
    """
    for letter, floor in (("A", 90), ("B", 80), ("C", 70), ("D", 60)):
        if points >= floor:
            return letter
    return "F"


@dataclass(frozen=True)
class CriterionScore:
    """One criterion of a report."""

    name: str
    metric: str
    value: float
    target: float
    limit: float
    weight: float
    score: float
    laws: tuple[int, ...]

    @property
    def points_lost(self) -> float:
        """Points of the overall 0-100 score this criterion costs."""
        return self.weight * (100.0 - self.score) / 100.0

    def to_dict(self) -> dict[str, Any]:
        value = None if math.isnan(self.value) else self.value
        return {
            "name": self.name,
            "metric": self.metric,
            "score": round(self.score, 2),
            "weight": self.weight,
            "value": value,
            "target": self.target,
            "limit": self.limit,
            "laws": list(self.laws),
        }


@dataclass(frozen=True)
class Report:
    """A tree's score, its criteria, findings, outcomes and metrics, and why points were lost."""

    name: str
    score: float
    grade: str
    criteria: tuple[CriterionScore, ...]
    findings: Findings
    result: Result
    raw_score: float
    cap: float | None
    explanations: tuple[tuple[float, str], ...] = field(default=())

    @property
    def outcomes(self) -> dict[str, float]:
        return self.result.outcomes

    @property
    def metrics(self) -> dict[str, float]:
        return self.result.metrics

    @property
    def method(self) -> str:
        return self.result.method

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: ``{name, score, grade, criteria, metrics, outcomes, findings}`` plus
        ``method``, ``explanations`` and per-task results."""
        r = self.result.to_dict()
        return {
            "name": self.name,
            "score": round(self.score, 2),
            "grade": self.grade,
            "method": self.method,
            "criteria": [c.to_dict() for c in self.criteria],
            "metrics": r["metrics"],
            "outcomes": r["outcomes"],
            "findings": self.findings.to_dicts(),
            "explanations": [{"points": round(p, 2), "text": t} for p, t in self.explanations],
            "tasks": r["tasks"],
        }

    # -- text --------------------------------------------------------------------------------

    def text(self) -> str:
        """The report for a terminal, 80 columns."""
        lines = [
            f"{self.name}",
            f"score {self.score:.0f}/100, grade {self.grade}"
            + (f" (capped from {self.raw_score:.0f} by no-nos)" if self.cap is not None else ""),
            f"({self.method}; findings: {self.findings.summary()})",
            "",
            f"{'criterion':<19} {'value':>10} {'target':>9} {'limit':>9} {'score':>6} {'lost':>6}",
        ]
        for c in self.criteria:
            lines.append(
                f"{c.name:<19} {_fmt(c.metric, c.value):>10} {_fmt(c.metric, c.target):>9} "
                f"{_fmt(c.metric, c.limit):>9} {c.score:>6.0f} {-c.points_lost:>6.1f}"
            )
        if self.explanations:
            lines += ["", "where the points went"]
            for points, text in self.explanations:
                lines.extend(_wrap(f"{-points:6.1f}  {text}", 80, indent=8))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def markdown(self) -> str:
        """The report as Markdown (for a pull-request comment)."""
        rows = "\n".join(
            f"| {c.name} | {_fmt(c.metric, c.value)} | {_fmt(c.metric, c.target)} | "
            f"{_fmt(c.metric, c.limit)} | {c.score:.0f} | {-c.points_lost:.1f} |"
            for c in self.criteria
        )
        why = "\n".join(f"- **{-p:.1f}** {t}" for p, t in self.explanations)
        capped = f" (capped from {self.raw_score:.0f} by no-nos)" if self.cap is not None else ""
        return (
            f"### {self.name}: {self.score:.0f}/100, grade {self.grade}{capped}\n\n"
            f"| criterion | value | target | limit | score | points |\n|---|---|---|---|---|---|\n"
            f"{rows}\n\n{why}\n\n_{self.method}; findings: {self.findings.summary()}_\n"
        )

    def _repr_html_(self) -> str:
        from .report import report_html

        return report_html(self)

    def html(self) -> str:
        """The report as one standalone HTML page (charts inline, no network)."""
        from .report import report_page

        return report_page(self)

    def to_dataframe(self) -> Any:
        """The criteria as a pandas DataFrame (needs pandas), one row per criterion."""
        from .report._frames import criteria_frame

        return criteria_frame(self)


def _colour(points: float) -> str:
    return "#2a9d4b" if points >= 80 else "#e0a800" if points >= 50 else "#c0392b"


def _wrap(text: str, width: int, indent: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width=width, subsequent_indent=" " * indent) or [text]


def _fmt(metric: str, v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if metric.startswith("p_") or metric in ("abandoned", "disconnected"):
        return f"{v:.1%}"
    if metric.endswith("_s"):
        return f"{v:.0f} s" if v < 120 else f"{v / 60:.1f} min"
    return f"{v:.2f}"


def score(
    tree: PhoneTree,
    standard: Standard | None = None,
    *,
    calls: int | None = None,
    rng: int = 0,
) -> Report:
    """Score a phone tree against the user-friendly-technology law.

    Parameters
    ----------
    tree : PhoneTree
    standard : Standard, optional
        The criteria (targets, limits, weights), the no-no cap and the lint thresholds
        (default: :class:`~ivrscore.Standard`).
    calls : int, optional
        Force simulation with this many callers. By default the exact analysis is used when the
        tree's patience is exponential (or none), else 100,000 simulated callers.
    rng : int, default 0
        Seed for the simulation, so the same tree always gets the same score.

    Returns
    -------
    Report

    Examples
    --------
    >>> import ivrscore as ivr
    >>> before = ivr.score(ivr.load(ivr.examples.path("acme_telecom")))
    >>> after = ivr.score(ivr.load(ivr.examples.path("acme_redesign")))
    >>> before.grade, after.score > before.score + 30
    ('F', True)
    """
    std = standard or Standard()
    findings = lint(tree, std)
    result: Result
    if calls is None:
        try:
            result = analyze(tree)
        except NotExactError:
            result = simulate(tree, calls=100_000, rng=rng, progress=False)
    else:
        result = simulate(tree, calls=calls, rng=rng, progress=False)
    values = {**result.outcomes, **result.metrics}
    rows = []
    for name, crit in std.criteria.items():
        if crit.metric not in values:
            raise IvrscoreError(
                f"criterion {name!r} scores unknown metric {crit.metric!r}; metrics are: "
                + ", ".join(values)
            )
        value = float(values[crit.metric])
        rows.append(
            CriterionScore(
                name=name,
                metric=crit.metric,
                value=value,
                target=crit.target,
                limit=crit.limit,
                weight=crit.weight,
                score=crit.points(value),
                laws=crit.laws,
            )
        )
    total_weight = sum(c.weight for c in rows)
    raw = sum(c.weight * c.score for c in rows) / total_weight
    errors = findings.at_least("error")
    cap = std.error_cap if errors and raw > std.error_cap else None
    final = min(raw, std.error_cap) if errors else raw
    explanations = _explain(rows, findings, result, total_weight, std)
    if cap is not None:
        codes = ", ".join(
            f"{c} {next(f.slug for f in errors if f.code == c)}" for c in errors.codes()
        )
        explanations.append((raw - cap, f"capped at {cap:.0f} while no-nos remain: {codes}"))
    explanations.sort(key=lambda e: -e[0])
    return Report(
        name=tree.name,
        score=final,
        grade=grade(final),
        criteria=tuple(rows),
        findings=findings,
        result=result,
        raw_score=raw,
        cap=cap,
        explanations=tuple((p, t) for p, t in explanations if p > 0.05),
    )


_WORDS = {
    "hang_ups": "{v} of calls are cut off by the system",
    "abandonment": "{v} of callers give up and hang up",
    "time_to_human": "callers who reach a person wait {v} on average to get there",
    "effort": "callers hear {v} options per call",
    "repeated_identity": "{v} of callers are asked again for something they already gave",
    "passing_the_buck": "{v} transfers per call",
    "any_time_of_day": "{v} of calls are cut off because a department is closed",
    "resolution": "only {v} of calls end with the caller's task done",
}


def _explain(
    rows: list[CriterionScore],
    findings: Findings,
    result: Result,
    total_weight: float,
    std: Standard,
) -> list[tuple[float, str]]:
    out = []
    for c in rows:
        lost = c.points_lost * 100.0 / total_weight
        if lost <= 0.05:
            continue
        words = _WORDS.get(c.name, c.name.replace("_", " ") + ": {v}")
        text = words.format(v=_fmt(c.metric, c.value))
        worst = _worst_finding(findings, CRITERION_RULES.get(c.name, ()))
        if worst is not None:
            text += f": {worst.message} ({worst.code})"
        worst_task = _worst_task(result, c, std.criteria[c.name])
        if worst_task:
            text += f"; worst for {worst_task}"
        out.append((lost, text))
    return out


def _worst_finding(findings: Findings, codes: tuple[str, ...]) -> Finding | None:
    rank = {"error": 0, "warning": 1, "info": 2}
    candidates = [f for f in findings if f.code in codes]
    if not candidates:
        return None
    return min(candidates, key=lambda f: (rank[f.severity], codes.index(f.code), f.line or 0))


def _worst_task(result: Result, c: CriterionScore, crit: Criterion) -> str | None:
    scored = []
    for task, r in result.tasks.items():
        v = {**r.outcomes, **r.metrics}.get(c.metric, math.nan)
        if not math.isnan(v):
            scored.append((crit.points(v), task, v))
    if len(scored) < 2:
        return None
    points, task, v = min(scored)
    return f"{task} ({_fmt(c.metric, v)})" if points < 100 else None


# -- comparing two designs ------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Two reports side by side: criteria and metrics with deltas, findings fixed and introduced."""

    before: Report
    after: Report

    @property
    def delta(self) -> float:
        return self.after.score - self.before.score

    def fixed(self) -> list[Finding]:
        """Findings in ``before`` that ``after`` no longer has (by rule and node)."""
        keys = {(f.code, f.node) for f in self.after.findings}
        return [f for f in self.before.findings if (f.code, f.node) not in keys]

    def introduced(self) -> list[Finding]:
        """Findings ``after`` has that ``before`` did not."""
        keys = {(f.code, f.node) for f in self.before.findings}
        return [f for f in self.after.findings if (f.code, f.node) not in keys]

    def to_dict(self) -> dict[str, Any]:
        return {
            "before": {
                "name": self.before.name,
                "score": round(self.before.score, 2),
                "grade": self.before.grade,
            },
            "after": {
                "name": self.after.name,
                "score": round(self.after.score, 2),
                "grade": self.after.grade,
            },
            "delta": round(self.delta, 2),
            "criteria": [
                {
                    "name": b.name,
                    "before": b.to_dict()["value"],
                    "after": a.to_dict()["value"],
                    "score_before": round(b.score, 2),
                    "score_after": round(a.score, 2),
                    "delta": round(a.score - b.score, 2),
                }
                for b, a in zip(self.before.criteria, self.after.criteria, strict=True)
            ],
            "metrics": {
                k: {"before": _none(self.before.metrics[k]), "after": _none(self.after.metrics[k])}
                for k in self.before.metrics
            },
            "fixed": [f.to_dict() for f in self.fixed()],
            "introduced": [f.to_dict() for f in self.introduced()],
        }

    def text(self) -> str:
        b, a = self.before, self.after
        lines = [
            f"before: {b.name}: {b.score:.0f} ({b.grade})",
            f"after:  {a.name}: {a.score:.0f} ({a.grade})   {self.delta:+.0f} points",
            "",
            f"{'criterion':<19} {'before':>10} {'after':>10} {'score':>13}",
        ]
        for cb, ca in zip(b.criteria, a.criteria, strict=True):
            lines.append(
                f"{cb.name:<19} {_fmt(cb.metric, cb.value):>10} {_fmt(ca.metric, ca.value):>10} "
                f"{cb.score:>5.0f} → {ca.score:<5.0f}"
            )
        fixed, new = self.fixed(), self.introduced()
        lines += ["", f"findings fixed: {len(fixed)}, introduced: {len(new)}"]
        for f in new[:10]:
            lines.append(f"  + {f.code} {f.slug} at {f.node}")
        return "\n".join(lines)

    def markdown(self) -> str:
        rows = "\n".join(
            f"| {cb.name} | {_fmt(cb.metric, cb.value)} | {_fmt(ca.metric, ca.value)} | "
            f"{ca.score - cb.score:+.0f} |"
            for cb, ca in zip(self.before.criteria, self.after.criteria, strict=True)
        )
        return (
            f"### {self.before.score:.0f} ({self.before.grade}) → {self.after.score:.0f} "
            f"({self.after.grade}), {self.delta:+.0f} points\n\n"
            f"| criterion | before | after | score |\n|---|---|---|---|\n{rows}\n\n"
            f"Findings fixed: {len(self.fixed())}; introduced: {len(self.introduced())}.\n"
        )

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        from .report import comparison_html

        return comparison_html(self)

    def html(self) -> str:
        """Both designs side by side as one standalone HTML page."""
        from .report import comparison_page

        return comparison_page(self)

    def to_dataframe(self) -> Any:
        """Criteria before and after as a pandas DataFrame (needs pandas)."""
        from .report._frames import comparison_frame

        return comparison_frame(self)


def _none(v: float) -> float | None:
    return None if isinstance(v, float) and math.isnan(v) else v


def compare(before: PhoneTree, after: PhoneTree, standard: Standard | None = None) -> Comparison:
    """Score two designs and put them side by side.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> cmp = ivr.compare(ivr.load(ivr.examples.path("acme_telecom")),
    ...                   ivr.load(ivr.examples.path("acme_redesign")))
    >>> cmp.delta > 30, len(cmp.fixed()) > 20
    (True, True)
    """
    return Comparison(score(before, standard), score(after, standard))
