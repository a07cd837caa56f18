"""Erlang C and Erlang A (M/M/N+M, Palm) queues, computed in log space.

Conventions: calls arrive at rate ``lam`` (Poisson), handling is exponential with mean
``handle_time_s`` (rate ``mu``), ``agents`` = N servers, offered load ``A = lam / mu`` Erlangs.
Erlang A adds exponential patience with mean ``patience_s`` (rate ``theta``): a waiting caller
abandons at rate ``theta``.

Erlang A is solved exactly as a birth-death chain on the number of callers in the system
(birth rate ``lam``, death rate ``min(n, N) mu + max(n - N, 0) theta``), truncated where the
stationary probabilities fall below 1e-300 of the peak. It is stable for any number of agents.
Erlang C is its ``theta -> 0`` limit and exists only when ``A < N``; asking for it when the load
is at or over capacity raises :class:`UnstableQueueError` rather than returning a probability
over 1, as several libraries do.

A caller who arrives to find ``n >= N`` callers in the system has ``k = n - N`` callers ahead
and, if patient, waits through ``k + 1`` exponential stages with rates ``N mu + j theta`` for
``j = k, ..., 0`` (those ahead are served or abandon). That offered wait, against the caller's
own patience, gives the abandonment. :func:`erlang_a` uses it for the waiting-time distribution.

References
----------
.. [1] A. Mandelbaum and S. Zeltyn, "The Palm/Erlang-A queue, with applications to call
   centers", in *Advances in Services Innovations*, Springer, 2007, pp. 17-45.
.. [2] N. Gans, G. Koole and A. Mandelbaum, "Telephone call centers: tutorial, review and
   research prospects", *Manufacturing & Service Operations Management* 5(2), 2003.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .exceptions import IvrscoreError

__all__ = ["QueueMetrics", "UnstableQueueError", "erlang_a", "erlang_b", "erlang_c", "no_agents"]


class UnstableQueueError(IvrscoreError, ValueError):
    """Erlang C was asked for a queue whose offered load is at or over its agents."""


@dataclass(frozen=True)
class QueueMetrics:
    """Steady-state figures of an Erlang C or Erlang A queue.

    Attributes
    ----------
    agents : int
    offered_load : float
        Erlangs, ``calls_per_hour * handle_time_s / 3600``.
    p_wait : float
        Probability an arriving caller waits at all (all agents busy).
    mean_wait_s : float
        Mean time in queue over all callers who join it, answered or abandoning (Mandelbaum &
        Zeltyn's E[W]). Not the industry's ASA: see ``asa_s``.
    mean_wait_served_s : float
        Mean time in queue of the callers who are answered: the average speed of answer (ASA)
        as call statistics report it (also ``asa_s``).
    p_abandon : float
        Probability a caller hangs up before being answered (0 for Erlang C).
    occupancy : float
        Mean share of agents busy.
    mean_queue_length : float
        Mean number of callers waiting.
    """

    agents: int
    offered_load: float
    p_wait: float
    mean_wait_s: float
    mean_wait_served_s: float
    p_abandon: float
    occupancy: float
    mean_queue_length: float
    handle_time_s: float
    patience_s: float
    _ahead: NDArray[np.float64] = field(
        repr=False, compare=False, default_factory=lambda: np.zeros(0)
    )

    @property
    def asa_s(self) -> float:
        """Average speed of answer: the mean wait of answered calls (``mean_wait_served_s``)."""
        return self.mean_wait_served_s

    def ahead_distribution(self) -> NDArray[np.float64]:
        """Probability that an arriving caller finds ``k`` callers ahead in the queue, ``k >= 0``
        (conditioned on having to wait; sums to 1, or is empty when nobody waits)."""
        out: NDArray[np.float64] = self._ahead.copy()
        return out

    def service_level(self, t_s: float) -> float:
        """Share of all callers answered within ``t_s`` seconds of joining the queue.

        Examples
        --------
        >>> m = erlang_c(14, calls_per_hour=200, handle_time_s=180)
        >>> round(m.service_level(20), 3)
        0.888
        """
        if t_s < 0:
            return 0.0
        mu = 1.0 / self.handle_time_s
        n = self.agents
        if math.isinf(self.patience_s):  # Erlang C closed form
            return 1.0 - self.p_wait * math.exp(-(n * mu - self.offered_load * mu) * t_s)
        theta = 1.0 / self.patience_s
        ahead = self._ahead
        if ahead.size == 0:
            return 1.0
        # The waiting caller's position chain: from j callers ahead it moves on at rate
        # N mu + j theta (answered from j = 0) and abandons at rate theta. Uniformise it and
        # weight the answered mass after m jumps by the Poisson(q t) probability of m jumps.
        size = ahead.size
        q = n * mu + theta * size  # the fastest total rate, at the last position
        qt = q * t_s
        n_terms = int(qt + 10.0 * math.sqrt(qt + 1.0) + 20)
        if size * n_terms > _SL_WORK:
            # A long queue (say a million callers waiting): a caller k ahead needs k + 1
            # jumps to be answered, so positions past the Poisson horizon of jumps are never
            # answered within t_s to that same truncation error. Keep only the positions
            # within it; the horizon shrinks with the fastest rate kept, so repeat until it
            # holds. (Short queues skip this and keep their numbers to the bit.)
            while n_terms + 1 < size:
                size = n_terms + 1
                q = n * mu + theta * size
                qt = q * t_s
                n_terms = int(qt + 10.0 * math.sqrt(qt + 1.0) + 20)
        rates = n * mu + theta * np.arange(size)
        total = rates + theta
        q = float(total.max())
        qt = q * t_s
        n_terms = int(qt + 10.0 * math.sqrt(qt + 1.0) + 20)
        p = ahead[:size].copy()
        answered_after = 0.0  # answered mass after m jumps
        answered = 0.0
        log_w = -qt
        for m in range(n_terms + 1):
            answered += math.exp(log_w) * answered_after
            move = p * rates / q
            answered_after += float(move[0])
            p = p * (1.0 - total / q) + np.append(move[1:], 0.0)
            if qt == 0:
                break
            log_w += math.log(qt) - math.log(m + 1)
        return min(1.0, float((1.0 - self.p_wait) + self.p_wait * answered))


def erlang_b(agents: int, load: float) -> float:
    """Erlang B blocking probability, by the stable recursion ``B_k = A B_{k-1} / (k + A B_{k-1})``.

    Examples
    --------
    >>> round(erlang_b(2, 1.0), 4)
    0.2
    """
    if agents < 0 or load < 0:
        raise ValueError("agents and load must be non-negative")
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(agents: int, *, calls_per_hour: float, handle_time_s: float) -> QueueMetrics:
    """Erlang C (M/M/N): callers wait as long as it takes.

    Parameters
    ----------
    agents : int
        Number of agents, ``N >= 1``.
    calls_per_hour : float
        Arrival rate.
    handle_time_s : float
        Mean handling time.

    Returns
    -------
    QueueMetrics

    Raises
    ------
    UnstableQueueError
        When the offered load is at or over ``agents``: the queue grows without bound.

    Examples
    --------
    Call Centre Helper's example: 200 calls an hour, 3-minute handling, 14 agents.

    >>> m = erlang_c(14, calls_per_hour=200, handle_time_s=180)
    >>> round(m.p_wait, 3), round(m.occupancy, 3), round(m.mean_wait_s, 2)
    (0.174, 0.714, 7.84)
    """
    load = calls_per_hour * handle_time_s / 3600.0
    _check(agents, calls_per_hour, handle_time_s)
    if load >= agents:
        raise UnstableQueueError(
            f"offered load {load:.3g} Erlangs is at or over {agents} agents: without abandonment "
            "the queue grows without bound (use erlang_a with the callers' patience)"
        )
    b = erlang_b(agents, load)
    p_wait = agents * b / (agents - load * (1.0 - b))
    mean_wait = p_wait * handle_time_s / (agents - load)
    # conditional on waiting, callers ahead are geometric with ratio A/N
    rho = load / agents
    k = math.ceil(math.log(1e-15) / math.log(rho)) + 1 if rho > 0 else 1
    ahead = (1 - rho) * rho ** np.arange(min(k, 1_000_000))
    return QueueMetrics(
        agents=agents,
        offered_load=load,
        p_wait=p_wait,
        mean_wait_s=mean_wait,
        mean_wait_served_s=mean_wait,
        p_abandon=0.0,
        occupancy=rho,
        mean_queue_length=mean_wait * calls_per_hour / 3600.0,
        handle_time_s=handle_time_s,
        patience_s=math.inf,
        _ahead=ahead / ahead.sum(),
    )


def erlang_a(
    agents: int, *, calls_per_hour: float, handle_time_s: float, patience_s: float
) -> QueueMetrics:
    """Erlang A (M/M/N+M, Palm): callers abandon after an exponential patience.

    Parameters
    ----------
    agents : int
        Number of agents, ``N >= 1``.
    calls_per_hour : float
        Arrival rate.
    handle_time_s : float
        Mean handling time.
    patience_s : float
        Mean patience of a waiting caller; ``math.inf`` gives Erlang C.

    Returns
    -------
    QueueMetrics

    Examples
    --------
    Mandelbaum & Zeltyn's example: 50 agents, 2,880 calls an hour, 1-minute handling and a
    2-minute mean patience.

    >>> m = erlang_a(50, calls_per_hour=2880, handle_time_s=60, patience_s=120)
    >>> round(m.p_abandon, 4), round(m.mean_wait_s, 2), round(m.occupancy, 4)
    (0.0309, 3.71, 0.9303)

    It stays a probability when agents are fewer than the load:

    >>> m = erlang_a(45, calls_per_hour=2880, handle_time_s=60, patience_s=120)
    >>> round(m.p_abandon, 4), round(m.p_wait, 3)
    (0.0836, 0.787)
    """
    _check(agents, calls_per_hour, handle_time_s)
    if not patience_s > 0:
        raise ValueError("patience_s must be positive")
    if math.isinf(patience_s):
        return erlang_c(agents, calls_per_hour=calls_per_hour, handle_time_s=handle_time_s)
    lam = calls_per_hour / 3600.0
    mu = 1.0 / handle_time_s
    theta = 1.0 / patience_s
    n_agents = agents
    log_pi = _birth_death_logs(lam, mu, theta, n_agents, patience_s)
    pi = np.exp(log_pi - log_pi.max())
    pi /= pi.sum()
    states = np.arange(pi.size)
    queued = np.maximum(states - n_agents, 0)
    p_wait = float(pi[n_agents:].sum())
    mean_q = float((queued * pi).sum())
    p_abandon = theta * mean_q / lam
    mean_wait = mean_q / lam
    busy = float((np.minimum(states, n_agents) * pi).sum())
    ahead = pi[n_agents:] / p_wait if p_wait > 0 else np.zeros(0)
    # mean wait of answered callers: per position k, E[min(V, T); V < T] via the stage chain
    j = np.arange(ahead.size)
    stage_rate = n_agents * mu + j * theta
    survive = stage_rate / (stage_rate + theta)  # leave stage j towards service, not abandon
    log_surv = np.cumsum(np.log(survive))  # P(answered | k ahead) = prod_{j<=k} survive_j
    p_served_k = np.exp(log_surv)
    # E[wait * 1{answered} | k]: sum over stages of P(answered|k) / (rate_j + theta)
    stage_time = np.cumsum(1.0 / (stage_rate + theta))
    wait_served = float((ahead * p_served_k * stage_time).sum()) * p_wait
    p_served = 1.0 - p_abandon
    return QueueMetrics(
        agents=agents,
        offered_load=lam / mu,
        p_wait=min(p_wait, 1.0),
        mean_wait_s=mean_wait,
        mean_wait_served_s=wait_served / p_served if p_served > 0 else math.inf,
        p_abandon=min(p_abandon, 1.0),
        occupancy=min(busy / n_agents, 1.0),
        mean_queue_length=mean_q,
        handle_time_s=handle_time_s,
        patience_s=patience_s,
        _ahead=ahead,
    )


_MAX_STATES = 2_000_000

_SL_WORK = 10_000_000
"""Positions x jumps past which :meth:`QueueMetrics.service_level` keeps only the positions
that can be answered within its horizon."""


def _birth_death_logs(
    lam: float, mu: float, theta: float, n_agents: int, patience_s: float
) -> NDArray[np.float64]:
    """Logs of the unnormalised stationary probabilities of M/M/N+M, from 0 callers in the
    system to the first state past the agents that is ``e^-700`` below the peak.

    Grown in blocks with numpy; each log is ``(previous + log lam) - log death``, added in the
    same order as one state at a time, so the numbers are the same to the last bit.
    """
    log_lam = math.log(lam)
    out = [np.zeros(1)]
    last, peak, start, size = 0.0, 0.0, 1, max(2 * n_agents + 64, 1024)
    while True:
        n = np.arange(start, start + size, dtype=np.float64)
        death = np.minimum(n, n_agents) * mu + np.maximum(n - n_agents, 0) * theta
        steps = np.empty(2 * size + 1)
        steps[0] = last
        steps[1::2] = log_lam
        steps[2::2] = -np.log(death)
        logs = np.add.accumulate(steps)[2::2]
        peaks = np.maximum(np.maximum.accumulate(logs), peak)
        done = np.flatnonzero((n > n_agents) & (logs < peaks - 700.0))
        if done.size:
            out.append(logs[: done[0] + 1])
            return np.concatenate(out)
        out.append(logs)
        last, peak, start = float(logs[-1]), float(peaks[-1]), start + size
        if start > _MAX_STATES:
            raise UnstableQueueError(
                f"queue too long to solve: more than 2,000,000 callers in the system "
                f"(load {lam / mu:.0f} Erlangs, {n_agents} agents, patience {patience_s:.0f} s)"
            )
        size *= 2


def no_agents(handle_time_s: float, patience_s: float, calls_per_hour: float = 0.0) -> QueueMetrics:
    """A queue with nobody to answer it: every caller waits until they give up.

    Examples
    --------
    >>> m = no_agents(300.0, 120.0, calls_per_hour=60)
    >>> m.p_abandon, m.p_wait, m.mean_wait_s, m.occupancy
    (1.0, 1.0, 120.0, 0.0)
    """
    return QueueMetrics(
        agents=0,
        offered_load=calls_per_hour * handle_time_s / 3600.0,
        p_wait=1.0,
        mean_wait_s=patience_s,
        mean_wait_served_s=math.nan,
        p_abandon=1.0 if math.isfinite(patience_s) else 0.0,
        occupancy=0.0,
        mean_queue_length=calls_per_hour / 3600.0 * patience_s if calls_per_hour else 0.0,
        handle_time_s=handle_time_s,
        patience_s=patience_s,
        _ahead=np.ones(1),
    )


def _check(agents: int, calls_per_hour: float, handle_time_s: float) -> None:
    if int(agents) != agents or agents < 1:
        raise ValueError("agents must be a whole number >= 1")
    if not calls_per_hour > 0 or not handle_time_s > 0:
        raise ValueError("calls_per_hour and handle_time_s must be positive")
