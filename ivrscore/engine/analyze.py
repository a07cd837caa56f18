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
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import NDArray

from ..exceptions import IvrscoreError
from ..model.callers import Exponential, Lognormal, NoPatience, Persona
from ..model.tree import PhoneTree
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
)
from .ledger import SUCCESS, harms_from_flows
from .results import Result, Totals

__all__ = ["NotExactError", "analyze", "step_moments"]

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
    c: Compiled, theta: float, alts: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """For each alternative: ``(survive, time, time_if_survived)``.

    ``survive = E[exp(-theta D)]`` (finishing the step before patience runs out),
    ``time = E[min(D, T)]`` and ``time_if_survived = E[D exp(-theta D)]``, where ``D`` is the
    step's duration and ``T ~ Exp(theta)`` the caller's patience; without patience the step
    is always finished.
    """
    fixed = c.alt_fixed[alts]
    kind = c.alt_kind[alts]
    a = c.alt_a[alts]
    b = c.alt_b[alts]
    patience = c.alt_patience[alts] & (theta > 0)
    mean_rand = np.zeros(alts.size)
    # random part: Laplace transform L = E[exp(-theta W)] and M = E[W exp(-theta W)]
    lap = np.ones(alts.size)
    mom = np.zeros(alts.size)
    exp_ = kind == D_EXP
    if exp_.any():
        lam = 1.0 / a[exp_]
        mean_rand[exp_] = a[exp_]
        lap[exp_] = lam / (lam + theta)
        mom[exp_] = lam / (lam + theta) ** 2
    logn = kind == D_LOGNORMAL
    if logn.any():
        mu, sigma = a[logn], b[logn]
        w = np.exp(mu[:, None] + np.sqrt(2.0) * sigma[:, None] * _GH_X[None, :])
        weights = _GH_W / math.sqrt(math.pi)
        mean_rand[logn] = np.exp(mu + sigma**2 / 2)
        lap[logn] = (np.exp(-theta * w) * weights).sum(axis=1)
        mom[logn] = (w * np.exp(-theta * w) * weights).sum(axis=1)
    erl = kind == D_ERLANG
    if erl.any():
        for i in np.flatnonzero(erl):
            q = c.queues[int(a[i])]
            rates = c.queue_rates[int(a[i])]
            ahead = q.ahead_distribution()
            # given k ahead: stages with rates r_k..r_0; L_k = prod r/(r+theta), M_k = L_k sum 1/(r+theta)
            log_l = np.cumsum(np.log(rates / (rates + theta)))
            l_k = np.exp(log_l)
            m_k = l_k * np.cumsum(1.0 / (rates + theta))
            e_k = np.cumsum(1.0 / rates)
            pw = q.p_wait
            lap[i] = (1 - pw) + pw * float((ahead * l_k).sum())
            mom[i] = pw * float((ahead * m_k).sum())
            mean_rand[i] = pw * float((ahead * e_k).sum())
    # add the fixed part: D = fixed + W
    if theta > 0:
        e_fix = np.exp(-theta * fixed)
        survive = np.where(patience, e_fix * lap, 1.0)
        if_survived = np.where(patience, e_fix * (fixed * lap + mom), fixed + mean_rand)
        time = np.where(patience, (1.0 - survive) / theta, fixed + mean_rand)
    else:
        survive = np.ones(alts.size)
        time = fixed + mean_rand
        if_survived = time.copy()
    return survive, time, if_survived


@dataclass
class _ChainSolution:
    outcomes: NDArray[np.float64]  # 7 columns incl. disconnected-after-closed
    totals: Totals
    # per alternative of the chain (see ledger.harms_from_flows)
    entered: NDArray[np.float64]
    survive: NDArray[np.float64]
    ok_time: NDArray[np.float64]
    ok_done: NDArray[np.float64]


def _solve_chain(
    c: Compiled,
    states: NDArray[np.int64],
    start: int,
    theta: float,
    closed_all: NDArray[np.bool_],
) -> _ChainSolution:
    n = states.size
    first = int(states[0])
    assert int(states[-1]) - first + 1 == n  # a chain's states are numbered contiguously
    lo, hi = int(c.alt_start[first]), int(c.alt_start[states[-1] + 1])
    alts = np.arange(lo, hi)
    row = c.alt_state[alts] - first
    p = c.alt_prob[alts]
    survive, time, if_survived = step_moments(c, theta, alts)
    nxt = c.alt_next[alts]
    has_next = nxt >= 0
    col = np.full(alts.size, -1, dtype=np.int64)
    col[has_next] = nxt[has_next] - first
    closed_after = closed_all[alts]
    outcome = c.alt_outcome[alts].copy()
    outcome[(outcome == DISCONNECTED) & closed_after] = DISCONNECTED_CLOSED

    q = sp.csr_matrix(
        (p[has_next] * survive[has_next], (row[has_next], col[has_next])), shape=(n, n)
    )
    r = np.zeros((n, 7))
    ends = ~has_next
    np.add.at(r, (row[ends], outcome[ends]), p[ends] * survive[ends])
    np.add.at(r, (row, np.full(row.size, ABANDONED)), p * (1.0 - survive))
    m = (sp.identity(n, format="csc") - q.tocsc()).tocsc()
    try:
        lu = spla.splu(m)
    except RuntimeError as exc:  # singular: some callers can never finish
        raise IvrscoreError(
            "some callers go round the tree forever (a loop no caller leaves, and no patience "
            "to end it); lint rule IVR103 finds such loops"
        ) from exc
    e = np.zeros(n)
    e[start - first] = 1.0
    y = lu.solve(e, trans="T")
    b = lu.solve(r)  # absorption probabilities from every state, 7 columns
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(b))):
        raise IvrscoreError("the chain could not be solved (callers may loop forever)")
    out = y @ r

    def per_state(values: NDArray[np.float64]) -> NDArray[np.float64]:
        acc = np.zeros(n)
        np.add.at(acc, row, values)
        return acc

    def after(cols: list[int]) -> NDArray[np.float64]:
        """P(end in ``cols``) once each alternative is finished (before its own abandonment)."""
        h = np.zeros(alts.size)
        h[has_next] = b[col[has_next]][:, cols].sum(axis=1)
        h[ends] = np.isin(outcome[ends], cols).astype(float)
        return h

    visits = y[row]
    enter = p * visits
    done = p * survive * visits
    resolved = [R_SELF, R_AGENT]
    t_resolved = float((visits * p * if_survived * after(resolved)).sum())
    # time to the first person: solve for the chance of meeting one from each state
    meets = per_state(p * survive * c.alt_human[alts])
    g = lu.solve(meets)
    g_after = np.zeros(alts.size)
    g_after[has_next] = np.where(c.alt_human[alts][has_next], 1.0, g[col[has_next]])
    pre = ~c.state_human[c.alt_state[alts]]
    t_human = float((visits * p * if_survived * g_after)[pre].sum())
    p_human = float((done * c.alt_human[alts]).sum())
    if c.state_human[start]:
        p_human = 1.0
    repeat_first = c.alt_repeat[alts] & ~c.state_repeated[c.alt_state[alts]]
    totals = Totals(
        weight=1.0,
        time=float((visits * p * time).sum()),
        time_resolved=t_resolved,
        time_human=t_human,
        p_human=p_human,
        menus=float((enter * c.alt_menus[alts]).sum()),
        options=float((done * c.alt_options[alts]).sum()),
        keys=float((done * c.alt_keys[alts]).sum()),
        identity=float((enter * c.alt_identity[alts]).sum()),
        repeat=float((enter * repeat_first).sum()),
        transfers=float((done * c.alt_transfers[alts]).sum()),
    )
    ok_after = after(list(SUCCESS))
    return _ChainSolution(
        out,
        totals,
        entered=enter,
        survive=survive,
        ok_time=visits * p * if_survived * ok_after,
        ok_done=done * ok_after,
    )


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
    thetas = [_rate(p, approximate) for p in c.personas]
    by_chain: list[tuple[int, float, NDArray[np.float64], Totals]] = []
    closed_all = c.alt_closed_after()
    order = np.argsort(c.state_chain, kind="stable")
    bounds = np.searchsorted(c.state_chain[order], np.arange(len(c.chains) + 1))
    n_alts = c.alt_state.size
    flows = {k: np.zeros(n_alts) for k in ("entered", "ok_time", "ok_done")}
    survive = np.ones(n_alts)
    for ci, chain in enumerate(c.chains):
        states = np.sort(order[bounds[ci] : bounds[ci + 1]])
        sol = _solve_chain(c, states, chain.start, thetas[chain.persona], closed_all)
        by_chain.append((chain.task, chain.weight, sol.outcomes, sol.totals))
        lo, hi = int(c.alt_start[states[0]]), int(c.alt_start[states[-1] + 1])
        flows["entered"][lo:hi] = chain.weight * sol.entered
        flows["ok_time"][lo:hi] = chain.weight * sol.ok_time
        flows["ok_done"][lo:hi] = chain.weight * sol.ok_done
        survive[lo:hi] = sol.survive
    exact = all(isinstance(p.patience, Exponential | NoPatience) for p in c.personas)
    method = "exact" if exact else "approximate (log-normal patience as exponential)"
    result = Result.from_chains(tree, c.task_names, by_chain, method=method)
    harms = harms_from_flows(c, flows["entered"], survive, flows["ok_time"], flows["ok_done"])
    return dataclasses.replace(result, harms=harms)
