"""Benchmark: peak memory of big simulations, and the first simulate in a fresh process.

Run: ``python benchmarks/bench_memory.py [--calls N]``. Each figure is measured in a fresh
Python process (peak resident set size from ``resource``), so one run does not inflate the
next. Results are printed, not stored.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

PEAK = (
    "import resource, ivrscore as ivr; "
    "tree = ivr.load(ivr.examples.path('acme_telecom')); "
    "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
    "sim = ivr.simulate(tree, calls={calls}, rng=1, records={records}, progress=False); "
    "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
    "print(f'{{peak / 2**20:.2f}} {{base / 2**20:.2f}}')"
)

FIRST = (
    "import time; t0 = time.perf_counter(); import ivrscore as ivr; "
    "tree = ivr.load(ivr.examples.path('acme_telecom')); t1 = time.perf_counter(); "
    "ivr.simulate(tree, calls=1_000, rng=1); t2 = time.perf_counter(); "
    "print(f'{t1 - t0:.2f} {t2 - t1:.2f}')"
)


def run(code: str, env: dict[str, str] | None = None) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    return [float(x) for x in out.split()]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--calls", type=int, default=10_000_000)
    args = p.parse_args()
    for records in (False, True):
        peak, base = run(PEAK.format(calls=args.calls, records=records))
        print(
            f"{args.calls:,} callers, records={records}: peak {peak:.2f} GB "
            f"(of which {base:.2f} GB before simulating)"
        )
    warm = run(FIRST)
    print(
        f"fresh process, warm cache: import + load {warm[0]:.2f} s, first simulate {warm[1]:.2f} s"
    )
    with tempfile.TemporaryDirectory() as cache:
        cold = run(FIRST, env={**os.environ, "NUMBA_CACHE_DIR": cache})
    print(
        f"fresh process, empty cache: import + load {cold[0]:.2f} s, first simulate {cold[1]:.2f} s"
    )


if __name__ == "__main__":
    main()
