"""A short structural summary of a tree: what ``ivrscore validate`` prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ._collector import paused
from ._text import plural
from .graph import Route, best_routes, flow, route_to_human
from .model.nodes import NODE_TYPES
from .model.tree import PhoneTree

__all__ = ["TaskSummary", "TreeSummary", "summarise"]

_PLURALS = {"branch": "branches", "self_service": "self-service nodes"}


@dataclass(frozen=True)
class TaskSummary:
    """One task: its share, and the intended route to a node that resolves it (``None`` if none)."""

    name: str
    share: float
    route: Route | None


@dataclass(frozen=True)
class TreeSummary:
    """Node counts by type, the route to each task, and the fastest route to a human."""

    name: str
    node_counts: dict[str, int]
    tasks: tuple[TaskSummary, ...]
    human: Route | None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for JSON)."""

        def route(r: Route | None) -> dict[str, Any] | None:
            if r is None:
                return None
            return {
                "nodes": list(r.nodes),
                "keys": list(r.keys),
                "menus": r.menus,
                "transfers": r.transfers,
                "listen_s": round(r.listen_s, 2),
                "input_s": round(r.input_s, 2),
                "wait_s": round(r.wait_s, 2),
                "seconds": round(r.seconds, 2),
            }

        return {
            "name": self.name,
            "nodes": self.node_counts,
            "tasks": {t.name: {"share": t.share, "route": route(t.route)} for t in self.tasks},
            "human": route(self.human),
        }

    def lines(self) -> list[str]:
        """The summary as text lines (no colour), at most 80 columns wide for typical trees."""
        counts = ", ".join(
            plural(n, t.replace("_", "-"), _PLURALS.get(t))
            for t, n in self.node_counts.items()
            if n
        )
        total = sum(self.node_counts.values())
        out = [f"{plural(total, 'node')}: {counts}"]
        width = max([len(t.name) for t in self.tasks] + [4])
        out.append(f"{'task':<{width}}  share  menus  listen+keys     wait  resolved at")
        for t in self.tasks:
            if t.route is None:
                out.append(
                    f"{t.name:<{width}}  {t.share:>5.0%}      -  no reachable node resolves it"
                )
                continue
            r = t.route
            out.append(
                f"{t.name:<{width}}  {t.share:>5.0%}  {r.menus:>5}  {r.listen_s + r.input_s:>9.0f} s"
                f"  {r.wait_s:>5.0f} s  {r.goal}"
            )
        if self.human is None:
            out.append("to a human: none reachable from the entry")
        else:
            h = self.human
            out.append(
                f"to a human: {h.seconds:.0f} s ({h.listen_s + h.input_s:.0f} s of menus and keys, "
                f"{h.wait_s:.0f} s expected wait), via"
            )
            out.append(f"  {h.describe()}")
        return out


def summarise(tree: PhoneTree) -> TreeSummary:
    """Summarise a tree's structure and routes.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> s = summarise(ivr.load(ivr.examples.path("acme_telecom")))
    >>> s.node_counts["menu"], s.human.goal
    (3, 'general_agent')
    """
    with paused():  # many small objects, no cycles: see ivrscore._collector
        g = flow(tree)
        counts: Counter[str] = Counter(node.type for node in tree.nodes.values())
        routes = best_routes(tree, g)
        human = route_to_human(tree, g)
    return TreeSummary(
        name=tree.name,
        node_counts={t: counts.get(t, 0) for t in NODE_TYPES},
        tasks=tuple(TaskSummary(t.name, t.share, routes[t.name]) for t in tree.tasks),
        human=human,
    )
