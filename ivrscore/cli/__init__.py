"""The ``ivrscore`` command: a thin layer over the library.

Exit codes: 0 fine; 1 findings at or over ``--fail-on``, or a score under ``--fail-under``;
2 a usage or input error, reported as one line on stderr (never a traceback; set
``IVRSCORE_DEBUG=1`` to see one for an internal error).
"""

from __future__ import annotations

from ._app import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, build_parser, main

__all__ = ["EXIT_ERROR", "EXIT_FINDINGS", "EXIT_OK", "build_parser", "main"]
