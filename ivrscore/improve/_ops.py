"""Changes to a document, applied the same way to plain data and to a round-trip YAML map.

An edit is a short list of :class:`Op`: set a value at a document path, delete one, or rebuild
a mapping in a new key order. The planner applies them to ``tree.to_dict()`` to build the
edited tree; the command line applies the same ops to the user's file read with ruamel.yaml,
so only the lines they touch change.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Op", "apply_ops", "delete", "order", "put", "touched"]

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Op:
    """One change at a document path.

    ``set`` writes ``value`` at ``path`` (creating missing mappings on the way); ``delete``
    removes the key at ``path``; ``order`` rebuilds the mapping at ``path`` from
    ``value = ((new_key, old_key), ...)``, in that order.
    """

    kind: Literal["set", "delete", "order"]
    path: Path
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op": self.kind, "path": list(self.path)}
        if self.kind == "set":
            out["value"] = self.value
        elif self.kind == "order":
            out["keys"] = [list(p) for p in self.value]
        return out


def put(path: Path, value: Any) -> Op:
    """``Op("set", path, value)``."""
    return Op("set", path, value)


def delete(path: Path) -> Op:
    """``Op("delete", path)``."""
    return Op("delete", path)


def order(path: Path, pairs: Iterable[tuple[str, str]]) -> Op:
    """``Op("order", path, ((new, old), ...))``."""
    return Op("order", path, tuple(pairs))


def touched(op: Op) -> list[Path]:
    """The document paths an op changes (for ``keep=``): for ``order``, every moved entry."""
    if op.kind != "order":
        return [op.path]
    out: list[Path] = []
    olds = [old for _, old in op.value]
    for i, (new, old) in enumerate(op.value):
        if new != old or olds.index(old) != i:
            out.append((*op.path, old))
    return out


def _key(parent: Any, key: str | int) -> str | int:
    """The key as the mapping holds it (YAML may have read an unquoted ``1`` as an integer)."""
    if (
        isinstance(parent, MutableMapping)
        and isinstance(key, str)
        and key not in parent
        and key.isdigit()
        and int(key) in parent
    ):
        return int(key)
    return key


def _walk(doc: Any, path: Path, create: bool) -> Any:
    node = doc
    for part in path:
        k = _key(node, part)
        if create and isinstance(node, MutableMapping) and k not in node:
            node[k] = {}
        node = node[k]
    return node


def _like_siblings_key(parent: Any, key: str | int) -> Any:
    """A new key quoted like the mapping's other keys (round-trip YAML keeps quoting styles)."""
    if isinstance(key, str):
        for k in parent:
            if isinstance(k, str) and type(k) is not str:
                return type(k)(key)
    return key


def _like_siblings_value(parent: Any, value: Any) -> Any:
    """A new mapping written in flow style ``{...}`` when its siblings are (round-trip YAML)."""
    if not isinstance(value, dict) or not hasattr(parent, "fa"):
        return value
    siblings = [v for v in parent.values() if hasattr(v, "fa")]
    if not siblings or not all(v.fa.flow_style() for v in siblings):
        return value
    from ruamel.yaml.comments import CommentedMap

    def flow(v: Any) -> Any:
        if isinstance(v, dict):
            m = CommentedMap((k, flow(x)) for k, x in v.items())
            m.fa.set_flow_style()
            return m
        return v

    return flow(value)


def apply_ops(doc: Any, ops: Iterable[Op]) -> Any:
    """Apply ``ops`` to ``doc`` in place (plain dicts or ruamel maps) and return it.

    Examples
    --------
    >>> d = {"a": {"1": "x", "2": "y"}, "b": 1}
    >>> apply_ops(d, [order(("a",), [("1", "2"), ("2", "1")]), put(("c", "d"), 2), delete(("b",))])
    {'a': {'1': 'y', '2': 'x'}, 'c': {'d': 2}}
    """
    for op in ops:
        parent = _walk(doc, op.path[:-1], create=op.kind == "set")
        last = _key(parent, op.path[-1])
        if op.kind == "set":
            value = copy.deepcopy(op.value)
            if last not in parent:
                last = _like_siblings_key(parent, last)
                value = _like_siblings_value(parent, value)
            parent[last] = value
        elif op.kind == "delete":
            del parent[last]
        else:
            target = parent[last]
            items = [(new, target[_key(target, old)]) for new, old in op.value]
            styles = [type(k) for k in target]
            for k in list(target):
                del target[k]
            for i, (new, value) in enumerate(items):
                style = styles[i] if i < len(styles) else str
                target[style(new) if isinstance(new, str) and style is not str else new] = value
    return doc
