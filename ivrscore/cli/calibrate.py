"""``ivrscore calibrate TREE LOG...``: fit the caller model to call logs."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from ..io import dump
from ..loading import load
from . import _args
from ._app import EXIT_OK

__all__ = ["register", "run_calibrate"]


def register(sub: Any) -> None:
    from ..calibrate import FORMATS

    p = sub.add_parser(
        "calibrate",
        help="fit the caller model to call logs; observed against predicted",
        description="Read call logs against a phone tree, fit its callers (task shares, "
        "patience, input errors, queue waits, handle times, arrivals) with standard errors, "
        "and compare what the tree predicts with what the logs show, per node and per hour. "
        "With -o, write the tree with the fitted figures in place.",
    )
    p.add_argument("tree", metavar="TREE", help="the phone tree the calls went through")
    p.add_argument("logs", nargs="+", metavar="LOG", help="call log files (one format)")
    p.add_argument(
        "--format",
        dest="log_format",
        choices=list(FORMATS),
        help="the logs' format (default: detected)",
    )
    p.add_argument("-o", "--output", metavar="CALIBRATED.yaml", help="write the calibrated tree")
    p.add_argument(
        "--report", choices=("text", "html", "json"), default="text", help="report format"
    )
    p.add_argument("--since", metavar="TIME", help="only calls from this time (ISO 8601)")
    p.add_argument("--until", metavar="TIME", help="only calls before this time (ISO 8601)")
    p.add_argument(
        "--tz",
        metavar="ZONE",
        help="the call centre's time zone (e.g. Europe/London) for logs in UTC",
    )
    p.add_argument(
        "--patience",
        choices=("exponential", "lognormal", "best"),
        default="exponential",
        help="which patience fit goes into the calibrated tree (default: exponential, which "
        "keeps the exact analysis)",
    )
    p.add_argument(
        "--idle-gap",
        type=_args.finite,
        default=900.0,
        metavar="SECONDS",
        help="an agent is on duty between two calls they answer less than this apart (default 900)",
    )
    p.set_defaults(handler=run_calibrate)


def _when(text: str | None, what: str) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--{what}: not an ISO 8601 time: {text!r}") from None


def run_calibrate(args: argparse.Namespace) -> int:
    from ..calibrate import LogFileError, calibrate

    tz = None
    if args.tz:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            tz = ZoneInfo(args.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise LogFileError(f"unknown time zone {args.tz!r} (e.g. Europe/London)") from None
    try:
        since, until = _when(args.since, "since"), _when(args.until, "until")
    except argparse.ArgumentTypeError as exc:
        raise LogFileError(str(exc)) from None
    tree = load(args.tree)
    cal = calibrate(
        tree,
        [Path(p) for p in args.logs],
        since=since,
        until=until,
        format=args.log_format,
        tz=tz,
        patience=args.patience,
        idle_gap_s=args.idle_gap,
    )
    if args.report == "json":
        print(cal.to_json())
    elif args.report == "html":
        print(cal.to_html())
    else:
        print(cal.summary(), end="")
    if cal.read.skipped:
        first = cal.read.messages[0] if cal.read.messages else ""
        print(
            f"ivrscore: warning: skipped {cal.read.skipped:,} bad rows (first: {first})",
            file=sys.stderr,
        )
    if args.output:
        dump(cal.calibrated, args.output)
        print(f"ivrscore: wrote the calibrated tree to {args.output}", file=sys.stderr)
    return EXIT_OK
