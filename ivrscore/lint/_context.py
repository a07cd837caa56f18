"""Shared, computed-once facts about a tree that several rules use."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from .._digraph import descendants
from ..exceptions import IvrscoreError
from ..graph import (
    IMPLICIT_HANGUP,
    Flow,
    Route,
    best_routes,
    edge_allowed,
    expected_wait_s,
    flow,
    route_to_human,
    to_networkx,
)
from ..model.nodes import Agent, Input, Menu, Message, Node, Queue
from ..model.tree import PhoneTree
from ..promises import Promise, all_promises
from ..standard import Standard

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np
    from numpy.typing import NDArray

    from ..engine._compile import Slot
from ..timeofday import patterns

__all__ = ["PURPOSEFUL", "Context", "short"]

PURPOSEFUL = frozenset({"option", "next", "zero_out", "transfer", "callback", "closed"})
"""Edges a caller follows without failing: choices, flow, transfers, time-of-day routing."""

FINAL_TYPES = frozenset({"agent", "self_service", "voicemail", "callback", "hangup"})


def short(text: str | None, limit: int = 60) -> str:
    """Quote a prompt, shortened to ``limit`` characters."""
    if not text:
        return ""
    t = " ".join(text.split())
    return f"'{t}'" if len(t) <= limit else f"'{t[: limit - 1].rstrip()}…'"


class Context:
    """The tree, how callers move through it (:class:`~ivrscore.graph.Flow`) and the standard,
    with analyses computed on first use."""

    def __init__(self, tree: PhoneTree, standard: Standard) -> None:
        self.tree = tree
        self.standard = standard
        self.flow: Flow = flow(tree)
        self._kinds: dict[str, dict[str, str]] = {}
        self._reachable_of: dict[tuple[str, ...], list[tuple[str, Node]]] = {}

    @cached_property
    def g(self) -> nx.MultiDiGraph[str]:
        """The tree as a networkx graph (:func:`~ivrscore.graph.to_networkx`), built on first
        use: the built-in rules read :attr:`flow` instead."""
        return to_networkx(self.tree)

    # -- reachability ---------------------------------------------------------------------------

    @cached_property
    def edges(self) -> list[tuple[str, str, dict[str, Any]]]:
        """Every edge of the graph with its attributes, listed once for all the rules."""
        return list(self.flow.edges())

    @cached_property
    def purposeful(self) -> dict[str, list[str]]:
        """Per node, where its purposeful edges (a choice, an entry, a next step) lead."""
        return {
            u: [v for v, d in lst if d["event"] in PURPOSEFUL] for u, lst in self.flow.out.items()
        }

    @cached_property
    def reachable(self) -> set[str]:
        """Nodes a call can reach from the entry by any edge."""
        return {self.tree.entry} | descendants(self.flow.successors(), self.tree.entry)

    @cached_property
    def depth(self) -> dict[str, int]:
        """Fewest purposeful steps from the entry to each node."""
        out = {self.tree.entry: 0}
        todo = deque([self.tree.entry])
        succ = self.purposeful
        while todo:
            u = todo.popleft()
            for v in succ.get(u, ()):
                if v not in out:
                    out[v] = out[u] + 1
                    todo.append(v)
        return out

    def nodes(self, *types: str) -> Iterator[tuple[str, Node]]:
        """Reachable nodes of the given types, in file order."""
        found = self._reachable_of.get(types)
        if found is None:
            reachable = self.reachable
            found = [  # tree.iter_nodes's order, without a generator step per node
                (nid, n)
                for nid, n in self.tree.nodes.items()
                if (not types or n.type in types) and nid in reachable
            ]
            self._reachable_of[types] = found
        yield from found

    def menus(self) -> Iterator[tuple[str, Menu]]:
        for nid, node in self.nodes("menu"):
            assert isinstance(node, Menu)
            yield nid, node

    def asking(self) -> Iterator[tuple[str, Menu | Input]]:
        for nid, node in self.nodes("menu", "input"):
            assert isinstance(node, Menu | Input)
            yield nid, node

    def queues(self) -> Iterator[tuple[str, Queue]]:
        for nid, node in self.nodes("queue"):
            assert isinstance(node, Queue)
            yield nid, node

    # -- routes ---------------------------------------------------------------------------------

    @cached_property
    def hourly_load(self) -> tuple[list[Slot], NDArray[np.float64]] | None:
        """For trees with a ``volume:``: the staffed queue slots and the calls each would be
        offered in each hour if nobody waited (``None`` without dynamic queues)."""
        if self.tree.volume is None:
            return None
        from ..engine._compile import compile_tree
        from ..engine.dynamics import offered_without_waits

        try:
            c = compile_tree(self.tree)
        except IvrscoreError:
            return None  # other rules say why the tree cannot be compiled
        if not c.dynamic:
            return None
        try:
            return c.slots, offered_without_waits(c)
        except IvrscoreError:
            return None

    @cached_property
    def promises(self) -> dict[str, tuple[tuple[str, Promise], ...]]:
        """What every menu's options promise (:func:`ivrscore.promises.all_promises`)."""
        return all_promises(self.tree)

    @cached_property
    def routes(self) -> dict[str, Route | None]:
        return best_routes(self.tree, self.flow)

    @cached_property
    def human_route_ivr(self) -> Route | None:
        """Fastest way to a person counting menus and keys only (no queue waits)."""
        return route_to_human(self.tree, self.flow, include_wait=False)

    @cached_property
    def option_demand(self) -> dict[tuple[str, str], float]:
        """Share of callers whose intended route takes each ``(menu, key)``."""
        total = sum(t.share for t in self.tree.tasks)  # (task_shares() without numpy)
        shares = {t.name: t.share / total for t in self.tree.tasks}
        out: dict[tuple[str, str], float] = {}
        for task, r in self.routes.items():
            if r is None:
                continue
            for node, key in zip(r.nodes, r.keys, strict=False):
                if key is not None:
                    out[node, key] = out.get((node, key), 0.0) + float(shares[task])
        return out

    @cached_property
    def _route_nodes(self) -> dict[str, frozenset[str]]:
        """The nodes of each task's intended route, as sets."""
        return {t: frozenset(r.nodes) for t, r in self.routes.items() if r is not None}

    def tasks_through(self, node: str) -> list[str]:
        """Tasks whose intended route passes through (or ends at) ``node``, then the tasks the
        node handles: the callers a story about ``node`` is best told with."""
        on_route = [t for t, nodes in self._route_nodes.items() if node in nodes]
        handled = [
            t for t in getattr(self.tree.nodes.get(node), "handles", ()) if t not in on_route
        ]
        return on_route + handled

    def caller_with(self, node: str) -> str:
        """Words for a caller who gets to ``node``: "a caller with report_fault" when a task's
        route passes there, else "a caller"."""
        tasks = self.tasks_through(node)
        return f"a caller with {tasks[0]}" if tasks else "a caller"

    @cached_property
    def patterns(self) -> list[dict[str, bool]]:
        """Every open/closed combination of the schedules that occurs in the week."""
        return [p.open for p in patterns(self.tree)]

    @cached_property
    def adjacency(self) -> list[dict[str, list[tuple[str, str]]]]:
        """Per time-of-week pattern: where a caller can go from each node, ``[(event, target)]``.

        Retries (which keep the caller in place) are left out; guarded edges follow the
        pattern's open and closed schedules.
        """
        out = []
        edges = [
            (u, v, d["event"], d["guard"])
            for u, v, d in self.edges
            if d["event"] not in ("no_input", "invalid")
        ]
        guards = {guard for _, _, _, guard in edges}
        for pattern in self.patterns:
            allowed = {guard: edge_allowed(guard, pattern) for guard in guards}
            adj: dict[str, list[tuple[str, str]]] = {n: [] for n in self.flow.types}
            for u, v, event, guard in edges:
                if allowed[guard]:
                    adj[u].append((event, v))
            out.append(adj)
        return out

    @cached_property
    def task_bits(self) -> dict[str, int]:
        """Each task's bit in a task mask."""
        return {t: 1 << i for i, t in enumerate(self.tree.task_names)}

    @cached_property
    def stops(self) -> dict[str, int]:
        """Per node, the mask of tasks whose callers' journey ends there (a person who handles
        them: they do not transfer those callers on)."""
        out: dict[str, int] = {}
        for nid, node in self.tree.nodes.items():
            if isinstance(node, Agent):
                out[nid] = sum(self.task_bits[t] for t in set(node.handles))
        return out

    @cached_property
    def _numbered(self) -> tuple[list[str], list[int], list[list[list[tuple[str, int]]]]]:
        """The nodes in graph order, each node's :attr:`stops` mask, and :attr:`adjacency` with
        the nodes as numbers (a list per node): what :meth:`journeys` searches over."""
        ids = list(self.flow.types)
        number = {n: i for i, n in enumerate(ids)}
        stops = [self.stops.get(n, 0) for n in ids]
        edges = [  # as adjacency reads them, numbered (built here, not from its dicts)
            (number[u], number[v], d["event"], d["guard"])
            for u, v, d in self.edges
            if d["event"] not in ("no_input", "invalid")
        ]
        guards = {guard for _, _, _, guard in edges}
        adjs = []
        for pattern in self.patterns:
            allowed = {guard: edge_allowed(guard, pattern) for guard in guards}
            adj: list[list[tuple[str, int]]] = [[] for _ in ids]
            for u, v, event, guard in edges:
                if allowed[guard]:
                    adj[u].append((event, v))
            adjs.append(adj)
        return ids, stops, adjs

    def journeys(
        self,
        start: tuple[str, Any],
        step: Callable[[tuple[str, Any], str, str], tuple[str, Any] | None],
        *,
        at: Iterable[str] = (),
        on: Iterable[str] = (),
    ) -> Iterator[tuple[tuple[str, Any], int, Callable[..., tuple[str, list[Any]]]]]:
        """Search every caller journey over states ``(node, data)``, all tasks at once.

        Each state carries the mask of tasks whose callers can be in it; ``step(state, event,
        target)`` gives the next state (or ``None`` to stop there). It is asked only on the
        edges that can change the data, those out of the nodes in ``at`` and those whose event
        is in ``on``; on every other edge the caller keeps their data (``(target, data)``).
        Yields each state the first time it is reached in each time-of-week pattern, with its
        mask and a function giving a task and a witness walk of states from ``start`` for that
        task. Exact for every task and pattern, in one pass per pattern rather than one per task.

        States are numbered inside the search (node number + nodes x data number): at 10^5
        nodes, dicts of small integers cost a third of dicts of tuples.
        """
        full = (1 << len(self.tree.task_names)) - 1
        names = self.tree.task_names
        ids, stops, adjs = self._numbered
        width = len(ids)
        number = {n: i for i, n in enumerate(ids)}
        asked = {number[n] for n in at if n in number}
        events = frozenset(on)
        datas: list[Any] = []
        data_number: dict[Any, int] = {}

        def code(state: tuple[str, Any]) -> int:
            node, data = state
            d = data_number.get(data)
            if d is None:
                d = data_number[data] = len(datas)
                datas.append(data)
            return number[node] + width * d

        def decode(s: int) -> tuple[str, Any]:
            d, u = divmod(s, width)
            return ids[u], datas[d]

        for adj in adjs:
            s0 = code(start)
            mask: dict[int, int] = {s0: full}
            first: dict[int, int] = {s0: full}
            parent: dict[int, int | None] = {s0: None}
            todo = deque([s0])
            queued = {s0}
            popleft, push, enqueue, dequeue = todo.popleft, todo.append, queued.add, queued.discard
            mask_get = mask.get
            while todo:
                s = popleft()
                dequeue(s)
                m = mask[s]
                u = s % width
                base = s - u
                state = (ids[u], datas[base // width])
                # a partial, not a closure: one small object per state, built in C
                yield state, m, partial(_witness, s, parent, first, names, m, decode)
                out = m & ~stops[u]
                if not out:
                    continue
                ask = u in asked
                for event, v in adj[u]:
                    if ask or event in events:
                        moved = step(state, event, ids[v])
                        if moved is None:
                            continue
                        nxt = code(moved)
                    else:
                        nxt = base + v
                    old = mask_get(nxt, 0)
                    new = old | out
                    if new != old:
                        mask[nxt] = new
                        if nxt not in parent:
                            parent[nxt] = s
                            first[nxt] = out
                        if nxt not in queued:
                            enqueue(nxt)
                            push(nxt)

    @cached_property
    def waits(self) -> dict[str, float]:
        """Expected wait at each queue."""
        out = {}
        for nid, q in self.tree.iter_nodes("queue"):
            assert isinstance(q, Queue)
            out[nid] = expected_wait_s(q, self.tree)
        return out

    # -- option classes -------------------------------------------------------------------------

    def option_kind(self, menu_id: str, key: str) -> str:
        """``zero_out``, ``repeat`` (back to the same menu), ``back`` (to a menu nearer the
        entry), or ``task``."""
        cache = self._kinds.setdefault(menu_id, {})
        if key not in cache:
            cache[key] = self._option_kind(menu_id, key)
        return cache[key]

    def _option_kind(self, menu_id: str, key: str) -> str:
        menu = self.tree.nodes[menu_id]
        assert isinstance(menu, Menu)
        target = menu.options[key].next
        if key in self.zero_out_keys.get(menu_id, ()):
            return "zero_out"
        if target == menu_id or self.passive_landings(target) == {menu_id}:
            return "repeat"
        tnode = self.tree.nodes.get(target)
        if (
            tnode is not None
            and tnode.type == "menu"
            and self.depth.get(target, 10**9) < self.depth.get(menu_id, 0)
        ):
            return "back"
        return "task"

    @cached_property
    def zero_out_keys(self) -> dict[str, set[str]]:
        """Per menu, the keys of its options that are zero-outs to a person."""
        out: dict[str, set[str]] = {}
        for u, _v, d in self.edges:
            if d["event"] == "zero_out" and d["key"] is not None:
                out.setdefault(u, set()).add(d["key"])
        return out

    def task_options(self, menu_id: str) -> list[str]:
        """Keys of a menu's task options (not zero-out, repeat, back, ``*`` or ``#``), spoken order."""
        menu = self.tree.nodes[menu_id]
        assert isinstance(menu, Menu)
        return [
            k
            for k in menu.options
            if k not in ("*", "#") and self.option_kind(menu_id, k) == "task"
        ]

    # -- passive chains (messages and branches) -------------------------------------------------

    def passive_landings(self, start: str | None) -> set[str]:
        """Where a caller sent to ``start`` lands after any messages and branches: the first
        node of another type on every way on (a message with no ``next`` lands on itself;
        ``None`` is the implicit hang-up)."""
        if start is None:
            return {IMPLICIT_HANGUP}
        node = self.tree.nodes.get(start)
        if node is not None and node.type not in ("message", "branch"):
            return {start}  # the common case, without the walk
        out: set[str] = set()
        seen: set[str] = set()
        todo = [start]
        while todo:
            nid = todo.pop()
            if nid in seen:
                continue
            seen.add(nid)
            node = self.tree.nodes.get(nid)
            if node is None:  # the implicit hang-up
                out.add(nid)
            elif isinstance(node, Message):
                if node.next is None:
                    out.add(nid)
                else:
                    todo.append(node.next)
            elif node.type == "branch":
                todo.extend(t for t, _ in node.targets())
            else:
                out.add(nid)
        return out

    def only_goodbye(self, start: str | None) -> bool:
        """Whether every way on from ``start`` (through messages and branches) ends the call
        with nothing for the caller: a hang-up or a dead end."""
        landings = self.passive_landings(start)
        return all(self._ends_call(n) for n in landings)

    def _ends_call(self, nid: str) -> bool:
        node = self.tree.nodes.get(nid)
        if node is None:  # the implicit hang-up (or a target that is not a node: nothing there)
            return True
        return node.type == "hangup" or (isinstance(node, Message) and node.next is None)

    def goodbye_words(self, start: str | None) -> str:
        """What happens to the caller, for messages: "hears '...' and is cut off", or "is cut
        off" when nothing is said."""
        for nid in sorted(self.passive_landings(start)):
            node = self.tree.nodes.get(nid)
            if node is not None and node.prompt:
                return f"hears {short(node.prompt)} and is cut off"
        return "is cut off"


def _witness(
    state: int,
    parent: dict[int, int | None],
    first: dict[int, int],
    names: tuple[str, ...],
    mask: int,
    decode: Callable[[int], tuple[str, Any]],
    prefer: Iterable[str] = (),
    among: Iterable[str] | None = None,
) -> tuple[str, list[Any]]:
    """A task and the walk that brought a caller with it to ``state`` (:meth:`Context.journeys`
    binds the first six arguments); ``prefer`` names tasks to tell the story with when the walk
    is valid for them, ``among`` limits the tasks to choose from."""
    walk = []
    common = mask
    s: int | None = state
    while s is not None:
        walk.append(decode(s))
        common &= first[s]
        s = parent[s]
    allowed = set(names if among is None else among)
    valid = [t for i, t in enumerate(names) if common >> i & 1 and t in allowed] or [
        t for i, t in enumerate(names) if mask >> i & 1 and t in allowed
    ]
    if not valid:
        valid = [t for i, t in enumerate(names) if mask >> i & 1]
    task = next((t for t in prefer if t in valid), valid[0])
    return task, walk[::-1]


def is_final(node: Node | None) -> bool:
    """Whether a node ends the caller's journey (helped, or the call ends)."""
    return node is None or node.type in FINAL_TYPES
