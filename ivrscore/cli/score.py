"""``ivrscore score FILE...`` and ``ivrscore compare BEFORE AFTER``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..exceptions import TreeFileError
from ..io import load
from ..score import compare, score
from ._app import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from .lint import add_standard_option, load_standard

__all__ = ["register", "run_compare", "run_score"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "score",
        help="score phone trees against the user-friendly-technology law",
        description="Score phone trees 0-100 (grade A-F) against 'if you must use technology, "
        "make it user-friendly', with the reasons for every point lost.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=("text", "json", "html", "markdown"), default="text")
    p.add_argument(
        "--fail-under", type=float, metavar="N", help="exit 1 when a score is under N (for CI)"
    )
    p.add_argument(
        "--calls", type=int, metavar="N", help="simulate N callers instead of solving exactly"
    )
    add_standard_option(p)
    p.set_defaults(handler=run_score)

    c = sub.add_parser(
        "compare",
        help="score two designs side by side",
        description="Score two versions of a phone tree and show criteria, metrics and findings "
        "side by side.",
    )
    c.add_argument("before", metavar="BEFORE")
    c.add_argument("after", metavar="AFTER")
    c.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    add_standard_option(c)
    c.set_defaults(handler=run_compare)


def run_score(args: argparse.Namespace) -> int:
    standard = load_standard(args.standard)
    reports = []
    failed = False
    for name in args.files:
        try:
            tree = load(name)
        except (TreeFileError, OSError) as exc:
            msg = f"{name}: {exc.strerror}" if isinstance(exc, OSError) else str(exc)
            print(f"ivrscore: {msg}", file=sys.stderr)
            failed = True
            continue
        reports.append((name, score(tree, standard, calls=args.calls)))
    if args.format == "json":
        data = [{"file": n, **r.to_dict()} for n, r in reports]
        print(json.dumps(data[0] if len(data) == 1 else data, indent=2))
    elif args.format == "markdown":
        print("\n".join(r.markdown() for _, r in reports))
    elif args.format == "html":
        print("\n".join(r.html() for _, r in reports))
    else:
        print("\n\n".join(r.text() for _, r in reports))
    if failed:
        return EXIT_ERROR
    if args.fail_under is not None and any(r.score < args.fail_under for _, r in reports):
        return EXIT_FINDINGS
    return EXIT_OK


def run_compare(args: argparse.Namespace) -> int:
    standard = load_standard(args.standard)
    cmp = compare(load(args.before), load(args.after), standard)
    if args.format == "json":
        print(json.dumps(cmp.to_dict(), indent=2))
    elif args.format == "markdown":
        print(cmp.markdown())
    else:
        print(cmp.text())
    return EXIT_OK
