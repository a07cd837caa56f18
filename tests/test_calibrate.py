"""Calibration: estimators against closed forms and scipy, predictions against hand-computed
chains and Erlang A, and the round trip - logs of a tree's own callers, written in two formats,
calibrate back to the tree's parameters within three standard errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import ivrscore as ivr
from ivrscore.calibrate import LogFileError, synthetic
from ivrscore.calibrate.estimate import fit_durations, fit_survival, mixture_shares, proportion
from ivrscore.calibrate.predict import choice_table, erlang_a_hour, node_expectations
from ivrscore.queueing import erlang_a

from .conftest import make_tree

# -- estimators ---------------------------------------------------------------------------------


def test_exponential_mle_with_censoring_is_exposure_over_events() -> None:
    fit = fit_survival([10, 20, 30, 40], [True, False, True, True])
    assert fit.exponential.value == pytest.approx(100 / 3)
    assert fit.exponential.se == pytest.approx(100 / 3 / math.sqrt(3))
    assert (fit.n, fit.events) == (4, 3)


def test_kaplan_meier_by_hand() -> None:
    # at 1: 5 at risk, 1 event -> 0.8; at 2: 4 at risk, 1 event (one censored) -> 0.6;
    # at 3: 2 at risk, 1 event -> 0.3; the last is censored at 4
    fit = fit_survival([1, 2, 2, 3, 4], [True, True, False, True, False])
    assert fit.survival([0.5, 1, 2, 3, 5]).tolist() == pytest.approx([1.0, 0.8, 0.6, 0.3, 0.3])
    assert fit.km_median_s == 3.0


def test_life_table_by_hand() -> None:
    # bin [0, 5): 6 at risk, 2 events, 1 censored -> 2 / 5.5; bin [5, 10): 3 at risk, 1 event
    t = [1, 2, 4, 6, 7, 12]
    e = [True, True, False, True, False, False]
    h = fit_survival(t, e, bin_s=5, horizon_s=10).hazard
    assert h["at_risk"].tolist() == [5.5, 2.5]
    assert h["hazard"].tolist() == pytest.approx([2 / 5.5 / 5, 1 / 2.5 / 5])


def test_censored_lognormal_matches_scipy() -> None:
    rng = np.random.default_rng(11)
    patience = rng.lognormal(math.log(90), 0.8, 3000)
    wait = rng.exponential(120, 3000)
    t, e = np.minimum(patience, wait), patience < wait
    ours = fit_survival(t, e).lognormal
    assert ours is not None
    data = stats.CensoredData(uncensored=t[e], right=t[~e])
    sigma, _, median = stats.lognorm.fit(data, floc=0)
    assert ours.median_s == pytest.approx(median, rel=1e-3)
    assert ours.sigma == pytest.approx(sigma, rel=1e-3)
    assert abs(ours.median_s - 90) < 3 * ours.se_median_s
    assert abs(ours.sigma - 0.8) < 3 * ours.se_sigma


def test_lognormal_standard_errors_without_censoring_are_the_normal_ones() -> None:
    rng = np.random.default_rng(3)
    x = rng.lognormal(4.0, 0.5, 2000)
    fit = fit_survival(x, np.ones(x.size, dtype=bool)).lognormal
    assert fit is not None
    s = float(np.log(x).std())  # the MLE of sigma
    assert fit.sigma == pytest.approx(s, rel=1e-4)
    assert fit.se_median_s == pytest.approx(fit.median_s * s / math.sqrt(x.size), rel=1e-3)
    assert fit.se_sigma == pytest.approx(s / math.sqrt(2 * x.size), rel=1e-3)


def test_aic_tells_a_lognormal_from_an_exponential() -> None:
    rng = np.random.default_rng(5)
    expo = rng.exponential(100, 4000)
    logn = rng.lognormal(4.0, 1.2, 4000)
    ones = np.ones(4000, dtype=bool)
    assert fit_survival(expo, ones).best() == "exponential"
    assert fit_survival(logn, ones).best() == "lognormal"


def test_durations_and_proportions() -> None:
    d = fit_durations([60, 120, 180, 240, -1, float("nan")])
    assert (d.n, d.mean.value, d.median_s) == (4, 150.0, 150.0)
    assert d.mean.se == pytest.approx(np.std([60, 120, 180, 240], ddof=1) / 2)
    p = proportion(30, 120)
    assert (p.value, p.se) == (0.25, pytest.approx(math.sqrt(0.25 * 0.75 / 120)))


def test_mixture_shares_separable_components_give_counts_and_binomial_errors() -> None:
    pi, se, _ = mixture_shares([[1.0, 0.0], [0.0, 1.0]], [300, 700])
    assert pi.tolist() == pytest.approx([0.3, 0.7])
    assert se.tolist() == pytest.approx([math.sqrt(0.21 / 1000)] * 2, rel=1e-6)


def test_mixture_shares_indistinguishable_components_have_no_standard_error() -> None:
    _, se, _ = mixture_shares([[0.5, 0.5], [0.5, 0.5]], [10, 20])
    assert np.isnan(se).all()


def test_mixture_shares_recover_a_known_mixture() -> None:
    rng = np.random.default_rng(0)
    # three tasks pressing one of three keys with overlapping probabilities
    p_key = np.array([[0.8, 0.1, 0.1], [0.15, 0.7, 0.15], [0.1, 0.2, 0.7]])
    truth = np.array([0.5, 0.3, 0.2])
    task = rng.choice(3, size=20_000, p=truth)
    key = np.array([rng.choice(3, p=p_key[t]) for t in task])
    counts = np.bincount(key, minlength=3)
    pi, se, _ = mixture_shares(p_key.T, counts)
    assert np.all(np.abs(pi - truth) < 3 * se)


# -- predictions ----------------------------------------------------------------------------------

LINE = """
name: line
entry: hello
tasks: [{name: a, share: 0.7}, {name: b, share: 0.3}]
callers: {patience: {mean_s: 50}, choice_error: 0.2, barge_in: 0, response_s: 0, wants_human: 0}
nodes:
  hello: {type: message, duration_s: 10, next: menu}
  menu:
    type: menu
    duration_s: 6
    options: {"1": {next: qa}, "2": {next: qb}}
    on_failure: qa
  qa: {type: queue, wait: {mean_s: 40}, next: ag_a}
  qb: {type: queue, wait: {mean_s: 40}, next: ag_b}
  ag_a: {type: agent, handles: [a]}
  ag_b: {type: agent, handles: [b]}
"""


def test_node_expectations_by_hand() -> None:
    e = node_expectations(make_tree(LINE))
    through_hello = math.exp(-10 / 50)
    through_menu = through_hello * math.exp(-6 / 50)
    assert e.visits["hello"] == 1.0
    assert e.visits["menu"] == pytest.approx(through_hello)
    assert e.abandoned["hello"] == pytest.approx(1 - through_hello)
    assert e.abandoned["menu"] == pytest.approx(through_hello - through_menu)
    # the key: the right one with 1 - 0.2, the other with 0.2
    assert e.keys["menu"]["1"] == pytest.approx(0.7 * 0.8 + 0.3 * 0.2)
    # an exponential wait of 40 s against patience 50 s: answered with 50 / 90
    served = through_menu * 50 / 90
    assert e.visits["ag_a"] + e.visits["ag_b"] == pytest.approx(served)
    assert e.visits["ag_a"] == pytest.approx(served * (0.7 * 0.8 + 0.3 * 0.2))
    assert e.p_abandoned == pytest.approx(1 - served)
    assert e.p_abandoned == pytest.approx(ivr.analyze(make_tree(LINE)).outcomes["abandoned"])


def test_choice_table_by_hand() -> None:
    table = choice_table(make_tree(LINE))
    assert table[(0, 0, False)][("menu", "1")] == pytest.approx(0.8)
    assert table[(1, 0, False)][("menu", "1")] == pytest.approx(0.2)


def test_erlang_a_hour_interpolates_fractional_agents() -> None:
    whole = erlang_a(5, calls_per_hour=100, handle_time_s=180, patience_s=120)
    assert erlang_a_hour(5, 100, 180, 120)[0] == whole.p_abandon
    assert erlang_a_hour(5, 100, 180, 120)[1] == whole.mean_wait_served_s
    one = erlang_a(1, calls_per_hour=10, handle_time_s=180, patience_s=120).p_abandon
    assert erlang_a_hour(0.25, 10, 180, 120)[0] == pytest.approx(0.75 + 0.25 * one)
    assert erlang_a_hour(0, 10, 180, 120)[0] == 1.0


# -- the round trip -------------------------------------------------------------------------------

ROUND_TRIP = """
name: Round trip
entry: welcome
tasks:
  - {name: pay, share: 0.5}
  - {name: fault, share: 0.3}
  - {name: move, share: 0.2}
callers:
  name: caller
  patience: {mean_s: 150}
  choice_error: 0.1
  input_error: 0.08
  wants_human: 0.0
arrivals: office_hours
nodes:
  welcome:
    type: message
    prompt: Welcome to the round trip line.
    next: menu
    meta: {source: {id: 7d0c0000-0000-4000-8000-000000000001}}
  menu:
    type: menu
    options:
      "1": {say: "To pay a bill, press 1.", next: account}
      "2": {say: "To report a fault, press 2.", next: faults}
      "3": {say: "To move home, press 3.", next: moves}
    on_failure: faults
    meta: {source: {id: 7d0c0000-0000-4000-8000-000000000002}}
  account:
    type: input
    collects: account_number
    digits: 8
    next: pay
    on_failure: faults
    meta: {source: {id: 7d0c0000-0000-4000-8000-000000000003}}
  pay:
    type: self_service
    handles: [pay]
    duration_s: 40
    next: faults
    meta: {source: {id: 7d0c0000-0000-4000-8000-000000000004}}
  faults:
    type: queue
    wait: {mean_s: 90}
    next: faults_agent
    meta: {source: {id: 7d0c0000-0000-4000-8000-000000000005}}
  faults_agent: {type: agent, handles: [fault, pay], transfer_to: moves}
  moves:
    type: queue
    wait: {mean_s: 60}
    next: moves_agent
    meta: {source: {id: 7d0c0000-0000-4000-8000-000000000006}}
  moves_agent: {type: agent, handles: [move, fault, pay]}
"""


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tree = ivr.loads(ROUND_TRIP)
    calls = synthetic.calls(
        tree, 12_000, rng=3, weeks=2, handle_time_s=200, agents=["ann", "bob", "cy"]
    )
    folder = tmp_path_factory.mktemp("round_trip")
    synthetic.write_generic(calls, folder / "events.csv")
    synthetic.write_connect(calls, tree, folder / "records.jsonl", folder / "flow.jsonl")
    return {
        "tree": tree,
        "generic": ivr.calibrate(tree, folder / "events.csv"),
        "connect": ivr.calibrate(tree, [folder / "records.jsonl", folder / "flow.jsonl"]),
    }


@pytest.mark.parametrize("fmt", ["generic", "connect"])
def test_round_trip_gives_the_parameters_back(round_trip: dict[str, object], fmt: str) -> None:
    cal = round_trip[fmt]
    assert isinstance(cal, ivr.Calibration)
    assert cal.read.format == fmt
    assert cal.calls == 12_000
    assert cal.task_method == "inferred from keys and resolutions"
    for name, truth in {"pay": 0.5, "fault": 0.3, "move": 0.2}.items():
        e = cal.tasks[name]
        assert abs(e.value - truth) < 3 * e.se, (name, e)
    p = cal.patience.exponential
    assert abs(p.value - 150) < 3 * p.se
    f = cal.inputs["account"].rate
    assert abs(f.value - 0.08) < 3 * f.se
    for queue, mean in (("faults", 90), ("moves", 60)):
        w = cal.queues[queue].offered_wait
        assert abs(w.value - mean) < 3 * w.se, (queue, w)
    h = cal.handle_all.mean
    assert abs(h.value - 200) < 3 * h.se
    assert cal.agents_named == 3
    assert not cal.off_tree and not cal.unmapped


def test_round_trip_arrivals_follow_the_tree(round_trip: dict[str, object]) -> None:
    cal = round_trip["generic"]
    tree = round_trip["tree"]
    assert isinstance(cal, ivr.Calibration) and isinstance(tree, ivr.PhoneTree)
    observed = cal.arrivals * cal.occurrences
    expected = tree.arrival_weights().reshape(-1) * cal.calls
    keep = expected >= 5
    chi2 = float((((observed - expected) ** 2) / expected)[keep].sum())
    assert stats.chi2.sf(chi2, int(keep.sum()) - 1) > 0.001
    assert cal.volume.value == pytest.approx(6000, rel=0.01)  # 12,000 calls in two weeks


def test_round_trip_observed_against_predicted_agree(round_trip: dict[str, object]) -> None:
    cal = round_trip["generic"]
    assert isinstance(cal, ivr.Calibration)
    for n in cal.nodes:
        assert abs(n.visits_z) < 4, n
        assert not abs(n.abandoned_z) >= 4, n
    for key, (count, share, predicted, _) in cal.menus["menu"].keys.items():
        if count:
            assert abs(share.z(predicted)) < 4, (key, share, predicted)
    given = cal.predicted_outcomes["given"]
    for outcome, e in cal.outcomes.items():
        assert abs(e.value - given[outcome]) < 4 * e.se, outcome


def test_round_trip_two_formats_read_the_same_calls(round_trip: dict[str, object]) -> None:
    a, b = round_trip["generic"], round_trip["connect"]
    assert isinstance(a, ivr.Calibration) and isinstance(b, ivr.Calibration)
    assert a.patience.events == b.patience.events
    assert a.patience.exponential.value == pytest.approx(b.patience.exponential.value, rel=1e-3)
    assert {k: v.value for k, v in a.outcomes.items()} == {
        k: v.value for k, v in b.outcomes.items()
    }


def test_calibrated_tree_holds_the_fits(round_trip: dict[str, object], tmp_path: Path) -> None:
    cal = round_trip["generic"]
    assert isinstance(cal, ivr.Calibration)
    cal.dump(tmp_path / "calibrated.yaml")
    tree = ivr.load(tmp_path / "calibrated.yaml")
    persona = tree.personas[0]
    assert persona.patience.mean == pytest.approx(cal.patience.exponential.value, rel=1e-3)
    assert persona.input_error == pytest.approx(cal.inputs["account"].rate.value, rel=1e-3)
    assert dict(zip(tree.task_names, tree.task_shares(), strict=True)) == pytest.approx(
        {k: e.value for k, e in cal.tasks.items()}, abs=1e-5
    )
    wait = tree.node("faults").wait  # type: ignore[union-attr]
    assert wait.mean_s == pytest.approx(cal.queues["faults"].offered_wait.value, rel=1e-3)
    meta = tree.meta["calibrated"]
    assert meta["calls_used"] == 12_000
    assert meta["source"]["format"] == "generic"
    assert meta["standard_errors"]["patience"]["mean_s"] == pytest.approx(
        cal.patience.exponential.se, rel=1e-3
    )
    assert meta["volume"]["calls_per_week"] == pytest.approx(cal.volume.value, rel=1e-3)
    assert len(tree.arrival_weights().reshape(-1)) == 168  # two whole weeks: the table is fitted
    ivr.analyze(tree)  # the calibrated tree runs the exact analysis
    assert isinstance(ivr.score(tree).score, float)


def test_report_formats(round_trip: dict[str, object]) -> None:
    cal = round_trip["generic"]
    assert isinstance(cal, ivr.Calibration)
    text = cal.summary()
    assert "patience over the whole call" in text and "menu menu" in text
    data = json.loads(cal.to_json())
    assert data["calls"] == 12_000
    assert len(data["hours"]) == 168
    assert {n["node"] for n in data["nodes"]} == set(cal.tree.nodes)
    page = cal.to_html()
    assert page.startswith("<!DOCTYPE html>") and page.count("<img") >= 2
    assert "<table>" in cal._repr_html_()


def test_since_and_until_select_calls(round_trip: dict[str, object], tmp_path: Path) -> None:
    tree = round_trip["tree"]
    assert isinstance(tree, ivr.PhoneTree)
    calls = synthetic.calls(tree, 600, rng=9, weeks=2)
    cal = ivr.calibrate(tree, calls, since="2024-01-08T00:00:00")
    assert cal.calls + cal.outside == 600
    assert 200 < cal.calls < 400
    assert all(e.events[0].t for e in calls)
    with pytest.raises(LogFileError, match="outside the period"):
        ivr.calibrate(tree, calls, since="2030-01-01")


def test_calibrate_is_the_function_and_carries_the_modules() -> None:
    import ivrscore.calibrate.plots as plots_module
    from ivrscore.calibrate import plots

    assert callable(ivr.calibrate)
    assert ivr.calibrate.plots is plots is plots_module  # type: ignore[attr-defined]


@pytest.mark.parametrize("fmt", ["connect", "twilio"])
def test_junk_at_the_end_of_a_json_log_is_a_bad_row_not_a_wait(tmp_path: Path, fmt: str) -> None:
    """A last line of junk with no line end used to be read again forever."""
    from ivrscore.calibrate._events import ReadReport
    from ivrscore.calibrate.readers._json import json_objects

    log = tmp_path / "flow.json"
    log.write_text('{"ContactId": "a"}\nnot json at all, no newline')
    report = ReadReport()
    objects = list(json_objects(log, report))
    assert [obj for _, obj in objects] == [{"ContactId": "a"}]
    assert report.skipped == 1
    with pytest.raises(ivr.IvrscoreError):
        ivr.calibrate(ivr.load(ivr.examples.path("acme_telecom")), [log], format=fmt)
