"""Benchmark: a compute-bound sweep and one chunked simulation, on 2 local workers against 1.

Run: ``python benchmarks/bench_sweep.py [--points 200] [--calls 20000] [--big-calls 2000000]``.

- **Sweep**: ``--points`` points of ``gp_surgery`` (agents x patience), each simulating
  ``--calls`` callers, with ``jobs=1`` (in this process: the single-core reference) and
  ``jobs=2`` (a spawned pool of two, its start-up included). Prints the speed-up; on a machine
  with 2 free cores it approaches 2. Both runs must give identical numbers (checked).
- **One big simulation**: :func:`ivrscore.sweep.simulate_chunked` of ``--big-calls`` callers on
  two workers against half as many on one (same chunk size), so the ideal ratio of the times is
  1.0; the peak memory of a worker (largest resident set of the pool's processes) is printed.

Results are printed, not stored; compare ratios measured in one run (the VM's speed varies).
The CPU seconds and "cores busy" show whether the machine had two free cores to give: on a
shared machine the wall-clock speed-up is capped by what the other processes leave.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

import ivrscore as ivr
from ivrscore.sweep import simulate_chunked


def _children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--points", type=int, default=200)
    p.add_argument("--calls", type=int, default=20_000, help="callers per sweep point")
    p.add_argument("--big-calls", type=int, default=2_000_000, help="callers of the big run")
    p.add_argument("--chunk", type=int, default=250_000)
    args = p.parse_args()
    tree = ivr.load(ivr.examples.path("gp_surgery"))
    agents = list(range(3, 3 + 20))
    patience = [60 + 60 * i for i in range(max(1, args.points // len(agents)))]
    grid = {"nodes.reception_queue.staffing.agents": agents, "callers.0.patience.mean_s": patience}
    n = len(agents) * len(patience)
    ivr.sweep(tree, [{}], engine="simulate", calls=1_000, jobs=1)  # warm-up: imports, caches

    timings = {}
    results = {}
    cpu = {}
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for jobs in (1, 2):
        t0, c0 = time.perf_counter(), os.times()
        results[jobs] = ivr.sweep(
            tree, grid, engine="simulate", calls=args.calls, rng=1, jobs=jobs, progress=False
        )
        timings[jobs] = time.perf_counter() - t0
        c1 = os.times()
        cpu[jobs] = sum(c1[:4]) - sum(c0[:4])  # this process and its (finished) workers
    same = results[1].to_records() == results[2].to_records()
    print(f"sweep: {n} points x {args.calls:,} simulated callers ({tree.name})")
    for jobs, t in timings.items():
        print(
            f"  jobs={jobs}: {t:7.1f} s  ({n / t:5.2f} points/s); CPU {cpu[jobs]:6.1f} s, "
            f"{cpu[jobs] / t:4.2f} cores busy on average"
        )
    print(f"  speed-up 2 workers vs 1: {timings[1] / timings[2]:.2f}x; identical numbers: {same}")
    if not same:
        sys.exit("the sweep's numbers depend on the workers")

    half = args.big_calls // 2
    t0 = time.perf_counter()
    simulate_chunked(tree, calls=half, chunk=args.chunk, rng=2, jobs=1, progress=False)
    t_one = time.perf_counter() - t0
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    big = simulate_chunked(tree, calls=args.big_calls, chunk=args.chunk, rng=2, jobs=2)
    t_two = time.perf_counter() - t0
    print(f"one simulation in chunks of {args.chunk:,} callers")
    print(f"  {half:,} callers on 1 worker : {t_one:7.1f} s (peak memory {peak_self:,.0f} MB)")
    print(
        f"  {args.big_calls:,} callers on 2 workers: {t_two:7.1f} s "
        f"(peak memory per worker {_children_peak_mb():,.0f} MB)"
    )
    print(f"  ratio (ideal 1.0): {t_two / t_one:.2f}; abandoned {big.outcomes['abandoned']:.4f}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
