"""Queue load follows the menu, hour by hour: volume, rosters, pools, ASA, staffing."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import ivrscore as ivr
from ivrscore.queueing import erlang_a

from .conftest import EXAMPLES

LINE = """
name: line
entry: menu
volume: {calls_per_week: 16800}        # 100 calls an hour with uniform arrivals
arrivals: uniform
tasks: [{name: pay, share: 0.7}, {name: help, share: 0.3}]
callers: {patience: {mean_s: 300}, wants_human: 0.2, choice_error: 0, barge_in: 0, response_s: 1}
nodes:
  menu:
    type: menu
    duration_s: 10
    retries: 1
    options:
      "1": {say: "To pay, press 1.", next: pay}
      "2": {say: "For help, press 2.", next: desk_q}
    on_failure: pay
  pay: {type: self_service, handles: [pay], duration_s: 30}
  desk_q: {type: queue, staffing: {agents: 4, handle_time_s: 240}, next: desk}
  desk: {type: agent, handles: [pay, help]}
"""


def tree(text: str = LINE, **changes: Any) -> ivr.PhoneTree:
    doc = ivr.loads(text).to_dict()
    doc.update(changes)
    return ivr.PhoneTree.model_validate(doc)


def test_a_file_without_volume_gives_the_same_numbers() -> None:
    """Volume changes nothing for queues that give their own calls_per_hour."""
    # the examples without a volume (the acme pair have one)
    for name in ("gp_surgery", "energy_supplier", "retail_bank"):
        doc = ivr.load(EXAMPLES / f"{name}.yaml").to_dict()
        assert "volume" not in doc
        before = ivr.analyze(ivr.PhoneTree.model_validate(doc), approximate=True)
        doc["volume"] = {"calls_per_week": 50_000}
        after = ivr.analyze(ivr.PhoneTree.model_validate(doc), approximate=True)
        assert after.outcomes == before.outcomes and after.metrics == before.metrics


def test_load_is_calls_times_the_chain_visits() -> None:
    """Callers who want a person press 0, which the menu does not offer (two attempts, then
    on_failure to self-service), so only help callers reach the desk: 100 x 0.3 x 0.8 = 24 an
    hour, plus the help callers who want a person... who also fail to self-service. With no
    patience loss before the queue (10 s menus, no abandonment in them) the chain's visits are
    exact: help callers who do not want a person."""
    t = tree(
        callers={
            "patience": {"distribution": "none"},
            "wants_human": 0.2,
            "choice_error": 0,
            "barge_in": 0,
            "response_s": 1,
        }
    )
    hours = ivr.analyze(t).hourly
    assert hours is not None and hours.names == ("desk_q",)
    assert hours.offered[0] == pytest.approx(np.full(168, 100 * 0.3 * 0.8))
    m = erlang_a(4, calls_per_hour=24, handle_time_s=240, patience_s=math.inf)
    assert hours.asa_s[0, 5] == pytest.approx(m.mean_wait_served_s)
    assert hours.occupancy[0, 5] == pytest.approx(m.occupancy)
    # a zero-out to the desk on the menu: every caller who wants a person goes there too
    doc = t.to_dict()
    doc["nodes"]["menu"]["options"]["0"] = {"say": "For a person, press 0.", "next": "desk_q"}
    more = ivr.analyze(ivr.PhoneTree.model_validate(doc)).hourly
    assert more is not None
    assert more.offered[0] == pytest.approx(np.full(168, 100 * (0.3 * 0.8 + 0.2)))
    m0 = erlang_a(4, calls_per_hour=44, handle_time_s=240, patience_s=math.inf)
    assert more.asa_s[0, 5] == pytest.approx(m0.mean_wait_served_s)
    assert more.asa_s[0, 5] > hours.asa_s[0, 5]


def test_hours_follow_arrivals_and_rosters() -> None:
    doc = tree().to_dict()
    doc["arrivals"] = "office_hours"
    doc["schedules"] = {"office": {"mon-fri": "08:00-18:00"}}
    doc["nodes"]["desk_q"]["staffing"] = {
        "agents": {"office": 6, "otherwise": 2},
        "handle_time_s": 240,
    }
    r = ivr.analyze(ivr.PhoneTree.model_validate(doc))
    hours = r.hourly
    assert hours is not None
    weights = ivr.PhoneTree.model_validate(doc).arrival_weights().reshape(-1)
    assert hours.calls == pytest.approx(16_800 * weights)
    assert hours.peak() == (10, "Mon 10:00")
    assert (
        hours.agents[0, 10] == 6 and hours.agents[0, 3] == 2 and hours.agents[0, 5 * 24 + 10] == 2
    )
    # each hour is its own Erlang A, at its own offered calls
    for h in (3, 10, 14, 130):
        m = erlang_a(
            int(hours.agents[0, h]),
            calls_per_hour=float(hours.offered[0, h]),
            handle_time_s=240,
            patience_s=300,
        )
        assert hours.p_abandon[0, h] == pytest.approx(m.p_abandon, rel=1e-6)
    # the calls given up waiting add up, hour by hour, to the chain's abandonment at the queue
    harms = r.harms
    assert harms is not None
    waiting = sum(c.share for c in harms.causes if c.kind == "gave_up_waiting")
    assert waiting * 16_800 == pytest.approx(
        float((hours.offered * hours.p_abandon).sum()), rel=1e-6
    )
    assert hours.iterations.max() <= 20


def test_hours_with_the_same_inputs_are_solved_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """acme's Wednesday and Thursday get the same calls, rosters and starting load: solved
    once, with every figure the same to the last bit as solving each hour."""
    import sys

    from ivrscore.engine import dynamics

    analyze_module = sys.modules["ivrscore.engine.analyze"]
    solves: list[int] = []
    real = analyze_module.solve_segment

    def counted(*args: Any, **kwargs: Any) -> Any:
        solves.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(dynamics, "solve_segment", counted)
    results = {}
    for reuse in (True, False):
        monkeypatch.setattr(dynamics, "REUSE_HOURS", reuse)
        solves.clear()
        # a copy each time: solved weeks are kept per tree
        r = ivr.analyze(ivr.load(EXAMPLES / "acme_telecom.yaml"))
        results[reuse] = (r, len(solves))
    (reused, n_reused), (each, n_each) = results[True], results[False]
    assert n_reused < n_each
    assert reused.outcomes == each.outcomes and reused.metrics == each.metrics
    a, b = reused.hourly, each.hourly
    assert a is not None and b is not None
    for name in ("offered", "asa_s", "p_abandon", "occupancy", "mean_wait_s", "iterations"):
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name
    wed, thu = 2 * 24 + 10, 3 * 24 + 10
    assert np.array_equal(a.offered[:, wed], a.offered[:, thu])


def test_pools_share_their_agents() -> None:
    doc = tree().to_dict()
    doc["pools"] = {"advisors": {"agents": 5, "handle_time_s": 240}}
    doc["nodes"]["desk_q"]["staffing"] = {"pool": "advisors"}
    doc["nodes"]["menu"]["options"]["3"] = {"say": "For sales, press 3.", "next": "sales_q"}
    doc["nodes"]["sales_q"] = {"type": "queue", "staffing": {"pool": "advisors"}, "next": "desk"}
    doc["tasks"] = [
        {"name": "pay", "share": 0.6},
        {"name": "help", "share": 0.3},
        {"name": "sales", "share": 0.1},
    ]
    doc["nodes"]["desk"]["handles"] = ["pay", "help", "sales"]
    hours = ivr.analyze(ivr.PhoneTree.model_validate(doc)).hourly
    assert hours is not None and hours.names == ("pool:advisors",)
    assert hours.queues == (("desk_q", "sales_q"),)
    assert hours.index("sales_q") == hours.index("advisors") == 0
    single = ivr.analyze(tree()).hourly
    assert single is not None
    assert hours.offered[0, 0] > single.offered[0, 0]  # the sales callers join the same people


def test_asa_is_the_answered_calls_wait() -> None:
    """{asa_s: 60} with 240 s patience is an exponential wait of mean 80 s: answered callers
    (those whose wait ends first) waited 60 s on average."""
    text = """
name: asa
entry: q
tasks: [{name: help, share: 1}]
callers: {patience: {mean_s: 240}, wants_human: 0}
nodes:
  q: {type: queue, wait: {asa_s: 60}, next: desk}
  desk: {type: agent, handles: [help]}
"""
    r = ivr.analyze(ivr.loads(text))
    answered = r.outcomes["resolved_by_agent"]
    assert answered == pytest.approx(240 / (80 + 240))
    assert r.harms is not None and r.harms.ok_hold_s / answered == pytest.approx(60)
    with pytest.raises(ivr.TreeFileError, match="not possible"):
        ivr.analyze(ivr.loads(text.replace("asa_s: 60", "asa_s: 300")))


def test_staffing_needs_a_volume_or_calls_per_hour() -> None:
    with pytest.raises(ivr.TreeFileError, match="needs the tree's volume"):
        ivr.loads(LINE.replace("volume: {calls_per_week: 16800}", ""))
    with pytest.raises(ivr.TreeFileError, match="pool 'nope', which is not defined"):
        ivr.loads(
            LINE.replace("staffing: {agents: 4, handle_time_s: 240}", "staffing: {pool: nope}")
        )
    with pytest.raises(ivr.TreeFileError, match="roster"):
        ivr.loads(LINE.replace("agents: 4,", "agents: [[1, 2]],"))


def test_staff_meets_the_targets_with_the_fewest_agents() -> None:
    doc = tree().to_dict()
    doc["arrivals"] = "office_hours"
    plan = ivr.staff(ivr.PhoneTree.model_validate(doc), service_level=(0.8, 20), max_abandon=0.05)
    hours = plan.hours
    row = hours.index("desk_q")
    for h in range(0, 168, 7):
        calls, n = float(hours.offered[row, h]), int(plan.agents[0, h])
        if calls <= 0:
            continue
        ok = erlang_a(n, calls_per_hour=calls, handle_time_s=240, patience_s=300)
        assert ok.service_level(20) >= 0.8 - 1e-9 and ok.p_abandon <= 0.05 + 1e-9
        if n > 1:
            less = erlang_a(n - 1, calls_per_hour=calls, handle_time_s=240, patience_s=300)
            assert less.service_level(20) < 0.8 or less.p_abandon > 0.05
    again = ivr.analyze(plan.apply()).hourly
    assert again is not None and np.array_equal(again.agents[row], plan.agents[0])
    assert len(plan.roster("desk_q")) == 7 and len(plan.roster("desk_q")[0]) == 24
    assert plan.rounds <= 5


def test_simulation_draws_each_callers_wait_from_their_hour() -> None:
    doc = tree().to_dict()
    doc["arrivals"] = "office_hours"
    doc["nodes"]["desk_q"]["staffing"] = {"agents": 3, "handle_time_s": 240}
    t = ivr.PhoneTree.model_validate(doc)
    exact, sampled = ivr.analyze(t), ivr.simulate(t, calls=60_000, rng=4)
    for k, v in exact.outcomes.items():
        assert abs(v - sampled.outcomes[k]) <= 4 * sampled.stderr[k] + 1e-9, k


def test_staff_and_plot_from_the_command_line(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from ivrscore.cli import main

    telecom = str(EXAMPLES / "acme_telecom.yaml")
    out = tmp_path / "rostered.yaml"
    assert main(["staff", telecom, "--sl", "80/20", "--max-abandon", "5%", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "faults_queue" in text and "agent-hours" in text
    rostered = ivr.load(out)
    staffing = rostered.node("faults_queue").staffing  # type: ignore[union-attr]
    assert staffing is not None and isinstance(staffing.agents, list) and len(staffing.agents) == 7
    assert "- [0, 0" in out.read_text()  # a roster row on one line
    assert main(["staff", str(EXAMPLES / "gp_surgery.yaml")]) == 2
    with pytest.raises(SystemExit) as bad:
        main(["staff", telecom, "--sl", "eighty"])
    assert bad.value.code == 2 and "PERCENT/SECONDS" in capsys.readouterr().err
    for chart in ("hours", "load"):
        png = tmp_path / f"{chart}.png"
        assert main(["plot", telecom, "--chart", chart, "-o", str(png)]) == 0
        assert png.read_bytes().startswith(b"\x89PNG")
    assert main(["plot", telecom, "--chart", "hours", "--queue", "nope", "-o", str(png)]) == 2


def test_heat_map_shows_each_hours_figure() -> None:
    import matplotlib

    matplotlib.use("Agg")
    r = ivr.analyze(ivr.load(EXAMPLES / "acme_telecom.yaml"))
    hours = r.hourly
    assert hours is not None
    ax = ivr.plot.queue_hours(r, "faults_queue", metric="p_abandon")
    shown = ax.images[0].get_array()
    row = hours.index("faults_queue")
    assert shown[0, 10] == pytest.approx(hours.p_abandon[row, 10])  # Monday 10:00
    assert np.ma.is_masked(shown[6, 3])  # Sunday 03:00: the queue is closed, no calls
    ax2 = ivr.plot.load_and_agents(r, "faults_queue")
    load = ax2.get_lines()[0].get_ydata()
    assert load[10] == pytest.approx(hours.offered[row, 10] * 480 / 3600)
    assert ivr.plot.queue_hours(r).get_title(loc="left").startswith("faults_queue")  # busiest
