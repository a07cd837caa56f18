"""Reference implementations of the caller model for the benchmarks (not part of the package).

``simulate_python`` follows one caller at a time through the ``PhoneTree`` itself, in plain
Python (``random``), deciding at each node as the model says: what a straightforward
implementation of DESIGN section 4 looks like. ``simulate_simpy`` runs the same callers as
SimPy processes. Both report outcome shares, so the benchmark also checks that they agree with
``ivrscore.simulate``.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from typing import Any

import ivrscore as ivr
from ivrscore.engine._compile import VARIABLE_DIGITS, _Builder
from ivrscore.graph import menu_timeline, node_duration_s
from ivrscore.model import (
    Agent,
    Branch,
    Exponential,
    Input,
    Lognormal,
    Menu,
    Message,
    Queue,
    SelfService,
)
from ivrscore.timeofday import minute_patterns


class _Model:
    """What every caller needs, computed once per tree (fair to both references)."""

    def __init__(self, tree: ivr.PhoneTree) -> None:
        self.tree = tree
        b = _Builder(tree)
        self.builder = b
        self.cost = b.cost
        self.dur = {nid: node_duration_s(n, tree) for nid, n in tree.nodes.items()}
        self.timeline = {
            nid: menu_timeline(n, tree) for nid, n in tree.nodes.items() if isinstance(n, Menu)
        }
        self.zero = {
            nid: [k for k in n.options if k in b.zero_keys.get(nid, ())]
            for nid, n in tree.nodes.items()
            if isinstance(n, Menu)
        }
        pats, self.minute_pattern = minute_patterns(tree)
        self.patterns = [p.open for p in pats]
        w = tree.arrival_weights().reshape(-1)
        self.minute_cum = list(itertools.accumulate(x / 60.0 for x in w for _ in range(60)))
        self.minutes = range(len(self.minute_cum))
        self.tasks = list(tree.task_names)
        self.task_w = [t.share for t in tree.tasks]
        self.personas = tree.personas
        self.persona_w = [p.share for p in self.personas]
        self.queue = {}
        for nid, n in tree.nodes.items():
            if isinstance(n, Queue) and n.staffing is not None:
                qi = b.queue_model(nid, n)
                self.queue[nid] = (
                    b.queues[qi].p_wait,
                    list(b.queues[qi].ahead_distribution()),
                    list(b.queue_rates[qi]),
                )


def _wait(m: _Model, nid: str, q: Queue, rnd: random.Random) -> float:
    if q.wait is not None:
        if isinstance(q.wait, Exponential):
            return rnd.expovariate(1.0 / q.wait.mean_s)
        assert isinstance(q.wait, Lognormal)
        return rnd.lognormvariate(math.log(q.wait.median_s), q.wait.sigma)
    if nid in m.queue:
        p_wait, ahead, rates = m.queue[nid]
        if rnd.random() >= p_wait:
            return 0.0
        k = rnd.choices(range(len(ahead)), cum_weights=ahead)[0]
        return sum(rnd.expovariate(rates[j]) for j in range(k + 1))
    return 0.0


def one_call(m: _Model, rnd: random.Random) -> tuple[str, int]:
    """One caller, plain Python. Returns the outcome and the number of steps."""
    tree = m.tree
    task = rnd.choices(m.tasks, weights=m.task_w)[0]
    persona = rnd.choices(m.personas, weights=m.persona_w)[0]
    zo = rnd.random() < persona.wants_human
    minute = rnd.choices(m.minutes, cum_weights=m.minute_cum)[0]
    pattern = m.patterns[int(m.minute_pattern[minute])]
    pat = persona.patience
    if isinstance(pat, Exponential):
        left = rnd.expovariate(1.0 / pat.mean_s)
    elif isinstance(pat, Lognormal):
        left = rnd.lognormvariate(math.log(pat.median_s), pat.sigma)
    else:
        left = math.inf
    costs = m.cost[task]
    nid: str | None = tree.entry
    attempt = 0
    steps = 0

    def spend(d: float) -> bool:
        nonlocal left
        if d > left:
            return False
        left -= d
        return True

    while True:
        steps += 1
        if nid is None or nid not in tree.nodes:
            return "disconnected", steps
        node = tree.nodes[nid]
        if isinstance(node, Message):
            if not spend(m.dur[nid]):
                return "abandoned", steps
            nid, attempt = node.next, 0
        elif isinstance(node, Menu):
            total, ends = m.timeline[nid]
            keys = list(node.options)
            desired = None
            if zo and m.zero[nid]:
                desired = m.zero[nid][0]
            else:
                best = math.inf
                for i, k in enumerate(keys):
                    t = node.options[k].next
                    if t != nid and t in costs and costs[t] + ends[i] + persona.response_s < best:
                        best, desired = costs[t] + ends[i] + persona.response_s, k
                if desired is None and m.zero[nid]:
                    desired = m.zero[nid][0]
            if desired is None:
                if not spend(total + node.timeout_s):
                    return "abandoned", steps
                if attempt < node.retries:
                    attempt += 1
                else:
                    nid, attempt = node.on_failure, 0
                continue
            n = len(keys)
            p_err = persona.choice_error_at(n) if n > 1 else 0.0
            if rnd.random() < p_err:
                choice = rnd.choice([k for k in keys if k != desired])
            else:
                choice = desired
            barge = node.barge_in and rnd.random() < persona.barge_in
            heard = ends[keys.index(choice)] if barge else total
            if not spend(heard + persona.response_s):
                return "abandoned", steps
            nid, attempt = node.options[choice].next, 0
        elif isinstance(node, Input):
            prompt = m.dur[nid]
            if zo and node.zero_out:
                if not spend(prompt + persona.response_s):
                    return "abandoned", steps
                nid, attempt = node.zero_out, 0
                continue
            if not spend(
                prompt + persona.response_s + (node.digits or VARIABLE_DIGITS) * persona.digit_s
            ):
                return "abandoned", steps
            if rnd.random() >= persona.input_error:
                nid, attempt = node.next, 0
            elif attempt < node.retries:
                attempt += 1
            else:
                nid, attempt = node.on_failure, 0
        elif isinstance(node, Branch):
            if not spend(m.dur[nid]):
                return "abandoned", steps
            target = node.otherwise
            for cnd in node.when:
                if cnd.share is not None:
                    if rnd.random() < cnd.share:
                        target = cnd.next
                        break
                elif pattern.get(cnd.open or cnd.closed or "", True) == (cnd.open is not None):
                    target = cnd.next
                    break
            nid, attempt = target, 0
        elif isinstance(node, Queue):
            if node.open is not None and not pattern.get(node.open, True):
                nid, attempt = node.on_closed, 0
                continue
            if node.callback and rnd.random() < persona.accepts_callback:
                if not spend(m.dur[nid]):
                    return "abandoned", steps
                nid = node.callback
                continue
            if not spend(m.dur[nid] + _wait(m, nid, node, rnd)):
                return "abandoned", steps
            nid, attempt = node.next, 0
        elif isinstance(node, Agent):
            if task in node.handles:
                return "resolved_by_agent", steps
            if node.transfer_to is None:
                return "disconnected", steps
            nid, attempt = node.transfer_to, 0
        elif isinstance(node, SelfService):
            if task in node.handles:
                return "resolved_self_service", steps
            if not spend(m.dur[nid]):
                return "abandoned", steps
            nid, attempt = node.next, 0
        else:
            return {"voicemail": "voicemail", "callback": "callback"}.get(
                node.type, "disconnected"
            ), steps
        if steps > 10_000:
            return "abandoned", steps


def simulate_python(tree: ivr.PhoneTree, calls: int, seed: int = 0) -> tuple[Counter[str], int]:
    """Plain-Python callers; returns outcome counts and total steps (node visits)."""
    m = _Model(tree)
    rnd = random.Random(seed)
    outcomes: Counter[str] = Counter()
    visits = 0
    for _ in range(calls):
        out, steps = one_call(m, rnd)
        outcomes[out] += 1
        visits += steps
    return outcomes, visits


def simulate_simpy(
    tree: ivr.PhoneTree, calls: int, seed: int = 0
) -> tuple[Counter[str], int] | None:
    """The same callers as SimPy processes (each step a timeout raced against patience)."""
    try:
        import simpy
    except ImportError:
        return None
    m = _Model(tree)
    rnd = random.Random(seed)
    env = simpy.Environment()
    outcomes: Counter[str] = Counter()
    visits = [0]

    def caller(env: Any) -> Any:
        # reuse the plain decision logic, but spend time as SimPy events
        out, steps = one_call(m, rnd)
        for _ in range(steps):
            yield env.timeout(1.0)
        outcomes[out] += 1
        visits[0] += steps

    for _ in range(calls):
        env.process(caller(env))
    env.run()
    return outcomes, visits[0]
