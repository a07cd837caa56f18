"""``calibrate``: read call logs against a tree, fit the caller model, compare.

See :func:`calibrate` for what is fitted and :class:`~._result.Calibration` for what comes back.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ..exceptions import IvrscoreError
from ..model.nodes import Queue
from ..model.tree import PhoneTree
from ._events import Call, LogFileError, ReadReport, hour_of_week, redact, to_seconds
from ._interpret import ABANDONED, ANSWERED, interpret
from ._mapping import TreeMap
from ._result import (
    Calibration,
    HourCheck,
    InputFit,
    MenuCheck,
    NodeCheck,
    QueueFit,
)
from ._tally import Tally
from .estimate import Estimate, fit_durations, fit_survival, mixture_shares, proportion

__all__ = ["IDLE_GAP_S", "calibrate"]

IDLE_GAP_S = 900.0
"""An agent is taken to be on duty between two calls they answer less than this far apart
(15 minutes: 95% of the gaps between one agent's calls in the Anonymous Bank data are
shorter)."""

MIN_HOUR_SERVICES = 10
"""Services an hour needs for its own mean handle time in the hourly Erlang A (else the mean
for that hour of the week, else the overall mean)."""

Logs = str | Path | Call | Iterable[str | Path] | Iterable[Call]


def _as_time(value: datetime | str | float | None, tz: tzinfo | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return to_seconds(value, tz)


def calibrate(
    tree: PhoneTree,
    logs: Logs,
    *,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    format: str | None = None,
    tz: tzinfo | None = None,
    patience: Literal["exponential", "lognormal", "best"] = "exponential",
    idle_gap_s: float = IDLE_GAP_S,
) -> Calibration:
    """Fit the caller model of ``tree`` to call logs, and set what the tree predicts beside
    what the logs show.

    Parameters
    ----------
    tree : PhoneTree
        The tree the calls went through. Log ids are matched to its nodes through the ids the
        importers keep under ``meta.source`` (or ``meta.log_ids``); see
        :mod:`ivrscore.calibrate`.
    logs : path, paths, or calls
        Log files of one format (see :data:`ivrscore.calibrate.FORMATS`), or
        :class:`~ivrscore.calibrate.Call` objects (as :mod:`ivrscore.calibrate.synthetic`
        makes).
    since, until : datetime or ISO text, optional
        Use only calls that start in ``[since, until)`` (wall-clock time of the logs).
    format : str, optional
        The log format; detected from the files when not given.
    tz : tzinfo, optional
        Time zone of the call centre: timestamps that carry a zone are converted to it.
    patience : {"exponential", "lognormal", "best"}, default "exponential"
        Which fit of the callers' patience goes into the calibrated tree. Exponential keeps
        the exact analysis possible; ``best`` takes the lower AIC.
    idle_gap_s : float, default 900
        Two calls an agent answers less than this far apart count the time between as on
        duty (see :data:`IDLE_GAP_S`).

    Returns
    -------
    Calibration
        The estimates with their standard errors, the calibrated tree, and observed against
        predicted per node and per hour of the week.

    Raises
    ------
    LogFileError
        A log cannot be read as its format, or no call is left to fit.

    Notes
    -----
    What is fitted, and how:

    * **Volume and arrivals**: calls per week and per hour of the week (Poisson standard
      errors), over the period the logs cover.
    * **Task shares**: counted where the log records each caller's task; otherwise inferred by
      maximum likelihood from the keys callers press and where they are resolved, using the
      tree's own caller model for ``P(key | task)`` (:func:`~.estimate.mixture_shares`).
    * **Menu choices**: the share of each key at each menu; **input failures** per attempt.
    * **Patience**, with right-censoring: the time a caller spends not yet being helped
      (prompts, inputs, queues) is their patience if they hung up, and a lower bound of it if
      they did not - exponential by maximum likelihood, log-normal, and Kaplan-Meier; the same
      from queue entry only (the classic queue patience of the literature).
    * **Queue waits**: the wait a caller with unlimited patience would face, with the callers
      who hung up censored, and the mean wait of answered calls (ASA).
    * **Handle times**, and **agents on duty** per hour where the records name agents.

    Per hour, abandonment and ASA are predicted with Erlang A (:func:`ivrscore.queueing.erlang_a`)
    from the calls offered that hour, the agents on duty, the handle time and the queue
    patience fitted here - the stationary, hour-by-hour approximation.

    Examples
    --------
    Callers walked through a tree's own caller model give its parameters back:

    >>> import ivrscore as ivr
    >>> from ivrscore.calibrate import synthetic
    >>> tree = ivr.loads('''
    ... name: Two queues
    ... entry: menu
    ... tasks: [{name: bills, share: 0.6}, {name: faults, share: 0.4}]
    ... callers: {patience: {mean_s: 120}, choice_error: 0.1, wants_human: 0}
    ... nodes:
    ...   menu:
    ...     type: menu
    ...     options:
    ...       "1": {say: For bills press 1., next: bills_q}
    ...       "2": {say: For faults press 2., next: faults_q}
    ...   bills_q: {type: queue, wait: {mean_s: 60}, next: bills}
    ...   bills: {type: agent, handles: [bills], transfer_to: faults_q}
    ...   faults_q: {type: queue, wait: {mean_s: 90}, next: faults}
    ...   faults: {type: agent, handles: [faults, bills]}
    ... ''')
    >>> cal = ivr.calibrate(tree, synthetic.calls(tree, 3000, rng=1))
    >>> cal.calls, cal.task_method
    (3000, 'inferred from keys and resolutions')
    >>> fit = cal.patience.exponential
    >>> abs(fit.value - 120) < 3 * fit.se
    True
    >>> cal.calibrated.callers.patience.mean_s == round(fit.value, 1)
    True
    """
    started = time.perf_counter()
    report = ReadReport()
    calls = _calls(logs, format, tz, report)
    tally = Tally(since=_as_time(since, tz), until=_as_time(until, tz))
    m = TreeMap(tree)
    for call in calls:
        if not call.events:
            continue
        facts = interpret(call, m)
        if not tally.wants(facts.start):
            tally.outside += 1
            continue
        tally.add(facts)
    if tally.calls == 0:
        given = [logs] if isinstance(logs, str | Path) else logs if isinstance(logs, list) else []
        named = [str(p) for p in given if isinstance(p, str | Path)]  # as the user wrote them
        where = ", ".join(named or report.files) or "the calls given"
        why = (
            f"; {tally.outside:,} calls fall outside the period asked for"
            if tally.outside
            else f"; {report.skipped:,} rows were skipped (first: {report.messages[0]})"
            if report.messages
            else ""
        )
        raise LogFileError(f"no calls to calibrate from in {where}{why}")
    return _fit(tree, m, tally, report, patience, idle_gap_s, started)


def _calls(logs: Logs, format: str | None, tz: tzinfo | None, report: ReadReport) -> Iterable[Call]:
    if isinstance(logs, Call):
        return [logs]
    if isinstance(logs, str | Path):
        paths: list[Any] = [logs]
    else:
        items = iter(logs)
        first = next(items, None)
        if first is None:
            raise LogFileError("no log files given")
        if isinstance(first, Call):

            def chain() -> Iterable[Call]:
                yield first
                for c in items:
                    if not isinstance(c, Call):
                        raise TypeError("logs mixes calls and files")
                    report.calls += 1
                    yield c

            report.format = "calls"
            report.calls += 1
            return chain()
        paths = [first, *items]
    from .readers import read

    return read(paths, format=format, tz=tz, report=report)


# -- fitting ---------------------------------------------------------------------------------------


def _fit(
    tree: PhoneTree,
    m: TreeMap,
    t: Tally,
    report: ReadReport,
    patience_choice: str,
    idle_gap_s: float,
    started: float,
) -> Calibration:
    notes: list[str] = []
    n = t.calls
    period = _period(t)
    occ = _occurrences(*period)
    weeks = (period[1] - period[0]) / (7 * 86_400.0)
    volume = Estimate(n / weeks, math.sqrt(n) / weeks, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_hour = np.where(occ > 0, t.arrivals / occ, np.nan)
        per_hour_se = np.where(occ > 0, np.sqrt(t.arrivals) / occ, np.nan)
    outcomes = {k: proportion(v, n) for k, v in t.outcomes.most_common()}

    # -- tasks
    tasks, task_method = _tasks(tree, t, notes)

    # -- patience and waits
    exp_t, exp_e = t.patience.arrays()
    patience = fit_survival(exp_t, exp_e.astype(bool))
    q_t, q_s = t.queue_any.arrays()
    queue_patience = fit_survival(q_t, q_s == ABANDONED) if q_t.size else None
    queues: dict[str, QueueFit] = {}
    for nid, samples in t.queues.items():
        w, s = samples.arrays()
        answered = s == ANSWERED
        offered = fit_survival(w, answered, lognormal=False)  # censored by hanging up or leaving
        asa = fit_durations(w[answered])
        queues[nid] = QueueFit(
            node=nid,
            calls=int(w.size),
            answered=int(answered.sum()),
            abandoned=int((s == ABANDONED).sum()),
            p_abandon=proportion(int((s == ABANDONED).sum()), int(w.size)),
            offered_wait=offered.exponential,
            asa=asa.mean,
            patience=fit_survival(w, s == ABANDONED, lognormal=False),
        )

    # -- handle times and agents
    handle = {nid: fit_durations(np.frombuffer(v, dtype=np.float64)) for nid, v in t.handle.items()}
    all_handle = np.concatenate(
        [np.frombuffer(v, dtype=np.float64) for v in t.handle.values()] or [np.zeros(0)]
    )
    handle_all = fit_durations(all_handle)
    hours, table = t.hour_table()
    on_duty = _on_duty(t, hours, idle_gap_s) if t.agents else None

    # -- inputs
    inputs = {}
    for nid, by_attempt in t.inputs.items():
        tries = sum(v[0] for v in by_attempt.values())
        fails = sum(v[1] for v in by_attempt.values())
        inputs[nid] = InputFit(
            node=nid,
            rate=proportion(fails, tries),
            per_attempt=[
                proportion(by_attempt[a][1], by_attempt[a][0]) for a in sorted(by_attempt)
            ],
        )

    # -- the calibrated tree
    calibrated, fitted = _calibrated_tree(
        tree,
        t=t,
        report=report,
        period=period,
        volume=volume,
        per_hour=per_hour,
        tasks=tasks,
        task_method=task_method,
        patience=patience,
        patience_choice=patience_choice,
        queues=queues,
        handle=handle,
        handle_all=handle_all,
        inputs=inputs,
        on_duty=(hours, on_duty, table),
        occ=occ,
        notes=notes,
    )

    # -- observed against predicted
    pred_given = _expect(tree, notes, "the tree as given")
    pred_cal = _expect(calibrated, notes, "the calibrated tree")
    nodes = _node_checks(tree, t, pred_given, pred_cal)
    menus = _menu_checks(tree, t, pred_given, pred_cal)
    for nid, fit in inputs.items():
        fit.predicted = pred_given.input_failure.get(nid, math.nan) if pred_given else math.nan
    analysis = {}
    for label, tr in (("given", tree), ("calibrated", calibrated)):
        try:
            from ..engine import analyze

            analysis[label] = analyze(tr, approximate=True).outcomes
        except IvrscoreError as exc:
            notes.append(redact(f"the {label} tree could not be analysed: {exc}"))
    hour_checks, clock = _hour_checks(
        tree, t, hours, table, on_duty, occ, queue_patience, handle_all, notes
    )
    unmapped = dict(t.unmapped.most_common())
    if t.unmapped_events:
        notes.append(
            f"{t.unmapped_events:,} events at {len(t.unmapped):,} ids the tree does not have "
            "(see 'unmapped'); map them with meta.log_ids on the nodes they mean"
        )
    if any(isinstance(n, Queue) and n.staffing is not None for n in tree.nodes.values()):
        notes.append(
            "the tree's staffing is one set of figures for the whole week, so its predictions per "
            "node cannot follow the hours; the comparison by hour of the week uses the agents on "
            "duty each hour (per-hour staffing in the tree awaits issue 15)"
        )
    if t.incomplete:
        notes.append(
            f"{t.incomplete:,} calls stop in the logs without an end: counted up to their last "
            "event, outcome unknown"
        )
    return Calibration(
        tree=tree,
        calibrated=calibrated,
        read=report,
        calls=n,
        outside=t.outside,
        period=period,
        weeks=weeks,
        volume=volume,
        arrivals=per_hour,
        arrivals_se=per_hour_se,
        occurrences=occ,
        outcomes=outcomes,
        predicted_outcomes=analysis,
        tasks=tasks,
        task_method=task_method,
        patience=patience,
        queue_patience=queue_patience,
        queues=queues,
        handle=handle,
        handle_all=handle_all,
        inputs=inputs,
        menus=menus,
        nodes=nodes,
        hours=hour_checks,
        clock=clock,
        agents_named=len(t.agents),
        on_duty=_by_hour_of_week(hours, on_duty) if on_duty is not None else None,
        unmapped=unmapped,
        unmapped_events=t.unmapped_events,
        off_tree=sorted(((a, b, c) for (a, b), c in t.off_tree.items()), key=lambda x: -x[2]),
        invalid_keys=sorted(((a, b, c) for (a, b), c in t.invalid.items()), key=lambda x: -x[2]),
        unknown_task_codes=dict(t.task_codes_unknown),
        fitted=fitted,
        notes=notes + report.notes,
        seconds=time.perf_counter() - started,
    )


def _period(t: Tally) -> tuple[float, float]:
    lo = t.since if t.since is not None else math.floor(t.first / 3600.0) * 3600.0
    hi = t.until if t.until is not None else (math.floor(t.last / 3600.0) + 1) * 3600.0
    return lo, max(hi, lo + 3600.0)


def _occurrences(lo: float, hi: float) -> NDArray[np.float64]:
    """How many times each hour of the week occurs (in whole or part) in ``[lo, hi)``."""
    occ = np.zeros(168)
    h0, h1 = math.floor(lo / 3600.0), math.ceil(hi / 3600.0)
    n_hours = h1 - h0
    full, rest = divmod(n_hours, 168)
    occ += full
    for k in range(rest):
        occ[hour_of_week((h0 + full * 168 + k) * 3600.0)] += 1
    # the first and last hours count by the share of them inside the period
    occ[hour_of_week(h0 * 3600.0)] -= (lo - h0 * 3600.0) / 3600.0
    occ[hour_of_week((h1 - 1) * 3600.0)] -= (h1 * 3600.0 - hi) / 3600.0
    return occ


def _tasks(tree: PhoneTree, t: Tally, notes: list[str]) -> tuple[dict[str, Estimate], str]:
    recorded = sum(t.tasks.values())
    if recorded:
        if t.task_codes_unknown:
            codes = ", ".join(f"{k} ({v:,})" for k, v in t.task_codes_unknown.most_common(8))
            notes.append(f"task codes the tree does not have, left out of the task shares: {codes}")
        return {name: proportion(t.tasks.get(name, 0), recorded) for name in tree.task_names}, (
            "recorded"
        )
    if len(tree.task_names) == 1:
        return {tree.task_names[0]: Estimate(1.0, 0.0, t.calls)}, "only one task"
    from .predict import choice_table

    try:
        table = choice_table(tree)
    except IvrscoreError as exc:  # pragma: no cover - compile errors surface in analyze too
        notes.append(redact(f"task shares not inferred: {exc}"))
        return {}, "kept"
    personas = tree.personas
    pw = np.array([p.share for p in personas], dtype=float)
    pw = pw / pw.sum()
    k = len(tree.task_names)
    rows, counts = [], []
    unexplained = 0
    for (choices, resolved, declined), c in t.signatures.items():
        lik = np.zeros(k)
        for ti in range(k):
            total = 0.0
            for pi, persona in enumerate(personas):
                for zo in (False, True):
                    w = pw[pi] * (persona.wants_human if zo else 1.0 - persona.wants_human)
                    probs = table.get((ti, pi, zo))
                    if w <= 0 or probs is None:
                        continue
                    like = w
                    for node, key in choices:
                        like *= probs.get((node, key), 0.0)
                        if like == 0.0:
                            break
                    total += like
            name = tree.task_names[ti]
            if resolved in tree.nodes and name not in _handles(tree, resolved):
                total = 0.0
            for d in declined:
                if name in _handles(tree, d):
                    total = 0.0
            lik[ti] = total
        if lik.max() <= 0:
            unexplained += c
            continue
        rows.append(lik)
        counts.append(c)
    if unexplained:
        notes.append(
            f"{unexplained:,} calls take paths the tree's callers never would (keys no task "
            "leads to, or resolved where their task is not handled); left out of the task shares"
        )
    if not rows:
        return {}, "kept"
    lik_m = np.array(rows)
    shares, se, _ = mixture_shares(lik_m, counts, start=tree.task_shares())
    n_used = int(sum(counts))
    out = {
        name: Estimate(float(shares[i]), float(se[i]), n_used)
        for i, name in enumerate(tree.task_names)
    }
    if not np.all(np.isfinite(se)):
        notes.append(
            "some tasks take the same keys to the same places, so the logs cannot tell them apart; "
            "the calibrated tree keeps the task shares as given (record each call's task, e.g. a "
            "wrap-up code, in the log's task column)"
        )
    return out, "inferred from keys and resolutions"


def _handles(tree: PhoneTree, nid: str) -> tuple[str, ...]:
    node = tree.nodes.get(nid)
    return tuple(getattr(node, "handles", ()))


def _on_duty(t: Tally, hours: NDArray[np.int64], gap: float) -> NDArray[np.float64]:
    """Agents on duty per clock hour in ``hours``: each agent's calls merged into shifts (gaps
    under ``gap`` count as on duty), the time covered in each hour divided by 3600."""
    agent = np.frombuffer(t.svc_agent, dtype=np.int32)
    start = np.frombuffer(t.svc_start, dtype=np.float64)
    end = start + np.frombuffer(t.svc_len, dtype=np.float64)
    out = np.zeros(hours.size)
    if not agent.size or not hours.size:
        return out
    order = np.lexsort((start, agent))
    a, s, e = agent[order], start[order], end[order]
    # a new shift starts at an agent's first call, or after a gap longer than `gap`
    new = np.ones(a.size, dtype=bool)
    cur_end = -np.inf
    for i in range(a.size):  # one pass; the running end of the shift needs a loop
        if i and a[i] == a[i - 1] and s[i] - cur_end <= gap:
            new[i] = False
            cur_end = max(cur_end, e[i])
        else:
            cur_end = e[i]
    shift = np.cumsum(new) - 1
    n_shifts = int(shift[-1]) + 1
    lo = np.full(n_shifts, np.inf)
    hi = np.full(n_shifts, -np.inf)
    np.minimum.at(lo, shift, s)
    np.maximum.at(hi, shift, e)
    h0 = int(hours[0])
    span = int(hours[-1]) - h0 + 1
    cover = np.zeros(span + 1)
    for x, y in zip(lo.tolist(), hi.tolist(), strict=True):
        hx, hy = math.floor(x / 3600.0), math.floor(y / 3600.0)
        for h in range(max(hx, h0), min(hy, h0 + span - 1) + 1):
            a0, b0 = max(x, h * 3600.0), min(y, (h + 1) * 3600.0)
            if b0 > a0:
                cover[h - h0] += (b0 - a0) / 3600.0
    out[:] = cover[hours - h0]
    return out


def _by_hour_of_week(hours: NDArray[np.int64], values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Mean of a per-clock-hour figure for each hour of the week (hours seen only)."""
    how = np.array([hour_of_week(h * 3600.0) for h in hours.tolist()], dtype=np.int64)
    s = np.bincount(how, weights=values, minlength=168)
    c = np.bincount(how, minlength=168)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: NDArray[np.float64] = np.where(c > 0, s / np.maximum(c, 1), np.nan)
    return out


def _expect(tree: PhoneTree, notes: list[str], what: str) -> Any:
    from .predict import node_expectations

    try:
        return node_expectations(tree)
    except IvrscoreError as exc:
        notes.append(redact(f"{what} could not be analysed: {exc}"))
        return None


def _node_checks(tree: PhoneTree, t: Tally, given: Any, cal: Any) -> list[NodeCheck]:
    n = t.calls
    out = []
    for nid, node in tree.nodes.items():
        k = t.visits.get(nid, 0)
        mean = k / n
        var = max(t.visits_sq.get(nid, 0) / n - mean * mean, 0.0)
        p_visit = given.visits.get(nid, math.nan) if given else math.nan
        var_pred = p_visit * max(1.0 - p_visit, 0.0) if math.isfinite(p_visit) else 0.0
        se = math.sqrt(max(var, var_pred) / n)
        visits = Estimate(mean, se, n)
        ab = t.abandoned_at.get(nid, 0)
        p_ab = given.abandoned.get(nid, math.nan) if given else math.nan
        se_ab = math.sqrt(p_ab * (1 - p_ab) / n) if math.isfinite(p_ab) and 0 < p_ab < 1 else 0.0
        out.append(
            NodeCheck(
                node=nid,
                type=node.type,
                visits=visits,
                visits_predicted=p_visit,
                visits_calibrated=cal.visits.get(nid, math.nan) if cal else math.nan,
                abandoned=Estimate(
                    ab / n, se_ab or math.sqrt(max(ab / n * (1 - ab / n), 0) / n), n
                ),
                abandoned_predicted=p_ab,
                abandoned_calibrated=cal.abandoned.get(nid, math.nan) if cal else math.nan,
            )
        )
    return out


def _menu_checks(tree: PhoneTree, t: Tally, given: Any, cal: Any) -> dict[str, MenuCheck]:
    out = {}
    for nid, node in tree.iter_nodes("menu"):
        counts: dict[str, int] = t.keys.get(nid, {})
        unknown = counts.get("?", 0)
        total = sum(v for k, v in counts.items() if k != "?")
        options = [*getattr(node, "options", {}), ""]
        pg = given.keys.get(nid, {}) if given else {}
        pc = cal.keys.get(nid, {}) if cal else {}
        rows = {}
        for key in options:
            c = counts.get(key, 0)
            p = pg.get(key, 0.0)
            share = c / total if total else math.nan
            se = math.sqrt(p * (1 - p) / total) if total and 0 < p < 1 else math.nan
            rows[key] = (c, Estimate(share, se, total), p, pc.get(key, 0.0))
        out[nid] = MenuCheck(
            node=nid,
            attempts=total,
            unknown=unknown,
            inferred=t.inferred.get(nid, 0),
            keys=rows,
            invalid={k: c for (m, k), c in t.invalid.items() if m == nid},
        )
    return out


def _hour_checks(
    tree: PhoneTree,
    t: Tally,
    hours: NDArray[np.int64],
    table: NDArray[np.float64],
    on_duty: NDArray[np.float64] | None,
    occ: NDArray[np.float64],
    queue_patience: Any,
    handle_all: Any,
    notes: list[str],
) -> tuple[list[HourCheck], dict[str, NDArray[Any]]]:
    from .predict import erlang_a_hour

    how = np.array([hour_of_week(h * 3600.0) for h in hours.tolist()], dtype=np.int64)
    calls, offered, aband, answered = table[:, 0], table[:, 1], table[:, 2], table[:, 3]
    wait_sum, wait_sq, served, handle_sum = table[:, 4], table[:, 5], table[:, 6], table[:, 7]
    # the tree's arrival profile, spread over the hours the logs cover
    w = tree.arrival_weights().reshape(-1)
    expected_share = w * occ
    total = float(calls.sum())
    exp_calls = total * expected_share / expected_share.sum() if expected_share.sum() else w * 0
    p_pred = np.full(hours.size, np.nan)
    asa_pred = np.full(hours.size, np.nan)
    occupancy = np.full(hours.size, np.nan)
    theta_ok = (
        queue_patience is not None
        and queue_patience.events > 0
        and math.isfinite(queue_patience.exponential.value)
    )
    can_predict = on_duty is not None and theta_ok and math.isfinite(handle_all.mean.value)
    if on_duty is None and offered.sum():
        notes.append(
            "the records name no agents, so abandonment and ASA are not predicted per hour "
            "(add the agent column)"
        )
    if can_predict:
        assert on_duty is not None
        patience_s = float(queue_patience.exponential.value)
        hw_handle = np.bincount(how, weights=handle_sum, minlength=168)
        hw_served = np.bincount(how, weights=served, minlength=168)
        for i in range(hours.size):
            if offered[i] <= 0:
                continue
            if served[i] >= MIN_HOUR_SERVICES:
                h = handle_sum[i] / served[i]
            elif hw_served[how[i]] >= MIN_HOUR_SERVICES:
                h = hw_handle[how[i]] / hw_served[how[i]]
            else:
                h = float(handle_all.mean.value)
            # agents to the hundredth and handle times to the second: the same hour of the week
            # then often recurs exactly, and Erlang A is solved once for it
            p_pred[i], asa_pred[i], occupancy[i] = erlang_a_hour(
                round(float(on_duty[i]), 2), float(offered[i]), max(round(h), 1.0), patience_s
            )
    checks = []
    for k in range(168):
        sel = how == k
        n_calls = float(calls[sel].sum())
        o = float(offered[sel].sum())
        a = float(aband[sel].sum())
        ans = float(answered[sel].sum())
        ok = sel & np.isfinite(p_pred)
        o_ok = float(offered[ok].sum())
        if o_ok > 0:
            pp = float((p_pred[ok] * offered[ok]).sum() / o_ok)
            var = float((p_pred[ok] * (1 - p_pred[ok]) * offered[ok]).sum()) / o_ok**2
            p_obs_ok = float(aband[ok].sum()) / o_ok
        else:
            pp, var, p_obs_ok = math.nan, math.nan, math.nan
        ans_ok = float(answered[ok].sum())
        if ans_ok > 0 and np.isfinite(asa_pred[ok]).all():
            ap = float((asa_pred[ok] * answered[ok]).sum() / ans_ok)
        else:
            ap = math.nan
        asa_mean = float(wait_sum[sel].sum()) / ans if ans else math.nan
        asa_var = float(wait_sq[sel].sum()) / ans - asa_mean**2 if ans else math.nan
        checks.append(
            HourCheck(
                hour=k,
                calls=n_calls,
                weeks=float(occ[k]),
                calls_predicted=float(exp_calls[k]),
                offered=o,
                abandoned=Estimate(
                    a / o if o else math.nan,
                    math.sqrt(var) if o_ok > 0 else math.nan,
                    int(o),
                ),
                abandoned_in_predicted_hours=p_obs_ok,
                abandoned_predicted=pp,
                asa=Estimate(
                    asa_mean,
                    math.sqrt(max(asa_var, 0.0) / ans) if ans > 1 else math.nan,
                    int(ans),
                ),
                asa_predicted=ap,
                agents=float(np.mean(on_duty[sel]))
                if on_duty is not None and sel.any()
                else math.nan,
                handle_s=float(handle_sum[sel].sum() / served[sel].sum())
                if served[sel].sum()
                else math.nan,
            )
        )
    clock = {
        "hour": hours,
        "calls": calls,
        "offered": offered,
        "abandoned": aband,
        "answered": answered,
        "asa_s": np.where(answered > 0, wait_sum / np.maximum(answered, 1), np.nan),
        "agents": on_duty if on_duty is not None else np.full(hours.size, np.nan),
        "p_abandon_predicted": p_pred,
        "asa_predicted_s": asa_pred,
        "occupancy_predicted": occupancy,
    }
    return checks, clock


# -- the calibrated tree ------------------------------------------------------------------------


def _sig(x: float, digits: int = 4) -> float:
    """``x`` rounded to ``digits`` significant figures (a file should not carry noise)."""
    if not math.isfinite(x) or x == 0:
        return float(x)
    return float(f"{x:.{digits}g}")


def _calibrated_tree(
    tree: PhoneTree,
    *,
    t: Tally,
    report: ReadReport,
    period: tuple[float, float],
    volume: Estimate,
    per_hour: NDArray[np.float64],
    tasks: dict[str, Estimate],
    task_method: str,
    patience: Any,
    patience_choice: str,
    queues: dict[str, QueueFit],
    handle: dict[str, Any],
    handle_all: Any,
    inputs: dict[str, InputFit],
    on_duty: tuple[NDArray[np.int64], NDArray[np.float64] | None, NDArray[np.float64]],
    occ: NDArray[np.float64],
    notes: list[str],
) -> tuple[PhoneTree, dict[str, Any]]:
    from ._events import as_datetime

    data = tree.to_dict()
    se: dict[str, Any] = {}
    fitted: dict[str, Any] = {}
    # tasks
    if tasks and task_method != "kept" and all(math.isfinite(e.se) for e in tasks.values()):
        total = sum(e.value for e in tasks.values())
        if total > 0:
            for entry in data["tasks"]:
                e = tasks.get(entry["name"])
                if e is not None:
                    entry["share"] = _sig(e.value / total, 6)
            # the shares must sum to 1 exactly after rounding: put the rest on the largest
            rest = 1.0 - sum(entry["share"] for entry in data["tasks"])
            big = max(data["tasks"], key=lambda e: e["share"])
            big["share"] = round(big["share"] + rest, 9)
            se["tasks"] = {k: _sig(e.se) for k, e in tasks.items()}
            fitted["tasks"] = task_method
    # callers: patience and input errors
    pat: dict[str, Any] | None = None
    # a log whose callers all gave up at once (equal or backwards times) fits no patience
    if patience.events > 0 and patience.exponential.value > 0:
        kind = patience.best() if patience_choice == "best" else patience_choice
        if kind == "lognormal" and patience.lognormal is not None:
            ln = patience.lognormal
            pat = {
                "distribution": "lognormal",
                "median_s": _sig(ln.median_s),
                "sigma": _sig(ln.sigma),
            }
            se["patience"] = {"median_s": _sig(ln.se_median_s), "sigma": _sig(ln.se_sigma)}
        else:
            pat = {"mean_s": _sig(patience.exponential.value)}
            se["patience"] = {"mean_s": _sig(patience.exponential.se)}
        fitted["patience"] = pat
    tries = sum(f.rate.n for f in inputs.values())
    fails = sum(f.rate.value * f.rate.n for f in inputs.values() if f.rate.n)
    input_error = proportion(fails, tries) if tries else None
    if input_error is not None:
        se["input_error"] = _sig(input_error.se)
        fitted["input_error"] = _sig(input_error.value)
    callers = data.get("callers")
    personas = (
        [callers]
        if isinstance(callers, dict)
        else list(callers)
        if isinstance(callers, list)
        else None
    )
    if personas is None and (pat is not None or input_error is not None):
        personas = [{"name": "typical"}]
        data["callers"] = personas[0]
    for p in personas or []:
        if pat is not None:
            p["patience"] = dict(pat)
        if input_error is not None:
            p["input_error"] = _sig(input_error.value)
    if personas and len(personas) > 1:
        notes.append(
            "the logs do not say which persona a caller is: every persona gets the same fitted "
            "patience and input error"
        )
    # queues
    hours, agents, table = on_duty
    wait_se: dict[str, Any] = {}
    for nid, fit in queues.items():
        node = tree.nodes.get(nid)
        entry = data["nodes"].get(nid)
        if not isinstance(node, Queue) or entry is None:
            continue
        if node.staffing is not None:
            staffing = dict(entry["staffing"])
            agent_node = node.next or ""
            h = handle.get(agent_node, handle_all)
            if h.n:
                staffing["handle_time_s"] = _sig(h.mean.value)
                wait_se[nid] = {"handle_time_s": _sig(h.mean.se)}
            # offered calls per hour and agents, over the hours agents were on duty; a queue
            # whose calls follow from the tree's volume: and the menu keeps that (a fixed
            # calls_per_hour beside a volume: or a roster is not a valid tree), and a roster
            # of agents by schedule stays a roster
            fixed = "calls_per_hour" in staffing or data.get("volume") is None
            if agents is not None and agents.size:
                busy = (agents > 0) & (table[:, 1] > 0)
                if busy.any():
                    weighted = float((agents[busy] * table[busy, 1]).sum() / table[busy, 1].sum())
                    if fixed:
                        staffing["calls_per_hour"] = _sig(float(table[busy, 1].mean()))
                    if not isinstance(staffing.get("agents"), dict):
                        staffing["agents"] = max(1, round(weighted))
                    wait_se.setdefault(nid, {})["agents_on_duty_mean"] = _sig(weighted)
            elif fit.calls and fixed:
                staffing["calls_per_hour"] = _sig(fit.calls / ((period[1] - period[0]) / 3600.0))
            entry["staffing"] = staffing
        elif fit.answered > 0 and math.isfinite(fit.offered_wait.value):
            entry["wait"] = {"mean_s": _sig(fit.offered_wait.value)}
            wait_se[nid] = {"mean_s": _sig(fit.offered_wait.se)}
    if wait_se:
        se["queues"] = wait_se
    # arrivals: only when the logs cover every hour of the week
    if (occ >= 1).all() and np.isfinite(per_hour).all() and per_hour.sum() > 0:
        table7 = per_hour.reshape(7, 24)
        data["arrivals"] = [[_sig(float(x), 4) for x in row] for row in table7]
        fitted["arrivals"] = "observed calls per hour of the week"
    else:
        notes.append("the logs cover less than a whole week: the arrival profile is kept as given")
    meta = dict(data.get("meta", {}))
    meta["calibrated"] = {
        "source": {"format": report.format, "files": report.files},
        "period": {
            "from": as_datetime(period[0]).isoformat(timespec="seconds"),
            "to": as_datetime(period[1]).isoformat(timespec="seconds"),
        },
        "calls_used": t.calls,
        "fitted": fitted,
        "standard_errors": se,
        # Fields the format does not have yet (tree-level volume, rosters): kept here.
        "volume": {"calls_per_week": _sig(volume.value), "se": _sig(volume.se)},
        **(
            {
                "handle_time_s": {
                    "mean": _sig(handle_all.mean.value),
                    "se": _sig(handle_all.mean.se),
                    "median": _sig(handle_all.median_s),
                }
            }
            if handle_all.n
            else {}
        ),
        **(
            {
                "agents_on_duty": [
                    [_sig(float(x), 3) if math.isfinite(x) else None for x in row]
                    for row in _by_hour_of_week(hours, agents).reshape(7, 24)
                ]
            }
            if agents is not None
            else {}
        ),
    }
    data["meta"] = meta
    from ..io import tree_from_data

    try:
        cal = tree_from_data(data)
    except IvrscoreError as exc:  # pragma: no cover - a fitted figure out of the model's range
        raise IvrscoreError(redact(f"the calibrated tree is not valid: {exc}")) from exc
    return cal, fitted
