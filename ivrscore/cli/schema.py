"""``ivrscore schema``: the JSON Schema of the phone-tree file format, or (``--output COMMAND``)
of a command's JSON output."""

from __future__ import annotations

import argparse
from typing import Any

from .. import __version__
from ..model.tree import PhoneTree
from ._app import EXIT_OK
from ._output import OUTPUTS, dumps, output_schema

__all__ = ["json_schema", "register", "run"]


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a phone-tree file, generated from the pydantic models."""
    from ..model._docs import describe

    schema = describe(PhoneTree.model_json_schema(), PhoneTree)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://ivrscore.invalid/schema/{__version__}/phone-tree.json",
        **schema,
    }


def register(sub: Any) -> None:
    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of the phone-tree file format",
        description="Print the JSON Schema of the phone-tree file format, for editors to "
        "autocomplete and check files; or, with --output COMMAND, of what that command prints "
        "with --format json.",
    )
    p.add_argument(
        "--output",
        choices=OUTPUTS,
        metavar="COMMAND",
        help=f"the schema of a command's JSON output instead: {', '.join(OUTPUTS)}",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print(dumps(output_schema(args.output) if args.output else json_schema()))
    return EXIT_OK
