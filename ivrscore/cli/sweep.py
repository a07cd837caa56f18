"""``ivrscore sweep FILE --set PATH=VALUES ...``: a what-if grid, on local cores or a cluster."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..exceptions import IvrscoreError
from ..loading import load
from ..sweep import Sweep, parse_values, sweep
from . import _args
from ._app import EXIT_OK
from ._output import dumps, versioned
from .lint import add_standard_option, load_standard

__all__ = ["register", "run_sweep"]

_TABLES = (".csv", ".json", ".parquet")
_CHARTS = (".png", ".svg", ".pdf")


def _setting(text: str) -> tuple[str, list[Any]]:
    path, sep, values = text.partition("=")
    if not sep or not path.strip():
        raise argparse.ArgumentTypeError(
            f"expected PATH=VALUES (e.g. nodes.general_queue.staffing.agents=10:40), not {text!r}"
        )
    try:
        return path.strip(), parse_values(values)
    except IvrscoreError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(sub: Any) -> None:
    p = sub.add_parser(
        "sweep",
        help="score a grid of what-ifs (staffing, patience...) in parallel",
        description="Score a phone tree at every combination of the values given with --set "
        "(paths into the file: nodes.general_queue.staffing.agents=10:40, "
        "callers.0.patience.mean_s=120,240,480), on the local cores or on a Dask cluster. "
        "VALUES is START:STOP (both included), START:STOP:STEP, or a,b,c.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--set",
        dest="settings",
        type=_setting,
        action="append",
        required=True,
        metavar="PATH=VALUES",
        help="a path into the tree and the values to try (repeat for a grid)",
    )
    p.add_argument("--engine", choices=("analyze", "simulate"), default="analyze")
    p.add_argument(
        "--calls", type=_args.calls, metavar="N", help="callers per point with --engine simulate"
    )
    p.add_argument("--seed", type=int, default=0, metavar="S", help="root seed (default 0)")
    p.add_argument(
        "--jobs", type=_args.jobs, metavar="N", help="worker processes (default: the cores)"
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on this Dask scheduler (tcp://host:8786; needs ivrscore[distributed])",
    )
    p.add_argument(
        "-o",
        "--output",
        action="append",
        default=[],
        metavar="OUT",
        help="write the results (.csv, .json, .parquet) and/or the --plot chart (.png, .svg, "
        ".pdf); may be given twice",
    )
    p.add_argument(
        "--plot",
        metavar="X,Y[,HUE]",
        help="chart Y against X (columns: a path's last part, score, an outcome, a metric)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="for stdout")
    add_standard_option(p)
    p.set_defaults(handler=run_sweep)


def _save_chart(result: Sweep, spec: str, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bits = [b.strip() for b in spec.split(",") if b.strip()]
    if len(bits) not in (2, 3):
        raise IvrscoreError(f"--plot takes X,Y or X,Y,HUE, not {spec!r}")
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    try:
        result.plot(x=bits[0], y=bits[1], hue=bits[2] if len(bits) == 3 else None, ax=ax)
        fig.tight_layout()
        fig.savefig(out, dpi=130)
    finally:
        plt.close(fig)


def run_sweep(args: argparse.Namespace) -> int:
    outputs = [Path(o) for o in args.output]
    for o in outputs:
        if o.suffix.lower() not in _TABLES + _CHARTS:
            raise IvrscoreError(f"{o}: write results as .csv, .json or .parquet, a chart as .png")
    charts = [o for o in outputs if o.suffix.lower() in _CHARTS]
    tables = [o for o in outputs if o.suffix.lower() in _TABLES]
    if charts and not args.plot:
        raise IvrscoreError(f"{charts[0]}: a chart needs --plot X,Y")
    if args.plot and not charts:
        raise IvrscoreError("--plot needs -o CHART.png")
    if args.calls and args.engine != "simulate":
        raise IvrscoreError("--calls goes with --engine simulate")
    standard = load_standard(args.standard)
    tree = load(args.file)
    grid = dict(args.settings)
    client = _args.dask_client(args.scheduler)
    try:
        result = sweep(
            tree,
            grid,
            engine=args.engine,
            calls=args.calls,
            rng=args.seed,
            standard=standard,
            client=client,
            jobs=args.jobs,
        )
    finally:
        if client is not None:
            client.close()
    for o in tables:
        result.write(o)
        print(f"wrote {o}", file=sys.stderr)
    for o in charts:
        _save_chart(result, args.plot, o)
        print(f"wrote {o}", file=sys.stderr)
    if not tables:
        if args.format == "json":
            print(dumps(versioned(result.to_dict())))
        else:
            print(result.summary(limit=len(result)))
    return EXIT_OK
