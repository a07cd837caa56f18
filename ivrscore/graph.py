"""The phone tree as a graph of how callers move, and the static facts every analysis needs.

:func:`to_networkx` compiles a :class:`~ivrscore.PhoneTree` into a
:class:`networkx.MultiDiGraph`. Nodes carry their type, prompt and estimated duration; edges
say how the caller moves (``event``: ``option``, ``next``, ``no_input``, ``invalid``,
``failure``, ``closed``, ``transfer``, ``zero_out`` or ``callback``; key 0 of a menu is a
``zero_out`` when it leads to a human), with the key pressed and
the seconds spent on the way (``listen_s`` of audio heard, ``input_s`` of keying, ``wait_s`` of
queueing, all for a default caller who presses as soon as the option is heard).

Durations are estimated from the words of each prompt at the tree's ``words_per_minute``, plus
``option_pause_s`` between menu options, unless a node gives ``duration_s``.

A menu or input without ``on_failure`` hangs up on the caller: the graph then has a node
``"(hang up)"`` (attribute ``implicit=True``) for those failure edges to reach.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from ._text import word_count
from .model.callers import AnsweredWait, Persona
from .model.nodes import (
    Agent,
    Branch,
    Input,
    Menu,
    Message,
    Node,
    Queue,
    SelfService,
)
from .model.tree import PhoneTree

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "EVENTS",
    "IMPLICIT_HANGUP",
    "Flow",
    "Route",
    "best_routes",
    "edge_allowed",
    "expected_wait_s",
    "flow",
    "flow_edges",
    "humans",
    "leads_to_human",
    "mean_patience_s",
    "menu_timeline",
    "node_duration_s",
    "route_to_human",
    "speech_s",
    "to_networkx",
]

IMPLICIT_HANGUP = "(hang up)"
"""Id of the node failure edges reach when a menu or input has no ``on_failure``."""

EVENTS = (
    "option",
    "next",
    "no_input",
    "invalid",
    "failure",
    "closed",
    "transfer",
    "zero_out",
    "callback",
)
"""Edge events, in the order reports list them."""


def speech_s(text: str | None, words_per_minute: float) -> float:
    """Seconds to speak ``text`` at ``words_per_minute``.

    Examples
    --------
    >>> speech_s("For bills and payments, press 1.", 150)
    2.4
    """
    return _words(text) * 60.0 / words_per_minute


@lru_cache(maxsize=1 << 16)
def _words(text: str | None) -> int:
    """:func:`word_count`, remembered: a large tree says the same words at many nodes, and
    every analysis of it asks again."""
    return word_count(text)


def menu_timeline(menu: Menu, tree: PhoneTree) -> tuple[float, list[float]]:
    """When each option of a menu has been heard.

    Returns the menu's total duration and, per option in spoken order, the seconds from the
    start of the menu to the end of that option's words. The prompt comes first, then each
    option, with ``option_pause_s`` between spoken parts. A ``duration_s`` on the menu rescales
    the estimate to that total.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.loads('''{name: T, entry: m, tasks: [{name: x, share: 1}], nodes: {
    ...   m: {type: menu, prompt: "Main menu.", options: {
    ...        "1": {say: "For sales, press 1.", next: a},
    ...        "2": {say: "For support, press 2.", next: a}}},
    ...   a: {type: agent, handles: [x]}}}''')
    >>> total, ends = menu_timeline(tree.node("m"), tree)
    >>> round(total, 2), [round(e, 2) for e in ends]
    (5.0, [2.9, 5.0])
    """
    wpm = tree.words_per_minute
    pause = tree.option_pause_s
    t = speech_s(menu.prompt, wpm)
    spoken = t > 0
    ends = []
    for opt in menu.options.values():
        said = speech_s(opt.say, wpm)
        if said > 0:
            if spoken:
                t += pause
            t += said
            spoken = True
        ends.append(t)
    total = t
    if menu.duration_s is not None and total > 0:
        scale = menu.duration_s / total
        ends = [e * scale for e in ends]
        total = menu.duration_s
    elif menu.duration_s is not None:
        total = menu.duration_s
        ends = [total for _ in ends]
    return total, ends


def node_duration_s(node: Node, tree: PhoneTree) -> float:
    """Estimated seconds of audio a caller hears at a node when listening to all of it.

    ``duration_s`` wins; otherwise the words of the prompt (and of a menu's options) at the
    tree's speaking rate. Agents count 0 (the conversation is not IVR audio).
    """
    if isinstance(node, Menu):
        return menu_timeline(node, tree)[0]
    if node.duration_s is not None:
        return node.duration_s
    if isinstance(node, Agent):
        return 0.0
    return speech_s(node.prompt, tree.words_per_minute)


def expected_wait_s(queue: Queue, tree: PhoneTree) -> float:
    """Mean wait at a queue: from ``wait`` directly, or from ``staffing`` as Erlang A.

    For ``staffing``, the callers' mean patience (over personas; exponential patience is
    memoryless, so the patience left at the queue has the same law) sets the abandonment rate.
    A queue with neither has no wait. Staffing at or over capacity with callers who never hang
    up has an infinite wait (rule IVR504). A queue whose calls follow from the tree's volume
    has a wait per hour of the week: here its mean over the week, weighted by the calls it is
    offered (:func:`ivrscore.engine.dynamics.weekly_waits`).
    """
    if isinstance(queue.wait, AnsweredWait):
        from .model.staffing import asa_to_mean_wait

        return asa_to_mean_wait(queue.wait.asa_s, mean_patience_s(tree.personas))
    if queue.wait is not None:
        return queue.wait.mean
    if queue.staffing is not None and not queue.staffing.is_fixed:
        from .engine.dynamics import weekly_waits  # it depends on the hour: the week's mean

        waits = weekly_waits(tree)
        return next(
            (waits[k] for k, n in tree.nodes.items() if n is queue and k in waits), math.nan
        )
    if queue.staffing is not None:
        from .queueing import erlang_a

        s = queue.staffing
        assert isinstance(s.agents, int) and s.calls_per_hour and s.handle_time_s
        patience = mean_patience_s(tree.personas)
        if math.isinf(patience) and s.offered_load >= s.agents:
            return math.inf
        return erlang_a(
            s.agents,
            calls_per_hour=s.calls_per_hour,
            handle_time_s=s.handle_time_s,
            patience_s=patience,
        ).mean_wait_s
    return 0.0


def mean_patience_s(personas: Iterable[Persona]) -> float:
    """Mean patience of the caller population for a queue model: ``1 / mean abandonment rate``.

    Abandonment rates (``1 / mean patience``) are averaged over personas by share, so callers
    who never hang up lower the rate instead of making it zero; ``inf`` only when nobody ever
    hangs up.

    Examples
    --------
    >>> from ivrscore.model import Persona
    >>> mean_patience_s([Persona(share=0.5, patience={"mean_s": 60}),
    ...                  Persona(share=0.5, patience={"distribution": "none"})])
    120.0
    """
    items = list(personas)
    total = sum(p.share for p in items) or 1.0
    rate = sum(p.share / p.patience.mean for p in items) / total
    return math.inf if rate == 0 else 1.0 / rate


def _input_s(digits: int | None, persona: Persona) -> float:
    return persona.response_s + (digits or 1) * persona.digit_s


def to_networkx(tree: PhoneTree, *, waits: bool = True) -> nx.MultiDiGraph[str]:
    """Compile a tree into a :class:`networkx.MultiDiGraph` of how callers move.

    Parameters
    ----------
    tree : PhoneTree
    waits : bool, default True
        Fill each queue edge's ``wait_s`` (:func:`expected_wait_s`; for a queue whose load
        follows the tree's volume that solves the week's queues). With ``False`` they are NaN:
        for code that needs only the structure, such as the engines' compiler.

    Returns
    -------
    networkx.MultiDiGraph
        Graph attributes ``name`` and ``entry``. Node attributes: ``type``, ``prompt``,
        ``duration_s`` (estimated), ``line`` (in the source file), ``handles``, ``collects``,
        ``asks``, ``implicit``. Edge attributes: ``event``, ``key`` (the DTMF key of an option,
        else ``None``), ``label`` (words for the edge), ``listen_s``, ``input_s``, ``wait_s``,
        and ``guard``: the ``(schedule, is_open)`` facts that must hold for a caller to take
        the edge (a queue's ``next`` needs it open, its ``on_closed`` needs it closed; a branch
        condition needs its own test and the failure of the schedule tests before it).
        Each option, retry and failure is its own edge, so two options to the same node are two
        edges.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> g = ivr.load(ivr.examples.path("acme_redesign")).to_networkx()
    >>> g.graph["entry"], g.nodes["main_menu"]["type"]
    ('welcome', 'menu')
    >>> [(d["key"], v) for _, v, d in g.out_edges("main_menu", data=True) if d["event"] == "zero_out"]
    [('0', 'general_queue')]
    >>> sorted({d["event"] for _, _, d in g.edges(data=True)})
    ['callback', 'closed', 'failure', 'invalid', 'next', 'no_input', 'option', 'transfer', 'zero_out']
    """
    import networkx as nx  # here: the commands that only lint or validate never import it

    g: nx.MultiDiGraph[str] = nx.MultiDiGraph(name=tree.name, entry=tree.entry)
    persona = tree.personas[0] if len(tree.personas) == 1 else _typical(tree)
    g.add_nodes_from(
        (
            nid,
            {
                "type": node.type,
                "prompt": node.prompt,
                "duration_s": node_duration_s(node, tree),
                "line": tree.line_of(nid),
                "handles": tuple(getattr(node, "handles", ())),
                "collects": getattr(node, "collects", None),
                "asks": tuple(getattr(node, "asks", ())),
                "implicit": False,
            },
        )
        for nid, node in tree.nodes.items()
    )
    edges = flow_edges(tree, waits=waits, persona=persona)
    if IMPLICIT_HANGUP not in g and any(v == IMPLICIT_HANGUP for _, v, _ in edges):
        g.add_node(
            IMPLICIT_HANGUP,
            type="hangup",
            prompt=None,
            duration_s=0.0,
            line=None,
            handles=(),
            collects=None,
            asks=(),
            implicit=True,
        )
    g.add_edges_from(edges)  # `key` is data here, not add_edge's parameter
    return g


def flow_edges(
    tree: PhoneTree, *, waits: bool = True, persona: Persona | None = None
) -> list[tuple[str, str, dict[str, Any]]]:
    """The edges of :func:`to_networkx` as ``(source, target, attributes)``, node by node.

    For code that needs only how callers move (the engines' compiler): no graph is built.
    Targets the tree leaves empty are :data:`IMPLICIT_HANGUP`; ``persona`` is the default
    caller whose timings fill ``input_s`` (the tree's, as in :func:`to_networkx`).

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("acme_redesign"))
    >>> edges = flow_edges(tree, waits=False)
    >>> len(edges) == tree.to_networkx().number_of_edges()
    True
    >>> [(v, d["event"], d["key"]) for u, v, d in edges if u == "main_menu"][:2]
    [('faults_account', 'option', '1'), ('account_menu', 'option', '2')]
    """
    if persona is None:
        persona = tree.personas[0] if len(tree.personas) == 1 else _typical(tree)
    return [
        (nid, IMPLICIT_HANGUP if target is None else target, attrs)
        for nid, node in tree.nodes.items()
        for target, attrs in _edges(nid, node, tree, persona, waits)
    ]


class Flow:
    """How callers move through a tree, as plain adjacency: the nodes and edges of
    :func:`to_networkx` without building a networkx graph.

    Attributes
    ----------
    entry : str
        The entry node.
    types : dict of str to str
        Each node's type, in the graph's node order: the tree's nodes in file order, then
        :data:`IMPLICIT_HANGUP` (type ``hangup``) when an edge reaches it.
    handles : dict of str to tuple of str
        The tasks each node handles.
    out : dict of str to list of (str, dict)
        Per node, its edges as ``(target, attributes)`` in the order networkx lists a
        :class:`~networkx.MultiDiGraph`'s out-edges (grouped by target, targets in the order
        first reached).

    Examples
    --------
    >>> import ivrscore as ivr
    >>> f = flow(ivr.load(ivr.examples.path("acme_redesign")))
    >>> f.types["main_menu"], [(v, d["key"]) for v, d in f.out["main_menu"]][:2]
    ('menu', [('faults_account', '1'), ('account_menu', '2')])
    """

    __slots__ = ("entry", "handles", "out", "types")

    def __init__(
        self,
        entry: str,
        types: dict[str, str],
        handles: dict[str, tuple[str, ...]],
        edges: Iterable[tuple[str, str, dict[str, Any]]],
    ) -> None:
        raw: dict[str, list[tuple[str, dict[str, Any]]]] = {n: [] for n in types}
        for u, v, d in edges:
            if u not in raw:
                types[u] = "hangup" if u == IMPLICIT_HANGUP else ""
                raw[u] = []
            if v not in raw:
                types[v] = "hangup" if v == IMPLICIT_HANGUP else ""
                raw[v] = []
            raw[u].append((v, d))
        for u, lst in raw.items():
            if len(lst) > 1 and len({v for v, _ in lst}) < len(lst):
                by: dict[str, list[tuple[str, dict[str, Any]]]] = {}
                for v, d in lst:
                    by.setdefault(v, []).append((v, d))
                raw[u] = [e for group in by.values() for e in group]
        self.entry = entry
        self.types = types
        self.handles = handles
        self.out = raw

    @classmethod
    def from_networkx(cls, g: nx.MultiDiGraph[str]) -> Flow:
        """The flow of a graph made by :func:`to_networkx` (or edited since)."""
        return cls(
            g.graph["entry"],
            {n: d.get("type", "") for n, d in g.nodes(data=True)},
            {n: tuple(d.get("handles", ())) for n, d in g.nodes(data=True)},
            g.edges(data=True),
        )

    def edges(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every edge as ``(source, target, attributes)``, in networkx's order."""
        for u, lst in self.out.items():
            for v, d in lst:
                yield u, v, d

    def successors(self) -> dict[str, list[str]]:
        """Per node, the targets of its edges (once each, in order)."""
        return {u: list(dict.fromkeys(v for v, _ in lst)) for u, lst in self.out.items()}


def flow(tree: PhoneTree, *, waits: bool = True) -> Flow:
    """How callers move through a tree (:class:`Flow`): :func:`to_networkx`'s nodes and edges
    as plain dicts, for code that walks them (the linter, the routes, ``validate``).

    Parameters
    ----------
    tree : PhoneTree
    waits : bool, default True
        As in :func:`to_networkx`.
    """
    types: dict[str, str] = {}
    handles: dict[str, tuple[str, ...]] = {}
    out: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    persona = tree.personas[0] if len(tree.personas) == 1 else _typical(tree)
    extra: dict[str, None] = {}  # targets that are not nodes (the implicit hang-up), in order
    nodes = tree.nodes
    for nid, node in nodes.items():
        types[nid] = node.type
        handles[nid] = node.handles if isinstance(node, Agent | SelfService) else ()
        lst = [
            (IMPLICIT_HANGUP if v is None else v, d)
            for v, d in _edges(nid, node, tree, persona, waits)
        ]
        for v, _ in lst:
            if v not in nodes:
                extra[v] = None
        if len(lst) > 1 and len({v for v, _ in lst}) < len(lst):
            by: dict[str, list[tuple[str, dict[str, Any]]]] = {}
            for e in lst:
                by.setdefault(e[0], []).append(e)
            lst = [e for group in by.values() for e in group]
        out[nid] = lst
    for v in extra:
        types[v] = "hangup" if v == IMPLICIT_HANGUP else ""
        out[v] = []
    f = Flow.__new__(Flow)  # the edges are grouped as Flow() groups them, node by node
    f.entry, f.types, f.handles, f.out = tree.entry, types, handles, out
    return f


_EDGE_DEFAULTS: dict[str, Any] = {
    "key": None,
    "label": None,
    "listen_s": 0.0,
    "input_s": 0.0,
    "wait_s": 0.0,
    "guard": (),
}
"""The edge attributes every edge has, with their value where a kind of edge has none: each
edge's dict lists the attributes its kind sets first, then these in this order (``_edges``
writes them out whole, rather than filling in the defaults edge by edge)."""


def edge_allowed(guard: tuple[tuple[str, bool], ...], pattern: dict[str, bool]) -> bool:
    """Whether an edge's ``guard`` holds when the schedules are open as in ``pattern``.

    Examples
    --------
    >>> edge_allowed((("office", True),), {"office": False})
    False
    >>> edge_allowed((), {})
    True
    """
    return all(pattern.get(s, True) == want for s, want in guard)


def leads_to_human(tree: PhoneTree, node_id: str) -> bool:
    """Whether a node is a human, a queue for one, or a callback, directly or after messages.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("acme_redesign"))
    >>> leads_to_human(tree, "general_queue"), leads_to_human(tree, "billing_menu")
    (True, False)
    """
    seen: set[str] = set()
    nid: str | None = node_id
    while nid is not None and nid not in seen:
        seen.add(nid)
        node = tree.nodes[nid]
        if node.type in ("agent", "queue", "callback"):
            return True
        nid = node.next if isinstance(node, Message) else None
    return False


def _typical(tree: PhoneTree) -> Persona:
    """A persona with the share-weighted mean response and digit times."""
    ps = tree.personas
    total = sum(p.share for p in ps) or 1.0
    return Persona(
        response_s=sum(p.share * p.response_s for p in ps) / total,
        digit_s=sum(p.share * p.digit_s for p in ps) / total,
    )


def _edges(
    nid: str, node: Node, tree: PhoneTree, persona: Persona, waits: bool
) -> list[tuple[str | None, dict[str, Any]]]:
    out: list[tuple[str | None, dict[str, Any]]] = []
    response = persona.response_s
    # each dict has every key of _EDGE_DEFAULTS: its own first, then the others in that order
    if isinstance(node, Menu):
        total, ends = menu_timeline(node, tree)  # (its total is node_duration_s of a menu)
        for (key, opt), end in zip(node.options.items(), ends, strict=True):
            heard = end if node.barge_in else total
            to_human = key == "0" and leads_to_human(tree, opt.next)
            out.append(
                (
                    opt.next,
                    {
                        "event": "zero_out" if to_human else "option",
                        "key": key,
                        "label": opt.say,
                        "listen_s": heard,
                        "input_s": response,
                        "wait_s": 0.0,
                        "guard": (),
                    },
                )
            )
        out.extend(_retry_edges(nid, node, total + node.timeout_s))
        return out
    full = node_duration_s(node, tree)
    if isinstance(node, Input):
        typing = _input_s(node.digits, persona)
        if node.next:
            out.append(
                (
                    node.next,
                    {
                        "event": "next",
                        "listen_s": full,
                        "input_s": typing,
                        "key": None,
                        "label": None,
                        "wait_s": 0.0,
                        "guard": (),
                    },
                )
            )
        if node.zero_out:
            out.append(
                (
                    node.zero_out,
                    {
                        "event": "zero_out",
                        "key": "0",
                        "listen_s": full,
                        "input_s": response,
                        "label": None,
                        "wait_s": 0.0,
                        "guard": (),
                    },
                )
            )
        out.extend(_retry_edges(nid, node, full + node.timeout_s))
    elif isinstance(node, Branch):
        all_open = all(c.open is not None for c in node.when)
        earlier: list[tuple[str, bool]] = []  # schedule tests that must have failed to get here
        for c in node.when:
            event = "closed" if c.closed is not None else "next"
            own = [(c.open, True)] if c.open else [(c.closed, False)] if c.closed else []
            out.append(
                (
                    c.next,
                    {
                        "event": event,
                        "label": c.describe(),
                        "listen_s": full,
                        "guard": (*earlier, *own),
                        "key": None,
                        "input_s": 0.0,
                        "wait_s": 0.0,
                    },
                )
            )
            earlier.extend((sched, not is_open) for sched, is_open in own)
        out.append(
            (
                node.otherwise,
                {
                    "event": "closed" if all_open else "next",
                    "label": "otherwise",
                    "listen_s": full,
                    "guard": tuple(earlier),
                    "key": None,
                    "input_s": 0.0,
                    "wait_s": 0.0,
                },
            )
        )
    elif isinstance(node, Queue):
        wait = expected_wait_s(node, tree) if waits else math.nan
        open_guard = ((node.open, True),) if node.open else ()
        if node.next:
            out.append(
                (
                    node.next,
                    {
                        "event": "next",
                        "listen_s": full,
                        "wait_s": wait,
                        "guard": open_guard,
                        "key": None,
                        "label": None,
                        "input_s": 0.0,
                    },
                )
            )
        if node.on_closed and node.open:
            out.append(
                (
                    node.on_closed,
                    {
                        "event": "closed",
                        "label": "closed",
                        "listen_s": full,
                        "guard": ((node.open, False),),
                        "key": None,
                        "input_s": 0.0,
                        "wait_s": 0.0,
                    },
                )
            )
        if node.callback:
            out.append(
                (
                    node.callback,
                    {
                        "event": "callback",
                        "label": "callback offer",
                        "listen_s": full,
                        "key": None,
                        "input_s": 0.0,
                        "wait_s": 0.0,
                        "guard": (),
                    },
                )
            )
    elif isinstance(node, Agent) and node.transfer_to:
        out.append(
            (
                node.transfer_to,
                {
                    "event": "transfer",
                    "label": "transfer",
                    "key": None,
                    "listen_s": 0.0,
                    "input_s": 0.0,
                    "wait_s": 0.0,
                    "guard": (),
                },
            )
        )
    elif isinstance(node, Message | SelfService) and node.next:
        out.append(
            (
                node.next,
                {
                    "event": "next",
                    "listen_s": full,
                    "key": None,
                    "label": None,
                    "input_s": 0.0,
                    "wait_s": 0.0,
                    "guard": (),
                },
            )
        )
    return out


def _retry_edges(
    nid: str, node: Menu | Input, attempt_s: float
) -> list[tuple[str | None, dict[str, Any]]]:
    out: list[tuple[str | None, dict[str, Any]]] = []
    if node.retries > 0:
        label = f"up to {node.retries} re-prompt{'s' * (node.retries > 1)}"
        for event in ("no_input", "invalid"):
            out.append(
                (
                    nid,
                    {
                        "event": event,
                        "label": label,
                        "listen_s": attempt_s,
                        "key": None,
                        "input_s": 0.0,
                        "wait_s": 0.0,
                        "guard": (),
                    },
                )
            )
    out.append(
        (
            node.on_failure,
            {
                "event": "failure",
                "label": "retries exhausted" if node.on_failure else "retries exhausted: hang up",
                "listen_s": attempt_s,
                "key": None,
                "input_s": 0.0,
                "wait_s": 0.0,
                "guard": (),
            },
        )
    )
    return out


# -- static facts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """The fastest way through the tree to a goal, for a caller who makes no mistakes.

    Attributes
    ----------
    nodes : tuple of str
        Node ids from the entry to the goal.
    keys : tuple of str or None
        Key pressed at each step (``None`` where no key is pressed), one per edge.
    events : tuple of str
        Event of each edge.
    listen_s, input_s, wait_s : float
        Seconds of audio heard, of keying, and of expected queueing on the way.
    menus : int
        Menus passed through.
    """

    nodes: tuple[str, ...]
    keys: tuple[str | None, ...] = ()
    events: tuple[str, ...] = ()
    listen_s: float = 0.0
    input_s: float = 0.0
    wait_s: float = 0.0
    menus: int = 0
    node_types: tuple[str, ...] = field(default=(), repr=False)

    @property
    def seconds(self) -> float:
        """Total seconds: listening, keying and waiting."""
        return self.listen_s + self.input_s + self.wait_s

    @property
    def goal(self) -> str:
        """The node the route ends at."""
        return self.nodes[-1]

    def describe(self) -> str:
        """The route in words: ``welcome → main_menu [2] → faults_queue → faults_agent``."""
        parts = [self.nodes[0]]
        for key, node in zip(self.keys, self.nodes[1:], strict=True):
            parts.append(f"[{key}] → {node}" if key is not None else f"→ {node}")
        return " ".join(parts)

    @property
    def transfers(self) -> int:
        """Transfers between humans on the route."""
        return self.events.count("transfer")


TRANSFER_COST_S = 1e6
"""Route cost of one transfer between humans: routes avoid transfers before they save seconds."""

_TASK_EVENTS = frozenset({"option", "next", "transfer", "callback"})
_HUMAN_EVENTS = _TASK_EVENTS | {"zero_out"}


def _edge_cost(d: dict[str, Any], with_wait: bool) -> float:
    cost = float(d["listen_s"] + d["input_s"])
    if with_wait:
        cost += d["wait_s"]
    if d["event"] == "transfer":
        cost += TRANSFER_COST_S
    return cost


def _route(f: Flow, path: list[str], events: frozenset[str], with_wait: bool) -> Route:
    keys: list[str | None] = []
    used: list[str] = []
    listen = typing = wait = 0.0
    for u, v in pairwise(path):
        cands = [d for w, d in f.out[u] if w == v and d["event"] in events]
        d = min(cands, key=lambda e: _edge_cost(e, with_wait))
        keys.append(d["key"])
        used.append(d["event"])
        listen += d["listen_s"]
        typing += d["input_s"]
        wait += d["wait_s"]
    types = tuple(f.types[n] for n in path)
    return Route(
        nodes=tuple(path),
        keys=tuple(keys),
        events=tuple(used),
        listen_s=listen,
        input_s=typing,
        wait_s=wait,
        menus=sum(t == "menu" for t in types),
        node_types=types,
    )


_Adjacency = dict[str, dict[str, float]]
"""Per node, the cheapest cost to each node it leads to (insertion order: the graph's)."""


def _collapsed(f: Flow, events: frozenset[str], with_wait: bool) -> _Adjacency:
    """Per node pair, the cheapest edge among ``events``: ``{u: {v: cost}}``."""
    d: _Adjacency = {}
    for u, lst in f.out.items():
        out: dict[str, float] = {}
        for v, data in lst:
            event = data["event"]
            if event not in events:
                continue
            w = float(data["listen_s"] + data["input_s"])  # _edge_cost, inline (per edge)
            if with_wait:
                w += data["wait_s"]
            if event == "transfer":
                w += TRANSFER_COST_S
            if v not in out or w < out[v]:
                out[v] = w
        d[u] = out
    return d


class _Search:
    """Dijkstra from one node over an adjacency, without expanding ``blocked`` nodes.

    Iterative, with a parent per node rather than a path per node (so a chain of 100,000
    nodes costs linear time and memory); ties are broken as networkx's
    ``single_source_dijkstra`` breaks them (first pushed, first settled).
    """

    def __init__(self, d: _Adjacency, source: str, blocked: Collection[str] = ()) -> None:
        dist: dict[str, float] = {}
        seen = {source: 0.0}
        parent: dict[str, str | None] = {source: None}
        hops = {source: 1}
        fringe: list[tuple[float, int, str]] = [(0.0, 0, source)]
        count = 1
        pop, push, out_of = heapq.heappop, heapq.heappush, d.get
        none: dict[str, float] = {}
        while fringe:
            du, _, u = pop(fringe)
            if u in dist:
                continue
            dist[u] = du
            if u in blocked:  # a caller whose goal is reached stops there
                continue
            hop = hops[u] + 1
            for v, w in out_of(u, none).items():
                dv = du + w
                if v not in dist and (v not in seen or dv < seen[v]):
                    seen[v] = dv
                    parent[v] = u
                    hops[v] = hop
                    push(fringe, (dv, count, v))
                    count += 1
        self.dist = dist
        self.parent = parent
        self.hops = hops

    def path(self, target: str) -> list[str]:
        out: list[str] = []
        cur: str | None = target
        while cur is not None:
            out.append(cur)
            cur = self.parent[cur]
        return out[::-1]


def _shortest(
    f: Flow,
    source: str,
    targets: set[str],
    *,
    events: frozenset[str],
    with_wait: bool,
    prefer_specialist: bool = False,
    collapsed: _Adjacency | None = None,
    unblocked: _Search | None = None,
    order: dict[str, int] | None = None,
) -> Route | None:
    """Best route to one of ``targets``, never passing *through* a target (a caller whose goal
    is reached stops there). ``unblocked``: a plain search from ``source`` to reuse when its
    best path passes no other target (the common case, so most calls cost nothing)."""
    if not targets:
        return None
    d = collapsed if collapsed is not None else _collapsed(f, events, with_wait)
    rank_of = order if order is not None else {n: i for i, n in enumerate(f.types)}

    def pick(search: _Search) -> str | None:
        dist = search.dist
        reached = [t for t in targets if t in dist]
        if not reached:
            return None

        def rank(t: str) -> tuple[float, ...]:
            transfers = dist[t] // TRANSFER_COST_S
            # fewest transfers; then, for task routes, the most specific resolver (the option
            # made for the task, not a generalist reachable sooner); then cost, length, order
            specific = len(f.handles.get(t, ())) if prefer_specialist else 0
            return (transfers, specific, dist[t], search.hops[t], rank_of[t])

        return min(reached, key=rank)

    if unblocked is not None:
        best = pick(unblocked)
        if best is not None:
            path = unblocked.path(best)
            if not any(n in targets for n in path[:-1]):
                return _route(f, path, events, with_wait)
    search = _Search(d, source, targets)
    best = pick(search)
    return None if best is None else _route(f, search.path(best), events, with_wait)


def _flow_of(tree: PhoneTree, graph: Flow | nx.MultiDiGraph[str] | None) -> Flow:
    if graph is None:
        return flow(tree)
    if isinstance(graph, Flow):
        return graph
    return Flow.from_networkx(graph)


def best_routes(
    tree: PhoneTree, graph: Flow | nx.MultiDiGraph[str] | None = None
) -> dict[str, Route | None]:
    """The intended route from the entry to a node that resolves each task.

    A caller who makes no mistake and finds every schedule open goes to a node that handles
    their task by the route with the fewest transfers between humans; among those, to the most
    specific such node (the one handling fewest tasks: the option meant for the task rather
    than a generalist who also could help); then by the least listening and keying (pressing
    as soon as the option is heard, where barge-in is allowed). Callers cannot see queue waits, so waits do not steer the choice; they are
    reported in ``Route.wait_s``. Only edges a caller takes on purpose are used (options,
    next, transfers, callback offers); zero-outs to a human are left out, so the route is the
    one the menus offer for the task.

    Parameters
    ----------
    tree : PhoneTree
    graph : Flow or networkx.MultiDiGraph, optional
        ``flow(tree)`` or ``tree.to_networkx()``, when the caller already has it.

    Returns
    -------
    dict
        ``{task: Route}``, or ``{task: None}`` when no node resolving the task can be reached.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> routes = best_routes(ivr.load(ivr.examples.path("acme_redesign")))
    >>> r = routes["pay_bill"]
    >>> r.menus, r.goal
    (2, 'pay_by_phone')
    >>> r.describe()
    'welcome → main_menu [3] → billing_account → billing_menu [1] → pay_by_phone'
    """
    f = _flow_of(tree, graph)
    d = _collapsed(f, _TASK_EVENTS, False)
    unblocked = _Search(d, tree.entry)
    order = {n: i for i, n in enumerate(f.types)}
    return {
        task: _shortest(
            f,
            tree.entry,
            set(nodes),
            events=_TASK_EVENTS,
            with_wait=False,
            prefer_specialist=True,
            collapsed=d,
            unblocked=unblocked,
            order=order,
        )
        for task, nodes in tree.handlers().items()
    }


def humans(tree: PhoneTree) -> tuple[str, ...]:
    """Ids of the nodes that are a human (agents), in file order."""
    return tuple(nid for nid, _ in tree.iter_nodes("agent"))


def route_to_human(
    tree: PhoneTree,
    graph: Flow | nx.MultiDiGraph[str] | None = None,
    *,
    include_wait: bool = True,
) -> Route | None:
    """The fastest route from the entry to any human, or ``None`` when no human is reachable.

    Fastest counts listening, keying and (unless ``include_wait=False``) the expected queue
    waits, and may use zero-outs.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> r = route_to_human(ivr.load(ivr.examples.path("acme_telecom")))
    >>> r.goal, r.menus, round(r.wait_s)
    ('general_agent', 2, 38)
    """
    return _shortest(
        _flow_of(tree, graph),
        tree.entry,
        set(humans(tree)),
        events=_HUMAN_EVENTS,
        with_wait=include_wait,
    )
