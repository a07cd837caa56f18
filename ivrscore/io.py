"""Reading and writing phone-tree files (YAML and JSON).

YAML is read with PyYAML's *safe* loader (no Python objects, no code), duplicate keys are an
error, and the line and column of every key are kept so that problems found later (by the model,
the linter or a report) can point at the file. Files over :data:`MAX_BYTES` are refused.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ._text import did_you_mean
from .exceptions import Problem, TreeFileError
from .model.nodes import NODE_TYPES
from .model.tree import PhoneTree, Source

__all__ = ["MAX_BYTES", "MAX_ITEMS", "dump", "dumps", "load", "loads", "read_document"]

MAX_BYTES = 20_000_000
"""Largest file :func:`load` reads (20 MB: a 10,000-node tree is about 2 MB of YAML)."""
MAX_ITEMS = 2_000_000
"""Largest number of values a document may expand to (guards against YAML alias bombs)."""

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
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TreeFileError.single(
            f"not UTF-8 text (byte {exc.start})", file=str(path), hint="save the file as UTF-8"
        ) from None
    return loads(text, format=fmt, source=str(path))


def read_bounded(path: str | Path, what: str = "phone-tree files") -> bytes:
    """The bytes of a file, refusing files over :data:`MAX_BYTES` with a one-line error."""
    p = Path(path)
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise TreeFileError.single(
            f"file is {size / 1e6:.1f} MB; ivrscore reads {what} up to {MAX_BYTES / 1e6:.0f} MB",
            file=str(path),
            hint="check that this is the right file",
        )
    return p.read_bytes()


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
        tree = PhoneTree.model_validate(data)
    except ValidationError as exc:
        raise TreeFileError(list(_problems_from_validation(exc, data))).located(
            source, positions
        ) from None
    except TreeFileError as exc:
        raise exc.located(source, positions) from None
    tree._source = Source(file=source, positions=positions)
    return tree


class _Dumper(yaml.SafeDumper):
    """Safe YAML, with rows of numbers (a 7x24 roster or arrival table) one row a line."""


def _rows_flow(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = bool(data) and all(isinstance(x, int | float) and not isinstance(x, bool) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


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
        Malformed text, a duplicate key, or a document that expands past :data:`MAX_ITEMS`.
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
        data = _parse_json(text, source)
        try:  # positions from the YAML composer, which reads almost all JSON
            _, positions = _parse_yaml(text, source)
        except TreeFileError:
            positions = {}
        return data, positions
    return _parse_yaml(text, source)


def _parse_json(text: str, source: str | None) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                raise _DuplicateKeyError(k)
            out[k] = v
        return out

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise TreeFileError.single(
            f"malformed JSON: {exc.msg}", file=source, line=exc.lineno
        ) from None
    except _DuplicateKeyError as exc:
        line = _line_of_second(text, f'"{exc.key}"')
        raise TreeFileError.single(
            f"duplicate key '{exc.key}'",
            file=source,
            line=line,
            hint="each key may appear once in a mapping",
        ) from None
    except ValueError as exc:
        raise TreeFileError.single(str(exc), file=source) from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number ivrscore accepts")


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _line_of_second(text: str, needle: str) -> int | None:
    first = text.find(needle)
    second = text.find(needle, first + 1) if first >= 0 else -1
    return text.count("\n", 0, second) + 1 if second >= 0 else None


def _parse_yaml(text: str, source: str | None) -> tuple[Any, Positions]:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise TreeFileError.single("the file is empty", file=source, line=1)
        positions: Positions = {(): _mark(root)}
        budget = [MAX_ITEMS]
        data = _build(loader, root, (), positions, budget, source)
        return data, positions
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(s for s in (exc.context, exc.problem) if s) or "malformed YAML"
        raise TreeFileError.single(
            f"malformed YAML: {what}",
            file=source,
            line=mark.line + 1 if mark else None,
            hint=_yaml_hint(what),
        ) from None
    except yaml.YAMLError as exc:
        raise TreeFileError.single(f"malformed YAML: {exc}", file=source) from None
    finally:
        loader.dispose()


def _yaml_hint(what: str) -> str | None:
    if "tab" in what:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in what:
        return "quote text that contains ': ' (for example a prompt)"
    if "could not find expected ':'" in what or "expected <block end>" in what:
        return "check the indentation of this line and the one above"
    return None


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _build(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: tuple[str | int, ...],
    positions: Positions,
    budget: list[int],
    source: str | None,
) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise TreeFileError.single(
            f"the document expands to more than {MAX_ITEMS:,} values",
            file=source,
            line=_mark(node)[0],
            hint="YAML aliases (*name) may be nested too deeply",
        )
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
        raise TreeFileError.single(
            f"malformed YAML: unsupported tag {node.tag!r}",
            file=source,
            line=_mark(node)[0],
            hint="phone-tree files hold plain data: mappings, lists, text and numbers",
        )
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # YAML merge keys (<<: *base)
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                raise TreeFileError.single(
                    "a mapping key must be a plain value", file=source, line=_mark(key_node)[0]
                )
            key = key if isinstance(key, str) else _key_text(key)
            if key in out:
                raise TreeFileError(
                    [
                        Problem(
                            f"duplicate key '{key}' (first at line {first_line[key]})",
                            path,
                            node=_node_of(path, key),
                            hint="each key may appear once in a mapping; the second would "
                            "silently replace the first",
                            file=source,
                            line=_mark(key_node)[0],
                            column=_mark(key_node)[1],
                        )
                    ]
                )
            first_line[key] = _mark(key_node)[0]
            child = (*path, key)
            positions[child] = _mark(key_node)
            out[key] = _build(loader, value_node, child, positions, budget, source)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            child = (*path, i)
            positions[child] = _mark(item)
            items.append(_build(loader, item, child, positions, budget, source))
        return items
    return loader.construct_object(node, deep=True)


_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


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
        problem = _problem_for(err, loc, path, data)
        key = (problem.path, problem.message)
        if key not in seen:
            seen.add(key)
            yield problem


def _problem_for(
    err: Any, loc: tuple[str | int, ...], path: tuple[str | int, ...], data: dict[str, Any]
) -> Problem:
    kind = str(err["type"])
    node = _node_of(path)
    inside = _describe(path)
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else str(loc[-1])
        allowed = _allowed_keys(data, path[:-1])
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
        shown = f" (got {value!r})" if not isinstance(value, dict | list) else ""
        where = f"'{field}'" if field else "value"
        return Problem(f"{where}{_describe(path[:-1])}: {msg.lower()}{shown}", path, node=node)
    if path[:1] == ("schedules",) and len(path) >= 2:
        return Problem(f"schedule '{path[1]}': {msg}", path)
    return Problem(f"{msg}{inside}" if inside and not field else msg, path, node=node)


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
