"""Running many independent tasks: in this process, on a local process pool, or on Dask.

Private to :mod:`ivrscore.sweep`, :mod:`ivrscore.fleet` and the spread :func:`ivrscore.simulate`;
dask is imported only when a client is given.

The local pool's workers are forked on Linux when this process runs no other thread: a forked
worker starts in milliseconds with everything this process has imported and compiled (the
numba kernel included), where a spawned one spends about 3 s of CPU importing ivrscore and
loading the kernel again. Where forking this process is unsafe (macOS, or a process with
threads, such as a Jupyter kernel) a fork server is started once per session, imports
ivrscore's sweep modules once, and forks the workers of every later pool from itself; on
Windows they are spawned. ``IVRSCORE_START_METHOD=spawn`` (or ``forkserver``, ``fork``)
chooses. The results never depend on it.

What every task needs alike (a sweep's base trees and Standard) is given as ``shared=`` and
reaches each worker once: as the pool's initializer argument (a forked worker inherits it, a
spawned one unpickles it once), or scattered to every Dask worker (``broadcast=True``); the
tasks themselves then stay a few hundred bytes each.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

from .exceptions import IvrscoreError

if TYPE_CHECKING:
    import numpy as np

__all__ = ["default_jobs", "imap_tasks", "run_tasks", "seed_sequence", "start_method"]


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


START_METHOD_VARIABLE = "IVRSCORE_START_METHOD"


def start_method() -> str:
    """How the local pool starts its workers: ``fork`` on Linux in a process with one thread,
    else ``forkserver`` where there is one (macOS, or a process with threads such as a Jupyter
    kernel), else ``spawn`` (Windows); the environment variable ``IVRSCORE_START_METHOD``
    overrides.

    Examples
    --------
    >>> start_method() in ("fork", "spawn", "forkserver")
    True
    """
    import multiprocessing

    chosen = os.environ.get(START_METHOD_VARIABLE, "").strip().lower()
    methods = multiprocessing.get_all_start_methods()
    if chosen:
        if chosen not in methods:
            raise IvrscoreError(
                f"{START_METHOD_VARIABLE}={chosen!r}: this platform starts processes by "
                + ", ".join(methods)
            )
        return chosen
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return "fork"
    if "forkserver" in methods and sys.platform != "win32":
        return "forkserver"
    return "spawn"


_PRELOAD = ["ivrscore.sweep", "ivrscore.fleet", "ivrscore._sweep_simulate", "ivrscore._sweep_warm"]
"""What a fork server imports once, so that each worker it forks starts with them (the last
loads the compiled kernel)."""


class _Nothing:
    """The ``shared=`` of a call that has nothing shared: ``fn`` takes the task alone."""

    def __reduce__(self) -> str:  # one object, also in a spawned worker
        return "NOTHING"


NOTHING: Any = _Nothing()

_SHARED: Any = NOTHING
"""In a worker of the local pool: the ``shared`` object of its pool (set by :func:`_install`)."""


def _install(shared: Any) -> None:
    """The local pool's initializer: keep the pool's shared object for every task of this worker."""
    global _SHARED
    _SHARED = shared


def _call(fn: Callable[..., Any], task: Any) -> Any:
    """Run one task in a worker of the local pool, with the worker's shared object if any."""
    return fn(task) if _SHARED is NOTHING else fn(task, _SHARED)


def _pool(workers: int, shared: Any = NOTHING) -> Any:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = start_method()
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(_PRELOAD)
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_install, initargs=(shared,)
    )


def _scatter(client: Any, shared: Any) -> dict[str, Any]:
    """The keyword arguments that give ``shared`` to every task on Dask: scattered once to every
    worker, so each holds one copy whatever the number of tasks."""
    if shared is NOTHING:
        return {}
    [future] = client.scatter([shared], broadcast=True, hash=False)
    return {"shared": future}


def _want_progress(progress: bool | None, n: int) -> bool:
    if progress is not None:
        return progress
    return n >= 10 and not os.environ.get("CI") and sys.stderr.isatty()


class _Progress:
    def __init__(self, total: int, show: bool, what: str) -> None:
        self.total, self.show, self.what, self.done = total, show, what, 0
        self.started = time.perf_counter()

    def tick(self) -> None:
        self.done += 1
        if self.show:
            rate = self.done / max(time.perf_counter() - self.started, 1e-9)
            left = (self.total - self.done) / rate if rate > 0 else math.nan
            bar = "#" * round(30 * self.done / self.total)
            print(
                f"\r{self.what} [{bar:<30}] {self.done}/{self.total} ({left:,.0f} s left) ",
                end="",
                file=sys.stderr,
            )
            if self.done == self.total:
                print(file=sys.stderr)


def _distributed_as_completed() -> Callable[[Any], Iterable[Any]]:
    try:
        from distributed import as_completed
    except ImportError as exc:
        raise IvrscoreError(
            "client= needs dask.distributed: pip install 'ivrscore[distributed]'"
        ) from exc
    return cast(Callable[[Any], Iterable[Any]], as_completed)


BATCHES_PER_THREAD = 4
"""On Dask, the tasks of :func:`run_tasks` go in this many batches per worker thread: one Dask
task costs a worker milliseconds of CPU (a sweep's point, 20 ms), so 200 points sent one by one
cost two workers a third more CPU than the points themselves."""


def _threads(client: Any) -> int:
    """The cluster's worker threads (1 if it does not say)."""
    try:
        return max(1, int(sum(client.nthreads().values())))
    except Exception:  # a client without workers yet, or not a real one
        return 1


def _batches(n: int, threads: int) -> list[list[int]]:
    """Task indices dealt into batches like cards (batch ``j`` holds ``j, j + k, j + 2k, ...``),
    so that neighbouring tasks, often of like cost, are spread over the batches."""
    k = max(1, min(n, threads * BATCHES_PER_THREAD))
    return [list(range(j, n, k)) for j in range(k) if j < n]


def _run_batch(batch: list[Any], *, fn: Callable[..., Any], shared: Any = NOTHING) -> list[Any]:
    """Run one batch of tasks on a Dask worker, in order."""
    return [fn(t) if shared is NOTHING else fn(t, shared) for t in batch]


def run_tasks(
    fn: Callable[..., Any],
    tasks: Sequence[Any],
    *,
    client: Any = None,
    jobs: int | None = None,
    progress: bool | None = None,
    what: str = "sweep",
    shared: Any = NOTHING,
) -> list[Any]:
    """Run ``fn`` on every task, in task order, on Dask (``client``), a local process pool
    (``jobs`` workers, default the cores) or in this process (``jobs=1``).

    ``fn`` must be a top-level function (picklable) and pure: the results do not depend on
    where or in which order the tasks ran. With ``shared``, it is called as
    ``fn(task, shared)`` and ``shared`` goes to each worker once, not with every task (see the
    module's notes); ``fn`` must not change it. On Dask the tasks go in batches
    (:data:`BATCHES_PER_THREAD` per worker thread).
    """
    n = len(tasks)
    out: list[Any] = [None] * n
    bar = _Progress(n, _want_progress(progress, n), what)
    if client is not None:
        as_completed = _distributed_as_completed()
        batches = _batches(n, _threads(client))
        futures = client.map(
            _run_batch,
            [[tasks[i] for i in b] for b in batches],
            fn=fn,
            pure=False,
            **_scatter(client, shared),
        )
        where = {f.key: b for f, b in zip(futures, batches, strict=True)}
        try:
            for fut in as_completed(futures):
                for i, result in zip(where[fut.key], fut.result(), strict=True):
                    out[i] = result
                    bar.tick()
        except BaseException:
            client.cancel(futures)
            raise
        return out
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise IvrscoreError(f"jobs must be at least 1, not {jobs}")
    if jobs == 1 or n <= 1:
        for i, t in enumerate(tasks):
            out[i] = fn(t) if shared is NOTHING else fn(t, shared)
            bar.tick()
        return out
    from concurrent.futures import as_completed

    with _pool(min(jobs, n), shared) as pool:
        index = {pool.submit(_call, fn, t): i for i, t in enumerate(tasks)}
        try:
            for fut in as_completed(index):
                out[index[fut]] = fut.result()
                bar.tick()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return out


def imap_tasks(
    fn: Callable[[Any], Any],
    tasks: Sequence[Any],
    *,
    client: Any = None,
    jobs: int | None = None,
) -> Iterator[Any]:
    """Like :func:`run_tasks`, but yield each result as soon as it and every earlier one are
    done (task order), so a caller can print results as they come."""
    if client is not None:
        futures = client.map(fn, list(tasks), pure=False)
        try:
            for fut in futures:
                yield fut.result()
        finally:
            client.cancel(futures)
        return
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise IvrscoreError(f"jobs must be at least 1, not {jobs}")
    if jobs == 1 or len(tasks) <= 1:
        for t in tasks:
            yield fn(t)
        return
    with _pool(min(jobs, len(tasks))) as pool:
        futs = [pool.submit(fn, t) for t in tasks]
        try:
            for fut in futs:
                yield fut.result()
        except BaseException:  # an error, or the caller stopped early: drop what is left
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def seed_sequence(rng: Any) -> np.random.SeedSequence:
    """The root SeedSequence of ``rng`` (an int, None, a SeedSequence or a Generator)."""
    import numpy as np  # not with the module: lint and score of many files import this one

    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        seq = rng.bit_generator.seed_seq
        if isinstance(seq, np.random.SeedSequence):
            child: np.random.SeedSequence = seq.spawn(1)[0]
            return child
        return np.random.SeedSequence(int(rng.integers(2**63)))  # pragma: no cover
    return np.random.SeedSequence(rng)
