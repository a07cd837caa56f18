"""Benchmark: the compiled caller kernel against a hand-written numba loop and SimPy.

Run: ``python benchmarks/bench_kernel.py [--calls N] [--rounds R]``. The contenders run the same
caller model (the minimal two-task line below), interleaved, ``R`` rounds; the best round of
each is kept and the ratios are printed. Then ``ivrscore.simulate`` on acme_telecom (caller-node
visits per second, with and without per-caller records). Results are printed, not stored.

The minimal two-task line: two tasks, half the callers each; a menu of two options that takes
12 s (audio and key press) during which exponential patience (mean 120 s) runs; the caller
presses the right key with probability 0.9 and is helped by self-service for 60 s (patience no
longer runs), else reaches the other service, which cannot help: 60 s with patience running,
then cut off (or abandoned if patience runs out first).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numba
import numpy as np

import ivrscore as ivr

MINIMAL = """
name: minimal two-task line
entry: menu
tasks: [{name: a, share: 0.5}, {name: b, share: 0.5}]
callers: {patience: {mean_s: 120}, choice_error: 0.1, barge_in: 0, response_s: 2, wants_human: 0}
nodes:
  menu: {type: menu, duration_s: 10, options: {"1": {next: sa}, "2": {next: sb}}, on_failure: sa}
  sa: {type: self_service, handles: [a], duration_s: 60}
  sb: {type: self_service, handles: [b], duration_s: 60}
"""
MENU_S, P_RIGHT, PATIENCE_S, SERVICE_S = 12.0, 0.9, 120.0, 60.0


@numba.njit(cache=True)
def hand_loop(gen: Any, n: int) -> tuple[Any, float]:
    """The minimal line written by hand: outcome counts (self-service, abandoned,
    disconnected) and the total time, with the same draws a careful author would make."""
    counts = np.zeros(3, dtype=np.int64)
    total = 0.0
    for _ in range(n):
        _task = gen.random() < 0.5  # which task: symmetric, so it changes nothing else
        left = gen.exponential() * PATIENCE_S
        if left < MENU_S:
            counts[1] += 1
            total += left
            continue
        if gen.random() < P_RIGHT:
            counts[0] += 1
            total += MENU_S + SERVICE_S
        elif left - MENU_S < SERVICE_S:
            counts[1] += 1
            total += left
        else:
            counts[2] += 1
            total += MENU_S + SERVICE_S
    return counts, total


def simpy_line(n: int, seed: int) -> np.ndarray[Any, Any]:
    """The same callers as SimPy processes: each step a timeout raced against patience."""
    import simpy

    rnd = np.random.default_rng(seed)
    env = simpy.Environment()
    counts = np.zeros(3, dtype=np.int64)

    def caller(env: Any) -> Any:
        patience = env.timeout(rnd.exponential(PATIENCE_S))
        menu = env.timeout(MENU_S)
        yield menu | patience
        if not menu.processed:
            counts[1] += 1
            return
        if rnd.random() < P_RIGHT:
            yield env.timeout(SERVICE_S)
            counts[0] += 1
            return
        wrong = env.timeout(SERVICE_S)
        yield wrong | patience
        counts[2 if wrong.processed else 1] += 1

    def source(env: Any) -> Any:
        for _ in range(n):
            env.process(caller(env))
            yield env.timeout(rnd.exponential(1.0))

    env.process(source(env))
    env.run()
    return counts


def best(times: list[float]) -> float:
    return min(times)


class Clock:
    """Wall-clock and CPU seconds of each contender, one entry per round."""

    def __init__(self) -> None:
        self.wall: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}

    def run(self, name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn(*args, **kwargs)
        self.wall.setdefault(name, []).append(time.perf_counter() - w0)
        self.cpu.setdefault(name, []).append(time.process_time() - c0)
        return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--calls", type=int, default=2_000_000)
    p.add_argument("--simpy-calls", type=int, default=50_000)
    p.add_argument("--acme-calls", type=int, default=1_000_000)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    import importlib

    sim_mod = importlib.import_module("ivrscore.engine.simulate")
    tree = ivr.loads(MINIMAL)
    acme = ivr.load(ivr.examples.path("acme_telecom"))
    # warm-up: compile (or load from cache) everything first
    ivr.simulate(tree, calls=1_000, rng=0, progress=False)
    ivr.simulate(acme, calls=1_000, rng=0, progress=False)
    hand_loop(np.random.default_rng(0), 10)
    n, na = args.calls, args.acme_calls
    clock = Clock()
    sim = acme_sim = rec = None
    counts = np.zeros(3)
    simpy_counts = np.zeros(3)
    quiet = {"records": False, "progress": False}
    for r in range(args.rounds):
        sim = clock.run("ivrscore", ivr.simulate, tree, calls=n, rng=r, **quiet)
        counts, _ = clock.run("hand", hand_loop, np.random.default_rng(r), n)
        simpy_counts = clock.run("simpy", simpy_line, args.simpy_calls, r)
        acme_sim = clock.run("acme", ivr.simulate, acme, calls=na, rng=r, **quiet)
        rec = clock.run(
            "acme_rec", ivr.simulate, acme, calls=na, rng=r, records=True, progress=False
        )
        sim_mod._PREPARED.clear()  # as the first simulate of a tree: compile and solve the week
        new = ivr.load(ivr.examples.path("acme_telecom"))  # a new tree: nothing kept for it
        clock.run("acme_new", ivr.simulate, new, calls=na, rng=r, **quiet)
    assert sim is not None and acme_sim is not None and rec is not None
    print(f"minimal two-task line, best of {args.rounds} interleaved rounds (callers/s):")
    for label, times in (("wall clock", clock.wall), ("CPU time", clock.cpu)):
        rate = {
            "ivrscore": n / best(times["ivrscore"]),
            "hand": n / best(times["hand"]),
            "simpy": args.simpy_calls / best(times["simpy"]),
        }
        print(f" {label}:")
        print(f"  ivrscore.simulate (records=False, end to end) {rate['ivrscore']:>14,.0f}")
        print(f"  hand-written numba loop                       {rate['hand']:>14,.0f}")
        print(f"  SimPy processes                               {rate['simpy']:>14,.0f}")
        print(f"  hand loop / ivrscore: {rate['hand'] / rate['ivrscore']:.2f}x (target at most 3x)")
        print(
            f"  ivrscore / SimPy:     {rate['ivrscore'] / rate['simpy']:.0f}x (target at least 300x)"
        )
    exact = ivr.analyze(tree)
    print("  same answers (self-service / abandoned / disconnected):")
    o = sim.outcomes
    print(
        f"    ivrscore {o['resolved_self_service']:.4f} / {o['abandoned']:.4f} / "
        f"{o['disconnected']:.4f}"
    )
    print("    hand     " + " / ".join(f"{x / n:.4f}" for x in counts))
    print("    SimPy    " + " / ".join(f"{x / args.simpy_calls:.4f}" for x in simpy_counts))
    e = exact.outcomes
    print(
        f"    exact    {e['resolved_self_service']:.4f} / {e['abandoned']:.4f} / "
        f"{e['disconnected']:.4f}"
    )
    visits = int(rec.records["steps"].sum())
    print(f"\nacme_telecom, {na:,} callers ({visits / na:.2f} visits each), best of {args.rounds}:")
    for key, label in (
        ("acme", "records=False"),
        ("acme_rec", "records=True"),
        ("acme_new", "new tree"),
    ):
        w, c = best(clock.wall[key]), best(clock.cpu[key])
        print(
            f"  {label:<14} {w:6.2f} s wall {c:6.2f} s CPU  {na / w:>11,.0f} callers/s  "
            f"{visits / w / 1e6:6.1f}M visits/s wall, {visits / c / 1e6:6.1f}M CPU (target 20M)"
        )
    print("  (new tree: the tables dropped first, so it compiles and solves the week again)")
    print(f"numba {numba.__version__}, numpy {np.__version__}")


if __name__ == "__main__":
    main()
