"""``ivrscore.sweep.simulate_chunked``: the spread :func:`ivrscore.simulate` under its first name.

It used to merge independent seeded chunks (numbers close to, but not, one process's); it now
runs :func:`ivrscore._sweep_simulate.simulate_spread`, whose numbers are exactly those of
``ivrscore.simulate(tree, calls=calls, rng=rng, records=False)``. Prefer
``ivrscore.simulate(tree, calls=..., client=...)`` or ``jobs=``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._sweep_simulate import simulate_spread
from .engine.simulate import BLOCK, Simulation
from .exceptions import IvrscoreError
from .model.tree import PhoneTree

__all__ = ["ChunkedSimulation", "simulate_chunked"]

ChunkedSimulation = Simulation
"""What :func:`simulate_chunked` returns: a :class:`~ivrscore.Simulation` (the old name)."""


def simulate_chunked(
    tree: PhoneTree,
    *,
    calls: int,
    chunk: int = 1_000_000,
    rng: int | np.random.Generator | np.random.SeedSequence | None = None,
    client: Any = None,
    jobs: int | None = None,
    progress: bool | None = None,
) -> Simulation:
    """One big simulation spread over a local pool or a Dask cluster, as one process's numbers.

    Parameters
    ----------
    tree : PhoneTree
    calls : int
        Callers in all.
    chunk : int, default 1,000,000
        Callers per task sent to a worker, rounded up to whole blocks of
        :data:`~ivrscore.engine.simulate.BLOCK` (65,536) callers; the numbers do not depend on it.
    rng : int, Generator, SeedSequence or None
        As for :func:`ivrscore.simulate` (a SeedSequence is used as a generator's).
    client : dask.distributed.Client, optional
    jobs : int, optional
        Local worker processes (default: the cores; 1 runs in this process).
    progress : bool, optional

    Returns
    -------
    Simulation
        Equal to ``ivrscore.simulate(tree, calls=calls, rng=rng, records=False)``.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("gp_surgery"))
    >>> a = simulate_chunked(tree, calls=30_000, chunk=10_000, rng=3, jobs=1)
    >>> a.calls, a == ivr.simulate(tree, calls=30_000, rng=3, records=False)
    (30000, True)
    """
    if chunk < 1:
        raise IvrscoreError(f"chunk must be at least 1 caller, not {chunk}")
    gen = np.random.default_rng(rng) if isinstance(rng, np.random.SeedSequence) else rng
    return simulate_spread(
        tree,
        calls=calls,
        rng=gen,
        client=client,
        jobs=jobs,
        progress=progress,
        records=False,
        blocks_per_task=math.ceil(chunk / BLOCK),
    )
