"""Sweeps and fleets: grids of what-ifs, local pools, a real Dask cluster, many files at once."""

from __future__ import annotations

import json
import math
import os
import sys
import threading
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest

import ivrscore as ivr
from ivrscore.cli import main
from ivrscore.engine.simulate import BLOCK
from ivrscore.fleet import FLOW_SUFFIXES, expand
from ivrscore.queueing import erlang_a
from ivrscore.sweep import (
    SweepPathError,
    apply_edits,
    check_path,
    parse_values,
    simulate_chunked,
)

from .conftest import EXAMPLES

SAMPLES = Path(
    os.environ.get("IVRSCORE_SAMPLES", Path(__file__).resolve().parents[2] / "shared" / "samples")
)
WILD = SAMPLES.parent / "wild"

AGENTS = "nodes.desk_q.staffing.agents"
PATIENCE = "callers.0.patience.mean_s"

# 100 calls an hour every hour; help callers who do not want a person reach the desk
# (100 x 0.3 x 0.8 = 24 an hour, see tests/test_dynamics.py); patience of 10^7 s: almost
# nobody gives up before the desk (patience `none` is exact too, but IVR504's check of it is slow)
LINE = """
name: line
entry: menu
volume: {calls_per_week: 16800}
arrivals: uniform
tasks: [{name: pay, share: 0.7}, {name: help, share: 0.3}]
callers: {patience: {mean_s: 1.0e+7}, wants_human: 0.2, choice_error: 0, barge_in: 0, response_s: 1}
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

# a fixed Erlang A queue (no volume): quick to analyse and to simulate
DESK = """
name: desk line
entry: menu
tasks: [{name: pay, share: 0.6}, {name: help, share: 0.4}]
callers: {patience: {mean_s: 240}, wants_human: 0.1}
nodes:
  menu:
    type: menu
    options:
      "1": {say: "To pay, press 1.", next: pay}
      "0": {say: "To speak to someone, press 0.", next: desk_q}
    on_failure: desk_q
  pay: {type: self_service, handles: [pay], duration_s: 60}
  desk_q:
    type: queue
    staffing: {agents: 4, calls_per_hour: 60, handle_time_s: 200}
    next: desk
  desk: {type: agent, handles: [pay, help]}
"""


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    yield
    plt.close("all")


def desk() -> ivr.PhoneTree:
    return ivr.loads(DESK)


# -- paths ------------------------------------------------------------------------------------


def test_a_bad_path_names_itself_and_the_closest_valid_one_before_anything_runs() -> None:
    class NoCluster:  # would fail loudly if the sweep sent it anything
        def map(self, *args: Any, **kwargs: Any) -> Any:
            raise AssertionError("the sweep ran before checking its paths")

    with pytest.raises(SweepPathError) as err:
        ivr.sweep(desk(), {"nodes.desk_qu.staffing.agents": [3, 4]}, client=NoCluster())
    msg = str(err.value)
    assert "'nodes.desk_qu.staffing.agents'" in msg
    assert "nodes has no 'desk_qu'" in msg
    assert msg.endswith("the closest valid path is 'nodes.desk_q.staffing.agents'")
    assert isinstance(err.value, ivr.IvrscoreError)
    with pytest.raises(
        SweepPathError, match=r"closest valid path is 'callers\.0\.patience\.mean_s'"
    ):
        check_path(desk(), "callers.0.patience.mean")
    with pytest.raises(SweepPathError, match=r"callers has 1 item\(s\), numbered from 0; no '1'"):
        check_path(desk(), "callers.1.patience.mean_s")
    with pytest.raises(SweepPathError, match=r"is a value \(4\), with nothing under it"):
        check_path(desk(), "nodes.desk_q.staffing.agents.x")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_bad_value_is_an_error_naming_its_point_wherever_it_is_built(jobs: int) -> None:
    """The workers build the points' trees; a bad value comes back as this process's
    TreeFileError, with its problems, naming the point and its values."""
    with pytest.raises(
        ivr.TreeFileError, match=r"sweep point 1: nodes\.desk_q\.staffing\.agents=0"
    ) as err:
        ivr.sweep(desk(), {AGENTS: [3, 0, 4]}, jobs=jobs)
    assert err.value.node == "desk_q" and len(err.value.problems) >= 1


def test_paths_are_checked_here_once_and_trees_are_built_in_the_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """This process checks each path once and builds no point's tree: the tasks carry values
    and a seed, and the base tree goes to each worker once, with the shared settings."""
    module = sys.modules["ivrscore.sweep"]
    checks: list[str] = []
    builds: list[dict[str, Any]] = []
    real_check, real_apply = module.check_path, module.apply_edits

    def counting_check(tree: ivr.PhoneTree, path: str) -> None:
        checks.append(path)
        real_check(tree, path)

    def counting_apply(tree: ivr.PhoneTree, edits: Any, **kw: Any) -> ivr.PhoneTree:
        builds.append(dict(edits))
        return real_apply(tree, edits, **kw)

    monkeypatch.setattr(module, "check_path", counting_check)
    monkeypatch.setattr(module, "apply_edits", counting_apply)
    t = desk()
    grid = {AGENTS: [3, 4, 5], PATIENCE: [120, 480]}
    two = ivr.sweep(t, grid, engine="simulate", calls=2_000, rng=5, jobs=2)
    assert sorted(checks) == sorted(grid) and builds == []  # built in the workers
    checks.clear()
    edits = [{AGENTS: a} for a in (3, 4, 5, 6)]
    ivr.sweep(t, edits, jobs=2)
    assert checks == [AGENTS] and builds == []  # one path, checked once for four items
    one = ivr.sweep(t, grid, engine="simulate", calls=2_000, rng=5, jobs=1)
    assert len(builds) == 6 and one.to_records() == two.to_records()  # here, with jobs=1
    shared, tasks, _ = module._plan(t, grid, engine="simulate", calls=2_000, rng=5, standard=None)
    assert shared.trees == (t,) and {task.tree for task in tasks} == {0}
    for task in tasks:
        assert not any(isinstance(v, ivr.PhoneTree) for v in vars(task).values())


def test_the_points_do_not_depend_on_the_order_they_run_in() -> None:
    module = sys.modules["ivrscore.sweep"]
    t = desk()
    grid = {AGENTS: [3, 4, 5], PATIENCE: [120, 480]}
    s = ivr.sweep(t, grid, engine="simulate", calls=2_000, rng=3, jobs=1)
    shared, tasks, _ = module._plan(t, grid, engine="simulate", calls=2_000, rng=3, standard=None)
    order = list(reversed(tasks[::2])) + tasks[1::2]
    points = {task.index: module._run_point(task, shared) for task in order}
    assert [points[i].record() for i in range(len(tasks))] == s.to_records()


def test_edits_reach_the_model_and_leave_the_original_alone() -> None:
    t = desk()
    e = apply_edits(t, {AGENTS: np.int64(7), PATIENCE: 90, "nodes.menu.options.0.next": "pay"})
    q = e.node("desk_q")
    assert isinstance(q, ivr.Queue) and q.staffing is not None and q.staffing.agents == 7
    assert e.personas[0].patience.mean == 90 and t.personas[0].patience.mean == 240
    assert e.node("menu").options["0"].next == "pay"  # type: ignore[union-attr]
    # one persona written without a list is still callers.0; the other fields stay
    assert e.personas[0].wants_human == pytest.approx(0.1)


def test_parse_values() -> None:
    assert parse_values("10:40") == list(range(10, 41))
    assert parse_values("10:40:5") == [10, 15, 20, 25, 30, 35, 40]
    assert parse_values("a,b,3") == ["a", "b", 3]
    assert parse_values("7") == [7]


# -- the points -------------------------------------------------------------------------------


def test_the_grid_is_the_cartesian_product_and_each_point_is_its_own_score() -> None:
    t = desk()
    s = ivr.sweep(t, {AGENTS: [3, 4, 6], PATIENCE: [120, 480]}, jobs=1)
    assert len(s) == 6 and s.parameters == (AGENTS, PATIENCE)
    assert [(p.values[AGENTS], p.values[PATIENCE]) for p in s] == [
        (3, 120), (3, 480), (4, 120), (4, 480), (6, 120), (6, 480)
    ]  # fmt: skip
    for p in s:
        alone = ivr.score(apply_edits(t, p.values))
        assert p.score == alone.score and p.outcomes == alone.outcomes
        assert p.method == "exact" and p.metrics == alone.metrics
    # more agents: fewer abandon; more patience: fewer abandon
    ab = {(p.values[AGENTS], p.values[PATIENCE]): p.outcomes["abandoned"] for p in s}
    assert ab[(3, 120)] > ab[(4, 120)] > ab[(6, 120)]
    assert ab[(3, 120)] > ab[(3, 480)]


def test_points_report_each_queue_against_erlang() -> None:
    """With volume: the desk is offered 24 calls an hour (hand-computed); each point's queue
    figures are Erlang A at that load and its agents."""
    s = ivr.sweep(ivr.loads(LINE), {AGENTS: [2, 3, 5]}, jobs=1)
    for p in s:
        n = p.values[AGENTS]
        fig = p.queues["desk_q"]
        offered = fig["offered_per_week"] / 168
        assert offered == pytest.approx(24, rel=1e-5)
        m = erlang_a(n, calls_per_hour=offered, handle_time_s=240, patience_s=1e7)
        assert fig["agents_max"] == n
        assert fig["asa_s"] == pytest.approx(m.mean_wait_served_s, rel=1e-6)
        assert fig["occupancy"] == pytest.approx(m.occupancy, rel=1e-6)
        assert p.hourly is not None and p.hourly.names == ("desk_q",)
        assert p.record()["desk_q.asa_s"] == fig["asa_s"]
    assert s[0].queues["desk_q"]["asa_s"] > s[1].queues["desk_q"]["asa_s"]


def test_lists_of_edits_and_whole_trees_are_designs() -> None:
    before = desk()
    after = apply_edits(before, {"name": "desk line, more agents", AGENTS: 8})
    s = ivr.sweep([before, after], {PATIENCE: [120, 480]}, jobs=1)
    assert [(p.design, p.values[PATIENCE]) for p in s] == [
        ("desk line", 120), ("desk line", 480),
        ("desk line, more agents", 120), ("desk line, more agents", 480),
    ]  # fmt: skip
    assert s[2].score > s[0].score
    edits = ivr.sweep(before, [{AGENTS: 3}, {AGENTS: 5, PATIENCE: 100}], jobs=1)
    assert [p.values for p in edits] == [{AGENTS: 3}, {AGENTS: 5, PATIENCE: 100}]
    assert edits.parameters == (AGENTS, PATIENCE)
    assert math.isnan(edits.to_records()[0][PATIENCE])  # not set at that point
    trees = ivr.sweep(before, [before, after], jobs=1)
    assert [p.design for p in trees] == ["desk line", "desk line, more agents"]
    assert trees[1].score == s[2].score or trees[1].values == {}


def test_seeds_come_from_one_seed_sequence_one_child_per_point() -> None:
    t = desk()
    s = ivr.sweep(t, {AGENTS: [3, 5]}, engine="simulate", calls=4_000, rng=11, jobs=1)
    children = np.random.SeedSequence(11).spawn(2)
    for p, child in zip(s, children, strict=True):
        alone = ivr.score(apply_edits(t, p.values), calls=4_000, rng=np.random.default_rng(child))  # type: ignore[arg-type]
        assert p.outcomes == alone.outcomes and p.method == "simulation" and p.calls == 4_000
    again = ivr.sweep(t, {AGENTS: [3, 5]}, engine="simulate", calls=4_000, rng=11, jobs=1)
    other = ivr.sweep(t, {AGENTS: [3, 5]}, engine="simulate", calls=4_000, rng=12, jobs=1)
    assert again.to_records() == s.to_records()
    assert other[0].outcomes != s[0].outcomes
    assert "p90_time_s" in s[0].metrics


def test_one_and_two_local_workers_give_identical_numbers() -> None:
    grid = {AGENTS: [3, 4, 5], PATIENCE: [120, 480]}
    one = ivr.sweep(desk(), grid, engine="simulate", calls=3_000, rng=5, jobs=1)
    two = ivr.sweep(desk(), grid, engine="simulate", calls=3_000, rng=5, jobs=2)
    assert two.to_records() == one.to_records()


def test_dask_batches_deal_every_task_once() -> None:
    from ivrscore._sweep_pool import BATCHES_PER_THREAD, _batches

    for n, threads in [(1, 2), (7, 2), (200, 2), (3, 64)]:
        batches = _batches(n, threads)
        assert sorted(i for b in batches for i in b) == list(range(n))
        assert len(batches) == min(n, threads * BATCHES_PER_THREAD)
        assert max(map(len, batches)) - min(map(len, batches)) <= 1
    assert _batches(5, 1)[:2] == [[0, 4], [1]]


def same_simulation(a: ivr.Simulation, b: ivr.Simulation) -> None:
    """Two simulations with the same numbers, to the last bit (NaN equal to NaN)."""
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())
    assert a == b and a.calls == b.calls and a.seed == b.seed
    assert a.harms is not None and b.harms is not None
    assert a.harms.stderr == b.harms.stderr and a.harms.causes == b.harms.causes
    assert np.array_equal(a.harms.covariance[1], b.harms.covariance[1])


def test_a_dask_local_cluster_gives_exactly_the_local_results() -> None:
    """Two worker processes: the sweep's points and one big simulation are this process's."""
    distributed = pytest.importorskip("distributed")
    grid = {AGENTS: [3, 4, 5], PATIENCE: [120, 480]}
    local = ivr.sweep(desk(), grid, engine="simulate", calls=3_000, rng=5, jobs=1)
    calls = 3 * BLOCK + 1_234  # four blocks, the last short
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert len(client.scheduler_info()["workers"]) == 2
        remote = ivr.sweep(desk(), grid, engine="simulate", calls=3_000, rng=5, client=client)
        exact = ivr.sweep(desk(), grid, client=client)
        spread = ivr.simulate(desk(), calls=calls, rng=2, client=client)
        with pytest.raises(ivr.TreeFileError, match=r"sweep point 1: .*agents=0") as err:
            ivr.sweep(desk(), {AGENTS: [3, 0]}, client=client)  # built on a worker
        assert err.value.node == "desk_q"

        def compiled_here() -> int:
            from ivrscore import _sweep_simulate

            return len(_sweep_simulate._CACHE)

        where = client.run(compiled_here)
    assert remote.to_records() == local.to_records()
    assert exact.to_records() == ivr.sweep(desk(), grid, jobs=1).to_records()
    same_simulation(spread, ivr.simulate(desk(), calls=calls, rng=2, records=False))
    # each worker compiled the tree at most once, for all the blocks it walked
    assert set(where.values()) <= {0, 1} and sum(where.values()) >= 1


# -- one simulation over many workers ---------------------------------------------------------


def test_a_threaded_dask_worker_gives_the_same_simulation() -> None:
    """Two threads of one in-process worker share the compiled tables of the run."""
    distributed = pytest.importorskip("distributed")
    calls = 4 * BLOCK
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        spread = ivr.simulate(desk(), calls=calls, rng=6, client=client)
    same_simulation(spread, ivr.simulate(desk(), calls=calls, rng=6, records=False))


def test_one_simulation_on_local_workers_is_the_single_process_one() -> None:
    t = ivr.loads(LINE)  # with volume: the workers solve the hour-by-hour load too
    calls = 5 * BLOCK - 17
    one = ivr.simulate(t, calls=calls, rng=8, records=False)
    two = ivr.simulate(t, calls=calls, rng=8, jobs=2)
    same_simulation(two, one)
    assert two.records == {} and two.calls == calls
    in_process = ivr.simulate(t, calls=calls, rng=8, jobs=1)  # jobs=1: this process, records
    assert in_process.records and in_process.to_dict() == one.to_dict()
    # in this process, in groups of one block: still the same numbers
    from ivrscore._sweep_simulate import groups, simulate_spread

    assert len(groups(5, 2, 1)) == 5
    same_simulation(simulate_spread(t, calls=calls, rng=8, jobs=1, blocks_per_task=1), one)
    # a generator gives its seed's numbers, as in one process
    gen = ivr.simulate(t, calls=calls, rng=np.random.default_rng(8), jobs=2)
    same_simulation(gen, one)
    assert ivr.simulate(t, calls=calls, rng=9, jobs=2).outcomes != one.outcomes


def test_one_spread_simulation_agrees_with_the_exact_analysis() -> None:
    t = desk()
    calls = 400_000
    sim = ivr.simulate(t, calls=calls, rng=4, jobs=2)
    exact = ivr.analyze(t)
    for k, p in exact.outcomes.items():
        assert abs(sim.outcomes[k] - p) <= 4 * math.sqrt(p * (1 - p) / calls) + 1e-12
    for k in ("mean_time_s", "mean_options_heard"):
        assert abs(sim.metrics[k] - exact.metrics[k]) <= 4 * sim.stderr[k]


def test_simulate_chunked_is_the_spread_simulation() -> None:
    t = desk()
    old = simulate_chunked(t, calls=100_000, chunk=10_000, rng=4, jobs=2)
    same_simulation(old, ivr.simulate(t, calls=100_000, rng=4, records=False))
    seq = simulate_chunked(t, calls=100_000, rng=np.random.SeedSequence(4), jobs=1)
    assert seq.outcomes == old.outcomes


def test_spreading_rejects_records_and_bad_jobs() -> None:
    with pytest.raises(ivr.IvrscoreError, match="keeps no per-caller records"):
        ivr.simulate(desk(), calls=1_000, jobs=2, records=True)
    with pytest.raises(ivr.IvrscoreError, match=r"jobs must be a whole number .* \(got 0\)"):
        ivr.simulate(desk(), calls=1_000, jobs=0)
    with pytest.raises(ivr.IvrscoreError, match="calls must be a whole number"):
        ivr.simulate(desk(), calls=0, jobs=2)


def test_the_pool_start_method_can_be_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    from ivrscore._sweep_pool import start_method

    monkeypatch.setenv("IVRSCORE_START_METHOD", "spawn")
    assert start_method() == "spawn"
    grid = {AGENTS: [3, 4]}
    spawned = ivr.sweep(desk(), grid, engine="simulate", calls=2_000, rng=5, jobs=2)
    monkeypatch.setenv("IVRSCORE_START_METHOD", "nonsense")
    with pytest.raises(ivr.IvrscoreError, match="IVRSCORE_START_METHOD='nonsense'"):
        start_method()
    from ivrscore._sweep_pool import _PRELOAD

    for name in _PRELOAD:  # a fork server ignores a preload that fails: check they import
        __import__(name)
    monkeypatch.setenv("IVRSCORE_START_METHOD", "forkserver")
    served = ivr.sweep(desk(), grid, engine="simulate", calls=2_000, rng=5, jobs=2)
    monkeypatch.delenv("IVRSCORE_START_METHOD")
    again = ivr.sweep(desk(), grid, engine="simulate", calls=2_000, rng=5, jobs=2)
    assert spawned.to_records() == again.to_records() == served.to_records()
    if sys.platform == "linux":  # forking a process with threads is unsafe: a fork server
        stop = threading.Event()
        other = threading.Thread(target=stop.wait)
        other.start()
        try:
            assert start_method() == "forkserver"
        finally:
            stop.set()
            other.join()


# -- the Sweep object -------------------------------------------------------------------------


def test_frames_plots_and_html() -> None:
    pytest.importorskip("pandas")
    s = ivr.sweep(desk(), {AGENTS: [3, 4, 5], PATIENCE: [120, 480]}, jobs=1)
    df = s.to_dataframe()
    assert df.shape[0] == 6 and list(df.columns[:3]) == [AGENTS, PATIENCE, "score"]
    assert df["abandoned"].tolist() == [p.outcomes["abandoned"] for p in s]
    ax = s.plot(x="agents", y="abandoned", hue="mean_s")
    assert len(ax.lines) == 2 and ax.get_xlabel() == "agents"
    assert list(ax.lines[0].get_xdata()) == [3, 4, 5]
    assert list(ax.lines[0].get_ydata()) == [s[i].outcomes["abandoned"] for i in (0, 2, 4)]
    _, mine = plt.subplots()
    assert s.plot(x=AGENTS, y="score", ax=mine) is mine
    with pytest.raises(ivr.IvrscoreError, match="did you mean 'abandoned'"):
        s.plot(x="agents", y="abandonned")
    t = apply_edits(desk(), {"name": "<b>desk</b> & co"})
    h = ivr.sweep([t, desk()], {AGENTS: [4]}, jobs=1)._repr_html_()
    assert "&lt;b&gt;desk&lt;/b&gt; &amp; co" in h and "<b>desk" not in h
    assert h.count("<tr>") == 3 and "<pre" in h


def test_write_csv_and_json(tmp_path: Path) -> None:
    import csv

    s = ivr.sweep(desk(), {AGENTS: [3, 4]}, jobs=1)
    s.write(tmp_path / "r.csv")
    rows = list(csv.DictReader((tmp_path / "r.csv").open()))
    assert [int(r[AGENTS]) for r in rows] == [3, 4]
    assert float(rows[1]["score"]) == pytest.approx(s[1].score)
    s.write(tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["parameters"] == [AGENTS] and data["points"][0]["grade"] == s[0].grade


# -- the command line -------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_sweep_writes_results_and_a_chart(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    f = tmp_path / "desk.yaml"
    f.write_text(DESK)
    out_csv, out_png = tmp_path / "r.csv", tmp_path / "c.png"
    code, _, err = run(
        capsys, "sweep", str(f), "--set", f"{AGENTS}=3:5", "--set", f"{PATIENCE}=120,480",
        "--jobs", "1", "-o", str(out_csv), "--plot", "agents,abandoned", "-o", str(out_png),
    )  # fmt: skip
    assert code == 0, err
    assert len(out_csv.read_text().splitlines()) == 1 + 6
    assert out_png.read_bytes()[:4] == b"\x89PNG"
    code, out, _ = run(capsys, "sweep", str(f), "--set", f"{AGENTS}=3,4", "--format", "json")
    data = json.loads(out)
    assert [p[AGENTS] for p in data["points"]] == [3, 4]
    code, _, err = run(capsys, "sweep", str(f), "--set", "nodes.desk.staffing.agents=3:5")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "nodes.desk has no 'staffing'" in err and "closest valid path" in err
    with pytest.raises(SystemExit) as stop:  # a usage error: argparse's one line
        main(["sweep", str(f), "--set", f"{AGENTS}=5:3"])
    assert stop.value.code == 2 and "runs backwards" in capsys.readouterr().err


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"sample flows not found at {SAMPLES}")
def test_cli_scores_every_sample_flow_one_line_each(capsys: pytest.CaptureFixture[str]) -> None:
    flows, resources = expand([str(SAMPLES)])
    files = sorted(
        str(p)
        for p in SAMPLES.rglob("*")
        if p.is_file() and any(s in FLOW_SUFFIXES for s in p.suffixes)
    )
    assert sorted([s.file for s in flows] + resources) == files
    code, out, err = run(capsys, "score", str(SAMPLES), "--jobs", "2")
    assert code == 0, err
    lines = out.strip().splitlines()
    body = lines[1:-1]
    assert len(body) == len(flows) and len(flows) >= 10
    for line, src in zip(body, flows, strict=True):
        assert src.file in line
        assert 0 <= float(line.split()[0]) <= 100
    assert lines[-1].startswith(f"{len(flows)} files: {len(flows)} scored, 0 failed to load")
    # the same scores as one file at a time
    code, out1, _ = run(capsys, "score", str(SAMPLES))
    assert out1 == out


@pytest.mark.skipif(not WILD.is_dir(), reason=f"wild flows not found at {WILD}")
def test_cli_counts_files_that_fail_to_load_never_drops_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    flows, _ = expand([str(WILD)])
    code, out, _ = run(capsys, "lint", str(WILD), "--format", "json", "--jobs", "2")
    assert code == 2
    data = json.loads(out)
    failed = {e["file"] for e in data if isinstance(e, dict) and e.get("slug") == "load-error"}
    code1, out1, _ = run(capsys, "lint", str(WILD), "--format", "json")
    assert out1 == out and code1 == code
    code, out, _ = run(capsys, "score", str(WILD), "--jobs", "2")
    lines = out.strip().splitlines()
    assert len(lines) == 2 + len(flows)
    loaded = [line for line in lines[1:-1] if "  load  " not in line]
    not_loaded = [line for line in lines[1:-1] if "  load  " in line]
    assert not_loaded and len(not_loaded) == len(failed)
    assert lines[-1].startswith(
        f"{len(flows)} files: {len(loaded)} scored, {len(not_loaded)} failed to load"
    )
    assert code == 2


def test_cli_score_takes_globs_and_reports_a_missing_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pattern = str(EXAMPLES / "gp_*.yaml")
    code, out, err = run(capsys, "score", pattern, str(EXAMPLES / "nope.yaml"))
    assert code == 2
    lines = out.strip().splitlines()
    assert len(lines) == 4 and "gp_surgery.yaml" in lines[1] and "nope.yaml" in lines[2]
    assert lines[-1] == "2 files: 1 scored, 1 failed to load"
    assert "nope.yaml" in err
