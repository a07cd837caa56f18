"""Benchmark: ivrscore.simulate against a plain-Python per-caller reference and SimPy.

Run: ``python benchmarks/bench_simulate.py [--calls N]``. Prints callers/s, caller-node visits/s
and the ratios, all measured in this run on this machine (one core: numpy element-wise work is
single-threaded). SimPy is optional (``pip install -e ".[bench]"``). Results are printed, not
stored.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reference import simulate_python, simulate_simpy

import ivrscore as ivr


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--calls", type=int, default=1_000_000, help="callers for ivrscore.simulate")
    p.add_argument("--reference-calls", type=int, default=20_000, help="callers for the references")
    p.add_argument("--example", default="acme_telecom")
    args = p.parse_args()
    tree = ivr.load(ivr.examples.path(args.example))
    ivr.simulate(tree, calls=1_000, rng=0)  # warm-up (imports, caches)

    t0 = time.perf_counter()
    sim = ivr.simulate(tree, calls=args.calls, rng=1, progress=False)
    t_vec = time.perf_counter() - t0
    visits = int(sim.records["steps"].sum())

    t0 = time.perf_counter()
    ref_out, ref_visits = simulate_python(tree, args.reference_calls, seed=1)
    t_py = time.perf_counter() - t0

    simpy = None
    t0 = time.perf_counter()
    res = simulate_simpy(tree, args.reference_calls, seed=1)
    t_simpy = time.perf_counter() - t0
    if res is not None:
        simpy = res

    def row(name: str, calls: int, seconds: float, n_visits: int) -> None:
        print(
            f"{name:<28} {calls:>10,} callers {seconds:8.2f} s {calls / seconds:>12,.0f} callers/s "
            f"{n_visits / seconds:>14,.0f} visits/s"
        )

    print(f"tree: {tree.name}")
    row("ivrscore.simulate (numpy)", args.calls, t_vec, visits)
    row("plain Python, per caller", args.reference_calls, t_py, ref_visits)
    if simpy is not None:
        row("SimPy processes", args.reference_calls, t_simpy, simpy[1])
    rate_vec = args.calls / t_vec
    print(
        f"\nspeed-up over plain Python: {rate_vec / (args.reference_calls / t_py):,.0f}x (callers/s)"
    )
    if simpy is not None:
        print(
            f"speed-up over SimPy:        {rate_vec / (args.reference_calls / t_simpy):,.0f}x (callers/s)"
        )
    else:
        print("SimPy not installed: pip install simpy (or the 'bench' extra) to compare")
    n = args.reference_calls
    print("\nsame model, same answers (abandoned / resolved by agent):")
    print(f"  numpy   {sim.outcomes['abandoned']:.4f} / {sim.outcomes['resolved_by_agent']:.4f}")
    print(f"  Python  {ref_out['abandoned'] / n:.4f} / {ref_out['resolved_by_agent'] / n:.4f}")
    exact = ivr.analyze(tree)
    print(
        f"  exact   {exact.outcomes['abandoned']:.4f} / {exact.outcomes['resolved_by_agent']:.4f}"
    )


if __name__ == "__main__":
    main()
