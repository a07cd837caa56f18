"""Safe, lenient XML for the importers.

Parsed with :mod:`defusedxml`: entity declarations, external entities and network access are
refused, so a hostile file cannot expand into gigabytes or read local files. Real IVR servers
emit documents that are not quite XML (HTML entities such as ``&nbsp;``, bare ``&`` in URLs);
those are repaired before a second try. Namespaces are dropped from tag names, and comments are
kept (FreeSWITCH files carry option labels in them).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from ..exceptions import TreeFileError
from ..io import MAX_DEPTH

__all__ = ["LINE", "line_of", "parse_xml", "text_of"]

_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}


LINE = "\x00line"
"""Attribute holding the line an element starts on (set by :func:`parse_xml`)."""


class _TooDeepError(Exception):
    def __init__(self, line: int | None) -> None:
        self.line = line


class _LineBuilder(ET.TreeBuilder):
    """A tree builder that records each element's line, and refuses elements nested deeper than
    :data:`ivrscore.io.MAX_DEPTH` (the importers' walkers, and ElementTree's own serializer,
    recurse once per level)."""

    parser: Any = None
    depth = 0

    def start(self, tag: Any, attrs: dict[str, str]) -> ET.Element:
        expat = getattr(self.parser, "parser", None)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeepError(expat.CurrentLineNumber if expat is not None else None)
        el = super().start(tag, attrs)
        if expat is not None:
            el.set(LINE, str(expat.CurrentLineNumber))
        return el

    def end(self, tag: Any) -> ET.Element:
        self.depth -= 1
        return super().end(tag)


def _parse(raw: bytes) -> ET.Element:
    builder = _LineBuilder(insert_comments=True)
    parser = DefusedXMLParser(target=builder, forbid_dtd=False)
    builder.parser = parser
    parser.feed(raw)
    root: ET.Element = parser.close()
    return root


def line_of(el: ET.Element) -> int | None:
    """The line an element starts on, when the parser recorded it."""
    v = el.get(LINE)
    return int(v) if v else None


def _repair(raw: bytes) -> bytes:
    text = raw.decode("utf-8", errors="replace")

    def entity(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in _XML_ENTITIES or name.startswith("#"):
            return m.group(0)
        value = html.unescape(m.group(0))
        return value if value != m.group(0) else "&amp;" + m.group(0)[1:]

    text = re.sub(r"&(#?\w+);", entity, text)
    text = re.sub(r"&(?!#?\w+;)", "&amp;", text)
    text = re.sub(r"^<\?xml[^>]*\?>", '<?xml version="1.0" encoding="utf-8"?>', text)
    return text.encode("utf-8")


def parse_xml(raw: bytes, source: str | None = None) -> ET.Element:
    """Parse XML safely; tags lose their namespace. Malformed input -> one-line TreeFileError.

    Examples
    --------
    >>> parse_xml(b'<vxml xmlns="http://www.w3.org/2001/vxml"><menu id="m">A&nbsp;B</menu></vxml>')[0].tag
    'menu'
    >>> parse_xml(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "bomb.xml")
    Traceback (most recent call last):
    ...
    ivrscore.exceptions.TreeFileError: bomb.xml: XML entity declarations are refused ('a'); ivrscore reads IVR files without entity expansion
    """
    try:
        try:
            root = _parse(raw)
        except ET.ParseError:
            root = _parse(_repair(raw))
    except DefusedXmlException as exc:
        name = getattr(exc, "name", None)
        raise TreeFileError.single(
            "XML entity declarations are refused" + (f" ({name!r})" if name else ""),
            file=source,
            hint="ivrscore reads IVR files without entity expansion",
        ) from None
    except ET.ParseError as exc:
        line, col = exc.position
        raise TreeFileError.single(
            f"not well-formed XML (column {col + 1})", file=source, line=line
        ) from None
    except _TooDeepError as exc:
        raise TreeFileError.single(
            f"the document nests deeper than {MAX_DEPTH} levels of elements",
            file=source,
            line=exc.line,
            hint="an IVR document needs a handful; check that this is the right file",
        ) from None
    except (LookupError, ValueError) as exc:  # expat does not know or take the encoding=
        raise TreeFileError.single(
            f"the XML declaration names an encoding the XML reader cannot use ({exc})",
            file=source,
            line=1,
            hint='save the file as UTF-8 and declare encoding="utf-8"',
        ) from None
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]
    return root


def text_of(el: ET.Element | None, *, skip: tuple[str, ...] = ()) -> str:
    """The words in an element and its children (not comments, not ``skip`` tags), one spaced line.

    Examples
    --------
    >>> text_of(parse_xml(b'<p>Press <b>1</b>\\n  now<!-- c --></p>'))
    'Press 1 now'
    """
    if el is None:
        return ""
    parts: list[str] = []

    def walk(e: ET.Element) -> None:
        if not isinstance(e.tag, str):  # comment or processing instruction
            if e.tail:
                parts.append(e.tail)
            return
        if e.tag not in skip:
            if e.text:
                parts.append(e.text)
            for child in e:
                walk(child)
        if e.tail and e is not el:
            parts.append(e.tail)

    walk(el)
    return re.sub(r"\s+", " ", " ".join(parts)).strip()
