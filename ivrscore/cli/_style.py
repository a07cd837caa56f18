"""Terminal styling: colour only when writing to a terminal (and NO_COLOR is unset)."""

from __future__ import annotations

import os
import sys
from typing import TextIO

__all__ = ["Style"]

_CODES = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "cyan": "36",
}


class Style:
    """Wraps text in ANSI codes when ``stream`` is a terminal."""

    def __init__(self, stream: TextIO | None = None, *, color: bool | None = None) -> None:
        stream = stream or sys.stdout
        if color is None:
            color = (
                hasattr(stream, "isatty")
                and stream.isatty()
                and "NO_COLOR" not in os.environ
                and os.environ.get("TERM") != "dumb"
            )
        self.color = bool(color)

    def __call__(self, text: str, *styles: str) -> str:
        if not self.color or not styles:
            return text
        codes = ";".join(_CODES[s] for s in styles)
        return f"\033[{codes}m{text}\033[0m"
