"""``ivrscore demo``: score the bundled example and show the report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .. import examples
from ..exceptions import IvrscoreError
from ..loading import load
from ..summary import summarise
from ._app import EXIT_OK
from ._style import Style

__all__ = ["REDESIGNS", "register", "run", "short"]


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
        help="where to write the menu depth chart, a PNG (default: ivrscore-demo-depth.png in "
        "the current folder; '' for none)",
    )
    p.add_argument(
        "example",
        nargs="?",
        default=examples.DEMO,
        help=f"example name (default {examples.DEMO}; one of: {', '.join(examples.names())})",
    )
    p.set_defaults(handler=run)


REDESIGNS = {"acme_telecom": "acme_redesign"}
"""Bundled examples that have a redesign to compare them with (before -> after)."""


def short(path: Path) -> str:
    """``path`` as short as it can be said from here: relative when under the working folder,
    from ``~`` when under the home folder, else absolute.

    Examples
    --------
    >>> import os
    >>> short(Path(os.getcwd()) / "examples" / "x.yaml")
    'examples/x.yaml'
    """
    full = path.resolve()
    for base, prefix in ((Path.cwd().resolve(), ""), (Path.home().resolve(), "~/")):
        try:
            return prefix + full.relative_to(base).as_posix()
        except ValueError:
            continue
    return str(full)


def run(args: argparse.Namespace) -> int:
    style = Style(sys.stdout, mode=args.color)
    try:
        path = examples.path(args.example)
    except KeyError as exc:
        raise IvrscoreError(str(exc.args[0])) from None
    tree = load(path)
    print(style(f"ivrscore demo: {tree.name}", "bold"))
    print(f"  from {short(path)}")
    for line in summarise(tree).lines():
        print(f"  {line}")
    print()
    from ..score import score  # the engines load only when a tree is scored

    print(score(tree).text())
    print()
    if args.chart:
        from .plot import save_chart

        out = save_chart(tree, "depth", args.chart)
        print(f"Menu depth chart written to {short(out)} (choose the file with --chart FILE)")
        print()
    here = short(path)
    print("Next, try:")
    print(f"  ivrscore lint {here}")
    print(f"  ivrscore simulate {here} --calls 100000 --paths 3")
    before = path.stem
    after = REDESIGNS.get(before)
    if after is None:  # a redesign: compare what it redesigns with it
        before = next((b for b, a in REDESIGNS.items() if a == path.stem), "")
        after = path.stem if before else None
    if after is not None:
        pair = f"{short(examples.path(before))} {short(examples.path(after))}"
        print(f"  ivrscore compare {pair}")
        print(f"  ivrscore compare {pair} --format html -o compare.html")
    print(f"  ivrscore plot {here} --chart map -o map.png")
    if tree.volume is not None:
        print(f"  ivrscore plot {here} --chart hours -o hours.png")
        print(f"  ivrscore staff {here} --sl 80/20 --max-abandon 5%")
        print(f"  ivrscore centre {here}")
    print(f"  ivrscore improve {here} --diff")
    print("  ivrscore rules IVR302")
    return EXIT_OK
