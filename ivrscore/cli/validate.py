"""``ivrscore validate FILE...``: load each file and print a short summary."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..exceptions import TreeFileError
from ..loading import load
from ..summary import summarise
from ._app import EXIT_ERROR, EXIT_OK
from ._output import dumps
from ._style import Style

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "validate",
        help="load and check phone-tree files; print a short summary of each",
        description="Load and check phone-tree files (YAML or JSON) and summarise each: nodes by "
        "type, each task's menu depth and seconds to reach, and the fastest way to a human.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="phone-tree files")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    style = Style(sys.stdout)
    code = EXIT_OK
    results: list[dict[str, Any]] = []
    for i, name in enumerate(args.files):
        try:
            tree = load(name)
        except (TreeFileError, OSError) as exc:
            code = EXIT_ERROR
            if isinstance(exc, OSError):
                print(f"ivrscore: {name}: {exc.strerror or exc}", file=sys.stderr)
            else:
                print(f"ivrscore: {exc}", file=sys.stderr)
            results.append({"file": name, "valid": False, "error": str(exc)})
            continue
        summary = summarise(tree)
        results.append({"file": name, "valid": True, **summary.to_dict()})
        if args.format == "text" and not args.quiet:
            if i:
                print()
            print(f"{style(name, 'bold')}: {style('valid', 'green')} — {tree.name}")
            for line in summary.lines():
                print(f"  {line}")
    if args.format == "json":
        print(dumps(results))  # one entry per file, however many files
    return code
