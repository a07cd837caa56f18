"""Answers kept per phone tree: trees are frozen, so what is worked out from one stays true
for as long as the tree lives, and is dropped with it."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

V = TypeVar("V")

__all__ = ["PerTree"]


class PerTree(Generic[V]):
    """A cache of values per live tree (by identity), each under a key of its own.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> kept: PerTree[int] = PerTree()
    >>> tree = ivr.load(ivr.examples.path("gp_surgery"))
    >>> kept.get(tree, "nodes", lambda: len(tree.nodes)), kept.get(tree, "nodes", lambda: -1)
    (14, 14)
    >>> del tree
    >>> len(kept)
    0
    """

    def __init__(self) -> None:
        self._kept: dict[int, tuple[weakref.ref[Any], dict[Hashable, V]]] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, tree: Any, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept for ``tree`` under ``key``, made (and kept) the first time."""
        kept = self._kept.get(id(tree))
        if kept is None or kept[0]() is not tree:

            def forget(_: object, k: int = id(tree)) -> None:
                self._kept.pop(k, None)

            kept = (weakref.ref(tree, forget), {})
            self._kept[id(tree)] = kept
        values = kept[1]
        if key not in values:
            values[key] = make()
        return values[key]
