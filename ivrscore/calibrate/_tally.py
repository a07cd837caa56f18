"""Running totals over calls, so a log of any length is read once in bounded memory.

Each call's :class:`~._interpret.Facts` is added and dropped. What is kept grows with the
*tree* (counts per node, key, attempt), the *period* (counts per hour), and, for the fits that
need every value (Kaplan-Meier, log-normal, agents on duty), a few compact numbers per call:
8-byte durations in :class:`array.array`, about 100 bytes per call in all (a log of 10 million
events, 1.3 million calls, peaks near 300 MB).
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ._events import hour_of_week, redact
from ._interpret import ABANDONED, ANSWERED, Facts

__all__ = ["HOUR_FIELDS", "MAX_IDS", "Signature", "Tally"]

Signature = tuple[tuple[tuple[str, str], ...], str, tuple[str, ...]]
"""What tells a call's task: the keys pressed ``((node, key), ...)``, where it was resolved,
and the nodes that could not help it."""

MAX_IDS = 10_000
"""Distinct unmapped ids kept by name; more are counted together."""

HOUR_FIELDS = (
    "calls",
    "offered",
    "abandoned",
    "answered",
    "wait_sum",
    "wait_sq",
    "served",
    "handle_sum",
)
"""Totals kept per clock hour: calls arriving; queue arrivals, abandonments, answers; the sum
and sum of squares of answered waits; services started and their total length."""


@dataclass
class _Samples:
    t: array[float] = field(default_factory=lambda: array("d"))
    flag: array[int] = field(default_factory=lambda: array("b"))

    def add(self, t: float, flag: int) -> None:
        self.t.append(t)
        self.flag.append(flag)

    def arrays(self) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
        return np.frombuffer(self.t, dtype=np.float64), np.frombuffer(self.flag, dtype=np.int8)


@dataclass
class Tally:
    """Running totals of calls read against a tree."""

    since: float | None = None
    until: float | None = None
    calls: int = 0
    outside: int = 0
    incomplete: int = 0
    first: float = math.inf
    last: float = -math.inf
    _how: list[int] = field(default_factory=lambda: [0] * 168)
    hours: dict[int, list[float]] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)
    tasks: Counter[str] = field(default_factory=Counter)
    task_codes_unknown: Counter[str] = field(default_factory=Counter)
    signatures: Counter[Signature] = field(default_factory=Counter)
    visits: Counter[str] = field(default_factory=Counter)
    visits_sq: Counter[str] = field(default_factory=Counter)
    abandoned_at: Counter[str] = field(default_factory=Counter)
    keys: dict[str, Counter[str]] = field(default_factory=dict)
    inferred: Counter[str] = field(default_factory=Counter)
    invalid: Counter[tuple[str, str]] = field(default_factory=Counter)
    inputs: dict[str, dict[int, list[int]]] = field(default_factory=dict)
    patience: _Samples = field(default_factory=_Samples)
    queues: dict[str, _Samples] = field(default_factory=dict)
    queue_any: _Samples = field(default_factory=_Samples)
    agents: dict[str, int] = field(default_factory=dict)
    svc_agent: array[int] = field(default_factory=lambda: array("i"))
    svc_start: array[float] = field(default_factory=lambda: array("d"))
    svc_len: array[float] = field(default_factory=lambda: array("d"))
    handle: dict[str, array[float]] = field(default_factory=dict)
    unmapped: Counter[str] = field(default_factory=Counter)
    unmapped_events: int = 0
    off_tree: Counter[tuple[str, str]] = field(default_factory=Counter)

    def wants(self, start: float) -> bool:
        """Whether a call starting at ``start`` is inside the period asked for."""
        if self.since is not None and start < self.since:
            return False
        return not (self.until is not None and start >= self.until)

    def _hour(self, t: float) -> list[float]:
        h = math.floor(t / 3600.0)
        row = self.hours.get(h)
        if row is None:
            row = self.hours[h] = [0.0] * len(HOUR_FIELDS)
        return row

    def add(self, f: Facts) -> None:
        """Add one call."""
        self.calls += 1
        start = f.start
        if start < self.first:
            self.first = start
        if start > self.last:
            self.last = start
        self._how[hour_of_week(start)] += 1
        self._hour(start)[0] += 1
        if not f.complete:
            self.incomplete += 1
        self.outcomes[f.outcome or "unknown"] += 1
        if f.task is not None:
            self.tasks[f.task] += 1
        elif f.task_raw:
            self.task_codes_unknown[redact(f.task_raw)] += 1
        # what tells tasks apart: the keys pressed, where the call was resolved, who could not help
        choices = tuple((n, k) for n, k, _, _ in f.choices if k not in ("?", ""))
        self.signatures[(choices, f.resolved_at, tuple(f.declined))] += 1
        per_call: dict[str, int] = {}
        for nid in f.visits:
            per_call[nid] = per_call.get(nid, 0) + 1
        visits, visits_sq = self.visits, self.visits_sq
        for nid, k in per_call.items():
            visits[nid] = visits.get(nid, 0) + k
            visits_sq[nid] = visits_sq.get(nid, 0) + k * k
        if f.abandoned:
            self.abandoned_at[f.ended_at or "?"] += 1
        for nid, key, _attempt, inferred in f.choices:
            self.keys.setdefault(nid, Counter())[key] += 1
            if inferred:
                self.inferred[nid] += 1
        for nid, key in f.invalid:
            self.invalid[(nid, key)] += 1
        for nid, attempt, ok in f.inputs:
            row = self.inputs.setdefault(nid, {}).setdefault(attempt, [0, 0])
            row[0] += 1
            row[1] += 0 if ok else 1
        self.patience.add(f.exposure, 1 if f.abandoned else 0)
        for nid, t0, wait, status in f.queues:
            self.queues.setdefault(nid, _Samples()).add(wait, status)
            self.queue_any.add(wait, status)
            hour = self._hour(t0)
            hour[1] += 1
            if status == ABANDONED:
                hour[2] += 1
            elif status == ANSWERED:
                hour[3] += 1
                hour[4] += wait
                hour[5] += wait * wait
        for nid, who, t0, length in f.services:
            if who:
                idx = self.agents.setdefault(who, len(self.agents))
                self.svc_agent.append(idx)
                self.svc_start.append(t0)
                self.svc_len.append(length)
            self.handle.setdefault(nid or "?", array("d")).append(length)
            hour = self._hour(t0)
            hour[6] += 1
            hour[7] += length
        if f.unmapped:
            self.unmapped_events += len(f.unmapped)
            for raw in f.unmapped:
                raw = redact(raw)
                if raw in self.unmapped or len(self.unmapped) < MAX_IDS:
                    self.unmapped[raw] += 1
                else:
                    self.unmapped["(other ids)"] += 1
        for pair in f.off_tree:
            self.off_tree[pair] += 1

    @property
    def arrivals(self) -> NDArray[np.float64]:
        """Calls that started in each hour of the week (Monday 00:00 first)."""
        return np.array(self._how, dtype=float)

    def hour_table(self) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Clock hours seen (sorted) and their totals, one row per hour (:data:`HOUR_FIELDS`)."""
        if not self.hours:
            return np.zeros(0, dtype=np.int64), np.zeros((0, len(HOUR_FIELDS)))
        hs = np.array(sorted(self.hours), dtype=np.int64)
        return hs, np.array([self.hours[int(h)] for h in hs], dtype=float)
