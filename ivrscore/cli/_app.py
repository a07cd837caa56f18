"""Argument parsing, dispatch and the error boundary of the command line."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TextIO

from .. import __version__
from ..exceptions import ArgumentError, IvrscoreError
from ._style import add_color_option

__all__ = ["COMMANDS", "EXIT_ERROR", "EXIT_FINDINGS", "EXIT_OK", "build_parser", "main"]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see --help)\n")


COMMANDS: dict[str, str] = {
    "demo": "demo",
    "validate": "validate",
    "lint": "lint",
    "rules": "lint",
    "analyze": "engines",
    "simulate": "engines",
    "score": "score",
    "compare": "score",
    "plot": "plot",
    "import": "convert",
    "export": "convert",
    "schema": "schema",
    "improve": "improve",
    "calibrate": "calibrate",
    "staff": "staff",
    "centre": "centre",
    "sweep": "sweep",
}
"""Each sub-command and the module of :mod:`ivrscore.cli` that registers it, in help order."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``ivrscore`` argument parser.

    With every sub-command registered by default; with ``command`` (a key of
    :data:`COMMANDS`), only the module that registers that one is imported, so that a command
    starts without importing what the others need (the engines, plotting, calibration).
    """
    import importlib

    parser = _Parser(
        prog="ivrscore",
        description="Score telephone menus (IVRs, phone trees) against "
        "'if you must use technology, make it user-friendly'.",
    )
    parser.add_argument("--version", action="version", version=f"ivrscore {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    wanted = [COMMANDS[command]] if command in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for name in wanted:
        importlib.import_module(f"{__package__}.{name}").register(sub)
    for sub_command in sub.choices.values():
        add_color_option(sub_command)
    return parser


def _command_of(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` runs (its first word), if it is one: top-level options such as
    ``--help`` and ``--version`` come before any sub-command and need the whole parser."""
    return argv[0] if argv and argv[0] in COMMANDS else None


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Warnings as one line on stderr (``ivrscore: warning: ...``), never a source excerpt;
    with the command line's advice where the warning has it (``cli_message``)."""
    print(f"ivrscore: warning: {getattr(message, 'cli_message', message)}", file=sys.stderr)


def _tolerant_output() -> None:
    """Text the terminal's encoding cannot show (a prompt in Thai on an ASCII terminal) comes
    out as escapes such as ``\\u0e2a`` instead of ending the command."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a closed or odd stream
                reconfigure(errors="backslashreplace")


def _naming_the_file(exc: IvrscoreError, args: argparse.Namespace) -> str:
    """The error's line, naming the command's one input file when the error does not (an engine
    refusing a tree that loaded, such as ``staff`` on a tree without a volume)."""
    message = str(exc)
    if isinstance(exc, ArgumentError):  # a usage error (an option's value), not the file's
        return message
    file = getattr(args, "file", None)
    files = getattr(args, "files", None)
    if file is None and isinstance(files, list | tuple) and len(files) == 1:
        file = files[0]  # a command of many files given one (``score FILE``)
    if isinstance(file, str | os.PathLike) and str(file) not in message:
        return f"{file}: {message}"
    return message


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    _tolerant_output()
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_of(words))
    args = parser.parse_args(words)
    args.argv = words  # recorded in SARIF invocations
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return handler(args)
    except BrokenPipeError:  # output piped to `head` and closed: not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except IvrscoreError as exc:
        print(f"ivrscore: {_naming_the_file(exc, args)}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"ivrscore: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("ivrscore: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the boundary: one line, never a traceback
        if os.environ.get("IVRSCORE_DEBUG"):
            raise
        print(
            f"ivrscore: internal error: {type(exc).__name__}: {exc} "
            "(please report it; IVRSCORE_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
