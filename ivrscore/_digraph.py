"""Plain directed-graph algorithms over adjacency dicts, without networkx.

The command line's ``validate`` and ``lint`` walk graphs of a few dozen nodes and must start in
a fraction of a second; networkx costs half a second to import. These functions take
``{node: successors}`` (every node a key, successors in any iterable, duplicates allowed) and
give the same answers, in the same order, as the networkx functions they replace.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import TypeVar

__all__ = ["descendants", "strongly_connected_components"]

N = TypeVar("N", bound=Hashable)


def strongly_connected_components(succ: Mapping[N, Iterable[N]]) -> Iterator[set[N]]:
    """The strongly connected components of a directed graph, as sets of nodes.

    Iterative (no recursion, so a chain of 10^5 nodes is fine) and in the order of
    :func:`networkx.strongly_connected_components` on a :class:`networkx.DiGraph` with the
    nodes and edges added in the mapping's order.

    Parameters
    ----------
    succ : mapping
        Every node, with the nodes its edges lead to. A successor that is not a key is an
        error (``KeyError``), as it would be a node without an entry of its own.

    Examples
    --------
    >>> [sorted(c) for c in strongly_connected_components({"a": ["b"], "b": ["a", "c"], "c": []})]
    [['c'], ['a', 'b']]
    """
    adj = {v: list(dict.fromkeys(ws)) for v, ws in succ.items()}
    preorder: dict[N, int] = {}
    lowlink: dict[N, int] = {}
    found: set[N] = set()
    scc_queue: list[N] = []
    i = 0
    neighbours = {v: iter(ws) for v, ws in adj.items()}
    for source in adj:
        if source in found:
            continue
        queue = [source]
        while queue:
            v = queue[-1]
            if v not in preorder:
                i += 1
                preorder[v] = i
            done = True
            for w in neighbours[v]:
                if w not in preorder:
                    queue.append(w)
                    done = False
                    break
            if not done:
                continue
            low = preorder[v]
            for w in adj[v]:
                if w not in found:
                    low = min(low, lowlink[w] if preorder[w] > preorder[v] else preorder[w])
            lowlink[v] = low
            queue.pop()
            if low == preorder[v]:
                scc = {v}
                while scc_queue and preorder[scc_queue[-1]] > preorder[v]:
                    scc.add(scc_queue.pop())
                found.update(scc)
                yield scc
            else:
                scc_queue.append(v)


def descendants(succ: Mapping[N, Iterable[N]], source: N) -> set[N]:
    """Nodes reachable from ``source`` by one edge or more, never ``source`` itself (as
    :func:`networkx.descendants`).

    Examples
    --------
    >>> sorted(descendants({"a": ["b"], "b": ["c"], "c": ["a"], "d": []}, "b"))
    ['a', 'c']
    """
    seen: set[N] = set()
    todo = [source]
    while todo:
        for w in succ.get(todo.pop(), ()):
            if w not in seen:
                seen.add(w)
                todo.append(w)
    seen.discard(source)
    return seen
