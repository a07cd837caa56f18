"""``ivrscore analyze FILE`` and ``ivrscore simulate FILE``."""

from __future__ import annotations

import argparse
from typing import Any

from ..engine import simulate
from ..exceptions import IvrscoreError
from ..loading import load
from ..model.callers import Lognormal
from . import _args
from ._app import EXIT_OK
from ._output import dumps, versioned

__all__ = ["register", "run_analyze", "run_simulate"]


def register(sub: Any) -> None:
    a = sub.add_parser(
        "analyze",
        help="exact expected outcomes (absorbing Markov chain)",
        description="Exact expected outcomes and metrics of a phone tree under the caller model "
        "(needs exponential patience, or --approximate).",
    )
    a.add_argument("file", metavar="FILE")
    a.add_argument("--format", choices=("text", "json"), default="text")
    a.add_argument(
        "--approximate",
        action="store_true",
        help="treat log-normal patience as exponential with the same mean",
    )
    a.set_defaults(handler=run_analyze)

    s = sub.add_parser(
        "simulate",
        help="Monte Carlo callers",
        description="Simulate callers through a phone tree (any patience distribution).",
    )
    s.add_argument("file", metavar="FILE")
    s.add_argument(
        "--calls", type=_args.calls, default=100_000, metavar="N", help="callers (default 100,000)"
    )
    s.add_argument(
        "--seed",
        type=_args.seed,
        default=None,
        metavar="S",
        help="random seed (same seed, same numbers)",
    )
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.add_argument(
        "--paths",
        type=_args.paths,
        default=0,
        metavar="K",
        help="also print K sample caller journeys",
    )
    s.add_argument(
        "--jobs",
        type=_args.jobs,
        default=None,
        metavar="N",
        help="simulate on N local processes (the same numbers as one)",
    )
    s.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="simulate on this Dask scheduler (tcp://host:8786; needs ivrscore[distributed])",
    )
    s.set_defaults(handler=run_simulate)


def run_analyze(args: argparse.Namespace) -> int:
    from ..engine.analyze import NotExactError, analyze  # scipy loads here

    tree = load(args.file)
    try:
        result = analyze(tree, approximate=args.approximate)
    except NotExactError:
        # the library's message gives Python advice; on the command line, give the options
        names = [p.name for p in tree.personas if isinstance(p.patience, Lognormal)]
        who = (
            f"persona '{names[0]}' has"
            if len(names) == 1
            else "personas " + ", ".join(f"'{n}'" for n in names) + " have"
        )
        raise IvrscoreError(
            f"{args.file}: {who} log-normal patience, which the exact analysis cannot solve "
            f"(it needs exponential patience, or none): run `ivrscore simulate {args.file}`, "
            "or add --approximate to treat it as exponential with the same mean"
        ) from None
    if args.format == "json":
        print(dumps(versioned(result.to_dict())))
    else:
        print(result.summary())
    return EXIT_OK


def run_simulate(args: argparse.Namespace) -> int:
    # no per-caller records: any number of callers in bounded memory (a bar on a terminal)
    tree = load(args.file)
    client = _args.dask_client(args.scheduler)
    try:
        sim = simulate(
            tree, calls=args.calls, rng=args.seed, records=False, jobs=args.jobs, client=client
        )
    finally:
        if client is not None:
            client.close()
    if args.format == "json":
        data = versioned(sim.to_dict())
        if args.paths:
            data["paths"] = sim.paths(args.paths)
        print(dumps(data))
    else:
        print(sim.summary())
        if args.paths:
            print("\nsample journeys")
            for line in sim.paths(args.paths):
                print(f"  {line}")
    return EXIT_OK
