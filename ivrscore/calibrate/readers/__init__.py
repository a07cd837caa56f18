"""Call-log readers, one per format, each turning its rows into calls of common events.

=================  ====================================================================
format             files
=================  ====================================================================
``generic``        the documented CSV event log (:mod:`.generic`)
``anonymous_bank`` per-call records in the Technion "Anonymous Bank" layout
``asterisk``       Asterisk ``queue_log`` (pipe file or a database export), with CEL
``freeswitch``     FreeSWITCH ``mod_cdr_csv`` records (and ``mod_callcenter`` variables)
``connect``        Amazon Connect contact trace records, with contact flow logs
``twilio``         Twilio Studio execution steps
``genesys``        Genesys Cloud analytics conversation details
=================  ====================================================================

:func:`read` detects the format of each file unless it is given. Bad rows are skipped and
counted (with the file and line of the first ones) in a :class:`~.._events.ReadReport`; a file
that is not the format at all raises :class:`~.._events.LogFileError`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import Any

from ..._text import did_you_mean
from .._events import Call, LogFileError, ReadReport, redact
from ._common import Options

__all__ = ["FORMATS", "detect", "read"]

FORMATS: dict[str, str] = {
    "generic": "generic CSV event log",
    "anonymous_bank": "Anonymous Bank per-call records (Technion)",
    "asterisk": "Asterisk queue_log (and CEL)",
    "freeswitch": "FreeSWITCH CDR (mod_cdr_csv)",
    "connect": "Amazon Connect contact records and flow logs",
    "twilio": "Twilio Studio execution steps",
    "genesys": "Genesys Cloud conversation details",
}
"""Every log format, with its name in messages."""

_ORDER = ("anonymous_bank", "asterisk", "generic", "connect", "twilio", "genesys", "freeswitch")


def _module(fmt: str) -> Any:
    return importlib.import_module(f"{__name__}.{fmt}")


def detect(path: str | Path) -> str:
    """The format of one log file, from its first bytes.

    Raises
    ------
    LogFileError
        No reader recognises it.
    """
    p = Path(path)
    for fmt in _ORDER:
        if _module(fmt).sniff(p):
            return fmt
    raise LogFileError(
        "not a call log ivrscore can read; give --format (" + ", ".join(FORMATS) + ")",
        file=str(path),
    )


def read(
    paths: Sequence[str | Path],
    *,
    format: str | None = None,
    tz: tzinfo | None = None,
    report: ReadReport | None = None,
) -> Iterator[Call]:
    """Calls from log files, one at a time.

    Parameters
    ----------
    paths : sequence of paths
        Log files of one format (gzip-compressed when they end in ``.gz``). Formats made of
        several kinds of file (Amazon Connect records and flow logs, Asterisk queue_log and
        CEL) take them together.
    format : str, optional
        One of :data:`FORMATS`; detected from each file when not given.
    tz : tzinfo, optional
        Convert timestamps that carry a zone (Amazon Connect's are UTC) to this zone, so hours
        of the week are the call centre's. Default: as written.
    report : ReadReport, optional
        Filled in with what was read and skipped.

    Yields
    ------
    Call
    """
    files = [Path(p) for p in paths]
    if not files:
        raise LogFileError("no log files given")
    for p in files:
        if not p.is_file():
            raise LogFileError("no such file" if not p.exists() else "not a file", file=str(p))
    if format is not None:
        if format not in FORMATS:
            hint = did_you_mean(format, FORMATS)
            raise LogFileError(
                f"unknown log format {format!r}"
                + (f"; {hint}" if hint else f"; formats: {', '.join(FORMATS)}")
            )
        fmt = format
    else:
        found = {p: detect(p) for p in files}
        kinds = sorted(set(found.values()))
        if len(kinds) > 1:
            listed = "; ".join(f"{p.name}: {FORMATS[f]}" for p, f in found.items())
            raise LogFileError(f"the logs are of different formats ({listed}); give one at a time")
        fmt = kinds[0]
    rep = report if report is not None else ReadReport()
    rep.format = fmt
    rep.files = [redact(p.name) for p in files]
    yield from _module(fmt).read(files, rep, Options(tz=tz))
