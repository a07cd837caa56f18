"""JSON logs read one object at a time: arrays, JSON lines, concatenated objects (Kinesis
Firehose writes them so), CloudWatch exports (a timestamp, then the object), and API pages that
wrap a list (``{"steps": [...]}``)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .._events import ReadReport, open_text

__all__ = ["json_objects", "looks_like"]

CHUNK = 1 << 16
MAX_OBJECT = 64 << 20
"""A single JSON object larger than this is refused (a log record is a few kilobytes)."""

WRAPPERS = ("steps", "conversations", "records", "Records", "contacts", "items", "Items", "events")
"""Keys under which API pages hold their list of records."""


def looks_like(head: bytes, *needles: str) -> bool:
    """Whether the start of a file is JSON containing every one of ``needles``."""
    text = head.decode("utf-8-sig", "replace").lstrip()
    if not text or (text[0] not in "[{" and not (text[:4].isdigit() and "{" in text[:60])):
        return False
    return all(n in text for n in needles)


def json_objects(path: Path, report: ReadReport) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, object)`` for every record in a JSON log (see the module notes).

    Unreadable stretches are skipped to the next line and counted as bad rows.
    """
    dec = json.JSONDecoder()
    name = path.name
    with open_text(path) as f:
        buf = ""
        pos = 0
        line = 1
        eof = False
        depth0 = False  # inside a top-level array
        while True:
            # skip separators
            while True:
                while pos < len(buf) and buf[pos] in " \t\r\n,":
                    if buf[pos] == "\n":
                        line += 1
                    pos += 1
                if pos < len(buf) or eof:
                    break
                more = f.read(CHUNK)
                if not more:
                    eof = True
                buf, pos = buf[pos:] + more, 0
            if pos >= len(buf):
                return
            ch = buf[pos]
            if ch == "[" and not depth0:
                depth0 = True
                pos += 1
                continue
            if ch == "]" and depth0:
                depth0 = False
                pos += 1
                continue
            if ch != "{":
                # a CloudWatch export line: "2021-04-13T00:14:31.581Z {...}"; or junk
                nl = buf.find("\n", pos)
                brace = buf.find("{", pos, nl if nl >= 0 else len(buf))
                if brace > pos and buf[pos:brace].strip()[:4].isdigit():
                    pos = brace
                    continue
                if nl < 0 and not eof:
                    more = f.read(CHUNK)
                    eof = not more  # junk on a last line without an end: it is bad, not more
                    buf, pos = buf[pos:] + more, 0
                    continue
                report.rows += 1
                report.bad(name, line, "not a JSON object", repr(buf[pos : pos + 20]))
                pos = nl if nl >= 0 else len(buf)
                continue
            while True:
                try:
                    obj, end = dec.raw_decode(buf, pos)
                    break
                except json.JSONDecodeError as exc:
                    if not eof and len(buf) - pos < MAX_OBJECT:
                        more = f.read(CHUNK)
                        if more:
                            buf, pos = buf[pos:] + more, 0
                            continue
                        eof = True
                        continue
                    report.rows += 1
                    report.bad(name, line + buf.count("\n", pos, exc.pos), "invalid JSON", exc.msg)
                    nl = buf.find("\n", pos + 1)
                    if nl < 0:
                        return
                    line += buf.count("\n", pos, nl)
                    pos = nl
                    obj = None
                    break
            if obj is None:
                continue
            start_line = line
            line += buf.count("\n", pos, end)
            pos = end
            if not isinstance(obj, dict):
                report.rows += 1
                report.bad(name, start_line, "not a JSON object", type(obj).__name__)
                continue
            wrapped = _wrapped(obj)
            if wrapped is not None:
                for item in wrapped:
                    report.rows += 1
                    if isinstance(item, dict):
                        yield start_line, item
                    else:
                        report.bad(name, start_line, "not a JSON object", type(item).__name__)
                continue
            report.rows += 1
            yield start_line, obj


def _wrapped(obj: dict[str, Any]) -> Sequence[Any] | None:
    for k in WRAPPERS:
        v = obj.get(k)
        if isinstance(v, list) and len(obj) <= 6:
            return v
    return None


def get(obj: Any, *path: str) -> Any:
    """``obj[path[0]][path[1]]...``, or ``None`` where any step is missing."""
    for p in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(p)
    return obj
