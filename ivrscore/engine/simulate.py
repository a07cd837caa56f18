"""Monte Carlo callers, vectorised with numpy: one array row per caller, no Python loop per caller.

Each caller draws a task, a persona, a zero-out habit (``wants_human``), an arrival minute of
the week (by ``arrivals``, which fixes which schedules are open) and a patience. All callers then
walk the compiled step tables (:mod:`ivrscore.engine._compile`) together: each round draws every
active caller's next alternative by one ``searchsorted`` over the concatenated cumulative
probabilities, samples its duration (fixed, exponential, log-normal, or an Erlang A wait), spends
patience while the caller is not yet being helped, and moves the caller on. Any patience
distribution works here; with exponential patience the answers match :func:`ivrscore.analyze`.

Callers are processed in chunks (default 250,000) so ten million fit in a few GB; the same
``rng`` gives the same numbers.
"""

from __future__ import annotations

import math
import os
import sys
import time as _time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..model.callers import Exponential, Lognormal, NoPatience
from ..model.schedule import DAYS
from ..model.tree import PhoneTree
from ..timeofday import minute_patterns
from ._compile import (
    ABANDONED,
    D_ERLANG,
    D_EXP,
    D_LOGNORMAL,
    DISCONNECTED,
    OUTCOMES,
    R_AGENT,
    R_SELF,
    Compiled,
    compile_tree,
    stage_rates,
)
from .ledger import alt_node_types, harms_from_calls
from .results import METRICS, Result, TaskResult, _fmt

__all__ = ["Simulation", "simulate"]

MAX_STEPS = 100_000
"""A caller still in the tree after this many steps is counted as abandoned (a loop that only
patience could end, and these callers have none)."""

_FOLD_EVERY = 32  # steps between folding the step log into per-caller totals (bounds memory)

_COUNTS = ("menus", "options", "keys", "identity", "transfers", "repeat", "steps")

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
        One entry per caller (see :meth:`to_dataframe`).
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
        out["metrics"].update(
            {k: (None if math.isnan(v) else v) for k, v in self.quantiles.items()}
        )
        return out

    def summary(self) -> str:
        text = super().summary()
        q = "  ".join(f"{k} {_fmt(k, v)}" for k, v in self.quantiles.items() if "time_s" in k)
        return f"{text}\n\n{self.calls:,} simulated callers; {q}"

    def to_dataframe(self) -> Any:
        """The per-caller records as a pandas DataFrame (needs pandas: ``pip install pandas``).

        Columns: task, persona, outcome (names), time_s, time_to_human_s,
        time_to_resolution_s, menus, options_heard, keypresses, identity_prompts, transfers,
        repeated, out_of_hours_disconnected, arrival_day, arrival_minute, steps.
        """
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
        sampler = _Sampler(self.compiled)
        return [_journey(sampler, gen, i + 1) for i in range(k)]


def simulate(
    tree: PhoneTree,
    *,
    calls: int = 100_000,
    rng: int | np.random.Generator | None = None,
    chunk: int = 250_000,
    progress: bool | None = None,
) -> Simulation:
    """Simulate callers through a phone tree.

    Parameters
    ----------
    tree : PhoneTree
    calls : int, default 100,000
        Number of callers.
    rng : int, numpy.random.Generator or None
        Seed or generator (SPEC 7); the same seed gives the same numbers.
    chunk : int, default 250,000
        Callers simulated at once (memory is about 200 bytes per caller in a chunk).
    progress : bool, optional
        Show a progress line on stderr; by default only for runs of a million callers or more
        in an interactive terminal, never when ``CI`` is set.

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
    >>> sim.outcomes == ivr.simulate(tree, calls=20_000, rng=7).outcomes
    True
    """
    if calls < 1:
        raise ValueError("calls must be at least 1")
    seed = rng
    gen = np.random.default_rng(rng)
    c = compile_tree(tree)
    if c.dynamic:  # each queue's load per hour, from the chain (log-normal patience as exponential)
        from .analyze import thetas_of
        from .dynamics import solve_week

        solve_week(c, thetas_of(c, approximate=True), c.alt_closed_after())
    sampler = _Sampler(c)
    n_chunks = math.ceil(calls / chunk)
    show = _want_progress(progress, calls)
    started = _time.perf_counter()
    parts = []
    for i in range(n_chunks):
        n = min(chunk, calls - i * chunk)
        parts.append(sampler.run(n, gen))
        if show:
            done = min(calls, (i + 1) * chunk)
            rate = done / max(_time.perf_counter() - started, 1e-9)
            print(
                f"\rsimulating: {done:,}/{calls:,} callers ({rate:,.0f}/s)", end="", file=sys.stderr
            )
    if show:
        print(file=sys.stderr)
    records = {name: np.concatenate([p[name] for p in parts]) for name, _ in _RECORD_FIELDS}
    return _summarise(tree, c, records, seed)


def _want_progress(progress: bool | None, calls: int) -> bool:
    if progress is not None:
        return progress
    if os.environ.get("CI"):
        return False
    return calls >= 1_000_000 and sys.stderr.isatty()


class _Sampler:
    """The vectorised kernel over one compiled tree."""

    def __init__(self, c: Compiled) -> None:
        self.c = c
        # cumulative probabilities within each state, as keys ``state + cum`` for searchsorted
        running = np.cumsum(c.alt_prob)
        first = c.alt_start[c.alt_state]
        last = c.alt_start[c.alt_state + 1] - 1
        before = np.where(first > 0, running[np.maximum(first - 1, 0)], 0.0)
        cum = (running - before) / (running[last] - before)
        self.keys = c.alt_state + cum  # for the one-caller journeys
        self.count = np.diff(c.alt_start).astype(np.float64)
        self.alt_human = c.alt_human
        self.alt_outcome = c.alt_outcome.astype(np.int8)
        self.alias_cut, self.alias_other = _alias_tables(c)
        self.closed_after = c.alt_closed_after()
        self.alt_queue = alt_node_types(c) == "queue"
        pats, self.minute_pattern = minute_patterns(c.tree)
        self.minute_weights = np.repeat(c.tree.arrival_weights().reshape(-1) / 60.0, 60)
        self.minute_weights /= self.minute_weights.sum()
        self.start = {(ch.task, ch.persona, ch.zero_outer, ch.pattern): ch.start for ch in c.chains}
        self.start_table = np.full((len(c.task_names), len(c.personas), 2, len(pats)), -1, np.int64)
        for (t, p, z, k), s in self.start.items():
            self.start_table[t, p, int(z), k] = s
        self.task_cum = np.cumsum(c.tree.task_shares())
        shares = np.array([p.share for p in c.personas], dtype=float)
        self.persona_cum = np.cumsum(shares / shares.sum())
        self.wants_human = np.array([p.wants_human for p in c.personas])
        # per queue slot and hour of the week (the same model every hour without dynamics)
        hourly = c.hourly or [[q] * 168 for q in c.queues]
        self.erlang = [
            [(q.p_wait, np.cumsum(q.ahead_distribution()), stage_rates(q)) for q in hours]
            for hours in hourly
        ]

    def _draw_patience(
        self, persona: NDArray[np.int64], gen: np.random.Generator
    ) -> NDArray[np.float64]:
        out = np.empty(persona.size)
        for i, p in enumerate(self.c.personas):
            sel = persona == i
            m = int(sel.sum())
            if not m:
                continue
            pat = p.patience
            if isinstance(pat, Exponential):
                out[sel] = gen.exponential(pat.mean_s, m)
            elif isinstance(pat, Lognormal):
                out[sel] = np.exp(math.log(pat.median_s) + pat.sigma * gen.standard_normal(m))
            else:
                assert isinstance(pat, NoPatience)
                out[sel] = np.inf
        return out

    def _durations(
        self, alt: NDArray[np.int64], gen: np.random.Generator, hour: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        c = self.c
        d: NDArray[np.float64] = c.alt_fixed[alt].copy()
        kind = c.alt_kind[alt]
        sel = np.flatnonzero(kind == D_EXP)
        if sel.size:
            d[sel] += gen.exponential(1.0, sel.size) * c.alt_a[alt[sel]]
        sel = np.flatnonzero(kind == D_LOGNORMAL)
        if sel.size:
            d[sel] += np.exp(c.alt_a[alt[sel]] + c.alt_b[alt[sel]] * gen.standard_normal(sel.size))
        sel = np.flatnonzero(kind == D_ERLANG)
        if sel.size:
            queue = c.alt_a[alt[sel]].astype(np.int64) * 168 + hour[sel]
            for key in np.unique(queue):
                rows = sel[queue == key]
                d[rows] += self._erlang_wait(int(key) // 168, int(key) % 168, rows.size, gen)
        return d

    def _erlang_wait(
        self, qi: int, hour: int, n: int, gen: np.random.Generator
    ) -> NDArray[np.float64]:
        """Offered waits at an Erlang A queue: no wait with prob 1 - P(wait); else ``k`` callers
        ahead (stationary law at arrival) and stages of rates ``N mu + j theta``, j = k..0."""
        p_wait, ahead_cum, rates = self.erlang[qi][hour]
        wait = np.zeros(n)
        waits = np.flatnonzero(gen.random(n) < p_wait)
        if not waits.size:
            return wait
        k = np.minimum(
            np.searchsorted(ahead_cum, gen.random(waits.size) * ahead_cum[-1]), rates.size - 1
        )
        total = np.zeros(waits.size)
        for j in range(int(k.max()) + 1):
            still = np.flatnonzero(k >= j)
            total[still] += gen.exponential(1.0, still.size) / rates[j]
        wait[waits] = total
        return wait

    @staticmethod
    def _packed(
        attr: dict[str, NDArray[Any]],
    ) -> tuple[list[NDArray[np.float64]], dict[str, tuple[int, int, int]]]:
        """Each alternative's counters packed into float64 words (see :func:`_pack_layout`),
        wide enough for a caller's total over :data:`MAX_STEPS` steps."""
        widths = {
            name: max(1, int(max(int(v.max()), 1) * MAX_STEPS).bit_length()) if v.size else 1
            for name, v in attr.items()
        }
        layout = _pack_layout(widths)
        n_words = 1 + max(w for w, _, _ in layout.values())
        packed = [np.zeros(next(iter(attr.values())).size, dtype=np.int64) for _ in range(n_words)]
        for name, (w, shift, _mask) in layout.items():
            packed[w] |= attr[name].astype(np.int64) << shift
        return [p.astype(np.float64) for p in packed], layout

    def run(self, n: int, gen: np.random.Generator) -> dict[str, NDArray[Any]]:
        """Simulate ``n`` callers; returns their records.

        The loop keeps only the callers still in the tree, in compact arrays (state, patience
        left, clock, caller id), and logs each step's ``(caller, alternative)``; the counts
        (menus, keys, ...) are added up once at the end with ``bincount``.
        """
        c = self.c
        task = np.searchsorted(self.task_cum, gen.random(n) * self.task_cum[-1], side="right")
        task = np.minimum(task, len(c.task_names) - 1)
        persona = np.minimum(
            np.searchsorted(self.persona_cum, gen.random(n) * self.persona_cum[-1], side="right"),
            len(c.personas) - 1,
        )
        zo = gen.random(n) < self.wants_human[persona]
        minute = gen.choice(self.minute_weights.size, size=n, p=self.minute_weights)
        pattern = self.minute_pattern[minute]
        hour_of = (minute // 60).astype(np.int64)
        start = self.start_table[task, persona, zo.astype(np.int64), pattern]
        assert (start >= 0).all()
        outcome = np.full(n, ABANDONED, dtype=np.int8)
        clock_out = np.zeros(n)
        t_human = np.where(c.state_human[start], 0.0, np.nan)
        t_resolved = np.full(n, np.nan)
        ooh = np.zeros(n, dtype=bool)
        quit_alt = np.full(n, -1, dtype=np.int64)
        end_alt = np.full(n, -1, dtype=np.int64)
        prev_alt = np.full(n, -1, dtype=np.int64)
        ivr_s = np.zeros(n)
        hold_s = np.zeros(n)
        last = np.full(n, -1, dtype=np.int64)  # compact: each active caller's previous alternative
        # compact arrays of the callers still in the tree
        ids = np.arange(n)
        state = start.copy()
        left = self._draw_patience(persona, gen)
        clock = np.zeros(n)
        log_ids: list[NDArray[np.int64]] = []
        log_alts: list[NDArray[np.int64]] = []
        attr: dict[str, NDArray[Any]] = {
            "menus": c.alt_menus,
            "options": c.alt_options,
            "keys": c.alt_keys,
            "identity": c.alt_identity,
            "transfers": c.alt_transfers,
            "repeat": c.alt_repeat,
            "steps": np.ones(c.alt_prob.size, dtype=np.int64),
        }
        words, layout = self._packed(attr)
        word_sums = [np.zeros(n) for _ in words]

        def fold() -> None:
            if not log_ids:
                return
            all_ids, all_alts = np.concatenate(log_ids), np.concatenate(log_alts)
            for total, word in zip(word_sums, words, strict=True):
                total += np.bincount(all_ids, weights=word[all_alts], minlength=n)
            log_ids.clear()
            log_alts.clear()

        alt_start, count, cut, other = c.alt_start, self.count, self.alias_cut, self.alias_other
        patience, next_state = c.alt_patience, c.alt_next
        for step in range(MAX_STEPS):
            if not ids.size:
                break
            if step and step % _FOLD_EVERY == 0:
                fold()
            # Walker's alias method: one uniform picks a slot and decides slot or alias
            x = gen.random(ids.size) * count[state]
            j = x.astype(np.int64)
            slot = alt_start[state] + j
            alt = np.where(x - j < cut[slot], slot, other[slot])
            d = self._durations(alt, gen, hour_of[ids])
            runs = patience[alt]
            quits = runs & (d > left)
            spent = np.where(quits, left, d)
            at_queue = self.alt_queue[alt]
            ivr_s[ids] += np.where(runs & ~at_queue, spent, 0.0)  # ids are distinct
            hold_s[ids] += np.where(runs & at_queue, spent, 0.0)
            log_ids.append(ids)
            log_alts.append(alt)
            if quits.any():
                gone = ids[quits]
                clock_out[gone] = clock[quits] + left[quits]
                quit_alt[gone] = alt[quits]  # outcome stays ABANDONED
                end_alt[gone] = alt[quits]
                prev_alt[gone] = last[quits]
                keep = ~quits
                ids, state, left, clock, alt, d, runs, last = (
                    ids[keep],
                    state[keep],
                    left[keep],
                    clock[keep],
                    alt[keep],
                    d[keep],
                    runs[keep],
                    last[keep],
                )
            clock += d
            left -= np.where(runs, d, 0.0)
            met = self.alt_human[alt]
            if met.any():
                t_human[ids[met]] = clock[met]
            nxt = next_state[alt]
            moving = nxt >= 0
            if not moving.all():
                end = ~moving
                done, end_alt_ = ids[end], alt[end]
                end_out = self.alt_outcome[end_alt_]
                outcome[done] = end_out
                clock_out[done] = clock[end]
                ooh[done] = (end_out == DISCONNECTED) & self.closed_after[end_alt_]
                solved = (end_out == R_SELF) | (end_out == R_AGENT)
                t_resolved[done[solved]] = clock[end][solved]
                end_alt[done] = end_alt_
                prev_alt[done] = last[end]
                ids, left, clock, nxt = ids[moving], left[moving], clock[moving], nxt[moving]
                alt = alt[moving]
            last = alt
            state = nxt
        clock_out[ids] = clock  # still looping after MAX_STEPS: counted as giving up
        fold()
        sums = {
            name: ((word_sums[w].astype(np.int64) >> shift) & mask).astype(np.float64)
            for name, (w, shift, mask) in layout.items()
        }
        quitters = np.flatnonzero(quit_alt >= 0)

        def completed(name: str) -> NDArray[np.float64]:
            out: NDArray[np.float64] = sums[name].copy()  # minus a quitter's unfinished step
            out[quitters] -= attr[name][quit_alt[quitters]].astype(np.float64)
            return out

        return {
            "task": task.astype(np.int16),
            "persona": persona.astype(np.int16),
            "outcome": outcome,
            "time_s": clock_out.astype(np.float32),
            "time_to_human_s": t_human.astype(np.float32),
            "time_to_resolution_s": t_resolved.astype(np.float32),
            "menus": sums["menus"].astype(np.int16),
            "options_heard": completed("options").astype(np.int16),
            "keypresses": completed("keys").astype(np.int16),
            "identity_prompts": sums["identity"].astype(np.int16),
            "transfers": completed("transfers").astype(np.int16),
            "repeated": sums["repeat"] > 0,
            "out_of_hours_disconnected": ooh,
            "arrival_minute": minute.astype(np.int16),
            "steps": sums["steps"].astype(np.int32),
            "ivr_s": ivr_s.astype(np.float32),
            "hold_s": hold_s.astype(np.float32),
            "wants_human": zo,
            "end_alt": end_alt.astype(np.int32),
            "prev_alt": prev_alt.astype(np.int32),
        }


def _pack_layout(widths: dict[str, int]) -> dict[str, tuple[int, int, int]]:
    """Place counters of the given bit widths into as few 53-bit words as fit: a float64 holds
    integers below 2**53 exactly, so one weighted ``bincount`` adds several counters at once.
    Returns ``{name: (word, shift, mask)}``.

    Examples
    --------
    >>> _pack_layout({"a": 20, "b": 30, "c": 10})
    {'a': (0, 0, 1048575), 'b': (0, 20, 1073741823), 'c': (1, 0, 1023)}
    """
    layout: dict[str, tuple[int, int, int]] = {}
    word, used = 0, 0
    for name, bits in widths.items():
        if used and used + bits > 53:
            word, used = word + 1, 0
        layout[name] = (word, used, (1 << bits) - 1)
        used += bits
    return layout


def _alias_tables(c: Compiled) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Walker/Vose alias tables of every state's alternatives (global alternative indices)."""
    cut = np.ones(c.alt_prob.size)
    other = np.arange(c.alt_prob.size, dtype=np.int64)
    starts = c.alt_start
    for s in np.flatnonzero(np.diff(starts) > 1):
        lo, hi = int(starts[s]), int(starts[s + 1])
        k = hi - lo
        p = c.alt_prob[lo:hi] / c.alt_prob[lo:hi].sum() * k
        small = [i for i in range(k) if p[i] < 1.0]
        large = [i for i in range(k) if p[i] >= 1.0]
        while small and large:
            a, b = small.pop(), large.pop()
            cut[lo + a] = p[a]
            other[lo + a] = lo + b
            p[b] -= 1.0 - p[a]
            (small if p[b] < 1.0 else large).append(b)
        for i in small + large:
            cut[lo + i] = 1.0
    return cut, other


def _by_group(
    r: dict[str, NDArray[Any]], group: NDArray[np.int64], n_groups: int
) -> list[tuple[dict[str, float], dict[str, float], dict[str, float]]]:
    """Outcomes, metrics and standard errors per group of callers (one pass with bincount)."""
    size = np.bincount(group, minlength=n_groups).astype(float)
    out_codes = r["outcome"].astype(np.int64)
    per_outcome = np.bincount(group * len(OUTCOMES) + out_codes, minlength=n_groups * len(OUTCOMES))
    per_outcome = per_outcome.reshape(n_groups, len(OUTCOMES)).astype(float)
    resolved = ((out_codes == R_SELF) | (out_codes == R_AGENT)).astype(float)
    cols: dict[str, NDArray[Any]] = {
        "p_resolved": resolved,
        "p_human": (~np.isnan(r["time_to_human_s"])).astype(float),
        "mean_time_s": r["time_s"],
        "mean_time_to_human_s": r["time_to_human_s"],
        "mean_time_to_resolution_s": r["time_to_resolution_s"],
        "mean_menus": r["menus"],
        "mean_options_heard": r["options_heard"],
        "mean_keypresses": r["keypresses"],
        "mean_identity_prompts": r["identity_prompts"],
        "p_repeat_identity": r["repeated"],
        "mean_transfers": r["transfers"],
        "p_out_of_hours_disconnected": r["out_of_hours_disconnected"],
    }
    sums: dict[str, tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]] = {}
    for name in METRICS:
        v = cols[name].astype(np.float64)
        ok = ~np.isnan(v)
        g = group[ok]
        x = v[ok]
        n = np.bincount(g, minlength=n_groups).astype(np.float64)
        s1 = np.bincount(g, weights=x, minlength=n_groups).astype(np.float64)
        s2 = np.bincount(g, weights=x * x, minlength=n_groups).astype(np.float64)
        sums[name] = (n, s1, s2)
    results = []
    for i in range(n_groups):
        total = float(size[i])
        outcomes = {
            name: (float(per_outcome[i, j] / total) if total else math.nan)
            for j, name in enumerate(OUTCOMES)
        }
        stderr = {
            name: math.sqrt(p * (1 - p) / total) if total else math.nan
            for name, p in outcomes.items()
        }
        metrics = {}
        for name in METRICS:
            n, s1, s2 = (a[i] for a in sums[name])
            if n == 0:
                metrics[name], stderr[name] = math.nan, math.nan
                continue
            mean = s1 / n
            var = max(s2 / n - mean * mean, 0.0) * n / (n - 1) if n > 1 else math.nan
            metrics[name] = float(mean)
            stderr[name] = math.sqrt(var / n) if n > 1 else math.nan
        results.append((outcomes, metrics, stderr))
    return results


def _summarise(tree: PhoneTree, c: Compiled, r: dict[str, NDArray[Any]], seed: Any) -> Simulation:
    n = r["task"].size
    ((outcomes, metrics, stderr),) = _by_group(r, np.zeros(n, dtype=np.int64), 1)
    per_task = _by_group(r, r["task"].astype(np.int64), len(c.task_names))
    tasks = {t: TaskResult(o, m) for t, (o, m, _) in zip(c.task_names, per_task, strict=True)}
    counts = np.bincount(r["task"].astype(np.int64), minlength=len(c.task_names))
    shares = {t: float(counts[i] / n) for i, t in enumerate(c.task_names)}
    quantiles = {}
    for name in ("time_s", "time_to_human_s", "time_to_resolution_s"):
        v = r[name][~np.isnan(r[name])]
        for q, value in zip(
            (50, 90), np.percentile(v, (50, 90)) if v.size else (math.nan,) * 2, strict=True
        ):
            quantiles[f"p{q}_{name}"] = float(value)
    return Simulation(
        harms=harms_from_calls(c, r),
        name=tree.name,
        method="simulation",
        outcomes=outcomes,
        metrics=metrics,
        tasks=tasks,
        task_shares=shares,
        calls=int(n),
        quantiles=quantiles,
        stderr=stderr,
        records=r,
        seed=seed,
        compiled=c,
    )


def _journey(sampler: _Sampler, gen: np.random.Generator, number: int) -> str:
    """One caller's journey in words, walking the same tables as the vectorised kernel."""
    c = sampler.c
    rec_task = int(
        min(
            np.searchsorted(sampler.task_cum, gen.random() * sampler.task_cum[-1], side="right"),
            len(c.task_names) - 1,
        )
    )
    persona = int(
        min(
            np.searchsorted(
                sampler.persona_cum, gen.random() * sampler.persona_cum[-1], side="right"
            ),
            len(c.personas) - 1,
        )
    )
    zo = bool(gen.random() < sampler.wants_human[persona])
    minute = int(gen.choice(sampler.minute_weights.size, p=sampler.minute_weights))
    s = int(sampler.start_table[rec_task, persona, int(zo), sampler.minute_pattern[minute]])
    left = float(sampler._draw_patience(np.array([persona]), gen)[0])
    clock = 0.0
    day, mins = divmod(minute, 1440)
    head = (
        f"caller {number} ({c.task_names[rec_task]}, {c.personas[persona].name}"
        f"{', takes zero-outs' if zo else ''}, {DAYS[day].capitalize()} {mins // 60:02d}:{mins % 60:02d})"
    )
    steps = []
    for _ in range(200):
        alt = int(np.searchsorted(sampler.keys, s + gen.random(), side="right"))
        alt = min(alt, int(c.alt_start[s + 1]) - 1)
        d = float(sampler._durations(np.array([alt]), gen, np.array([minute // 60]))[0])
        if c.alt_patience[alt] and d > left:
            clock += left
            steps.append(f"{c.alt_label(alt)} but hung up after {left:.0f} s")
            return f"{head}: " + " → ".join(steps) + f" → abandoned at {clock / 60:.1f} min"
        clock += d
        if c.alt_patience[alt]:
            left -= d
        steps.append(f"{c.alt_label(alt)} ({d:.0f} s)")
        nxt = int(c.alt_next[alt])
        if nxt < 0:
            out = OUTCOMES[int(c.alt_outcome[alt])].replace("_", " ")
            return f"{head}: " + " → ".join(steps) + f" → {out} at {clock / 60:.1f} min"
        s = nxt
    return f"{head}: " + " → ".join(steps) + " → still in the tree after 200 steps"
