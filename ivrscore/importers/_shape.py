"""The shape of the parts of a platform's JSON document that an importer reads.

A flow file that loads as JSON can still hold a string where the platform has a list, or
``null`` where it has an object. Each JSON importer checks its document against a small
declarative shape *before* reading it, so a wrong shape is reported as one line naming the
step, the key and the line - ``flow.json:12: step 'menu': Conditions should be a list`` - and
the reader itself can trust the types it meets.

Shapes: a Python type (``str``, ``dict``, ``list``), :data:`SCALAR` (text, number, boolean or
null), :class:`Opt` (the value may also be missing or null), :class:`ListOf` and :class:`Obj`
(an object whose listed keys have shapes; other keys are free).

Examples
--------
>>> problem(["a", 1], ListOf(str))
((1,), 'text')
>>> problem({"Conditions": "1"}, Obj({"Conditions": Opt(ListOf(dict))}))
(('Conditions',), 'a list')
>>> problem({"x": None}, Obj({"x": Opt(str)})) is None
True
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..exceptions import TreeFileError

__all__ = ["SCALAR", "ListOf", "Obj", "Opt", "check", "problem"]


@dataclass(frozen=True)
class Opt:
    """The value may be missing or ``null``; otherwise it has ``shape``."""

    shape: Any


@dataclass(frozen=True)
class ListOf:
    """A list whose items have ``shape``."""

    shape: Any


@dataclass(frozen=True)
class Obj:
    """An object whose keys in ``keys`` have their shapes (missing is allowed when ``Opt``)."""

    keys: dict[str, Any]


SCALAR = (str, int, float, bool, type(None))
"""Text, a number, a boolean or null: anything but a list or an object."""

_NAMES = {str: "text", dict: "an object", list: "a list", int: "a number", float: "a number"}


def _name(shape: Any) -> str:
    if isinstance(shape, Opt):
        return _name(shape.shape)
    if isinstance(shape, ListOf):
        return "a list"
    if isinstance(shape, Obj):
        return "an object"
    if shape is SCALAR:
        return "text or a number"
    return _NAMES.get(shape, getattr(shape, "__name__", str(shape)))


def problem(
    value: Any, shape: Any, path: tuple[Any, ...] = ()
) -> tuple[tuple[Any, ...], str] | None:
    """The first place where ``value`` does not have ``shape``: ``(path, expected)``, or None."""
    stack: list[tuple[Any, Any, tuple[Any, ...]]] = [(value, shape, path)]
    while stack:
        v, s, p = stack.pop()
        if isinstance(s, Opt):
            if v is None:
                continue
            s = s.shape
        if isinstance(s, ListOf):
            if not isinstance(v, list):
                return p, "a list"
            stack.extend((item, s.shape, (*p, i)) for i, item in reversed(list(enumerate(v))))
        elif isinstance(s, Obj):
            if not isinstance(v, dict):
                return p, "an object"
            for key, sub in reversed(list(s.keys.items())):
                if key not in v:
                    if not isinstance(sub, Opt):
                        return (*p, key), _name(sub) + " (it is missing)"
                    continue
                stack.append((v[key], sub, (*p, key)))
        elif s is SCALAR:
            if not isinstance(v, SCALAR):
                return p, "text or a number"
        elif isinstance(s, type):
            if s is str and not isinstance(v, str):
                return p, "text"
            if not isinstance(v, s) or (s in (int, float) and isinstance(v, bool)):
                return p, _name(s)
    return None


def check(
    data: Any,
    shape: Any,
    *,
    source: str | None,
    text: str | None,
    steps: str,
    id_key: str,
) -> None:
    """Raise a one-line :class:`TreeFileError` where ``data`` does not have ``shape``.

    ``steps`` is the key of the document's list of steps and ``id_key`` the key naming each
    step: the message names the step (``step 'menu'``) and, when ``text`` (the file as read)
    is given, the line of the key that is wrong.
    """
    found = problem(data, shape)
    if found is None:
        return
    path, expected = found
    step: str | None = None
    rest = path
    if len(path) >= 2 and path[0] == steps and isinstance(path[1], int):
        item = data[steps][path[1]]
        ident = item.get(id_key) if isinstance(item, dict) else None
        step = str(ident) if isinstance(ident, str | int) else f"{steps}[{path[1]}]"
        rest = path[2:]
    keys = [k for k in rest if isinstance(k, str)]
    what = ".".join(str(k) if isinstance(k, str) else f"[{k}]" for k in rest).replace(".[", "[")
    what = what or (steps if step is None and path == (steps,) else "the step")
    if not rest and step is None:
        what = ".".join(str(k) for k in path) or "the document"
    message = f"{what} should be {expected}"
    if step is not None:
        message = f"step {step!r}: {message}"
    raise TreeFileError.single(message, file=source, line=_line(text, step, id_key, keys))


def _line(text: str | None, step: str | None, id_key: str, keys: list[str]) -> int | None:
    """The line of the last key of ``keys`` after the step's id in ``text``."""
    if text is None:
        return None
    pos = 0
    if step is not None:
        m = re.search(rf'"{re.escape(id_key)}"\s*:\s*{re.escape(json.dumps(step))}', text)
        if m is None:
            return None
        # The key may come before the id in the step's object: search from the object's start.
        pos = text.rfind("{", 0, m.start())
        pos = max(pos, 0)
    for key in keys:
        m = re.compile(rf'"{re.escape(key)}"\s*:').search(text, pos)
        if m is None:
            break
        pos = m.start()
    return text.count("\n", 0, pos) + 1
