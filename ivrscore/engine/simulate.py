"""Monte Carlo callers: one compiled kernel walks each caller through the step tables.

Each caller draws a task, a persona, a zero-out habit (``wants_human``), an arrival minute of
the week (by ``arrivals``, which fixes which schedules are open) and a patience, then walks the
compiled step tables (:mod:`ivrscore.engine._compile`, the tables :func:`ivrscore.analyze`
reads): each step picks an alternative from an alias table, samples its duration (fixed,
exponential, log-normal, or an Erlang A wait from the model of the caller's arrival hour),
spends patience while the caller is not yet being helped, and moves on. Any patience
distribution works here; with exponential patience the answers match :func:`ivrscore.analyze`.

The walk is :func:`ivrscore.engine._kernel.walk`, compiled by numba (plain Python with the same
numbers without it). Callers come in blocks of :data:`BLOCK`, each with its own random stream
spawned from the seed's ``SeedSequence``, so the numbers depend on the seed only: not on the
machine, nor on ``chunk``. The summary is added up inside the walk, so ``records=False`` runs
any number of callers in a few MB; quantiles come from histograms whose bins span 0.2%.
"""

from __future__ import annotations

import math
import os
import sys
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..exceptions import ArgumentError
from ..model.callers import Exponential, Lognormal, NoPatience
from ..model.schedule import DAYS
from ..model.tree import PhoneTree
from ..timeofday import minute_patterns
from ._compile import ABANDONED, EV_END, OUTCOMES, Compiled, compile_tree, stage_rates
from ._limits import BIN_BITS, BIN_LO, MAX_STEPS, N_BINS, N_HARMS, N_METRICS
from .ledger import Harms, _group, alt_node_types
from .results import METRICS, Result, TaskResult, _fmt

__all__ = ["BLOCK", "MAX_STEPS", "Simulation", "simulate"]

BLOCK = 1 << 16
"""Callers per random stream: block ``i`` of a run draws from child ``i`` of the seed's
``SeedSequence``."""

RECORDS_UP_TO = 20_000_000
"""Runs of more callers keep no per-caller records unless asked (``records=True``)."""

_RECORD_FIELDS = (
    ("task", np.int16),
    ("persona", np.int16),
    ("outcome", np.int8),
    ("time_s", np.float32),
    ("time_to_human_s", np.float32),
    ("time_to_resolution_s", np.float32),
    ("menus", np.int16),
    ("options_heard", np.int16),
    ("keypresses", np.int16),
    ("identity_prompts", np.int16),
    ("transfers", np.int16),
    ("repeated", np.bool_),
    ("out_of_hours_disconnected", np.bool_),
    ("arrival_minute", np.int16),
    ("steps", np.int32),
    ("ivr_s", np.float32),
    ("hold_s", np.float32),
    ("wants_human", np.bool_),
    ("end_alt", np.int32),
    ("prev_alt", np.int32),
)

_HARMS = (
    "ok_ivr_s", "ok_hold_s", "ok_transfers", "ok_repeated", "no_person", "cut_off",
    "cut_off_closed", "abandoned", "callback", "voicemail",
)  # fmt: skip
_QUANTILE_OF = ("time_s", "time_to_human_s", "time_to_resolution_s")


@dataclass(frozen=True)
class Simulation(Result):
    """Simulated outcomes and metrics, with per-caller records, quantiles and standard errors.

    Attributes
    ----------
    calls : int
        Callers simulated.
    quantiles : dict
        ``p50_*`` and ``p90_*`` of the time metrics (``p50_time_s`` ...).
    stderr : dict
        Standard error of each outcome share and metric.
    records : dict of numpy arrays
        One entry per caller (see :meth:`to_dataframe`); empty when the run kept none
        (``records=False``).
    seed : int
        The seed of the run (the one given, or the entropy drawn when none was): the same seed
        gives the same numbers.
    """

    calls: int = 0
    quantiles: dict[str, float] = field(default_factory=dict)
    stderr: dict[str, float] = field(default_factory=dict)
    records: dict[str, NDArray[Any]] = field(default_factory=dict, repr=False)
    seed: Any = field(default=None, repr=False)
    compiled: Compiled | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["calls"] = self.calls
        out["seed"] = self.seed if isinstance(self.seed, int) else None
        out["stderr"] = {k: (None if math.isnan(v) else v) for k, v in self.stderr.items()}
        out["metrics"].update(
            {k: (None if math.isnan(v) else v) for k, v in self.quantiles.items()}
        )
        return out

    def summary(self) -> str:
        """The result as text, with each outcome's and metric's standard error and the seed."""
        lines = super().summary().splitlines()
        for i, line in enumerate(lines):
            name = line.split()[0] if line.startswith("  ") and line.split() else ""
            se = self.stderr.get(name)
            if se is None or math.isnan(se) or name not in {**self.outcomes, **self.metrics}:
                continue
            shown = (
                f"{se:.2%}" if name in self.outcomes or name.startswith("p_") else _fmt(name, se)
            )
            lines[i] = f"{line}  ± {shown}"
            if name in self.metrics and not name.startswith("p_") and "time" not in name:
                lines[i] = f"{line}  ± {se:.3f}"
        q = "  ".join(f"{k} {_fmt(k, v)}" for k, v in self.quantiles.items() if "time_s" in k)
        seed = f"; seed {self.seed}" if isinstance(self.seed, int) else ""
        return "\n".join(
            [*lines, "", f"{self.calls:,} simulated callers (± one standard error){seed}", q]
        )

    def to_dataframe(self) -> Any:
        """The per-caller records as a pandas DataFrame (needs pandas: ``pip install pandas``).

        Columns: task, persona, outcome (names), time_s, time_to_human_s,
        time_to_resolution_s, menus, options_heard, keypresses, identity_prompts, transfers,
        repeated, out_of_hours_disconnected, arrival_day, arrival_minute, steps.
        """
        if not self.records:
            raise ValueError("this simulation kept no per-caller records (records=False)")
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_dataframe needs pandas: pip install pandas") from exc
        r = self.records
        tasks = list(self.tasks)
        internal = ("task", "persona", "outcome", "end_alt", "prev_alt")
        df = pd.DataFrame({k: v for k, v in r.items() if k not in internal})
        df.insert(0, "task", pd.Categorical.from_codes(r["task"], tasks))
        personas = [p.name for p in self.compiled.personas] if self.compiled else []
        df.insert(1, "persona", pd.Categorical.from_codes(r["persona"], personas))
        df.insert(2, "outcome", pd.Categorical.from_codes(r["outcome"], list(OUTCOMES)))
        df["arrival_day"] = pd.Categorical.from_codes(r["arrival_minute"] // 1440, list(DAYS))
        return df

    def paths(self, k: int = 5, *, rng: int | np.random.Generator | None = None) -> list[str]:
        """``k`` sample caller journeys in words, from the same caller model.

        Examples
        --------
        >>> import ivrscore as ivr
        >>> sim = ivr.simulate(ivr.load(ivr.examples.path("acme_redesign")), calls=1000, rng=1)
        >>> print(sim.paths(1, rng=2)[0][:60])
        caller 1 (...
        """
        if self.compiled is None:  # pragma: no cover
            raise ValueError("this simulation kept no compiled tree")
        gen = np.random.default_rng(rng if rng is not None else self.seed)
        tables = _Tables(self.compiled)
        return [_journey(tables, gen, i + 1) for i in range(k)]


def simulate(
    tree: PhoneTree,
    *,
    calls: int = 100_000,
    rng: int | np.random.Generator | None = None,
    chunk: int = 250_000,
    progress: bool | None = None,
    records: bool | None = None,
    client: Any = None,
    jobs: int | None = None,
) -> Simulation:
    """Simulate callers through a phone tree.

    Parameters
    ----------
    tree : PhoneTree
    calls : int, default 100,000
        Number of callers.
    rng : int, numpy.random.Generator or None
        Seed or generator (SPEC 7); the same seed gives the same numbers on every machine.
        A generator gives the numbers of the seed it was made from, then new ones each call.
    chunk : int, default 250,000
        Callers between progress updates (the numbers do not depend on it).
    progress : bool, optional
        Show a progress bar (tqdm) on stderr; by default only for runs of a million callers or
        more in a terminal or notebook, never when ``CI`` is set.
    records : bool, optional
        Keep one record per caller (about 52 bytes each; needed by :meth:`Simulation.paths`
        only for its tables, by :meth:`Simulation.to_dataframe` and by some plots). By default
        kept up to :data:`RECORDS_UP_TO` callers. Outcomes, metrics, standard errors, quantiles
        and harms are the same either way.
    client : dask.distributed.Client, optional
        Spread the callers over this cluster's workers (``pip install 'ivrscore[distributed]'``).
    jobs : int, optional
        Spread the callers over this many local worker processes (``jobs=1``, the default,
        runs in this process). With ``client`` or ``jobs`` the numbers are exactly those of
        one process with ``records=False``, for the same seed; no per-caller records are kept
        (see the "Sweeps and clusters" page).

    Returns
    -------
    Simulation

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("acme_telecom"))
    >>> sim = ivr.simulate(tree, calls=20_000, rng=7)
    >>> round(sum(sim.outcomes.values()), 9)
    1.0
    >>> sim.outcomes == ivr.simulate(tree, calls=20_000, rng=7, records=False).outcomes
    True
    """
    if client is not None or (jobs is not None and jobs != 1):  # blocks of callers on workers
        from .._sweep_simulate import simulate_spread

        return simulate_spread(
            tree, calls=calls, rng=rng, client=client, jobs=jobs, progress=progress, records=records
        )
    if not isinstance(calls, int | np.integer) or calls < 1:
        raise ArgumentError(f"calls must be a whole number of callers, at least 1 (got {calls!r})")
    keep = calls <= RECORDS_UP_TO if records is None else bool(records)
    seed, streams = _streams(rng, math.ceil(calls / BLOCK))
    tables = prepared(tree)
    c = tables.c
    sums = _Sums(c)
    out = _records(calls if keep else 1)
    bar = _progress_bar(progress, calls)
    since = 0
    for i, stream in enumerate(streams):
        lo = i * BLOCK
        n = min(BLOCK, calls - lo)
        state = stream.generate_state(4, np.uint64).astype(np.uint64)
        view = {k: v[lo : lo + n] for k, v in out.items()} if keep else out
        sums.add(tables.run(state, n, keep, view, sums))
        since += n
        if bar is not None and (since >= chunk or lo + n == calls):
            bar.update(since)
            since = 0
    if bar is not None:
        bar.close()
    return _summarise(tree, c, sums, out if keep else {}, seed)


_PREPARED: OrderedDict[int, _Tables] = OrderedDict()
"""The kernel tables of the last few trees simulated in this process, by ``id`` of the tree."""
_PREPARED_SIZE = 4


def prepared(tree: PhoneTree) -> _Tables:
    """The kernel's tables for ``tree``: compiled, with each queue's load solved hour by hour
    when the tree has a ``volume:``, kept for the next simulation of the same tree.

    Trees are frozen, so what is compiled from one does not change; the last
    :data:`_PREPARED_SIZE` trees simulated keep theirs (the tables hold the tree, so the
    ``id`` cannot be reused while they are kept). A second ``simulate`` of a tree skips the
    compile and the hour-by-hour queue solve (most of the set-up of acme_telecom).

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("gp_surgery"))
    >>> prepared(tree) is prepared(tree)
    True
    """
    key = id(tree)
    tables = _PREPARED.get(key)
    if tables is not None and tables.c.tree is tree:
        _PREPARED.move_to_end(key)
        return tables
    c = compile_tree(tree)
    if c.dynamic:  # each queue's load per hour, from the chain (log-normal patience as exponential)
        from .analyze import thetas_of
        from .dynamics import solve_week

        solve_week(c, thetas_of(c, approximate=True), c.alt_closed_after())
    from ._jit import warn_if_slow  # numba loads here, when something simulates

    warn_if_slow()
    tables = _Tables(c)
    _PREPARED[key] = tables
    while len(_PREPARED) > _PREPARED_SIZE:
        _PREPARED.popitem(last=False)
    return tables


def _streams(
    rng: int | np.random.Generator | None, n: int
) -> tuple[int, list[np.random.SeedSequence]]:
    """The run's seed and the ``SeedSequence`` of each block of callers.

    An int seeds ``SeedSequence(seed)`` and block ``i`` draws from its child ``i``. A
    generator's own ``SeedSequence`` spawns the children, so ``default_rng(42)`` gives the
    numbers of seed 42 the first time and new ones the next. ``None`` draws fresh entropy.
    """
    if isinstance(rng, np.random.Generator):
        ss = getattr(rng.bit_generator, "seed_seq", None) or getattr(
            rng.bit_generator, "_seed_seq", None
        )
        if not isinstance(ss, np.random.SeedSequence):  # a generator made from a state
            ss = np.random.SeedSequence(int(rng.integers(0, 2**63)))
        seed = ss.entropy if ss.n_children_spawned == 0 else None
        kids = ss.spawn(n)
        return (int(seed) if isinstance(seed, int) else _entropy_of(kids)), kids
    if rng is not None and not isinstance(rng, int | np.integer):
        raise TypeError(f"rng must be an int seed or a numpy Generator, not {type(rng).__name__}")
    ss = np.random.SeedSequence(None if rng is None else int(rng))
    assert isinstance(ss.entropy, int)
    return int(ss.entropy), ss.spawn(n)


def _entropy_of(kids: list[np.random.SeedSequence]) -> int:
    """A seed to report for a run drawn from a generator that had already spawned streams."""
    return int(kids[0].generate_state(2, np.uint64).astype(object).sum()) if kids else 0


def _progress_bar(progress: bool | None, calls: int) -> Any:
    if progress is None:
        interactive = sys.stderr.isatty() or "ipykernel" in sys.modules
        progress = calls >= 1_000_000 and interactive and not os.environ.get("CI")
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=calls, unit=" callers", unit_scale=True, file=sys.stderr, desc="simulating")


def _records(n: int) -> dict[str, NDArray[Any]]:
    return {name: np.empty(n, dtype=dtype) for name, dtype in _RECORD_FIELDS}


class _Sums:
    """What the summary needs, added up over blocks of callers (in block order)."""

    def __init__(self, c: Compiled) -> None:
        t = len(c.task_names)
        self.n_tasks = t
        self.task_outcomes = np.zeros((t, len(OUTCOMES)), dtype=np.int64)
        self.metric_sums = np.zeros((t, N_METRICS, 3))
        self.harm_sums = np.zeros(N_HARMS)
        self.harm_cross = np.zeros((N_HARMS, N_HARMS))
        self.causes = np.zeros(c.alt_prob.size * 16, dtype=np.int64)
        self.hist = np.zeros((3, N_BINS), dtype=np.int64)
        self.steps = 0

    def fresh(self) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Zeroed float sums for one block (added to the totals afterwards, in block order)."""
        return (
            np.zeros_like(self.metric_sums),
            np.zeros_like(self.harm_sums),
            np.zeros_like(self.harm_cross),
        )

    def add(self, block: tuple[Any, ...]) -> None:
        steps, metric, harm, cross = block
        self.steps += steps
        self.metric_sums += metric
        self.harm_sums += harm
        self.harm_cross += cross


class _Tables:
    """The kernel's arguments for one compiled tree."""

    def __init__(self, c: Compiled) -> None:
        from . import _kernel as _k
        from ._kernel import alias_tables

        self.c = c
        # who calls: (task, persona, zero-out habit) drawn as one pick from their joint law
        tasks = np.asarray(c.tree.task_shares(), dtype=np.float64)
        shares = np.array([p.share for p in c.personas], dtype=float)
        personas = shares / shares.sum()
        wants = np.array([p.wants_human for p in c.personas], dtype=np.float64)
        n_t, n_p = tasks.size, personas.size
        who = np.stack([1.0 - wants, wants], axis=1) * personas[:, None]  # (persona, zo)
        joint = (tasks[:, None, None] * who[None, :, :]).reshape(-1)  # (task, persona, zo)
        self.who_cut, self.who_other = alias_tables(
            joint / joint.sum(), np.array([0, joint.size], dtype=np.int64)
        )
        grid = np.indices((n_t, n_p, 2)).reshape(3, -1)
        self.who_task = grid[0].astype(np.int64)
        self.who_persona = grid[1].astype(np.int64)
        self.who_zo = grid[2].astype(np.bool_)
        rows: list[tuple[int, float, float]] = []  # (kind, a, b) of each persona's patience
        for p in c.personas:
            pat = p.patience
            if isinstance(pat, Exponential):
                rows.append((0, pat.mean_s, 0.0))
            elif isinstance(pat, Lognormal):
                rows.append((1, math.log(pat.median_s), pat.sigma))
            else:
                assert isinstance(pat, NoPatience)
                rows.append((2, 0.0, 0.0))
        self.pat_kind = np.array([r[0] for r in rows], dtype=np.int64)
        self.pat_a = np.array([r[1] for r in rows], dtype=np.float64)
        self.pat_b = np.array([r[2] for r in rows], dtype=np.float64)
        pats, minute_pattern = minute_patterns(c.tree)
        self.minute_pattern = np.ascontiguousarray(minute_pattern, dtype=np.int32)
        # the arrival minute matters only with more than one pattern of open schedules, with
        # queues modelled hour by hour, or for the records: else its draw is made, not used
        self.timed = len(pats) > 1 or bool(c.hourly)
        by_hour = c.tree.arrival_weights().reshape(-1).astype(np.float64)  # even within an hour
        self.hour_cut, self.hour_other = alias_tables(
            by_hour / by_hour.sum(), np.array([0, by_hour.size], dtype=np.int64)
        )
        shape = (len(c.task_names), len(c.personas), 2, len(pats))
        start = np.full(shape, -1, np.int64)
        for ch in c.chains:
            start[ch.task, ch.persona, int(ch.zero_outer), ch.pattern] = ch.start
        self.start_table = start.reshape(-1, len(pats))  # by the joint pick of who calls
        # the steps
        self.alt_start = c.alt_start.astype(np.int64)
        alias_cut, alias_other = alias_tables(c.alt_prob.astype(np.float64), self.alt_start)
        self.alt_f = np.ascontiguousarray(
            np.stack([c.alt_fixed, c.alt_a, c.alt_b, alias_cut], axis=1), dtype=np.float64
        )
        nxt = c.alt_next.astype(np.int64)
        ends = nxt < 0
        flags = (
            c.alt_patience.astype(np.int64)
            | c.alt_human.astype(np.int64) << 1
            | (alt_node_types(c) == "queue").astype(np.int64) << 2
            | c.alt_closed_after().astype(np.int64) << 3
            | (c.alt_event == EV_END).astype(np.int64) << 4
            | (c.alt_repeat != 0).astype(np.int64) << 5
            | c.alt_kind.astype(np.int64) << 8
            | np.where(ends, c.alt_outcome, 0).astype(np.int64) << 12
        )
        # the next state as its first alternative and their number (0: the call ends here),
        # so a step reads one row of ints and no per-state table
        to = np.where(ends, 0, nxt)
        next_lo = np.where(ends, -1, self.alt_start[to])
        next_width = np.where(ends, 0, self.alt_start[to + 1] - self.alt_start[to])
        if np.any(next_width[~ends] < 1):  # pragma: no cover - compile_tree gives none
            raise AssertionError("a state without alternatives")
        cols = {
            _k.A_NEXT: next_lo, _k.A_WIDTH: next_width, _k.A_FLAGS: flags,
            _k.A_MENUS: c.alt_menus, _k.A_OPTIONS: c.alt_options, _k.A_KEYS: c.alt_keys,
            _k.A_IDENTITY: c.alt_identity, _k.A_TRANSFERS: c.alt_transfers,
            _k.A_OTHER: alias_other, _k.A_STATE: c.alt_state,
        }  # fmt: skip
        self.alt_i = _aligned_rows(nxt.size, _k.A_COLS)
        for col, values in cols.items():
            self.alt_i[:, col] = values
        self.counted = sum(
            1 << k for k, col in enumerate(_k._COUNTED) if np.any(self.alt_i[:, col] != 0)
        )
        self.state_human = c.state_human.astype(np.bool_)
        self.state_closed = c.state_closed.astype(np.bool_)
        # Erlang A waits per slot and hour of the week (the same model every hour without
        # dynamics): P(wait), and per hour a run of (cumulative law of callers ahead, rates)
        hourly = c.hourly or [[q] * 168 for q in c.queues]
        pwait, off, size, cum, rate = [], [], [], [], []
        at = 0
        for hours in hourly:
            for q in hours:
                ahead = np.cumsum(q.ahead_distribution())
                pwait.append(q.p_wait)
                off.append(at)
                size.append(ahead.size)
                cum.append(ahead)
                rate.append(stage_rates(q))
                at += ahead.size
        self.q_pwait = np.array(pwait, dtype=np.float64)
        self.q_off = np.array(off, dtype=np.int64)
        self.q_len = np.array(size, dtype=np.int64)
        self.q_cum = np.concatenate(cum).astype(np.float64) if cum else np.zeros(0)
        self.q_rate = np.concatenate(rate).astype(np.float64) if rate else np.zeros(0)
        self.no_trace = (np.zeros(0, dtype=np.int64), np.zeros(0))

    def run(
        self,
        state: NDArray[np.uint64],
        n: int,
        keep: bool,
        r: dict[str, NDArray[Any]],
        sums: _Sums,
        trace: tuple[NDArray[np.int64], NDArray[np.float64]] | None = None,
    ) -> tuple[int, NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Walk ``n`` callers drawing from the generator ``state`` (advanced in place);
        returns the steps and this block's float sums."""
        from ._kernel import walk

        metric, harm, cross = sums.fresh()
        recs = tuple(r[name] for name, _ in _RECORD_FIELDS) if keep else None
        # two compiled variants of the walk: with records (and a trace, empty unless asked) or
        # with neither (numba prunes their branches when they are None)
        if keep:
            trace_alt, trace_s = trace if trace is not None else self.no_trace
        else:
            trace_alt, trace_s = None, None
        with np.errstate(over="ignore"):  # plain Python: uint64 products wrap, as compiled
            steps = walk(
            state, n, keep or self.timed, self.counted,
            self.who_cut, self.who_other, self.who_task, self.who_persona, self.who_zo,
            self.pat_kind, self.pat_a, self.pat_b, self.hour_cut, self.hour_other,
            self.minute_pattern, self.start_table,
            self.alt_start, self.alt_f, self.alt_i, self.state_human, self.state_closed,
            self.q_pwait, self.q_off, self.q_len, self.q_cum, self.q_rate,
            recs,
            sums.task_outcomes, metric, harm, cross, sums.causes, sums.hist,
            trace_alt, trace_s,
        )  # fmt: skip
        return int(steps), metric, harm, cross


def _aligned_rows(n: int, cols: int) -> NDArray[np.int32]:
    """A zeroed ``(n, cols)`` int32 array whose rows start on 64-byte boundaries (one cache
    line a row when ``cols`` is 16)."""
    raw = np.zeros(n * cols + 16, dtype=np.int32)
    skip = (-raw.ctypes.data % 64) // 4
    return raw[skip : skip + n * cols].reshape(n, cols)


def _quantile(hist: NDArray[np.int64], q: float) -> float:
    """The ``q`` quantile (0-1) of the times counted in a histogram of :func:`_kernel._bin`
    bins: the middle of the bin it falls in (0 in the first bin), within 0.1%."""
    total = int(hist.sum())
    if not total:
        return math.nan
    b = int(np.searchsorted(np.cumsum(hist), q * total, side="left"))
    return 0.0 if b == 0 else bin_middle(b)


def bin_middle(b: int) -> float:
    """The middle of histogram bin ``b >= 1``: bins cut each octave of times into
    ``2**BIN_BITS`` equal parts, from :data:`BIN_LO` up.

    Examples
    --------
    >>> bin_middle(1) == BIN_LO * (1 + 2.0**-10)
    True
    >>> round(bin_middle(1 + 10 * 2**9), 6)  # the first bin of the octave from 1 s
    1.000977
    """
    octave, part = divmod(b - 1, 1 << BIN_BITS)
    return math.ldexp(BIN_LO, octave) * (1.0 + (part + 0.5) / (1 << BIN_BITS))


def _group_stats(
    outcome_counts: NDArray[np.int64], msums: NDArray[np.float64]
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """Outcome shares, metric means and their standard errors from one group's sums."""
    total = float(outcome_counts.sum())
    outcomes = {
        name: (float(outcome_counts[j] / total) if total else math.nan)
        for j, name in enumerate(OUTCOMES)
    }
    stderr = {
        name: math.sqrt(p * (1 - p) / total) if total else math.nan for name, p in outcomes.items()
    }
    metrics = {}
    for m, name in enumerate(METRICS):
        n, s1, s2 = (float(x) for x in msums[m])
        if n == 0:
            metrics[name], stderr[name] = math.nan, math.nan
            continue
        mean = s1 / n
        var = max(s2 / n - mean * mean, 0.0) * n / (n - 1) if n > 1 else math.nan
        metrics[name] = float(mean)
        stderr[name] = math.sqrt(var / n) if n > 1 else math.nan
    return outcomes, metrics, stderr


def _harms(c: Compiled, sums: _Sums, n: int) -> Harms:
    """The :class:`Harms` of the simulated calls from the sums (means, standard errors,
    covariance, and the lost and deferred calls by cause)."""
    s1, cross = sums.harm_sums, sums.harm_cross
    means = s1 / n
    if n > 1:
        cov = (cross - np.outer(s1, s1) / n) / (n - 1) / n
        stderr = {k: float(math.sqrt(max(cov[i, i], 0.0))) for i, k in enumerate(_HARMS)}
    else:
        cov = np.full((N_HARMS, N_HARMS), np.nan)
        stderr = dict.fromkeys(_HARMS, math.nan)
    idx = np.flatnonzero(sums.causes)
    src = idx // 16
    outcome = (idx % 16) // 4 + ABANDONED
    via = (idx & 2) != 0
    closed = (idx & 1) != 0
    share = sums.causes[idx] / max(n, 1)
    causes = _group(c, alt_node_types(c), src, outcome, via, closed, share)
    m = {k: float(means[i]) for i, k in enumerate(_HARMS)}
    return Harms.of_means(m, causes=causes, stderr=stderr, covariance=(_HARMS, cov))


def _summarise(
    tree: PhoneTree, c: Compiled, sums: _Sums, records: dict[str, NDArray[Any]], seed: int
) -> Simulation:
    per_task = [
        _group_stats(sums.task_outcomes[t], sums.metric_sums[t]) for t in range(sums.n_tasks)
    ]
    outcomes, metrics, stderr = _group_stats(
        sums.task_outcomes.sum(axis=0), sums.metric_sums.sum(axis=0)
    )
    n = int(sums.task_outcomes.sum())
    tasks = {t: TaskResult(o, m) for t, (o, m, _) in zip(c.task_names, per_task, strict=True)}
    counts = sums.task_outcomes.sum(axis=1)
    shares = {t: float(counts[i] / n) for i, t in enumerate(c.task_names)}
    quantiles = {
        f"p{q}_{name}": _quantile(sums.hist[k], q / 100)
        for k, name in enumerate(_QUANTILE_OF)
        for q in (50, 90)
    }
    return Simulation(
        harms=_harms(c, sums, n),
        name=tree.name,
        method="simulation",
        outcomes=outcomes,
        metrics=metrics,
        tasks=tasks,
        task_shares=shares,
        calls=n,
        quantiles=quantiles,
        stderr=stderr,
        records=records,
        seed=seed,
        compiled=c,
    )


def _journey(tables: _Tables, gen: np.random.Generator, number: int, limit: int = 200) -> str:
    """One caller's journey in words: the kernel's walk of one caller, traced."""
    c = tables.c
    r = _records(1)
    trace = (np.full(limit, -1, dtype=np.int64), np.zeros(limit))
    state = (
        np.random.SeedSequence(int(gen.integers(0, 2**63)))
        .generate_state(4, np.uint64)
        .astype(np.uint64)
    )
    tables.run(state, 1, True, r, _Sums(c), trace)
    task, persona = int(r["task"][0]), int(r["persona"][0])
    minute, zo = int(r["arrival_minute"][0]), bool(r["wants_human"][0])
    day, mins = divmod(minute, 1440)
    head = (
        f"caller {number} ({c.task_names[task]}, {c.personas[persona].name}"
        f"{', takes zero-outs' if zo else ''}, {DAYS[day].capitalize()} {mins // 60:02d}:{mins % 60:02d})"
    )
    n_steps = int(r["steps"][0])
    outcome, end = int(r["outcome"][0]), int(r["end_alt"][0])
    steps, clock = [], 0.0
    for k in range(min(n_steps, limit)):
        alt, d = int(trace[0][k]), float(trace[1][k])
        clock += d
        quit_here = k == n_steps - 1 and outcome == ABANDONED and end >= 0
        steps.append(
            f"{c.alt_label(alt)} but hung up after {d:.0f} s"
            if quit_here
            else f"{c.alt_label(alt)} ({d:.0f} s)"
        )
    if n_steps > limit or end < 0:
        return f"{head}: " + " → ".join(steps) + f" → still in the tree after {limit} steps"
    out = OUTCOMES[outcome].replace("_", " ")
    return f"{head}: " + " → ".join(steps) + f" → {out} at {clock / 60:.1f} min"
