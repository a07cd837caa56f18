"""What every edit looks at: the tree, its document, the lint context and the current report."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..lint._context import Context
from ..model.nodes import Agent, Queue
from ..model.tree import PhoneTree
from ..standard import Standard

if TYPE_CHECKING:
    from ..score import Report

__all__ = ["State"]


@dataclass
class State:
    """One point of the search: the tree as a model and as plain data, and its exact report."""

    tree: PhoneTree
    doc: dict[str, Any]
    standard: Standard
    report: Report
    allow_staffing: bool = False

    @cached_property
    def ctx(self) -> Context:
        return Context(self.tree, self.standard)

    @cached_property
    def shares(self) -> dict[str, float]:
        return {t.name: float(t.share) for t in self.tree.tasks}

    def findings_at(self, code: str) -> list[str]:
        """Nodes with a finding of rule ``code``, in file order, once each."""
        nodes = {f.node for f in self.report.findings if f.code == code and f.node}
        return [n for n in self.tree.nodes if n in nodes]

    def agent_behind(self, nid: str | None) -> str | None:
        """The agent a caller sent to ``nid`` reaches (through messages, branches, a queue)."""
        seen: set[str] = set()
        while nid is not None and nid not in seen:
            seen.add(nid)
            node = self.tree.nodes.get(nid)
            if node is None:
                return None
            if isinstance(node, Agent):
                return nid
            if isinstance(node, Queue):
                nid = node.next
                continue
            landings = self.ctx.passive_landings(nid)
            if landings == {nid} or len(landings) != 1:
                return None
            nid = next(iter(landings))
        return None

    @cached_property
    def human_entries(self) -> list[tuple[str, str]]:
        """``(entry, agent)`` for every reachable queue with an agent behind it, and every agent
        no queue leads to, in file order."""
        behind_queue: set[str] = set()
        out: list[tuple[str, str]] = []
        for nid, node in self.tree.nodes.items():
            if isinstance(node, Queue) and nid in self.ctx.reachable:
                agent = self.agent_behind(nid)
                if agent is not None:
                    out.append((nid, agent))
                    behind_queue.add(agent)
        for nid, node in self.tree.nodes.items():
            if isinstance(node, Agent) and nid not in behind_queue and nid in self.ctx.reachable:
                out.append((nid, nid))
        return out

    def people_for(self, nid: str, limit: int = 2) -> list[str]:
        """The human entries that handle most of the callers passing ``nid`` (by task share),
        best first: where a zero-out or a failure at ``nid`` should go."""
        tasks = [t for t, r in self.ctx.routes.items() if r is not None and nid in r.nodes]
        if not tasks:
            tasks = list(self.shares)
        scored = []
        for i, (entry, agent) in enumerate(self.human_entries):
            node = self.tree.nodes[agent]
            assert isinstance(node, Agent)
            served = sum(self.shares[t] for t in tasks if t in node.handles)
            if served > 0:
                scored.append((-served, i, entry))
        return [e for _, _, e in sorted(scored)[:limit]]

    def fresh(self, stem: str) -> str:
        """A node id not yet used: ``stem``, else ``stem_2``, ``stem_3`` ..."""
        if stem not in self.tree.nodes:
            return stem
        i = 2
        while f"{stem}_{i}" in self.tree.nodes:
            i += 1
        return f"{stem}_{i}"

    def references(self, target: str) -> list[tuple[tuple[str | int, ...], str]]:
        """Every document path that points at node ``target`` (with the referring node)."""
        out: list[tuple[tuple[str | int, ...], str]] = []
        if self.tree.entry == target:
            out.append((("entry",), ""))
        for nid, node in self.tree.nodes.items():
            for t, path in node.targets():
                if t == target:
                    out.append((("nodes", nid, *path), nid))
        return out
