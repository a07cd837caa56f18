"""One big simulation over many workers: independent seeded chunks, merged by counts and sums.

Private: :func:`simulate_chunked` and :class:`ChunkedSimulation` are public as
``ivrscore.sweep.simulate_chunked`` and ``ivrscore.sweep.ChunkedSimulation``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._sweep_pool import run_tasks, seed_sequence
from .engine import Result, TaskResult
from .engine import simulate as _simulate
from .exceptions import IvrscoreError
from .model.tree import PhoneTree

__all__ = ["ChunkedSimulation", "simulate_chunked"]


@dataclass(frozen=True)
class _Chunk:
    tree: PhoneTree
    calls: int
    seed: np.random.SeedSequence


_HIST_EDGES = np.concatenate([[0.0], np.geomspace(0.1, 1e7, 1401)])
"""Bins of the merged time histograms: 200 per decade from 0.1 s to 10^7 s (each bin 1.2%
wide), so merged quantiles are within 1.2% of the exact ones."""

_QUANTILE_OF = ("time_s", "time_to_human_s", "time_to_resolution_s")


def _conditional(name: str) -> str | None:
    """What a conditional metric's mean is over: ``p_human`` or ``p_resolved`` (else None)."""
    return {"mean_time_to_human_s": "p_human", "mean_time_to_resolution_s": "p_resolved"}.get(name)


def _sums(
    outcomes: dict[str, float], metrics: dict[str, float], stderr: dict[str, float], n: int
) -> dict[str, float]:
    """A result's counts and sums over its ``n`` calls (and sums of squares, from the standard
    errors), the mergeable form of its shares and means."""
    out: dict[str, float] = {"calls": float(n)}
    for k, v in outcomes.items():
        out[f"count:{k}"] = v * n
    for k, v in metrics.items():
        over = _conditional(k)
        m = n * metrics[over] if over else n
        m = round(m)
        out[f"n:{k}"] = m
        if m == 0 or not math.isfinite(v):
            out[f"sum:{k}"], out[f"sq:{k}"] = 0.0, 0.0
            continue
        out[f"sum:{k}"] = v * m
        se = stderr.get(k, math.nan)
        var = se * se * m if math.isfinite(se) else 0.0  # sample variance (n - 1 divisor)
        out[f"sq:{k}"] = (var * (m - 1) / m + v * v) * m if m > 1 else v * v
    return out


def _run_chunk(chunk: _Chunk) -> dict[str, Any]:
    """Simulate one chunk and keep only its counts, sums and histograms (top-level: picklable)."""
    sim = _simulate(
        chunk.tree, calls=chunk.calls, rng=np.random.default_rng(chunk.seed), progress=False
    )
    n = sim.calls
    stderr = dict(getattr(sim, "stderr", {}) or {})
    out: dict[str, Any] = {"all": _sums(sim.outcomes, sim.metrics, stderr, n), "tasks": {}}
    for t, r in sim.tasks.items():
        nt = round(sim.task_shares.get(t, 0.0) * n)
        out["tasks"][t] = _sums(r.outcomes, r.metrics, {}, nt)
    records = getattr(sim, "records", None) or {}
    out["hist"] = {
        q: np.histogram(np.asarray(records[q])[~np.isnan(records[q])], bins=_HIST_EDGES)[0]
        for q in _QUANTILE_OF
        if q in records
    }
    return out


def _merge_sums(parts: Sequence[dict[str, float]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for part in parts:  # in chunk order: the float sums do not depend on who ran them
        for k, v in part.items():
            total[k] = total.get(k, 0.0) + v
    return total


def _from_sums(
    total: dict[str, float],
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    n = total.get("calls", 0.0)
    outcomes = {
        k[6:]: (v / n if n else math.nan) for k, v in total.items() if k.startswith("count:")
    }
    metrics: dict[str, float] = {}
    stderr = {k: math.sqrt(p * (1 - p) / n) if n else math.nan for k, p in outcomes.items()}
    for k in (k[2:] for k in total if k.startswith("n:")):
        m = total[f"n:{k}"]
        if m <= 0:
            metrics[k], stderr[k] = math.nan, math.nan
            continue
        mean = total[f"sum:{k}"] / m
        metrics[k] = mean
        var = max(total[f"sq:{k}"] / m - mean * mean, 0.0) * m / (m - 1) if m > 1 else math.nan
        stderr[k] = math.sqrt(var / m) if m > 1 else math.nan
    return outcomes, metrics, stderr


def _quantile(hist: np.ndarray[Any, Any], q: float) -> float:
    total = hist.sum()
    if total == 0:
        return math.nan
    cum = np.cumsum(hist)
    target = q * total
    i = int(np.searchsorted(cum, target))
    before = cum[i - 1] if i > 0 else 0
    lo, hi = _HIST_EDGES[i], _HIST_EDGES[i + 1]
    frac = (target - before) / hist[i] if hist[i] else 0.0
    return float(lo + frac * (hi - lo))


@dataclass(frozen=True)
class ChunkedSimulation(Result):
    """A simulation run as independent chunks and merged (see :func:`simulate_chunked`).

    Attributes
    ----------
    calls : int
        Callers simulated, over all chunks.
    chunks : int
        How many chunks.
    quantiles : dict
        ``p50_*`` and ``p90_*`` of the times, from the merged histograms (within 1.2%).
    stderr : dict
        Standard error of each outcome share and metric, from the merged sums of squares.
    """

    __module__ = "ivrscore.sweep"  # public there

    calls: int = 0
    chunks: int = 0
    quantiles: dict[str, float] = field(default_factory=dict)
    stderr: dict[str, float] = field(default_factory=dict)


def simulate_chunked(
    tree: PhoneTree,
    *,
    calls: int,
    chunk: int = 1_000_000,
    rng: int | np.random.Generator | np.random.SeedSequence | None = None,
    client: Any = None,
    jobs: int | None = None,
    progress: bool | None = None,
) -> ChunkedSimulation:
    """One big simulation, cut into chunks that run on a local pool or a Dask cluster.

    Parameters
    ----------
    tree : PhoneTree
    calls : int
        Callers in all.
    chunk : int, default 1,000,000
        Callers per chunk (the last may be smaller); memory per worker is one chunk's.
    rng : int, Generator, SeedSequence or None
        Chunk ``i`` simulates with ``default_rng(SeedSequence(rng).spawn(chunks)[i])``.
    client : dask.distributed.Client, optional
    jobs : int, optional
        Local worker processes (default: the cores; 1 runs in this process).
    progress : bool, optional

    Returns
    -------
    ChunkedSimulation

    Notes
    -----
    Each chunk is an ordinary :func:`ivrscore.simulate` run with its own child seed, reduced in
    the worker to mergeable numbers: the count of calls ending in each outcome (share x calls),
    for each metric the number of calls it is a mean over (all calls; those that reached a
    person for ``mean_time_to_human_s``; the resolved ones for
    ``mean_time_to_resolution_s``), the sum of its values and the sum of their squares
    (recovered from the chunk's standard error), and histograms of the times (200 log bins a
    decade). The merge adds them in chunk order and divides again. So the result depends on
    the seed and the chunk size, never on the workers or the order they finish in; it is not
    the same numbers as one :func:`ivrscore.simulate` of all the calls (that draws one stream).
    Per task, outcomes and means are merged the same way. The score's harm ledger is not
    merged: score a chunked simulation's tree with ``ivrscore.score(tree, calls=...)``.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("gp_surgery"))
    >>> a = simulate_chunked(tree, calls=30_000, chunk=10_000, rng=3, jobs=1)
    >>> a.calls, a.chunks, round(sum(a.outcomes.values()), 9)
    (30000, 3, 1.0)
    """
    if calls < 1 or chunk < 1:
        raise IvrscoreError("calls and chunk must be at least 1")
    n_chunks = math.ceil(calls / chunk)
    seeds = seed_sequence(rng).spawn(n_chunks)
    tasks = [_Chunk(tree, min(chunk, calls - i * chunk), seeds[i]) for i in range(n_chunks)]
    parts = run_tasks(
        _run_chunk, tasks, client=client, jobs=jobs, progress=progress, what="simulate"
    )
    outcomes, metrics, stderr = _from_sums(_merge_sums([p["all"] for p in parts]))
    task_names = list(parts[0]["tasks"])
    tasks_out = {}
    shares = {}
    for t in task_names:
        tot = _merge_sums([p["tasks"][t] for p in parts])
        o, m, _ = _from_sums(tot)
        tasks_out[t] = TaskResult(o, m)
        shares[t] = tot.get("calls", 0.0) / calls
    quantiles: dict[str, float] = {}
    for q in _QUANTILE_OF:
        if all(q in p["hist"] for p in parts):
            hist = np.sum([p["hist"][q] for p in parts], axis=0)
            quantiles[f"p50_{q}"] = _quantile(hist, 0.5)
            quantiles[f"p90_{q}"] = _quantile(hist, 0.9)
    return ChunkedSimulation(
        name=tree.name,
        method="simulation",
        outcomes=outcomes,
        metrics=metrics,
        tasks=tasks_out,
        task_shares=shares,
        calls=calls,
        chunks=n_chunks,
        quantiles=quantiles,
        stderr=stderr,
    )
