"""The whole contact centre, simulated: callers who compete for the same agents.

:func:`ivrscore.analyze` solves each hour of the week on its own (the stationary independent
period-by-period method: Erlang A per hour, Green, Kolesar & Whitt 2007). That is the planner's
standard, and it is exact only when an hour is long next to a call. This module is the ground
truth it is checked against: a discrete-event simulation of the week in which

- callers arrive by a non-homogeneous Poisson process (the tree's ``volume`` spread over the
  hours of the week by ``arrivals``, a constant rate within each hour);
- each walks the menus by the same step tables the other engines read (the task, persona,
  zero-out habit and the schedules open at the minute of arrival fix its chain);
- at a staffed queue whose load follows the volume it joins the line of its queue's agents (a
  ``pool:`` is one line for several queues), first come first served;
- the agents on duty follow the roster hour by hour; when fewer come on, the calls in progress
  are finished, and the leaving agents stay to answer the callers who rang while they were on
  duty (nobody is left in a line the roster has closed);
- a waiting caller hangs up when patience runs out (the patience left after the menus);
- an answered caller talks for an exponential handling time with the queue's
  ``handle_time_s`` mean, then goes on through the tree: a transfer joins the next queue's line;
- a queue that gives its own ``calls_per_hour`` keeps its Erlang A wait, as in the other engines.

The simulation runs a warm-up (the day before the measured weeks, by default) so the first
Monday does not start with empty lines, then ``weeks`` measured weeks, then lets every caller in
the building finish. Each queue's figures are recorded in the hour of the week the caller joined
the line, the same way :class:`~ivrscore.engine.dynamics.QueueHours` reports them, so the two can
be put side by side (:meth:`Centre.side_by_side`).

The event loop is one compiled kernel (numba; plain Python where numba is missing, with the same
numbers). It draws from the caller kernel's xoshiro256** generator (:mod:`._kernel`), seeded
from ``rng``, so a seed gives the same week on every machine, and takes its exponential draws
from that kernel's ziggurat. It keeps few events: callers are
drawn as they ring; its one heap holds the callers on their way through the menus to a line; a
caller who gives up is found when an agent next looks for a caller in that line, and counted at
the moment patience ran out; and as handling is exponential, the next end of a call in a slot is
drawn for the slot (at rate calls in progress / handle time, ending one of them at random, the
same law as one talk time per call), so nothing is kept per call in progress; nor is anything
kept per call once it is over (outcomes and hours are counted as calls end and ring). What a run
works out from the tree before the kernel starts is kept per tree
(:class:`~ivrscore._pertree.PerTree`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from .._pertree import PerTree
from ..exceptions import IvrscoreError
from ..model.callers import Exponential, Lognormal, NoPatience
from ..model.tree import PhoneTree
from ..timeofday import minute_patterns
from ._compile import (
    ABANDONED,
    D_ERLANG,
    D_EXP,
    D_LOGNORMAL,
    OUTCOMES,
    Compiled,
    compile_tree,
    stage_rates,
)
from ._jit import njit, warn_if_slow
from ._kernel import _TWO_PI, _exp_next, _next
from .dynamics import HOURS, SERVICE_LEVEL_S, QueueHours, hour_label

MAX_WEEKS = 1_000
"""Most weeks one centre run simulates (its hourly tables hold 168 rows a week)."""

__all__ = ["Centre", "simulate_centre"]

WEEK_S = HOURS * 3600.0

_MAX_STEPS = 100_000
_PER_MINUTE = 1.0 / 60.0
# patience laws, per persona
_P_EXP, _P_LOGNORMAL, _P_NONE = range(3)


@njit
def _hour_of(t: float) -> int:
    h: int = math.floor(t / 3600.0)
    return h % 168


@njit
def _week_of(t: float) -> int:
    w: int = math.floor(t / WEEK_S)
    return w


@njit
def _push(hk: NDArray[np.float64], hv: NDArray[np.int64], n: int, t: float, v: int) -> None:
    """Put event ``(t, v)`` in the binary heap of its ``n`` first entries (room for one more)."""
    pos = n
    while pos > 0:
        up = (pos - 1) >> 1
        ut = hk[up]
        if t < ut or (t == ut and v < hv[up]):
            hk[pos] = ut
            hv[pos] = hv[up]
            pos = up
        else:
            break
    hk[pos] = t
    hv[pos] = v


@njit
def _pop(hk: NDArray[np.float64], hv: NDArray[np.int64], n: int) -> None:
    """Drop the earliest event of the heap of ``n`` entries (read ``hk[0], hv[0]`` first)."""
    n -= 1
    t = hk[n]
    v = hv[n]
    pos = 0
    while True:
        c = 2 * pos + 1
        if c >= n:
            break
        ct = hk[c]
        if c + 1 < n:
            rt = hk[c + 1]
            if rt < ct or (rt == ct and hv[c + 1] < hv[c]):
                c += 1
                ct = rt
        if ct < t or (ct == t and hv[c] < v):
            hk[pos] = ct
            hv[pos] = hv[c]
            pos = c
        else:
            break
    hk[pos] = t
    hv[pos] = v


@njit
def _draw(cum: NDArray[np.float64], u: float) -> int:
    """The first index whose cumulative weight exceeds ``u`` times the total."""
    x = u * cum[cum.size - 1]
    k = 0
    while k < cum.size - 1 and cum[k] <= x:
        k += 1
    return k


@njit
def _normal_next(s0: Any, s1: Any, s2: Any, s3: Any) -> tuple[float, Any, Any, Any, Any]:
    """A standard normal draw (Box-Muller, one of the pair) from the four local words of the
    generator: the draw and the new words."""
    u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
    v, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
    return math.sqrt(-2.0 * math.log(1.0 - u)) * math.cos(_TWO_PI * v), s0, s1, s2, s3


@njit
def _next_arrival(
    ta: float, ah: int, gap: Any, first_hour: int, s0: Any, s1: Any, s2: Any, s3: Any
) -> tuple[float, int, Any, Any, Any, Any]:
    """The next arrival after ``ta`` of a Poisson stream whose rate is constant within each
    hour (mean gap ``gap[ah]`` seconds in hour ``first_hour + ah``, 0 for an hour with no
    calls), and its hour; ``inf`` past the last hour. A draw that falls past its hour's end
    starts again at the next hour (memoryless)."""
    n_hours = gap.size
    while ah < n_hours:
        if gap[ah] > 0.0:
            e, s0, s1, s2, s3 = _exp_next(s0, s1, s2, s3)
            x = ta + e * gap[ah]
            if x < (first_hour + ah + 1) * 3600.0:
                return x, ah, s0, s1, s2, s3
        ah += 1
        ta = (first_hour + ah) * 3600.0
    return math.inf, ah, s0, s1, s2, s3


@njit
def _run(
    # step tables
    alt_start: NDArray[np.int64],
    alt_cum: NDArray[np.float64],
    alt_next: NDArray[np.int64],
    alt_kind: NDArray[np.int64],
    alt_a: NDArray[np.float64],
    alt_b: NDArray[np.float64],
    alt_fixed: NDArray[np.float64],
    alt_patience: NDArray[np.bool_],
    alt_outcome: NDArray[np.int64],
    # queues
    slot_dynamic: NDArray[np.bool_],
    agents: NDArray[np.int64],
    handle_s: NDArray[np.float64],
    fixed_pw: NDArray[np.float64],
    fixed_ahead: NDArray[np.float64],
    fixed_rates: NDArray[np.float64],
    fixed_len: NDArray[np.int64],
    # callers: the mean gap between calls in each hour from ``first_hour`` on, and who they are
    gap: NDArray[np.float64],
    first_hour: int,
    lcap: int,
    jcap: int,
    hcap: int,
    minute_pattern: NDArray[np.int64],
    start_table: NDArray[np.int64],
    task_cum: NDArray[np.float64],
    persona_cum: NDArray[np.float64],
    wants: NDArray[np.float64],
    pat_kind: NDArray[np.int64],
    pat_a: NDArray[np.float64],
    pat_b: NDArray[np.float64],
    # the measured window
    t_begin: float,
    t_end: float,
    weeks: int,
    n_outcomes: int,
    rng: NDArray[np.uint64],
) -> tuple[NDArray[Any], ...]:
    n_slots = agents.shape[0]
    # the generator's four words, kept in locals (registers, when compiled)
    s0, s1, s2, s3 = rng[0], rng[1], rng[2], rng[3]
    # Room is fixed up front (``lcap`` callers in the building at once, ``jcap`` waiting in
    # lines, ``hcap`` on their way to one): a run that needs more stops (``full`` says which)
    # and is run again with more. Records of the callers in the building and of the places in
    # lines are used again once free, so they stay few and in cache; nothing is kept per call
    # once it is over (its outcome and hour are counted as it ends and as it rings).
    full = 0
    # the callers who rang in the measured weeks: how many each hour of the week, and how their
    # calls ended (those never counted as ending another way gave up)
    calls_hour = np.zeros(168)
    ended_as = np.zeros(n_outcomes, dtype=np.int64)
    n = 0
    # per caller in the building (a live record, reused)
    l_hour = np.empty(lcap, dtype=np.int64)  # the hour of the week the caller rang
    l_in = np.empty(lcap, dtype=np.bool_)  # rang in the measured weeks
    state = np.empty(lcap, dtype=np.int64)
    left = np.empty(lcap)
    steps = np.empty(lcap, dtype=np.int64)
    pending = np.empty(lcap, dtype=np.int64)  # the queue alternative a caller waits in
    l_free = np.arange(lcap - 1, -1, -1)
    l_nfree = lcap
    # per place in a line: lines are linked lists, first come first served; a caller who gives
    # up stays in the list until an agent looks for the next caller (or the run ends), and is
    # counted then, at the moment patience ran out
    j_live = np.empty(jcap, dtype=np.int64)
    j_time = np.empty(jcap)
    j_dead = np.empty(jcap)  # when the caller's patience runs out (inf: never)
    j_next = np.empty(jcap, dtype=np.int64)
    j_hour = np.empty(jcap, dtype=np.int64)  # the hour of the week the caller joined
    j_week = np.empty(jcap, dtype=np.int64)  # and the measured week (-1: not measured)
    j_free = np.arange(jcap - 1, -1, -1)
    j_nfree = jcap
    head = np.full(n_slots, -1, dtype=np.int64)
    tail = np.full(n_slots, -1, dtype=np.int64)
    busy = np.zeros(n_slots, dtype=np.int64)
    # the calls in progress: handling is exponential, so the next end of a call in a slot comes
    # at rate busy / handle time from any moment on, and ends one of the calls chosen at random
    # (the memoryless race); it is drawn again whenever the slot's number of calls changes
    most = agents.max() if agents.size else 0  # a centre with no staffed queue has no slots
    talking = np.empty((n_slots, max(1, most)), dtype=np.int64)
    next_end = np.full(n_slots, math.inf)
    since = np.zeros(n_slots)  # when the slot's number of calls last changed
    # figures per slot and hour of the week (summed over the measured weeks) and per week
    f_joined = np.zeros((n_slots, 168))
    f_answered = np.zeros((n_slots, 168))
    f_abandoned = np.zeros((n_slots, 168))
    f_wait_answered = np.zeros((n_slots, 168))
    f_within = np.zeros((n_slots, 168))
    f_wait_all = np.zeros((n_slots, 168))
    f_busy = np.zeros((n_slots, 168))
    w_joined = np.zeros((weeks, n_slots))
    w_answered = np.zeros((weeks, n_slots))
    w_abandoned = np.zeros((weeks, n_slots))
    w_wait_answered = np.zeros((weeks, n_slots))
    w_busy = np.zeros((weeks, n_slots))
    # callers on their way to a line (a few: those in the menus), in the order (time, caller):
    # those who reach it no earlier than the last one put in the ring (all of them when the
    # menus before a line take a fixed time, as callers then arrive in the order they rang)
    # join the ring, a first-in first-out list, the others the heap; the next is the earlier
    # of the two heads, the same order as one heap. Arrivals come from their own stream and
    # shift changes on the hour.
    hk = np.empty(hcap)
    hv = np.empty(hcap, dtype=np.int64)
    hn = 0
    rk = np.empty(hcap)
    rv = np.empty(hcap, dtype=np.int64)
    r_head = 0
    rn = 0
    r_last_t = -math.inf
    r_last_v = -1
    # the arrival stream: a Poisson process with a constant rate within each hour
    ta, ah, s0, s1, s2, s3 = _next_arrival(
        first_hour * 3600.0, 0, gap, first_hour, s0, s1, s2, s3
    )  # hour ``ah`` of ``rate``
    tick = first_hour * 3600.0
    last_tick = t_end + WEEK_S
    # the hour the events are in (shift changes come on the hour, before anything else that
    # happens at that moment, so every event between two of them is in the hour of the first):
    # its hour of the week, whether it is measured, and its measured week
    cur_h = 0
    cur_in = False
    cur_w = -1
    while True:
        th = tick if tick <= last_tick else math.inf
        top = math.inf
        ring = False
        if hn > 0:
            top = hk[0]
        if rn > 0:
            rt = rk[r_head]
            if rt < top or (rt == top and rv[r_head] < hv[0]):
                top = rt
                ring = True
        te = math.inf
        qe = -1
        for q in range(n_slots):
            if next_end[q] < te:
                te = next_end[q]
                qe = q
        serve = -1  # the slot whose agents look for the next caller
        ended = -1
        if th <= ta and th <= top and th <= te:
            if th == math.inf:
                break
            t = th
            tick += 3600.0
            serve = n_slots  # all of them: a shift change
            i = -1
            # the agents' time, hour by hour (an hour's time is counted at its end)
            if cur_in:
                for q in range(n_slots):
                    f_busy[q, cur_h] += busy[q] * (t - since[q])
                    w_busy[cur_w, q] += busy[q] * (t - since[q])
            for q in range(n_slots):
                since[q] = t
            # the hour that starts
            cur_h = _hour_of(t)
            cur_in = t_begin <= t < t_end
            cur_w = _week_of(t - t_begin) if cur_in else -1
        elif te <= ta and te <= top:
            # a call ends: the agent looks for the next caller, and this caller goes on
            t = te
            q = qe
            if cur_in:
                f_busy[q, cur_h] += busy[q] * (t - since[q])
                w_busy[cur_w, q] += busy[q] * (t - since[q])
            since[q] = t
            b = busy[q]
            u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
            k = min(math.floor(u * b), b - 1)
            i = talking[q, k]
            talking[q, k] = talking[q, b - 1]
            busy[q] = b - 1
            ended = q  # the next end is drawn once the agent has looked for the next caller
            serve = q
        elif ta < top:
            # a caller rings: who they are, and where they start
            t = ta
            if l_nfree == 0:
                full = 1
                break
            l_nfree -= 1
            i = l_free[l_nfree]
            l_hour[i] = cur_h
            l_in[i] = cur_in
            if cur_in:
                n += 1
                calls_hour[cur_h] += 1.0
            u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
            task = _draw(task_cum, u)
            u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
            persona = _draw(persona_cum, u)
            u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
            zero = 1 if u < wants[persona] else 0
            pattern = minute_pattern[math.floor(t * _PER_MINUTE) % 10080]
            state[i] = start_table[task, persona, zero, pattern]
            pk = pat_kind[persona]
            if pk == _P_EXP:
                e, s0, s1, s2, s3 = _exp_next(s0, s1, s2, s3)
                left[i] = e * pat_a[persona]
            elif pk == _P_LOGNORMAL:
                z, s0, s1, s2, s3 = _normal_next(s0, s1, s2, s3)
                left[i] = math.exp(pat_a[persona] + pat_b[persona] * z)
            else:
                left[i] = math.inf
            steps[i] = 0
            pending[i] = -1
            ta, ah, s0, s1, s2, s3 = _next_arrival(
                ta, ah, gap, first_hour, s0, s1, s2, s3
            )  # the next caller
        else:
            # a caller reaches a line
            t = top
            if ring:
                i = rv[r_head]
                r_head += 1
                if r_head == hcap:
                    r_head = 0
                rn -= 1
            else:
                i = hv[0]
                _pop(hk, hv, hn)
                hn -= 1
            a = pending[i]
            q = int(alt_a[a])
            if j_nfree == 0:
                full = 2
                break
            j_nfree -= 1
            j = j_free[j_nfree]
            j_live[j] = i
            j_time[j] = t
            j_dead[j] = t + left[i] if alt_patience[a] else math.inf
            j_next[j] = -1
            if tail[q] >= 0:
                j_next[tail[q]] = j
            else:
                head[q] = j
            tail[q] = j
            j_hour[j] = cur_h
            j_week[j] = cur_w
            if cur_in:
                f_joined[q, cur_h] += 1.0
                w_joined[cur_w, q] += 1.0
            serve = q
            i = -1
        # agents who are free answer the callers waiting (one slot, or all at a shift change)
        if serve >= 0:
            lo, hi = (0, n_slots) if serve == n_slots else (serve, serve + 1)
            # the hour of ``t`` (once the shift changes stop, at the end of the run, worked out)
            h_now = cur_h if t < tick else _hour_of(t)
            m_now = cur_in and t < tick
            for q in range(lo, hi):
                now_on = agents[q, h_now]
                answered = False
                j = head[q]
                while j >= 0:
                    c = j_live[j]
                    if j_dead[j] < t:  # gave up before an agent was free
                        wk = j_week[j]
                        if wk >= 0:
                            h = j_hour[j]
                            f_abandoned[q, h] += 1.0
                            f_wait_all[q, h] += j_dead[j] - j_time[j]
                            w_abandoned[wk, q] += 1.0
                        l_free[l_nfree] = c
                        l_nfree += 1
                        j_free[j_nfree] = j
                        j_nfree += 1
                        j = j_next[j]
                        continue
                    # a shift that ends stays to answer the callers who rang while it was on
                    if busy[q] >= now_on and busy[q] >= agents[q, l_hour[c]]:
                        break
                    if m_now:  # since[q] is in this hour
                        f_busy[q, cur_h] += busy[q] * (t - since[q])
                        w_busy[cur_w, q] += busy[q] * (t - since[q])
                    since[q] = t
                    talking[q, busy[q]] = c
                    busy[q] += 1
                    wait = t - j_time[j]
                    a = pending[c]
                    if alt_patience[a]:
                        left[c] -= wait
                    wk = j_week[j]
                    if wk >= 0:
                        h = j_hour[j]
                        f_answered[q, h] += 1.0
                        f_wait_answered[q, h] += wait
                        f_wait_all[q, h] += wait
                        if wait <= SERVICE_LEVEL_S:
                            f_within[q, h] += 1.0
                        w_answered[wk, q] += 1.0
                        w_wait_answered[wk, q] += wait
                    # the caller talks, then goes on from the agent
                    state[c] = alt_next[a]
                    answered = True
                    j_free[j_nfree] = j
                    j_nfree += 1
                    j = j_next[j]
                head[q] = j
                if j < 0:
                    tail[q] = -1
                if answered or q == ended:
                    b = busy[q]
                    if b > 0:
                        e, s0, s1, s2, s3 = _exp_next(s0, s1, s2, s3)
                        next_end[q] = t + e * handle_s[q] / b
                    else:
                        next_end[q] = math.inf
        if i < 0:
            continue
        # walk caller i until the call ends or the caller must wait in a line
        now = t
        queued = False
        while True:
            s = state[i]
            u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
            a = alt_start[s]
            last = alt_start[s + 1] - 1
            while a < last and alt_cum[a] < u:
                a += 1
            steps[i] += 1
            k = alt_kind[a]
            if k == D_ERLANG and slot_dynamic[int(alt_a[a])]:
                d0 = alt_fixed[a]
                if alt_patience[a] and d0 > left[i]:
                    break
                now += d0
                if alt_patience[a]:
                    left[i] -= d0
                pending[i] = a
                if rn == 0 or now > r_last_t or (now == r_last_t and i > r_last_v):
                    if rn == hcap:
                        full = 3
                        break
                    pos = r_head + rn
                    if pos >= hcap:
                        pos -= hcap
                    rk[pos] = now
                    rv[pos] = i
                    rn += 1
                    r_last_t = now
                    r_last_v = i
                else:
                    if hn == hcap:
                        full = 3
                        break
                    _push(hk, hv, hn, now, i)
                    hn += 1
                queued = True
                break
            d = alt_fixed[a]
            if k == D_EXP:
                e, s0, s1, s2, s3 = _exp_next(s0, s1, s2, s3)
                d += e * alt_a[a]
            elif k == D_LOGNORMAL:
                z, s0, s1, s2, s3 = _normal_next(s0, s1, s2, s3)
                d += math.exp(alt_a[a] + alt_b[a] * z)
            elif k == D_ERLANG:  # a queue with its own calls_per_hour: its Erlang A wait
                q = int(alt_a[a])
                u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                if u < fixed_pw[q]:
                    m = fixed_len[q]
                    u, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                    x = u * fixed_ahead[q, m - 1]
                    ahead = 0
                    while ahead < m - 1 and fixed_ahead[q, ahead] < x:
                        ahead += 1
                    for jj in range(ahead + 1):
                        e, s0, s1, s2, s3 = _exp_next(s0, s1, s2, s3)
                        d += e / fixed_rates[q, jj]
            if alt_patience[a] and d > left[i]:
                break
            now += d
            if alt_patience[a]:
                left[i] -= d
            nxt = alt_next[a]
            if nxt < 0:
                if l_in[i]:
                    ended_as[alt_outcome[a]] += 1
                break
            if steps[i] >= _MAX_STEPS:
                break
            state[i] = nxt
        if full:
            break
        if not queued:  # the call is over: its live record is free
            l_free[l_nfree] = i
            l_nfree += 1
    # the callers still in a line when the run ends gave up there (those who never hang up
    # wait for ever, in a line nobody answers again)
    for q in range(n_slots):
        j = head[q]
        while j >= 0:
            if j_dead[j] < math.inf and j_week[j] >= 0:
                h = j_hour[j]
                f_abandoned[q, h] += 1.0
                f_wait_all[q, h] += j_dead[j] - j_time[j]
                w_abandoned[j_week[j], q] += 1.0
            j = j_next[j]
    ended_as[ABANDONED] += n - ended_as.sum()
    return (
        np.array([full, n]),
        ended_as,
        calls_hour,
        f_joined,
        f_answered,
        f_abandoned,
        f_wait_answered,
        f_within,
        f_wait_all,
        f_busy,
        w_joined,
        w_answered,
        w_abandoned,
        w_wait_answered,
        w_busy,
    )


@dataclass(frozen=True)
class Centre:
    """One simulated run of the whole centre (see the module documentation).

    Attributes
    ----------
    hours : QueueHours
        Each staffed queue's (or pool's) figures in each hour of the week, averaged over the
        measured weeks, in the same shape as ``ivr.analyze(tree).hourly``: calls offered, agents,
        ASA of the answered, service level, abandonment, occupancy, mean time in the line.
    outcomes : dict
        Share of the calls arriving in the measured weeks ending each way.
    calls : int
        Calls that arrived in the measured weeks.
    weeks : int
        Measured weeks.
    weekly : dict
        Per queue row, each week's ``p_abandon``, ``asa_s`` and ``occupancy`` (arrays of
        ``weeks`` values), the batches behind :meth:`stderr`.
    seed : object
        The seed the run was started from.
    """

    hours: QueueHours
    outcomes: dict[str, float]
    calls: int
    weeks: int
    weekly: dict[str, dict[str, NDArray[np.float64]]]
    seed: Any

    def stderr(self, name: str, figure: str) -> float:
        """Standard error of a queue's week figure (``p_abandon``, ``asa_s``, ``occupancy``),
        from the spread between the measured weeks (batch means); NaN with one week."""
        x = self.weekly[self.hours.names[self.hours.index(name)]][figure]
        x = x[np.isfinite(x)]
        return float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.nan

    def figure(self, name: str, figure: str) -> float:
        """A queue's figure over all the measured weeks (``p_abandon``, ``asa_s``,
        ``occupancy``, ``service_level``, ``mean_wait_s``, ``offered``)."""
        row = self.hours.index(name)
        return float(self._totals[figure][row])

    @property
    def _totals(self) -> dict[str, NDArray[np.float64]]:
        h = self.hours
        joined = h.offered.sum(axis=1)
        answered = np.nansum(h.offered * (1 - h.p_abandon), axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return {
                "offered": joined,
                "p_abandon": np.nansum(h.offered * h.p_abandon, axis=1) / joined,
                "asa_s": np.nansum(h.offered * (1 - h.p_abandon) * h.asa_s, axis=1) / answered,
                "service_level": np.nansum(h.offered * h.service_level, axis=1) / joined,
                "mean_wait_s": np.nansum(h.offered * h.mean_wait_s, axis=1) / joined,
                "occupancy": np.nansum(h.occupancy * h.agents, axis=1) / h.agents.sum(axis=1),
            }

    def side_by_side(self, analysed: QueueHours, name: str | None = None) -> list[str]:
        """Lines comparing the simulation with the hour-by-hour model, hour by hour, for the
        hours where the queue is offered calls: where they part is where the approximation
        breaks (peaks, roster changes)."""
        rows = range(len(self.hours.names)) if name is None else [self.hours.index(name)]
        out = [
            f"{'queue':<20} {'hour':<9} {'offered':>15} {'ASA':>15} {'abandon':>15} {'busy':>15}",
            f"{'':<20} {'':<9}" + f" {'model / sim':>15}" * 4,
        ]
        for r in rows:
            q = self.hours.names[r]
            ar = analysed.index(q)
            for h in range(HOURS):
                if analysed.offered[ar, h] <= 0 and self.hours.offered[r, h] <= 0:
                    continue
                cells = [
                    _pair(analysed.offered[ar, h], self.hours.offered[r, h], "{:.0f}"),
                    _pair(analysed.asa_s[ar, h], self.hours.asa_s[r, h], "{:.0f} s"),
                    _pair(analysed.p_abandon[ar, h], self.hours.p_abandon[r, h], "{:.1%}"),
                    _pair(analysed.occupancy[ar, h], self.hours.occupancy[r, h], "{:.0%}"),
                ]
                out.append(f"{q[:20]:<20} {hour_label(h):<9}" + "".join(f" {c:>15}" for c in cells))
        return out


def _pair(model: float, sim: float, fmt: str) -> str:
    def one(x: float) -> str:
        return fmt.format(x) if math.isfinite(x) else "—"

    return f"{one(model)} / {one(sim)}"


def simulate_centre(
    tree: PhoneTree,
    *,
    weeks: int = 1,
    warmup_h: float = 24.0,
    rng: int | np.random.Generator | None = None,
) -> Centre:
    """Simulate the whole contact centre for ``weeks`` weeks: callers compete for agents.

    Parameters
    ----------
    tree : PhoneTree
        A tree with a ``volume:`` (calls per week or at the peak hour), which with
        ``arrivals`` gives each hour's calls.
    weeks : int, default 1
        Measured weeks, after the warm-up.
    warmup_h : float, default 24
        Hours simulated before the first measured Monday 00:00 (the end of the week before),
        so lines and agents are busy as they would be when the week starts.
    rng : int or numpy.random.Generator, optional
        The seed; the same seed gives the same numbers on every machine.

    Returns
    -------
    Centre

    Raises
    ------
    IvrscoreError
        The tree has no ``volume:``.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("acme_telecom"))
    >>> run = ivr.simulate_centre(tree, rng=1)
    >>> run.hours.names
    ('faults_queue', 'general_queue')
    >>> 55_000 < run.calls < 65_000  # 60,000 calls a week, a Poisson number of them
    True
    """
    if tree.volume is None:
        raise IvrscoreError(
            f"{tree.name}: simulating the centre needs `volume:` (calls per week or at the peak "
            "hour), which with `arrivals` gives each hour's calls"
        )
    if not 1 <= weeks <= MAX_WEEKS:
        raise IvrscoreError(f"weeks must be from 1 to {MAX_WEEKS:,}, not {weeks:,}")
    if isinstance(rng, int) and rng < 0:
        raise IvrscoreError(f"a seed is a whole number from 0, not {rng}")
    warn_if_slow()
    slots, tables, callers, n_outcomes = _SETUP.get(
        tree, ("centre", weeks, warmup_h), lambda: _setup(tree, weeks, warmup_h)
    )
    seed_seq = np.random.SeedSequence(rng if isinstance(rng, int) or rng is None else None)
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(seed_seq)
    # the kernel's generator state (xoshiro256**, four words), from the run's stream
    state = np.random.SeedSequence(int(gen.integers(0, 2**63 - 1))).generate_state(4, np.uint64)
    t_begin, t_end = 0.0, weeks * WEEK_S
    # room for the callers in the building at once, their places in lines and the heap; a run
    # that needs more is run again, from the same generator state, with twice the room it
    # lacked: the same numbers
    caps = [8192, 8192, 4096]
    while True:
        with np.errstate(over="ignore"):  # the generator wraps round on purpose (plain Python)
            res = cast(Any, _run)(
                *tables, *callers[:2], *caps, *callers[2:], t_begin, t_end, weeks, n_outcomes, state
            )
        full = int(res[0][0])
        if full == 0:
            break
        caps[full - 1] *= 2
    calls = int(res[0][1])
    counts, per_hour = res[1][: len(OUTCOMES)], res[2]
    f_joined, f_answered, f_abandoned, f_wait_ans, f_within, f_wait_all, f_busy = res[3:10]
    w_joined, w_answered, w_abandoned, w_wait_ans, w_busy = res[10:]
    outcomes = {o: float(n) / max(calls, 1) for o, n in zip(OUTCOMES, counts, strict=True)}
    agents = tables[10].copy()  # the kept table stays as it is
    with np.errstate(divide="ignore", invalid="ignore"):
        hours = QueueHours(
            names=tuple(s[0] for s in slots),
            queues=tuple(s[1] for s in slots),
            offered=f_joined / weeks,
            agents=agents,
            asa_s=f_wait_ans / f_answered,
            service_level=f_within / f_joined,
            p_abandon=f_abandoned / f_joined,
            occupancy=f_busy / (agents * 3600.0 * weeks),
            mean_wait_s=f_wait_all / f_joined,
            calls=per_hour / weeks,
            fixed=tuple(s[2] for s in slots),
            handle_time_s=tuple(s[3] for s in slots),
        )
        on_duty = agents.sum(axis=1) * 3600.0  # agent-seconds a week
        weekly = {
            s[0]: {
                "p_abandon": w_abandoned[:, r] / w_joined[:, r],
                "asa_s": w_wait_ans[:, r] / w_answered[:, r],
                "occupancy": w_busy[:, r] / on_duty[r],
            }
            for r, s in enumerate(slots)
        }
    return Centre(hours, outcomes, calls, weeks, weekly, rng)


_Slot = tuple[str, tuple[str, ...], bool, float]
_Setup = tuple[tuple[_Slot, ...], tuple[NDArray[Any], ...], tuple[Any, ...], int]
_SETUP: PerTree[_Setup] = PerTree()
"""What :func:`simulate_centre` works out from a tree before it runs, kept per live tree
(trees are frozen) and horizon: another run of the same tree (another seed, a replication)
starts the kernel at once. Nothing kept refers to the tree, so it is dropped with the tree."""


def _setup(tree: PhoneTree, weeks: int, warmup_h: float) -> _Setup:
    """Each slot's name, queues, whether it keeps its own Erlang A wait and its handling
    time; the kernel's step tables and queue parameters; what it needs to draw the callers;
    and the number of outcomes it counts."""
    c = compile_tree(tree)
    slots = tuple((s.name, tuple(s.queues), s.fixed, s.handle_time_s) for s in c.slots)
    n_outcomes = max(len(OUTCOMES), int(c.alt_outcome.max(initial=0)) + 1)
    return slots, _tables(c), _callers(c, weeks, warmup_h), n_outcomes


def _callers(c: Compiled, weeks: int, warmup_h: float) -> tuple[Any, ...]:
    """What the kernel needs to draw the callers as they ring: the mean gap between calls
    (seconds; 0 for no calls) of each hour from the start of the warm-up, that first hour
    (negative: seconds count from the first measured Monday 00:00), the pattern of schedules in
    force each minute of the week, the chain start of each task, persona,
    zero-out habit and pattern, and the draws of task, persona, zero-out and patience."""
    tree = c.tree
    assert tree.volume is not None
    weights = tree.arrival_weights().reshape(-1)
    weekly = tree.volume.weekly(peak_share=float(weights.max()))
    first = -math.ceil(warmup_h)
    hours = np.arange(first, weeks * HOURS)
    per_hour = weekly * weights[hours % HOURS]
    pats, minute_pattern = minute_patterns(tree)
    task_cum = np.cumsum(tree.task_shares()).astype(float)
    shares = np.array([p.share for p in c.personas], dtype=float)
    persona_cum = np.cumsum(shares / shares.sum())
    wants = np.array([p.wants_human for p in c.personas], dtype=float)
    table = np.full((len(c.task_names), len(c.personas), 2, len(pats)), -1, np.int64)
    for ch in c.chains:
        table[ch.task, ch.persona, int(ch.zero_outer), ch.pattern] = ch.start
    kind = np.empty(len(c.personas), dtype=np.int64)
    pa = np.zeros(len(c.personas))
    pb = np.zeros(len(c.personas))
    for k, p in enumerate(c.personas):
        pat = p.patience
        if isinstance(pat, Exponential):
            kind[k], pa[k] = _P_EXP, pat.mean_s
        elif isinstance(pat, Lognormal):
            kind[k], pa[k], pb[k] = _P_LOGNORMAL, math.log(pat.median_s), pat.sigma
        else:
            assert isinstance(pat, NoPatience)
            kind[k] = _P_NONE
    return (
        np.divide(3600.0, per_hour, out=np.zeros_like(per_hour), where=per_hour > 0),
        first,
        minute_pattern.astype(np.int64),
        table,
        task_cum,
        persona_cum,
        wants,
        kind,
        pa,
        pb,
    )


def _tables(c: Compiled) -> tuple[NDArray[Any], ...]:
    """The step tables and queue parameters the kernel reads."""
    running = np.cumsum(c.alt_prob)
    first = c.alt_start[c.alt_state]
    last = c.alt_start[c.alt_state + 1] - 1
    before = np.where(first > 0, running[np.maximum(first - 1, 0)], 0.0)
    cum = (running - before) / (running[last] - before)
    n_slots = len(c.slots)
    dynamic = np.array([not s.fixed for s in c.slots], dtype=np.bool_)
    agents = np.zeros((n_slots, HOURS), dtype=np.int64)
    for r, s in enumerate(c.slots):
        if s.agents is not None:
            agents[r] = s.agents
    handle = np.array([s.handle_time_s for s in c.slots], dtype=float)
    size = max([1] + [c.queues[r].ahead_distribution().size for r in range(n_slots)])
    pw = np.zeros(n_slots)
    ahead = np.ones((n_slots, size))
    rates = np.ones((n_slots, size))
    length = np.ones(n_slots, dtype=np.int64)
    for r, s in enumerate(c.slots):
        if s.fixed:
            m = c.queues[r]
            dist = m.ahead_distribution()
            if dist.size:
                pw[r] = m.p_wait
                ahead[r, : dist.size] = np.cumsum(dist)
                rates[r, : dist.size] = stage_rates(m)
                length[r] = dist.size
    return (
        c.alt_start.astype(np.int64),
        cum.astype(np.float64),
        c.alt_next.astype(np.int64),
        c.alt_kind.astype(np.int64),
        c.alt_a.astype(np.float64),
        c.alt_b.astype(np.float64),
        c.alt_fixed.astype(np.float64),
        c.alt_patience.astype(np.bool_),
        c.alt_outcome.astype(np.int64),
        dynamic,
        agents,
        handle,
        pw,
        ahead,
        rates,
        length,
    )
