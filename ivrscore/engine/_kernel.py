"""The caller walk, written once in the subset of Python that numba compiles.

:func:`walk` simulates a block of callers one at a time over the compiled step tables
(:mod:`ivrscore.engine._compile`), the same tables :func:`ivrscore.analyze` reads. Each caller
draws a task, a persona and a zero-out habit (one pick from their joint alias table), an
arrival minute of the week (an alias table over the 168 hours, the minute from the rest of the
same draw) and a patience, then takes one alternative per step (an alias table per
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
from ._limits import BIN_BITS, BIN_LO, MAX_STEPS, N_BINS, N_HARMS, N_METRICS

__all__ = ["MAX_STEPS", "ZIG_FE", "ZIG_KE", "ZIG_WE", "alias_tables", "walk"]

# outcome codes and kinds (as in _compile)
_R_SELF, _R_AGENT, _ABANDONED, _DISCONNECTED, _VOICEMAIL, _CALLBACK = range(6)
_D_NONE, _D_EXP, _D_LOGNORMAL, _D_ERLANG = range(4)
_P_EXP, _P_LOGNORMAL, _P_NONE = range(3)
_EV_END = 10
# bits of an alternative's flags (``alt_i[:, 1]``): then its duration kind at bit 8, its
# outcome (when it ends the call) at bit 12
_F_PATIENCE, _F_HUMAN, _F_QUEUE, _F_CLOSED_AFTER, _F_EVENT_END, _F_REPEAT = 1, 2, 4, 8, 16, 32

_PER_OCTAVE = 1 << BIN_BITS
_TWO_PER_OCTAVE = float(2 << BIN_BITS)
_E_LO = math.frexp(BIN_LO)[1]  # BIN_LO is a power of two: 2**(_E_LO - 1)
_SHIFT = 52 - BIN_BITS
_LO_BITS = int(np.array([BIN_LO]).view(np.int64)[0]) >> _SHIFT
_T_TOP = math.ldexp(0.5, _E_LO + (N_BINS - 1) // _PER_OCTAVE)  # where the last bin starts


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


def _ziggurat_tables() -> tuple[Any, Any, Any]:
    """Marsaglia and Tsang's 256-level ziggurat for the standard exponential (2000), on 53
    random bits as numpy's ``Generator.standard_exponential`` uses it: ``ke`` the bounds
    below which a draw is accepted at once, ``we`` the widths, ``fe`` the densities at the
    layers' edges."""
    r, v, m = 7.69711747013104972, 3.949659822581572e-3, 2.0**53
    ke = np.zeros(256, dtype=np.uint64)
    we = np.zeros(256)
    fe = np.zeros(256)
    q = v / math.exp(-r)
    ke[0] = np.uint64(int(r / q * m))
    we[0] = q / m
    we[255] = r / m
    fe[0] = 1.0
    fe[255] = math.exp(-r)
    de, te = r, r
    for i in range(254, 0, -1):
        de = -math.log(v / de + math.exp(-de))
        ke[i + 1] = np.uint64(int(de / te * m))
        te = de
        fe[i] = math.exp(-de)
        we[i] = de / m
    return ke, we, fe


_ZIG_R = 7.69711747013104972
ZIG_KE, ZIG_WE, ZIG_FE = _ziggurat_tables()
_U3 = np.uint64(3)
_U8 = np.uint64(8)
_U255 = np.uint64(255)


@njit
def _uniform(st: Any) -> float:
    """The next double in [0, 1) (53 random bits) from the state ``st``, advanced in place."""
    u, st[0], st[1], st[2], st[3] = _next(st[0], st[1], st[2], st[3])
    return u


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
def _next(s0: Any, s1: Any, s2: Any, s3: Any) -> tuple[float, Any, Any, Any, Any]:
    """:func:`_uniform` on a state held in four local words: the draw and the new words.

    The walk keeps its generator in locals (registers, when compiled) and writes it back once
    at the end; the same bits as :func:`_uniform`.
    """
    out, s0, s1, s2, s3 = _next_bits(s0, s1, s2, s3)
    return float(np.int64(out >> _U11)) * _TO_UNIT, s0, s1, s2, s3  # signed: one instruction


@njit
def _next_bits(s0: Any, s1: Any, s2: Any, s3: Any) -> tuple[Any, Any, Any, Any, Any]:
    """The next 64 random bits (uint64) from the four local words, and the new words."""
    x = s1 * _U5
    out = ((x << _U7) | (x >> _U57)) * _U9
    t = s1 << _U17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << _U45) | (s3 >> _U19)
    return out, s0, s1, s2, s3


@njit
def _exp_next(
    s0: Any, s1: Any, s2: Any, s3: Any, ke: Any, we: Any, fe: Any
) -> tuple[float, Any, Any, Any, Any]:
    """A standard exponential draw by the ziggurat (no logarithm 98.9% of the time), from the
    four local words: the draw and the new words."""
    while True:
        ri, s0, s1, s2, s3 = _next_bits(s0, s1, s2, s3)
        ri >>= _U3
        idx = int(ri & _U255)
        ri >>= _U8
        x = float(np.int64(ri)) * we[idx]  # 53 bits: the signed conversion is exact
        if ri < ke[idx]:
            return x, s0, s1, s2, s3
        u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
        if idx == 0:  # the tail beyond r
            return _ZIG_R - math.log(1.0 - u), s0, s1, s2, s3
        if (fe[idx - 1] - fe[idx]) * u + fe[idx] < math.exp(-x):
            return x, s0, s1, s2, s3


@njit
def _bin(t: float) -> int:
    """The histogram bin of a time in seconds: 0 below :data:`BIN_LO`, then one bin per
    :data:`BIN_BITS` leading mantissa bits of the float (HDR-histogram style: each bin spans
    a ratio of at most ``1 + 2**-BIN_BITS``), the last bin for everything from its start on.

    No logarithm: ``math.frexp`` splits the float exactly, compiled or not.
    """
    if t < BIN_LO:
        return 0
    if t >= _T_TOP:
        return N_BINS - 1
    m, e = math.frexp(t)  # t = m * 2**e, 0.5 <= m < 1
    b = 1 + (e - _E_LO) * _PER_OCTAVE + int((m - 0.5) * _TWO_PER_OCTAVE)
    return b if b < N_BINS else N_BINS - 1


@njit
def _bin_of_bits(t: float, f: Any, bits: Any, top: int) -> int:
    """:func:`_bin` from the float's bits: ``f`` is a one-float buffer, ``bits`` the same
    memory seen as an int64 (no call to ``frexp``: a shift and a subtraction); ``top`` the
    last bin (read from the histogram's shape, so that a kernel cached before the bins
    changed can never write outside it)."""
    if t < BIN_LO:
        return 0
    f[0] = t
    b = 1 + int((bits[0] >> _SHIFT) - _LO_BITS)
    return b if b < top else top


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
    timed: bool,
    # who calls: (task, persona, zero-out habit) as one alias pick, then the arrival hour
    who_cut: Any,
    who_other: Any,
    who_task: Any,
    who_persona: Any,
    who_zo: Any,
    pat_kind: Any,
    pat_a: Any,
    pat_b: Any,
    hour_cut: Any,
    hour_other: Any,
    minute_pattern: Any,
    start_table: Any,
    # the steps: per state its first alternative; per alternative (and alias slot, the same
    # index) a row of floats (fixed seconds, a, b, alias cut) and one of ints (next state,
    # flags, menus, options heard, keys, identity prompts, transfers, alias other): one or
    # two cache lines a step instead of one per field
    alt_start: Any,
    alt_f: Any,
    alt_i: Any,
    alt_state: Any,
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

    Per caller: one draw picks (task, persona, zero-out habit) from a joint alias table, one
    the arrival minute, one (two for log-normal) the patience; then one per step with more
    than one way on, plus the duration's. The sums are added in the caller's own terms (a
    count per task, the non-zero harms only) and completed after the last caller.
    """
    n_tasks = metric_sums.shape[0]
    n_who = who_cut.size
    n_hours = hour_cut.size
    s0, s1, s2, s3 = st[0], st[1], st[2], st[3]
    zke, zwe, zfe = ZIG_KE, ZIG_WE, ZIG_FE
    total_steps = 0
    per_task = np.zeros(n_tasks, dtype=np.int64)
    h_idx = np.zeros(N_HARMS, dtype=np.int64)
    h_val = np.zeros(N_HARMS)
    n_trace = trace_alt.size
    f_buf = np.zeros(1)
    f_bits = f_buf.view(np.int64)
    top = hist.shape[1] - 1
    for i in range(n):
        u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
        x = u * n_who
        j = int(x)
        who = j if x - j < who_cut[j] else who_other[j]
        task = who_task[who]
        persona = who_persona[who]
        u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
        if timed:  # the minute matters (schedules, hour-by-hour queues, records)
            x = u * n_hours  # the hour by its alias table, then the minute in it from what
            j = int(x)  # is left of the same draw (uniform given the hour: calls arrive
            f = x - j  # evenly in it)
            cut = hour_cut[j]
            if f < cut:
                hour = j
                f = f / cut
            else:
                hour = hour_other[j]
                f = (f - cut) / (1.0 - cut)
            mm = int(f * 60.0)
            minute = hour * 60 + (mm if mm < 59 else 59)
            state = start_table[who, minute_pattern[minute]]
        else:  # one pattern all week, the same queues every hour: the draw is made, unused
            hour = 0
            minute = 0
            state = start_table[who, 0]
        # patience
        p_kind = pat_kind[persona]
        if p_kind == _P_EXP:
            e, s0, s1, s2, s3 = _exp_next(s0, s1, s2, s3, zke, zwe, zfe)
            left = e * pat_a[persona]
        elif p_kind == _P_LOGNORMAL:
            u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
            u2, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
            z = math.sqrt(-2.0 * math.log(1.0 - u)) * math.cos(_TWO_PI * u2)
            left = math.exp(pat_a[persona] + pat_b[persona] * z)
        else:
            left = math.inf
        tr = n_trace if i == 0 else 0  # steps to trace: the first caller's, when asked
        clock = 0.0
        human = state_human[state]
        t_human = 0.0
        t_resolved = 0.0
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
                u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                x = u * width
                j = int(x)
                slot = lo + j
                alt = slot if x - j < alt_f[slot, 3] else alt_i[slot, 7]
            # its duration: the fixed part plus an exponential, log-normal or Erlang A wait.
            # At a queue: no wait with prob 1 - P(wait); else k callers ahead, drawn from the
            # stationary law at arrival, and stages of rates N mu + j theta, j = k..0
            d = alt_f[alt, 0]
            fl = alt_i[alt, 1]
            kind = (fl >> 8) & 3
            if kind != _D_NONE:
                if kind == _D_EXP:
                    e, s0, s1, s2, s3 = _exp_next(s0, s1, s2, s3, zke, zwe, zfe)
                    d += e * alt_f[alt, 1]
                elif kind == _D_LOGNORMAL:
                    u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                    u2, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                    z = math.sqrt(-2.0 * math.log(1.0 - u)) * math.cos(_TWO_PI * u2)
                    d += math.exp(alt_f[alt, 1] + alt_f[alt, 2] * z)
                elif kind == _D_ERLANG:
                    key = int(alt_f[alt, 1]) * 168 + hour
                    u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                    if u < q_pwait[key]:
                        q_lo = q_off[key]
                        m = q_len[key]
                        u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                        k = _left(q_cum, q_lo, q_lo + m, u * q_cum[q_lo + m - 1])
                        if k > m - 1:
                            k = m - 1
                        wait = 0.0
                        for stage in range(k + 1):
                            e, s0, s1, s2, s3 = _exp_next(s0, s1, s2, s3, zke, zwe, zfe)
                            rate = q_rate[q_lo + stage]
                            # nobody to answer (no agents this hour): the wait never ends
                            wait += e / rate if rate > 0.0 else math.inf
                        d += wait
            steps += 1
            menus += alt_i[alt, 2]
            identity += alt_i[alt, 5]
            if fl & _F_REPEAT:
                repeated = True
            runs = (fl & _F_PATIENCE) != 0
            queue = (fl & _F_QUEUE) != 0
            if steps <= tr:
                trace_alt[steps - 1] = alt
                trace_s[steps - 1] = left if runs and d > left else d
            if runs and d > left:  # hangs up during this step
                if queue:
                    hold += left
                else:
                    ivr += left
                clock += left
                end_alt = alt
                prev_alt = last
                break
            options += alt_i[alt, 3]
            keys += alt_i[alt, 4]
            transfers += alt_i[alt, 6]
            clock += d
            if runs:
                left -= d
                if queue:
                    hold += d
                else:
                    ivr += d
            if fl & _F_HUMAN:
                human = True
                t_human = clock
            nxt = alt_i[alt, 0]
            if nxt < 0:
                outcome = (fl >> 12) & 7
                ooh = outcome == _DISCONNECTED and (fl & _F_CLOSED_AFTER) != 0
                if outcome == _R_SELF or outcome == _R_AGENT:
                    t_resolved = clock
                end_alt = alt
                prev_alt = last
                break
            last = alt
            state = nxt
        total_steps += steps
        if steps < tr:
            trace_alt[steps] = -1
        resolved = outcome == _R_SELF or outcome == _R_AGENT
        if keep:
            r = i
            r_task[r] = task
            r_persona[r] = persona
            r_outcome[r] = outcome
            r_time[r] = clock
            r_human[r] = t_human if human else math.nan
            r_resolved[r] = t_resolved if resolved else math.nan
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
            r_wants[r] = who_zo[who]
            r_end[r] = end_alt
            r_prev[r] = prev_alt
        # the summary's sums (counts of always-present metrics, and the squares of 0/1
        # metrics, follow from the per-task counts after the last caller)
        task_outcomes[task, outcome] += 1
        per_task[task] += 1
        # branch-free where a caller without the metric adds an exact 0 (x + 0.0 == x)
        rf = 1.0 if resolved else 0.0
        hf = 1.0 if human else 0.0
        metric_sums[task, 0, 1] += rf
        metric_sums[task, 4, 0] += rf
        metric_sums[task, 4, 1] += t_resolved
        metric_sums[task, 4, 2] += t_resolved * t_resolved
        metric_sums[task, 1, 1] += hf
        metric_sums[task, 3, 0] += hf
        metric_sums[task, 3, 1] += t_human
        metric_sums[task, 3, 2] += t_human * t_human
        if resolved:
            hist[2, _bin_of_bits(t_resolved, f_buf, f_bits, top)] += 1
        if human:
            hist[1, _bin_of_bits(t_human, f_buf, f_bits, top)] += 1
        metric_sums[task, 2, 1] += clock
        metric_sums[task, 2, 2] += clock * clock
        hist[0, _bin_of_bits(clock, f_buf, f_bits, top)] += 1
        metric_sums[task, 5, 1] += menus
        metric_sums[task, 5, 2] += menus * menus
        metric_sums[task, 6, 1] += options
        metric_sums[task, 6, 2] += options * options
        metric_sums[task, 7, 1] += keys
        metric_sums[task, 7, 2] += keys * keys
        metric_sums[task, 8, 1] += identity
        metric_sums[task, 8, 2] += identity * identity
        metric_sums[task, 9, 1] += 1.0 if repeated else 0.0
        metric_sums[task, 10, 1] += transfers
        metric_sums[task, 10, 2] += transfers * transfers
        metric_sums[task, 11, 1] += 1.0 if ooh else 0.0
        # the harms: their non-zero amounts, and the cross products of those only
        nh = 0
        if outcome != _ABANDONED and outcome != _DISCONNECTED:
            if ivr != 0.0:
                h_idx[nh] = 0
                h_val[nh] = ivr
                nh += 1
            if hold != 0.0:
                h_idx[nh] = 1
                h_val[nh] = hold
                nh += 1
            if transfers:
                h_idx[nh] = 2
                h_val[nh] = transfers
                nh += 1
            if repeated:
                h_idx[nh] = 3
                h_val[nh] = 1.0
                nh += 1
        if outcome != _R_AGENT and outcome != _CALLBACK and who_zo[who] and not human:
            h_idx[nh] = 4
            h_val[nh] = 1.0
            nh += 1
        if outcome == _DISCONNECTED:
            h_idx[nh] = 6 if ooh else 5
            h_val[nh] = 1.0
            nh += 1
        elif outcome == _ABANDONED:
            h_idx[nh] = 7
            h_val[nh] = 1.0
            nh += 1
        elif outcome == _CALLBACK:
            h_idx[nh] = 8
            h_val[nh] = 1.0
            nh += 1
        elif outcome == _VOICEMAIL:
            h_idx[nh] = 9
            h_val[nh] = 1.0
            nh += 1
        for a in range(nh):
            ia = h_idx[a]
            va = h_val[a]
            harm_sums[ia] += va
            for b in range(nh):
                harm_cross[ia, h_idx[b]] += va * h_val[b]
        if not resolved and end_alt >= 0:
            end_fl = alt_i[end_alt, 1]
            via = (end_fl & _F_EVENT_END) != 0 and outcome != _ABANDONED
            src = prev_alt if via and prev_alt >= 0 else end_alt
            if outcome == _ABANDONED:
                closed = state_closed[alt_state[src]]
            else:
                closed = (end_fl & _F_CLOSED_AFTER) != 0
            code = outcome - _ABANDONED
            causes[src * 16 + code * 4 + (2 if via else 0) + (1 if closed else 0)] += 1
    # every caller has a time, a resolution flag ... : their counts are the callers of the task;
    # a 0/1 metric's square is itself
    for t in range(n_tasks):
        c = float(per_task[t])
        for m in range(N_METRICS):
            if m != 3 and m != 4:
                metric_sums[t, m, 0] += c
        for m in (0, 1, 9, 11):
            metric_sums[t, m, 2] += metric_sums[t, m, 1]
    st[0], st[1], st[2], st[3] = s0, s1, s2, s3
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
