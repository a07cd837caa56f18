"""The caller walk, written once in the subset of Python that numba compiles.

:func:`walk` simulates a block of callers one at a time over the compiled step tables
(:mod:`ivrscore.engine._compile`), the same tables :func:`ivrscore.analyze` reads. Each caller
draws a task, a persona, a zero-out habit, an arrival minute of the week (an alias table over
the 10,080 minutes) and a patience, then takes one alternative per step (an alias table per
state) until the call ends, patience runs out or :data:`MAX_STEPS` steps have passed. Counters
are kept per caller inside the walk, and the sums the summary needs are added up as it goes,
so nothing is folded afterwards and a run without per-caller records needs no memory per
caller.

The functions are decorated with :func:`ivrscore.engine._jit.njit`: compiled and cached by
numba, or plain Python with the same numbers where numba is missing or ``NUMBA_DISABLE_JIT=1``.
Random numbers come from a xoshiro256** generator whose state (four uint64 words) is passed in
and advanced in place: a draw is a few instructions when compiled (a numpy ``Generator`` called
from numba costs several times more), and the same bits in plain Python.
"""

# ruff: noqa: SIM109 (numba compiles chained comparisons more simply than tuple membership)

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._jit import njit
from ._limits import BIN_LO, BIN_RATIO, MAX_STEPS, N_BINS, N_HARMS, N_METRICS

__all__ = ["MAX_STEPS", "alias_tables", "walk"]

# outcome codes and kinds (as in _compile)
_R_SELF, _R_AGENT, _ABANDONED, _DISCONNECTED, _VOICEMAIL, _CALLBACK = range(6)
_D_NONE, _D_EXP, _D_LOGNORMAL, _D_ERLANG = range(4)
_P_EXP, _P_LOGNORMAL, _P_NONE = range(3)
_EV_END = 10

_LOG_RATIO = math.log(BIN_RATIO)


# xoshiro256** (Blackman and Vigna): four 64-bit words of state, seeded per block of callers
# from its SeedSequence. Written with numpy uint64 so that numba compiles it to a few machine
# instructions and plain Python (numpy scalars, which wrap the same way) gives the same bits.
_U5 = np.uint64(5)
_U7 = np.uint64(7)
_U9 = np.uint64(9)
_U11 = np.uint64(11)
_U17 = np.uint64(17)
_U45 = np.uint64(45)
_U57 = np.uint64(57)
_U19 = np.uint64(19)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
_TWO_PI = 2.0 * math.pi


@njit
def _uniform(st: Any) -> float:
    """The next double in [0, 1) (53 random bits) from the state ``st``, advanced in place."""
    s0, s1, s2, s3 = st[0], st[1], st[2], st[3]
    x = s1 * _U5
    out = ((x << _U7) | (x >> _U57)) * _U9
    t = s1 << _U17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << _U45) | (s3 >> _U19)
    st[0], st[1], st[2], st[3] = s0, s1, s2, s3
    return float(out >> _U11) * _TO_UNIT


@njit
def _exponential(st: Any) -> float:
    """A standard exponential draw (inversion)."""
    return -math.log(1.0 - _uniform(st))


@njit
def _normal(st: Any) -> float:
    """A standard normal draw (Box-Muller, one of the pair)."""
    r = math.sqrt(-2.0 * math.log(1.0 - _uniform(st)))
    return r * math.cos(_TWO_PI * _uniform(st))


@njit
def _bin(t: float) -> int:
    """The histogram bin of a time in seconds: 0 below :data:`BIN_LO`, then log-spaced."""
    if t < BIN_LO:
        return 0
    b = 1 + int(math.log(t / BIN_LO) / _LOG_RATIO)
    return b if b < N_BINS else N_BINS - 1


@njit
def _right(cum: Any, x: float) -> int:
    """``numpy.searchsorted(cum, x, side="right")`` by bisection."""
    lo, hi = 0, cum.size
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit
def _left(cum: Any, lo: int, hi: int, x: float) -> int:
    """``numpy.searchsorted(cum[lo:hi], x)`` (side left) by bisection, as an offset."""
    a, b = lo, hi
    while a < b:
        mid = (a + b) // 2
        if cum[mid] < x:
            a = mid + 1
        else:
            b = mid
    return a - lo


@njit
def _store16(v: int) -> int:
    """Counts kept in 16 bits saturate instead of wrapping."""
    return v if v < 32767 else 32767


@njit
def walk(
    st: Any,
    n: int,
    keep: bool,
    # who calls
    task_cum: Any,
    persona_cum: Any,
    wants_human: Any,
    pat_kind: Any,
    pat_a: Any,
    pat_b: Any,
    minute_cut: Any,
    minute_other: Any,
    minute_pattern: Any,
    start_table: Any,
    # the steps
    alt_start: Any,
    alias_cut: Any,
    alias_other: Any,
    alt_fixed: Any,
    alt_kind: Any,
    alt_a: Any,
    alt_b: Any,
    alt_patience: Any,
    alt_next: Any,
    alt_outcome: Any,
    alt_human: Any,
    alt_counts: Any,
    alt_queue: Any,
    alt_event: Any,
    alt_state: Any,
    closed_after: Any,
    state_human: Any,
    state_closed: Any,
    # Erlang A waits, per slot and hour
    q_pwait: Any,
    q_off: Any,
    q_len: Any,
    q_cum: Any,
    q_rate: Any,
    # per-caller records (length n when kept, else 1)
    r_task: Any,
    r_persona: Any,
    r_outcome: Any,
    r_time: Any,
    r_human: Any,
    r_resolved: Any,
    r_menus: Any,
    r_options: Any,
    r_keys: Any,
    r_identity: Any,
    r_transfers: Any,
    r_repeated: Any,
    r_ooh: Any,
    r_minute: Any,
    r_steps: Any,
    r_ivr: Any,
    r_hold: Any,
    r_wants: Any,
    r_end: Any,
    r_prev: Any,
    # sums for the summary
    task_outcomes: Any,
    metric_sums: Any,
    harm_sums: Any,
    harm_cross: Any,
    causes: Any,
    hist: Any,
    # one caller's steps (alternative, seconds), when a journey is traced
    trace_alt: Any,
    trace_s: Any,
) -> int:
    """Simulate ``n`` callers drawing from the generator state ``st``; fill the records (when ``keep``) and add to the sums.

    ``alt_counts`` has one row per alternative: menus, options heard, keys, identity prompts,
    transfers, repeated question. ``task_outcomes[t, o]`` counts callers; ``metric_sums[t, m]``
    holds the count, sum and sum of squares of each metric; ``harm_sums`` and ``harm_cross`` the
    sums and cross products of the harms' amounts; ``causes[alt * 16 + o * 4 + via * 2 +
    closed]`` counts the calls lost or deferred at each alternative (``o``: abandoned,
    disconnected, voicemail, callback); ``hist[k, bin]`` the times (total, to a person, to
    resolution). Returns the steps taken by all callers.
    """
    n_tasks = task_cum.size
    n_personas = persona_cum.size
    total_steps = 0
    v = np.zeros(N_METRICS)
    h = np.zeros(N_HARMS)
    n_trace = trace_alt.size
    for i in range(n):
        r = i if keep else 0
        task = _right(task_cum, _uniform(st) * task_cum[n_tasks - 1])
        if task > n_tasks - 1:
            task = n_tasks - 1
        persona = _right(persona_cum, _uniform(st) * persona_cum[n_personas - 1])
        if persona > n_personas - 1:
            persona = n_personas - 1
        zo = _uniform(st) < wants_human[persona]
        x = _uniform(st) * minute_cut.size
        j = int(x)
        minute = j if x - j < minute_cut[j] else minute_other[j]
        hour = minute // 60
        pattern = minute_pattern[minute]
        state = start_table[task, persona, 1 if zo else 0, pattern]
        # patience
        p_kind = pat_kind[persona]
        if p_kind == _P_EXP:
            left = _exponential(st) * pat_a[persona]
        elif p_kind == _P_LOGNORMAL:
            left = math.exp(pat_a[persona] + pat_b[persona] * _normal(st))
        else:
            left = math.inf
        clock = 0.0
        t_human = 0.0 if state_human[state] else math.nan
        t_resolved = math.nan
        ivr = 0.0
        hold = 0.0
        menus = 0
        options = 0
        keys = 0
        identity = 0
        transfers = 0
        repeated = False
        steps = 0
        outcome = _ABANDONED
        ooh = False
        end_alt = -1
        prev_alt = -1
        last = -1
        while steps < MAX_STEPS:
            lo = alt_start[state]
            width = alt_start[state + 1] - lo
            if width == 1:  # one way on (a message, a transfer): no draw
                alt = lo
            else:
                x = _uniform(st) * width
                j = int(x)
                slot = lo + j
                alt = slot if x - j < alias_cut[slot] else alias_other[slot]
            # its duration: the fixed part plus an exponential, log-normal or Erlang A wait
            # (written here, not in a helper: numba passes a Generator to another function
            # slowly). At a queue: no wait with prob 1 - P(wait); else k callers ahead, drawn
            # from the stationary law at arrival, and stages of rates N mu + j theta, j = k..0
            d = alt_fixed[alt]
            kind = alt_kind[alt]
            if kind == _D_EXP:
                d += _exponential(st) * alt_a[alt]
            elif kind == _D_LOGNORMAL:
                d += math.exp(alt_a[alt] + alt_b[alt] * _normal(st))
            elif kind == _D_ERLANG:
                key = int(alt_a[alt]) * 168 + hour
                if _uniform(st) < q_pwait[key]:
                    q_lo = q_off[key]
                    m = q_len[key]
                    k = _left(q_cum, q_lo, q_lo + m, _uniform(st) * q_cum[q_lo + m - 1])
                    if k > m - 1:
                        k = m - 1
                    wait = 0.0
                    for stage in range(k + 1):
                        wait += _exponential(st) / q_rate[q_lo + stage]
                    d += wait
            steps += 1
            menus += alt_counts[alt, 0]
            identity += alt_counts[alt, 3]
            if alt_counts[alt, 5]:
                repeated = True
            runs = alt_patience[alt]
            if i == 0 and steps <= n_trace:
                trace_alt[steps - 1] = alt
                trace_s[steps - 1] = left if runs and d > left else d
            if runs and d > left:  # hangs up during this step
                if alt_queue[alt]:
                    hold += left
                else:
                    ivr += left
                clock += left
                end_alt = alt
                prev_alt = last
                break
            options += alt_counts[alt, 1]
            keys += alt_counts[alt, 2]
            transfers += alt_counts[alt, 4]
            clock += d
            if runs:
                left -= d
                if alt_queue[alt]:
                    hold += d
                else:
                    ivr += d
            if alt_human[alt]:
                t_human = clock
            nxt = alt_next[alt]
            if nxt < 0:
                outcome = alt_outcome[alt]
                ooh = outcome == _DISCONNECTED and closed_after[alt]
                if outcome == _R_SELF or outcome == _R_AGENT:
                    t_resolved = clock
                end_alt = alt
                prev_alt = last
                break
            last = alt
            state = nxt
        total_steps += steps
        if i == 0 and steps < n_trace:
            trace_alt[steps] = -1
        if keep:
            r_task[r] = task
            r_persona[r] = persona
            r_outcome[r] = outcome
            r_time[r] = clock
            r_human[r] = t_human
            r_resolved[r] = t_resolved
            r_menus[r] = _store16(menus)
            r_options[r] = _store16(options)
            r_keys[r] = _store16(keys)
            r_identity[r] = _store16(identity)
            r_transfers[r] = _store16(transfers)
            r_repeated[r] = repeated
            r_ooh[r] = ooh
            r_minute[r] = minute
            r_steps[r] = steps
            r_ivr[r] = ivr
            r_hold[r] = hold
            r_wants[r] = zo
            r_end[r] = end_alt
            r_prev[r] = prev_alt
        # the summary's sums
        task_outcomes[task, outcome] += 1
        resolved = outcome == _R_SELF or outcome == _R_AGENT
        human = not math.isnan(t_human)
        v[0] = 1.0 if resolved else 0.0
        v[1] = 1.0 if human else 0.0
        v[2] = clock
        v[3] = t_human
        v[4] = t_resolved
        v[5] = menus
        v[6] = options
        v[7] = keys
        v[8] = identity
        v[9] = 1.0 if repeated else 0.0
        v[10] = transfers
        v[11] = 1.0 if ooh else 0.0
        for m in range(N_METRICS):
            if not math.isnan(v[m]):
                metric_sums[task, m, 0] += 1.0
                metric_sums[task, m, 1] += v[m]
                metric_sums[task, m, 2] += v[m] * v[m]
        hist[0, _bin(clock)] += 1
        if human:
            hist[1, _bin(t_human)] += 1
        if resolved:
            hist[2, _bin(t_resolved)] += 1
        ok = outcome != _ABANDONED and outcome != _DISCONNECTED
        h[0] = ivr if ok else 0.0
        h[1] = hold if ok else 0.0
        h[2] = transfers if ok else 0.0
        h[3] = 1.0 if ok and repeated else 0.0
        no_person = outcome != _R_AGENT and outcome != _CALLBACK
        h[4] = 1.0 if no_person and zo and not human else 0.0
        h[5] = 1.0 if outcome == _DISCONNECTED and not ooh else 0.0
        h[6] = 1.0 if outcome == _DISCONNECTED and ooh else 0.0
        h[7] = 1.0 if outcome == _ABANDONED else 0.0
        h[8] = 1.0 if outcome == _CALLBACK else 0.0
        h[9] = 1.0 if outcome == _VOICEMAIL else 0.0
        for a in range(N_HARMS):
            harm_sums[a] += h[a]
            if h[a] != 0.0:
                for b in range(N_HARMS):
                    harm_cross[a, b] += h[a] * h[b]
        if not resolved and end_alt >= 0:
            via = alt_event[end_alt] == _EV_END and outcome != _ABANDONED
            src = prev_alt if via and prev_alt >= 0 else end_alt
            if outcome == _ABANDONED:
                closed = state_closed[alt_state[src]]
            else:
                closed = closed_after[end_alt]
            code = outcome - _ABANDONED
            causes[src * 16 + code * 4 + (2 if via else 0) + (1 if closed else 0)] += 1
    return total_steps


@njit
def alias_tables(prob: Any, start: Any) -> tuple[Any, Any]:
    """Walker/Vose alias tables of every group ``start[s] .. start[s + 1]`` of ``prob``
    (global indices): slot ``i`` is taken when ``u < cut[i]``, else ``other[i]``."""
    n = prob.size
    cut = np.ones(n)
    other = np.arange(n)
    small = np.empty(n, dtype=np.int64)
    large = np.empty(n, dtype=np.int64)
    p = np.empty(n)
    for s in range(start.size - 1):
        lo, hi = start[s], start[s + 1]
        k = hi - lo
        if k < 2:
            continue
        total = 0.0
        for i in range(lo, hi):
            total += prob[i]
        ns = 0
        nl = 0
        for i in range(lo, hi):
            p[i] = prob[i] / total * k
            if p[i] < 1.0:
                small[ns] = i
                ns += 1
            else:
                large[nl] = i
                nl += 1
        while ns and nl:
            ns -= 1
            nl -= 1
            a = small[ns]
            b = large[nl]
            cut[a] = p[a]
            other[a] = b
            p[b] -= 1.0 - p[a]
            if p[b] < 1.0:
                small[ns] = b
                ns += 1
            else:
                large[nl] = b
                nl += 1
        for i in range(ns):
            cut[small[i]] = 1.0
        for i in range(nl):
            cut[large[i]] = 1.0
    return cut, other
