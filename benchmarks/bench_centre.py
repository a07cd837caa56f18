"""One week of a 200-agent contact centre: ivrscore's compiled centre simulation against SimPy.

The same model on both sides: about 100,000 calls a week arriving by the office-hours profile
(a Poisson process with a constant rate within each hour), a 20-second menu, 60% of callers to
billing and 40% to faults, both answered by one pool of 200 agents on duty 08:00-20:00 on
weekdays and 09:00-17:00 on Saturdays (first come first served across the two queues; a
shift that ends stays to answer the callers who rang while it was on), 300-second exponential
handling, exponential patience with a 5-minute mean (patience spent in the menu too).

The SimPy side is the model as a SimPy user writes it: a process per caller, the pool a
``PriorityResource`` of 200, reneging as ``request | timeout(patience left)``, off-duty agents
held by blocker requests that outrank callers who rang after the shift ended (callers who rang
during it outrank the blockers, so a leaving shift answers them). Its one difference: callers
who rang off duty and still wait when a shift starts queue behind those who ring after it
(priority, then time), where ivrscore keeps the line first come first served; with 5-minute
patience that is a handful of calls a week. ivrscore draws the end of the next call in the pool
rather than one per call (exponential handling: the same law), so it keeps no event per call.

Run: ``python benchmarks/bench_centre.py [--repeat 3]``. Prints each side's best wall and CPU
time (the machine is shared: CPU time is the steadier), the calls simulated, and the ratios,
measured in the same run (interleaved). ivrscore is timed twice: on a tree just loaded (the
call compiles it) and on a tree it has simulated before (another seed: the compiled tables are
kept per tree), the way replications run.
"""

from __future__ import annotations

import argparse
import math
import random
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


def run_ivrscore(seed: int, tree: ivr.PhoneTree | None = None) -> tuple[float, float, int, float]:
    """One week of the centre; a tree just loaded (compiled in the call) unless ``tree`` is
    given (a run of a tree already simulated: another seed, a replication)."""
    tree = ivr.loads(TREE) if tree is None else tree
    t0, c0 = time.perf_counter(), time.process_time()
    run = ivr.simulate_centre(tree, rng=seed)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return wall, cpu, run.calls, run.outcomes["abandoned"]


def run_simpy(seed: int) -> tuple[float, float, int, float]:
    import simpy

    tree = ivr.loads(TREE)
    weights = tree.arrival_weights().reshape(-1)
    weekly = 100_000.0
    on = np.zeros(168, dtype=int)
    for d in range(5):
        on[d * 24 + 8 : d * 24 + 20] = 200
    on[5 * 24 + 9 : 5 * 24 + 17] = 200
    # Python's own generator: the fastest draws a SimPy model makes (numpy's are slower one
    # at a time); the counts per hour come from numpy's Poisson, once an hour
    rnd = random.Random(seed)
    gen = np.random.default_rng(seed)
    t0, c0 = time.perf_counter(), time.process_time()
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
        yield env.timeout(rnd.expovariate(1 / 300.0))
        agents.release(req)

    def arrivals(env: simpy.Environment) -> simpy.events.Event:
        for h in range(-24, 168):  # the clock starts at the warm-up: t = 0 is Sunday 00:00
            n = gen.poisson(weekly * weights[h % 168])
            times = sorted(rnd.random() * 3600.0 + (h + 24) * 3600.0 for _ in range(n))
            for t in times:
                yield env.timeout(t - env.now)
                measured = h >= 0
                counts["calls"] += measured
                patience = rnd.expovariate(1 / 300.0)
                env.process(caller(env, patience, 20.0, on[h % 168] > 0, measured))

    env.process(shift(env))
    env.process(arrivals(env))
    env.run(until=(24 + 168 + 6) * 3600.0)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return wall, cpu, counts["calls"], counts["abandoned"] / counts["calls"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    kept = ivr.loads(TREE)
    run_ivrscore(0, kept)  # compile the kernel (or load the cache) outside the timing
    ours, again, theirs = [], [], []
    for r in range(args.repeat):
        ours.append(run_ivrscore(r))
        again.append(run_ivrscore(r, kept))
        theirs.append(run_simpy(r))
    for name, runs in (
        ("ivrscore, a new tree", ours),
        ("ivrscore, same tree", again),
        ("SimPy, same model", theirs),
    ):
        wall = min(o[0] for o in runs)
        cpu = min(o[1] for o in runs)
        print(
            f"{name:<22} best {wall:.3f} s wall, {cpu:.3f} s CPU, {runs[0][2]:,} calls "
            f"(abandoned {np.mean([o[3] for o in runs]):.1%})"
        )
    for k, what in ((0, "wall"), (1, "CPU")):
        for runs, which in ((ours, "a new tree"), (again, "same tree")):
            ratio = min(t[k] for t in theirs) / min(o[k] for o in runs)
            print(f"ratio SimPy / ivrscore ({which}), best {what} time: {ratio:.0f}x")
    assert math.isfinite(min(o[0] for o in ours))


if __name__ == "__main__":
    main()
