"""``ivrscore improve FILE``: what to change first, and what each change gains."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..io import read_bounded
from ..loading import load
from ._app import EXIT_OK
from .lint import add_standard_option, load_standard

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "improve",
        help="a ranked plan of edits, each re-scored exactly",
        description="Plan the edits that raise the tree's score most, one at a time (greedy "
        "best next edit, every score from the exact engine). With -o, write the improved tree "
        "into a copy of FILE keeping its comments and layout; with --diff, print a unified "
        "diff of FILE ready for a pull request.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("-o", "--output", metavar="BETTER.yaml", help="write the improved tree")
    p.add_argument("--max-edits", type=int, default=10, metavar="N", help="at most N edits (10)")
    p.add_argument(
        "--keep",
        nargs="+",
        default=[],
        metavar="ID",
        help="what must not change: NODE, NODE.prompt (its words) or NODE.KEY (one option)",
    )
    p.add_argument(
        "--allow-staffing",
        action="store_true",
        help="also move agents between queues (same headcount)",
    )
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--diff", action="store_true", help="print a unified diff of FILE")
    add_standard_option(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..exceptions import IvrscoreError
    from ..improve import improve
    from ..improve._yaml import edit_text, unified_diff

    if args.max_edits < 0:
        raise IvrscoreError(f"--max-edits must be 0 or more, not {args.max_edits}")
    tree = load(args.file)
    standard = load_standard(args.standard)
    plan = improve(
        tree,
        standard,
        max_edits=args.max_edits,
        keep=args.keep,
        allow_staffing=args.allow_staffing,
    )
    if args.format == "json":
        print(json.dumps(plan.to_dict(), indent=2, allow_nan=False))
    elif args.format == "markdown":
        print(plan.markdown())
    else:
        print(plan.text())
    if args.output or args.diff:
        original = read_bounded(args.file).decode("utf-8")
        better = edit_text(original, plan.ops, source=args.file)
        if args.diff:
            sys.stdout.write(unified_diff(original, better, Path(args.file).name))
        if args.output:
            Path(args.output).write_text(better, encoding="utf-8")
            if args.format == "text":
                print(f"\nwrote {args.output}", file=sys.stderr)
    return EXIT_OK
