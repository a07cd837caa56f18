"""Charts as inline SVG: drawn with :mod:`ivrscore.plot`, written with text kept as text and
every id made unique to its chart, so that several charts can share one page."""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..engine import Result
    from ..lint import Findings
    from ..model.tree import PhoneTree
    from ..score import Report

__all__ = ["compare_svg", "depth_pair_svg", "depth_svg", "map_svg", "outcomes_svg"]

_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^)"]+)')
_SERIAL = itertools.count(1)
_SIZE = re.compile(r'<svg([^>]*?) width="([\d.]+)pt" height="([\d.]+)pt"')


def _svg(fig: Any, prefix: str, label: str) -> str:
    """``fig`` as an ``<svg>`` element to inline in HTML (then closed). Its ids start with
    ``prefix`` and a serial number, unique within the process: several reports shown in one
    notebook never share an id (a clip path found under another chart's id would cut it)."""
    import matplotlib
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    try:
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": prefix}):
            fig.savefig(buf, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)
    prefix = f"{prefix}{next(_SERIAL)}"
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = _REF.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", text)
    # scale with the page: drop the fixed size, keep the viewBox, cap at the drawn width
    text = _SIZE.sub(
        lambda m: (
            f'<svg{m.group(1)} role="img" aria-label="{_attr(label)}" '
            f'style="max-width: {float(m.group(2)) * 4 / 3:.0f}px"'
        ),
        text,
        count=1,
    )
    return text.strip()


def _attr(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def _draw(draw: Callable[[], Any], prefix: str, label: str) -> str:
    ax = draw()  # on a figure of its own
    return _svg(ax.figure, prefix, label)


def depth_svg(tree: PhoneTree, prefix: str) -> str:
    from .. import plot

    return _draw(lambda: plot.depth_chart(tree), prefix, f"menu depth chart of {tree.name}")


def depth_pair_svg(before: PhoneTree, after: PhoneTree, prefix: str) -> str:
    """Both depth charts stacked on one time scale."""
    import matplotlib.pyplot as plt

    from .. import plot

    rows = len(before.tasks) + len(after.tasks) + 2
    fig, (a, b) = plt.subplots(
        2,
        1,
        sharex=True,
        figsize=(9.0, 2.6 + 0.42 * rows),
        layout="constrained",
        height_ratios=[len(before.tasks) + 1, len(after.tasks) + 1],
    )
    plot.depth_chart(before, ax=a)
    plot.depth_chart(after, ax=b)  # widens the shared scale to cover both
    a.set_title(f"before: {a.get_title(loc='left')}", loc="left", fontsize=10)
    b.set_title(f"after: {b.get_title(loc='left')}", loc="left", fontsize=10)
    return _svg(fig, prefix, "menu depth charts, before and after, on one time scale")


def map_svg(tree: PhoneTree, prefix: str, findings: Findings | None = None) -> str:
    from .. import plot

    return _draw(lambda: plot.menu_map(tree, findings=findings), prefix, f"menu map of {tree.name}")


def outcomes_svg(result: Result, prefix: str) -> str:
    from .. import plot

    return _draw(lambda: plot.outcomes(result), prefix, f"how calls end at {result.name}")


def compare_svg(before: Report, after: Report, prefix: str) -> str:
    from .. import plot

    return _draw(lambda: plot.compare(before, after), prefix, "criteria before and after")
