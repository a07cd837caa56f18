"""``ivrscore centre FILE [--weeks N]``: the whole contact centre, simulated, beside the model."""

from __future__ import annotations

import argparse
import math
from typing import Any

from ..loading import load
from ._app import EXIT_OK
from ._output import dumps

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "centre",
        help="simulate the centre's week: callers competing for the agents",
        description="For a tree with a volume:, simulate the week of the whole contact centre "
        "(arrivals hour by hour, shared agents under their rosters, abandonment, transfers "
        "that queue again) and show each staffed queue's figures beside the hour-by-hour "
        "Erlang A model that analyze and score use: where they part is where that model "
        "is only an approximation (peaks, shift changes).",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--weeks", type=int, default=1, metavar="N", help="measured weeks (1)")
    p.add_argument("--seed", type=int, default=0, help="random seed (0)")
    p.add_argument("--queue", metavar="ID", help="only this queue or pool, hour by hour")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..engine.analyze import analyze
    from ..engine.centre import simulate_centre

    tree = load(args.file)
    run_ = simulate_centre(tree, weeks=args.weeks, rng=args.seed)
    model = analyze(tree, approximate=True).hourly
    figures = ("offered", "asa_s", "service_level", "p_abandon", "occupancy")
    if args.format == "json":
        doc = {
            "version": 1,
            "name": tree.name,
            "seed": args.seed,
            "weeks": run_.weeks,
            "calls": run_.calls,
            "outcomes": run_.outcomes,
            "queues": {
                name: {f: run_.figure(name, f) for f in figures} for name in run_.hours.names
            },
            "hourly": run_.hours.to_dict(),
        }
        print(dumps(doc))
        return EXIT_OK
    weeks = "a simulated week" if run_.weeks == 1 else f"{run_.weeks} simulated weeks"
    print(f"{tree.name}: {run_.calls:,} calls in {weeks}, seed {args.seed}")
    print(run_.hours.summary())
    if model is not None:
        if args.queue:
            print()
            print("\n".join(run_.side_by_side(model, args.queue)))
        else:
            print("\nover the week (model / simulation)")
            for name in run_.hours.names:
                r = model.index(name)
                parts = []
                for f, label, fmt in (
                    ("asa_s", "ASA", "{:.0f} s"),
                    ("p_abandon", "abandon", "{:.1%}"),
                    ("occupancy", "busy", "{:.0%}"),
                ):
                    m = _week(model, r, f)
                    s = run_.figure(name, f)
                    parts.append(f"{label} {_fmt(fmt, m)} / {_fmt(fmt, s)}")
                print(f"  {name[:22]:<22} " + ", ".join(parts))
            print(f"\nhour by hour: ivrscore centre {args.file} --queue {run_.hours.names[0]}")
    return EXIT_OK


def _week(h: Any, r: int, figure: str) -> float:
    """A model row's figure over the week, weighted as the simulation's totals are: ASA by
    answered calls, abandonment by offered calls, occupancy by agent hours."""
    import numpy as np

    offered = h.offered[r]
    weights = {
        "asa_s": offered * (1 - np.nan_to_num(h.p_abandon[r])),
        "p_abandon": offered,
        "occupancy": h.agents[r].astype(float),
    }[figure]
    values = getattr(h, figure)[r]
    ok = np.isfinite(values) & (weights > 0)
    return float((values[ok] * weights[ok]).sum() / weights[ok].sum()) if ok.any() else math.nan


def _fmt(fmt: str, x: float) -> str:
    return fmt.format(x) if math.isfinite(x) else "—"
