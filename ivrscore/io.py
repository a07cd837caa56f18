"""Reading and writing phone-tree files (YAML and JSON).

YAML is read with PyYAML's *safe* loader (no Python objects, no code), duplicate keys are an
error, and the line and column of every key are kept so that problems found later (by the model,
the linter or a report) can point at the file. Files over :data:`MAX_BYTES` are refused.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import stat
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ._collector import paused
from ._text import did_you_mean
from .exceptions import FileReadError, Problem, TreeFileError
from .model.nodes import NODE_TYPES
from .model.tree import PhoneTree, Source

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_ITEMS", "dump", "dumps", "load", "loads", "read_document"]

MAX_BYTES = 20_000_000
"""Largest file :func:`load` reads (20 MB: a 10,000-node tree is about 2 MB of YAML)."""
MAX_ITEMS = 2_000_000
"""Largest number of values a document may expand to (guards against YAML alias bombs)."""
MAX_DEPTH = 100
"""Deepest nesting of mappings and lists a document may have (a phone tree needs about eight)."""

Positions = dict[tuple[str | int, ...], tuple[int, int]]

_SUFFIX_FORMAT = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


# -- public API ---------------------------------------------------------------------------------


def load(path: str | Path, *, format: str | None = None) -> PhoneTree:
    """Load a phone tree from a file in ivrscore's own format (YAML or JSON).

    This is the native reader; it knows nothing of platforms. ``ivr.load``
    (:func:`ivrscore.loading.load`) also detects and imports a platform's flow file.

    Parameters
    ----------
    path : str or Path
        The file.
    format : str, optional
        ``yaml`` or ``json`` (default: from the suffix, else JSON when the text is JSON).

    Returns
    -------
    PhoneTree

    Raises
    ------
    TreeFileError
        The file is malformed or inconsistent; the message names the file, line and node.
    OSError
        The file cannot be read.

    Examples
    --------
    >>> from ivrscore import examples
    >>> load(examples.path("acme_telecom")).name
    'Acme Telecom helpline (as callers experience it)'
    """
    p = Path(path)
    raw = read_bounded(p)
    fmt = format or _SUFFIX_FORMAT.get(p.suffix.lower())
    return loads(_utf8(raw, str(path)), format=fmt, source=str(path))


def _utf8(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TreeFileError.single(
            f"not UTF-8 text (byte {exc.start})", file=source, hint="save the file as UTF-8"
        ) from None


def read_bounded(path: str | Path, what: str = "phone-tree files") -> bytes:
    """The bytes of a file, refusing with a one-line error what is not an ordinary file of at
    most :data:`MAX_BYTES` (a device such as ``/dev/zero``, a pipe, a folder, a huge file).

    The size is checked before reading, and at most the bound plus one byte is read, so a file
    that grows while it is read is refused too.
    """
    p = Path(path)
    try:
        info = p.stat()
    except OSError as exc:
        raise FileReadError.of(exc, str(path)) from None
    if stat.S_ISDIR(info.st_mode):
        raise TreeFileError.single(f"is a folder; ivrscore reads {what} from files", file=str(path))
    if not stat.S_ISREG(info.st_mode):
        raise TreeFileError.single(
            f"not an ordinary file (a device, pipe or socket); ivrscore reads {what} from files",
            file=str(path),
            hint="save the content to a file first",
        )
    try:
        with p.open("rb") as f:
            raw = f.read(MAX_BYTES + 1) if info.st_size <= MAX_BYTES else b""
    except OSError as exc:
        raise FileReadError.of(exc, str(path)) from None
    if info.st_size > MAX_BYTES or len(raw) > MAX_BYTES:
        size = max(info.st_size, len(raw))
        raise TreeFileError.single(
            f"file is {'over ' * (size <= MAX_BYTES + 1)}{size / 1e6:.1f} MB; ivrscore reads "
            f"{what} up to {MAX_BYTES / 1e6:.0f} MB",
            file=str(path),
            hint="check that this is the right file",
        )
    return raw


def loads(text: str, *, format: str | None = None, source: str | None = None) -> PhoneTree:
    """Load a phone tree from YAML or JSON text in ivrscore's own format.

    Parameters
    ----------
    text : str
        The document.
    format : str, optional
        ``yaml`` or ``json`` (default: JSON when the text is JSON, else YAML).
        ``ivr.loads`` (:func:`ivrscore.loading.loads`) also takes a platform's format.
    source : str, optional
        A name for the text in error messages (a file name).

    Returns
    -------
    PhoneTree

    Raises
    ------
    TreeFileError

    Examples
    --------
    >>> import ivrscore as ivr
    >>> text = '''
    ... name: Tiny
    ... entry: desk
    ... tasks: [{name: help, share: 1}]
    ... nodes:
    ...   desk: {type: agent, handles: [help]}
    ... '''
    >>> ivr.loads(text).entry
    'desk'
    >>> ivr.loads(text.replace("entry: desk", "entry: dsk"), source="tiny.yaml")
    Traceback (most recent call last):
    ...
    ivrscore.exceptions.TreeFileError: tiny.yaml:3:1: entry 'dsk' is not a node; did you mean 'desk'?
    """
    data, positions = read_document(text, format=format, source=source)
    return tree_from_data(data, positions=positions, source=source)


def tree_from_data(
    data: Any, *, positions: Positions | None = None, source: str | None = None
) -> PhoneTree:
    """Validate plain data as a :class:`PhoneTree`, turning every problem into a located error."""
    positions = positions or {}
    if not isinstance(data, dict):
        raise TreeFileError.single(
            "a phone tree is a mapping with name, entry, tasks and nodes, "
            f"not {type(data).__name__}",
            file=source,
            line=1,
        )
    try:
        with paused():
            tree = PhoneTree.model_validate(data)
    except ValidationError as exc:
        raise TreeFileError(list(_problems_from_validation(exc, data))).located(
            source, positions
        ) from None
    except TreeFileError as exc:
        raise exc.located(source, positions) from None
    tree._source = Source(file=source, positions=positions)
    return tree


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Safe YAML, with rows of numbers (a 7x24 roster or arrival table) one row a line; written
    by libyaml's emitter when PyYAML has it (the same text as the Python emitter, about three
    times faster on a 10,000-node tree)."""


def _rows_flow(dumper: Any, data: list[Any]) -> yaml.Node:
    flow = bool(data) and all(isinstance(x, int | float) and not isinstance(x, bool) for x in data)
    node: yaml.Node = dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)
    return node


_Dumper.add_representer(list, _rows_flow)


def dumps(tree: PhoneTree, *, format: str = "yaml") -> str:
    """Serialise a tree to YAML or JSON text, keeping only the keys written and their order.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.loads("{name: T, entry: a, tasks: [{name: x, share: 1}],"
    ...                  " nodes: {a: {type: self_service, handles: [x]}}}")
    >>> print(dumps(tree), end="")
    name: T
    entry: a
    tasks:
    - name: x
      share: 1.0
    nodes:
      a:
        type: self_service
        handles:
        - x
    >>> ivr.loads(dumps(tree, format="json")) == tree
    True
    """
    data = tree.to_dict()
    if format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if format == "yaml":
        out: str = yaml.dump(
            data,
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=False,
            width=100,
        )
        return out
    raise ValueError(f"unknown format {format!r}; use 'yaml' or 'json'")


def dump(tree: PhoneTree, path: str | Path, *, format: str | None = None) -> None:
    """Write a tree to a file; the suffix picks YAML or JSON unless ``format`` is given."""
    p = Path(path)
    fmt = format or _SUFFIX_FORMAT.get(p.suffix.lower(), "yaml")
    p.write_text(dumps(tree, format=fmt), encoding="utf-8")


# -- reading documents with positions -------------------------------------------------------------


def read_document(
    text: str, *, format: str | None = None, source: str | None = None
) -> tuple[Any, Positions]:
    """Parse YAML or JSON text into plain data and a map of each path's ``(line, column)``.

    Raises
    ------
    TreeFileError
        Malformed text, a duplicate key, a document nested deeper than :data:`MAX_DEPTH` or
        one that expands past :data:`MAX_ITEMS` values.
    """
    if format not in (None, "yaml", "json"):
        raise ValueError(f"unknown format {format!r}; use 'yaml' or 'json'")
    if format is None:
        if text.lstrip().startswith("{"):
            try:  # JSON, or YAML in flow style ({name: ...}): YAML reads both
                return read_document(text, format="json", source=source)
            except TreeFileError as exc:
                if not exc.problems[0].message.startswith("malformed JSON"):
                    raise
        format = "yaml"
    if format == "json":
        return _parse_json(text, source)
    return _parse_yaml(text, source)


class _Lines:
    """Line and column (1-based) of a character offset, by bisection over the line starts."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def __call__(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],]|[^\s{}\[\],:"]+')


_JSON_NESTING = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]')


def check_json_depth(text: str, source: str | None) -> None:
    """Refuse JSON nested deeper than :data:`MAX_DEPTH` before a decoder sees it (the C decoder
    raises ``RecursionError`` at about a thousand levels), with the line where it goes too deep.

    One linear scan of the brackets outside strings; malformed text is left to the decoder.

    Examples
    --------
    >>> check_json_depth('{"a": [[1]], "b": "[[[["}', "ok.json")
    >>> check_json_depth("[" * 101 + "]" * 101, "deep.json")
    Traceback (most recent call last):
    ...
    ivrscore.exceptions.TreeFileError: deep.json:1: the document nests deeper than 100 levels; a phone tree needs a handful of levels; check that this is the right file
    """
    depth = 0
    for m in _JSON_NESTING.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(source, text.count("\n", 0, m.start()) + 1)
        elif c in "]}":
            depth -= 1


_LONE_SURROGATE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def _check_surrogates(text: str, data: Any, source: str | None) -> None:
    """Refuse a ``\\udXXX`` escape that is half of a character (a lone surrogate): it is no
    text, cannot be written back to a file, and would break every name it is in."""
    if "\\ud" not in text and "\\uD" not in text:  # a fast scan first: the regex is slow
        return
    m = _LONE_SURROGATE.search(text)
    if m is None:
        return
    try:  # the escape may itself be escaped ("\\\\udfff"): decide on the decoded data
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise TreeFileError.single(
            f"{m.group()} is half of a character (a lone surrogate), not text",
            file=source,
            line=text.count("\n", 0, m.start()) + 1,
        ) from None


def _parse_json(text: str, source: str | None) -> tuple[Any, Positions]:
    """JSON in one pass of the C decoder, plus one scan of its tokens for the positions.

    The scan (iterative, no recursion) also bounds the nesting depth before the decoder sees
    the text, and finds duplicate keys with their own line.
    """
    lines = _Lines(text)
    positions, duplicate = _json_positions(text, lines, source)
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise TreeFileError.single(
            f"malformed JSON: {exc.msg}", file=source, line=exc.lineno
        ) from None
    except ValueError as exc:
        raise TreeFileError.single(str(exc), file=source) from None
    _check_surrogates(text, data, source)
    if duplicate is not None:
        key, (line, col) = duplicate
        raise TreeFileError(
            [
                Problem(
                    f"duplicate key '{key}'",
                    node=None,
                    hint="each key may appear once in a mapping",
                    file=source,
                    line=line,
                    column=col,
                )
            ]
        )
    return data, positions


def _json_positions(
    text: str, lines: _Lines, source: str | None
) -> tuple[Positions, tuple[str, tuple[int, int]] | None]:
    positions: Positions = {}
    duplicate: tuple[str, tuple[int, int]] | None = None
    # one frame per open container: [path, is_mapping, next index or expecting a key, keys seen]
    stack: list[list[Any]] = []
    key: str | int = 0
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        c = tok[0]
        if c in "}]":
            if stack:
                stack.pop()
            continue
        if c == ",":
            if stack and stack[-1][1]:
                stack[-1][2] = True
            continue
        top = stack[-1] if stack else None
        if top is not None and top[1] and top[2]:  # a key
            if c != '"':
                continue  # malformed: the decoder will say where
            try:
                key = tok[1:-1] if "\\" not in tok else json.loads(tok)
            except ValueError:
                continue
            pos = lines(m.start())
            if key in top[3]:
                duplicate = duplicate or (str(key), pos)
            top[3].add(key)
            top[2] = False
            positions[top[0] + (key,)] = pos
            top[4] = key
            continue
        # a value starts here
        if top is None:
            path: tuple[str | int, ...] = ()
            positions[()] = lines(m.start())
        elif top[1]:
            path = (*top[0], top[4])
        else:
            path = (*top[0], top[2])
            positions[path] = lines(m.start())
            top[2] += 1
        if c in "{[":
            if len(stack) >= MAX_DEPTH:
                raise _too_deep(source, lines(m.start())[0])
            stack.append([path, c == "{", c == "{" or 0, set(), None])
    return positions, duplicate


def _too_deep(source: str | None, line: int | None) -> TreeFileError:
    return TreeFileError.single(
        f"the document nests deeper than {MAX_DEPTH} levels",
        file=source,
        line=line,
        hint="a phone tree needs a handful of levels; check that this is the right file",
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number ivrscore accepts")


# the characters YAML refuses (the pure-Python reader's own set), found before parsing so that
# both parsers say the same, with the line
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's C parser when it was built with libyaml (about ten times faster), else Python's."""

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
_SCALAR_TAGS = frozenset(
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "timestamp")
)


def _parse_yaml(
    text: str, source: str | None, loader: type[yaml.SafeLoader] | None = None
) -> tuple[Any, Positions]:
    bad = _NON_PRINTABLE.search(text)
    if bad is not None:
        line, col = _Lines(text)(bad.start())
        raise TreeFileError(
            [
                Problem(
                    f"malformed YAML: control character #x{ord(bad.group()):04x} is not allowed",
                    file=source,
                    line=line,
                    column=col,
                    hint="remove it, or write it as an escape in a double-quoted string",
                )
            ]
        )
    try:
        with paused():
            parser = (loader or _LOADER)(text)
            try:
                return _compose(parser, source)
            finally:
                parser.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(s for s in (exc.context, exc.problem) if s) or "malformed YAML"
        # the line only: libyaml and PyYAML agree on it, not always on the column of a problem
        raise TreeFileError.single(
            f"malformed YAML: {what}",
            file=source,
            line=mark.line + 1 if mark else None,
            hint=_yaml_hint(what),
        ) from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TreeFileError.single(f"malformed YAML: {first}", file=source) from None


def _yaml_hint(what: str) -> str | None:
    if "tab" in what:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in what:
        return "quote text that contains ': ' (for example a prompt)"
    if any(
        s in what
        for s in ("could not find expected ':'", "expected <block end>", "did not find expected")
    ):
        return "check the indentation and brackets of this line and the one above"
    return None


def _mark(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


_MERGE_KEY = object()
"""The key ``<<`` (a YAML merge), while its value is read."""

_Recorded = list[tuple[tuple[str | int, ...], tuple[int, int]]]


class _Frame:
    """A mapping or list being built from the parser's events."""

    __slots__ = (
        "anchor",
        "count",
        "deep",
        "is_list",
        "key",
        "mark",
        "merge",
        "merged",
        "out",
        "path",
        "start",
    )

    def __init__(
        self,
        out: dict[Any, Any] | list[Any],
        path: tuple[str | int, ...],
        anchor: str | None,
        count: int,
        start: int,
        mark: tuple[int, int],
        merge: bool,
    ) -> None:
        self.out = out
        self.is_list = type(out) is list
        self.path = path
        self.anchor = anchor
        self.count = count  # values made before it began (its size, for an anchor)
        self.start = start  # positions recorded before it began (its own, for an anchor)
        self.mark = mark
        self.merge = merge  # the value of a merge key (<<): its entries go to the mapping above
        self.key: Any = None  # a key read, waiting for its value (or _MERGE_KEY)
        self.merged: dict[str, int] | None = None  # line of the merge each merged key came from
        self.deep = 0  # levels of lists and mappings its values nest (an alias's at full depth)


class _Anchored:
    __slots__ = ("count", "depth", "positions", "value")

    def __init__(self, value: Any, count: int, positions: _Recorded, depth: int = 0) -> None:
        self.value = value
        self.count = count
        self.positions = positions
        self.depth = depth  # levels of lists and mappings the value nests


def _fail(
    message: str,
    at: tuple[int, int],
    source: str | None,
    *,
    hint: str | None = None,
    path: tuple[str | int, ...] = (),
    node: str | None = None,
) -> TreeFileError:
    return TreeFileError(
        [Problem(message, path, node=node, hint=hint, file=source, line=at[0], column=at[1])]
    )


def _child(top: _Frame | None) -> tuple[tuple[str | int, ...], bool]:
    """The path of the next value inside ``top``, and whether its own position is recorded
    there (list items are; a mapping's values have their key's)."""
    if top is None:
        return (), True
    if top.is_list:
        return (top.path, False) if top.merge else ((*top.path, len(top.out)), True)
    if top.key is _MERGE_KEY:
        return top.path, False
    return (*top.path, top.key), False


def _compose(parser: Any, source: str | None) -> tuple[Any, Positions]:
    """Build plain data from the parser's events, without recursion (so depth is bounded by
    :data:`MAX_DEPTH`, not by Python's stack), counting every value an alias expands to.

    This loop runs once per event (two million for a 10^5-node file): the common cases (a
    plain scalar, a key, a mapping or list) come first and touch only locals.
    """
    parser.get_event()  # stream start
    if parser.check_event(yaml.StreamEndEvent):
        raise TreeFileError.single("the file is empty", file=source, line=1)
    parser.get_event()  # document start
    positions: _Recorded = []
    record = positions.append
    anchors: dict[str, _Anchored] = {}
    stack: list[_Frame] = []
    push, pop = stack.append, stack.pop
    made = 0  # values made, an alias counted at its full size
    resolve = parser.resolve
    constructors = parser.yaml_constructors
    get_event = parser.get_event
    tags: dict[str, str] = {}
    scalars: dict[tuple[str, str], Any] = {}
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    top: _Frame | None = None
    at = (1, 1)
    value: Any = None
    depth = 0  # levels of lists and mappings the value just completed nests
    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar_event:
            made += 1
            depth = 0
            mark = event.start_mark
            at = (mark.line + 1, mark.column + 1)
            text = event.value
            tag = event.tag
            if tag is None or tag == "!":
                if event.implicit[0]:  # plain: the tag follows from the text (remembered)
                    tag = tags.get(text)
                    if tag is None:
                        tag = resolve(yaml.ScalarNode, text, (True, False))
                        if len(tags) < 1 << 16:
                            tags[text] = tag
                else:
                    tag = _STR
            if tag == _STR:
                value = text
            elif (tag, text) in scalars:
                value = scalars[tag, text]
            elif tag == _MERGE and top is not None and not top.is_list:
                if top.key is not None:
                    raise _fail("malformed YAML: a merge (<<) is a key, not a value", at, source)
                top.key = _MERGE_KEY
                continue
            else:
                value = _construct_scalar(parser, constructors, scalars, event, tag, at, source)
            if event.anchor is not None:
                anchors[event.anchor] = _Anchored(value, 1, [])
            if top is None:
                record(((), at))
            elif top.is_list and not top.merge:
                record(((*top.path, len(top.out)), at))
        elif kind is map_start or kind is seq_start:
            made += 1
            mark = event.start_mark
            at = (mark.line + 1, mark.column + 1)
            tag = event.tag
            if tag is not None and tag != "!" and tag not in _PLAIN_TAGS:
                raise _fail(
                    f"malformed YAML: unsupported tag {tag!r}",
                    at,
                    source,
                    hint="phone-tree files hold plain data: mappings, lists, text and numbers",
                )
            if len(stack) >= MAX_DEPTH:
                raise _too_deep(source, at[0])
            merge = False
            if top is None:
                path: tuple[str | int, ...] = ()
                record((path, at))
            elif top.is_list:
                if top.merge:
                    path = top.path
                else:
                    path = (*top.path, len(top.out))
                    record((path, at))
            elif top.key is _MERGE_KEY:
                path, merge = top.path, True
                top.key = None
            else:
                path = (*top.path, top.key)
            top = _Frame(
                {} if kind is map_start else [],
                path,
                event.anchor,
                made - 1,
                len(positions),
                at,
                merge,
            )
            push(top)
            continue
        elif kind is map_end or kind is seq_end:
            assert top is not None
            pop()
            value, at = top.out, top.mark
            depth = top.deep + 1
            if top.anchor is not None:
                n = len(top.path)
                own = [(p[n:], m) for p, m in positions[top.start :]]
                anchors[top.anchor] = _Anchored(value, made - top.count, own, depth)
            if top.merge:
                _merge_into(stack[-1], value, top.mark, source, positions)
                stack[-1].deep = max(stack[-1].deep, top.deep)
                top = stack[-1]
                continue
            top = stack[-1] if stack else None
        elif kind is alias_event:
            mark = event.start_mark
            at = (mark.line + 1, mark.column + 1)
            found = anchors.get(event.anchor)
            if found is None:
                raise _fail(f"malformed YAML: found undefined alias '{event.anchor}'", at, source)
            made += found.count
            value = found.value
            depth = found.depth
            if len(stack) + depth > MAX_DEPTH:  # an alias nests its anchor's levels here
                raise _too_deep(source, at[0])
            if not (top is not None and top.key is None and not top.is_list):
                path, recorded = _child(top)
                if recorded:
                    record((path, at))
                if made <= MAX_ITEMS:
                    positions.extend(((*path, *p), m) for p, m in found.positions)
        elif kind is yaml.DocumentEndEvent:  # pragma: no cover - a value ends first
            continue
        else:  # pragma: no cover - the parser yields nothing else inside a document
            raise _fail(f"malformed YAML: unexpected {kind.__name__}", at, source)
        if made > MAX_ITEMS:
            raise TreeFileError.single(
                f"the document expands to more than {MAX_ITEMS:,} values",
                file=source,
                line=at[0],
                hint="a phone tree of 10,000 nodes has about 200,000; check that this is the "
                "right file, and that YAML aliases (*name) do not nest",
            )
        # the value is complete: it is the root, a list item, a key or a key's value
        if top is None:
            break
        if depth and top.deep < depth:
            top.deep = depth
        if top.is_list:
            top.out.append(value)  # type: ignore[union-attr]
        elif top.key is None:
            if isinstance(value, dict | list):
                raise _fail("a mapping key must be a plain value", at, source)
            key = value if type(value) is str else _key_text(value)
            if key in top.out:
                raise _duplicate(top, key, at, source, positions)
            top.key = key
            record(((*top.path, key), at))
        elif top.key is _MERGE_KEY:  # <<: *alias
            top.key = None
            _merge_into(top, value, at, source, positions)
        else:
            top.out[top.key] = value
            top.key = None
    get_event()  # document end
    if not parser.check_event(yaml.StreamEndEvent):
        event = get_event()
        raise _fail(
            "malformed YAML: expected a single document in the file, but found another",
            _mark(event.start_mark),
            source,
        )
    return value, dict(positions)


def _construct_scalar(
    parser: Any,
    constructors: dict[str, Any],
    scalars: dict[tuple[str, str], Any],
    event: Any,
    tag: str,
    at: tuple[int, int],
    source: str | None,
) -> Any:
    """A scalar that is not text: a number, boolean, null or timestamp (remembered, they are
    immutable), or another tag PyYAML's safe constructor knows."""
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        if tag in _SCALAR_TAGS:
            value = constructors[tag](parser, node)
            if len(scalars) < 1 << 16:
                scalars[tag, event.value] = value
            return value
        return parser.construct_object(node, deep=True)
    except (ValueError, TypeError, OverflowError):  # !!int x, !!float [
        raise _fail(
            f"malformed YAML: {event.value[:40]!r} is not a valid {tag.rsplit(':')[-1]}",
            at,
            source,
        ) from None


def _first_line(top: _Frame, key: str, positions: _Recorded) -> int:
    """The line where ``key`` of the mapping ``top`` was first given (or merged in)."""
    if top.merged is not None and key in top.merged:
        return top.merged[key]
    path = (*top.path, key)
    for p, m in reversed(positions):
        if p == path:
            return m[0]
    return top.mark[0]  # pragma: no cover - every key of a mapping is recorded


def _duplicate(
    top: _Frame, key: str, at: tuple[int, int], source: str | None, positions: _Recorded
) -> TreeFileError:
    return _fail(
        f"duplicate key '{key}' (first at line {_first_line(top, key, positions)})",
        at,
        source,
        hint="each key may appear once in a mapping; the second would silently replace the first",
        path=top.path,
        node=_node_of(top.path, key),
    )


def _merge_into(
    top: _Frame, value: Any, at: tuple[int, int], source: str | None, positions: _Recorded
) -> None:
    """The entries of a merge (``<<: *base`` or ``<<: [*a, *b]``) into the mapping ``top``."""
    parts = [value] if isinstance(value, dict) else value
    if not isinstance(parts, list) or not all(isinstance(p, dict) for p in parts):
        raise _fail(
            "malformed YAML: a merge (<<) takes a mapping or a list of mappings", at, source
        )
    assert isinstance(top.out, dict)
    if top.merged is None:
        top.merged = {}
    for part in parts:
        for key, v in part.items():
            if key in top.out:
                raise _duplicate(top, key, at, source, positions)
            top.merged[key] = at[0]
            top.out[key] = v


def _key_text(key: Any) -> str:
    if key is None:
        return "null"
    if isinstance(key, bool):
        return str(key).lower()
    if isinstance(key, float) and math.isfinite(key) and key.is_integer():
        return str(int(key))
    return str(key)


def _node_of(path: tuple[str | int, ...], key: str | None = None) -> str | None:
    if len(path) >= 2 and path[0] == "nodes":
        return str(path[1])
    if len(path) == 1 and path[0] == "nodes" and key is not None:
        return key
    return None


# -- pydantic errors to problems -----------------------------------------------------------------


def _data_path(data: Any, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop the parts of a pydantic location that are union tags, not keys of the data."""
    out: list[str | int] = []
    cur = data
    for item in loc:
        if (isinstance(cur, dict) and item in cur) or (
            isinstance(cur, list) and isinstance(item, int) and 0 <= item < len(cur)
        ):
            out.append(item)
            cur = cur[item]  # type: ignore[index]
        elif isinstance(cur, dict) and isinstance(item, str) and item == loc[-1]:
            out.append(item)  # a missing key: keep its name as the last part
            cur = None
    return tuple(out)


def _problems_from_validation(exc: ValidationError, data: dict[str, Any]) -> Iterator[Problem]:
    errors = exc.errors(include_url=False)
    rows = []
    for err in errors:
        loc = tuple(err["loc"])
        path = _data_path(data, loc)
        rows.append((err, loc, path))
    # A union (e.g. `callers:` list or single persona) reports a type mismatch for each member it
    # did not match; drop those when a more specific error exists at the same place.
    paths_with_real = {p[:1] for e, _, p in rows if not str(e["type"]).endswith("_type") and p}
    seen: set[tuple[tuple[str | int, ...], str]] = set()
    for err, loc, path in rows:
        if str(err["type"]).endswith("_type") and path[:1] in paths_with_real and len(rows) > 1:
            continue
        problem = _problem_for(err, loc, path, data, hints=len(seen) < _KEY_HINTS)
        key = (problem.path, problem.message)
        if key not in seen:
            seen.add(key)
            yield problem


_KEY_HINTS = 20
"""Problems that get the allowed keys of their place as a hint ("did you mean"): the first
ones show the pattern; looking them up in the schema for each of 20,000 took seconds."""


def _problem_for(
    err: Any,
    loc: tuple[str | int, ...],
    path: tuple[str | int, ...],
    data: dict[str, Any],
    *,
    hints: bool = True,
) -> Problem:
    kind = str(err["type"])
    node = _node_of(path)
    inside = _describe(path)
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else str(loc[-1])
        allowed = _allowed_keys(data, path[:-1]) if hints else []
        hint = did_you_mean(key, allowed) if allowed else None
        if hint is None and allowed:
            hint = "allowed keys: " + ", ".join(sorted(allowed)) + "; put your own data under meta:"
        return Problem(f"unknown key '{key}'{inside}", path, node=node, hint=hint)
    if kind == "missing":
        key = str(loc[-1])
        return Problem(f"missing required key '{key}'{_describe(path[:-1])}", path, node=node)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        ctx = err.get("ctx", {})
        tag = ctx.get("tag")
        if len(path) == 2 and path[0] == "nodes":
            if kind == "union_tag_not_found":
                return Problem(
                    "node has no 'type'",
                    path,
                    node=node,
                    hint=f"type is one of: {', '.join(NODE_TYPES)}",
                )
            hint = did_you_mean(str(tag), NODE_TYPES) or f"type is one of: {', '.join(NODE_TYPES)}"
            return Problem(f"unknown node type '{tag}'", (*path, "type"), node=node, hint=hint)
        expected = ctx.get("expected_tags", "")
        return Problem(
            f"unknown distribution '{tag}'{inside}",
            path,
            node=node,
            hint=did_you_mean(str(tag), [s.strip(" '") for s in str(expected).split(",")])
            or f"use one of {expected}",
        )
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    field = str(path[-1]) if path and isinstance(path[-1], str) else None
    if (
        kind in ("literal_error",)
        or kind.endswith("_type")
        or kind.startswith(("greater", "less", "too_", "int_", "float_", "bool_", "string_"))
    ):
        value = err.get("input")
        shown = f" (got {_shown(value)})" if not isinstance(value, dict | list) else ""
        where = f"'{field}'" if field else "value"
        return Problem(f"{where}{_describe(path[:-1])}: {msg.lower()}{shown}", path, node=node)
    if path[:1] == ("schedules",) and len(path) >= 2:
        return Problem(f"schedule '{path[1]}': {msg}", path)
    return Problem(f"{msg}{inside}" if inside and not field else msg, path, node=node)


def _shown(value: Any) -> str:
    """A value as the message shows it: an integer too long to print (over 4,300 digits, which
    Python refuses to convert) by its size."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 10_000:
        return f"an integer of about {int(value.bit_length() * 0.30103):,} digits"
    return repr(value)


def _describe(path: tuple[str | int, ...]) -> str:
    """Words for where in the document a path is, beyond the node id: " in option '2'"."""
    rest = path[2:] if len(path) >= 2 and path[0] == "nodes" else path
    if len(rest) >= 2 and rest[0] == "options":
        return f" in option '{rest[1]}'"
    if len(rest) >= 2 and rest[0] == "when":
        return f" in condition {int(rest[1]) + 1}" if isinstance(rest[1], int) else ""
    if path[:1] == ("tasks",) and len(path) >= 2 and isinstance(path[1], int):
        return f" in task {path[1] + 1}"
    if path[:1] == ("callers",):
        return " in callers"
    if path[:1] == ("schedules",) and len(path) >= 2:
        return f" in schedule '{path[1]}'"
    if len(rest) >= 1 and rest[0] in ("wait", "staffing", "patience"):
        return f" in {rest[0]}"
    return ""


@cache
def _tree_schema() -> dict[str, Any]:
    schema: dict[str, Any] = PhoneTree.model_json_schema()
    return schema


def _allowed_keys(data: Any, path: tuple[str | int, ...]) -> list[str]:
    """Keys the schema allows at ``path`` of ``data`` (for "did you mean" on unknown keys)."""
    root = _tree_schema()
    defs = root.get("$defs", {})

    def resolve(s: dict[str, Any], value: Any) -> dict[str, Any]:
        while True:
            if "$ref" in s:
                s = defs[s["$ref"].split("/")[-1]]
                continue
            branches = s.get("oneOf") or s.get("anyOf")
            if branches:
                s = _pick_branch([resolve(b, value) for b in branches], value)
                continue
            return s

    schema = resolve(root, data)
    cur = data
    for item in path:
        if isinstance(cur, dict):
            props = schema.get("properties", {})
            sub = props.get(item, schema.get("additionalProperties"))
            if not isinstance(sub, dict):
                return []
            cur = cur.get(item) if isinstance(item, str) else None
            schema = resolve(sub, cur)
        elif isinstance(cur, list) and isinstance(item, int):
            cur = cur[item] if 0 <= item < len(cur) else None
            schema = resolve(schema.get("items", {}), cur)
        else:
            return []
    return list(schema.get("properties", {}))


def _pick_branch(branches: list[dict[str, Any]], value: Any) -> dict[str, Any]:
    want = "object" if isinstance(value, dict) else "array" if isinstance(value, list) else None
    typed = [
        b for b in branches if b.get("type") == want or (want == "object" and "properties" in b)
    ]
    if isinstance(value, dict):
        for b in typed:
            consts = {
                k: p.get("const", p.get("default"))
                for k, p in b.get("properties", {}).items()
                if "const" in p
            }
            defaults = {
                k: p.get("default") for k, p in b.get("properties", {}).items() if "const" in p
            }
            if consts and all(value.get(k, defaults.get(k)) == c for k, c in consts.items()):
                return b
    return typed[0] if typed else (branches[0] if branches else {})
