"""The centre simulation (callers competing for agents) against closed forms and Ciw."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import ivrscore as ivr
from ivrscore.queueing import erlang_a

ONE_QUEUE = """
name: one staffed queue
entry: line
arrivals: uniform
volume: {{calls_per_week: {calls}}}
tasks: [{{name: help, share: 1}}]
callers: {{patience: {{mean_s: {patience}}}, wants_human: 0}}
nodes:
  line: {{type: queue, staffing: {{agents: {agents}, handle_time_s: {handle}}}, next: desk}}
  desk: {{type: agent, handles: [help]}}
"""


def one_queue(calls: float, agents: int, handle: float, patience: float) -> ivr.PhoneTree:
    return ivr.loads(ONE_QUEUE.format(calls=calls, agents=agents, handle=handle, patience=patience))


@pytest.mark.parametrize(
    ("per_hour", "agents", "handle", "patience"),
    [
        (40.0, 12, 900.0, 300.0),  # 10 Erlangs on 12 agents: busy, stable
        (60.0, 10, 720.0, 240.0),  # 12 Erlangs on 10 agents: overload, held by abandonment
        (12.0, 3, 600.0, 600.0),  # a small team
    ],
)
def test_one_queue_matches_erlang_a(
    per_hour: float, agents: int, handle: float, patience: float
) -> None:
    """Constant arrivals, one queue, a long horizon: P(abandon), the mean wait of the answered
    (ASA) and occupancy within 2 standard errors (batch means over weeks) of Erlang A."""
    tree = one_queue(per_hour * 168, agents, handle, patience)
    run = ivr.simulate_centre(tree, weeks=8, rng=11)
    exact = erlang_a(agents, calls_per_hour=per_hour, handle_time_s=handle, patience_s=patience)
    p_answered = 1 - exact.p_abandon
    asa = exact.mean_wait_served_s  # mean wait of those answered
    for figure, want in (
        ("p_abandon", exact.p_abandon),
        ("asa_s", asa),
        ("occupancy", exact.occupancy),
    ):
        got = float(np.mean(run.weekly["line"][figure]))
        se = run.stderr("line", figure)
        assert se > 0
        assert abs(got - want) <= 2 * se + 1e-12, (figure, got, want, se)
    assert run.figure("line", "p_abandon") == pytest.approx(exact.p_abandon, abs=0.02)
    assert 0 < p_answered <= 1


def test_hours_follow_the_roster_and_the_hour_model_at_steady_hours() -> None:
    """An office roster: nobody answers at night (callers who arrive then wait for the morning
    or give up), and in the long, steady middle of the day the simulation agrees with the
    hour-by-hour Erlang A figures of analyze."""
    text = """
name: office line
entry: line
arrivals: uniform
volume: {calls_per_week: 6720}
schedules: {office: {mon-sun: "08:00-20:00"}}
tasks: [{name: help, share: 1}]
callers: {patience: {mean_s: 300}, wants_human: 0}
nodes:
  line: {type: queue, staffing: {agents: {office: 12, otherwise: 0}, handle_time_s: 600},
         next: desk}
  desk: {type: agent, handles: [help]}
"""
    tree = ivr.loads(text)
    run = ivr.simulate_centre(tree, weeks=6, rng=5)
    model = ivr.analyze(tree).hourly
    assert model is not None
    h = run.hours
    night = [d * 24 + 3 for d in range(7)]
    assert (h.agents[0, night] == 0).all()
    assert (h.p_abandon[0, night] > 0.9).all()  # 5-minute patience, no one until 08:00
    noon = [d * 24 + 13 for d in range(7)]
    sim = np.nanmean(h.p_abandon[0, noon])
    ana = float(np.mean(model.p_abandon[0, noon]))
    assert sim == pytest.approx(ana, abs=0.03)
    assert np.nanmean(h.occupancy[0, noon]) == pytest.approx(
        float(np.mean(model.occupancy[0, noon])), abs=0.04
    )


TWO_QUEUES = """
name: two queues and a transfer
entry: front
arrivals: uniform
volume: {{calls_per_week: {calls}}}
tasks: [{{name: simple, share: {stay}}}, {{name: hard, share: {move}}}]
callers: {{patience: {{mean_s: {patience}}}, wants_human: 0}}
nodes:
  front: {{type: queue, staffing: {{agents: {c1}, handle_time_s: {h1}}}, next: first}}
  first: {{type: agent, handles: [simple], transfer_to: back}}
  back: {{type: queue, staffing: {{agents: {c2}, handle_time_s: {h2}}}, next: second}}
  second: {{type: agent, handles: [hard]}}
"""


def test_two_queues_with_a_transfer_agree_with_ciw() -> None:
    """Callers wait at the front line; a share of them is transferred after talking and waits
    again at the back line. The same network in Ciw (exponential arrivals, services and
    reneging; routing by the same share), 10 replications each: abandonment and ASA at both
    lines within 3 standard errors of each other (four figures compared at once; measured
    gaps are 0.2 to 2.2 standard errors, the largest at the back line's abandonment)."""
    ciw = pytest.importorskip("ciw")
    rate, move, patience = 30.0, 0.4, 240.0
    c1, h1, c2, h2 = 6, 600.0, 4, 900.0
    tree = ivr.loads(
        TWO_QUEUES.format(
            calls=rate * 168,
            stay=1 - move,
            move=move,
            patience=patience,
            c1=c1,
            h1=h1,
            c2=c2,
            h2=h2,
        )
    )
    horizon = 2 * 168 * 3600.0
    ours: dict[str, list[float]] = {k: [] for k in ("ab1", "ab2", "asa1", "asa2")}
    theirs: dict[str, list[float]] = {k: [] for k in ours}
    for rep in range(10):
        run = ivr.simulate_centre(tree, weeks=2, rng=100 + rep)
        for q, tag in (("front", "1"), ("back", "2")):
            ours["ab" + tag].append(run.figure(q, "p_abandon"))
            ours["asa" + tag].append(run.figure(q, "asa_s"))
        net = ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(rate / 3600.0), None],
            service_distributions=[
                ciw.dists.Exponential(1 / h1),
                ciw.dists.Exponential(1 / h2),
            ],
            number_of_servers=[c1, c2],
            routing=[[0.0, move], [0.0, 0.0]],
            reneging_time_distributions=[
                ciw.dists.Exponential(1 / patience),
                ciw.dists.Exponential(1 / patience),
            ],
        )
        ciw.seed(rep)
        sim = ciw.Simulation(net)
        sim.simulate_until_max_time(horizon + 24 * 3600.0)
        records = [r for r in sim.get_all_records() if r.arrival_date >= 24 * 3600.0]
        for node, tag in ((1, "1"), (2, "2")):
            here = [r for r in records if r.node == node]
            served = [r for r in here if r.record_type == "service"]
            gone = [r for r in here if r.record_type == "renege"]
            theirs["ab" + tag].append(len(gone) / (len(served) + len(gone)))
            theirs["asa" + tag].append(float(np.mean([r.waiting_time for r in served])))
    for k in ours:
        a, b = np.array(ours[k]), np.array(theirs[k])
        se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        assert abs(a.mean() - b.mean()) <= 3 * se, (k, a.mean(), b.mean(), se)


def test_same_seed_same_week_and_plain_python_agrees() -> None:
    """The kernel's numbers depend on the seed only: twice in one process, and once more as
    plain Python (numba switched off) in another."""
    tree = one_queue(20 * 168, 4, 600.0, 300.0)
    a = ivr.simulate_centre(tree, rng=3, warmup_h=2)
    b = ivr.simulate_centre(tree, rng=3, warmup_h=2)
    assert a.outcomes == b.outcomes
    np.testing.assert_array_equal(a.hours.asa_s, b.hours.asa_s)
    code = textwrap.dedent(
        f"""
        import ivrscore as ivr, numpy as np
        tree = ivr.loads({ONE_QUEUE.format(calls=20 * 168, agents=4, handle=600.0, patience=300.0)!r})
        run = ivr.simulate_centre(tree, rng=3, warmup_h=2)
        print(repr(run.outcomes), repr(np.nansum(run.hours.asa_s)))
        """
    )
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert "plain Python" in out.stderr
    assert out.stdout.strip() == f"{a.outcomes!r} {np.nansum(a.hours.asa_s)!r}"


def test_the_demo_centre_peaks_on_monday_morning() -> None:
    """acme_telecom's busiest simulated hour is the model's Monday-morning peak, and the
    faults line loses more callers there than on a quiet afternoon."""
    tree = ivr.load(ivr.examples.path("acme_telecom"))
    run = ivr.simulate_centre(tree, rng=2)
    model = ivr.analyze(tree).hourly
    assert model is not None
    assert run.hours.peak()[1] == model.peak()[1] == "Mon 10:00"
    r = run.hours.index("faults_queue")
    assert run.hours.p_abandon[r, 10] > run.hours.p_abandon[r, 4 * 24 + 16]
    assert len(run.side_by_side(model, "faults_queue")) > 10


def test_a_tree_without_volume_is_refused() -> None:
    tree = ivr.load(ivr.examples.path("gp_surgery"))
    with pytest.raises(ivr.IvrscoreError, match="volume"):
        ivr.simulate_centre(tree)


def test_staffing_plans_hold_in_the_simulated_centre() -> None:
    """The rosters staff() finds from the hour-by-hour model meet the targets, within
    simulation noise, when the centre is simulated with them (constant arrivals: the model's
    assumptions hold, so the check must agree)."""
    tree = one_queue(30 * 168, 1, 600.0, 300.0)
    plan = ivr.staff(tree, service_level=(0.8, 20), max_abandon=0.05)
    checked = plan.check(weeks=4, rng=7)
    name = plan.names[0]
    assert checked.figure(name, "p_abandon") <= 0.05 + 0.015
    assert checked.figure(name, "service_level") >= 0.8 - 0.03
    assert "simulated SL" in plan.text(checked)
