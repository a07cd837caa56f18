"""Benchmark: how long ``ivrscore validate`` and ``ivrscore lint`` take to start and finish on a
small file, against the floor every pydantic + PyYAML program pays, measured in the same run.

Run: ``python benchmarks/bench_start.py [--rounds 7] [--no-bytecode]``. Each command runs in a
fresh process; the contenders are interleaved round by round (so a change of load hits them all)
and each figure is the median over the rounds, wall clock and CPU (user + system of the child,
from ``os.wait4``). Results are printed, not stored.

The bytecode cache is switched on in a temporary folder (``PYTHONPYCACHEPREFIX``) and warmed by
one unmeasured round, as it is after any ``pip install``: a shell with
``PYTHONDONTWRITEBYTECODE=1`` (some sandboxes and containers set it) recompiles every module of
the package at each start, which costs about 0.08 s here. ``--no-bytecode`` measures that case.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

FLOOR = (
    "import pydantic, yaml\n"
    "class A(pydantic.BaseModel):\n"
    "    x: int = 1\n"
    "    y: str | None = None\n"
    "A(x=2)\n"
)
"""The floor: the interpreter, pydantic and PyYAML imported, and one small model built."""


def contenders() -> dict[str, list[str]]:
    py = sys.executable
    small = str(EXAMPLES / "energy_supplier.yaml")  # no staffed queue: numpy is never imported
    staffed = str(EXAMPLES / "gp_surgery.yaml")  # staffed queues: Erlang A needs numpy
    return {
        "python -c pass": [py, "-c", "pass"],
        "floor (pydantic + yaml + one model)": [py, "-c", FLOOR],
        "import ivrscore": [py, "-c", "import ivrscore"],
        "validate energy_supplier": [py, "-m", "ivrscore", "validate", small],
        "lint energy_supplier": [py, "-m", "ivrscore", "lint", small],
        "validate gp_surgery (staffed)": [py, "-m", "ivrscore", "validate", staffed],
        "lint gp_surgery (staffed)": [py, "-m", "ivrscore", "lint", staffed],
    }


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process (its output is discarded)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # lint exits 1 when it finds something
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--no-bytecode", action="store_true", help="run with PYTHONDONTWRITEBYTECODE=1"
    )
    args = parser.parse_args()
    cmds = contenders()
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ)
        if args.no_bytecode:  # installed packages keep their caches; this package has none
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            env.pop("PYTHONPYCACHEPREFIX", None)
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = cache
        for cmd in cmds.values():  # warm the bytecode cache and the file system
            run_once(cmd, env)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
        for _ in range(args.rounds):
            for name, cmd in cmds.items():
                times[name].append(run_once(cmd, env))
    load = os.getloadavg()[0]
    floor = statistics.median(w for w, _ in times["floor (pydantic + yaml + one model)"])
    print(
        f"median of {args.rounds} fresh processes, bytecode cache "
        f"{'off' if args.no_bytecode else 'on'}, load {load:.2f}"
    )
    print(f"{'command':38s} {'wall s':>7s} {'cpu s':>7s} {'over floor':>10s}")
    for name, rows in times.items():
        wall = statistics.median(w for w, _ in rows)
        cpu = statistics.median(c for _, c in rows)
        print(f"{name:38s} {wall:7.3f} {cpu:7.3f} {wall - floor:+10.3f}")


if __name__ == "__main__":
    main()
