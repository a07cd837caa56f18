"""Staffing: the fewest agents per queue (or pool) and hour that meet a service target.

:func:`staff` takes a tree with a ``volume:`` and, for every staffed queue whose calls follow
from the menu, finds in each hour of the week the fewest agents for which Erlang A answers at
least ``service_level[0]`` of the offered calls within ``service_level[1]`` seconds and no more
than ``max_abandon`` of them give up. Staffing changes waits, waits change abandonment and so
the calls that reach later queues: the rosters and the hourly loads are iterated together until
no roster changes. The result is a roster table per queue or pool that the file can take back
(:meth:`StaffPlan.apply`).

Examples
--------
>>> import ivrscore as ivr
>>> tree = ivr.loads('''
... name: one queue
... entry: q
... volume: {calls_per_week: 16800}
... arrivals: uniform
... tasks: [{name: help, share: 1}]
... callers: {patience: {mean_s: 120}, wants_human: 0}
... nodes:
...   q: {type: queue, staffing: {agents: 1, handle_time_s: 120}, next: desk}
...   desk: {type: agent, handles: [help]}
... ''')
>>> plan = ivr.staff(tree, service_level=(0.8, 20), max_abandon=0.05)
>>> int(plan.agents[0, 10])     # 100 calls an hour of 2 minutes: 3.3 Erlangs
6
>>> m = ivr.queueing.erlang_a(6, calls_per_hour=100, handle_time_s=120, patience_s=120)
>>> bool(m.service_level(20) >= 0.8 and m.p_abandon <= 0.05)
True
>>> m5 = ivr.queueing.erlang_a(5, calls_per_hour=100, handle_time_s=120, patience_s=120)
>>> bool(m5.service_level(20) >= 0.8 and m5.p_abandon <= 0.05)
False
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .exceptions import IvrscoreError
from .model.nodes import Queue
from .model.staffing import MAX_AGENTS
from .model.tree import PhoneTree
from .queueing import QueueMetrics, erlang_a

__all__ = ["StaffPlan", "agents_needed", "staff"]

MAX_ROUNDS = 20


def agents_needed(
    calls_per_hour: float,
    handle_time_s: float,
    patience_s: float,
    *,
    service_level: tuple[float, float] = (0.8, 20.0),
    max_abandon: float = 0.05,
    minimum: int = 0,
) -> tuple[int, QueueMetrics | None]:
    """The fewest agents meeting the targets for one hour, with their Erlang A model.

    Examples
    --------
    >>> n, m = agents_needed(2880, 60, 120)   # Mandelbaum & Zeltyn's example load
    >>> n, bool(m.service_level(20) >= 0.8 and m.p_abandon <= 0.05)
    (48, True)
    >>> fewer = erlang_a(47, calls_per_hour=2880, handle_time_s=60, patience_s=120)
    >>> bool(fewer.service_level(20) >= 0.8 and fewer.p_abandon <= 0.05)
    False
    >>> agents_needed(0, 60, 120)[0], agents_needed(0, 60, 120, minimum=1)[0]
    (0, 1)
    """
    target, within = service_level
    if calls_per_hour <= 1e-12:
        return minimum, None
    load = calls_per_hour * handle_time_s / 3600.0

    def model(n: int) -> QueueMetrics | None:
        if math.isinf(patience_s) and n <= load:
            return None  # unstable without abandonment
        return erlang_a(
            n, calls_per_hour=calls_per_hour, handle_time_s=handle_time_s, patience_s=patience_s
        )

    def meets(n: int) -> bool:
        m = model(n)
        return m is not None and m.service_level(within) >= target and m.p_abandon <= max_abandon

    # the service level rises and abandonment falls with every agent: find the first n that
    # meets both, by doubling then bisection
    lo, hi = max(1, minimum) - 1, max(1, minimum, math.ceil(load))
    while not meets(hi):
        lo, hi = hi, hi * 2
        if hi > MAX_AGENTS:
            raise IvrscoreError(
                f"more than {MAX_AGENTS:,} agents would be needed for {calls_per_hour:,.0f} calls "
                "an hour"
            )
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if meets(mid) else (mid, hi)
    return hi, model(hi)


@dataclass(frozen=True)
class StaffPlan:
    """Rosters that meet the targets, and the hourly figures with them.

    Attributes
    ----------
    tree : PhoneTree
        The tree the plan was made for.
    names, queues : tuple
        Each staffed queue or pool (``pool:NAME``) planned, and its queues.
    agents : array
        Agents per queue or pool and hour of the week, ``(queues, 168)``.
    hours : QueueHours
        The hourly figures with these rosters (from :func:`ivrscore.analyze`).
    service_level, max_abandon
        The targets.
    rounds : int
        Rounds of staffing and re-analysis until no roster changed.
    """

    tree: PhoneTree
    names: tuple[str, ...]
    queues: tuple[tuple[str, ...], ...]
    agents: NDArray[np.int64]
    hours: Any
    service_level: tuple[float, float]
    max_abandon: float
    rounds: int

    def roster(self, name: str) -> list[list[int]]:
        """The 7x24 roster (Monday first) of a queue or pool."""
        i = self._row(name)
        return [[int(x) for x in self.agents[i, d * 24 : (d + 1) * 24]] for d in range(7)]

    def _row(self, name: str) -> int:
        for i, (n, qs) in enumerate(zip(self.names, self.queues, strict=True)):
            if name in (n, n.removeprefix("pool:")) or name in qs:
                return i
        raise KeyError(f"no planned queue or pool {name!r}; planned are: {', '.join(self.names)}")

    def apply(self) -> PhoneTree:
        """The tree with these rosters in place (a pool's on the pool, else on the queue)."""
        data = self.tree.to_dict()
        for name in self.names:
            table = self.roster(name)
            if name.startswith("pool:"):
                data["pools"][name.removeprefix("pool:")]["agents"] = table
            else:
                data["nodes"][name]["staffing"]["agents"] = table
        return PhoneTree.model_validate(data)

    def check(self, *, weeks: int = 2, rng: int | None = 0) -> Any:
        """Run the rosters through the simulated centre (:func:`ivrscore.simulate_centre`):
        the hour-by-hour model the plan is built on is an approximation at peaks and shift
        changes, and this shows what the callers would meet.

        Returns
        -------
        Centre
            ``centre.figure(name, "service_level")`` and ``centre.figure(name, "p_abandon")``
            of each planned queue or pool, to hold against the targets.
        """
        from .engine.centre import simulate_centre

        return simulate_centre(self.apply(), weeks=weeks, rng=rng)

    def agent_hours(self) -> NDArray[np.int64]:
        """Agent-hours per week of each queue or pool."""
        out: NDArray[np.int64] = self.agents.sum(axis=1)
        return out

    def text(self, checked: Any = None) -> str:
        """The plan for a terminal; with ``checked`` (:meth:`check`), the simulated week's
        service level and abandonment beside the model's."""
        target, within = self.service_level
        import textwrap

        lines = [
            *textwrap.wrap(
                f"{self.tree.name}: fewest agents answering {target:.0%} within {within:g} s "
                f"with at most {self.max_abandon:.0%} giving up ({self.rounds} rounds)",
                80,
            ),
            "",
            f"{'queue or pool':<24} {'agent-hours':>11} {'peak':>5} {'SL':>7} {'abandon':>8}"
            + (f" {'simulated SL':>13} {'abandon':>8}" if checked is not None else ""),
        ]
        h = self.hours
        for i, name in enumerate(self.names):
            row = h.index(name)
            line = (
                f"{name[:24]:<24} {int(self.agent_hours()[i]):>11,} "
                f"{int(self.agents[i].max()):>5} "
                f"{h.weighted(h.service_level, row):>7.1%} {h.weighted(h.p_abandon, row):>8.1%}"
            )
            if checked is not None:
                line += (
                    f" {checked.figure(name, 'service_level'):>13.1%}"
                    f" {checked.figure(name, 'p_abandon'):>8.1%}"
                )
            lines.append(line)
        if checked is not None:
            lines += [
                "",
                f"simulated: {checked.weeks} weeks of the centre with these rosters "
                "(ivr.simulate_centre)",
            ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "name": self.tree.name,
            "service_level": {"share": self.service_level[0], "within_s": self.service_level[1]},
            "max_abandon": self.max_abandon,
            "rounds": self.rounds,
            "rosters": {name: self.roster(name) for name in self.names},
            "hours": self.hours.to_dict(),
        }


def staff(
    tree: PhoneTree,
    service_level: tuple[float, float] = (0.8, 20.0),
    max_abandon: float = 0.05,
) -> StaffPlan:
    """The fewest agents per queue or pool and hour that meet the targets.

    Parameters
    ----------
    tree : PhoneTree
        With a ``volume:`` and at least one staffed queue whose calls follow from the menu.
    service_level : (share, seconds), default (0.8, 20)
        Answer at least ``share`` of the offered calls within ``seconds`` (the industry's
        80/20).
    max_abandon : float, default 0.05
        Let at most this share of the offered calls give up waiting.

    Returns
    -------
    StaffPlan
    """
    from .engine import analyze
    from .graph import mean_patience_s

    share, within = service_level
    if not (0 < share <= 1 and within >= 0 and 0 <= max_abandon <= 1):
        raise IvrscoreError(
            "service_level is (share between 0 and 1, seconds >= 0) and max_abandon a share"
        )
    result = analyze(tree)
    hours = result.hourly
    if hours is None or all(hours.fixed):
        raise IvrscoreError(
            "nothing to staff: give the tree a volume: and a staffed queue without "
            "calls_per_hour (its calls then follow from the menu, hour by hour)"
        )
    patience = mean_patience_s(tree.personas)
    from .engine._compile import open_by_hour

    opened = open_by_hour(tree)
    plan_rows = [i for i, f in enumerate(hours.fixed) if not f]
    current = tree
    rounds = 0
    agents = hours.agents.copy()
    while True:
        rounds += 1
        new = agents.copy()
        for i in plan_rows:
            handle = _handle_time(current, hours.names[i], hours.queues[i])
            for h in range(168):
                minimum = (
                    1
                    if _any_open(current, hours.queues[i], opened, h) and hours.offered[i, h] > 0
                    else 0
                )
                new[i, h], _ = agents_needed(
                    float(hours.offered[i, h]),
                    handle,
                    patience,
                    service_level=(share, within),
                    max_abandon=max_abandon,
                    minimum=minimum,
                )
        plan = StaffPlan(
            tree,
            tuple(hours.names[i] for i in plan_rows),
            tuple(hours.queues[i] for i in plan_rows),
            new[plan_rows],
            hours,
            (share, within),
            max_abandon,
            rounds,
        )
        current = plan.apply()
        hours = analyze(current).hourly
        assert hours is not None
        if np.array_equal(new, agents) or rounds >= MAX_ROUNDS:
            break
        agents = new
    return StaffPlan(
        tree,
        plan.names,
        plan.queues,
        plan.agents,
        hours,
        (share, within),
        max_abandon,
        rounds,
    )


def _handle_time(tree: PhoneTree, name: str, queues: tuple[str, ...]) -> float:
    if name.startswith("pool:"):
        return tree.pools[name.removeprefix("pool:")].handle_time_s
    node = tree.nodes[queues[0]]
    assert isinstance(node, Queue) and node.staffing is not None
    assert node.staffing.handle_time_s is not None
    return node.staffing.handle_time_s


def _any_open(
    tree: PhoneTree, queues: tuple[str, ...], opened: dict[str, NDArray[np.bool_]], h: int
) -> bool:
    for q in queues:
        node = tree.nodes[q]
        assert isinstance(node, Queue)
        if node.open is None or opened[node.open][h]:
            return True
    return False
