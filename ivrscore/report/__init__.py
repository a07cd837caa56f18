"""HTML reports people can send round: one standalone page per run, and the Jupyter views.

A page holds everything in one file: the style sheet inline, the charts as inline SVG, no
script and nothing fetched from the network, so it opens from a CI artifact or an e-mail. It
shows the score and grade, each criterion with its value, target, limit and points lost, the
causes of lost calls, the findings with their fix and a link to the rule's page, a table per
task, the outcomes chart, and (given the tree) the menu depth chart and the menu map. A
comparison puts both designs side by side with the findings fixed and introduced.

The pages are rendered from jinja2 templates shipped in ``ivrscore/report/templates/``.

Examples
--------
>>> import ivrscore as ivr
>>> tree = ivr.load(ivr.examples.path("acme_redesign"))
>>> page = report_page(ivr.score(tree), tree=tree)
>>> page.startswith("<!doctype html>"), "<svg" in page, "<script" in page
(True, True, False)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._render import comparison_view, failure_view, findings_view, render, report_view

if TYPE_CHECKING:
    from ..lint import Findings
    from ..lint.report import LoadFailure
    from ..model.tree import PhoneTree
    from ..score import Comparison, Report

__all__ = [
    "comparison_html",
    "comparison_page",
    "findings_html",
    "report_html",
    "report_page",
    "reports_page",
    "tree_html",
]


def reports_page(
    reports: Sequence[Report],
    *,
    trees: Sequence[PhoneTree | None] | None = None,
    files: Sequence[str | None] | None = None,
    failures: Sequence[LoadFailure] = (),
    title: str | None = None,
) -> str:
    """One standalone HTML page for several reports: a summary table, then each report.

    Parameters
    ----------
    reports : sequence of Report
    trees : sequence of PhoneTree or None, optional
        The scored trees, in the same order, for the depth chart and menu map.
    files : sequence of str or None, optional
        Where each tree came from, shown under its name.
    failures : sequence of LoadFailure
        Files that could not be read, listed first with their problems.
    title : str, optional
        The page's title (default: the tree's name, or "ivrscore: N designs").

    Returns
    -------
    str
        The page, ``<!doctype html>`` to ``</html>``.
    """
    trees = list(trees) if trees is not None else [None] * len(reports)
    files = list(files) if files is not None else [None] * len(reports)
    views = [
        report_view(r, tree=t, file=f, anchor=f"report-{i + 1}")
        for i, (r, t, f) in enumerate(zip(reports, trees, files, strict=True))
    ]
    if title is None:
        title = reports[0].name if len(reports) == 1 else f"ivrscore: {len(reports)} designs"
    return render(
        "reports.html.j2",
        title=title,
        reports=views,
        failures=[failure_view(f) for f in failures],
    )


def report_page(report: Report, *, tree: PhoneTree | None = None) -> str:
    """One standalone HTML page for one report (see :func:`reports_page`)."""
    return reports_page([report], trees=[tree])


def comparison_page(
    cmp: Comparison,
    *,
    before: PhoneTree | None = None,
    after: PhoneTree | None = None,
    files: Sequence[str | None] = (None, None),
) -> str:
    """One standalone HTML page comparing two designs side by side.

    Parameters
    ----------
    cmp : Comparison
    before, after : PhoneTree, optional
        The two trees, for the depth charts (on one scale) and the menu maps.
    files : pair of str or None
        Where the trees came from.
    """
    view = comparison_view(cmp, before=before, after=after, files=files)
    return render("comparison.html.j2", title=f"{cmp.before.name} → {cmp.after.name}", c=view)


def report_html(report: Report, *, tree: PhoneTree | None = None) -> str:
    """The report as an HTML fragment (``Report._repr_html_``), with a text fallback."""
    return render(
        "fragment.html.j2", kind="report", r=report_view(report, tree=tree), text=report.text()
    )


def comparison_html(
    cmp: Comparison, *, before: PhoneTree | None = None, after: PhoneTree | None = None
) -> str:
    """The comparison as an HTML fragment (``Comparison._repr_html_``)."""
    view = comparison_view(cmp, before=before, after=after)
    return render("fragment.html.j2", kind="comparison", c=view, text=cmp.text())


def findings_html(findings: Findings) -> str:
    """Findings as an HTML table with each fix and rule link (``Findings._repr_html_``)."""
    text = "\n".join(f.format() for f in findings) or "no findings"
    return render("fragment.html.j2", kind="findings", text=text, **findings_view(findings))


def tree_html(tree: PhoneTree) -> str:
    """A phone tree as a small menu map and its summary (``PhoneTree._repr_html_``)."""
    from markupsafe import Markup

    from ..lint import Findings
    from ..summary import summarise
    from . import _charts

    lines = "\n".join(summarise(tree).lines())
    svg = Markup(_charts.map_svg(tree, "tree-map", Findings()))
    return render("fragment.html.j2", kind="tree", name=tree.name, lines=lines, svg=svg, text=lines)
