"""``ivrscore plot FILE --chart depth|map|outcomes|time|hours|load -o OUT.png``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..exceptions import IvrscoreError
from ..loading import load
from . import _args
from ._app import EXIT_OK

__all__ = ["register", "run", "save_chart"]

CHARTS = ("depth", "map", "outcomes", "time", "hours", "load")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "plot",
        help="draw a chart of a phone tree to a PNG, SVG or PDF file",
        description="Draw a chart: the menu depth chart (depth), the menu map (map), how calls "
        "end per task (outcomes), the time to a person and to resolution (time), and for a tree "
        "with a volume: a staffed queue's hour-of-week heat map (hours) or its offered load "
        "against its agents through the week (load).",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--chart", choices=CHARTS, default="depth")
    p.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="file to write (.png, .svg, .pdf)"
    )
    p.add_argument(
        "--calls", type=_args.calls, default=50_000, metavar="N", help="callers for --chart time"
    )
    p.add_argument("--seed", type=_args.seed, default=0, metavar="S")
    p.add_argument(
        "--queue", metavar="ID", help="the queue or pool for --chart hours|load (default: busiest)"
    )
    p.add_argument(
        "--metric",
        default="asa_s",
        choices=("asa_s", "p_abandon", "service_level", "occupancy", "offered"),
        help="what --chart hours colours (default: asa_s, the answered calls' wait)",
    )
    p.set_defaults(handler=run)


def save_chart(
    tree: Any,
    chart: str,
    output: str | Path,
    *,
    calls: int = 50_000,
    seed: int = 0,
    queue: str | None = None,
    metric: str = "asa_s",
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
    elif chart in ("hours", "load"):
        hourly = analyze(tree, approximate=True).hourly
        if hourly is None or all(hourly.fixed):
            raise IvrscoreError(
                f"--chart {chart} needs a tree with a volume: and a staffed queue without "
                "calls_per_hour"
            )
        try:
            if chart == "hours":
                ax = plot.queue_hours(hourly, queue, metric=metric)
            else:
                ax = plot.load_and_agents(hourly, queue)
        except KeyError as exc:
            raise IvrscoreError(str(exc.args[0])) from None
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
    out = save_chart(
        load(args.file),
        args.chart,
        args.output,
        calls=args.calls,
        seed=args.seed,
        queue=args.queue,
        metric=args.metric,
    )
    print(f"wrote {out}")
    return EXIT_OK
