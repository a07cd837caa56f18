"""Exact expected outcomes: the caller model as an absorbing Markov chain, solved with scipy.sparse.

With exponential patience (or none) the remaining patience at any moment has the same law as at
the start, so the state ``(node, attempt, data given, flags)`` is enough to know the future: the
model is an absorbing Markov chain whose steps have fixed or random durations. For a step of
duration ``D`` and patience rate ``theta`` the caller finishes it with probability
``E[exp(-theta D)]`` and spends ``E[min(D, T)] = (1 - E[exp(-theta D)]) / theta`` in it. These
are closed forms for fixed, exponential and Erlang A (hypo-exponential) waits, and Gauss-Hermite
quadrature (64 points, exact to ~1e-12 for the smooth integrand) for log-normal waits.

With ``Q`` the transient-to-transient step probabilities, ``R`` transient-to-outcome, one sparse
LU factorisation of ``I - Q`` gives ``y = (I - Q)^-T e_start`` (expected visits to each state) and
``B = (I - Q)^-1 R`` (absorption probabilities from each state). Then:

* ``P(outcome) = y R``;
* an additive count ``c`` per step has mean ``y . c``;
* a time conditioned on an outcome set ``A`` has ``E[T 1{A}] = sum_s y_s E[step time x
  P(A after the step)]``, per alternative, so conditional means need no extra state.

Time of day is handled by conditioning: one chain per open/closed pattern of the schedules,
weighted by the share of calls arriving in it (and per task, persona and zero-out habit).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..exceptions import IvrscoreError
from ..model.callers import Exponential, Lognormal, NoPatience, Persona
from ..model.tree import PhoneTree
from ..queueing import QueueMetrics
from ._compile import (
    ABANDONED,
    D_ERLANG,
    D_EXP,
    D_LOGNORMAL,
    DISCONNECTED,
    DISCONNECTED_CLOSED,
    R_AGENT,
    R_SELF,
    Compiled,
    compile_tree,
    stage_rates,
)
from .ledger import SUCCESS, harms_from_flows
from .results import Result, Totals

__all__ = ["NotExactError", "Segment", "analyze", "solve_segment", "step_moments"]

_GH_X, _GH_W = np.polynomial.hermite.hermgauss(64)


class NotExactError(IvrscoreError):
    """The tree uses a patience distribution the exact analysis cannot solve (only exponential
    patience, or none, is memoryless)."""


def _rate(persona: Persona, approximate: bool) -> float:
    p = persona.patience
    if isinstance(p, Exponential):
        return 1.0 / p.mean_s
    if isinstance(p, NoPatience):
        return 0.0
    assert isinstance(p, Lognormal)
    if approximate:
        return 1.0 / p.mean
    raise NotExactError(
        f"persona '{persona.name}' has log-normal patience, which is not memoryless: the exact "
        "analysis needs exponential patience (or none). Use ivr.simulate, or "
        "ivr.analyze(tree, approximate=True) to replace it by an exponential of the same mean"
    )


def step_moments(
    c: Compiled,
    theta: float | NDArray[np.float64],
    alts: NDArray[np.int64],
    queues: list[QueueMetrics] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """For each alternative: ``(survive, time, time_if_survived)``.

    ``survive = E[exp(-theta D)]`` (finishing the step before patience runs out),
    ``time = E[min(D, T)]`` and ``time_if_survived = E[D exp(-theta D)]``, where ``D`` is the
    step's duration and ``T ~ Exp(theta)`` the caller's patience; without patience the step
    is always finished. ``theta`` is one rate or one per alternative; ``queues`` replaces the
    staffed queues' models (by slot), e.g. by those of one hour of the week.
    """
    models = c.queues if queues is None else queues
    fixed = c.alt_fixed[alts]
    kind = c.alt_kind[alts]
    a = c.alt_a[alts]
    b = c.alt_b[alts]
    th = np.broadcast_to(np.asarray(theta, dtype=float), alts.shape)
    patience = c.alt_patience[alts] & (th > 0)
    mean_rand = np.zeros(alts.size)
    # random part: Laplace transform L = E[exp(-theta W)] and M = E[W exp(-theta W)]
    lap = np.ones(alts.size)
    mom = np.zeros(alts.size)
    exp_ = kind == D_EXP
    if exp_.any():
        lam = 1.0 / a[exp_]
        t = th[exp_]
        mean_rand[exp_] = a[exp_]
        lap[exp_] = lam / (lam + t)
        mom[exp_] = lam / (lam + t) ** 2
    logn = kind == D_LOGNORMAL
    if logn.any():
        mu, sigma, t = a[logn], b[logn], th[logn][:, None]
        w = np.exp(mu[:, None] + np.sqrt(2.0) * sigma[:, None] * _GH_X[None, :])
        weights = _GH_W / math.sqrt(math.pi)
        mean_rand[logn] = np.exp(mu + sigma**2 / 2)
        lap[logn] = (np.exp(-t * w) * weights).sum(axis=1)
        mom[logn] = (w * np.exp(-t * w) * weights).sum(axis=1)
    erl = np.flatnonzero(kind == D_ERLANG)
    if erl.size:
        pairs, inverse = np.unique(
            np.stack([a[erl], th[erl]]), axis=1, return_inverse=True
        )  # each (queue, patience rate) once
        inverse = inverse.reshape(-1)
        for j in range(pairs.shape[1]):
            lj, mj, ej = _erlang_moments(models[int(pairs[0, j])], float(pairs[1, j]))
            rows = erl[inverse == j]
            lap[rows], mom[rows], mean_rand[rows] = lj, mj, ej
    # add the fixed part: D = fixed + W
    with np.errstate(divide="ignore", invalid="ignore"):
        e_fix = np.exp(-th * fixed)
        survive = np.where(patience, e_fix * lap, 1.0)
        if_survived = np.where(patience, e_fix * (fixed * lap + mom), fixed + mean_rand)
        time = np.where(patience, (1.0 - survive) / np.where(th > 0, th, 1.0), fixed + mean_rand)
    return survive, time, if_survived


def _erlang_moments(q: QueueMetrics, theta: float) -> tuple[float, float, float]:
    """``(E[exp(-theta W)], E[W exp(-theta W)], E[W])`` of an Erlang A wait."""
    ahead = q.ahead_distribution()
    pw = q.p_wait
    if ahead.size == 0 or pw == 0:
        return 1.0, 0.0, 0.0
    rates = stage_rates(q)
    with np.errstate(divide="ignore", invalid="ignore"):
        # given k ahead: stages with rates r_k..r_0; L_k = prod r/(r+theta), M_k = L_k sum 1/(r+theta)
        log_l = np.cumsum(np.log(rates / (rates + theta)))
        l_k = np.exp(log_l)
        m_k = l_k * np.cumsum(1.0 / (rates + theta))
        e_k = np.cumsum(1.0 / rates)
    mom = pw * float(np.nansum(ahead * m_k))
    return (1 - pw) + pw * float((ahead * l_k).sum()), mom, pw * float((ahead * e_k).sum())


@dataclass
class Segment:
    """The chains of some share of the calls (all of them, or those arriving in one hour of
    the week), solved together: per task, the weighted outcome shares and sums behind the
    metrics; per alternative, the flows behind the harms."""

    weight: float
    by_task: list[tuple[int, float, NDArray[np.float64], Totals]]
    entered: NDArray[np.float64]
    survive: NDArray[np.float64]
    ok_time: NDArray[np.float64]
    ok_done: NDArray[np.float64]

    def slot_entries(self, c: Compiled) -> NDArray[np.float64]:
        """Callers reaching each staffed queue slot's wait, per call of all calls."""
        erl = np.flatnonzero(c.alt_kind == D_ERLANG)
        out = np.zeros(len(c.queues))
        np.add.at(out, c.alt_a[erl].astype(np.int64), self.entered[erl])
        return out


def chain_states(c: Compiled) -> NDArray[np.int64]:
    """``bounds[ci] .. bounds[ci + 1]``: the states of each chain (numbered contiguously)."""
    out: NDArray[np.int64] = np.searchsorted(c.state_chain, np.arange(len(c.chains) + 1))
    return out


def solve_segment(
    c: Compiled,
    weights: NDArray[np.float64],
    thetas: list[float],
    closed_all: NDArray[np.bool_],
    queues: list[QueueMetrics] | None = None,
    bounds: NDArray[np.int64] | None = None,
) -> Segment:
    """Solve the chains with ``weights > 0`` as one block-diagonal absorbing chain (one sparse
    LU, one right-hand side per task) and return what they give, weighted."""
    import scipy.sparse as sp  # scipy loads when a chain is solved
    import scipy.sparse.linalg as spla

    if bounds is None:
        bounds = chain_states(c)
    chosen = np.flatnonzero(weights > 0)
    n_alts_all = c.alt_state.size
    zeros = np.zeros(n_alts_all)
    if not chosen.size:
        return Segment(0.0, [], zeros, np.ones(n_alts_all), zeros.copy(), zeros.copy())
    lo, hi = bounds[chosen], bounds[chosen + 1]
    states = np.concatenate([np.arange(x, y) for x, y in zip(lo, hi, strict=True)])
    local = np.full(c.n_states, -1, dtype=np.int64)
    local[states] = np.arange(states.size)
    alts = np.concatenate(
        [np.arange(c.alt_start[x], c.alt_start[y]) for x, y in zip(lo, hi, strict=True)]
    )
    n = states.size
    row = local[c.alt_state[alts]]
    p = c.alt_prob[alts]
    persona = np.array([ch.persona for ch in c.chains])[c.state_chain[c.alt_state[alts]]]
    theta = np.asarray(thetas, dtype=float)[persona]
    survive, time, if_survived = step_moments(c, theta, alts, queues)
    nxt = c.alt_next[alts]
    has_next = nxt >= 0
    col = np.full(alts.size, -1, dtype=np.int64)
    col[has_next] = local[nxt[has_next]]
    closed_after = closed_all[alts]
    outcome = c.alt_outcome[alts].copy()
    outcome[(outcome == DISCONNECTED) & closed_after] = DISCONNECTED_CLOSED

    ps = p * survive  # (elementwise: its parts are the products the parts would give)
    col_next = col[has_next]
    q = sp.csr_matrix((ps[has_next], (row[has_next], col_next)), shape=(n, n))
    r = np.zeros((n, 7))
    ends = ~has_next
    np.add.at(r, (row[ends], outcome[ends]), ps[ends])
    np.add.at(r, (row, np.full(row.size, ABANDONED)), p * (1.0 - survive))
    m = (sp.identity(n, format="csc") - q.tocsc()).tocsc()
    try:
        lu = spla.splu(m)
    except RuntimeError as exc:  # singular: some callers can never finish
        raise IvrscoreError(
            "some callers go round the tree forever (a loop no caller leaves, and no patience "
            "to end it); lint rule IVR103 finds such loops"
        ) from exc
    tasks = sorted({c.chains[ci].task for ci in chosen})
    column = {t: i for i, t in enumerate(tasks)}
    n_tasks = len(tasks)
    # The chains share no state, so the expected visits of one task's callers are zero outside
    # its own chains: one right-hand side (every chain's start, weighted) gives every task's
    # visits at once, and each state's task says whose they are. (One column per task made a
    # dense states x tasks array: 20,000 tasks took minutes and over 20 GB.)
    start = np.zeros(n)
    chain_col = np.zeros(len(c.chains), dtype=np.int64)
    task_weight = np.zeros(n_tasks)
    human_start = np.zeros(n_tasks)
    for ci in chosen:
        ch = c.chains[ci]
        k = column[ch.task]
        chain_col[ci] = k
        start[local[ch.start]] += weights[ci]
        task_weight[k] += weights[ci]
        if c.state_human[ch.start]:
            human_start[k] += weights[ci]
    state_col = chain_col[c.state_chain[states]]  # each state's task column
    y = lu.solve(start, trans="T")  # expected visits to each state, per call of all calls
    b = lu.solve(r)  # absorption probabilities from every state, 7 columns
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(b))):
        raise IvrscoreError("the chain could not be solved (callers may loop forever)")

    def by_task_of(col_of: NDArray[np.int64], amounts: NDArray[np.float64]) -> NDArray[np.float64]:
        """Per task column, the sum of ``amounts`` (rows: states or alternatives)."""
        return np.stack(
            [
                np.bincount(col_of, weights=amounts[:, j], minlength=n_tasks)
                for j in range(amounts.shape[1])
            ],
            axis=1,
        )

    out = by_task_of(state_col, y[:, None] * r)  # (tasks, 7)

    def after(cols: list[int]) -> NDArray[np.float64]:
        """P(end in ``cols``) once each alternative is finished (before its own abandonment)."""
        h = np.zeros(alts.size)
        h[has_next] = b[:, cols][col_next].sum(axis=1)  # the columns first: fewer to gather
        h[ends] = np.isin(outcome[ends], cols).astype(float)
        return h

    # time to the first person: the chance of meeting one from each state
    human = c.alt_human[alts]
    meets_by_alt = ps * human
    meets = np.zeros(n)
    np.add.at(meets, row, meets_by_alt)
    g = lu.solve(meets)
    g_after = np.zeros(alts.size)
    g_after[has_next] = np.where(human[has_next], 1.0, g[col_next])
    pre = ~c.state_human[c.alt_state[alts]]
    repeat_first = c.alt_repeat[alts] & ~c.state_repeated[c.alt_state[alts]]
    h_resolved, h_ok = after([R_SELF, R_AGENT]), after(list(SUCCESS))
    # every sum behind the metrics is (visits x per-alternative amount): one matrix product
    # written column by column into one array (the same products as stacking ten copies)
    per_enter = np.empty((alts.size, 10))
    pis = p * if_survived
    np.multiply(p, time, out=per_enter[:, 0])
    np.multiply(pis, h_resolved, out=per_enter[:, 1])
    np.multiply(pis, g_after, out=per_enter[:, 2])
    per_enter[~pre, 2] = 0.0
    per_enter[:, 3] = meets_by_alt
    np.multiply(p, c.alt_menus[alts], out=per_enter[:, 4])
    np.multiply(ps, c.alt_options[alts], out=per_enter[:, 5])
    np.multiply(ps, c.alt_keys[alts], out=per_enter[:, 6])
    np.multiply(p, c.alt_identity[alts], out=per_enter[:, 7])
    np.multiply(p, repeat_first, out=per_enter[:, 8])
    np.multiply(ps, c.alt_transfers[alts], out=per_enter[:, 9])
    visits = y[row]
    sums = by_task_of(state_col[row], visits[:, None] * per_enter)  # (tasks, 10)
    by_task = []
    for k, t in enumerate(tasks):
        w = float(task_weight[k])
        s = sums[k] / w
        totals = Totals(
            weight=1.0,
            time=float(s[0]),
            time_resolved=float(s[1]),
            time_human=float(s[2]),
            p_human=float(s[3] + human_start[k] / w),
            menus=float(s[4]),
            options=float(s[5]),
            keys=float(s[6]),
            identity=float(s[7]),
            repeat=float(s[8]),
            transfers=float(s[9]),
        )
        by_task.append((t, w, out[k] / w, totals))
    entered, ok_time, ok_done, surv = zeros.copy(), zeros.copy(), zeros.copy(), np.ones(n_alts_all)
    entered[alts] = visits * p
    ok_time[alts] = visits * p * if_survived * h_ok
    ok_done[alts] = visits * p * survive * h_ok
    surv[alts] = survive
    return Segment(float(task_weight.sum()), by_task, entered, surv, ok_time, ok_done)


def thetas_of(c: Compiled, approximate: bool) -> list[float]:
    """Each persona's patience rate (see :func:`analyze`'s ``approximate``)."""
    return [_rate(p, approximate) for p in c.personas]


def analyze(tree: PhoneTree, *, approximate: bool = False) -> Result:
    """The exact expected outcomes and metrics of a phone tree under the caller model.

    Parameters
    ----------
    tree : PhoneTree
    approximate : bool, default False
        Personas with log-normal patience are not memoryless, so no finite Markov chain is
        exact for them: by default that raises :class:`NotExactError`. With
        ``approximate=True`` their patience is replaced by an exponential of the same mean
        (and the result says so in ``method``).

    Returns
    -------
    Result
        ``outcomes``, ``metrics`` and per-task ``tasks``, each outcome a probability (the
        six sum to 1).

    Raises
    ------
    NotExactError
        Log-normal patience without ``approximate=True``.

    Notes
    -----
    See the module documentation for the chain and the formulas. Every caller parameter comes
    from the tree's personas; waits come from ``wait:`` (exponential or log-normal) or from
    ``staffing:`` (Erlang A, with the queue's abandonment rate from the callers' patience).

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.loads('''
    ... name: one menu
    ... entry: menu
    ... tasks: [{name: pay, share: 1}]
    ... callers: {patience: {mean_s: 100}, choice_error: 0, barge_in: 0, response_s: 0, wants_human: 0}
    ... nodes:
    ...   menu: {type: menu, duration_s: 10, options: {"1": {next: pay}}, on_failure: pay}
    ...   pay: {type: self_service, handles: [pay], duration_s: 60}
    ... ''')
    >>> r = ivr.analyze(tree)
    >>> round(r.outcomes["resolved_self_service"], 6), round(1 - math.exp(-0.1), 6)
    (0.904837, 0.095163)
    """
    c = compile_tree(tree)
    thetas = thetas_of(c, approximate)
    closed_all = c.alt_closed_after()
    exact = all(isinstance(p.patience, Exponential | NoPatience) for p in c.personas)
    method = "exact" if exact else "approximate (log-normal patience as exponential)"
    if c.dynamic:
        from .dynamics import solve_week

        week = solve_week(c, thetas, closed_all)
        segments, hourly = week.segments, week.hours
    else:
        weights = np.array([ch.weight for ch in c.chains])
        segments, hourly = [solve_segment(c, weights, thetas, closed_all)], None
    by_task = [row for seg in segments for row in seg.by_task]
    result = Result.from_chains(tree, c.task_names, by_task, method=method)
    flows = {
        k: np.sum([getattr(seg, k) for seg in segments], axis=0)
        for k in ("entered", "ok_time", "ok_done")
    }
    # a step's survival is the same whatever share of calls takes it (per hour it may differ:
    # the entered-weighted mean keeps completed = entered x survive exact)
    done = np.sum([seg.entered * seg.survive for seg in segments], axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        survive = np.where(flows["entered"] > 0, done / flows["entered"], 1.0)
    harms = harms_from_flows(c, flows["entered"], survive, flows["ok_time"], flows["ok_done"])
    return dataclasses.replace(result, harms=harms, hourly=hourly)
