"""What-if sweeps: many variants of a tree scored at once, on a process pool or a Dask cluster.

A *point* is one variant of a tree: the tree with some fields set to new values (``edits``,
written as dotted paths into the file format: ``nodes.general_queue.staffing.agents``,
``callers.0.patience.mean_s``), or a whole other tree. :func:`sweep` checks every path first
(a bad path is an error naming it and the closest valid path, before anything runs), sends
the base trees to each worker once, and has the workers build each point's tree and score it
with the public engines (:func:`ivrscore.score`, which uses :func:`ivrscore.analyze` or
:func:`ivrscore.simulate`), one small task per point, on a local process pool (``jobs``
workers) or on a :class:`dask.distributed.Client`. Each point's random numbers come from its
own child of one :class:`numpy.random.SeedSequence` (``SeedSequence(rng).spawn(points)``), so
the results do not depend on how many workers ran them or in which order they finished.

One big simulation goes over the same workers with ``ivrscore.simulate(tree, calls=...,
client=...)`` or ``jobs=``: contiguous groups of its blocks of callers run on the workers and
their sums are merged in block order, so the numbers are exactly one process's
(:func:`simulate_chunked` is the same under its first name). Nothing else in ivrscore imports
dask.

Examples
--------
>>> import ivrscore as ivr
>>> tree = ivr.load(ivr.examples.path("gp_surgery"))
>>> s = ivr.sweep(tree, {"nodes.reception_queue.staffing.agents": [6, 8]}, jobs=1)
>>> [p.values["nodes.reception_queue.staffing.agents"] for p in s]
[6, 8]
>>> s[1].score > s[0].score
True
"""

from __future__ import annotations

import difflib
import html
import itertools
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np

from ._sweep_chunks import ChunkedSimulation, simulate_chunked
from ._sweep_paths import SweepPathError, _plain, apply_edits, check_path, parse_values
from ._sweep_pool import default_jobs, imap_tasks, run_tasks, seed_sequence
from .engine import TaskResult
from .exceptions import IvrscoreError, Problem, TreeFileError
from .model.tree import PhoneTree
from .score import score
from .standard import Standard

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "ChunkedSimulation",
    "Point",
    "Sweep",
    "SweepPathError",
    "apply_edits",
    "check_path",
    "default_jobs",
    "imap_tasks",
    "parse_values",
    "run_tasks",
    "simulate_chunked",
    "sweep",
]

Engine = Literal["analyze", "simulate"]

DEFAULT_CALLS = 100_000
"""Callers per point with ``engine="simulate"`` when ``calls`` is not given."""

QUEUE_FIGURES = (
    "offered_per_week",
    "agents_max",
    "asa_s",
    "service_level",
    "worst_service_level",
    "p_abandon",
    "occupancy",
)
"""Per staffed queue (or pool) of a tree with ``volume:``, what a point reports: calls offered
in the week, the most agents on duty in an hour, ASA, service level, abandonment and occupancy
averaged over the hours weighted by the calls offered, and the worst hour's service level."""


# -- points and their results ------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One point of a sweep: what was varied, and what the tree scored there.

    Attributes
    ----------
    index : int
        Position in the sweep (and of its seed among the spawned children).
    values : dict
        The path -> value edits of this point (empty for a whole tree).
    design : str or None
        The design's name, when the sweep has several trees.
    score, grade, stderr
        The :class:`~ivrscore.Report`'s score (0-100), grade and standard error.
    method : str
        ``"exact"`` or ``"simulation"`` (the engine that answered).
    outcomes, metrics : dict
        As in :class:`~ivrscore.Result` (simulation adds the ``p50_``/``p90_`` quantiles).
    tasks : dict
        Per task, a :class:`~ivrscore.engine.TaskResult`.
    queues : dict
        Per staffed queue or pool of a tree with ``volume:``, the :data:`QUEUE_FIGURES`.
    hourly : QueueHours or None
        The per-queue, per-hour figures themselves (see :class:`ivrscore.engine.dynamics.QueueHours`).
    no_nos : tuple of str
        The error-severity rules the tree breaks at this point.
    calls : int or None
        Callers simulated (None for the exact engine).
    """

    index: int
    values: dict[str, Any]
    design: str | None
    score: float
    grade: str
    stderr: float
    method: str
    outcomes: dict[str, float]
    metrics: dict[str, float]
    tasks: dict[str, TaskResult] = field(repr=False)
    queues: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)
    hourly: Any = field(default=None, repr=False, compare=False)
    no_nos: tuple[str, ...] = ()
    calls: int | None = None

    def label(self) -> str:
        """The point in words: ``design, path=value, ...`` (short keys: the last part)."""
        bits = [self.design] if self.design else []
        bits += [f"{_short(k)}={_show(v)}" for k, v in self.values.items()]
        return ", ".join(bits) or f"point {self.index}"

    def record(self) -> dict[str, Any]:
        """The point as one flat row: design, values, score, outcomes, metrics, queue figures."""
        row: dict[str, Any] = {}
        if self.design is not None:
            row["design"] = self.design
        row.update(self.values)
        row.update(score=self.score, grade=self.grade, score_stderr=self.stderr)
        row["method"] = self.method
        row.update(self.outcomes)
        row.update(self.metrics)
        for q, figures in self.queues.items():
            for k, v in figures.items():
                row[f"{q}.{k}"] = v
        return row


def _short(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def _show(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, str):
        return v
    return json.dumps(v, default=str) if isinstance(v, dict | list) else str(v)


def _queue_figures(hourly: Any) -> dict[str, dict[str, float]]:
    if hourly is None:
        return {}
    out: dict[str, dict[str, float]] = {}
    for i, name in enumerate(hourly.names):
        offered = np.asarray(hourly.offered[i], dtype=float)
        busy = offered > 0
        sl = np.asarray(hourly.service_level[i], dtype=float)
        worst = sl[busy & np.isfinite(sl)]
        out[name] = {
            "offered_per_week": float(offered.sum()),
            "agents_max": float(np.max(hourly.agents[i])),
            "asa_s": hourly.weighted(hourly.asa_s, i),
            "service_level": hourly.weighted(hourly.service_level, i),
            "worst_service_level": float(worst.min()) if worst.size else math.nan,
            "p_abandon": hourly.weighted(hourly.p_abandon, i),
            "occupancy": hourly.weighted(hourly.occupancy, i),
        }
    return out


@dataclass(frozen=True)
class _Shared:
    """What every point of a sweep needs alike; it reaches each worker once (see
    :func:`ivrscore._sweep_pool.run_tasks`), not with every task."""

    trees: tuple[PhoneTree, ...]
    engine: str
    calls: int | None
    standard: Standard | None


@dataclass(frozen=True)
class _Task:
    """One point, as a worker gets it: which base tree, its edits and its seed (a few hundred
    bytes pickled; the tree is built from them in the worker)."""

    index: int
    tree: int
    values: dict[str, Any]
    design: str | None
    seed: np.random.SeedSequence


class _PointBuildError(Exception):
    """A point's edited tree is invalid: its problems, carried from a worker to this process
    (where :func:`sweep` raises them as a :class:`~ivrscore.TreeFileError`)."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__(problems)
        self.problems = problems


def _point_label(tree: PhoneTree, index: int, values: Mapping[str, Any]) -> str:
    where = ", ".join(f"{k}={_show(v)}" for k, v in values.items())
    return f"{tree.file or tree.name} (sweep point {index}: {where})"


def _run_point(task: _Task, shared: _Shared) -> Point:
    """Build one point's tree and score it (a top-level function: safe to pickle for spawned
    processes and Dask)."""
    tree = shared.trees[task.tree]
    if task.values:
        try:
            tree = apply_edits(tree, task.values, label=_point_label(tree, task.index, task.values))
        except TreeFileError as exc:  # its own pickling loses the problems: carry them
            raise _PointBuildError(exc.problems) from None
    gen = np.random.default_rng(task.seed)
    # score() hands rng to simulate(), which takes any seed or Generator (SPEC 7)
    seed = cast(int, gen)
    try:
        if shared.engine == "simulate":
            calls = shared.calls or DEFAULT_CALLS
            report = score(tree, shared.standard, calls=calls, rng=seed)
        else:
            report = score(tree, shared.standard, rng=seed)
    except IvrscoreError as exc:
        where = ", ".join(f"{k}={_show(v)}" for k, v in task.values.items())
        raise IvrscoreError(f"sweep point {task.index} ({task.design or where}): {exc}") from None
    result = report.result
    metrics = dict(result.metrics)
    metrics.update(getattr(result, "quantiles", {}) or {})
    calls_done = getattr(result, "calls", None)
    return Point(
        index=task.index,
        values=task.values,
        design=task.design,
        score=float(report.score),
        grade=report.grade,
        stderr=float(report.stderr),
        method=result.method,
        outcomes=dict(result.outcomes),
        metrics=metrics,
        tasks=dict(result.tasks),
        queues=_queue_figures(result.hourly),
        hourly=result.hourly,
        no_nos=tuple(report.no_nos),
        calls=int(calls_done) if calls_done else None,
    )


# -- the sweep -----------------------------------------------------------------------------------


def _designs(
    tree: PhoneTree | Sequence[PhoneTree] | Mapping[str, PhoneTree],
) -> list[tuple[str | None, PhoneTree]]:
    if isinstance(tree, PhoneTree):
        return [(None, tree)]
    items = list(tree.items()) if isinstance(tree, Mapping) else [(t.name, t) for t in tree]
    if not items:
        raise IvrscoreError("sweep needs at least one tree")
    out: list[tuple[str | None, PhoneTree]] = []
    seen: dict[str, int] = {}
    for name, t in items:
        if not isinstance(t, PhoneTree):
            raise IvrscoreError(f"sweep's designs must be PhoneTrees, not {type(t).__name__}")
        seen[name] = seen.get(name, 0) + 1
        out.append((name if seen[name] == 1 else f"{name} #{seen[name]}", t))
    return out


def _expand(
    designs: list[tuple[str | None, PhoneTree]],
    grid: Mapping[str, Iterable[Any]] | Sequence[Mapping[str, Any] | PhoneTree] | None,
) -> list[tuple[str | None, PhoneTree, dict[str, Any]]]:
    """Every point as (design, base tree, edits), paths checked before any tree is built."""
    rows: list[tuple[str | None, PhoneTree, dict[str, Any]]] = []
    if grid is None:
        grid = {}
    if isinstance(grid, Mapping):
        paths = [str(p) for p in grid]
        columns = []
        for p in paths:
            values = grid[p]
            if isinstance(values, str | bytes) or not isinstance(values, Iterable):
                values = [values]
            vals = [_plain(v) for v in values]
            if not vals:
                raise IvrscoreError(f"path '{p}' has no values to sweep")
            columns.append(vals)
        for _, t in designs:
            for p in paths:
                check_path(t, p)
        for name, t in designs:
            for combo in itertools.product(*columns):
                rows.append((name, t, dict(zip(paths, combo, strict=True))))
        return rows
    if isinstance(grid, str | bytes) or not isinstance(grid, Sequence):
        raise IvrscoreError(
            "grid is a mapping of paths to values, or a list of edits (mappings) or trees, "
            f"not {type(grid).__name__}"
        )
    checked: set[tuple[int, str]] = set()  # each path once per tree, however many items give it
    for i, item in enumerate(grid):
        if isinstance(item, PhoneTree):
            rows.append((item.name, item, {}))
        elif isinstance(item, Mapping):
            for name, t in designs:
                for p in map(str, item):
                    if (id(t), p) not in checked:
                        check_path(t, p)
                        checked.add((id(t), p))
                rows.append((name, t, {str(k): _plain(v) for k, v in item.items()}))
        else:
            raise IvrscoreError(
                f"grid item {i} is a {type(item).__name__}: give a mapping of paths to values "
                "or a PhoneTree"
            )
    if any(isinstance(item, PhoneTree) for item in grid):  # whole trees: every row a design
        rows = [(name if name is not None else t.name, t, e) for name, t, e in rows]
    return rows


def _plan(
    tree: PhoneTree | Sequence[PhoneTree] | Mapping[str, PhoneTree],
    grid: Mapping[str, Iterable[Any]] | Sequence[Mapping[str, Any] | PhoneTree] | None,
    *,
    engine: str,
    calls: int | None,
    rng: int | np.random.Generator | np.random.SeedSequence | None,
    standard: Standard | None,
) -> tuple[_Shared, list[_Task], np.random.SeedSequence]:
    """The sweep's work: what the workers share (each base tree once), one small task per
    point (its edits and seed, no tree), and the root seed. Every path is checked here, once
    per tree; no point's tree is built here (the workers build them)."""
    designs = _designs(tree)
    rows = _expand(designs, grid)
    if not rows:
        rows = [(name, t, {}) for name, t in designs]
    trees: list[PhoneTree] = []
    number: dict[int, int] = {}  # id(base tree) -> its index in trees
    for _, t, _ in rows:
        if id(t) not in number:
            number[id(t)] = len(trees)
            trees.append(t)
    seq = seed_sequence(rng)
    children = seq.spawn(len(rows))
    tasks = [
        _Task(i, number[id(t)], edits, name, child)
        for i, ((name, t, edits), child) in enumerate(zip(rows, children, strict=True))
    ]
    return _Shared(tuple(trees), engine, calls, standard), tasks, seq


def sweep(
    tree: PhoneTree | Sequence[PhoneTree] | Mapping[str, PhoneTree],
    grid: Mapping[str, Iterable[Any]] | Sequence[Mapping[str, Any] | PhoneTree] | None = None,
    *,
    engine: Engine = "analyze",
    calls: int | None = None,
    rng: int | np.random.Generator | np.random.SeedSequence | None = None,
    standard: Standard | None = None,
    client: Any = None,
    jobs: int | None = None,
    progress: bool | None = None,
) -> Sweep:
    """Score a tree at every point of a grid of what-ifs, in parallel.

    Parameters
    ----------
    tree : PhoneTree, or a list (or name -> tree mapping) of them
        The design(s). With several, every grid point is run on each, and the results get a
        ``design`` column.
    grid : mapping or list
        ``{path: values}``: the Cartesian product of the values (paths as in
        :func:`check_path`, e.g. ``"nodes.general_queue.staffing.agents": range(10, 41)``);
        or a list whose items are edits (``{path: value}``) or whole trees.
    engine : {"analyze", "simulate"}
        ``"analyze"`` scores with the exact analysis (falling back to 100,000 simulated callers
        where patience is log-normal, as :func:`ivrscore.score` does); ``"simulate"``
        simulates ``calls`` callers per point.
    calls : int, optional
        Callers per point with ``engine="simulate"`` (default :data:`DEFAULT_CALLS`).
    rng : int, Generator, SeedSequence or None
        The seed. Point ``i`` simulates with ``default_rng(SeedSequence(rng).spawn(n)[i])``,
        so every point has its own stream and the numbers do not depend on ``jobs``, the
        cluster, or the order the points finish in. ``None`` takes fresh entropy (recorded in
        :attr:`Sweep.entropy`).
    standard : Standard, optional
        The Standard to score against (default: the built-in one).
    client : dask.distributed.Client, optional
        Run the points on this cluster (``pip install 'ivrscore[distributed]'``) instead of a
        local pool.
    jobs : int, optional
        Local worker processes (default: the cores). ``jobs=1`` runs in this process.
    progress : bool, optional
        A progress bar on stderr (default: in a terminal, for 10 points or more).

    Returns
    -------
    Sweep

    Raises
    ------
    SweepPathError
        A path names no field of a tree, before anything runs.
    TreeFileError
        A value makes a point's tree invalid (the message names the point and its values);
        the points not yet run are dropped.

    Notes
    -----
    The local pool forks its workers on Linux (they start with what this process has already
    imported), or forks them from a fork server started once per session where forking this
    process is unsafe (threads, macOS), or spawns them (Windows); in a script, call
    :func:`sweep` under ``if __name__ == "__main__":``. The paths are checked in this
    process, once each, before anything runs; the base trees, the Standard and the engine's
    settings go to each worker once, and each point is a small task (its values and seed)
    whose tree the worker builds, validates and scores, so this process does little more than
    collect the results.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("gp_surgery"))
    >>> s = ivr.sweep(tree, {"nodes.reception_queue.staffing.agents": [6, 7],
    ...                      "callers.0.patience.mean_s": [120, 600]}, jobs=1)
    >>> len(s), s.parameters
    (4, ('nodes.reception_queue.staffing.agents', 'callers.0.patience.mean_s'))
    >>> s[0].values, s[0].outcomes["abandoned"] > s[1].outcomes["abandoned"]
    ({'nodes.reception_queue.staffing.agents': 6, 'callers.0.patience.mean_s': 120}, True)
    """
    if engine not in ("analyze", "simulate"):
        raise IvrscoreError(f"engine must be 'analyze' or 'simulate', not {engine!r}")
    if calls is not None and calls < 1:
        raise IvrscoreError(f"calls must be at least 1, not {calls}")
    shared, tasks, seq = _plan(tree, grid, engine=engine, calls=calls, rng=rng, standard=standard)
    try:
        points = run_tasks(
            _run_point, tasks, client=client, jobs=jobs, progress=progress, shared=shared
        )
    except _PointBuildError as exc:
        raise TreeFileError(list(exc.problems)) from None
    parameters: list[str] = []
    for task in tasks:
        parameters += [p for p in task.values if p not in parameters]
    return Sweep(
        points=tuple(points),
        parameters=tuple(parameters),
        engine=engine,
        calls=calls if engine == "simulate" else None,
        entropy=seq.entropy if isinstance(seq.entropy, int) else None,
        has_designs=any(task.design is not None for task in tasks),
    )


@dataclass(frozen=True)
class Sweep:
    """The points of a sweep, in grid order, with their scores, outcomes and metrics.

    Attributes
    ----------
    points : tuple of Point
    parameters : tuple of str
        The paths varied, in grid order.
    engine : str
    calls : int or None
        Callers per point (simulation).
    entropy : int or None
        The root seed's entropy: ``sweep(..., rng=entropy)`` gives the same numbers again.
    """

    points: tuple[Point, ...]
    parameters: tuple[str, ...]
    engine: str
    calls: int | None = None
    entropy: int | None = None
    has_designs: bool = False

    def __len__(self) -> int:
        return len(self.points)

    def __iter__(self) -> Iterator[Point]:
        return iter(self.points)

    def __getitem__(self, i: int) -> Point:
        return self.points[i]

    @property
    def columns(self) -> list[str]:
        """The record's columns, in order (the union over the points)."""
        cols: list[str] = []
        for p in self.points:
            cols += [c for c in p.record() if c not in cols]
        return cols

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per point (see :meth:`Point.record`); no pandas needed."""
        cols = self.columns
        out = []
        for p in self.points:
            r = p.record()
            out.append({c: r.get(c, math.nan) for c in cols})
        return out

    def to_dataframe(self) -> Any:
        """One row per point as a pandas DataFrame (needs pandas: ``ivrscore[pandas]``)."""
        from .report._frames import pandas

        pd = pandas()
        records = self.to_records()
        frame = pd.DataFrame(records, columns=self.columns)
        frame.index.name = "point"
        return frame

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: ``{engine, calls, parameters, points: [record, ...]}`` (NaN as null)."""

        def clean(v: Any) -> Any:
            return None if isinstance(v, float) and not math.isfinite(v) else v

        return {
            "engine": self.engine,
            "calls": self.calls,
            "parameters": list(self.parameters),
            "points": [{k: clean(v) for k, v in r.items()} for r in self.to_records()],
        }

    def write(self, path: str | Path) -> None:
        """Write the records as ``.csv``, ``.json`` or ``.parquet`` (pandas and pyarrow)."""
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix == ".json":
            p.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        elif suffix == ".csv":
            import csv

            with p.open("w", newline="", encoding="utf-8") as f:
                w = csv.DictWriter(f, fieldnames=self.columns)
                w.writeheader()
                for r in self.to_records():
                    w.writerow({k: _cell(v) for k, v in r.items()})
        elif suffix == ".parquet":
            frame = self.to_dataframe()
            for c in self.parameters:  # rosters and other structured values as JSON text
                if frame[c].map(lambda v: isinstance(v, dict | list)).any():
                    frame[c] = frame[c].map(_cell)
            try:
                frame.to_parquet(p)
            except ImportError as exc:
                raise IvrscoreError(
                    f"{p}: writing parquet needs pyarrow (pip install pyarrow); "
                    "or write .csv or .json"
                ) from exc
        else:
            raise IvrscoreError(f"{p}: write .csv, .json or .parquet, not '{suffix or p.name}'")

    def column(self, name: str) -> list[Any]:
        """The values of one column (a full name, or a unique last part such as ``agents``)."""
        col = self._resolve(name)
        return [r.get(col, math.nan) for r in self.to_records()]

    def _resolve(self, name: str) -> str:
        cols = self.columns
        if name in cols:
            return name
        ends = [c for c in cols if c.endswith("." + name)]
        if len(ends) == 1:
            return ends[0]
        if len(ends) > 1:
            raise IvrscoreError(f"column '{name}' could be any of: {', '.join(ends)}")
        best = difflib.get_close_matches(name, cols, n=1)
        hint = f"; did you mean '{best[0]}'?" if best else f"; columns are: {', '.join(cols)}"
        raise IvrscoreError(f"no column '{name}' in this sweep{hint}")

    def plot(
        self,
        *,
        x: str,
        y: str = "score",
        hue: str | None = None,
        ax: Axes | None = None,
        **kwargs: Any,
    ) -> Axes:
        """A line of ``y`` against ``x`` for each value of ``hue`` (and of any other parameter
        that varies).

        Parameters
        ----------
        x, y : str
            Columns (see :meth:`column`): a parameter's path or its last part, ``score``, an
            outcome, a metric or a queue figure (``general_queue.asa_s``).
        hue : str, optional
            The column that tells the lines apart (default: the first other parameter).
        ax : matplotlib Axes, optional
            Draw here; by default on the current Axes (``plt.gca()``).
        **kwargs
            Passed to every :meth:`matplotlib.axes.Axes.plot` call.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        ax = ax if ax is not None else plt.gca()
        records = self.to_records()
        xc, yc = self._resolve(x), self._resolve(y)
        groups_by = [self._resolve(hue)] if hue else []
        varying = (["design"] if self.has_designs else []) + list(self.parameters)
        for c in varying:
            if c not in (xc, *groups_by) and len({_show(r[c]) for r in records}) > 1:
                groups_by.append(c)
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for r in records:
            groups.setdefault(tuple(_show(r[c]) for c in groups_by), []).append(r)
        for key, rows in groups.items():
            rows = sorted(rows, key=lambda r: _sortable(r[xc]))
            label = ", ".join(
                v if len(groups_by) == 1 else f"{_short(c)}={v}"
                for c, v in zip(groups_by, key, strict=True)
            )
            xs = [r[xc] for r in rows]
            if not all(isinstance(v, int | float) for v in xs):
                xs = [_show(v) for v in xs]
            ax.plot(xs, [r[yc] for r in rows], marker="o", label=label or None, **kwargs)
        ax.set_xlabel(_short(xc) if xc in self.parameters else xc)
        ax.set_ylabel(yc)
        if yc.startswith("p_") or yc in _SHARES:
            from matplotlib.ticker import PercentFormatter

            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_title(f"{yc} by {_short(xc)}" + (f" ({self.engine})" if self.engine else ""))
        if groups_by:
            ax.legend(title=", ".join(_short(c) for c in groups_by), fontsize="small")
        ax.grid(True, alpha=0.3)
        return ax

    def summary(self, limit: int = 40) -> str:
        """The points as a text table (the first ``limit`` rows)."""
        cols = (["design"] if self.has_designs else []) + list(self.parameters)
        head = [*(_short(c) for c in cols), "score", "grade", "abandoned", "disconnected"]
        rows = [
            [
                *(_show(p.values.get(c, p.design)) for c in cols),
                f"{p.score:.1f}",
                p.grade,
                f"{p.outcomes['abandoned']:.1%}",
                f"{p.outcomes['disconnected']:.1%}",
            ]
            for p in self.points[:limit]
        ]
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
        lines = [
            f"sweep of {len(self)} point(s), engine {self.engine}"
            + (f", {self.calls:,} callers each" if self.calls else ""),
            "  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True)),
        ]
        lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
        if len(self) > limit:
            lines.append(f"... {len(self) - limit} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (
            f"Sweep({len(self)} points, parameters={list(self.parameters)}, engine={self.engine!r})"
        )

    def _repr_html_(self) -> str:
        cols = (["design"] if self.has_designs else []) + list(self.parameters)
        head = "".join(f"<th>{html.escape(_short(c))}</th>" for c in cols)
        head += "<th>score</th><th>grade</th><th>abandoned</th><th>disconnected</th>"
        body = ""
        for p in self.points[:50]:
            cells = "".join(
                f"<td>{html.escape(_show(p.values.get(c, p.design)))}</td>" for c in cols
            )
            body += (
                f"<tr>{cells}<td>{p.score:.1f}</td><td>{html.escape(p.grade)}</td>"
                f"<td>{p.outcomes['abandoned']:.1%}</td>"
                f"<td>{p.outcomes['disconnected']:.1%}</td></tr>"
            )
        more = f"<p>… {len(self) - 50} more points</p>" if len(self) > 50 else ""
        return (
            f"<div><strong>sweep</strong> <em>({len(self)} points, {html.escape(self.engine)})"
            f"</em><table><tr>{head}</tr>{body}</table>{more}"
            f"<pre style='display:none'>{html.escape(self.summary())}</pre></div>"
        )


_SHARES = frozenset(
    (
        "resolved_self_service",
        "resolved_by_agent",
        "abandoned",
        "disconnected",
        "voicemail",
        "callback",
    )
)


def _sortable(v: Any) -> tuple[int, Any]:
    return (0, v) if isinstance(v, int | float) else (1, _show(v))


def _cell(v: Any) -> Any:
    if isinstance(v, dict | list | tuple):
        return json.dumps(v, default=str)
    return v
