"""``ivrscore import FLOW`` and ``ivrscore export FILE --to dot|mermaid``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .. import importers
from ..exceptions import TreeFileError
from ..export import EXPORT_FORMATS, export
from ..io import dumps
from ..loading import load
from ..summary import summarise
from ._app import EXIT_ERROR, EXIT_OK
from ._style import Style

__all__ = ["register", "run_export", "run_import", "yaml_with_header"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="import a Twilio Studio, Amazon Connect, VoiceXML, FreeSWITCH or Asterisk flow",
        description="Read a flow from the platform it lives on and write it as an ivrscore "
        "phone tree (YAML) to edit and keep. What the file cannot say - why people call and "
        "how often, queue waits, opening hours - gets a default, listed at the top of the "
        "file and on the terminal so you know what to fill in.",
    )
    p.add_argument("flow", metavar="FLOW", help="the platform's flow file")
    p.add_argument("-o", "--output", metavar="TREE.yaml", help="write here (default: stdout)")
    p.add_argument(
        "--format",
        choices=sorted(importers.FORMATS),
        help="the flow's format (default: detected from the content)",
    )
    p.add_argument(
        "--with",
        dest="resources",
        action="append",
        default=[],
        metavar="FILE",
        help="a file the flow refers to: Connect hours of operation, FreeSWITCH phrases, "
        "Asterisk queues.conf (repeatable)",
    )
    p.add_argument(
        "--entry",
        metavar="WHERE",
        help="where callers start when the file has several IVRs: an Asterisk "
        "context[,extension] or a FreeSWITCH menu name",
    )
    p.add_argument(
        "--flow",
        dest="flow_name",
        metavar="NAME",
        help="which flow of a Terraform file or CloudFormation template to import (by "
        "resource name); without it every flow the file holds is imported, one tree after "
        "another (with -o, OUT_NAME.yaml for each)",
    )
    p.set_defaults(handler=run_import)

    e = sub.add_parser(
        "export",
        help="draw a phone tree as Graphviz DOT or Mermaid text",
        description="Write a phone tree (or any flow ivrscore imports) as Graphviz DOT or "
        "Mermaid text, for docs and pull requests.",
    )
    e.add_argument("file", metavar="FILE", help="phone-tree file (or a platform's flow)")
    e.add_argument("--to", choices=EXPORT_FORMATS, required=True, help="text format")
    e.add_argument("-o", "--output", metavar="OUT", help="write here (default: stdout)")
    e.set_defaults(handler=run_export)


def yaml_with_header(imported: importers.Imported, flow: str) -> str:
    """The imported tree as YAML, preceded by comments listing what to fill in."""
    lines = [
        f"# Imported by `ivrscore import` from {Path(flow).name} "
        f"({importers.FORMATS[imported.format]}).",
        "# Before trusting the numbers, review these defaults and gaps:",
    ]
    lines += [f"#  - {w}" for w in imported.warnings]
    return "\n".join(lines) + "\n" + dumps(imported.tree)


def run_import(args: argparse.Namespace) -> int:
    err = Style(sys.stderr)
    found = [] if args.format else importers.flows(args.flow)
    if args.flow_name is None and len(found) > 1:
        print(
            err(f"{args.flow} holds {len(found)} flows:", "bold")
            + "".join(f"\n  - {f.name} ({f.resource}, line {f.line})" for f in found),
            file=sys.stderr,
        )
        failed = 0
        for f in found:
            out = None
            if args.output:
                p = Path(args.output)
                out = str(p.with_name(f"{p.stem}_{f.name}{p.suffix or '.yaml'}"))
            try:
                _import_one(args, err, f.name, out, many=True)
            except TreeFileError as exc:  # one flow that cannot be read does not stop the rest
                failed += 1
                print(err(str(exc), "red"), file=sys.stderr)
        return EXIT_ERROR if failed else EXIT_OK
    return _import_one(args, err, args.flow_name, args.output, many=False)


def _import_one(
    args: argparse.Namespace, err: Style, name: str | None, output: str | None, *, many: bool
) -> int:
    imported = importers.read(
        args.flow, format=args.format, resources=args.resources, entry=args.entry, flow=name
    )
    text = yaml_with_header(imported, args.flow)
    if many and not output:
        text = f"--- # {name}\n" + text
    if output:
        Path(output).write_text(text, encoding="utf-8")
        summary = summarise(imported.tree)
        print(
            f"{err(output, 'bold')}: {imported.tree.name} - "
            f"{summary.lines()[0] if summary.lines() else ''}",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(text)
    print(err(f"{len(imported.warnings)} thing(s) to review:", "yellow"), file=sys.stderr)
    for w in imported.warnings:
        print(f"  - {w}", file=sys.stderr)
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    text = export(load(args.file), args.to) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK
