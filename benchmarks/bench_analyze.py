"""Benchmark: ivrscore.analyze against a dense solve and a per-state Python chain builder.

Run: ``python benchmarks/bench_analyze.py [--nodes 2000]``. The tree is synthetic
(``big_tree.py``): a menu hierarchy with identity inputs, staffed queues with opening hours,
agents that re-ask and transfer. Reports the time of ivrscore.analyze (compiling the caller
model and the sparse solves), of solving the same chains with dense numpy, and of a reference
that builds each chain as a Python dict of dicts and inverts I - Q densely (PyDTMC-style).

``--scale 10000 [--against /path/to/other/checkout] [--rounds 3]`` times instead what a user
waits for on a large tree: ``compile_tree``, ``analyze``, ``lint`` and ``score`` of
``big_tree(N)``, CPU and wall seconds, best of the rounds, each round in a fresh process; with
``--against``, the same in a process importing ivrscore from that checkout, run in turn with
this one (A B A B ...), and the ratios. On a shared machine trust the CPU ratios.

``--commands FILE [--against ...] [--rounds 3]`` times whole commands as a user runs them:
``ivrscore validate``, ``lint`` and ``score`` of FILE (a 10^5-node file: issue 12 asks for each
in under 20 s, load included; ``score`` may refuse the tree in one line), CPU (the child's user +
system) and wall seconds, best of the rounds, interleaved with ``--against`` as above. Write the
file first, e.g. ``big_tree(100_000)`` with ``ivr.dump``. ``--commands small`` times the same
three commands on ``gp_surgery`` (issue 14's cold start: validate and lint in 0.3 s).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from big_tree import big_tree

import ivrscore as ivr
from ivrscore.engine._compile import compile_tree
from ivrscore.engine.analyze import step_moments


def chains(c):  # type: ignore[no-untyped-def]
    order = np.argsort(c.state_chain, kind="stable")
    bounds = np.searchsorted(c.state_chain[order], np.arange(len(c.chains) + 1))
    for ci in range(len(c.chains)):
        yield ci, np.sort(order[bounds[ci] : bounds[ci + 1]])


def dense(c, theta):  # type: ignore[no-untyped-def]
    total = 0.0
    for ci, states in chains(c):
        lo, hi = c.alt_start[states[0]], c.alt_start[states[-1] + 1]
        alts = np.arange(lo, hi)
        surv, _, _ = step_moments(c, theta, alts)
        n = states.size
        q = np.zeros((n, n))
        rows = c.alt_state[alts] - states[0]
        nxt = c.alt_next[alts]
        has = nxt >= 0
        np.add.at(q, (rows[has], nxt[has] - states[0]), c.alt_prob[alts][has] * surv[has])
        e = np.zeros(n)
        e[c.chains[ci].start - states[0]] = 1
        y = np.linalg.solve((np.eye(n) - q).T, e)
        total += y.sum()
    return total


def python_builder(c, theta):  # type: ignore[no-untyped-def]
    total = 0.0
    for ci, states in chains(c):
        first = int(states[0])
        q: dict[int, dict[int, float]] = {}
        lo, hi = int(c.alt_start[first]), int(c.alt_start[states[-1] + 1])
        surv, _, _ = step_moments(c, theta, np.arange(lo, hi))
        for i in range(lo, hi):  # one state and alternative at a time, in Python
            s, t = int(c.alt_state[i]) - first, int(c.alt_next[i])
            if t >= 0:
                row = q.setdefault(s, {})
                row[t - first] = row.get(t - first, 0.0) + float(c.alt_prob[i] * surv[i - lo])
        n = states.size
        m = np.eye(n)
        for s, row in q.items():
            for t, p in row.items():
                m[s, t] -= p
        fundamental = np.linalg.inv(m)
        total += fundamental[c.chains[ci].start - first].sum()
    return total


PARTS = ("compile", "analyze", "lint", "score")


def time_parts(n: int) -> dict[str, tuple[float, float]]:
    """CPU and wall seconds of each part on ``big_tree(n)``, after a warm-up on a small tree."""
    import warnings

    warnings.simplefilter("ignore")
    tree = big_tree(n)
    ivr.score(big_tree(50))
    calls = {
        "compile": lambda: compile_tree(tree),
        "analyze": lambda: ivr.analyze(tree),
        "lint": lambda: ivr.lint(tree),
        "score": lambda: ivr.score(tree),
    }
    out = {}
    for name in PARTS:
        c0, w0 = time.process_time(), time.perf_counter()
        calls[name]()
        out[name] = (time.process_time() - c0, time.perf_counter() - w0)
    return out


def scale(n: int, against: str | None, rounds: int) -> None:
    runs: dict[str, list[dict[str, tuple[float, float]]]] = {"this": [], "against": []}
    here = str(Path(__file__).resolve())
    for _ in range(rounds):
        for who in ("this", "against") if against else ("this",):
            env = dict(os.environ)
            if who == "against":
                assert against is not None
                env["PYTHONPATH"] = against
            out = subprocess.run(
                [sys.executable, here, "--time-parts", str(n)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            runs[who].append(json.loads(out.strip().splitlines()[-1]))
    print(f"big_tree({n:,}), best of {rounds} (CPU s / wall s)")
    for name in PARTS:
        a = [min(r[name][k] for r in runs["this"]) for k in (0, 1)]
        line = f"  {name:8s} this {a[0]:6.2f} / {a[1]:6.2f}"
        if against:
            b = [min(r[name][k] for r in runs["against"]) for k in (0, 1)]
            line += f"   against {b[0]:6.2f} / {b[1]:6.2f}   ratio CPU {a[0] / b[0]:.2f}"
            line += f", wall {a[1] / b[1]:.2f}"
        print(line)


def commands(file: str, against: str | None, rounds: int) -> None:
    import resource
    import tempfile

    if file == "small":
        file = str(ivr.examples.path("gp_surgery"))
    file = str(Path(file).resolve())
    away = tempfile.gettempdir()  # `-m` puts the working folder first: not a checkout's
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(rounds):
        for cmd in ("validate", "lint", "score"):
            for who in ("this", "against") if against else ("this",):
                env = dict(os.environ)
                if who == "against":
                    assert against is not None
                    env["PYTHONPATH"] = against
                r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                w0 = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "ivrscore", cmd, file],
                    env=env,
                    cwd=away,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                wall = time.perf_counter() - w0
                r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime
                runs.setdefault((cmd, who), []).append((cpu, wall))
    print(f"ivrscore COMMAND {file}, best of {rounds} (CPU s / wall s)")
    for cmd in ("validate", "lint", "score"):
        a = [min(r[k] for r in runs[cmd, "this"]) for k in (0, 1)]
        line = f"  {cmd:8s} this {a[0]:6.2f} / {a[1]:6.2f}"
        if against:
            b = [min(r[k] for r in runs[cmd, "against"]) for k in (0, 1)]
            line += f"   against {b[0]:6.2f} / {b[1]:6.2f}   ratio CPU {a[0] / b[0]:.2f}"
        print(line)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--nodes", type=int, default=2000)
    p.add_argument("--tasks", type=int, default=10)
    p.add_argument("--scale", type=int, help="time compile, analyze, lint, score at N nodes")
    p.add_argument("--against", help="a checkout of ivrscore to compare with (its top folder)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--commands", help="time validate, lint and score of FILE (or 'small')")
    p.add_argument("--time-parts", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.time_parts:
        print(json.dumps(time_parts(args.time_parts)))
        return
    if args.scale:
        scale(args.scale, args.against, args.rounds)
        return
    if args.commands:
        commands(args.commands, args.against, args.rounds)
        return
    tree = big_tree(args.nodes, n_tasks=args.tasks)
    ivr.analyze(big_tree(200, n_tasks=2))  # warm-up
    t0 = time.perf_counter()
    result = ivr.analyze(tree)
    t_total = time.perf_counter() - t0
    t0 = time.perf_counter()
    c = compile_tree(tree)
    t_compile = time.perf_counter() - t0
    theta = 1 / 240
    print(
        f"tree: {len(tree.nodes):,} nodes, {len(tree.tasks)} tasks; {len(c.chains)} chains, "
        f"{c.n_states:,} states, {c.alt_state.size:,} alternatives"
    )
    print(
        f"ivrscore.analyze            {t_total:6.2f} s  (compile {t_compile:.2f} s, "
        f"sparse solves {t_total - t_compile:.2f} s)"
    )
    t0 = time.perf_counter()
    dense(c, theta)
    t_dense = time.perf_counter() - t0
    print(
        f"dense numpy solves          {t_dense:6.2f} s  (solve part only; sparse is "
        f"{t_dense / max(t_total - t_compile, 1e-9):.1f}x faster)"
    )
    t0 = time.perf_counter()
    python_builder(c, theta)
    t_py = time.perf_counter() - t0
    print(f"Python builder + dense inv  {t_py:6.2f} s  ({t_py / t_total:.1f}x ivrscore.analyze)")
    print(
        f"abandoned {result.outcomes['abandoned']:.4f}, resolved {result.metrics['p_resolved']:.4f}"
    )


if __name__ == "__main__":
    main()
