"""A large synthetic phone tree for benchmarks: a menu hierarchy with inputs, queues and agents."""

from __future__ import annotations

import random
from typing import Any

import ivrscore as ivr


def big_tree(n_nodes: int = 10_000, *, seed: int = 0, n_tasks: int = 20) -> ivr.PhoneTree:
    """About ``n_nodes`` nodes: menus of 2-6 options, identity inputs, queues with hours,
    agents that ask for data and transfer, self-service leaves, closed branches."""
    rng = random.Random(seed)
    tasks = [f"t{i}" for i in range(n_tasks)]
    shares = [1.0 / n_tasks] * n_tasks
    nodes: dict[str, Any] = {}
    counter = [0]

    def new(prefix: str) -> str:
        counter[0] += 1
        return f"{prefix}{counter[0]}"

    nodes["welcome"] = {"type": "message", "prompt": "Welcome to the big line.", "next": "m0"}
    frontier = ["m0"]
    nodes["m0"] = None
    agents: list[str] = []
    queues: list[str] = []
    while len(nodes) < n_nodes and frontier:
        menu = frontier.pop(0)
        options = {}
        for k in range(1, rng.randint(2, 6) + 1):
            roll = rng.random()
            if roll < 0.45 and len(nodes) < n_nodes - 10:
                child = new("m")
                nodes[child] = None
                frontier.append(child)
            elif roll < 0.6:
                child = new("ask")
                q = new("q")
                a = new("agent")
                nodes[child] = {
                    "type": "input",
                    "collects": rng.choice(["account_number", "date_of_birth", "pin", "postcode"]),
                    "digits": 6,
                    "zero_out": q,
                    "on_failure": q,
                    "next": q,
                }
                nodes[q] = {
                    "type": "queue",
                    "open": "office",
                    "on_closed": "callback",
                    "wait": {"mean_s": rng.uniform(20, 400)},
                    "announces_wait": True,
                    "next": a,
                }
                nodes[a] = {
                    "type": "agent",
                    "handles": rng.sample(tasks, 2),
                    "asks": rng.sample(["account_number", "date_of_birth", "postcode"], 1),
                }
                agents.append(a)
                queues.append(q)
            else:
                child = new("self")
                nodes[child] = {
                    "type": "self_service",
                    "handles": rng.sample(tasks, 1),
                    "duration_s": 60,
                }
            options[str(k)] = {"say": f"For option {k}, press {k}.", "next": child}
        options["0"] = {"say": "For an advisor, press 0.", "next": "general_queue"}
        nodes[menu] = {"type": "menu", "options": options, "on_failure": "general_queue"}
    for m in frontier:
        nodes[m] = {
            "type": "menu",
            "options": {"0": {"say": "Advisor, press 0.", "next": "general_queue"}},
            "on_failure": "general_queue",
        }
    for a in agents:
        if rng.random() < 0.5:
            nodes[a]["transfer_to"] = rng.choice(queues)
    nodes["general_queue"] = {
        "type": "queue",
        "open": "office",
        "on_closed": "callback",
        "staffing": {"agents": 20, "calls_per_hour": 300, "handle_time_s": 200},
        "announces_wait": True,
        "next": "general_agent",
    }
    nodes["general_agent"] = {"type": "agent", "handles": tasks}
    nodes["callback"] = {"type": "callback", "prompt": "We'll call you back."}
    return ivr.PhoneTree.model_validate(
        {
            "name": "big",
            "entry": "welcome",
            "schedules": {"office": {"mon-fri": "08:00-18:00"}},
            "tasks": [{"name": t, "share": s} for t, s in zip(tasks, shares, strict=True)],
            "nodes": nodes,
        }
    )
