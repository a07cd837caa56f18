"""``ivrscore score FILE...`` and ``ivrscore compare BEFORE AFTER``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import TreeFileError
from ..fleet import expand, fleet_table, is_fleet, score_each
from ..lint.report import LoadFailure
from ..loading import load
from ..model.tree import PhoneTree
from . import _args
from ._app import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from ._output import dumps, versioned
from ._style import Style
from .lint import add_standard_option, load_standard

if TYPE_CHECKING:
    from ..score import Report

__all__ = ["register", "run_compare", "run_score"]


def _add_output_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="write the report here instead of to stdout (e.g. report.html)",
    )


def register(sub: Any) -> None:
    p = sub.add_parser(
        "score",
        help="score phone trees against the user-friendly-technology law",
        description="Score phone trees 0-100 (grade A-F) against 'if you must use technology, "
        "make it user-friendly', with the reasons for every point lost. --format html writes "
        "one standalone page (charts inline, no network) for all the files given.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=("text", "json", "html", "markdown"), default="text")
    _add_output_option(p)
    p.add_argument(
        "--fail-under",
        type=_args.finite,
        metavar="N",
        help="exit 1 when a score is under N (for CI)",
    )
    p.add_argument(
        "--calls",
        type=_args.calls,
        metavar="N",
        help="simulate N callers instead of solving exactly",
    )
    add_standard_option(p)
    p.add_argument("--jobs", type=_args.jobs, metavar="N", help="score N files at once (default 1)")
    p.set_defaults(handler=run_score)

    c = sub.add_parser(
        "compare",
        help="score two designs side by side",
        description="Score two versions of a phone tree and show criteria, metrics and findings "
        "side by side. --format html writes one standalone page.",
    )
    c.add_argument("before", metavar="BEFORE")
    c.add_argument("after", metavar="AFTER")
    c.add_argument("--format", choices=("text", "json", "html", "markdown"), default="text")
    _add_output_option(c)
    add_standard_option(c)
    c.set_defaults(handler=run_compare)


def _write(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    else:
        print(text)


def run_score(args: argparse.Namespace) -> int:

    standard = load_standard(args.standard)
    reports: list[tuple[str, PhoneTree, Report]] = []
    failures: list[LoadFailure] = []
    err = Style(sys.stderr, mode=args.color)
    # FILE may be a directory or a glob; N files at a time, reported in the order given
    for name, outcome in score_each(args.files, standard, calls=args.calls, jobs=args.jobs):
        try:
            tree, report = outcome.get()
        except (TreeFileError, OSError) as exc:
            failure = LoadFailure.from_error(name, exc)
            failures.append(failure)
            for line in failure.lines(style=err):
                print(f"ivrscore: {line}", file=sys.stderr)
            continue
        reports.append((name, tree, report))
    if args.format == "json":
        data = {
            "reports": [{"file": n, **r.to_dict()} for n, _, r in reports],
            "errors": [d for f in failures for d in f.to_dicts()],
        }
        _write(dumps(versioned(data)), args.output)
    elif args.format == "markdown":
        _write("\n".join(r.markdown() for _, _, r in reports), args.output)
    elif args.format == "html":
        from ..report import reports_page

        page = reports_page(
            [r for _, _, r in reports],
            trees=[t for _, t, _ in reports],
            files=[n for n, _, _ in reports],
            failures=failures,
        )
        _write(page, args.output)
    elif is_fleet(args.files):  # a directory or a pattern: one line per file
        _write(fleet_table(reports, failures, resources=expand(args.files)[1]), args.output)
    else:
        _write("\n\n".join(r.text() for _, _, r in reports), args.output)
    if failures:
        return EXIT_ERROR
    if args.fail_under is not None and any(r.score < args.fail_under for _, _, r in reports):
        return EXIT_FINDINGS
    return EXIT_OK


def run_compare(args: argparse.Namespace) -> int:
    from ..score import compare

    standard = load_standard(args.standard)
    before, after = load(args.before), load(args.after)
    cmp = compare(before, after, standard)
    if args.format == "json":
        _write(dumps(versioned(cmp.to_dict())), args.output)
    elif args.format == "markdown":
        _write(cmp.markdown(), args.output)
    elif args.format == "html":
        from ..report import comparison_page

        _write(
            comparison_page(cmp, before=before, after=after, files=(args.before, args.after)),
            args.output,
        )
    else:
        _write(cmp.text(), args.output)
    return EXIT_OK
