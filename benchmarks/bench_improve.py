"""Benchmark: how long ``ivr.improve`` takes to plan, and where the time goes.

Run: ``python benchmarks/bench_improve.py [--example acme_telecom] [--screen 3]``. Times the
whole plan, and in the same run one exact score of the tree (the unit of work the planner
repeats) and one score of its frozen-wait copy (what the screen costs per candidate), so the
plan's time can be read as a number of exact analyses. Nothing is asserted: speed lives here,
not in the tests. Times are process CPU seconds (``time.process_time``: the machine is shared,
so wall time says more about the neighbours than about the plan), printed with the load
average.
"""

from __future__ import annotations

import argparse
import os
import time

import ivrscore as ivr
from ivrscore.improve import _plan
from ivrscore.improve._plan import _build, _frozen

SPENT = {"exact": 0.0, "screen": 0.0}
"""CPU seconds the plan spent in scoring, split by what was scored (a tree with ``volume:``
is an exact score, its frozen-wait copy a screen)."""


def _timed_score(tree, std):  # type: ignore[no-untyped-def]
    t0 = time.process_time()
    try:
        return _SCORE(tree, std)
    finally:
        SPENT["exact" if tree.volume is not None else "screen"] += time.process_time() - t0


_SCORE = _plan._score


def best_of(n: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(n):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--example", default="acme_telecom")
    ap.add_argument("--screen", type=int, default=1)
    ap.add_argument("--max-edits", type=int, default=10)
    args = ap.parse_args()
    tree = ivr.load(ivr.examples.path(args.example))
    report = ivr.score(tree)  # warm caches (numba, imports)
    exact = best_of(2, lambda: ivr.score(tree.model_copy()))  # a copy: nothing kept for it
    frozen_doc = _frozen(tree.to_dict(), report)
    frozen = _build(frozen_doc) if frozen_doc is not None else None
    screen = (
        best_of(3, lambda: ivr.score(frozen.model_copy())) if frozen is not None else float("nan")
    )
    _plan._score = _timed_score  # type: ignore[assignment]
    t0 = time.process_time()
    plan = ivr.improve(tree, max_edits=args.max_edits, screen=args.screen)
    total = time.process_time() - t0
    _plan._score = _SCORE
    exact = min(exact, best_of(2, lambda: ivr.score(tree.model_copy())))  # before and after
    print(plan.text())
    print()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.example}: plan of {len(plan.steps)} edits in {total:.1f} s CPU (load {load})")
    print(f"  one exact score {exact:.2f} s; one frozen-wait screen score {screen:.3f} s")
    print(
        f"  exact analyses {plan.evaluated} (~{plan.evaluated * exact:.0f} s at the first tree's "
        f"speed), screened {plan.screened} (~{plan.screened * screen:.0f} s)"
    )
    print(f"  plan time / one exact score: {total / exact:.0f}x")
    floor = len(plan.steps) + 1
    print(f"  floor: {floor} exact scores (the tree and each accepted step)")
    print(
        f"  measured inside the plan: exact scores {SPENT['exact']:.1f} s, screens "
        f"{SPENT['screen']:.1f} s, the rest {total - SPENT['exact'] - SPENT['screen']:.1f} s"
    )


if __name__ == "__main__":
    main()
