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

FIRST = """
import time
T = time.process_time
t0 = T()
import ivrscore as ivr
tree = ivr.load(ivr.examples.path({name!r}))
t1 = T()
from ivrscore.engine._compile import compile_tree
c = compile_tree(tree)
t2 = T()
if c.dynamic:
    from ivrscore.engine.analyze import thetas_of
    from ivrscore.engine.dynamics import solve_week
    solve_week(c, thetas_of(c, approximate=True), c.alt_closed_after())
t3 = T()
import numba
t4 = T()
import numpy as np
from ivrscore.engine._kernel import alias_tables
alias_tables(np.ones(2), np.array([0, 2]))
t5 = T()
sim = ivr.simulate(tree, calls=1_000, rng=1)
t6 = T()
ivr.simulate(tree, calls=1_000, rng=1, records=False)
t7 = T()
sim.paths(1)
t8 = T()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5, t7 - t6, t8 - t7)
"""
"""The first simulate in a fresh process, in CPU seconds, in the order it pays for them:
import and load; the model's own work (``compile_tree``, and the hour-by-hour queue solve of a
tree with ``volume:``, kept per tree); ``import numba``; numba's first dispatch (loading its
registries, which imports scipy.linalg, and one cached kernel); then ``simulate`` (the
compile again, the step tables, loading the walk from the cache, 1,000 callers); then the walk's other compiled variants (numba compiles one per
combination of records and trace: none with records=False, a traced one for ``paths``)."""


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
    for name in ("gp_surgery", "acme_telecom"):
        for label, empty in (("warm cache", False), ("empty cache", True)):
            with tempfile.TemporaryDirectory() as cache:
                env = {**os.environ, "NUMBA_CACHE_DIR": cache} if empty else None
                load, comp, week, numba, dispatch, first, bare, traced = run(
                    FIRST.format(name=name), env
                )
            print(
                f"{name}, fresh process, {label}: import + load {load:.2f} s CPU, then "
                f"{comp + week + numba + dispatch + first:.2f} s to the first answer: "
                f"the model's own work {comp + week:.2f} (compile_tree {comp:.2f}, hour-by-hour "
                f"queues {week:.2f}), numba {numba + dispatch + first:.2f} (import numba "
                f"{numba:.2f}, first dispatch {dispatch:.2f}, simulate {first:.2f}); then "
                f"records=False {bare:.2f} s, paths {traced:.2f} s"
            )


if __name__ == "__main__":
    main()
