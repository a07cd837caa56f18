"""Callers follow promises: what options say, which option a caller picks, callers who press 0
anyway, and the rule that finds promises a path does not keep (IVR506)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import ivrscore as ivr
from ivrscore.engine.ledger import Harms
from ivrscore.promises import chosen_option, option_promises, stem, task_words, words_of

from .conftest import EXAMPLES
from .strategies import documents

PROMISE = """
name: promise
entry: menu
tasks:
  - {name: report_fault, share: 0.5}
  - {name: broadband, share: 0.5}
callers: {choice_error: 0, barge_in: 0, response_s: 1, wants_human: 0, patience: {distribution: none}}
nodes:
  menu:
    type: menu
    duration_s: 10
    options:
      "1": {say: "For faults or broadband, press 1.", next: faults_q}
      "2": {say: "For anything else, press 2.", next: general_q}
    on_failure: general_q
  faults_q: {type: queue, wait: {mean_s: 60}, next: faults}
  faults: {type: agent, handles: [report_fault], transfer_to: general_q}
  general_q: {type: queue, wait: {mean_s: 120}, next: general}
  general: {type: agent, handles: [report_fault, broadband]}
"""


def test_words_and_stems() -> None:
    assert stem("faults") == stem("fault") and stem("moving") == stem("move")
    assert stem("billing") == stem("bills") == "bill"
    assert words_of("Press 1 for billing and payments.") == ("bill", "payment")
    assert task_words(ivr.Task(name="lost_phone", share=1)) == ("lost", "phon")


def test_options_promise_by_words_for_and_catch_all() -> None:
    tree = ivr.loads(PROMISE)
    p = option_promises(tree, "menu")
    assert p["1"].tasks == {"report_fault", "broadband"} and p["1"].source == "words"
    assert p["2"].source == "catch_all" and p["2"].tasks == set()  # option 1 promises both
    explicit = ivr.loads(PROMISE.replace("next: faults_q}", "next: faults_q, for: [report_fault]}"))
    p = option_promises(explicit, "menu")
    assert p["1"].tasks == {"report_fault"} and p["1"].source == "for"
    assert p["2"].tasks == {"broadband"}
    assert chosen_option(explicit, "menu", "broadband") == "2"


def test_for_names_tasks() -> None:
    with pytest.raises(ivr.TreeFileError, match="is for 'broadbnd', which is not a task"):
        ivr.loads(PROMISE.replace("next: faults_q}", "next: faults_q, for: [broadbnd]}"))


def test_callers_pick_by_the_promise_and_the_structure_decides() -> None:
    """Broadband callers press 1 ("faults or broadband") though only key 2 serves them: the
    fault team transfers them, and they wait twice (hand-computed: 10 + 1 + 60 + 120 s)."""
    tree = ivr.loads(PROMISE)
    r = ivr.analyze(tree)
    bb = r.tasks["broadband"].metrics
    assert bb["mean_transfers"] == pytest.approx(1.0)
    assert bb["mean_time_to_resolution_s"] == pytest.approx(10 + 1 + 60 + 120)
    assert r.tasks["report_fault"].metrics["mean_time_to_resolution_s"] == pytest.approx(71)
    found = ivr.lint(tree, select=["IVR506"])
    assert [f.node for f in found] == ["menu"] and "broadband" in found[0].message
    kept = ivr.loads(
        PROMISE.replace(
            "handles: [report_fault], transfer_to",
            "handles: [report_fault, broadband], transfer_to",
        )
    )
    assert not ivr.lint(kept, select=["IVR506"])
    assert ivr.score(kept).score > ivr.score(tree).score


TRY_ZERO = """
name: no zero-out
entry: menu
tasks: [{name: pay, share: 1}]
callers: {choice_error: 0, barge_in: 0, response_s: 1, wants_human: 1, patience: {distribution: none}}
nodes:
  menu:
    type: menu
    duration_s: 10
    retries: 2
    timeout_s: 5
    options: {"1": {say: "To pay, press 1.", next: pay}}
    on_failure: desk_q
  pay: {type: self_service, handles: [pay], duration_s: 30}
  desk_q: {type: queue, wait: {mean_s: 60}, next: desk}
  desk: {type: agent, handles: [pay]}
"""


def test_callers_who_want_a_person_press_0_anyway() -> None:
    """Three attempts of 10 s of menu and a 1 s press of 0, then on_failure to a person."""
    r = ivr.analyze(ivr.loads(TRY_ZERO))
    assert r.outcomes["resolved_by_agent"] == pytest.approx(1.0)
    assert r.metrics["mean_keypresses"] == pytest.approx(3.0)
    assert r.metrics["mean_time_to_human_s"] == pytest.approx(3 * 11 + 60)
    with_zero = ivr.loads(
        TRY_ZERO.replace(
            'options: {"1": {say: "To pay, press 1.", next: pay}}',
            'options: {"1": {say: "To pay, press 1.", next: pay}, "0": {say: "For a person, press 0.", next: desk_q}}',
        )
    )
    r0 = ivr.analyze(with_zero)
    assert r0.metrics["mean_keypresses"] == pytest.approx(1.0)
    assert r0.metrics["mean_time_to_human_s"] == pytest.approx(
        with_zero.node("menu").duration_s + 1 + 60
    )  # type: ignore[operator]
    # no person anywhere: every caller who wants one tries 0, fails, and is cut off
    alone = ivr.loads(
        TRY_ZERO.replace("on_failure: desk_q", "on_failure: bye").replace(
            "  desk_q:", "  bye: {type: hangup}\n  desk_q:"
        )
    )
    assert ivr.analyze(alone).outcomes["disconnected"] == pytest.approx(1.0)
    sim = ivr.simulate(ivr.loads(TRY_ZERO), calls=2000, rng=1)
    assert sim.metrics["mean_keypresses"] == pytest.approx(3.0)


def _close(a: Harms, b: Harms, n_se: float = 4.0, floor: float = 1e-9) -> list[str]:
    """Amounts that differ by more than ``n_se`` standard errors of the sampled ones (plus
    ``floor``: a harm so rare that no sampled caller met it has a standard error of 0)."""
    bad = []
    for k, v in a.amounts().items():
        if k == "failed":
            continue
        se = b.stderr[k]
        if not math.isclose(v, b.amounts()[k], abs_tol=n_se * se + floor):
            bad.append(f"{k}: {v} vs {b.amounts()[k]} ± {se}")
    return bad


@pytest.mark.parametrize("name", ["acme_telecom", "acme_redesign", "gp_surgery", "energy_supplier"])
def test_both_engines_describe_the_same_harms(name: str) -> None:
    tree = ivr.load(EXAMPLES / f"{name}.yaml")
    exact, sampled = ivr.analyze(tree).harms, ivr.simulate(tree, calls=80_000, rng=3).harms
    assert exact is not None and sampled is not None
    assert _close(exact, sampled) == []
    by = {(c.outcome, c.kind, c.node, c.closed): c.share for c in exact.causes}
    for c in sampled.causes[:5]:
        assert c.share == pytest.approx(
            by[c.outcome, c.kind, c.node, c.closed], abs=5 * math.sqrt(c.share / 80_000) + 1e-4
        )


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(doc=documents(exponential_only=True, max_nodes=9))
def test_both_engines_describe_the_same_harms_on_generated_trees(doc: dict[str, Any]) -> None:
    tree = ivr.PhoneTree.model_validate(doc)
    try:
        exact = ivr.analyze(tree).harms
    except ivr.IvrscoreError:
        return
    sampled = ivr.simulate(tree, calls=20_000, rng=1).harms
    assert exact is not None and sampled is not None
    assert _close(exact, sampled, n_se=5.0, floor=1e-3) == []  # 1 ms, or 0.1% of calls
