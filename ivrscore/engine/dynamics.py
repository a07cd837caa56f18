"""Contact-centre dynamics: the load on each queue follows the menu, hour by hour of the week.

With a tree-level ``volume:``, calls arrive in each of the 168 hours of the week as
``volume x arrivals``. The calls that reach a staffed queue in an hour are the calls arriving
then times the visits the chain predicts per call (routing, retries, transfers back into
queues), so a menu that sends more callers to a person makes that person's queue busier.
Each queue - or each pool of agents several queues share - is an Erlang A (M/M/N+M) system
in each hour, with that hour's offered calls, the roster's agents and the callers' patience:
the *stationary independent period by period* method workforce tools plan with (Green,
Kolesar & Whitt 2007, "Coping with time-varying demand when setting staffing requirements
for a service system", *POMS* 16(1)). Waits change abandonment, which changes who reaches later
queues, so each hour is iterated to a fixed point (to 1e-9).

A queue that still gives ``calls_per_hour`` keeps it every hour: a tree without ``volume:``
gives exactly the numbers it gave before.

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
...   q: {type: queue, staffing: {agents: 3, handle_time_s: 120}, next: desk}
...   desk: {type: agent, handles: [help]}
... ''')
>>> hours = ivr.analyze(tree).hourly
>>> round(float(hours.offered[0, 10]), 6), int(hours.agents[0, 10])  # 16,800 / 168 an hour
(100.0, 3)
>>> m = ivr.queueing.erlang_a(3, calls_per_hour=100, handle_time_s=120, patience_s=120)
>>> bool(abs(hours.p_abandon[0, 10] - m.p_abandon) < 1e-12)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._pertree import PerTree
from ..exceptions import IvrscoreError, UnknownNameError
from ..graph import mean_patience_s
from ..model.schedule import DAYS
from ..model.tree import PhoneTree
from ..queueing import QueueMetrics, UnstableQueueError, erlang_a, no_agents
from ..timeofday import minute_patterns
from ._compile import Compiled, compile_tree
from .analyze import Segment, chain_states, solve_segment

__all__ = ["HOURS", "QueueHours", "Week", "hour_label", "offered_without_waits", "solve_week"]

HOURS = 168
"""Hours in a week, Monday 00:00 first."""

SERVICE_LEVEL_S = 20.0
"""The service-level threshold the hourly figures report (calls answered within 20 s)."""

TOLERANCE = 1e-9
"""Relative change of every queue's offered calls at which an hour's fixed point stops."""

MAX_ITERATIONS = 200

REUSE_HOURS = True
"""Whether an hour whose every input equals an earlier hour's reuses its answer (the same to
the last bit; off only to test that it is)."""


def hour_label(h: int) -> str:
    """``"Mon 10:00"`` for hour ``h`` of the week.

    Examples
    --------
    >>> hour_label(0), hour_label(34)
    ('Mon 00:00', 'Tue 10:00')
    """
    return f"{DAYS[h // 24].capitalize()} {h % 24:02d}:00"


@dataclass(frozen=True)
class QueueHours:
    """Each staffed queue's (or pool's) figures in each hour of the week, as arrays of shape
    ``(queues, 168)``.

    Attributes
    ----------
    names : tuple of str
        A queue's id, or ``pool:NAME`` for a pool several queues share.
    queues : tuple of tuple of str
        The queues of each name.
    offered : array
        Calls offered per hour (arriving at the queue to wait).
    agents : array
        Agents on duty.
    asa_s : array
        Average speed of answer: the mean wait of the calls answered (industry ASA).
    service_level : array
        Share of the calls offered that are answered within :data:`SERVICE_LEVEL_S` seconds.
    p_abandon : array
        Share of the calls offered that give up waiting.
    occupancy : array
        Share of the agents' time spent with callers.
    mean_wait_s : array
        Mean time in the queue of every caller who joins it (answered or not).
    calls : array
        Calls arriving at the line in each hour (shape ``(168,)``).
    fixed : tuple of bool
        Whether the queue gives its own ``calls_per_hour`` (its figures hold every hour).
    iterations : array
        Fixed-point iterations each hour took.
    """

    names: tuple[str, ...]
    queues: tuple[tuple[str, ...], ...]
    offered: NDArray[np.float64]
    agents: NDArray[np.int64]
    asa_s: NDArray[np.float64]
    service_level: NDArray[np.float64]
    p_abandon: NDArray[np.float64]
    occupancy: NDArray[np.float64]
    mean_wait_s: NDArray[np.float64]
    calls: NDArray[np.float64]
    fixed: tuple[bool, ...]
    handle_time_s: tuple[float, ...] = ()
    """Mean handling time of each queue or pool."""
    iterations: NDArray[np.int64] = field(default_factory=lambda: np.zeros(HOURS, np.int64))

    def index(self, name: str) -> int:
        """The row of a queue (its own id, a pool's ``pool:NAME``, or a queue in a pool)."""
        for i, (n, qs) in enumerate(zip(self.names, self.queues, strict=True)):
            if name == n or name in qs or name == n.removeprefix("pool:"):
                return i
        there = ", ".join(self.names)
        raise UnknownNameError(f"no staffed queue or pool {name!r}; there are: {there}")

    def peak(self) -> tuple[int, str]:
        """The hour with the most calls: ``(hour, "Mon 10:00")``."""
        h = int(np.argmax(self.calls))
        return h, hour_label(h)

    def weighted(self, values: NDArray[np.float64], row: int) -> float:
        """A row's hourly figure averaged over the hours, weighted by the calls offered."""
        w = self.offered[row]
        ok = np.isfinite(values[row]) & (w > 0)
        return float((values[row][ok] * w[ok]).sum() / w[ok].sum()) if ok.any() else math.nan

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: per queue, a list of 168 hourly records (NaN as ``None``)."""

        def num(x: float) -> float | None:
            return None if not math.isfinite(x) else float(x)

        return {
            "service_level_s": SERVICE_LEVEL_S,
            "calls": [float(x) for x in self.calls],
            "queues": {
                name: {
                    "queues": list(self.queues[i]),
                    "fixed": self.fixed[i],
                    "hours": [
                        {
                            "hour": hour_label(h),
                            "offered": num(self.offered[i, h]),
                            "agents": int(self.agents[i, h]),
                            "asa_s": num(self.asa_s[i, h]),
                            "service_level": num(self.service_level[i, h]),
                            "p_abandon": num(self.p_abandon[i, h]),
                            "occupancy": num(self.occupancy[i, h]),
                        }
                        for h in range(HOURS)
                    ],
                }
                for i, name in enumerate(self.names)
            },
        }

    def to_dataframe(self) -> Any:
        """One row per queue and hour (needs pandas: ``pip install pandas``)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_dataframe needs pandas: pip install pandas") from exc
        rows = []
        for i, name in enumerate(self.names):
            for h in range(HOURS):
                rows.append(
                    {
                        "queue": name,
                        "day": DAYS[h // 24],
                        "hour": h % 24,
                        "offered": self.offered[i, h],
                        "agents": self.agents[i, h],
                        "asa_s": self.asa_s[i, h],
                        "service_level": self.service_level[i, h],
                        "p_abandon": self.p_abandon[i, h],
                        "occupancy": self.occupancy[i, h],
                    }
                )
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """The busiest hour and each queue's figures then, for a terminal."""
        h, label = self.peak()
        lines = [f"busiest hour {label}: {self.calls[h]:,.0f} calls"]
        for i, name in enumerate(self.names):
            lines.append(
                f"  {name:<24} {self.offered[i, h]:7.0f} offered  {self.agents[i, h]:4d} agents"
                f"  ASA {_s(self.asa_s[i, h]):>8}  {self.p_abandon[i, h]:6.1%} abandon"
                f"  {self.occupancy[i, h]:6.1%} busy"
            )
        return "\n".join(lines)


def _s(x: float) -> str:
    if not math.isfinite(x):
        return "—"
    return f"{x:.0f} s" if x < 120 else f"{x / 60:.1f} min"


@dataclass
class Week:
    """The solved week: one segment per hour and the queues' hourly figures."""

    segments: list[Segment]
    hours: QueueHours
    models: list[list[QueueMetrics]]


_EVERYONE_ANSWERED = 1_000_000
"""Agents standing for "answered at once" (:func:`offered_without_waits`)."""


def _model(
    agents: int, calls: float, handle_s: float, patience_s: float, where: str
) -> QueueMetrics:
    """The Erlang A model of one queue in one hour."""
    if agents <= 0:
        return no_agents(handle_s, patience_s, calls_per_hour=calls)
    if calls <= 1e-12 or agents >= _EVERYONE_ANSWERED:
        return QueueMetrics(
            agents=agents,
            offered_load=0.0,
            p_wait=0.0,
            mean_wait_s=0.0,
            mean_wait_served_s=0.0,
            p_abandon=0.0,
            occupancy=0.0,
            mean_queue_length=0.0,
            handle_time_s=handle_s,
            patience_s=patience_s,
        )
    try:
        return erlang_a(agents, calls_per_hour=calls, handle_time_s=handle_s, patience_s=patience_s)
    except UnstableQueueError as exc:
        raise UnstableQueueError(
            f"{where}: {calls * handle_s / 3600:.1f} Erlangs for {agents} agents and callers "
            "who never hang up: the wait is unbounded (rule IVR504)"
        ) from exc


_SOLVED: PerTree[Week] = PerTree()
"""Weeks solved per tree, by the patience rates and closing pattern."""


def solve_week(c: Compiled, thetas: list[float], closed_all: NDArray[np.bool_]) -> Week:
    """Solve every hour of the week to its fixed point (see the module documentation).

    The answer is kept per tree: ``score`` (lint's waits, then the exact analysis), ``simulate``
    and every plan step that analyses the same tree again solve its week once, not each time.
    Sets ``c.hourly`` (each queue's model per hour) either way.
    """
    key = (tuple(float(t) for t in thetas), closed_all.shape, closed_all.tobytes())
    week = _SOLVED.get(c.tree, key, lambda: _solve_week(c, thetas, closed_all))
    c.hourly = week.models
    return week


def _solve_week(c: Compiled, thetas: list[float], closed_all: NDArray[np.bool_]) -> Week:
    tree = c.tree
    assert tree.volume is not None
    weights = tree.arrival_weights().reshape(-1)  # share of the week's calls in each hour
    weekly = tree.volume.weekly(peak_share=float(weights.max()))
    pats, minute_pattern = minute_patterns(tree)
    # share of each hour's minutes in each pattern
    frac = np.zeros((HOURS, len(pats)))
    for h in range(HOURS):
        frac[h] = np.bincount(minute_pattern[h * 60 : (h + 1) * 60], minlength=len(pats)) / 60.0
    pattern_calls = np.array([p.calls for p in pats])
    chain_pattern = np.array([ch.pattern for ch in c.chains], dtype=np.int64)
    chain_weight = np.array([ch.weight for ch in c.chains])
    per_pattern = np.where(
        pattern_calls[chain_pattern] > 0,
        chain_weight / np.where(pattern_calls[chain_pattern] > 0, pattern_calls[chain_pattern], 1),
        0.0,
    )  # a chain's weight within its pattern
    patience = mean_patience_s(tree.personas)
    bounds = chain_states(c)
    n_slots = len(c.slots)
    fixed = [s.fixed for s in c.slots]
    models: list[list[QueueMetrics]] = [[c.queues[i]] * HOURS for i in range(n_slots)]
    shape = (n_slots, HOURS)
    offered = np.zeros(shape)
    iterations = np.zeros(HOURS, dtype=np.int64)
    segments: list[Segment] = []
    previous = np.zeros(n_slots)
    # hours whose every input is the same as an earlier hour's (the calls arriving, the open
    # patterns, the agents and the starting load: Wednesday and Thursday of office_hours) give
    # the same answer to the last bit, solved once
    same: dict[
        tuple[float, bytes, tuple[int, ...], bytes],
        tuple[int, Segment, list[QueueMetrics], NDArray[np.float64]],
    ] = {}
    # hours that send no calls to any queue whose load follows the volume (nights, closed
    # days): with the same open schedules and rosters they are the same chains at another
    # scale, solved once
    quiet: dict[tuple[bytes, tuple[int, ...]], tuple[float, Segment, list[QueueMetrics]]] = {}

    def keep(
        h: int, rounds: int, seg: Segment, hour: list[QueueMetrics], calls: NDArray[np.float64]
    ) -> None:
        """Record hour ``h``: its rounds, offered calls, queue models and segment."""
        iterations[h] = rounds
        offered[:, h] = calls
        for i in range(n_slots):
            models[i][h] = hour[i]
        segments.append(seg)

    for h in range(HOURS):
        w = per_pattern * weights[h] * frac[h, chain_pattern]
        key = (
            frac[h].tobytes(),
            tuple(-1 if fixed[i] else int(c.slots[i].agents[h]) for i in range(n_slots)),  # type: ignore[index]
        )
        if key in quiet and weights[h] > 0:
            base, seg0, models0 = quiet[key]
            previous = np.zeros(n_slots)
            keep(h, 1, _scaled(seg0, float(weights[h]) / base), models0, previous)
            continue
        # start from the last hour's offered calls, scaled by the calls arriving
        scale = weights[h] / weights[h - 1] if h and weights[h - 1] > 0 else 1.0
        calls = np.where(fixed, 0.0, previous * scale)
        again = (float(weights[h]), key[0], key[1], calls.tobytes())
        if REUSE_HOURS and again in same:
            rounds, seg, current, calls = same[again]
            keep(h, rounds, seg, current, calls)
            previous = calls
            continue
        rounds = 0
        while True:
            rounds += 1
            current = [
                c.queues[i]
                if fixed[i]
                else _model(
                    int(c.slots[i].agents[h]),  # type: ignore[index]
                    float(calls[i]),
                    c.slots[i].handle_time_s,
                    patience,
                    f"{c.slots[i].name} at {hour_label(h)}",
                )
                for i in range(n_slots)
            ]
            seg = solve_segment(c, w, thetas, closed_all, current, bounds)
            new = seg.slot_entries(c) * weekly
            change = np.abs(new - calls)[~np.array(fixed, dtype=bool)] if n_slots else np.zeros(0)
            scale = np.maximum(np.abs(new), 1e-9)[~np.array(fixed, dtype=bool)] if n_slots else 1
            calls = new
            if not change.size or float(np.max(change / scale)) <= TOLERANCE:
                break
            if rounds >= MAX_ITERATIONS:
                raise IvrscoreError(
                    f"the queues' load at {hour_label(h)} did not settle after "
                    f"{MAX_ITERATIONS} rounds (waits and abandonment keep changing who reaches "
                    "them)"
                )
        # the segment was solved with the models of the offered calls before the last update;
        # they agree to TOLERANCE, so keep it
        keep(h, rounds, seg, current, calls)
        previous = calls
        same[again] = (rounds, seg, current, calls)
        dynamic_calls = calls[~np.array(fixed, dtype=bool)] if n_slots else np.zeros(0)
        if weights[h] > 0 and not dynamic_calls.any():
            quiet.setdefault(key, (float(weights[h]), seg, list(current)))
    hours = _figures(c, models, offered, weights * weekly, iterations)
    c.hourly = models
    return Week(segments, hours, models)


def _scaled(seg: Segment, f: float) -> Segment:
    """The same chains for ``f`` times the calls: flows scale, shares and survival do not."""
    return Segment(
        seg.weight * f,
        [(t, w * f, out, totals) for t, w, out, totals in seg.by_task],
        seg.entered * f,
        seg.survive,
        seg.ok_time * f,
        seg.ok_done * f,
    )


def _figures(
    c: Compiled,
    models: list[list[QueueMetrics]],
    offered: NDArray[np.float64],
    calls: NDArray[np.float64],
    iterations: NDArray[np.int64],
) -> QueueHours:
    n = len(c.slots)
    shape = (n, HOURS)
    agents = np.zeros(shape, dtype=np.int64)
    asa = np.full(shape, math.nan)
    sl = np.full(shape, math.nan)
    ab = np.full(shape, math.nan)
    occ = np.full(shape, math.nan)
    wait = np.full(shape, math.nan)
    cache: dict[int, tuple[float, float, float, float, float]] = {}
    for i in range(n):
        for h in range(HOURS):
            m = models[i][h]
            agents[i, h] = m.agents
            key = id(m)
            if key not in cache:
                answered = 1.0 - m.p_abandon
                cache[key] = (
                    m.mean_wait_served_s if answered > 0 else math.nan,
                    m.service_level(SERVICE_LEVEL_S) if m.agents > 0 else 0.0,
                    m.p_abandon,
                    m.occupancy,
                    m.mean_wait_s,
                )
            if c.slots[i].fixed:
                offered[i, h] = m.offered_load * 3600.0 / m.handle_time_s
            if offered[i, h] <= 0:
                occ[i, h] = 0.0  # nobody offered: no figure per call to give
                continue
            asa[i, h], sl[i, h], ab[i, h], occ[i, h], wait[i, h] = cache[key]
    return QueueHours(
        names=tuple(s.name for s in c.slots),
        queues=tuple(tuple(s.queues) for s in c.slots),
        offered=offered,
        agents=agents,
        asa_s=asa,
        service_level=sl,
        p_abandon=ab,
        occupancy=occ,
        mean_wait_s=wait,
        calls=calls,
        fixed=tuple(s.fixed for s in c.slots),
        handle_time_s=tuple(s.handle_time_s for s in c.slots),
        iterations=iterations,
    )


def offered_without_waits(c: Compiled) -> NDArray[np.float64]:
    """Calls each staffed queue slot would be offered in each hour if nobody ever waited
    (every dynamic queue answered at once): ``(slots, 168)``. With callers who never hang up
    the loads do not depend on the waits, so this is the load rule IVR504 checks."""
    from .analyze import thetas_of

    saved = [s.agents for s in c.slots]
    try:
        for s in c.slots:
            if not s.fixed:
                s.agents = np.full(HOURS, _EVERYONE_ANSWERED, dtype=np.int64)
        week = solve_week(c, thetas_of(c, approximate=True), c.alt_closed_after())
    finally:
        for s, a in zip(c.slots, saved, strict=True):
            s.agents = a
        c.hourly = None
    out: NDArray[np.float64] = week.hours.offered
    return out


_WEEKLY: PerTree[dict[str, float]] = PerTree()


def weekly_waits(tree: PhoneTree) -> dict[str, float]:
    """Each queue whose calls follow the tree's volume, with its mean wait over the week.

    The mean time in the queue of a caller who joins it (:attr:`QueueHours.mean_wait_s`),
    averaged over the hours weighted by the calls offered: what a caller of an average call
    waits. Static views of a tree (fastest routes, the depth chart, lint's wait rules) use it;
    the engines use each hour's own wait. When some hour is unstable (callers who never hang
    up, more load than agents: rule IVR504) the waits are infinite. Trees are frozen, so the
    answer is kept per tree.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> waits = weekly_waits(ivr.load(ivr.examples.path("acme_telecom")))
    >>> sorted(waits), waits["faults_queue"] > waits["general_queue"] > 0
    (['faults_queue', 'general_queue'], True)
    """
    return _WEEKLY.get(tree, None, lambda: _weekly_waits(tree))


def _weekly_waits(tree: PhoneTree) -> dict[str, float]:
    from .analyze import thetas_of

    c = compile_tree(tree)
    out: dict[str, float] = {}
    if c.dynamic:
        try:
            hours = solve_week(c, thetas_of(c, approximate=True), c.alt_closed_after()).hours
        except UnstableQueueError:  # callers who never hang up, a queue over capacity
            for s in c.slots:
                if not s.fixed:
                    out.update(dict.fromkeys(s.queues, math.inf))
        else:
            for row, (fixed, queues) in enumerate(zip(hours.fixed, hours.queues, strict=True)):
                if not fixed:
                    wait = hours.weighted(hours.mean_wait_s, row)
                    out.update(dict.fromkeys(queues, wait))
    return out
