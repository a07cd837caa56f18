"""The score: a phone tree measured against "if you must use technology, make it user-friendly".

The score charges every call for what the design puts its caller through, in seconds of the
caller's time or their equivalent (after the total cost of an IVR call in Suhm & Peterson
2002): the seconds of prompts, menus and keying, the seconds on hold, each repeated question
and each transfer of the calls that get somewhere, and a fixed cost for each call that is cut
off, given up or left unresolved (a callback or a voicemail defers the resolution, at a
credit). Each :class:`~ivrscore.standard.Criterion` charges one of these harms at its weight;
the expected cost per call ``C`` gives the score

    ``score = 100 / (1 + (C / score_scale_s) ** 2)``

(``score_scale_s`` 800 s by default: a tree whose calls cost 13 minutes scores 50), graded A
(>= 90), B (>= 80), C (>= 70), D (>= 60), F. The points lost (``100 - score``) are split
between the criteria by their share of the cost, so they add up exactly; every lost or
deferred call is split by its cause, from the chain itself (:attr:`Report.causes`).

Why this shape: a failed call costs a fixed amount however early it fails, and time is charged
only to the calls that get somewhere, so a design never looks better because its callers give
up sooner or are cut off earlier (a failure costs more than any reasonable journey); harm
beyond a reference level keeps costing (nothing is clipped); and the number is continuous, so
two designs whose callers fare differently get different scores even when both have no-nos.
The essays' no-nos (lint findings of severity ``error``) stay visible as a cost per distinct
rule broken (criterion ``no_nos``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from ._collector import paused
from .engine import Result, analyze, simulate
from .engine._compile import check_size
from .engine.analyze import NotExactError
from .engine.ledger import KINDS, Cause, Harms
from .exceptions import IvrscoreError
from .lint import Finding, Findings, lint
from .model.tree import PhoneTree
from .standard import CRITERIA, Criterion, Standard

__all__ = [
    "AMOUNTS",
    "CRITERIA",
    "Cause",
    "Comparison",
    "Criterion",
    "CriterionScore",
    "Report",
    "compare",
    "grade",
    "score",
    "score_of_cost",
]

AMOUNTS: dict[str, str] = {
    "unresolved": "share of calls that end unresolved: abandoned or disconnected, plus callbacks "
    "and voicemails less their credit",
    "cut_off": "share of calls disconnected by the system while everything they met was open",
    "cut_off_closed": "share of calls disconnected after meeting a closed department",
    "abandoned": "share of calls the caller gives up on",
    "ok_ivr_s": "seconds of prompts, menus and keying per call, of the calls that get somewhere",
    "ok_hold_s": "seconds on hold per call, of the calls that get somewhere",
    "human_s": "ok_hold_s plus no_person_s for each caller who wanted a person and never met one",
    "no_person": "share of calls from callers who want a person and never meet one",
    "ok_repeated": "share of calls that get somewhere and were asked again for something given",
    "ok_transfers": "transfers per call, of the calls that get somewhere",
    "no_nos": "number of distinct error-severity rules the tree breaks",
    "no_no_weight": "the no-nos counted by rule, each 1 + ln(the number of places it happens): "
    "one more place always costs more, a rule broken in many places does not swamp the rest",
    "callback": "share of calls ending in a callback",
    "voicemail": "share of calls ending in a voicemail",
}
"""What a criterion can charge (besides any outcome or metric name). "Get somewhere" means the
call is resolved or deferred by a callback or voicemail."""

CAUSE_RULES: dict[str, tuple[str, ...]] = {
    "closed_dead_end": ("IVR501",),
    "hangup_on_error": ("IVR301", "IVR204"),
    "zero_refused": ("IVR204", "IVR301"),
    "dead_end": ("IVR102",),
    "sent_to_hangup": ("IVR102", "IVR506"),
    "wrong_key_hangup": ("IVR201", "IVR305"),
    "transferred_to_hangup": ("IVR502", "IVR506"),
    "could_not_help": ("IVR506", "IVR104", "IVR102"),
    "gave_up_waiting": ("IVR505", "IVR504", "IVR503"),
    "gave_up_in_menus": ("IVR201", "IVR305", "IVR402", "IVR204"),
    "gave_up_listening": ("IVR402", "IVR404", "IVR401"),
    "gave_up_keying": ("IVR302", "IVR204"),
    "callback_offer": (),
    "closed_callback": (),
    "callback": (),
    "closed_voicemail": (),
    "voicemail": (),
}
"""Rules that name each cause kind at its node (the first found is quoted)."""

CRITERION_RULES: dict[str, tuple[str, ...]] = {
    "time_to_human": ("IVR403", "IVR204", "IVR505", "IVR504"),
    "effort": ("IVR402", "IVR404", "IVR201", "IVR202", "IVR305", "IVR401", "IVR203"),
    "repeated_identity": ("IVR302",),
    "passing_the_buck": ("IVR502", "IVR506"),
}
"""Findings that explain the criteria charged by node rather than by cause."""


def grade(points: float) -> str:
    """A (>= 90), B (>= 80), C (>= 70), D (>= 60), F.

    Examples
    --------
    >>> grade(91), grade(60), grade(59.9)
    ('A', 'D', 'F')
    """
    for letter, floor in (("A", 90), ("B", 80), ("C", 70), ("D", 60)):
        if points >= floor:
            return letter
    return "F"


def score_of_cost(cost_s: float, scale_s: float = 800.0) -> float:
    """The score of a tree whose calls cost ``cost_s`` seconds-equivalent each on average.

    Examples
    --------
    >>> round(score_of_cost(0), 1), round(score_of_cost(400), 1), round(score_of_cost(800), 1)
    (100.0, 80.0, 50.0)
    >>> round(score_of_cost(1600), 1), score_of_cost(1601) < score_of_cost(1600)
    (20.0, True)
    """
    return 100.0 / (1.0 + (max(cost_s, 0.0) / scale_s) ** 2)


@dataclass(frozen=True)
class CriterionScore:
    """One criterion of a report: its metric, the harm it charges and the points that costs.

    Attributes
    ----------
    name, metric : str
        The criterion and the metric shown for it.
    value : float
        The metric's value (NaN when no call reaches it, e.g. nobody meets a person).
    target, limit : float
        What the sources call good and unacceptable for the metric (reading aids).
    weight : float
        Seconds-equivalent charged per unit of ``amount``.
    amount : float
        The quantity charged (``charges``), per call.
    cost_s : float
        ``weight * amount``: seconds-equivalent per call.
    points_lost : float
        This criterion's share of the points the tree loses (they add up to ``100 - score``).
    laws : tuple of int
    charges : str
        The name of the amount charged.
    """

    name: str
    metric: str
    value: float
    target: float
    limit: float
    weight: float
    amount: float
    cost_s: float
    points_lost: float
    laws: tuple[int, ...]
    charges: str

    @property
    def score(self) -> float:
        """``100 - points_lost``: what is left of 100 after this criterion's share."""
        return 100.0 - self.points_lost

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "metric": self.metric,
            "score": round(self.score, 2),
            "weight": self.weight,
            "value": _none(self.value),
            "target": self.target,
            "limit": self.limit,
            "laws": list(self.laws),
            "charges": self.charges,
            "amount": _none(self.amount),
            "cost_s": round(self.cost_s, 3),
            "points_lost": round(self.points_lost, 3),
        }


@dataclass(frozen=True)
class Report:
    """A tree's score, its criteria, causes, findings, outcomes and metrics, and why.

    Attributes
    ----------
    name : str
    score : float
        0-100.
    grade : str
    criteria : tuple of CriterionScore
    findings : Findings
        Every lint finding under the Standard.
    result : Result
        The engine's outcomes and metrics (overall and per task).
    cost_s : float
        Expected seconds-equivalent of harm per call.
    causes : tuple of Cause
        Every share of lost or deferred calls by cause (outcome, kind, node), largest first.
    no_nos : tuple of str
        The distinct error-severity rules the tree breaks.
    explanations : tuple of (float, str)
        Points lost and the reason in words, largest first.
    """

    name: str
    score: float
    grade: str
    criteria: tuple[CriterionScore, ...]
    findings: Findings
    result: Result
    cost_s: float = 0.0
    causes: tuple[Cause, ...] = ()
    no_nos: tuple[str, ...] = ()
    explanations: tuple[tuple[float, str], ...] = field(default=())
    stderr: float = 0.0
    """Standard error of the score (0 for the exact analysis; by the delta method from the
    simulated calls otherwise)."""
    tree: PhoneTree | None = field(default=None, repr=False, compare=False)
    """The tree scored (for the charts of the HTML report)."""

    @property
    def outcomes(self) -> dict[str, float]:
        return self.result.outcomes

    @property
    def metrics(self) -> dict[str, float]:
        return self.result.metrics

    @property
    def method(self) -> str:
        return self.result.method

    @property
    def raw_score(self) -> float:
        """The score (kept for compatibility: nothing caps it any more)."""
        return self.score

    @property
    def cap(self) -> None:
        """Always ``None`` (kept for compatibility: nothing caps the score any more)."""
        return None

    def criterion(self, name: str) -> CriterionScore:
        """The criterion called ``name``."""
        for c in self.criteria:
            if c.name == name:
                return c
        raise KeyError(f"no criterion {name!r}; criteria are: {', '.join(self.names())}")

    def names(self) -> list[str]:
        return [c.name for c in self.criteria]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: ``{name, score, grade, criteria, metrics, outcomes, findings}`` plus
        ``method``, ``cost_s``, ``causes``, ``no_nos``, ``explanations`` and per-task results."""
        r = self.result.to_dict()
        return {
            "name": self.name,
            "score": round(self.score, 2),
            "grade": self.grade,
            "method": self.method,
            "cost_s": round(self.cost_s, 3),
            "criteria": [c.to_dict() for c in self.criteria],
            "metrics": r["metrics"],
            "outcomes": r["outcomes"],
            "causes": [c.to_dict() for c in self.causes],
            "no_nos": list(self.no_nos),
            "findings": self.findings.to_dicts(),
            "explanations": [{"points": round(p, 2), "text": t} for p, t in self.explanations],
            "tasks": r["tasks"],
        }

    # -- text --------------------------------------------------------------------------------

    def text(self) -> str:
        """The report for a terminal, 80 columns."""
        lines = [
            f"{self.name}",
            f"score {self.score:.0f}/100, grade {self.grade}",
            *_wrap(
                f"(each call costs its caller {_duration(self.cost_s)} of harm on average; "
                f"{self.method}; findings: {self.findings.summary()})",
                80,
                indent=1,
            ),
            "",
            f"{'criterion':<19} {'value':>10} {'target':>9} {'cost/call':>10} {'lost':>7}",
        ]
        for c in self.criteria:
            lines.append(
                f"{c.name:<19} {_fmt(c.metric, c.value):>10} {_fmt(c.metric, c.target):>9} "
                f"{_duration(c.cost_s):>10} {_lost(c.points_lost):>7}"
            )
        if self.explanations:
            lines += ["", "where the points went"]
            for points, text in self.explanations:
                lines.extend(_wrap(f"{_lost(points):>6}  {text}", 80, indent=8))
        lost = _lost_summary(self.causes, self.outcomes)
        if lost:
            lines += ["", "where the calls went"]
            for text in lost:
                lines.extend(_wrap(f"  {text}", 80, indent=6))
        hours = getattr(self.result, "hourly", None)
        if hours is not None and not all(hours.fixed):
            lines += ["", *_peak_lines(hours)]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def markdown(self) -> str:
        """The report as Markdown (for a pull-request comment)."""
        rows = "\n".join(
            f"| {c.name} | {_fmt(c.metric, c.value)} | {_fmt(c.metric, c.target)} | "
            f"{_duration(c.cost_s)} | {_lost(c.points_lost)} |"
            for c in self.criteria
        )
        why = "\n".join(f"- **{_lost(p)}** {t}" for p, t in self.explanations)
        calls = "\n".join(f"- {t}" for t in _lost_summary(self.causes, self.outcomes))
        return (
            f"### {self.name}: {self.score:.0f}/100, grade {self.grade}\n\n"
            f"Each call costs its caller {_duration(self.cost_s)} of harm on average.\n\n"
            f"| criterion | value | target | cost per call | points |\n|---|---|---|---|---|\n"
            f"{rows}\n\n{why}\n\n{calls}\n\n"
            f"_{self.method}; findings: {self.findings.summary()}_\n"
        )

    def _repr_html_(self) -> str:
        from .report import report_html

        return report_html(self)

    def html(self) -> str:
        """The report as one standalone HTML page (charts inline, no network)."""
        from .report import report_page

        return report_page(self)

    def to_dataframe(self) -> Any:
        """The criteria as a pandas DataFrame (needs pandas), one row per criterion."""
        from .report._frames import criteria_frame

        return criteria_frame(self)


def _peak_lines(hours: Any) -> list[str]:
    """The busiest hour of the week and how each staffed queue copes with it."""
    h, label = hours.peak()
    out = [f"the busiest hour, {label}: {hours.calls[h]:,.0f} calls"]
    for i, name in enumerate(hours.names):
        if hours.offered[i, h] <= 0:
            continue
        out.append(
            f"  {name[:20]:<20} {hours.offered[i, h]:5.0f} calls, {int(hours.agents[i, h]):3d} "
            f"agents, ASA {_duration(float(hours.asa_s[i, h]))}, "
            f"{hours.p_abandon[i, h]:.0%} give up"
        )
    return out


def _colour(points: float) -> str:
    return "#2a9d4b" if points >= 95 else "#e0a800" if points >= 85 else "#c0392b"


def _wrap(text: str, width: int, indent: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width=width, subsequent_indent=" " * indent) or [text]


def _lost(points: float) -> str:
    """Points lost as a negative number, never ``-0.0``."""
    return "0.0" if abs(points) < 0.05 else f"{-points:.1f}"


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "—"
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _fmt(metric: str, v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if metric.startswith("p_") or metric in SHARE_AMOUNTS:
        return f"{v:.1%}"
    if metric.endswith("_s"):
        return _duration(v)
    if metric == "no_nos":
        return f"{v:.0f}"
    return f"{v:.2f}"


SHARE_AMOUNTS = frozenset(
    {"abandoned", "disconnected", "resolved_self_service", "resolved_by_agent", "voicemail",
     "callback", "unresolved", "cut_off", "cut_off_closed", "no_person", "ok_repeated"}
)  # fmt: skip


def _none(v: float | None) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


# -- the score -------------------------------------------------------------------------------------


def score(
    tree: PhoneTree,
    standard: Standard | None = None,
    *,
    calls: int | None = None,
    rng: int = 0,
) -> Report:
    """Score a phone tree against the user-friendly-technology law.

    Parameters
    ----------
    tree : PhoneTree
    standard : Standard, optional
        The criteria (what each harm costs), the score's scale, the credits for callbacks and
        voicemails, and the lint thresholds (default: :class:`~ivrscore.Standard`).
    calls : int, optional
        Force simulation with this many callers. By default the exact analysis is used when the
        tree's patience is exponential (or none), else 100,000 simulated callers.
    rng : int, default 0
        Seed for the simulation, so the same tree always gets the same score.

    Returns
    -------
    Report

    Raises
    ------
    TooLargeError
        The tree has too many nodes for its kinds of call to compile
        (:data:`ivrscore.engine._compile.MAX_CELLS`); checked before anything runs.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> before = ivr.score(ivr.load(ivr.examples.path("acme_telecom")))
    >>> after = ivr.score(ivr.load(ivr.examples.path("acme_redesign")))
    >>> before.grade, after.score > before.score + 25
    ('F', True)
    >>> round(sum(c.points_lost for c in before.criteria) + before.score, 9)
    100.0
    """
    std = standard or Standard()
    check_size(tree)  # a tree too large to compile is refused before the lint runs
    findings = lint(tree, std)
    result: Result
    if calls is None:
        try:
            with paused():  # compiling and solving make many objects, no cycles: see _collector
                result = analyze(tree)
        except NotExactError:
            result = simulate(tree, calls=100_000, rng=rng, progress=False)
    else:
        result = simulate(tree, calls=calls, rng=rng, progress=False)
    harms = result.harms
    if harms is None:  # pragma: no cover - both engines attach them
        raise IvrscoreError("the engine gave no account of the calls' harms")
    places = Counter(f.code for f in findings if f.severity == "error")
    no_nos = tuple(sorted(places))
    values = _values(result, harms, std, places)
    rows = []
    for name, crit in std.criteria.items():
        for needed in (crit.metric, crit.amount):
            if needed not in values:
                raise IvrscoreError(
                    f"criterion {name!r} uses unknown metric {needed!r}; known are: "
                    + ", ".join(values)
                )
        amount = float(values[crit.amount])
        rows.append((name, crit, float(values[crit.metric]), amount, crit.cost(amount)))
    total = sum(r[4] for r in rows)
    final = score_of_cost(total, std.score_scale_s)
    lost = 100.0 - final
    criteria = tuple(
        CriterionScore(
            name=name,
            metric=crit.metric,
            value=value,
            target=crit.target,
            limit=crit.limit,
            weight=crit.weight,
            amount=amount,
            cost_s=cost,
            points_lost=lost * cost / total if total > 0 else 0.0,
            laws=crit.laws,
            charges=crit.amount,
        )
        for name, crit, value, amount, cost in rows
    )
    weights: dict[str, float] = defaultdict(float)
    for _, crit, _, _, _ in rows:
        weights[crit.amount] += crit.weight
    # d score / d cost, for the standard error of a simulated score
    slope = 200.0 * total / std.score_scale_s**2 / (1.0 + (total / std.score_scale_s) ** 2) ** 2
    stderr = slope * _cost_stderr(harms, weights, std)
    causes = _named_causes(harms.causes, findings)
    explanations = _explain(criteria, causes, harms, findings, result, std, no_nos)
    explanations.sort(key=lambda e: -e[0])
    return Report(
        name=tree.name,
        score=final,
        grade=grade(final),
        criteria=criteria,
        findings=findings,
        result=result,
        cost_s=total,
        causes=causes,
        no_nos=no_nos,
        explanations=tuple((p, t) for p, t in explanations if p >= 0.05),
        stderr=stderr,
        tree=tree,
    )


def _cost_stderr(harms: Harms, weights: dict[str, float], std: Standard) -> float:
    """Standard error of the cost per call, from the amounts the engine measured."""
    base = dict(weights)
    # amounts the score derives from the engine's: their weights fall on what they are made of
    u = base.pop("unresolved", 0.0)
    for name, share in (
        ("abandoned", 1.0),
        ("cut_off", 1.0),
        ("cut_off_closed", 1.0),
        ("callback", 1.0 - std.callback_credit),
        ("voicemail", 1.0 - std.voicemail_credit),
    ):
        base[name] = base.get(name, 0.0) + u * share
    h = base.pop("human_s", 0.0)
    base["ok_hold_s"] = base.get("ok_hold_s", 0.0) + h
    base["no_person"] = base.get("no_person", 0.0) + h * std.no_person_s
    return harms.stderr_of(base)


def _values(result: Result, harms: Harms, std: Standard, places: Counter[str]) -> dict[str, float]:
    """Every name a criterion can show or charge, with its value for this tree."""
    unresolved = (
        harms.failed
        + (1.0 - std.callback_credit) * harms.callback
        + (1.0 - std.voicemail_credit) * harms.voicemail
    )
    amounts = {
        **harms.amounts(),
        "unresolved": unresolved,
        "human_s": harms.ok_hold_s + std.no_person_s * harms.no_person,
        "no_nos": float(len(places)),
        "no_no_weight": sum(1.0 + math.log(n) for n in places.values()),
    }
    return {**result.outcomes, **result.metrics, **amounts}


# -- words -------------------------------------------------------------------------------------------


def cause_words(c: Cause) -> str:
    """A cause in a few words: ``"closed dead end at billing_queue"``."""
    return KINDS.get(c.kind, c.kind.replace("_", " ") + " at {node}").format(node=c.node)


def _named_causes(causes: tuple[Cause, ...], findings: Findings) -> tuple[Cause, ...]:
    """The causes with their words and the rule that reports each at its node."""
    at: dict[tuple[str, str], Finding] = {}
    for f in findings:
        if f.node is not None:
            at.setdefault((f.code, f.node), f)
    out = []
    for c in causes:
        code = next((r for r in CAUSE_RULES.get(c.kind, ()) if (r, c.node) in at), None)
        out.append(replace(c, text=cause_words(c), code=code))
    return tuple(out)


def _listing(causes: list[Cause], limit: int = 4, *, hours: bool = True) -> str:
    """``"5.8% closed dead end at faults_queue (IVR501), ..."``; with ``hours``, causes met
    out of hours say so (unless their kind already does)."""

    def one(c: Cause) -> str:
        ooh = hours and c.closed and not c.kind.startswith("closed")
        return (
            f"{c.share:.1%} {c.text}"
            + (" out of hours" if ooh else "")
            + (f" ({c.code})" if c.code else "")
        )

    shown = [one(c) for c in causes[:limit]]
    rest = sum(c.share for c in causes[limit:])
    if rest >= 0.0005:
        shown.append(f"{rest:.1%} elsewhere")
    return "; ".join(shown)


def _by_node_listing(part: dict[str, float], unit: str, limit: int = 3) -> str:
    top = sorted(part.items(), key=lambda kv: -kv[1])[:limit]
    if unit == "s":
        return ", ".join(f"{n} ({_duration(v)})" for n, v in top if v >= 0.5)
    return ", ".join(f"{n} ({v:.1%})" for n, v in top if v >= 0.0005)


def _quote(findings: Findings, codes: tuple[str, ...], nodes: list[str] | None = None) -> str:
    """The most relevant finding among ``codes`` (at one of ``nodes`` first), as ``: message (CODE)``."""
    rank = {"error": 0, "warning": 1, "info": 2}
    cands = [f for f in findings if f.code in codes]
    if nodes:
        near = [f for f in cands if f.node in nodes]
        cands = near or cands
    if not cands:
        return ""
    f = min(
        cands,
        key=lambda f: (
            nodes.index(f.node) if nodes and f.node in nodes else len(nodes or ()),
            rank[f.severity],
            codes.index(f.code),
            f.line or 0,
        ),
    )
    return f": {f.message} ({f.code})"


def _explain(
    criteria: tuple[CriterionScore, ...],
    causes: tuple[Cause, ...],
    harms: Harms,
    findings: Findings,
    result: Result,
    std: Standard,
    no_nos: tuple[str, ...],
) -> list[tuple[float, str]]:
    by_kind: dict[str, list[Cause]] = defaultdict(list)
    for cause in causes:
        by_kind[cause.outcome].append(cause)
    cut_open = [x for x in by_kind["disconnected"] if not x.closed]
    cut_closed = [x for x in by_kind["disconnected"] if x.closed]
    out = []
    for crit in criteria:
        if crit.points_lost < 0.05:
            continue
        text = _criterion_text(crit, by_kind, cut_open, cut_closed, harms, findings, std, no_nos)
        worst = _worst_task(result, crit, std.criteria[crit.name])
        if worst:
            text += f"; worst for {worst}"
        out.append((crit.points_lost, text))
    return out


def _criterion_text(
    c: CriterionScore,
    by_kind: dict[str, list[Cause]],
    cut_open: list[Cause],
    cut_closed: list[Cause],
    harms: Harms,
    findings: Findings,
    std: Standard,
    no_nos: tuple[str, ...],
) -> str:
    value = _fmt(c.metric, c.value)
    name = c.name
    if name == "resolution":
        deferred = harms.callback + harms.voicemail
        text = (
            f"only {value} of calls end with the caller's task done: {harms.failed:.1%} are "
            f"lost ({harms.cut_off + harms.cut_off_closed:.1%} cut off, {harms.abandoned:.1%} "
            "given up)"
        )
        if deferred >= 0.0005:
            text += f" and {deferred:.1%} deferred to a callback or voicemail"
        return text
    if name == "hang_ups":
        text = f"{harms.cut_off:.1%} of calls are cut off by the system"
        if cut_open:
            text += ": " + _listing(cut_open)
        if harms.cut_off_closed >= 0.0005:
            text += (
                f" - and {harms.cut_off_closed:.1%} more out of hours (under any_time_of_day): "
                + _listing(cut_closed, limit=3, hours=False)
            )
        return text
    if name == "any_time_of_day":
        text = f"{harms.cut_off_closed:.1%} of calls are cut off out of hours"
        if cut_closed:
            text += ": " + _listing(cut_closed, hours=False)
        return text
    if name == "abandonment":
        text = f"{harms.abandoned:.1%} of callers give up"
        if by_kind["abandoned"]:
            text += ": " + _listing(by_kind["abandoned"])
        return text
    if name == "time_to_human":
        waits = _by_node_listing(harms.by_node.get("ok_hold_s", {}), "s")
        parts = [
            f"{_duration(harms.ok_hold_s)} on hold per call"
            + (f" (most at {waits})" if waits else "")
        ]
        if math.isnan(c.value):
            parts.append("nobody reaches a person")
        else:
            parts.append(f"callers who reach a person wait {value} on average to get there")
        if harms.no_person >= 0.0005:
            parts.append(f"{harms.no_person:.1%} of callers want a person and never meet one")
        return "; ".join(parts) + _quote(findings, CRITERION_RULES["time_to_human"])
    if name == "effort":
        where = harms.by_node.get("ok_ivr_s", {})
        top = _by_node_listing(where, "s")
        text = f"calls spend {_duration(harms.ok_ivr_s)} in prompts, menus and keying ({value} options heard)"
        if top:
            text += f", most at {top}"
        nodes = sorted(where, key=lambda n: -where[n])[:3]
        return text + _quote(findings, CRITERION_RULES["effort"], nodes)
    if name == "repeated_identity":
        where = harms.by_node.get("ok_repeated", {})
        nodes = sorted(where, key=lambda n: -where[n])[:3]
        return f"{value} of callers are asked again for something they already gave" + _quote(
            findings, CRITERION_RULES["repeated_identity"], nodes
        )
    if name == "passing_the_buck":
        where = harms.by_node.get("ok_transfers", {})
        nodes = sorted(where, key=lambda n: -where[n])[:3]
        top = _by_node_listing(where, "share")
        text = f"{value} transfers per call" + (f", by {top}" if top else "")
        return text + _quote(findings, CRITERION_RULES["passing_the_buck"], nodes)
    if name == "no_nos":
        errors = [f for f in findings if f.severity == "error"]
        named = ", ".join(
            f"{code} {_slug(findings, code)}"
            + (f" ({n} places)" if (n := sum(f.code == code for f in errors)) > 1 else "")
            for code in no_nos
        )
        return (
            f"{len(no_nos)} no-no{'s' if len(no_nos) != 1 else ''} that must never happen: {named}"
        )
    return f"{name.replace('_', ' ')}: {value}"


def _slug(findings: Findings, code: str) -> str:
    return next((f.slug for f in findings if f.code == code), "")


def _worst_task(result: Result, c: CriterionScore, crit: Criterion) -> str | None:
    span = crit.limit - crit.target
    if span == 0 or c.metric not in {**result.outcomes, **result.metrics}:
        return None
    scored = []
    for task, r in result.tasks.items():
        v = {**r.outcomes, **r.metrics}.get(c.metric, math.nan)
        if not math.isnan(v):
            scored.append(((v - crit.target) / span, task, v))
    if len(scored) < 2:
        return None
    bad, task, v = max(scored)
    return f"{task} ({_fmt(c.metric, v)})" if bad > 0 else None


def _lost_summary(causes: tuple[Cause, ...], outcomes: dict[str, float]) -> list[str]:
    """One line per way calls are lost or deferred, split by cause."""
    out = []
    for outcome, words in (
        ("disconnected", "cut off"),
        ("abandoned", "given up"),
        ("callback", "callback"),
        ("voicemail", "voicemail"),
    ):
        share = outcomes.get(outcome, 0.0)
        mine = [c for c in causes if c.outcome == outcome]
        if share < 0.0005 or not mine:
            continue
        out.append(f"{words} {share:.1%} = {_listing(mine, limit=5).replace('; ', ' + ')}")
    return out


# -- comparing two designs ------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Two reports side by side: criteria and metrics with deltas, findings fixed and introduced."""

    before: Report
    after: Report

    @property
    def delta(self) -> float:
        return self.after.score - self.before.score

    def fixed(self) -> list[Finding]:
        """Findings in ``before`` that ``after`` no longer has (by rule and node)."""
        keys = {(f.code, f.node) for f in self.after.findings}
        return [f for f in self.before.findings if (f.code, f.node) not in keys]

    def introduced(self) -> list[Finding]:
        """Findings ``after`` has that ``before`` did not."""
        keys = {(f.code, f.node) for f in self.before.findings}
        return [f for f in self.after.findings if (f.code, f.node) not in keys]

    def _pairs(self) -> list[tuple[CriterionScore, CriterionScore | None]]:
        after = {c.name: c for c in self.after.criteria}
        return [(b, after.get(b.name)) for b in self.before.criteria]

    def to_dict(self) -> dict[str, Any]:
        return {
            "before": {
                "name": self.before.name,
                "score": round(self.before.score, 2),
                "grade": self.before.grade,
                "cost_s": round(self.before.cost_s, 3),
            },
            "after": {
                "name": self.after.name,
                "score": round(self.after.score, 2),
                "grade": self.after.grade,
                "cost_s": round(self.after.cost_s, 3),
            },
            "delta": round(self.delta, 2),
            "criteria": [
                {
                    "name": b.name,
                    "before": _none(b.value),
                    "after": _none(a.value) if a else None,
                    "score_before": round(b.score, 2),
                    "score_after": round(a.score, 2) if a else None,
                    "delta": round(a.score - b.score, 2) if a else None,
                    "cost_before_s": round(b.cost_s, 3),
                    "cost_after_s": round(a.cost_s, 3) if a else None,
                }
                for b, a in self._pairs()
            ],
            "metrics": {
                k: {"before": _none(self.before.metrics[k]), "after": _none(self.after.metrics[k])}
                for k in self.before.metrics
            },
            "fixed": [f.to_dict() for f in self.fixed()],
            "introduced": [f.to_dict() for f in self.introduced()],
        }

    def _headline(self) -> tuple[int, int, str]:
        b, a = round(self.before.score), round(self.after.score)
        return b, a, f"{a - b:+d} point{'s' if abs(a - b) != 1 else ''}"

    def text(self) -> str:
        b, a = self.before, self.after
        sb, sa, delta = self._headline()
        lines = [
            f"before: {b.name}: {sb} ({b.grade}), {_duration(b.cost_s)} of harm per call",
            f"after:  {a.name}: {sa} ({a.grade}), {_duration(a.cost_s)} of harm per call   {delta}",
            "",
            f"{'criterion':<19} {'before':>10} {'after':>10} {'cost/call':>21}",
        ]
        for cb, ca in self._pairs():
            if ca is None:
                continue
            lines.append(
                f"{cb.name:<19} {_fmt(cb.metric, cb.value):>10} {_fmt(ca.metric, ca.value):>10} "
                f"{_duration(cb.cost_s):>9} → {_duration(ca.cost_s):<9}"
            )
        fixed, new = self.fixed(), self.introduced()
        lines += ["", f"findings fixed: {len(fixed)}, introduced: {len(new)}"]
        for f in new[:10]:
            lines.append(f"  + {f.code} {f.slug} at {f.node}")
        return "\n".join(lines)

    def markdown(self) -> str:
        sb, sa, delta = self._headline()
        rows = "\n".join(
            f"| {cb.name} | {_fmt(cb.metric, cb.value)} | {_fmt(ca.metric, ca.value)} | "
            f"{_duration(cb.cost_s)} → {_duration(ca.cost_s)} |"
            for cb, ca in self._pairs()
            if ca is not None
        )
        return (
            f"### {sb} ({self.before.grade}) → {sa} ({self.after.grade}), {delta}\n\n"
            f"| criterion | before | after | cost per call |\n|---|---|---|---|\n{rows}\n\n"
            f"Findings fixed: {len(self.fixed())}; introduced: {len(self.introduced())}.\n"
        )

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        from .report import comparison_html

        return comparison_html(self)

    def html(self) -> str:
        """Both designs side by side as one standalone HTML page."""
        from .report import comparison_page

        return comparison_page(self)

    def to_dataframe(self) -> Any:
        """Criteria before and after as a pandas DataFrame (needs pandas)."""
        from .report._frames import comparison_frame

        return comparison_frame(self)


def compare(before: PhoneTree, after: PhoneTree, standard: Standard | None = None) -> Comparison:
    """Score two designs and put them side by side.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> cmp = ivr.compare(ivr.load(ivr.examples.path("acme_telecom")),
    ...                   ivr.load(ivr.examples.path("acme_redesign")))
    >>> cmp.delta > 25, len(cmp.fixed()) > 20
    (True, True)
    """
    return Comparison(score(before, standard), score(after, standard))
