"""One simulation spread over workers, with the same numbers as one process.

:func:`ivrscore.simulate` walks its callers in blocks of :data:`~ivrscore.engine.simulate.BLOCK`,
block ``i`` drawing from child ``i`` of the seed's ``SeedSequence``; integer counts (outcomes,
causes, the time histograms) are added up as the blocks go, and each block's float sums are
added to the totals in block order. :func:`simulate_spread` runs contiguous groups of those
blocks on a local process pool (``jobs``) or a Dask cluster (``client``): each worker compiles
the tree once (kept for the following groups of the run), walks its blocks from the same
generator states, and sends back its integer counts and one row of float sums per block. The
merge adds the counts, and the float sums block by block in block order, so the result is the
one of ``simulate(tree, calls=calls, rng=seed, records=False)`` bit for bit, whatever the
workers, the grouping or the order they finish in. A worker holds one group's sums at a time
(a few MB), so memory does not grow with the calls.

Private: reached through ``ivrscore.simulate(..., client=)`` or ``jobs=``.
"""

from __future__ import annotations

import hashlib
import math
import pickle
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._sweep_pool import _Progress, _want_progress, default_jobs, imap_tasks
from .engine.simulate import (
    BLOCK,
    Simulation,
    _records,
    _streams,
    _summarise,
    _Sums,
    _Tables,
    prepared,
)
from .exceptions import ArgumentError
from .model.tree import PhoneTree

__all__ = ["BLOCKS_PER_TASK", "simulate_spread"]

BLOCKS_PER_TASK = 32
"""At most this many blocks of callers (about 2.1 million callers) per task sent to a worker."""

_SPARSE_OVER = 4096
"""Integer arrays longer than this travel back as their non-zero entries only."""

_CACHE: OrderedDict[str, _Tables] = OrderedDict()
"""Per process: the compiled tables of the last few trees simulated here, by tree digest."""
_CACHE_SIZE = 4
_LOCK = threading.Lock()


@dataclass(frozen=True)
class _Group:
    """A task: walk ``len(states)`` blocks of callers, the first of them block ``first``."""

    key: str
    tree: PhoneTree
    first: int
    sizes: tuple[int, ...]
    states: NDArray[np.uint64]


def _tables(key: str, tree: PhoneTree) -> _Tables:
    """The tree's tables, compiled once per process (a Dask worker's threads share them)."""
    with _LOCK:
        tables = _CACHE.get(key)
        if tables is not None:
            _CACHE.move_to_end(key)
            return tables
    tables = prepared(tree)  # two threads may both compile: the same tables either way
    with _LOCK:
        _CACHE[key] = tables
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return tables


def _digest(tree: PhoneTree) -> str:
    return hashlib.blake2b(pickle.dumps(tree), digest_size=16).hexdigest()


def _counts(sums: _Sums) -> dict[str, Any]:
    """The integer arrays of a worker's sums, the long ones as (indices, values)."""
    out: dict[str, Any] = {}
    for name, value in vars(sums).items():
        if isinstance(value, np.ndarray) and value.dtype.kind in "iu":
            flat = value.reshape(-1)
            if flat.size > _SPARSE_OVER:
                idx = np.flatnonzero(flat)
                out[name] = (idx, flat[idx])
            else:
                out[name] = value
    return out


def _add_counts(sums: _Sums, counts: dict[str, Any]) -> None:
    for name, part in counts.items():
        total = getattr(sums, name)
        if isinstance(part, tuple):
            idx, vals = part
            np.put(total, idx, total.take(idx) + vals)  # flat indices, in place
        else:
            total += part


def _run_group(task: _Group) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
    """Walk one group of blocks (top-level: picklable); returns each block's float sums, in
    block order, and the group's integer counts."""
    tables = _tables(task.key, task.tree)
    sums = _Sums(tables.c)
    out = _records(1)
    blocks = []
    for n, state in zip(task.sizes, task.states, strict=True):
        blocks.append(tables.run(state.copy(), n, False, out, sums))
    return blocks, _counts(sums)


def _workers(client: Any, jobs: int | None) -> int:
    if client is not None:
        try:
            return max(1, int(sum(client.nthreads().values())))
        except Exception:  # pragma: no cover - a client-like object without nthreads
            return 2
    return default_jobs() if jobs is None else jobs


def groups(n_blocks: int, workers: int, most: int = BLOCKS_PER_TASK) -> list[range]:
    """Contiguous groups of block numbers: about four per worker, at most ``most`` blocks each.

    Examples
    --------
    >>> groups(10, 2)
    [range(0, 2), range(2, 4), range(4, 6), range(6, 8), range(8, 10)]
    >>> [len(g) for g in groups(1526, 2)][:3], len(groups(1526, 2))
    ([32, 32, 32], 48)
    """
    per = max(1, min(most, math.ceil(n_blocks / (4 * max(workers, 1)))))
    return [range(lo, min(lo + per, n_blocks)) for lo in range(0, n_blocks, per)]


def simulate_spread(
    tree: PhoneTree,
    *,
    calls: int,
    rng: int | np.random.Generator | None = None,
    client: Any = None,
    jobs: int | None = None,
    progress: bool | None = None,
    records: bool | None = None,
    blocks_per_task: int = BLOCKS_PER_TASK,
) -> Simulation:
    """:func:`ivrscore.simulate` on a Dask cluster (``client``) or ``jobs`` local processes.

    The numbers are those of ``simulate(tree, calls=calls, rng=rng, records=False)`` exactly
    (see the module's docstring); no per-caller records are kept. ``jobs=None`` without a
    client uses the cores; ``jobs=1`` runs the groups in this process. A task walks at most
    ``blocks_per_task`` blocks of :data:`~ivrscore.engine.simulate.BLOCK` callers.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("gp_surgery"))
    >>> two = simulate_spread(tree, calls=150_000, rng=3, jobs=2)
    >>> two == ivr.simulate(tree, calls=150_000, rng=3, records=False)
    True
    """
    if not isinstance(calls, int | np.integer) or calls < 1:
        raise ArgumentError(f"calls must be a whole number of callers, at least 1 (got {calls!r})")
    if jobs is not None and (not isinstance(jobs, int | np.integer) or jobs < 1):
        raise ArgumentError(f"jobs must be a whole number of workers, at least 1 (got {jobs!r})")
    if records:
        raise ArgumentError(
            "a simulation spread over workers keeps no per-caller records: "
            "give records=False, or simulate in one process (no client, jobs=1)"
        )
    calls = int(calls)
    n_blocks = math.ceil(calls / BLOCK)
    seed, streams = _streams(rng, n_blocks)
    states = np.stack([s.generate_state(4, np.uint64).astype(np.uint64) for s in streams])
    key = _digest(tree)
    # compiled here for the summary; a forked local worker inherits it from the cache
    tables = prepared(tree)
    c = tables.c
    with _LOCK:
        _CACHE[key] = tables
    tasks = [
        _Group(
            key,
            tree,
            g.start,
            tuple(min(BLOCK, calls - b * BLOCK) for b in g),
            states[g.start : g.stop],
        )
        for g in groups(n_blocks, _workers(client, jobs), blocks_per_task)
    ]
    sums = _Sums(c)
    bar = _Progress(len(tasks), _want_progress(progress, len(tasks)), "simulating")
    try:
        results: Iterator[Any] = imap_tasks(_run_group, tasks, client=client, jobs=jobs)
        for blocks, counts in results:  # in task order, so the float sums add in block order
            for block in blocks:
                sums.add(block)
            _add_counts(sums, counts)
            bar.tick()
    finally:
        with _LOCK:
            _CACHE.pop(key, None)  # this process needs the tables no longer (workers keep theirs)
    return _summarise(tree, c, sums, {}, seed)
