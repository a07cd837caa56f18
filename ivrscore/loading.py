"""Load a phone tree from any file ivrscore reads: its own YAML/JSON, or a platform's flow.

This is the ``load`` users call (``ivr.load``). It sits above both readers, so the arrows run
one way (DESIGN.md §9): :mod:`ivrscore.io` reads ivrscore's own format and knows nothing of
platforms; :mod:`ivrscore.importers` reads platform files and hands the tree it builds to
:mod:`ivrscore.io` to validate; this module detects which of the two a file is for.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from . import importers, io
from .exceptions import ImportedFlowWarning, TreeFileError
from .model.tree import PhoneTree

__all__ = ["load", "loads"]

_SUFFIX_FORMAT = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
_YAML_PLATFORMS = ("genesys", "cloudformation")
"""Platform files that are YAML: a ``.yaml`` file is sniffed for these only."""


def load(path: str | Path, *, format: str | None = None) -> PhoneTree:
    """Load a phone tree from a YAML or JSON file, or import one from a platform's flow file.

    Parameters
    ----------
    path : str or Path
        The file. ivrscore's own YAML/JSON is read as it is; a Twilio Studio, Amazon Connect,
        VoiceXML, FreeSWITCH, Asterisk or Genesys Architect file - or a Terraform file or
        CloudFormation template holding one flow - is detected and imported (see
        :mod:`ivrscore.importers`).
    format : str, optional
        Force a format: ``yaml``, ``json``, or one of :data:`ivrscore.importers.FORMATS`.

    Returns
    -------
    PhoneTree

    Raises
    ------
    TreeFileError
        The file is malformed or inconsistent; the message names the file, line and node.
    OSError
        The file cannot be read.

    Warns
    -----
    ImportedFlowWarning
        When a platform's flow was imported: the defaults it filled in are listed in
        ``tree.meta["imported"]["warnings"]``.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("acme_telecom"))
    >>> tree.name
    'Acme Telecom helpline (as callers experience it)'
    """
    p = Path(path)
    fmt = format or _SUFFIX_FORMAT.get(p.suffix.lower())
    if fmt in importers.FORMATS or format is None:
        raw = io.read_bounded(p)
        if fmt != "yaml" and raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
            # JSON: parsed once, nesting bounded, positions kept; ivrscore's own tree is read
            # here, a platform's flow goes on to the sniffer below
            try:
                data, positions = io._parse_json(raw.decode("utf-8-sig"), str(path))
            except UnicodeDecodeError:
                pass
            except TreeFileError as exc:
                if not exc.problems[0].message.startswith("malformed JSON"):
                    raise
            else:
                if isinstance(data, dict) and "nodes" in data and "entry" in data:
                    return io.tree_from_data(data, positions=positions, source=str(path))
        kind = fmt if fmt in importers.FORMATS else importers.detect(raw, str(path))
        if fmt == "yaml" and kind not in _YAML_PLATFORMS:
            kind = "ivrscore"
        platform = (
            kind in importers.FORMATS
            or kind in importers.RESOURCE_KINDS
            or kind in importers.WRAPPERS
        )
        if platform:
            imported = importers.read_bytes(
                raw, format=None if kind in importers.WRAPPERS else kind, source=str(path)
            )
            _warn_imported(imported, str(path))
            return imported.tree
    return io.load(p, format=fmt if fmt in ("yaml", "json") else None)


def loads(text: str, *, format: str | None = None, source: str | None = None) -> PhoneTree:
    """Load a phone tree from YAML or JSON text, or import a platform's flow given as text.

    ``format`` is ``yaml`` or ``json`` (default: JSON when the text is JSON, else YAML), or one
    of :data:`ivrscore.importers.FORMATS` to import a platform's flow; see :func:`io.loads`.

    Examples
    --------
    >>> flow = '{"Version": "2019-10-30", "StartAction": "bye", "Actions": [' \\
    ...        '{"Identifier": "bye", "Type": "DisconnectParticipant", "Transitions": {}}]}'
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     loads(flow, format="connect").node("disconnect").type
    'hangup'
    """
    if format in importers.FORMATS:
        imported = importers.read_bytes(text.encode("utf-8"), format=format, source=source)
        _warn_imported(imported, source or "text")
        return imported.tree
    return io.loads(text, format=format, source=source)


def _warn_imported(imported: importers.Imported, source: str) -> None:
    n = len(imported.warnings)
    warnings.warn(
        ImportedFlowWarning(
            f"{source}: imported from {imported.format}; {n} default(s) to review in "
            "tree.meta['imported']['warnings'] (or run: ivrscore import)",
            cli_message=f"{source}: imported from {imported.format}; {n} default(s) to review: "
            f"`ivrscore import {source} -o tree.yaml` lists them and writes a tree to edit",
        ),
        stacklevel=3,
    )
