"""``ivrscore plot FILE --chart depth|map|outcomes|time -o OUT.png``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..exceptions import IvrscoreError
from ..io import load
from ._app import EXIT_OK

__all__ = ["register", "run", "save_chart"]

CHARTS = ("depth", "map", "outcomes", "time")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "plot",
        help="draw a chart of a phone tree to a PNG, SVG or PDF file",
        description="Draw a chart: the menu depth chart (depth), the menu map (map), how calls "
        "end per task (outcomes) or the time to a person and to resolution (time).",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--chart", choices=CHARTS, default="depth")
    p.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="file to write (.png, .svg, .pdf)"
    )
    p.add_argument(
        "--calls", type=int, default=50_000, metavar="N", help="callers for --chart time"
    )
    p.add_argument("--seed", type=int, default=0, metavar="S")
    p.set_defaults(handler=run)


def save_chart(
    tree: Any, chart: str, output: str | Path, *, calls: int = 50_000, seed: int = 0
) -> Path:
    """Draw ``chart`` for ``tree`` and write it to ``output`` (format from the suffix)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .. import plot
    from ..engine import analyze, simulate
    from ..engine.analyze import NotExactError

    out = Path(output)
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise IvrscoreError(f"{out}: write .png, .svg or .pdf")
    out.parent.mkdir(parents=True, exist_ok=True)
    # each chart sizes its own figure to what it shows (the map to the tree's breadth)
    if chart == "depth":
        ax = plot.depth_chart(tree)
    elif chart == "map":
        ax = plot.menu_map(tree)
    elif chart == "outcomes":
        try:
            result = analyze(tree)
        except NotExactError:
            result = simulate(tree, calls=calls, rng=seed, progress=False)
        ax = plot.outcomes(result)
    else:
        ax = plot.time_to_goal(simulate(tree, calls=calls, rng=seed, progress=False))
    from matplotlib.figure import Figure

    fig = ax.figure
    assert isinstance(fig, Figure)
    try:
        fig.savefig(out, dpi=130)
    finally:
        plt.close(fig)
    return out


def run(args: argparse.Namespace) -> int:
    out = save_chart(load(args.file), args.chart, args.output, calls=args.calls, seed=args.seed)
    print(f"wrote {out}")
    return EXIT_OK
