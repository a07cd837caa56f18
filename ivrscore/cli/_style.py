"""Terminal styling: colour when writing to a terminal, as ``--color``, ``FORCE_COLOR`` and
``NO_COLOR`` say.

Order of precedence: ``--color always|never``; then ``FORCE_COLOR`` set to anything but the
empty string (force-color.org); then ``NO_COLOR`` set to anything but the empty string
(no-color.org); then colour only on a terminal whose ``TERM`` is not ``dumb``.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

__all__ = ["COLOR_MODES", "Style", "add_color_option", "use_color"]

COLOR_MODES: tuple[str, ...] = ("auto", "always", "never")

_CODES = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "cyan": "36",
}


def use_color(stream: TextIO, mode: str = "auto") -> bool:
    """Whether to colour what is written to ``stream``.

    Examples
    --------
    >>> import io
    >>> use_color(io.StringIO(), "always"), use_color(io.StringIO(), "auto")
    (True, False)
    """
    if mode == "always":
        return True
    if mode == "never":
        return False
    if os.environ.get("FORCE_COLOR", ""):
        return True
    if os.environ.get("NO_COLOR", ""):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


class Style:
    """Wraps text in ANSI codes when colour is on for ``stream`` (see :func:`use_color`)."""

    def __init__(
        self, stream: TextIO | None = None, *, color: bool | None = None, mode: str = "auto"
    ) -> None:
        stream = stream or sys.stdout
        self.color = use_color(stream, mode) if color is None else bool(color)

    def __call__(self, text: str, *styles: str) -> str:
        if not self.color or not styles:
            return text
        codes = ";".join(_CODES[s] for s in styles)
        return f"\033[{codes}m{text}\033[0m"


def add_color_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--color auto|always|never`` to a command."""
    parser.add_argument(
        "--color",
        choices=COLOR_MODES,
        default="auto",
        help="colour the output: auto (on a terminal, unless NO_COLOR is set; FORCE_COLOR "
        "forces it), always or never (default: auto)",
    )
