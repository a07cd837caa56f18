"""``ivrscore demo``: run ivrscore on the bundled example."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import examples
from ..io import load
from ..summary import summarise
from ._app import EXIT_OK
from ._style import Style

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="run ivrscore on a bundled example phone tree",
        description="Run ivrscore on a bundled example (default: a national telecom helpline "
        "as callers experience it).",
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
        from ..exceptions import IvrscoreError

        raise IvrscoreError(str(exc.args[0])) from None
    tree = load(path)
    print(style(tree.name, "bold"))
    print(f"  from {path}")
    for line in summarise(tree).lines():
        print(f"  {line}")
    print()
    print("Next: ivrscore validate YOUR_TREE.yaml, or ivrscore schema for the file format.")
    return EXIT_OK
