"""Benchmark: a compute-bound sweep and one big simulation, on 2 local workers against 1.

Run: ``python benchmarks/bench_sweep.py [--points 200] [--calls 20000] [--big-calls 100000000]
[--rounds 3] [--methods fork,spawn] [--thread] [--skip-sweep | --skip-big]``.

- **Sweep**: ``--points`` points of ``gp_surgery`` (agents x patience), each simulating
  ``--calls`` callers and scored, with ``jobs=1`` (in this process: the single-core reference)
  and ``jobs=2`` (a fresh pool of two per run, its start-up included) for each start method of
  ``--methods`` (``IVRSCORE_START_METHOD``), interleaved round by round; the best of
  ``--rounds`` of each (a fork server is started once, so only its first round pays for it;
  ``--thread`` keeps a second thread alive as a notebook does; ``dask`` in ``--methods`` runs
  the same sweep on a two-worker ``distributed.LocalCluster`` started once before the rounds,
  its workers' CPU asked of them). Every run must give identical
  numbers (checked). Besides the wall-clock
  speed-up (best against best, and the median of the rounds' paired ratios) it prints the one the CPU seconds imply on two free cores: jobs=1's CPU against this
  process's CPU plus half the workers' (the 200 tasks share out evenly), which a loaded,
  shared machine cannot show on the clock.
- **One big simulation**: ``ivr.simulate(tree, calls=--big-calls, jobs=2)`` against
  ``ivr.simulate(tree, calls=--big-calls / 2, records=False)`` in this process, so the ideal
  ratio of the times is 1.0 (the issue asks for at most 1.2); and that the spread run gives the
  numbers of one process is checked on a small run first. The peak memory of a worker (largest
  resident set of the pool's processes, which for a forked worker includes the pages it shares
  with this process) and this process's own are printed.

Results are printed, not stored; compare ratios measured in one run (the VM's speed varies).
The CPU seconds and "cores busy" show whether the machine had two free cores to give, and the
load average is printed before and after: on a shared machine the wall-clock speed-up is capped
by what the other processes leave.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from typing import Any

import ivrscore as ivr


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")  # pragma: no cover - not Linux


_SPLIT: dict[str, float] = {}


def _timed(fn: Any) -> tuple[float, float, Any]:
    t0, c0 = time.perf_counter(), os.times()
    out = fn()
    t, c1 = time.perf_counter() - t0, os.times()
    _SPLIT["self"] = sum(c1[:2]) - sum(c0[:2])
    _SPLIT["workers"] = sum(c1[2:4]) - sum(c0[2:4])
    return t, sum(c1[:4]) - sum(c0[:4]), out  # CPU: this process and its finished workers


def bench_sweep(tree: ivr.PhoneTree, args: argparse.Namespace) -> None:
    agents = list(range(3, 3 + 20))
    patience = [60 + 60 * i for i in range(max(1, args.points // len(agents)))]
    grid = {"nodes.reception_queue.staffing.agents": agents, "callers.0.patience.mean_s": patience}
    n = len(agents) * len(patience)
    ivr.sweep(tree, [{}], engine="simulate", calls=1_000, jobs=1)  # warm-up: imports, kernel
    contenders = ["jobs=1"] + [f"jobs=2 {m}" for m in args.methods]
    client = _dask_client() if "dask" in args.methods else None
    best: dict[str, tuple[float, float]] = {}
    best_free: dict[str, float] = {}
    times: dict[str, list[float]] = {name: [] for name in contenders}
    records: dict[str, Any] = {}
    print(
        f"sweep: {n} points x {args.calls:,} simulated callers ({tree.name}), best of {args.rounds}"
    )
    for r in range(args.rounds):
        for name in contenders:
            jobs = 1 if name == "jobs=1" else 2
            on_dask = name.endswith("dask")
            if jobs == 2 and not on_dask:
                os.environ["IVRSCORE_START_METHOD"] = name.split()[1]

            def run(jobs: int = jobs, on_dask: bool = on_dask) -> Any:
                return ivr.sweep(
                    tree,
                    grid,
                    engine="simulate",
                    calls=args.calls,
                    rng=1,
                    jobs=jobs,
                    client=client if on_dask else None,
                    progress=False,
                )

            before = _dask_cpu(client) if on_dask else 0.0
            t, cpu, s = _timed(run)
            if on_dask:  # its workers outlive the run: ask them for their CPU seconds
                _SPLIT["workers"] = _dask_cpu(client) - before
                cpu = _SPLIT["self"] + _SPLIT["workers"]
            os.environ.pop("IVRSCORE_START_METHOD", None)
            records.setdefault(name, s.to_records())
            if records[name] != records["jobs=1"]:
                sys.exit(f"the sweep's numbers depend on the workers ({name})")
            # on two free cores: this process's CPU, then the workers' shared between two
            free = _SPLIT["self"] + _SPLIT["workers"] / jobs if jobs > 1 else cpu
            times[name].append(t)
            print(
                f"  round {r + 1} {name:12s} {t:7.2f} s; CPU {cpu:6.2f} s ({cpu / t:4.2f} cores)"
                f"; this process {_SPLIT['self']:5.2f} s, workers {_SPLIT['workers']:5.2f} s"
                f"; load average {os.getloadavg()[0]:.1f}"
            )
            if name not in best or t < best[name][0]:
                best[name] = (t, cpu)
            if name not in best_free or free < best_free[name]:
                best_free[name] = free
    t1 = best["jobs=1"][0]
    for name in contenders[1:]:
        implied = (  # a fork server's workers are its children, not this process's
            "n/a (the fork server's workers are not this process's children)"
            if name.endswith("forkserver")
            else f"{best_free['jobs=1'] / best_free[name]:.2f}x"
        )
        paired = sorted(a / b for a, b in zip(times["jobs=1"], times[name], strict=True))
        print(
            f"  speed-up {name} vs jobs=1: {t1 / best[name][0]:.2f}x wall-clock (best "
            f"{best[name][0]:.2f} s vs {t1:.2f} s); paired by round: median "
            f"{statistics.median(paired):.2f}x (range {paired[0]:.2f}-{paired[-1]:.2f}x); "
            f"from CPU seconds, on two free cores: {implied}"
        )
    print("  identical numbers in every run: True")
    if client is not None:
        client.close()
        client.cluster.close()


def _dask_client() -> Any:
    """A LocalCluster of two worker processes, one thread each, started once for all rounds
    (as a cluster is: its workers' start-up is not part of a sweep), warmed up."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    tree = ivr.load(ivr.examples.path("gp_surgery"))
    grid = [{"callers.0.patience.mean_s": 60 + i} for i in range(4)]
    ivr.sweep(tree, grid, engine="simulate", calls=1_000, client=client)  # imports, kernel
    return client


def _cpu_seconds() -> float:
    return time.process_time()


def _dask_cpu(client: Any) -> float:
    return float(sum(client.run(_cpu_seconds).values()))


def bench_big(tree: ivr.PhoneTree, args: argparse.Namespace) -> None:
    check = 5 * 65_536 + 11
    one = ivr.simulate(tree, calls=check, rng=3, records=False)
    two = ivr.simulate(tree, calls=check, rng=3, jobs=2)
    if json.dumps(one.to_dict()) != json.dumps(two.to_dict()):
        sys.exit("the spread simulation does not give one process's numbers")
    print(f"one simulation of {tree.name}; spread == one process on {check:,} callers: True")
    half = args.big_calls // 2
    rss0 = _rss_mb()
    t_one, cpu_one, _ = _timed(lambda: ivr.simulate(tree, calls=half, rng=2, records=False))
    print(
        f"  {half:,} callers in this process : {t_one:7.1f} s, CPU {cpu_one:6.1f} s "
        f"({half / t_one / 1e6:.2f}M callers/s); this process: {rss0:,.0f} MB before, "
        f"peak {_peak_mb(resource.RUSAGE_SELF):,.0f} MB"
    )
    t_two, cpu_two, big = _timed(lambda: ivr.simulate(tree, calls=args.big_calls, rng=2, jobs=2))
    print(
        f"  {args.big_calls:,} callers on 2 workers: {t_two:7.1f} s, CPU {cpu_two:6.1f} s "
        f"({args.big_calls / t_two / 1e6:.2f}M callers/s); peak memory per worker "
        f"{_peak_mb(resource.RUSAGE_CHILDREN):,.0f} MB"
    )
    free = _SPLIT["self"] + _SPLIT["workers"] / 2
    print(
        f"  ratio to one worker's half (ideal 1.0, issue: at most 1.2): {t_two / t_one:.2f} "
        f"wall-clock; from CPU seconds, on two free cores: {free / cpu_one:.2f} (this process "
        f"{_SPLIT['self']:.1f} s, workers {_SPLIT['workers']:.1f} s); abandoned "
        f"{big.outcomes['abandoned']:.5f} ± {big.stderr['abandoned']:.5f}"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--points", type=int, default=200)
    p.add_argument("--calls", type=int, default=20_000, help="callers per sweep point")
    p.add_argument("--big-calls", type=int, default=100_000_000, help="callers of the big run")
    p.add_argument("--rounds", type=int, default=3, help="rounds of the sweep (best of)")
    p.add_argument(
        "--methods",
        default="fork,spawn",
        help="start methods of the 2-worker pool, and 'dask' for a 2-worker LocalCluster",
    )
    p.add_argument(
        "--thread",
        action="store_true",
        help="keep a second thread alive, as a notebook does (forking is then unsafe)",
    )
    p.add_argument("--skip-sweep", action="store_true")
    p.add_argument("--skip-big", action="store_true")
    args = p.parse_args()
    args.methods = [m for m in args.methods.split(",") if m]
    if args.thread:
        import threading

        threading.Thread(target=threading.Event().wait, daemon=True).start()
    tree = ivr.load(ivr.examples.path("gp_surgery"))
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if not args.skip_sweep:
        bench_sweep(tree, args)
        print(f"load average: {os.getloadavg()[0]:.1f}")
    if not args.skip_big:
        bench_big(tree, args)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
