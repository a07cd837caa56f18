"""Import phone trees from the platforms they already live on.

Supported: Twilio Studio flow JSON, Amazon Connect flows (flow language, the legacy designer
export, and the ``Content`` envelope), VoiceXML 2.x, FreeSWITCH IVR menu XML and Asterisk
dialplans. :func:`read` detects the format from the content (or takes ``format=``) and returns an
:class:`Imported` flow: the :class:`~ivrscore.PhoneTree` plus the list of defaults it had to fill
in (task shares, queue waits, opening hours) and of what it did not understand.

Resources a flow refers to can be passed with ``resources=``: an Amazon Connect hours-of-operation
JSON, FreeSWITCH phrase macros (the menu prompts' words) and an Asterisk ``queues.conf``.

XML is parsed with :mod:`defusedxml`: no entity expansion, no DTD, no network access.

Examples
--------
>>> import ivrscore.importers as imp
>>> flow = b'''{"initial_state": "Trigger", "states": [
...  {"name": "Trigger", "type": "trigger",
...   "transitions": [{"event": "incomingCall", "next": "hello"}]},
...  {"name": "hello", "type": "say-play", "properties": {"say": "Hello."},
...   "transitions": [{"event": "audioComplete"}]}]}'''
>>> imp.detect(flow)
'twilio'
>>> imported = imp.read_bytes(flow, source="hello.json")
>>> list(imported.tree.nodes), imported.tree.entry
(['hello', 'end_of_flow'], 'hello')
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..exceptions import TreeFileError
from ..io import check_json_depth
from ._builder import DEFAULT_HOURS, DEFAULT_WAIT_S, PLATFORMS, FlowBuilder, Imported
from ._xml import parse_xml
from .wrappers import Embedded, flows_in, is_cloudformation, is_terraform

__all__ = [
    "DEFAULT_HOURS",
    "DEFAULT_WAIT_S",
    "FORMATS",
    "RESOURCE_KINDS",
    "WRAPPERS",
    "Embedded",
    "FlowBuilder",
    "Imported",
    "detect",
    "flows",
    "read",
    "read_bytes",
]

FORMATS: dict[str, str] = {
    fmt: f"{PLATFORMS[fmt]} {what}"
    for fmt, what in (
        ("twilio", "flow (JSON)"),
        ("connect", "flow (JSON: flow language, legacy export or Content envelope)"),
        ("voicexml", "2.x document"),
        ("freeswitch", "IVR menus (XML)"),
        ("asterisk", "dialplan (extensions.conf)"),
        ("genesys", "Architect flow (Archy YAML: inboundCall)"),
    )
}
"""Formats :func:`read` imports, with a description."""

WRAPPERS: dict[str, str] = {
    "terraform": "Terraform (aws_connect_contact_flow, twilio_studio_flows_v2, genesyscloud_flow)",
    "cloudformation": "CloudFormation / SAM template (AWS::Connect::ContactFlow)",
}
"""Infrastructure code that holds flows: :func:`read` imports the flow inside (``flow=``)."""

RESOURCE_KINDS: dict[str, str] = {
    "connect-hours": "Amazon Connect hours of operation (JSON)",
    "freeswitch-phrases": "FreeSWITCH phrase macros (XML)",
    "asterisk-queues": "Asterisk queues.conf",
}
"""Files a flow refers to, read with ``resources=`` to fill in what the flow leaves out."""

_ALIASES = {
    "studio": "twilio",
    "twilio-studio": "twilio",
    "amazon-connect": "connect",
    "aws-connect": "connect",
    "vxml": "voicexml",
    "fs": "freeswitch",
    "dialplan": "asterisk",
    "archy": "genesys",
    "genesys-cloud": "genesys",
}


def detect(raw: bytes, filename: str | None = None) -> str:
    """The format of a file's content: a key of :data:`FORMATS`, of :data:`RESOURCE_KINDS`,
    ``"ivrscore"`` (our own YAML/JSON) or ``"unknown"``.

    Examples
    --------
    >>> detect(b'{"Version": "2019-10-30", "StartAction": "a", "Actions": []}')
    'connect'
    >>> detect(b'<vxml version="2.1"><menu/></vxml>')
    'voicexml'
    >>> detect(b'[main]\\nexten => s,1,Background(hello)\\n')
    'asterisk'
    >>> detect(b'name: T\\nentry: a\\n')
    'ivrscore'
    """
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    suffix = Path(filename).suffix.lower() if filename else ""
    if head.startswith((b"{", b"[")) and suffix != ".conf":
        try:
            text = raw.decode("utf-8-sig")
            check_json_depth(text, filename)
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError):
            data = None
        if isinstance(data, dict):
            return _json_kind(data)
    if head.startswith(b"<"):
        text = raw[:20000].decode("utf-8", errors="replace")
        if re.search(r"<vxml[\s>]", text):
            return "voicexml"
        if re.search(r"<macro[\s>]", text) and not re.search(r"<menu[\s>]", text):
            return "freeswitch-phrases"
        if re.search(r"<menu[\s>]", text):
            return "freeswitch"
        if re.search(r"<extension[\s>]", text) and re.search(r"<condition[\s>/]", text):
            return "freeswitch"  # a dialplan
        return "unknown"
    text = raw[:20000].decode("utf-8", errors="replace")
    tf = suffix == ".tf" or re.search(r'^[ \t]*resource\s+"', text, re.M)
    if tf and is_terraform(raw.decode("utf-8", errors="replace")):
        return "terraform"
    if re.search(r"^Resources\s*:", text, re.M) and "AWS::Connect::ContactFlow" in text:
        return "cloudformation"
    if re.search(r"^\s*exten\s*=>?", text, re.M):
        return "asterisk"
    if re.search(r"^\s*member\s*=>?", text, re.M) or re.search(r"^\s*strategy\s*=", text, re.M):
        return "asterisk-queues"
    if re.search(r"^(inboundCall|inQueueCall|outboundCall|secureCall)\s*:", text, re.M):
        return "genesys"
    if re.search(r"^\s*(name|entry|nodes)\s*:", text, re.M) or suffix in (".yaml", ".yml"):
        return "ivrscore"
    return "unknown"


def _json_kind(data: dict[str, Any]) -> str:
    if "nodes" in data and "entry" in data:
        return "ivrscore"
    if is_cloudformation(data):
        return "cloudformation"
    if isinstance(data.get("states"), list):
        return "twilio"
    definition = data.get("definition")
    if isinstance(definition, dict) and isinstance(definition.get("states"), list):
        return "twilio"  # the Studio REST API's flow resource
    if isinstance(data.get("ContactFlow"), dict):
        data = data["ContactFlow"]
    if isinstance(data.get("Content"), str) or "Actions" in data or "modules" in data:
        return "connect"
    if isinstance(data.get("Config"), list) and "TimeZone" in data:
        return "connect-hours"
    if isinstance(data.get("HoursOfOperation"), dict):
        return "connect-hours"
    return "unknown"


def _bounded(path: str | Path) -> bytes:
    from ..io import read_bounded

    return read_bounded(path, "flow files")


def read(
    path: str | Path,
    *,
    format: str | None = None,
    resources: Iterable[str | Path] = (),
    entry: str | None = None,
    flow: str | None = None,
) -> Imported:
    """Import a flow file from a platform.

    Parameters
    ----------
    path : str or Path
        The flow.
    format : str, optional
        One of :data:`FORMATS` (or ``vxml``, ``studio``, ``amazon-connect`` …); detected from
        the content when not given.
    resources : iterable of paths
        Files the flow refers to (see :data:`RESOURCE_KINDS`); their kind is detected.
    entry : str, optional
        Where callers start, when the file holds more than one IVR: an Asterisk
        ``context[,extension]`` or a FreeSWITCH menu name. Default: the top menu.
    flow : str, optional
        Which flow of a Terraform file or CloudFormation template (see :data:`WRAPPERS`) to
        import, by resource name; needed when it holds more than one (:func:`flows` lists them).

    Returns
    -------
    Imported

    Raises
    ------
    TreeFileError
        The file is not a flow this reader knows, or is malformed; one line names the file.
    """
    res = [(str(r), _bounded(r)) for r in resources]
    return read_bytes(
        _bounded(path), format=format, source=str(path), resources=res, entry=entry, flow=flow
    )


def flows(path: str | Path) -> list[Embedded]:
    """The flows a Terraform file or CloudFormation template holds (empty for other files).

    Each :class:`~ivrscore.importers.wrappers.Embedded` names the resource, its format and
    line, and holds the flow's content - or says why it cannot be read without evaluating code.
    """
    return flows_in(_bounded(path), str(path))


def read_bytes(
    raw: bytes,
    *,
    format: str | None = None,
    source: str | None = None,
    resources: Iterable[tuple[str, bytes]] = (),
    entry: str | None = None,
    flow: str | None = None,
) -> Imported:
    """Import a flow from its bytes; see :func:`read`. ``resources`` are ``(name, bytes)``."""
    kind = _ALIASES.get(format, format) if format else detect(raw, source)
    if kind in WRAPPERS:
        inner = _embedded(raw, source, kind, flow)
        assert inner.content is not None
        return read_bytes(
            inner.content,
            format=inner.format,
            source=inner.source or source,
            resources=resources,
            entry=entry,
        )
    if kind not in FORMATS:
        if kind in RESOURCE_KINDS:
            raise TreeFileError.single(
                f"this is a {RESOURCE_KINDS[kind]}, not a call flow",
                file=source,
                hint="give it beside its flow: ivrscore import FLOW --with "
                + (Path(source).name if source else "FILE"),
            )
        if kind == "ivrscore":
            raise TreeFileError.single(
                "this is already an ivrscore phone tree", file=source, hint="use ivrscore validate"
            )
        known = ", ".join(FORMATS)
        raise TreeFileError.single(
            f"unknown flow format {format!r}; known: {known}"
            if format
            else "not a flow format ivrscore knows",
            file=source,
            hint=None if format else f"ivrscore imports {known}; force one with --format",
        )
    by_kind: dict[str, list[tuple[str, bytes]]] = {}
    for name, data in resources:
        rk = detect(data, name)
        if rk not in RESOURCE_KINDS:
            raise TreeFileError.single(
                "not a resource file ivrscore can use beside a flow",
                file=name,
                hint="resources are: " + "; ".join(RESOURCE_KINDS.values()),
            )
        by_kind.setdefault(rk, []).append((name, data))
    if kind == "twilio":
        from .twilio import read_twilio

        return read_twilio(_json(raw, source), source, text=_text(raw))
    if kind == "connect":
        from .connect import read_connect

        hours = [(n, _json(d, n)) for n, d in by_kind.get("connect-hours", [])]
        return read_connect(_json(raw, source), source, hours=hours, text=_text(raw))
    if kind == "voicexml":
        from .voicexml import read_voicexml

        return read_voicexml(parse_xml(raw, source), source)
    if kind == "freeswitch":
        from .freeswitch import read_freeswitch

        phrases = [parse_xml(d, n) for n, d in by_kind.get("freeswitch-phrases", [])]
        return read_freeswitch(parse_xml(raw, source), source, phrases=phrases, entry=entry)
    if kind == "genesys":
        from ..io import read_document
        from .genesys import read_genesys

        data, positions = read_document(_text(raw), format="yaml", source=source)
        return read_genesys(data, source, positions=positions)
    from .asterisk import read_asterisk

    queues = [(n, _text(d)) for n, d in by_kind.get("asterisk-queues", [])]
    return read_asterisk(_text(raw), source, queues=queues, entry=entry)


def _embedded(raw: bytes, source: str | None, kind: str, flow: str | None) -> Embedded:
    """The one flow of a wrapper to import: the one named, or the only one."""
    found = flows_in(raw, source)
    what = "Terraform file" if kind == "terraform" else "CloudFormation template"
    names = ", ".join(f"{f.name} ({f.resource}, line {f.line})" for f in found)
    if not found:
        raise TreeFileError.single(f"this {what} declares no call flow", file=source)
    if flow is not None:
        chosen = next((f for f in found if f.name == flow), None)
        if chosen is None:
            raise TreeFileError.single(
                f"no flow {flow!r} in this {what}; its flows: {names}", file=source
            )
    elif len(found) > 1:
        raise TreeFileError.single(
            f"this {what} holds {len(found)} flows: {names}",
            file=source,
            hint="choose one with --flow NAME (ivrscore import FILE --flow NAME)",
        )
    else:
        chosen = found[0]
    if chosen.content is None:
        raise TreeFileError.single(
            f"{chosen.resource} {chosen.name!r}: {chosen.problem}",
            file=source,
            line=chosen.line,
            hint="export the flow to a file and point the resource at it with file(), "
            "or import the exported file",
        )
    return chosen


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _json(raw: bytes, source: str | None) -> Any:
    text = _text(raw)
    check_json_depth(text, source)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TreeFileError.single(
            f"not valid JSON: {exc.msg} (column {exc.colno})", file=source, line=exc.lineno
        ) from None
