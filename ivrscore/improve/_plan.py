"""The planner: the best next edit at each step, every prediction from the exact engine.

**Greedy best-next-edit, not a beam.** At each step every applicable candidate of the
catalogue is generated on the current tree, scored, and the one that raises the score most is
applied; the plan stops when no candidate raises it (or after ``max_edits``). The edits answer
different harms (a closed dead end, a re-asked datum, a wrong route) and interact little, so
the best next edit is almost always on the best path; a beam of width *b* would multiply the
engine's work by *b* for trees with queue dynamics, where one exact analysis solves a week
of queues, and greedy steps explain themselves ("this edit gains most now").

**Screening, then the exact engine.** With ``volume:`` the queues' load follows the menu hour
by hour, and one exact analysis solves 168 hours to a fixed point (0.2-0.4 s of CPU on
acme_telecom; lint's weekly waits and the outcomes share one solved week). The planner then
ranks the candidates on a *frozen-wait* copy of the tree (each staffed queue given the mean wait
it has in the current solution, so no fixed point is needed: a tenth of the cost) and
checks them exactly in that order, lazily: a candidate is screened once and keeps its estimate
from step to step (an edit elsewhere rarely changes its rank) until it reaches the top of the
ranking, when it is screened again on the current tree; the best exact gain is taken as soon as
it is at least the next candidate's fresh estimate, or after ``screen`` exact checks (by
default one: on acme_telecom ``screen=1`` plans 82.5 in 9 edits with 10 exact analyses, the
least any plan of 9 edits needs; ``screen=3`` takes the same first six edits). Two
candidates that build the same tree are checked once. When the screen says nothing gains, one
more candidate is checked exactly before the plan stops. Staffing edits always get the exact
engine. Trees without dynamics are scored exactly for every candidate. Either way each step's
score is the exact score of the edited tree, so ``score(plan.apply())`` equals the plan's last
prediction, and no step is kept unless it raises the score. The screen misses what an edit does
to the queues' load (on acme_telecom, routing broadband set-up straight to its team screens at
+0.8 and gains +5.5 exactly, so it comes late in the plan, not never).

**Groups.** An edit that applies at several places is also offered at every place at once,
and at every place where it gains on its own (its screened or exact gain), so a change that
helps at five queues and hurts at a sixth can be taken without the sixth.
"""

from __future__ import annotations

import copy
import heapq
import html
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from .._text import did_you_mean
from ..exceptions import IvrscoreError
from ..model.nodes import Menu
from ..model.tree import PhoneTree
from ..score import Report, score
from ..standard import Standard
from ._catalogue import EDITS, Candidate
from ._ops import Op, apply_ops, touched
from ._state import State

__all__ = ["Plan", "Step", "candidates", "improve", "parse_keep"]

MIN_GAIN = 1e-6
"""A step must raise the score by more than this (points) to be kept."""

METRICS = (
    "p_resolved",
    "abandoned",
    "disconnected",
    "mean_time_to_human_s",
    "mean_options_heard",
    "p_repeat_identity",
    "mean_transfers",
)
"""Metrics each step reports before and after."""


@dataclass(frozen=True)
class Step:
    """One edit of a plan, with what the exact engine predicts it gains.

    Attributes
    ----------
    number : int
    edit, slug : str
        The catalogue entry.
    node : str
    places : tuple of str
    text : str
        What to do, in one line.
    answers : tuple of str
        Rule codes it answers.
    fixed, introduced : tuple of str
        Findings (``"IVR501 at faults_queue"``) gone and new after the edit.
    before, after : float
        Score before and after (exact).
    cost_before_s, cost_after_s : float
    criteria : dict
        Points lost per criterion, before and after: ``{name: (before, after)}``.
    metrics : dict
        ``{metric: (before, after)}`` for :data:`METRICS`.
    review : tuple of str
        Template words the edit wrote (marked ``meta.improve`` for review).
    ops : tuple of Op
    """

    number: int
    edit: str
    slug: str
    node: str
    places: tuple[str, ...]
    text: str
    answers: tuple[str, ...]
    fixed: tuple[str, ...]
    introduced: tuple[str, ...]
    before: float
    after: float
    cost_before_s: float
    cost_after_s: float
    criteria: dict[str, tuple[float, float]]
    metrics: dict[str, tuple[float, float]]
    review: tuple[str, ...]
    ops: tuple[Op, ...] = field(repr=False)

    @property
    def gain(self) -> float:
        return self.after - self.before

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "edit": self.edit,
            "slug": self.slug,
            "node": self.node,
            "places": list(self.places),
            "text": self.text,
            "answers": list(self.answers),
            "fixed": list(self.fixed),
            "introduced": list(self.introduced),
            "score_before": self.before,
            "score_after": self.after,
            "gain": self.gain,
            "cost_before_s": self.cost_before_s,
            "cost_after_s": self.cost_after_s,
            "criteria": {k: {"before": b, "after": a} for k, (b, a) in self.criteria.items()},
            "metrics": {
                k: {"before": _num(b), "after": _num(a)} for k, (b, a) in self.metrics.items()
            },
            "review": list(self.review),
            "ops": [op.to_dict() for op in self.ops],
        }


def _num(x: float) -> float | None:
    return None if isinstance(x, float) and math.isnan(x) else x


@dataclass(frozen=True)
class Plan:
    """A ranked sequence of edits for a tree, each re-scored exactly, applied cumulatively.

    Attributes
    ----------
    tree : PhoneTree
        The tree the plan starts from.
    steps : tuple of Step
    before, after : Report
        The exact reports of the tree and of the tree with every step applied.
    stopped : str
        Why the plan ends.
    evaluated : int
        Candidates scored with the exact engine.
    screened : int
        Candidates ranked on the frozen-wait copy first (0 for trees without dynamics).
    """

    tree: PhoneTree = field(repr=False)
    standard: Standard = field(repr=False)
    steps: tuple[Step, ...]
    before: Report = field(repr=False)
    after: Report = field(repr=False)
    stopped: str = ""
    evaluated: int = 0
    screened: int = 0
    method: str = "greedy best next edit"

    @property
    def ops(self) -> tuple[Op, ...]:
        """Every step's ops, in order."""
        return tuple(op for s in self.steps for op in s.ops)

    @property
    def score(self) -> float:
        """The predicted score after every step (exact)."""
        return self.after.score

    def apply(self) -> PhoneTree:
        """The tree with every step applied.

        Examples
        --------
        >>> import ivrscore as ivr
        >>> tree = ivr.load(ivr.examples.path("gp_surgery"))
        >>> plan = ivr.improve(tree, max_edits=2)
        >>> abs(ivr.score(plan.apply()).score - plan.score) < 1e-9
        True
        """
        doc = apply_ops(self.tree.to_dict(), self.ops)
        return PhoneTree.model_validate(doc)

    def edit_text(self, text: str, *, source: str = "<text>") -> str:
        """The user's own file (its text) with every step applied, comments and layout kept."""
        from ._yaml import edit_text

        return edit_text(text, self.ops, source=source)

    # -- output -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.tree.name,
            "method": self.method,
            "score_before": self.before.score,
            "grade_before": self.before.grade,
            "score_after": self.after.score,
            "grade_after": self.after.grade,
            "cost_before_s": self.before.cost_s,
            "cost_after_s": self.after.cost_s,
            "stopped": self.stopped,
            "evaluated": self.evaluated,
            "screened": self.screened,
            "steps": [s.to_dict() for s in self.steps],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def _headline(self) -> str:
        n = len(self.steps)
        return (
            f"{self.before.score:.0f} ({self.before.grade}) -> {self.after.score:.0f} "
            f"({self.after.grade}) in {n} edit{'s' if n != 1 else ''}"
        )

    def text(self) -> str:
        """The plan for a terminal."""
        import textwrap

        lines = [self.tree.name, self._headline() + f" ({self.method}, exact engine)", ""]
        for s in self.steps:
            head = f"{s.number:>2}. {s.before:5.1f} -> {s.after:5.1f}  {s.gain:+5.1f}  {s.edit} {s.slug}"
            lines.append(head)
            lines += textwrap.wrap(s.text, 78, initial_indent=" " * 6, subsequent_indent=" " * 6)
            why = _why(s)
            if why:
                lines += textwrap.wrap(why, 78, initial_indent=" " * 6, subsequent_indent=" " * 6)
        lines += ["", f"stopped: {self.stopped}"]
        if any(s.review for s in self.steps):
            lines.append("words marked meta.improve are template wording: review them")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def markdown(self) -> str:
        """The plan as Markdown (for a pull request)."""
        rows = "\n".join(
            f"| {s.number} | {s.before:.1f} → {s.after:.1f} | {s.gain:+.1f} | `{s.edit}` {s.slug} | "
            f"{s.text}{'; ' + _why(s) if _why(s) else ''} |"
            for s in self.steps
        )
        return (
            f"### {self.tree.name}: {self._headline()}\n\n"
            "| # | score | gain | edit | what to do |\n|---|---|---|---|---|\n"
            f"{rows}\n\n_{self.method}, every score from the exact engine; stopped: "
            f"{self.stopped}_\n"
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{s.number}</td><td>{s.before:.1f} → {s.after:.1f}</td>"
            f"<td>{s.gain:+.1f}</td><td><code>{s.edit}</code> {html.escape(s.slug)}</td>"
            f"<td>{html.escape(s.text)}</td></tr>"
            for s in self.steps
        )
        return (
            f"<div><b>{html.escape(self.tree.name)}</b>: {html.escape(self._headline())}"
            "<table><thead><tr><th>#</th><th>score</th><th>gain</th><th>edit</th>"
            f"<th>what to do</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<small>{html.escape(self.method)}; stopped: {html.escape(self.stopped)}</small></div>"
        )

    def waterfall(self, ax: Any = None) -> Any:
        """Score gained per edit, as a waterfall from the tree's score to the plan's.

        Returns the matplotlib Axes (a new figure when ``ax`` is None; never shows it).
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(max(4.0, 1.0 + 0.8 * (len(self.steps) + 2)), 3.6))
        labels = ["before", *[s.edit for s in self.steps], "after"]
        ax.bar(0, self.before.score, color="#c0392b", width=0.7)
        for i, s in enumerate(self.steps, start=1):
            ax.bar(i, s.gain, bottom=s.before, color="#2a9d4b", width=0.7)
            ax.text(i, s.after + 1, f"+{s.gain:.1f}", ha="center", va="bottom", fontsize=8)
        last = len(self.steps) + 1
        ax.bar(last, self.after.score, color="#2a6fb0", width=0.7)
        ax.set_xticks(range(last + 1), labels, rotation=45, ha="right", fontsize=8)
        ax.set_ylim(0, 105)
        ax.set_ylabel("score")
        ax.set_title(f"{self.tree.name}: {self._headline()}", fontsize=9)
        for y in (60, 80, 90):
            ax.axhline(y, color="#999999", lw=0.5, ls=":")
        return ax


def _why(s: Step) -> str:
    parts = []
    if s.fixed:
        shown = ", ".join(s.fixed[:4]) + (
            f" and {len(s.fixed) - 4} more" if len(s.fixed) > 4 else ""
        )
        parts.append(f"fixes {shown}")
    moved = sorted(
        ((b - a, k) for k, (b, a) in s.criteria.items() if abs(b - a) >= 0.05), reverse=True
    )
    if moved:
        parts.append("points back on " + ", ".join(f"{k} {d:+.1f}" for d, k in moved[:3] if d > 0))
    if s.review:
        parts.append("new words to review: " + " / ".join(f'"{w}"' for w in s.review))
    return "; ".join(p for p in parts if not p.endswith("on "))


# -- keep= -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Keep:
    nodes: frozenset[str]
    prompts: frozenset[str]
    keys: frozenset[tuple[str, str]]

    def allows(self, ops: Iterable[Op]) -> bool:
        for op in ops:
            for p in touched(op):
                if p[0] != "nodes" or len(p) < 2:
                    continue
                n = p[1]
                rest = p[2:]
                if n in self.nodes:
                    return False
                if n in self.prompts and (
                    not rest
                    or rest[0] in ("prompt", "duration_s")
                    or (
                        rest[0] == "options"
                        and (len(rest) == 1 or (len(rest) >= 3 and rest[2] == "say"))
                    )
                ):
                    return False
                if rest[:1] == ("options",) or not rest:
                    for kn, k in self.keys:
                        if kn == n and (len(rest) <= 1 or str(rest[1]) == k):
                            return False
        return True


def parse_keep(tree: PhoneTree, keep: Iterable[str]) -> _Keep:
    """``keep=`` items: ``NODE`` (nothing about it changes), ``NODE.prompt`` (its words stay:
    prompt, duration and option words) or ``NODE.KEY`` / ``NODE:KEY`` (that option keeps its
    key, words and target)."""
    nodes, prompts, keys = set(), set(), set()
    for item in keep:
        item = str(item)
        for sep in (".", ":"):
            if sep in item and item.split(sep, 1)[0] in tree.nodes:
                n, what = item.split(sep, 1)
                break
        else:
            n, what = item, ""
        if n not in tree.nodes:
            hint = did_you_mean(n, list(tree.nodes))
            raise IvrscoreError(
                f"keep: no node {n!r} in {tree.name!r}"
                + (f"; did you mean {hint!r}?" if hint else "")
            )
        if not what:
            nodes.add(n)
        elif what == "prompt":
            prompts.add(n)
        else:
            node = tree.nodes[n]
            if not isinstance(node, Menu) or what not in node.options:
                raise IvrscoreError(
                    f"keep: {n} has no option {what!r} (use NODE, NODE.prompt or NODE.KEY)"
                )
            keys.add((n, what))
    return _Keep(frozenset(nodes), frozenset(prompts), frozenset(keys))


# -- the search ------------------------------------------------------------------------------


def _build(doc: dict[str, Any]) -> PhoneTree | None:
    try:
        return PhoneTree.model_validate(doc)
    except (IvrscoreError, ValidationError, ValueError, KeyError, TypeError):
        return None


def _score(tree: PhoneTree, std: Standard) -> Report | None:
    try:
        return score(tree, std)
    except IvrscoreError:
        return None


def _broken_promises(report: Report) -> set[str | None]:
    return {f.node for f in report.findings if f.code == "IVR506"}


def _frozen(doc: dict[str, Any], report: Report) -> dict[str, Any] | None:
    """The document with each staffed queue's load frozen at its current mean wait (no
    ``volume:``): the screen for trees with dynamics (``None`` without them)."""
    hours = report.result.hourly
    if hours is None or all(hours.fixed):
        return None
    d = copy.deepcopy(doc)
    d.pop("volume", None)
    for i, fixed in enumerate(hours.fixed):
        if fixed:
            continue
        off, w = hours.offered[i], hours.mean_wait_s[i]
        ok = (off > 0) & ~_isnan(w)
        mean = float((off[ok] * w[ok]).sum() / off[ok].sum()) if ok.any() else 0.0
        for q in dict.fromkeys(hours.queues[i]):
            node = d["nodes"].get(q)
            if node is not None and "staffing" in node:
                del node["staffing"]
                node["wait"] = {"mean_s": max(mean, 0.0)}
    if not any("pool" in (n.get("staffing") or {}) for n in d["nodes"].values()):
        d.pop("pools", None)
    return d


def _isnan(a: Any) -> Any:
    import numpy as np

    return np.isnan(a)


def _needs_exact(c: Candidate) -> bool:
    return any(
        op.path[:1] in (("volume",), ("pools",)) or (len(op.path) > 2 and op.path[2] == "staffing")
        for op in c.ops
    )


def _joined(firsts: Sequence[Candidate]) -> Candidate:
    """One change at every place of ``firsts`` at once, their ops joined (a later op on a path
    already set is left out)."""
    ops: list[Op] = []
    paths: set[tuple[str | int, ...]] = set()
    for c in firsts:
        if any(op.path in paths for op in c.ops):
            continue
        ops.extend(c.ops)
        paths.update(op.path for op in c.ops)
    one = firsts[0]
    nodes = tuple(c.node for c in firsts)
    text = f"{one.text}; and the same at {', '.join(nodes[1:])}"
    review = tuple(dict.fromkeys(w for c in firsts for w in c.review))
    return Candidate(one.edit, one.node, tuple(ops), text, one.answers, nodes, review)


def _with_group(cands: list[Candidate], group: bool) -> list[Candidate]:
    """The candidates, and (for edits that group) one change at every place at once: the first
    candidate of each node, their ops joined (a later op on a path already set is left out)."""
    if not group:
        return cands
    firsts: dict[str, Candidate] = {}
    for c in cands:
        if not c.places:
            firsts.setdefault(c.node, c)
    if len(firsts) < 2:
        return cands
    return [*cands, _joined(list(firsts.values()))]


def _gaining_groups(cands: Sequence[Candidate], gains: dict[int, float]) -> list[Candidate]:
    """For each edit that groups, one change at every place where that edit gains on its own
    (the best-gaining candidate of each node, by ``gains``), when that is not already a
    candidate: a group at every place can lose where one place alone loses (a callback offer at
    a queue that no longer waits long)."""
    seen = {repr(c.ops) for c in cands}
    by_edit: dict[str, dict[str, tuple[float, int]]] = {}
    for i, c in enumerate(cands):
        if c.places or not EDITS[c.edit].group or gains.get(i, 0.0) <= MIN_GAIN:
            continue
        mine = by_edit.setdefault(c.edit, {})
        if c.node not in mine or gains[i] > mine[c.node][0]:
            mine[c.node] = (gains[i], i)
    out = []
    for places in by_edit.values():
        if len(places) < 2:
            continue
        group = _joined([cands[i] for _, i in sorted(places.values(), key=lambda x: x[1])])
        if repr(group.ops) not in seen:
            out.append(group)
    return out


def candidates(state: State, kept: _Keep | None = None) -> list[Candidate]:
    """Every change the catalogue offers on the state's tree that ``keep=`` allows, once each,
    in catalogue order (staffing edits only with ``state.allow_staffing``)."""
    seen: set[str] = set()
    out: list[Candidate] = []
    for e in EDITS.values():
        if e.staffing and not state.allow_staffing:
            continue
        for c in _with_group(e.candidates(state), e.group):
            sig = repr(c.ops)
            if sig in seen or (kept is not None and not kept.allows(c.ops)):
                continue
            seen.add(sig)
            out.append(c)
    return out


def _finding_keys(report: Report) -> list[str]:
    return list(dict.fromkeys(f"{f.code} at {f.node}" for f in report.findings))


_Chosen = tuple[Candidate, dict[str, Any], PhoneTree, Report]


class _Search:
    """One step's choice: the candidate with the best exact gain, found with as few exact
    analyses as the screen allows (see the module documentation).

    ``estimates`` maps a candidate (its ops) to its screened gain and the step it was screened
    at; it is kept between steps, so a candidate is re-screened only when it reaches the top.
    """

    def __init__(
        self,
        doc: dict[str, Any],
        report: Report,
        std: Standard,
        step: int,
        estimates: dict[str, tuple[float, int]],
        screen: int,
    ) -> None:
        self.doc, self.report, self.std, self.step = doc, report, std, step
        self.estimates, self.screen = estimates, max(screen, 1)
        self.promises = _broken_promises(report)
        self.evaluated = self.screened = 0
        self.checked: set[str] = set()
        self.frozen = _frozen(doc, report)
        self.base: Report | None = None
        if self.frozen is not None:
            base_tree = _build(self.frozen)
            self.base = _score(base_tree, std) if base_tree is not None else None

    def exact(self, c: Candidate) -> tuple[float, _Chosen] | None:
        """The exact gain of ``c`` on the current tree (``None`` when it cannot be applied or
        breaks a promise)."""
        new_doc = apply_ops(copy.deepcopy(self.doc), c.ops)
        t = _build(new_doc)
        r = _score(t, self.std) if t is not None else None
        self.evaluated += 1
        if t is None or r is None or _broken_promises(r) - self.promises:
            return None
        return r.score - self.report.score, (c, new_doc, t, r)

    def seen(self, c: Candidate) -> bool:
        """Whether another candidate of this step built the same tree (checked already)."""
        same = json.dumps(apply_ops(copy.deepcopy(self.doc), c.ops), sort_keys=True, default=str)
        if same in self.checked:
            return True
        self.checked.add(same)
        return False

    def estimate(self, c: Candidate) -> float | None:
        """The gain of ``c`` on the frozen-wait copy of the current tree (``None``: reject)."""
        assert self.frozen is not None and self.base is not None
        t = _build(apply_ops(copy.deepcopy(self.frozen), c.ops))
        r = _score(t, self.std) if t is not None else None
        self.screened += 1
        if r is None or _broken_promises(r) - self.promises:
            return None
        return r.score - self.base.score

    def choose(self, cands: list[Candidate]) -> _Chosen | None:
        if self.frozen is None or self.base is None:
            return self._every(cands)
        return self._lazy(cands)

    def _every(self, cands: list[Candidate]) -> _Chosen | None:
        """Trees without dynamics: every candidate scored exactly, the best gain kept."""
        best: tuple[float, int, _Chosen] | None = None
        gains: dict[int, float] = {}
        cands = list(cands)
        for i, c in enumerate(cands):
            got = self.exact(c)
            if got is None:
                continue
            gains[i] = got[0]
            if got[0] > MIN_GAIN and (best is None or got[0] > best[0]):
                best = (got[0], i, got[1])
        for c in _gaining_groups(cands, gains):
            cands.append(c)
            got = self.exact(c)
            if got is not None and got[0] > MIN_GAIN and (best is None or got[0] > best[0]):
                best = (got[0], len(cands) - 1, got[1])
        return None if best is None else best[2]

    def _lazy(self, cands: list[Candidate]) -> _Chosen | None:
        """Trees with dynamics: candidates ranked by their screened gain (stale ones re-screened
        when they reach the top), checked exactly in that order; the best exact gain is taken
        once it is at least the next candidate's fresh estimate, or after ``screen`` checks."""
        heap: list[tuple[float, int, bool]] = []
        for i, c in enumerate(cands):
            if _needs_exact(c):
                heapq.heappush(heap, (-math.inf, i, True))
                continue
            kept = self.estimates.get(repr(c.ops))
            if kept is None:
                first = self.estimate(c)
                if first is None:
                    continue
                kept = self.estimates[repr(c.ops)] = (first, self.step)
            heapq.heappush(heap, (-kept[0], i, kept[1] == self.step))
        cands = list(cands)
        gains = {i: -e for e, i, _ in heap if math.isfinite(e)}
        for c in _gaining_groups(cands, gains):
            cands.append(c)
            kept = self.estimates.get(repr(c.ops))
            if kept is None:
                first = self.estimate(c)
                if first is None:
                    continue
                kept = self.estimates[repr(c.ops)] = (first, self.step)
            heapq.heappush(heap, (-kept[0], len(cands) - 1, kept[1] == self.step))
        best: tuple[float, int, _Chosen] | None = None
        checked = checked_low = 0
        while heap:
            est, i, fresh = heap[0]
            c = cands[i]
            if not fresh:  # screened at an earlier step: screen it again on this tree
                heapq.heappop(heap)
                again = self.estimate(c)
                if again is not None:
                    self.estimates[repr(c.ops)] = (again, self.step)
                    heapq.heappush(heap, (-again, i, True))
                continue
            if best is not None and (best[0] >= -est or checked >= self.screen):
                break  # the best exact gain beats what the screen promises of the rest
            if -est <= 0:  # the screen says nothing left gains: one last look, then stop
                if best is not None or checked_low >= 1:
                    break
                checked_low += 1
            heapq.heappop(heap)
            if self.seen(c):
                continue
            got = self.exact(c)
            checked += 1
            if got is not None and got[0] > MIN_GAIN and (best is None or got[0] > best[0]):
                best = (got[0], i, got[1])
        return None if best is None else best[2]


def improve(
    tree: PhoneTree,
    standard: Standard | None = None,
    *,
    max_edits: int = 10,
    keep: Sequence[str] = (),
    allow_staffing: bool = False,
    screen: int = 1,
) -> Plan:
    """What to change first, and what each change gains: a plan of edits, each scored exactly.

    Parameters
    ----------
    tree : PhoneTree
    standard : Standard, optional
    max_edits : int, default 10
    keep : sequence of str
        What must not change: ``NODE``, ``NODE.prompt`` (its words) or ``NODE.KEY`` (one option).
    allow_staffing : bool, default False
        Also move agents between queues (same headcount; edit ``E14``).
    screen : int, default 1
        For trees with queue dynamics: at most how many candidates, best screened first, the
        exact engine checks at one step once one of them gains (see the module documentation):
        1 checks the best-screened candidate and takes it if it gains; more lets the exact
        engine choose between the best few, at one exact analysis each.

    Returns
    -------
    Plan

    Examples
    --------
    >>> import ivrscore as ivr
    >>> plan = ivr.improve(ivr.load(ivr.examples.path("energy_supplier")), max_edits=3)
    >>> len(plan.steps), all(s.gain > 0 for s in plan.steps), plan.score > plan.before.score
    (3, True, True)
    """
    if max_edits < 0:
        raise IvrscoreError(f"max_edits must be 0 or more, not {max_edits}")
    std = standard or Standard()
    kept = parse_keep(tree, keep)
    doc = tree.to_dict()
    report = _score(tree, std)
    if report is None:
        raise IvrscoreError(f"{tree.name}: the tree cannot be scored, so it cannot be improved")
    first = report
    steps: list[Step] = []
    evaluated = screened = 0
    estimates: dict[str, tuple[float, int]] = {}
    stopped = f"reached max_edits ({max_edits})"
    current = tree
    for number in range(1, max_edits + 1):
        state = State(current, doc, std, report, allow_staffing)
        cands = candidates(state, kept)
        search = _Search(doc, report, std, number, estimates, screen)
        best = search.choose(cands)
        evaluated += search.evaluated
        screened += search.screened
        if best is None:
            stopped = "no edit in the catalogue raises the score any more"
            break
        c, doc, current, after = best
        before_f, after_f = set(_finding_keys(report)), set(_finding_keys(after))
        steps.append(
            Step(
                number=number,
                edit=c.edit,
                slug=EDITS[c.edit].slug,
                node=c.node,
                places=c.places or (c.node,),
                text=c.text,
                answers=c.answers,
                fixed=tuple(k for k in _finding_keys(report) if k not in after_f),
                introduced=tuple(k for k in _finding_keys(after) if k not in before_f),
                before=report.score,
                after=after.score,
                cost_before_s=report.cost_s,
                cost_after_s=after.cost_s,
                criteria={
                    k.name: (k.points_lost, after.criterion(k.name).points_lost)
                    for k in report.criteria
                },
                metrics={
                    m: (
                        report.metrics.get(m, report.outcomes.get(m, math.nan)),
                        after.metrics.get(m, after.outcomes.get(m, math.nan)),
                    )
                    for m in METRICS
                },
                review=c.review,
                ops=c.ops,
            )
        )
        report = after
    return Plan(
        tree=tree,
        standard=std,
        steps=tuple(steps),
        before=first,
        after=report,
        stopped=stopped if steps or max_edits else "max_edits is 0",
        evaluated=evaluated,
        screened=screened,
    )
