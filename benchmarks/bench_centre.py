"""One week of a 200-agent contact centre: ivrscore's compiled centre simulation against SimPy.

The same model on both sides: about 100,000 calls a week arriving by the office-hours profile
(a Poisson process with a constant rate within each hour), a 20-second menu, 60% of callers to
billing and 40% to faults, both answered by one pool of 200 agents on duty 08:00-20:00 on
weekdays and 09:00-17:00 on Saturdays (first come first served across the two queues; a
shift that ends stays to answer the callers who rang while it was on), 300-second exponential
handling, exponential patience with a 5-minute mean (patience spent in the menu too).

Run: ``python benchmarks/bench_centre.py [--repeat 3]``. Prints each side's best time, the
calls simulated, and the ratio, measured in the same run (interleaved).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

import ivrscore as ivr

TREE = """
name: a 200-agent centre
entry: menu
volume: {calls_per_week: 100000}
arrivals: office_hours
schedules: {day: {mon-fri: "08:00-20:00", sat: "09:00-17:00"}}
pools: {team: {agents: {day: 200, otherwise: 0}, handle_time_s: 300}}
tasks: [{name: billing, share: 0.6}, {name: faults, share: 0.4}]
callers: {patience: {mean_s: 300}, wants_human: 0, choice_error: 0, barge_in: 0,
          response_s: 0}
nodes:
  menu:
    type: menu
    duration_s: 20
    options:
      "1": {next: billing_q, for: [billing]}
      "2": {next: faults_q, for: [faults]}
    on_failure: billing_q
  billing_q: {type: queue, staffing: {pool: team}, next: billing_agent}
  billing_agent: {type: agent, handles: [billing]}
  faults_q: {type: queue, staffing: {pool: team}, next: faults_agent}
  faults_agent: {type: agent, handles: [faults]}
"""


def run_ivrscore(seed: int) -> tuple[float, int, float]:
    tree = ivr.loads(TREE)
    t0 = time.perf_counter()
    run = ivr.simulate_centre(tree, rng=seed)
    return time.perf_counter() - t0, run.calls, run.outcomes["abandoned"]


def run_simpy(seed: int) -> tuple[float, int, float]:
    import simpy

    tree = ivr.loads(TREE)
    weights = tree.arrival_weights().reshape(-1)
    weekly = 100_000.0
    on = np.zeros(168, dtype=int)
    for d in range(5):
        on[d * 24 + 8 : d * 24 + 20] = 200
    on[5 * 24 + 9 : 5 * 24 + 17] = 200
    gen = np.random.default_rng(seed)
    t0 = time.perf_counter()
    env = simpy.Environment()
    agents = simpy.PriorityResource(env, capacity=200)
    counts = {"calls": 0, "abandoned": 0}

    def shift(env: simpy.Environment) -> simpy.events.Event:
        """Off-duty agents are held by blockers at a higher priority than callers who ring
        after the shift: they take an agent as soon as it finishes its call, and free it
        when the shift starts."""
        held: list[simpy.resources.resource.PriorityRequest] = []
        for h in range(-24, 168):
            want_off = 200 - on[h % 168]
            while len(held) < want_off:
                held.append(agents.request(priority=-1))
            while len(held) > want_off:
                r = held.pop()
                if r.triggered:
                    agents.release(r)
                else:
                    r.cancel()
            yield env.timeout(3600.0)

    def caller(
        env: simpy.Environment, patience: float, menu_s: float, rang_on_duty: bool, counted: bool
    ) -> simpy.events.Event:
        if patience < menu_s:
            counts["abandoned"] += counted
            return
        yield env.timeout(menu_s)
        left = patience - menu_s
        # callers who rang while a shift was on are answered before it leaves (-2 beats
        # the off-duty blockers at -1), as in ivrscore
        req = agents.request(priority=-2 if rang_on_duty else 0)
        got = yield req | env.timeout(left)
        if req not in got:
            req.cancel()
            counts["abandoned"] += counted
            return
        yield env.timeout(gen.exponential(300.0))
        agents.release(req)

    def arrivals(env: simpy.Environment) -> simpy.events.Event:
        for h in range(-24, 168):  # the clock starts at the warm-up: t = 0 is Sunday 00:00
            n = gen.poisson(weekly * weights[h % 168])
            times = np.sort(gen.random(n)) * 3600.0 + (h + 24) * 3600.0
            for t in times:
                yield env.timeout(t - env.now)
                measured = h >= 0
                counts["calls"] += measured
                env.process(caller(env, gen.exponential(300.0), 20.0, on[h % 168] > 0, measured))

    env.process(shift(env))
    env.process(arrivals(env))
    env.run(until=(24 + 168 + 6) * 3600.0)
    return time.perf_counter() - t0, counts["calls"], counts["abandoned"] / counts["calls"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    run_ivrscore(0)  # compile (or load the cache) outside the timing
    ours, theirs = [], []
    for r in range(args.repeat):
        ours.append(run_ivrscore(r))
        theirs.append(run_simpy(r))
    best_ours = min(o[0] for o in ours)
    best_theirs = min(t[0] for t in theirs)
    print(
        f"ivrscore simulate_centre: {best_ours:.3f} s for {ours[0][1]:,} calls "
        f"(abandoned {np.mean([o[2] for o in ours]):.1%})"
    )
    print(
        f"SimPy, same model:        {best_theirs:.3f} s for {theirs[0][1]:,} calls "
        f"(abandoned {np.mean([t[2] for t in theirs]):.1%})"
    )
    print(f"ratio: SimPy / ivrscore = {best_theirs / best_ours:.0f}x")
    assert math.isfinite(best_ours)


if __name__ == "__main__":
    main()
