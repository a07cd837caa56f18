"""Many tasks: the exact analysis solves one right-hand side for all of them.

The chains of different tasks share no state, so one sparse solve gives every task's expected
visits. Solving one column per task made a dense (states x tasks) array: 20,000 tasks took
minutes and over 20 GB (the hostile corpus of issue 12). Here a tree with many tasks must give
each task exactly what the same tree with one representative task of each kind gives.
"""

from __future__ import annotations

import pytest

import ivrscore as ivr


def _tree(n: int) -> ivr.PhoneTree:
    """``n`` equal tasks, the even ones served by ``sa`` and a person, the odd ones by ``sb``."""
    even = ", ".join(f"t{i}" for i in range(0, n, 2))
    odd = ", ".join(f"t{i}" for i in range(1, n, 2))
    tasks = ", ".join(f"{{name: t{i}, share: {1 / n!r}}}" for i in range(n))
    return ivr.loads(
        f"""
name: {n} tasks
entry: menu
tasks: [{tasks}]
callers: {{patience: {{mean_s: 120}}, choice_error: 0.1, wants_human: 0.2}}
nodes:
  menu:
    type: menu
    duration_s: 10
    options: {{"1": {{next: sa}}, "2": {{next: sb}}, "0": {{next: agent}}}}
    on_failure: agent
  sa: {{type: self_service, handles: [{even}], duration_s: 60}}
  sb: {{type: self_service, handles: [{odd}], duration_s: 60}}
  agent: {{type: queue, wait: {{mean_s: 60}}, next: person}}
  person: {{type: agent, handles: [{even}]}}
"""
    )


@pytest.mark.parametrize("n", [4, 2_000])
def test_each_task_gets_what_its_kind_gets_alone(n: int) -> None:
    two = ivr.analyze(_tree(2))
    many = ivr.analyze(_tree(n))
    assert len(many.tasks) == n
    for i in (0, 1, n - 2, n - 1):
        alone, here = two.tasks[f"t{i % 2}"], many.tasks[f"t{i}"]
        for key, value in alone.outcomes.items():
            assert here.outcomes[key] == pytest.approx(value, rel=1e-12, abs=1e-15), (i, key)
        for key, value in alone.metrics.items():
            assert here.metrics[key] == pytest.approx(value, rel=1e-12, abs=1e-12), (i, key)
    # the overall figures are the tasks' shares: with equal shares, the two kinds' mean
    for key, value in two.outcomes.items():
        assert many.outcomes[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
