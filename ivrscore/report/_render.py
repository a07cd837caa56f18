"""From reports to the values the templates show (formatted, escaped by jinja2), and rendering."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from .. import __version__
from . import _charts

if TYPE_CHECKING:
    from jinja2 import Environment

    from ..lint import Finding, Findings
    from ..lint.report import LoadFailure
    from ..model.tree import PhoneTree
    from ..score import Comparison, Report

__all__ = ["comparison_view", "render", "report_view"]


@lru_cache(maxsize=1)
def _env() -> Environment:
    try:
        import jinja2
    except ImportError as exc:  # pragma: no cover - jinja2 is a dependency
        raise ImportError("HTML reports need jinja2: pip install jinja2") from exc
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ivrscore.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["colour"] = colour
    return env


@lru_cache(maxsize=1)
def css() -> str:
    """The page's style sheet (package data)."""
    from importlib.resources import files

    return (files("ivrscore.report") / "templates" / "report.css").read_text(encoding="utf-8")


def render(template: str, **context: Any) -> str:
    """Render one of the package's templates."""
    from markupsafe import Markup

    return _env().get_template(template).render(css=Markup(css()), version=__version__, **context)


# -- formatting -----------------------------------------------------------------------------------


def colour(points: float) -> str:
    """Bar colour for a 0-100 score: green from 80, amber from 50, else red."""
    return "#2a9d4b" if points >= 80 else "#d4a017" if points >= 50 else "#c0392b"


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def duration(seconds: float) -> str:
    """``45 s``; past two minutes with minutes too: ``330 s (5.5 min)``.

    Examples
    --------
    >>> duration(45.2), duration(330)
    ('45 s', '330 s (5.5 min)')
    """
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds:.0f} s ({seconds / 60:.1f} min)"


def value(metric: str, v: Any) -> str:
    """A metric's value in the unit its name gives: shares in %, ``*_s`` in seconds.

    Examples
    --------
    >>> value("p_resolved", 0.4359), value("abandoned", 0.05), value("mean_menus", 1.5)
    ('43.6%', '5.0%', '1.50')
    >>> value("mean_time_to_human_s", float("nan"))
    '—'
    """
    if _missing(v):
        return "—"
    from ..engine.results import OUTCOMES
    from ..score import SHARE_AMOUNTS

    if metric.startswith("p_") or metric in OUTCOMES or metric in SHARE_AMOUNTS:
        return f"{v:.1%}"
    if metric.endswith("_s"):
        return duration(float(v))
    return f"{v:.2f}"


def share(v: float) -> str:
    return "—" if _missing(v) else f"{v:.1%}"


def lost(points: float) -> str:
    """Points lost, never ``-0.0``."""
    return f"−{points:.1f}" if points >= 0.05 else "0"


def words(name: str) -> str:
    return name.replace("_", " ")


# -- views ----------------------------------------------------------------------------------------


def _rule_url(code: str | None) -> str | None:
    if not code:
        return None
    from ..lint import RULES

    rule = RULES.get(code)
    return rule.url if rule is not None else None


def finding_view(f: Finding | dict[str, Any]) -> SimpleNamespace:
    d = f if isinstance(f, dict) else f.to_dict()
    return SimpleNamespace(
        severity=d["severity"],
        code=d["code"] or "",
        slug=d["slug"],
        node=d["node"] or "",
        line=d.get("line"),
        message=d["message"],
        hint=d.get("hint"),
        url=_rule_url(d["code"]),
    )


_RANK = {"error": 0, "warning": 1, "info": 2}


def _by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings, then info; in file order within each."""
    return sorted(findings, key=lambda f: (_RANK[f.severity], f.line or 0, f.code))


def _tasks(report: Report) -> list[SimpleNamespace]:
    result = report.result
    shares = getattr(result, "task_shares", {}) or {}

    def row(name: str, sh: float, outcomes: dict[str, float], metrics: dict[str, float]) -> Any:
        return SimpleNamespace(
            name=name,
            share=share(sh),
            resolved=share(metrics.get("p_resolved", math.nan)),
            human=share(metrics.get("p_human", math.nan)),
            abandoned=share(outcomes.get("abandoned", math.nan)),
            disconnected=share(outcomes.get("disconnected", math.nan)),
            time=value("mean_time_s", metrics.get("mean_time_s")),
            time_to_human=value("mean_time_to_human_s", metrics.get("mean_time_to_human_s")),
            menus=value("mean_menus", metrics.get("mean_menus")),
            repeat=share(metrics.get("p_repeat_identity", math.nan)),
            total=False,
        )

    rows = [
        row(words(t), shares.get(t, math.nan), r.outcomes, r.metrics)
        for t, r in sorted(result.tasks.items(), key=lambda kv: -shares.get(kv[0], 0.0))
    ]
    overall = row("all calls", 1.0, result.outcomes, result.metrics)
    overall.total = True
    return [*rows, overall]


def _seconds(s: float) -> str:
    if not math.isfinite(s):
        return "—"
    return f"{s:.0f} s" if s < 120 else f"{s / 60:.1f} min"


def _causes(report: Report) -> list[SimpleNamespace]:
    causes = sorted(getattr(report, "causes", ()) or (), key=lambda c: -float(c.share))
    return [
        SimpleNamespace(
            share=share(float(c.share)),
            outcome=words(str(c.outcome)),
            node=c.node or "",
            text=c.text,
            code=c.code or "",
            url=_rule_url(c.code),
        )
        for c in causes
    ]


def report_view(
    report: Report,
    *,
    tree: PhoneTree | None = None,
    file: str | None = None,
    anchor: str | None = None,
    charts: bool = True,
) -> SimpleNamespace:
    """What the templates show of one report (charts drawn when ``charts``; the depth chart
    and the map need the tree)."""
    from markupsafe import Markup

    if anchor is None:  # a view of its own (in a notebook, say): an id no other view has
        anchor = f"ivr-report-{next(_charts._SERIAL)}"
    tree = tree if tree is not None else getattr(report, "tree", None)
    drawn: dict[str, Any] = {"outcomes": None, "depth": None, "map": None}
    if charts:
        drawn["outcomes"] = Markup(_charts.outcomes_svg(report.result, f"{anchor}-outcomes"))
        if tree is not None:
            drawn["depth"] = Markup(_charts.depth_svg(tree, f"{anchor}-depth"))
            drawn["map"] = Markup(_charts.map_svg(tree, f"{anchor}-map", report.findings))
    criteria = [
        SimpleNamespace(
            label=words(c.name),
            metric=c.metric,
            value=value(c.metric, c.value),
            target=value(c.metric, c.target),
            limit=value(c.metric, c.limit),
            weight=f"{c.weight:g}",
            cost=_seconds(float(getattr(c, "cost_s", math.nan))),
            score=float(c.score),
            lost=lost(float(c.points_lost)),
        )
        for c in report.criteria
    ]
    return SimpleNamespace(
        name=report.name,
        file=file or (getattr(tree, "file", None) if tree is not None else None),
        anchor=anchor,
        score=float(report.score),
        grade=report.grade,
        method=getattr(report.result, "method", ""),
        cost=_seconds(float(report.cost_s)) if hasattr(report, "cost_s") else "",
        findings_summary=report.findings.summary(),
        explanations=[(float(p), t) for p, t in report.explanations],
        criteria=criteria,
        causes=_causes(report),
        lost=[
            (words(k), share(v))
            for k, v in report.result.outcomes.items()
            if not k.startswith("resolved")
        ],
        findings=[finding_view(f) for f in _by_severity(report.findings)],
        tasks=_tasks(report),
        charts=SimpleNamespace(**drawn),
        text=report.text(),
    )


def _signed(delta: float, unit: str = "") -> tuple[str, str]:
    text = f"{delta:+.0f}{unit}" if round(delta) != 0 else f"±0{unit}"
    css_class = "ivr-delta-up" if delta >= 0.5 else "ivr-delta-down" if delta <= -0.5 else ""
    return text, css_class


def comparison_view(
    cmp: Comparison,
    *,
    before: PhoneTree | None = None,
    after: PhoneTree | None = None,
    files: Sequence[str | None] = (None, None),
    charts: bool = True,
) -> SimpleNamespace:
    """What the templates show of a comparison: both reports, side by side."""
    from markupsafe import Markup

    before = before if before is not None else getattr(cmp.before, "tree", None)
    after = after if after is not None else getattr(cmp.after, "tree", None)
    b = report_view(cmp.before, tree=before, file=files[0], anchor="before", charts=False)
    a = report_view(cmp.after, tree=after, file=files[1], anchor="after", charts=False)
    # the change in the scores as shown (rounded), so 30 -> 86 reads +56
    delta, delta_class = _signed(round(cmp.after.score) - round(cmp.before.score), " points")
    rows = []
    for cb, ca in zip(cmp.before.criteria, cmp.after.criteria, strict=False):
        text, klass = _signed(round(ca.score) - round(cb.score))
        rows.append(
            SimpleNamespace(
                label=words(cb.name),
                before=value(cb.metric, cb.value),
                after=value(ca.metric, ca.value),
                score_before=float(cb.score),
                score_after=float(ca.score),
                delta=text,
                delta_class=klass,
            )
        )
    drawn: dict[str, Any] = {"compare": None, "depth": None, "map_before": None, "map_after": None}
    if charts:
        drawn["compare"] = Markup(_charts.compare_svg(cmp.before, cmp.after, "cmp-criteria"))
        if before is not None and after is not None:
            drawn["depth"] = Markup(_charts.depth_pair_svg(before, after, "cmp-depth"))
        if before is not None:
            drawn["map_before"] = Markup(
                _charts.map_svg(before, "cmp-map-before", cmp.before.findings)
            )
        if after is not None:
            drawn["map_after"] = Markup(_charts.map_svg(after, "cmp-map-after", cmp.after.findings))
    return SimpleNamespace(
        before=b,
        after=a,
        delta=delta,
        delta_class=delta_class,
        criteria=rows,
        fixed=[finding_view(f) for f in _by_severity(cmp.fixed())],
        introduced=[finding_view(f) for f in _by_severity(cmp.introduced())],
        charts=SimpleNamespace(**drawn),
        text=cmp.text(),
    )


def failure_view(failure: LoadFailure) -> SimpleNamespace:
    return SimpleNamespace(file=failure.file, lines=failure.lines())


def findings_view(findings: Findings) -> dict[str, Any]:
    return {
        "count": f"{len(findings)} finding{'s' * (len(findings) != 1)}",
        "summary": findings.summary(),
        "items": [finding_view(f) for f in _by_severity(findings)],
    }
