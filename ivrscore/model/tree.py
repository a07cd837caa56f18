"""The phone tree: the whole document, validated, with cross-references checked."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, PrivateAttr, field_validator, model_validator

from .._text import did_you_mean
from ..exceptions import Problem, TreeFileError
from .base import Meta, Model, meta_field
from .callers import AnsweredWait, Arrivals, Persona, Task, arrival_weights, check_arrival_table
from .nodes import Agent, Branch, Menu, Node, Queue, SelfService
from .schedule import Schedule
from .staffing import OTHERWISE, Pool, Volume, asa_to_mean_wait

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np
    from numpy.typing import NDArray

    from ..graph import Route

__all__ = ["PhoneTree", "Source"]

SHARE_TOLERANCE = 1e-6
"""How far task or persona shares may be from summing to 1 (rounding in spreadsheets)."""


@dataclass(frozen=True)
class Source:
    """Where a tree was loaded from: the file and the ``(line, column)`` of each document path."""

    file: str | None = None
    positions: dict[tuple[str | int, ...], tuple[int, int]] = field(default_factory=dict)

    def line_of(self, *path: str | int) -> int | None:
        """Line of the deepest known prefix of ``path`` (1-based), or ``None``."""
        for cut in range(len(path), -1, -1):
            pos = self.positions.get(tuple(path[:cut]))
            if pos is not None:
                return pos[0]
        return None


class PhoneTree(Model):
    """A telephone menu (IVR, phone tree) as a validated document.

    Build one with :func:`ivrscore.load` or :func:`ivrscore.loads`; build it from Python with
    ``PhoneTree.model_validate(dict)``. The model is frozen; every reference between nodes,
    tasks and schedules is checked when it is built, and a problem raises
    :class:`~ivrscore.TreeFileError` naming the node, with a hint.

    Examples
    --------
    >>> tree = PhoneTree.model_validate({
    ...     "name": "Tiny", "entry": "menu",
    ...     "tasks": [{"name": "pay", "share": 0.6}, {"name": "help", "share": 0.4}],
    ...     "nodes": {
    ...         "menu": {"type": "menu", "options": {
    ...             "1": {"say": "To pay a bill, press 1.", "next": "pay"},
    ...             "0": {"say": "To speak to someone, press 0.", "next": "desk"}},
    ...             "on_failure": "desk"},
    ...         "pay": {"type": "self_service", "handles": ["pay"]},
    ...         "desk": {"type": "agent", "handles": ["pay", "help"]}}})
    >>> tree.node("menu").type, len(tree.nodes), [t.name for t in tree.tasks]
    ('menu', 3, ['pay', 'help'])
    >>> tree.handlers()
    {'pay': ('pay', 'desk'), 'help': ('desk',)}
    """

    name: str = Field(min_length=1)
    """Name of the phone line, for reports."""
    entry: str
    """Id of the first node a caller meets."""
    description: str | None = None
    """Free text for reports."""
    words_per_minute: Annotated[float, Field(gt=30.0, le=400.0)] = 150.0
    """Speaking rate used to estimate prompt durations from their words.

    Default 150 wpm: the average US English rate (National Center for Voice and Speech, quoted
    by Marshall 2014); 150-200 wpm is the most comfortable synthetic-speech rate for younger
    and older adults (Sutton et al. 1995).
    """
    option_pause_s: Annotated[float, Field(ge=0.0, le=5.0)] = 0.5
    """Silence between spoken menu options, seconds (acixd: 500-750 ms between options)."""
    schedules: dict[str, Schedule] = Field(default_factory=dict)
    """Named opening hours, local time of the call."""
    tasks: list[Task] = Field(min_length=1)
    """Why people call; shares sum to 1."""
    callers: list[Persona] | Persona | None = None
    """The caller population: a list of personas with shares, or one persona (default: one
    persona with every default)."""
    arrivals: Arrivals = "office_hours"
    """When calls arrive across the week: ``office_hours`` (default), ``uniform`` or a 7x24 table."""
    volume: Volume | None = None
    """How many calls the line gets (``{calls_per_week: N}`` or ``{peak_calls_per_hour: N}``).
    With it, the calls reaching each staffed queue that gives no ``calls_per_hour`` follow
    from the menu, hour by hour of the week (see :mod:`ivrscore.engine.dynamics`)."""
    pools: dict[str, Pool] = Field(default_factory=dict)
    """Agents shared by several queues (``staffing: {pool: NAME}``), by name."""
    nodes: dict[str, Node] = Field(min_length=1)
    """The nodes by id, in file order."""
    meta: Meta = meta_field()

    _source: Source = PrivateAttr(default_factory=Source)

    _check_arrivals = field_validator("arrivals", mode="before")(check_arrival_table)

    # -- validation of cross-references -------------------------------------------------------

    @model_validator(mode="after")
    def _check_references(self) -> PhoneTree:
        problems = list(_reference_problems(self))
        if problems:
            raise TreeFileError(problems)
        return self

    # -- access ---------------------------------------------------------------------------------

    @property
    def personas(self) -> tuple[Persona, ...]:
        """The caller personas, always as a tuple (one default persona when none is given)."""
        if self.callers is None:
            return (Persona(),)
        if isinstance(self.callers, Persona):
            return (self.callers,)
        return tuple(self.callers)

    @property
    def task_names(self) -> tuple[str, ...]:
        """Task names in file order."""
        return tuple(t.name for t in self.tasks)

    @property
    def source(self) -> Source:
        """Where the tree came from (file and line positions); empty for trees built in Python."""
        return self._source

    @property
    def file(self) -> str | None:
        """The file the tree was loaded from, if any."""
        return self._source.file

    def node(self, node_id: str) -> Node:
        """The node with id ``node_id``; ``KeyError`` with a suggestion when there is none."""
        try:
            return self.nodes[node_id]
        except KeyError:
            hint = did_you_mean(node_id, self.nodes)
            raise KeyError(f"no node {node_id!r}" + (f"; {hint}" if hint else "")) from None

    def iter_nodes(self, *types: str) -> Iterator[tuple[str, Node]]:
        """Iterate ``(id, node)`` in file order, optionally only nodes of the given types."""
        for nid, node in self.nodes.items():
            if not types or node.type in types:
                yield nid, node

    def line_of(self, node_id: str, *path: str | int) -> int | None:
        """Line of a node (or of a path inside it) in the file it was loaded from."""
        return self._source.line_of("nodes", node_id, *path)

    def handlers(self) -> dict[str, tuple[str, ...]]:
        """Which nodes resolve which task: ``{task: (node ids in file order)}``.

        A task no node handles maps to an empty tuple (rule IVR104 reports it).
        """
        out: dict[str, list[str]] = {t: [] for t in self.task_names}
        for nid, node in self.nodes.items():
            if isinstance(node, Agent | SelfService):
                for task in node.handles:
                    out[task].append(nid)
        return {t: tuple(v) for t, v in out.items()}

    def task_shares(self) -> NDArray[np.float64]:
        """Task shares in file order, normalised to sum to exactly 1."""
        import numpy as np  # numpy loads when a table is made, not with the model

        s = np.array([t.share for t in self.tasks], dtype=float)
        out: NDArray[np.float64] = s / s.sum()
        return out

    def arrival_weights(self) -> NDArray[np.float64]:
        """Probability of arriving in each hour of the week, ``(7, 24)``, Monday first."""
        return arrival_weights(self.arrivals)

    # -- conversions ----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The document as plain data, as written: only the keys the source gave, in its order.

        Examples
        --------
        >>> t = PhoneTree.model_validate({"name": "T", "entry": "a",
        ...     "tasks": [{"name": "x", "share": 1}],
        ...     "nodes": {"a": {"type": "self_service", "handles": ["x"], "meta": {"z": 1, "b": 2}}}})
        >>> t.to_dict()
        {'name': 'T', 'entry': 'a', 'tasks': [{'name': 'x', 'share': 1.0}], 'nodes': {'a': {'type': 'self_service', 'handles': ['x'], 'meta': {'z': 1, 'b': 2}}}}
        """
        data: dict[str, Any] = self.model_dump(mode="json", exclude_unset=True, by_alias=True)
        # `type` is the discriminator: always write it, first, even when a node was built in Python.
        for nid, node in self.nodes.items():
            entry = data["nodes"][nid]
            if "type" not in entry:
                data["nodes"][nid] = {"type": node.type, **entry}
        return data

    def dumps(self, format: str = "yaml") -> str:
        """Serialise to YAML (default) or JSON text. See :meth:`dump`."""
        from ..io import dumps

        return dumps(self, format=format)

    def dump(self, path: str | Path, *, format: str | None = None) -> None:
        """Write the tree to ``path`` as YAML or JSON (chosen by suffix unless ``format`` is given).

        Only keys present in the source are written, in their original order, ``meta`` included;
        loading the result gives an equal tree. Comments in a YAML source are not kept.
        """
        from ..io import dump

        dump(self, path, format=format)

    def _repr_html_(self) -> str:
        from ..report import tree_html  # a small menu map and the summary, for Jupyter

        return tree_html(self)

    def to_networkx(self) -> nx.MultiDiGraph[str]:
        """The tree as a :class:`networkx.MultiDiGraph` of how callers move.

        See :func:`ivrscore.graph.to_networkx` for the node and edge attributes.
        """
        from ..graph import to_networkx

        return to_networkx(self)

    def best_routes(self) -> dict[str, Route | None]:
        """Fastest route from the entry to a node resolving each task (see :func:`ivrscore.graph.best_routes`)."""
        from ..graph import best_routes

        return best_routes(self)


def _problem(node: str, path: tuple[str | int, ...], message: str, hint: str | None) -> Problem:
    return Problem(message, ("nodes", node, *path), node=node, hint=hint)


_HINTS = 20
"""Most missing targets given a "did you mean" (each compares with every node id, so a file
with 20,000 missing targets would take minutes; the first ones show the pattern)."""


def _reference_problems(tree: PhoneTree) -> Iterator[Problem]:
    ids = tree.nodes.keys()
    tasks = tree.task_names
    if tree.entry not in tree.nodes:
        yield Problem(
            f"entry '{tree.entry}' is not a node",
            ("entry",),
            hint=did_you_mean(tree.entry, ids),
        )
    seen: set[str] = set()
    for i, t in enumerate(tree.tasks):
        if t.name in seen:
            yield Problem(f"task '{t.name}' is listed twice", ("tasks", i, "name"))
        seen.add(t.name)
    total = sum(t.share for t in tree.tasks)
    if not math.isclose(total, 1.0, abs_tol=SHARE_TOLERANCE):
        yield Problem(
            f"task shares sum to {total:.6g}, not 1",
            ("tasks",),
            hint=_share_hint(total),
        )
    if isinstance(tree.callers, list):
        total = sum(p.share for p in tree.callers)
        if not math.isclose(total, 1.0, abs_tol=SHARE_TOLERANCE):
            yield Problem(
                f"caller persona shares sum to {total:.6g}, not 1",
                ("callers",),
                hint=_share_hint(total),
            )
        names = [p.name for p in tree.callers]
        for i, name in enumerate(names):
            if name in names[:i]:
                yield Problem(f"caller persona '{name}' is listed twice", ("callers", i, "name"))
    hints = _HINTS  # "did you mean" compares with every id: for the first few only
    for nid, node in tree.nodes.items():
        for target, path in node.targets():
            if target not in tree.nodes:
                where = ".".join(str(p) for p in path)
                hints -= 1
                yield _problem(
                    nid,
                    path,
                    f"{where} goes to '{target}', which is not a node",
                    did_you_mean(target, ids) if hints >= 0 else None,
                )
        if isinstance(node, Agent | SelfService):
            for i, task in enumerate(node.handles):
                if task not in tasks:
                    yield _problem(
                        nid,
                        ("handles", i),
                        f"handles '{task}', which is not a task",
                        did_you_mean(task, tasks) or f"tasks are: {', '.join(tasks)}",
                    )
        if isinstance(node, Menu):
            for key, opt in node.options.items():
                for i, task in enumerate(opt.for_ or ()):
                    if task not in tasks:
                        yield _problem(
                            nid,
                            ("options", key, "for", i),
                            f"option {key} is for '{task}', which is not a task",
                            did_you_mean(task, tasks) or f"tasks are: {', '.join(tasks)}",
                        )
        if isinstance(node, Queue) and node.staffing is not None:
            yield from _staffing_problems(tree, nid, node)
        if isinstance(node, Queue) and isinstance(node.wait, AnsweredWait):
            from ..graph import mean_patience_s

            try:
                asa_to_mean_wait(node.wait.asa_s, mean_patience_s(tree.personas))
            except ValueError as exc:
                yield _problem(nid, ("wait", "asa_s"), str(exc), "check the callers' patience")
        for path, name in _schedule_refs(node):
            if name not in tree.schedules:
                hint = did_you_mean(name, tree.schedules) or (
                    f"schedules are: {', '.join(tree.schedules)}"
                    if tree.schedules
                    else "define it under 'schedules:'"
                )
                yield _problem(nid, path, f"uses schedule '{name}', which is not defined", hint)
        if isinstance(node, Branch):
            shares = sum(c.share for c in node.when if c.share is not None)
            if shares > 1.0 + SHARE_TOLERANCE:
                yield _problem(
                    nid, ("when",), f"condition shares add up to {shares:.6g}, more than 1", None
                )
    yield from _pool_problems(tree)
    yield from _silent_cycles(tree)


def _staffing_problems(tree: PhoneTree, nid: str, node: Queue) -> Iterator[Problem]:
    s = node.staffing
    assert s is not None
    if s.pool is not None and s.pool not in tree.pools:
        yield _problem(
            nid,
            ("staffing", "pool"),
            f"is answered by pool '{s.pool}', which is not defined",
            did_you_mean(s.pool, tree.pools) or "define it under 'pools:'",
        )
    if s.calls_per_hour is None and s.pool is None and tree.volume is None:
        yield _problem(
            nid,
            ("staffing",),
            "staffing without calls_per_hour needs the tree's volume: (calls per week or at the "
            "peak hour), so the calls reaching the queue can follow from the menu",
            "add 'volume: {calls_per_week: N}' at the top, or give calls_per_hour",
        )
    if isinstance(s.agents, dict):
        yield from _roster_keys(tree, ("nodes", nid, "staffing", "agents"), s.agents, nid)


def _roster_keys(
    tree: PhoneTree, path: tuple[str | int, ...], roster: dict[str, int], node: str | None
) -> Iterator[Problem]:
    for key in roster:
        if key != OTHERWISE and key not in tree.schedules:
            yield Problem(
                f"a roster gives agents for schedule '{key}', which is not defined",
                (*path, key),
                node=node,
                hint=did_you_mean(key, [*tree.schedules, OTHERWISE])
                or "define it under 'schedules:'",
            )


def _pool_problems(tree: PhoneTree) -> Iterator[Problem]:
    for name, pool in tree.pools.items():
        if isinstance(pool.agents, dict):
            yield from _roster_keys(tree, ("pools", name, "agents"), pool.agents, None)
    if tree.pools and tree.volume is None:
        yield Problem(
            "pools share agents between queues whose calls follow from the menu: they need the "
            "tree's volume: (calls per week or at the peak hour)",
            ("pools",),
            hint="add 'volume: {calls_per_week: N}' at the top",
        )


def _share_hint(total: float) -> str:
    return "shares are fractions of all callers, e.g. 0.35 for 35%" + (
        "; they look like percentages" if math.isclose(total, 100.0, abs_tol=1e-3) else ""
    )


def _schedule_refs(node: Node) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(node, Queue) and node.open is not None:
        yield ("open",), node.open
    if isinstance(node, Branch):
        for i, c in enumerate(node.when):
            if c.open is not None:
                yield ("when", i, "open"), c.open
            if c.closed is not None:
                yield ("when", i, "closed"), c.closed


def _silent_cycles(tree: PhoneTree) -> Iterator[Problem]:
    """Cycles among messages and branches: the caller is never asked anything and loops forever."""
    from .._digraph import strongly_connected_components  # plain dicts: no networkx to import

    succ: dict[str, dict[str, None]] = {
        nid: {} for nid, node in tree.nodes.items() if node.type in ("message", "branch")
    }
    for nid, out in succ.items():
        for target, _ in tree.nodes[nid].targets():
            if target in succ:
                out[target] = None
    order = {nid: i for i, nid in enumerate(tree.nodes)}  # once: not a list search per cycle
    for comp in strongly_connected_components(succ):
        members = sorted(comp, key=order.__getitem__)
        if len(members) > 1 or members[0] in succ[members[0]]:
            first = members[0]
            loop = " -> ".join([*members, first])
            yield _problem(
                first,
                (),
                f"cycle that never yields: {loop} plays messages forever without asking the caller "
                "anything",
                "send one of them to a menu, a queue or an ending",
            )
