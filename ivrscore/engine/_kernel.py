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

__all__ = [
    "A_COLS",
    "COUNT_CAP",
    "MAX_STEPS",
    "N_CODES",
    "ZIG_FE",
    "ZIG_KE",
    "ZIG_WE",
    "alias_tables",
    "walk",
]

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
def _exp_next(s0: Any, s1: Any, s2: Any, s3: Any) -> tuple[float, Any, Any, Any, Any]:
    """A standard exponential draw by the ziggurat (no logarithm 98.9% of the time), from the
    four local words: the draw and the new words.

    The tables are module globals, which numba freezes into the compiled code as constants:
    no arrays passed (nor reference-counted) per draw.
    """
    ke, we, fe = ZIG_KE, ZIG_WE, ZIG_FE
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


# columns of an alternative's row of ints (``alt_i``, int32, 64 bytes: one cache line)
A_NEXT, A_WIDTH, A_FLAGS, A_MENUS, A_OPTIONS, A_KEYS, A_IDENTITY, A_TRANSFERS, A_OTHER, A_STATE = (
    range(10)
)
A_COLS = 16
_COUNTED = (A_MENUS, A_OPTIONS, A_KEYS, A_IDENTITY, A_TRANSFERS)
"""The per-caller counts summed as metrics (menus, options heard, keys, identity prompts,
transfers), in the order of their metrics 5, 6, 7, 8 and 10."""
_COUNTED_METRIC = (5, 6, 7, 8, 10)
COUNT_CAP = 32
"""Per-caller counts below this are tallied in a histogram per task and count (one integer
increment); larger ones are summed exactly on the side."""
N_CODES = 96
"""A caller's code: outcome (6), reached a person, repeated question, cut off out of hours,
zero-out habit: ``(((outcome * 2 + human) * 2 + repeated) * 2 + ooh) * 2 + zo``."""


@njit
def _ix(i: int) -> Any:
    """An index known not to be negative (numba then adds no wraparound)."""
    return np.uint64(i)


@njit
def walk(
    st: Any,
    n: int,
    timed: bool,
    counted: int,
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
    # index) a row of floats (fixed seconds, a, b, alias cut) and one of ints (see ``A_*``:
    # the next state's first alternative and count of them, flags, the counts, alias other,
    # its own state): one cache line each
    alt_start: Any,
    alt_f: Any,
    alt_i: Any,
    state_human: Any,
    state_closed: Any,
    # Erlang A waits, per slot and hour
    q_pwait: Any,
    q_off: Any,
    q_len: Any,
    q_cum: Any,
    q_rate: Any,
    # per-caller records (a tuple of arrays of length n, see simulate._RECORD_FIELDS), or None
    recs: Any,
    # sums for the summary
    task_outcomes: Any,
    metric_sums: Any,
    harm_sums: Any,
    harm_cross: Any,
    causes: Any,
    hist: Any,
    # one caller's steps (alternative, seconds), when a journey is traced; else None
    trace_alt: Any,
    trace_s: Any,
) -> int:
    """Simulate ``n`` callers drawing from the generator state ``st``; fill the records (when
    ``recs`` is given) and add to the sums.

    ``task_outcomes[t, o]`` counts callers; ``metric_sums[t, m]`` holds the count, sum and sum
    of squares of each metric; ``harm_sums`` and ``harm_cross`` the sums and cross products of
    the harms' amounts; ``causes[alt * 16 + o * 4 + via * 2 + closed]`` counts the calls lost
    or deferred at each alternative (``o``: abandoned, disconnected, voicemail, callback);
    ``hist[k, bin]`` the times (total, to a person, to resolution). ``counted`` has bit ``k``
    set when the ``k``-th of the counts (menus, options, keys, identity, transfers) is not
    always 0. Returns the steps taken by all callers.

    Per caller: one draw picks (task, persona, zero-out habit) from a joint alias table, one
    the arrival minute, one (two for log-normal) the patience; then one per step with more
    than one way on, plus the duration's. The sums are kept in the caller's own terms: a
    count per task and code (outcome, person, repeated, out of hours, zero-out habit), a
    histogram per count, the time sums, the float harms of resolved callers; the rest follows
    after the last caller. Records and the trace are arguments numba prunes when they are
    ``None`` (a separate compiled variant): a run without them has no branch for them.
    """
    n_tasks = metric_sums.shape[0]
    n_who = who_cut.size
    n_hours = hour_cut.size
    s0, s1, s2, s3 = st[0], st[1], st[2], st[3]
    total_steps = 0
    codes = np.zeros((n_tasks, N_CODES), dtype=np.int64)
    tally = np.zeros((n_tasks, 5, COUNT_CAP), dtype=np.int64)
    big = np.zeros((n_tasks, 5, 2), dtype=np.int64)
    fs = np.zeros(3)
    fc = np.zeros((3, N_HARMS))
    f_buf = np.zeros(1)
    f_bits = f_buf.view(np.int64)
    top = hist.shape[1] - 1
    c_menus = (counted & 1) != 0
    c_options = (counted & 2) != 0
    c_keys = (counted & 4) != 0
    c_identity = (counted & 8) != 0
    c_transfers = (counted & 16) != 0
    for i in range(n):
        u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
        x = u * n_who
        j = int(x)
        who = j if x - j < who_cut[_ix(j)] else who_other[_ix(j)]
        task = who_task[_ix(who)]
        persona = who_persona[_ix(who)]
        zo = who_zo[_ix(who)]
        u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
        if timed:  # the minute matters (schedules, hour-by-hour queues, records)
            x = u * n_hours  # the hour by its alias table, then the minute in it from what
            j = int(x)  # is left of the same draw (uniform given the hour: calls arrive
            f = x - j  # evenly in it)
            cut = hour_cut[_ix(j)]
            if f < cut:
                hour = j
                f = f / cut
            else:
                hour = hour_other[_ix(j)]
                f = (f - cut) / (1.0 - cut)
            mm = int(f * 60.0)
            minute = hour * 60 + (mm if mm < 59 else 59)
            state = start_table[_ix(who), _ix(minute_pattern[_ix(minute)])]
        else:  # one pattern all week, the same queues every hour: the draw is made, unused
            hour = 0
            minute = 0
            state = start_table[_ix(who), 0]
        # patience
        p_kind = pat_kind[_ix(persona)]
        if p_kind == _P_EXP:
            e, s0, s1, s2, s3 = _exp_next(s0, s1, s2, s3)
            left = e * pat_a[_ix(persona)]
        elif p_kind == _P_LOGNORMAL:
            u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
            u2, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
            z = math.sqrt(-2.0 * math.log(1.0 - u)) * math.cos(_TWO_PI * u2)
            left = math.exp(pat_a[_ix(persona)] + pat_b[_ix(persona)] * z)
        else:
            left = math.inf
        clock = 0.0
        human = state_human[_ix(state)]
        lo = alt_start[_ix(state)]
        width = alt_start[_ix(state + 1)] - lo
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
            if width == 1:  # one way on (a message, a transfer): no draw
                alt = lo
            else:
                u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                x = u * width
                j = int(x)
                slot = lo + j
                alt = slot if x - j < alt_f[_ix(slot), 3] else alt_i[_ix(slot), A_OTHER]
            # its duration: the fixed part plus an exponential, log-normal or Erlang A wait.
            # At a queue: no wait with prob 1 - P(wait); else k callers ahead, drawn from the
            # stationary law at arrival, and stages of rates N mu + j theta, j = k..0
            d = alt_f[_ix(alt), 0]
            fl = alt_i[_ix(alt), A_FLAGS]
            kind = (fl >> 8) & 3
            if kind != _D_NONE:
                if kind == _D_EXP:
                    e, s0, s1, s2, s3 = _exp_next(s0, s1, s2, s3)
                    d += e * alt_f[_ix(alt), 1]
                elif kind == _D_LOGNORMAL:
                    u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                    u2, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                    z = math.sqrt(-2.0 * math.log(1.0 - u)) * math.cos(_TWO_PI * u2)
                    d += math.exp(alt_f[_ix(alt), 1] + alt_f[_ix(alt), 2] * z)
                elif kind == _D_ERLANG:
                    key = int(alt_f[_ix(alt), 1]) * 168 + hour
                    u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                    if u < q_pwait[_ix(key)]:
                        q_lo = q_off[_ix(key)]
                        m = q_len[_ix(key)]
                        u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                        k = _left(q_cum, q_lo, q_lo + m, u * q_cum[_ix(q_lo + m - 1)])
                        if k > m - 1:
                            k = m - 1
                        wait = 0.0
                        for stage in range(k + 1):
                            e, s0, s1, s2, s3 = _exp_next(s0, s1, s2, s3)
                            rate = q_rate[_ix(q_lo + stage)]
                            # nobody to answer (no agents this hour): the wait never ends
                            wait += e / rate if rate > 0.0 else math.inf
                        d += wait
            steps += 1
            menus += alt_i[_ix(alt), A_MENUS]
            identity += alt_i[_ix(alt), A_IDENTITY]
            if fl & _F_REPEAT:
                repeated = True
            runs = (fl & _F_PATIENCE) != 0
            queue = (fl & _F_QUEUE) != 0
            if trace_alt is not None:  # noqa: SIM102 (numba prunes this test alone)
                if i == 0 and steps <= trace_alt.size:
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
            options += alt_i[_ix(alt), A_OPTIONS]
            keys += alt_i[_ix(alt), A_KEYS]
            transfers += alt_i[_ix(alt), A_TRANSFERS]
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
            width = alt_i[_ix(alt), A_WIDTH]
            if width == 0:  # the call ends here
                outcome = (fl >> 12) & 7
                ooh = outcome == _DISCONNECTED and (fl & _F_CLOSED_AFTER) != 0
                if outcome == _R_SELF or outcome == _R_AGENT:
                    t_resolved = clock
                end_alt = alt
                prev_alt = last
                break
            lo = alt_i[_ix(alt), A_NEXT]
            last = alt
        total_steps += steps
        if trace_alt is not None:  # noqa: SIM102 (numba prunes this test alone)
            if i == 0 and steps < trace_alt.size:
                trace_alt[steps] = -1
        resolved = outcome == _R_SELF or outcome == _R_AGENT
        if recs is not None:
            recs[0][i] = task
            recs[1][i] = persona
            recs[2][i] = outcome
            recs[3][i] = clock
            recs[4][i] = t_human if human else math.nan
            recs[5][i] = t_resolved if resolved else math.nan
            recs[6][i] = _store16(menus)
            recs[7][i] = _store16(options)
            recs[8][i] = _store16(keys)
            recs[9][i] = _store16(identity)
            recs[10][i] = _store16(transfers)
            recs[11][i] = repeated
            recs[12][i] = ooh
            recs[13][i] = minute
            recs[14][i] = steps
            recs[15][i] = ivr
            recs[16][i] = hold
            recs[17][i] = zo
            recs[18][i] = end_alt
            recs[19][i] = prev_alt
        # the summary's sums, in the caller's own terms: its code (one increment)
        code = outcome * 16 + (8 if human else 0) + (4 if repeated else 0)
        code += (2 if ooh else 0) + (1 if zo else 0)
        codes[_ix(task), _ix(code)] += 1
        # the times (a caller without a time to a person or resolution adds an exact 0)
        metric_sums[_ix(task), 4, 1] += t_resolved
        metric_sums[_ix(task), 4, 2] += t_resolved * t_resolved
        metric_sums[_ix(task), 3, 1] += t_human
        metric_sums[_ix(task), 3, 2] += t_human * t_human
        metric_sums[_ix(task), 2, 1] += clock
        metric_sums[_ix(task), 2, 2] += clock * clock
        hist[0, _ix(_bin_of_bits(clock, f_buf, f_bits, top))] += 1
        if resolved:
            hist[2, _ix(_bin_of_bits(t_resolved, f_buf, f_bits, top))] += 1
        if human:
            hist[1, _ix(_bin_of_bits(t_human, f_buf, f_bits, top))] += 1
        # the counts, tallied (only those the tree has); written out five times on purpose: an
        # @njit helper for one count is not inlined here and halved the minimal line's speed
        if c_menus:
            if menus < COUNT_CAP:
                tally[_ix(task), 0, _ix(menus)] += 1
            else:
                big[task, 0, 0] += menus
                big[task, 0, 1] += menus * menus
        if c_options:
            if options < COUNT_CAP:
                tally[_ix(task), 1, _ix(options)] += 1
            else:
                big[task, 1, 0] += options
                big[task, 1, 1] += options * options
        if c_keys:
            if keys < COUNT_CAP:
                tally[_ix(task), 2, _ix(keys)] += 1
            else:
                big[task, 2, 0] += keys
                big[task, 2, 1] += keys * keys
        if c_identity:
            if identity < COUNT_CAP:
                tally[_ix(task), 3, _ix(identity)] += 1
            else:
                big[task, 3, 0] += identity
                big[task, 3, 1] += identity * identity
        if c_transfers:
            if transfers < COUNT_CAP:
                tally[_ix(task), 4, _ix(transfers)] += 1
            else:
                big[task, 4, 0] += transfers
                big[task, 4, 1] += transfers * transfers
        # the harms that are amounts (IVR and hold seconds, transfers of callers not lost)
        if outcome != _ABANDONED and outcome != _DISCONNECTED:
            tf = float(transfers)
            no_person = outcome != _R_AGENT and outcome != _CALLBACK and zo and not human
            if ivr != 0.0:
                fs[0] += ivr
                if ivr != 0.0:
                    fc[0, 0] += ivr * ivr
                if hold != 0.0:
                    fc[0, 1] += ivr * hold
                if transfers:
                    fc[0, 2] += ivr * tf
                if repeated:
                    fc[0, 3] += ivr
                if no_person:
                    fc[0, 4] += ivr
                if outcome == _CALLBACK:
                    fc[0, 8] += ivr
                elif outcome == _VOICEMAIL:
                    fc[0, 9] += ivr
            if hold != 0.0:
                fs[1] += hold
                if ivr != 0.0:
                    fc[1, 0] += hold * ivr
                if hold != 0.0:
                    fc[1, 1] += hold * hold
                if transfers:
                    fc[1, 2] += hold * tf
                if repeated:
                    fc[1, 3] += hold
                if no_person:
                    fc[1, 4] += hold
                if outcome == _CALLBACK:
                    fc[1, 8] += hold
                elif outcome == _VOICEMAIL:
                    fc[1, 9] += hold
            if transfers:
                fs[2] += tf
                if ivr != 0.0:
                    fc[2, 0] += tf * ivr
                if hold != 0.0:
                    fc[2, 1] += tf * hold
                if transfers:
                    fc[2, 2] += tf * tf
                if repeated:
                    fc[2, 3] += tf
                if no_person:
                    fc[2, 4] += tf
                if outcome == _CALLBACK:
                    fc[2, 8] += tf
                elif outcome == _VOICEMAIL:
                    fc[2, 9] += tf
        if not resolved and end_alt >= 0:  # lost or deferred: where
            end_fl = alt_i[_ix(end_alt), A_FLAGS]
            via = (end_fl & _F_EVENT_END) != 0 and outcome != _ABANDONED
            src = prev_alt if via and prev_alt >= 0 else end_alt
            if outcome == _ABANDONED:
                closed = state_closed[_ix(alt_i[_ix(src), A_STATE])]
            else:
                closed = (end_fl & _F_CLOSED_AFTER) != 0
            code = outcome - _ABANDONED
            causes[_ix(src * 16 + code * 4 + (2 if via else 0) + (1 if closed else 0))] += 1
    st[0], st[1], st[2], st[3] = s0, s1, s2, s3
    _complete(codes, tally, big, fs, fc, task_outcomes, metric_sums, harm_sums, harm_cross)
    return total_steps


@njit
def _complete(
    codes: Any,
    tally: Any,
    big: Any,
    fs: Any,
    fc: Any,
    task_outcomes: Any,
    metric_sums: Any,
    harm_sums: Any,
    harm_cross: Any,
) -> None:
    """Turn a block's codes, tallies and float-harm sums into the summary's sums (the same
    numbers as adding each caller's terms one by one: the sums of whole numbers are exact)."""
    n_tasks = codes.shape[0]
    ind = np.zeros(N_HARMS, dtype=np.bool_)
    for t in range(n_tasks):
        n_t = 0
        for code in range(N_CODES):
            c = codes[t, code]
            if c == 0:
                continue
            n_t += c
            outcome = code >> 4
            task_outcomes[t, outcome] += c
            cf = float(c)
            if outcome == _R_SELF or outcome == _R_AGENT:
                metric_sums[t, 0, 1] += cf
                metric_sums[t, 4, 0] += cf
            if code & 8:
                metric_sums[t, 1, 1] += cf
                metric_sums[t, 3, 0] += cf
            if code & 4:
                metric_sums[t, 9, 1] += cf
            if code & 2:
                metric_sums[t, 11, 1] += cf
        c = float(n_t)  # every caller has a time, a resolution flag ...: counted by task
        for m in range(N_METRICS):
            if m != 3 and m != 4:
                metric_sums[t, m, 0] += c
        for m in (0, 1, 9, 11):  # a 0/1 metric's square is itself
            metric_sums[t, m, 2] += metric_sums[t, m, 1]
        for k in range(5):
            s1 = big[t, k, 0]
            s2 = big[t, k, 1]
            for v in range(1, COUNT_CAP):
                s1 += v * tally[t, k, v]
                s2 += v * v * tally[t, k, v]
            m = _COUNTED_METRIC[k]
            metric_sums[t, m, 1] += float(s1)
            metric_sums[t, m, 2] += float(s2)
    # the harms that are 0/1 indicators, from the codes (over all tasks)
    for code in range(N_CODES):
        c = 0
        for t in range(n_tasks):
            c += codes[t, code]
        if c == 0:
            continue
        cf = float(c)
        outcome = code >> 4
        human = (code & 8) != 0
        ok = outcome != _ABANDONED and outcome != _DISCONNECTED
        ind[:] = False
        ind[3] = ok and (code & 4) != 0
        ind[4] = outcome != _R_AGENT and outcome != _CALLBACK and (code & 1) != 0 and not human
        ind[5] = outcome == _DISCONNECTED and (code & 2) == 0
        ind[6] = outcome == _DISCONNECTED and (code & 2) != 0
        ind[7] = outcome == _ABANDONED
        ind[8] = outcome == _CALLBACK
        ind[9] = outcome == _VOICEMAIL
        for a in range(3, N_HARMS):
            if ind[a]:
                harm_sums[a] += cf
                for b in range(3, N_HARMS):
                    if ind[b]:
                        harm_cross[a, b] += cf
    # the float harms (IVR and hold seconds, transfers of resolved callers), summed in
    # caller order; a product of two harms is the same either way round
    for f in range(3):
        harm_sums[f] += fs[f]
        for k in range(N_HARMS):
            harm_cross[f, k] += fc[f, k]
            if k >= 3:
                harm_cross[k, f] += fc[f, k]


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
