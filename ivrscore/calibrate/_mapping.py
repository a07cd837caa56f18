"""From the ids a log uses to the nodes of a tree, and the tree's shape as the logs meet it.

A log names the places a caller went by the *platform's* ids: an Amazon Connect block id, a
Twilio Studio widget name, an Asterisk ``context,extension``, a queue's name. The importers keep
those ids under each node's ``meta.source``; a tree written by hand can list them under
``meta.log_ids``. :class:`TreeMap` looks an id up, in this order:

1. a node id;
2. ``meta.log_ids`` (a string or a list of strings) of a node;
3. ``meta.source``: its ``id`` and ``name``; Asterisk's ``context,extension`` and ``context``;
   a queue's ``queue.name``;
4. for a queue node ``X_queue``, the name ``X`` (the importers name queue nodes so);
5. the same, ignoring case.

When several nodes carry one id (an importer splits a platform's "transfer to queue" block
into a queue and the person who answers), the id means the first of them in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model.nodes import Agent, Branch, Input, Menu, Message, Queue, SelfService
from ..model.tree import PhoneTree

__all__ = ["PATIENCE_TYPES", "SILENT_TYPES", "TreeMap"]

PATIENCE_TYPES = frozenset({"message", "menu", "input", "branch", "queue", "self_service"})
"""Node types where the caller's patience runs (not yet helped); in a self-service node only
when it does not resolve the call."""

SILENT_TYPES = frozenset({"branch", "message"})
"""Node types a platform may not log: a move that skips them is still on the tree."""


@dataclass
class TreeMap:
    """Look-ups from log ids to the nodes of ``tree``, and the tree's edges."""

    tree: PhoneTree
    ids: dict[str, str] = field(default_factory=dict)
    folded: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    succ: dict[str, set[str]] = field(default_factory=dict)
    reach: dict[str, set[str]] = field(default_factory=dict)
    tasks: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        tree = self.tree
        found: dict[str, str] = {}

        def put(key: Any, nid: str) -> None:
            if isinstance(key, str | int) and not isinstance(key, bool):
                k = str(key).strip()
                if k and k not in found:
                    found[k] = nid

        for nid in tree.nodes:
            put(nid, nid)
        for nid, node in tree.nodes.items():
            log_ids = node.meta.get("log_ids")
            for k in log_ids if isinstance(log_ids, list) else [log_ids]:
                put(k, nid)
        for nid, node in tree.nodes.items():
            src = node.meta.get("source")
            if not isinstance(src, dict):
                continue
            put(src.get("id"), nid)
            put(src.get("name"), nid)
            ctx, ext = src.get("context"), src.get("extension")
            if isinstance(ctx, str):
                if ext is not None:
                    put(f"{ctx},{ext}", nid)
                put(ctx, nid)
            q = src.get("queue")
            if isinstance(q, dict):
                put(q.get("name"), nid)
            elif isinstance(q, str):
                put(q, nid)
        for nid, node in tree.nodes.items():
            if isinstance(node, Queue) and nid.endswith("_queue"):
                put(nid[: -len("_queue")], nid)
        self.ids = found
        self.folded = {}
        for k, v in found.items():
            self.folded.setdefault(k.casefold(), v)
        self.types = {nid: n.type for nid, n in tree.nodes.items()}
        self.succ = {nid: {t for t, _ in n.targets()} for nid, n in tree.nodes.items()}
        self.reach = {nid: self._reach(nid) for nid in tree.nodes}
        self.tasks = {}
        for name in tree.task_names:
            self.tasks.setdefault(name, name)
            self.tasks.setdefault(name.casefold(), name)

    def _reach(self, nid: str) -> set[str]:
        """Nodes reachable from ``nid`` in one move, passing through unlogged branches and
        messages."""
        out: set[str] = set()
        todo = list(self.succ[nid])
        while todo:
            n = todo.pop()
            if n in out:
                continue
            out.add(n)
            if self.types.get(n) in SILENT_TYPES:
                todo.extend(self.succ.get(n, ()))
        return out

    def node(self, log_id: str) -> str | None:
        """The tree node a log id means, or ``None``."""
        hit = self.ids.get(log_id)
        if hit is None and log_id:
            hit = self.folded.get(log_id.strip().casefold())
        return hit

    def task(self, name: str) -> str | None:
        """The tree's task a log's task name or code means (ignoring case), or ``None``."""
        return self.tasks.get(name) or self.tasks.get(name.strip().casefold())

    def on_tree(self, a: str, b: str) -> bool:
        """Whether the tree has a way from ``a`` to ``b`` (directly, or through branches and
        messages a platform may not log)."""
        return a == b or b in self.reach.get(a, ())

    def menu(self, nid: str) -> Menu | None:
        node = self.tree.nodes.get(nid)
        return node if isinstance(node, Menu) else None

    def key_to(self, menu_id: str, target: str) -> str | None:
        """The one key of menu ``menu_id`` whose option leads to ``target`` (possibly through
        branches and messages); ``None`` when none or several do."""
        menu = self.menu(menu_id)
        if menu is None:
            return None
        keys = [k for k, o in menu.options.items() if target in self._via_silent(o.next)]
        return keys[0] if len(keys) == 1 else None

    def _via_silent(self, nid: str) -> set[str]:
        if self.types.get(nid) not in SILENT_TYPES:
            return {nid}
        return {nid} | self.reach.get(nid, set())

    def answered_by(self, queue_id: str) -> str | None:
        """The node that answers a queue (its ``next``)."""
        node = self.tree.nodes.get(queue_id)
        return node.next if isinstance(node, Queue) else None

    def handles(self, nid: str) -> tuple[str, ...]:
        node = self.tree.nodes.get(nid)
        return node.handles if isinstance(node, Agent | SelfService) else ()

    def ends_without_next(self, nid: str) -> bool:
        """A message or menu whose way on is missing: the system ends the call there."""
        node = self.tree.nodes.get(nid)
        if isinstance(node, Message):
            return node.next is None
        return isinstance(node, Menu | Input) and node.on_failure is None

    def zero_out(self, nid: str) -> str | None:
        node = self.tree.nodes.get(nid)
        return node.zero_out if isinstance(node, Input) else None

    def is_branch(self, nid: str) -> bool:
        return isinstance(self.tree.nodes.get(nid), Branch)
