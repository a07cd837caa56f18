"""Where calls end and what they go through: the amounts the score charges, with their causes.

Both engines describe a tree's calls by the same :class:`Harms`: per call, the seconds of
prompts, menus and keying and the seconds on hold of the calls that do not fail, their
transfers and repeated questions, the callers who wanted a person and never met one, and how
calls are lost (cut off, given up, deferred), each share split by its cause - the node or edge
of the compiled chain that absorbs it ("closed dead end at billing_queue", "gave up waiting at
faults_queue"). :func:`ivrscore.analyze` computes them exactly from the chain's expected visits
(:func:`harms_from_flows`); :func:`ivrscore.simulate` counts them over its callers.

A call *fails* when it is abandoned or disconnected; it *succeeds* when it is resolved or
deferred (a callback or a voicemail). The score charges time, transfers and repeats to the
calls that succeed and a fixed cost to each failed call (see :mod:`ivrscore.score`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._compile import (
    ABANDONED,
    CALLBACK,
    DISCONNECTED,
    EV_CALLBACK,
    EV_CLOSED,
    EV_DEAD_END,
    EV_END,
    EV_FAILURE,
    EV_MISTAKE,
    EV_TRANSFER,
    EV_UNHELPED,
    EV_ZERO_REFUSED,
    OUTCOMES,
    R_AGENT,
    R_SELF,
    VOICEMAIL,
    Compiled,
)

__all__ = ["SUCCESS", "Cause", "Harms", "cause_kind", "harms_from_flows"]

SUCCESS = (R_SELF, R_AGENT, VOICEMAIL, CALLBACK)
"""Outcomes of calls that do not fail: resolved now, or deferred by a callback or voicemail."""

NO_PERSON = (R_SELF, VOICEMAIL, ABANDONED, DISCONNECTED)
"""Outcomes that leave a caller who wanted a person without one, unless they met one on the
way (a callback brings a person)."""

_GAVE_UP = {
    "queue": "gave_up_waiting",
    "menu": "gave_up_in_menus",
    "input": "gave_up_keying",
}

KINDS: dict[str, str] = {
    "closed_dead_end": "closed dead end at {node}",
    "hangup_on_error": "hung up on after failed attempts at {node}",
    "zero_refused": "pressed 0 for a person at {node}, which offers none, and was hung up on",
    "wrong_key_hangup": "a wrong key at {node} led to a hang-up",
    "transferred_to_hangup": "transferred by {node} to a hang-up",
    "sent_to_hangup": "sent from {node} to a hang-up",
    "could_not_help": "reached {node}, who could not help",
    "dead_end": "dead end at {node}",
    "gave_up_waiting": "gave up waiting at {node}",
    "gave_up_in_menus": "gave up in the menus at {node}",
    "gave_up_keying": "gave up keying in data at {node}",
    "gave_up_listening": "gave up listening at {node}",
    "callback_offer": "took the callback offer at {node}",
    "closed_callback": "booked a callback at {node}, closed",
    "callback": "booked a callback at {node}",
    "closed_voicemail": "left a voicemail at {node}, closed",
    "voicemail": "left a voicemail at {node}",
}
"""Every cause kind with its words (``{node}``: where)."""


@dataclass(frozen=True)
class Cause:
    """A share of calls that ends one way, for one reason, at one node.

    Attributes
    ----------
    outcome : str
        ``disconnected``, ``abandoned``, ``callback`` or ``voicemail``.
    kind : str
        What happened (a key of :data:`KINDS`): ``closed_dead_end``, ``hangup_on_error``,
        ``gave_up_waiting`` ...
    node : str
        Where: the node whose step absorbs these calls (the queue found closed, the menu whose
        attempts ran out, the queue where callers gave up).
    share : float
        Share of all calls.
    closed : bool
        Whether these callers had met a closed department on the way (out-of-hours calls).
    text : str
        The cause in words, set by the score (``"closed dead end at billing_queue"``).
    code : str or None
        The lint rule that reports this cause at this node, when one does.
    """

    outcome: str
    kind: str
    node: str
    share: float
    closed: bool = False
    text: str = ""
    code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "kind": self.kind,
            "node": self.node,
            "share": self.share,
            "closed": self.closed,
            "text": self.text,
            "code": self.code,
        }


@dataclass(frozen=True)
class Harms:
    """What a tree's calls go through, per call (expectations, or means over simulated calls).

    Attributes
    ----------
    ok_ivr_s : float
        Seconds of prompts, menus and keying per call, counted for the calls that succeed.
    ok_hold_s : float
        Seconds on hold in queues per call, counted for the calls that succeed.
    ok_transfers : float
        Transfers per call, counted for the calls that succeed.
    ok_repeated : float
        Share of calls that succeed and were asked again for something they had given.
    no_person : float
        Share of calls from callers who want a person that end without ever meeting one,
        however they end (a callback brings a person).
    cut_off, cut_off_closed : float
        Share of calls disconnected by the system, while everything was open / after meeting
        a closed department.
    abandoned, callback, voicemail : float
        Shares of calls ending so.
    causes : tuple of Cause
        The shares of lost and deferred calls split by cause, largest first.
    by_node : dict
        Per amount (``ok_ivr_s``, ``ok_hold_s``, ``ok_transfers``, ``ok_repeated``,
        ``no_person``), its part at each node (exact analysis only).
    stderr : dict
        Standard errors of the amounts (simulation only).
    covariance : tuple of (names, matrix) or None
        The covariance of the amounts' means over the simulated calls, for the standard error
        of anything computed from several of them (simulation only).
    """

    ok_ivr_s: float
    ok_hold_s: float
    ok_transfers: float
    ok_repeated: float
    no_person: float
    cut_off: float
    cut_off_closed: float
    abandoned: float
    callback: float
    voicemail: float
    causes: tuple[Cause, ...] = ()
    by_node: dict[str, dict[str, float]] = field(default_factory=dict)
    stderr: dict[str, float] = field(default_factory=dict)
    covariance: tuple[tuple[str, ...], NDArray[np.float64]] | None = None

    @classmethod
    def of_means(
        cls,
        means: dict[str, float],
        *,
        causes: tuple[Cause, ...],
        stderr: dict[str, float],
        covariance: tuple[tuple[str, ...], NDArray[np.float64]],
    ) -> Harms:
        """The harms of simulated calls: each amount's mean (keyed by field name), with their
        standard errors and covariance."""
        return cls(
            ok_ivr_s=means["ok_ivr_s"],
            ok_hold_s=means["ok_hold_s"],
            ok_transfers=means["ok_transfers"],
            ok_repeated=means["ok_repeated"],
            no_person=means["no_person"],
            cut_off=means["cut_off"],
            cut_off_closed=means["cut_off_closed"],
            abandoned=means["abandoned"],
            callback=means["callback"],
            voicemail=means["voicemail"],
            causes=causes,
            stderr=stderr,
            covariance=covariance,
        )

    def stderr_of(self, weights: dict[str, float]) -> float:
        """Standard error of ``sum(weight * amount)`` (0 for the exact analysis)."""
        if self.covariance is None:
            return 0.0
        names, cov = self.covariance
        w = np.array([weights.get(n, 0.0) for n in names])
        return float(np.sqrt(max(float(w @ cov @ w), 0.0)))

    @property
    def failed(self) -> float:
        """Share of calls abandoned or disconnected."""
        return self.abandoned + self.cut_off + self.cut_off_closed

    def amounts(self) -> dict[str, float]:
        """Every amount by name."""
        return {
            "ok_ivr_s": self.ok_ivr_s,
            "ok_hold_s": self.ok_hold_s,
            "ok_transfers": self.ok_transfers,
            "ok_repeated": self.ok_repeated,
            "no_person": self.no_person,
            "cut_off": self.cut_off,
            "cut_off_closed": self.cut_off_closed,
            "abandoned": self.abandoned,
            "callback": self.callback,
            "voicemail": self.voicemail,
            "failed": self.failed,
        }


def cause_kind(outcome: int, event: int, node_type: str, via_terminal: bool) -> str | None:
    """The kind of cause of a call that ends with ``outcome``.

    ``event`` is the event of the step that ends the call (``via_terminal=False``) or of the
    step that led into the ending node (a hang-up, callback or voicemail node;
    ``via_terminal=True``); ``node_type`` the type of that step's node. ``None`` for calls
    that are resolved.
    """
    if outcome == ABANDONED:
        return _GAVE_UP.get(node_type, "gave_up_listening")
    if outcome == DISCONNECTED:
        if event == EV_CLOSED:
            return "closed_dead_end"
        if event == EV_FAILURE:
            return "hangup_on_error"
        if event == EV_ZERO_REFUSED:
            return "zero_refused"
        if event == EV_MISTAKE:
            return "wrong_key_hangup"
        if event == EV_TRANSFER:
            return "transferred_to_hangup"
        if event == EV_UNHELPED:
            return "could_not_help"
        if event == EV_DEAD_END:
            return "dead_end"
        return "sent_to_hangup" if via_terminal else "dead_end"
    if outcome == CALLBACK:
        if event == EV_CALLBACK:
            return "callback_offer"
        return "closed_callback" if event == EV_CLOSED else "callback"
    if outcome == VOICEMAIL:
        return "closed_voicemail" if event == EV_CLOSED else "voicemail"
    return None


def alt_node_types(c: Compiled) -> NDArray[Any]:
    """The type of each alternative's node (``"(hang up)"`` is a ``hangup``)."""
    types = np.array(
        [c.tree.nodes[n].type if n in c.tree.nodes else "hangup" for n in c.node_ids], dtype=object
    )
    out: NDArray[Any] = types[c.state_node[c.alt_state]]
    return out


def harms_from_flows(
    c: Compiled,
    entered: NDArray[np.float64],
    survive: NDArray[np.float64],
    ok_time: NDArray[np.float64],
    ok_done: NDArray[np.float64],
) -> Harms:
    """The :class:`Harms` of a tree from the expected flows of every alternative of its chain.

    Parameters
    ----------
    c : Compiled
    entered : array
        Expected times each alternative is taken per call (summed over chains by weight).
    survive : array
        Chance each alternative is finished before the caller's patience runs out.
    ok_time : array
        ``E[duration of the alternative x 1{the call succeeds}]`` per call.
    ok_done : array
        ``E[1{the alternative is finished and the call succeeds}]`` per call.
    """
    completed = entered * survive
    abandoned = entered - completed
    types = alt_node_types(c)
    is_queue = types == "queue"
    runs = c.alt_patience
    node_of = c.state_node[c.alt_state]
    zo = np.array([ch.zero_outer for ch in c.chains], dtype=bool)[c.state_chain[c.alt_state]]
    ends = c.alt_next < 0
    outcome = c.alt_outcome
    closed_after = c.alt_closed_after()
    alone = zo & ~c.state_human[c.alt_state]  # wants a person, has not met one yet
    no_person_alt = np.where(ends & np.isin(outcome, NO_PERSON) & alone, completed, 0.0) + np.where(
        alone, abandoned, 0.0
    )
    amounts = {
        "ok_ivr_s": np.where(runs & ~is_queue, ok_time, 0.0),
        "ok_hold_s": np.where(runs & is_queue, ok_time, 0.0),
        "ok_transfers": ok_done * c.alt_transfers,
        "ok_repeated": np.where(c.alt_repeat, ok_done, 0.0),
        "no_person": no_person_alt,
    }
    disc = ends & (outcome == DISCONNECTED)
    by_node: dict[str, dict[str, float]] = {}
    for name, values in amounts.items():
        per = np.bincount(node_of, weights=values, minlength=len(c.node_ids))
        by_node[name] = {c.node_ids[i]: float(per[i]) for i in np.flatnonzero(per > 0)}
    causes = _causes_from_flows(c, completed, abandoned, types, closed_after)
    return Harms(
        ok_ivr_s=float(amounts["ok_ivr_s"].sum()),
        ok_hold_s=float(amounts["ok_hold_s"].sum()),
        ok_transfers=float(amounts["ok_transfers"].sum()),
        ok_repeated=float(amounts["ok_repeated"].sum()),
        no_person=float(no_person_alt.sum()),
        cut_off=float(completed[disc & ~closed_after].sum()),
        cut_off_closed=float(completed[disc & closed_after].sum()),
        abandoned=float(abandoned.sum()),
        callback=float(completed[ends & (outcome == CALLBACK)].sum()),
        voicemail=float(completed[ends & (outcome == VOICEMAIL)].sum()),
        causes=causes,
        by_node=by_node,
    )


def _causes_from_flows(
    c: Compiled,
    completed: NDArray[np.float64],
    abandoned: NDArray[np.float64],
    types: NDArray[Any],
    closed_after: NDArray[np.bool_],
) -> tuple[Cause, ...]:
    ends = c.alt_next < 0
    terminal_state = np.zeros(c.n_states, dtype=bool)
    terminal_state[c.alt_state[ends & (c.alt_event == EV_END)]] = True
    end_alt_of_state = np.full(c.n_states, -1, dtype=np.int64)
    end_alt_of_state[c.alt_state[ends]] = np.flatnonzero(ends)
    # 1. calls given up during an alternative: at its node
    ab = np.flatnonzero(abandoned > 0)
    # 2. calls that end at an ending node (hang-up, callback, voicemail): by the step that
    #    led them there
    has_next = c.alt_next >= 0
    into = np.flatnonzero(has_next & terminal_state[np.maximum(c.alt_next, 0)] & (completed > 0))
    inflow = np.zeros(c.n_states)
    np.add.at(inflow, c.alt_next[into], completed[into])
    into_end = end_alt_of_state[c.alt_next[into]]
    # 3. calls that end at a step of their own node (no on_failure, an agent who cannot help),
    #    and flow into an ending node that no step explains (the entry is an ending node)
    own = np.flatnonzero(ends & (completed > 0) & ~np.isin(c.alt_outcome, (R_SELF, R_AGENT)))
    own_share = completed[own] - np.where(
        terminal_state[c.alt_state[own]], inflow[c.alt_state[own]], 0.0
    )
    keep = own_share > 1e-15
    own, own_share = own[keep], own_share[keep]
    src = np.concatenate([ab, into, own])
    end = np.concatenate([ab, into_end, own])
    outcome = np.concatenate(
        [np.full(ab.size, ABANDONED), c.alt_outcome[into_end], c.alt_outcome[own]]
    ).astype(np.int64)
    via = np.concatenate(
        [np.zeros(ab.size, bool), np.ones(into.size, bool), terminal_state[c.alt_state[own]]]
    )
    share = np.concatenate([abandoned[ab], completed[into], own_share])
    closed = np.where(outcome == ABANDONED, c.state_closed[c.alt_state[src]], closed_after[end])
    return _group(c, types, src, outcome, via, closed, share)


def _group(
    c: Compiled,
    types: NDArray[Any],
    src: NDArray[np.int64],
    outcome: NDArray[np.int64],
    via: NDArray[np.bool_],
    closed: NDArray[np.bool_],
    share: NDArray[np.float64],
) -> tuple[Cause, ...]:
    """Add up cause rows by (outcome, kind, node, closed)."""
    if not src.size:
        return ()
    src_types = types[src].tolist()
    type_names = sorted(set(src_types))
    code_of = {t: i for i, t in enumerate(type_names)}
    type_code = np.array([code_of[t] for t in src_types], dtype=np.int64)
    node = c.state_node[c.alt_state[src]]
    # one integer per row, in mixed radix: sorting the integers sorts the rows by (outcome,
    # event, type, via, node, closed), as a lexicographic sort of the columns would
    fields = [
        np.asarray(f, dtype=np.int64)
        for f in (outcome, c.alt_event[src], type_code, via, node, closed)
    ]
    radix = [int(f.max()) + 1 for f in fields]  # every field is >= 0
    packed = np.zeros(src.size, dtype=np.int64)
    for values, r in zip(fields, radix, strict=True):
        packed = packed * r + values
    keys, inverse = np.unique(packed, return_inverse=True)
    sums = np.bincount(inverse.reshape(-1), weights=share, minlength=keys.size)
    rows = []
    for r in reversed(radix):  # unpack, last field first
        rows.append(keys % r)
        keys = keys // r
    acc: dict[tuple[str, str, str, bool], float] = defaultdict(float)
    unpacked = np.stack(rows[::-1], axis=1).tolist()
    for (o, ev, t, v, nd, cl), total in zip(unpacked, sums.tolist(), strict=True):
        kind = cause_kind(o, ev, type_names[t], bool(v))
        if kind is not None and total > 0:
            acc[OUTCOMES[o], kind, c.node_ids[nd], bool(cl)] += total
    causes = [
        Cause(outcome=o, kind=k, node=n, share=v, closed=cl) for (o, k, n, cl), v in acc.items()
    ]
    causes.sort(key=lambda x: (-x.share, x.outcome, x.kind, x.node))
    return tuple(causes)


def harms_from_calls(
    c: Compiled,
    records: dict[str, NDArray[Any]],
) -> Harms:
    """The :class:`Harms` of simulated calls, from their records (see
    :func:`ivrscore.simulate`): means over callers, with standard errors."""
    n = records["outcome"].size
    out = records["outcome"].astype(np.int64)
    ok = np.isin(out, SUCCESS)
    ooh = records["out_of_hours_disconnected"].astype(bool)
    human = ~np.isnan(records["time_to_human_s"])
    values = {
        "ok_ivr_s": np.where(ok, records["ivr_s"], 0.0),
        "ok_hold_s": np.where(ok, records["hold_s"], 0.0),
        "ok_transfers": np.where(ok, records["transfers"], 0),
        "ok_repeated": ok & records["repeated"].astype(bool),
        "no_person": np.isin(out, NO_PERSON) & records["wants_human"].astype(bool) & ~human,
        "cut_off": (out == DISCONNECTED) & ~ooh,
        "cut_off_closed": (out == DISCONNECTED) & ooh,
        "abandoned": out == ABANDONED,
        "callback": out == CALLBACK,
        "voicemail": out == VOICEMAIL,
    }
    means = {k: float(np.mean(v)) if n else 0.0 for k, v in values.items()}
    names = tuple(values)
    matrix = np.vstack([np.asarray(values[k], dtype=float) for k in names])
    cov = np.cov(matrix) / n if n > 1 else np.full((len(names), len(names)), np.nan)
    stderr = {
        k: float(np.std(np.asarray(v, dtype=float), ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
        for k, v in values.items()
    }
    types = alt_node_types(c)
    end_alt = records["end_alt"].astype(np.int64)
    prev_alt = records["prev_alt"].astype(np.int64)
    idx = np.flatnonzero(~np.isin(out, (R_SELF, R_AGENT)) & (end_alt >= 0))
    o, e, p = out[idx], end_alt[idx], prev_alt[idx]
    via = (c.alt_event[e] == EV_END) & (o != ABANDONED)
    src = np.where(via & (p >= 0), p, e)
    closed = np.where(o == ABANDONED, c.state_closed[c.alt_state[src]], c.alt_closed_after()[e])
    causes = _group(c, types, src, o, via, closed, np.full(idx.size, 1.0 / max(n, 1)))
    return Harms.of_means(
        means, causes=causes, stderr=stderr, covariance=(names, np.atleast_2d(cov))
    )
