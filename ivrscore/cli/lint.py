"""``ivrscore lint FILE...`` and ``ivrscore rules [CODE]``."""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import Any

from ..exceptions import IvrscoreError, TreeFileError
from ..fleet import lint_each
from ..lint import Findings, check_selectors, get_rule, rule_list
from ..lint.report import LoadFailure, explain, to_json, to_sarif, to_text
from ..standard import SEVERITY_RANK, Standard, find_pyproject
from . import _args
from ._app import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from ._output import dumps
from ._style import Style

__all__ = ["load_standard", "register", "run_lint", "run_rules"]


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def add_standard_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--standard",
        metavar="FILE",
        help="a Standard (YAML, or a pyproject.toml with [tool.ivrscore]); default: the nearest "
        "pyproject.toml with [tool.ivrscore], else the built-in defaults",
    )


def load_standard(path: str | None) -> Standard:
    """The Standard from ``--standard``, else the nearest pyproject's, else the defaults."""
    if path:
        return Standard.load(path)
    found = find_pyproject()
    if found is not None:
        std = Standard.from_pyproject(found)
        if std is not None:
            return std
    return Standard()


def register(sub: Any) -> None:
    p = sub.add_parser(
        "lint",
        help="check phone trees against the rule catalogue",
        description="Check phone-tree files against the rule catalogue (see `ivrscore rules`).",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    p.add_argument(
        "--select",
        type=_codes,
        metavar="CODES",
        help="comma-separated codes, prefixes or slugs to run",
    )
    p.add_argument(
        "--ignore",
        type=_codes,
        metavar="CODES",
        help="comma-separated codes, prefixes or slugs to skip",
    )
    p.add_argument(
        "--fail-on",
        choices=("error", "warning", "info", "never"),
        default="error",
        help="exit 1 when a finding is at least this severe (default: error)",
    )
    add_standard_option(p)
    p.add_argument("--jobs", type=_args.jobs, metavar="N", help="lint N files at once (default 1)")
    p.set_defaults(handler=run_lint)

    r = sub.add_parser(
        "rules",
        help="list the rule catalogue, or explain one rule",
        description="List every rule, or explain one with its examples (ivrscore rules IVR302).",
    )
    r.add_argument("code", nargs="?", help="a rule code or slug")
    r.set_defaults(handler=run_rules)


def run_lint(args: argparse.Namespace) -> int:
    advice = " (`ivrscore rules` lists the rules)"
    check_selectors(args.select, option="--select", advice=advice)
    check_selectors(args.ignore, option="--ignore", advice=advice)
    standard = load_standard(args.standard)
    results: list[tuple[str, Findings]] = []
    failures: list[LoadFailure] = []
    # FILE may be a directory or a glob; N files at a time, reported in the order given
    each = lint_each(args.files, standard, select=args.select, ignore=args.ignore, jobs=args.jobs)
    for name, outcome in each:
        try:
            _, found = outcome.get()
        except (TreeFileError, OSError) as exc:
            failures.append(LoadFailure.from_error(name, exc))
            continue
        results.append((name, found))
    if args.format == "text":
        print(to_text(results, failures=failures, style=Style(sys.stdout, mode=args.color)))
    else:
        # the report goes to stdout for tools; what could not be read goes to stderr for people
        err = Style(sys.stderr, mode=args.color)
        for failure in failures:
            for line in failure.lines(style=err):
                print(f"ivrscore: {line}", file=sys.stderr)
        if args.format == "json":
            print(dumps(to_json(results, failures=failures)))
        else:
            print(dumps(to_sarif(results, failures=failures, arguments=["ivrscore", *args.argv])))
    if failures:
        return EXIT_ERROR
    if args.fail_on != "never":
        worst = SEVERITY_RANK[args.fail_on]
        if any(SEVERITY_RANK[f.severity] >= worst for _, found in results for f in found):
            return EXIT_FINDINGS
    return EXIT_OK


def run_rules(args: argparse.Namespace) -> int:
    if args.code:
        try:
            get_rule(args.code)
        except KeyError as exc:
            raise IvrscoreError(str(exc.args[0])) from None
        print(explain(args.code))
        return EXIT_OK
    style = Style(sys.stdout, mode=args.color)
    # cut summaries to the width of a terminal; piped or redirected, print them whole
    tty = sys.stdout.isatty()
    width = max(shutil.get_terminal_size((100, 24)).columns, 80)
    for r in rule_list():
        head = f"{r.code}  {r.slug:<22} {r.severity:<8} "
        room = width - len(head) - 1
        fits = not tty or len(r.summary) <= room
        summary = r.summary if fits else r.summary[: room - 1].rstrip() + "…"
        print(f"{style(r.code, 'bold')}{head[len(r.code) :]}{summary}")
    print(f"\n{len(rule_list())} rules. `ivrscore rules CODE` explains one.")
    return EXIT_OK
