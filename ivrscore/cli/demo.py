"""``ivrscore demo``: score the bundled example and show the report."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import examples
from ..exceptions import IvrscoreError
from ..io import load
from ..score import score
from ..summary import summarise
from ._app import EXIT_OK
from ._style import Style

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="score a bundled example phone tree",
        description="Score a bundled example (default: a national telecom helpline as callers "
        "experience it) and print the report.",
    )
    p.add_argument(
        "--chart",
        default="ivrscore-demo-depth.png",
        metavar="OUT",
        help="where to write the menu depth chart (default ivrscore-demo-depth.png; '' for none)",
    )
    p.add_argument(
        "example",
        nargs="?",
        default=examples.DEMO,
        help=f"example name (default {examples.DEMO}; one of: {', '.join(examples.names())})",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    style = Style(sys.stdout)
    try:
        path = examples.path(args.example)
    except KeyError as exc:
        raise IvrscoreError(str(exc.args[0])) from None
    tree = load(path)
    print(style(f"ivrscore demo: {tree.name}", "bold"))
    print(f"  from {path}")
    for line in summarise(tree).lines():
        print(f"  {line}")
    print()
    print(score(tree).text())
    print()
    if args.chart:
        from .plot import save_chart

        print(f"Menu depth chart: {save_chart(tree, 'depth', args.chart)}")
        print()
    print("Next, try:")
    print(f"  ivrscore lint {path}")
    print(f"  ivrscore simulate {path} --calls 100000 --paths 3")
    print(f"  ivrscore compare {path} {examples.path('acme_redesign')}")
    print(f"  ivrscore plot {path} --chart map -o map.png")
    print("  ivrscore rules IVR302")
    return EXIT_OK
