"""The graph: conversion of every node type, duration estimates, routes and waits."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ivrscore as ivr
from ivrscore._digraph import descendants, strongly_connected_components
from ivrscore.graph import (
    IMPLICIT_HANGUP,
    best_routes,
    expected_wait_s,
    flow,
    menu_timeline,
    node_duration_s,
    route_to_human,
    speech_s,
)
from ivrscore.queueing import erlang_a

from .conftest import make_tree
from .strategies import trees
from .test_model import ALL_TYPES


def edges(g, u):  # type: ignore[no-untyped-def]
    return sorted((d["event"], v, d["key"]) for _, v, d in g.out_edges(u, data=True))


def test_every_node_type_becomes_nodes_and_edges() -> None:
    tree = make_tree(ALL_TYPES)
    g = tree.to_networkx()
    assert set(g.nodes) == set(tree.nodes) | {IMPLICIT_HANGUP}  # menu/input lack on_failure
    assert g.graph == {"name": "Every node type", "entry": "hello"}
    for nid, node in tree.nodes.items():
        assert g.nodes[nid]["type"] == node.type
    assert edges(g, "hello") == [("next", "check", None)]
    assert edges(g, "check") == [("closed", "vm", None), ("next", "menu", None)]
    assert edges(g, "menu") == [
        ("failure", IMPLICIT_HANGUP, None),
        ("invalid", "menu", None),
        ("no_input", "menu", None),
        ("option", "ask", "1"),
        ("option", "q", "2"),
    ]
    assert edges(g, "ask") == [
        ("failure", IMPLICIT_HANGUP, None),
        ("invalid", "ask", None),
        ("next", "self", None),
        ("no_input", "ask", None),
        ("zero_out", "q", "0"),
    ]
    assert edges(g, "q") == [("closed", "cb", None), ("next", "human", None)]
    assert edges(g, "human") == [("transfer", "q", None)]
    for terminal in ("self", "vm", "cb", "bye"):
        assert edges(g, terminal) == []
    assert g.nodes["ask"]["collects"] == "account_number"
    assert g.nodes["human"]["asks"] == ("account_number",)
    assert g.nodes[IMPLICIT_HANGUP]["implicit"] is True


def test_no_retry_edges_without_retries() -> None:
    tree = make_tree(
        """
        {name: t, entry: m, tasks: [{name: x, share: 1}], nodes: {
          m: {type: menu, retries: 0, on_failure: a, options: {"1": {next: a}}},
          a: {type: agent, handles: [x]}}}
        """
    )
    assert edges(tree.to_networkx(), "m") == [("failure", "a", None), ("option", "a", "1")]


def test_menu_key_zero_to_a_human_is_a_zero_out() -> None:
    tree = ivr.load(ivr.examples.path("acme_redesign"))
    g = tree.to_networkx()
    events = {d["key"]: d["event"] for _, _, d in g.out_edges("main_menu", data=True) if d["key"]}
    assert events["0"] == "zero_out" and events["1"] == "option" and events["*"] == "option"


def test_speech_duration_from_words() -> None:
    assert speech_s("one two three four five", 150) == pytest.approx(2.0)
    assert speech_s("one two three four five", 100) == pytest.approx(3.0)
    assert speech_s(None, 150) == 0.0


def test_menu_timeline_with_pauses_and_override() -> None:
    tree = make_tree(
        """
        name: t
        entry: m
        words_per_minute: 120
        option_pause_s: 0.75
        tasks: [{name: x, share: 1}]
        nodes:
          m:
            type: menu
            prompt: Main menu please
            options:
              "1": {say: For sales press one, next: a}
              "2": {next: a}
              "3": {say: For support press three now, next: a}
          fixed: {type: menu, duration_s: 20, prompt: one two, options: {"1": {say: three four, next: a}}}
          a: {type: agent, handles: [x]}
        """
    )
    total, ends = menu_timeline(tree.node("m"), tree)
    # 3 words, pause, 4 words, (silent option 2), pause, 5 words, at 0.5 s a word
    assert ends == pytest.approx([1.5 + 0.75 + 2.0, 4.25, 4.25 + 0.75 + 2.5])
    assert total == pytest.approx(7.5)
    total, ends = menu_timeline(tree.node("fixed"), tree)
    assert total == 20 and ends == [20]  # duration_s rescales the estimate
    assert node_duration_s(tree.node("a"), tree) == 0.0


def test_listen_seconds_depend_on_barge_in() -> None:
    doc = """
    {name: t, entry: m, tasks: [{name: x, share: 1}], nodes: {
      m: {type: menu, barge_in: BARGE, options: {
           "1": {say: one two three four five, next: a}, "2": {say: one two three four five, next: a}}},
      a: {type: agent, handles: [x]}}}
    """
    on = make_tree(doc.replace("BARGE", "true")).to_networkx()
    off = make_tree(doc.replace("BARGE", "false")).to_networkx()
    heard_on = {d["key"]: d["listen_s"] for _, _, d in on.out_edges("m", data=True) if d["key"]}
    heard_off = {d["key"]: d["listen_s"] for _, _, d in off.out_edges("m", data=True) if d["key"]}
    assert heard_on == pytest.approx({"1": 2.0, "2": 4.5})
    assert heard_off == pytest.approx({"1": 4.5, "2": 4.5})


def test_input_time_uses_digits() -> None:
    tree = make_tree(
        """
        {name: t, entry: i, tasks: [{name: x, share: 1}], callers: {response_s: 1, digit_s: 0.5},
         nodes: {i: {type: input, collects: pin, digits: 4, next: a}, a: {type: agent, handles: [x]}}}
        """
    )
    (d,) = [d for _, _, d in tree.to_networkx().out_edges("i", data=True) if d["event"] == "next"]
    assert d["input_s"] == pytest.approx(1 + 4 * 0.5)


def test_expected_wait_from_wait_and_from_staffing() -> None:
    tree = make_tree(
        """
        name: t
        entry: q1
        tasks: [{name: x, share: 1}]
        callers: {patience: {mean_s: 120}}
        nodes:
          q1: {type: queue, wait: {distribution: lognormal, median_s: 60, sigma: 0.5}, next: q2}
          q2: {type: queue, staffing: {agents: 50, calls_per_hour: 2880, handle_time_s: 60}, next: a}
          a: {type: agent, handles: [x]}
        """
    )
    import math

    assert expected_wait_s(tree.node("q1"), tree) == pytest.approx(60 * math.exp(0.125))
    mz = erlang_a(50, calls_per_hour=2880, handle_time_s=60, patience_s=120)
    assert expected_wait_s(tree.node("q2"), tree) == pytest.approx(mz.mean_wait_s)
    assert mz.mean_wait_s == pytest.approx(3.71, abs=0.01)


TWO_WAYS = """
name: t
entry: m
tasks: [{name: x, share: 0.5}, {name: y, share: 0.5}]
nodes:
  m:
    type: menu
    options:
      "1": {say: For x press one, next: ask}
      "2": {say: For y press two, next: qy}
      "0": {say: For a person press zero, next: qg}
  ask: {type: input, collects: pin, digits: 4, next: sx}
  sx: {type: self_service, handles: [x]}
  qy: {type: queue, wait: {mean_s: 300}, next: ay}
  ay: {type: agent, handles: [y], transfer_to: qg}
  qg: {type: queue, wait: {mean_s: 20}, next: ag}
  ag: {type: agent, handles: [x, y]}
"""


def test_best_routes_follow_the_options_meant_for_each_task() -> None:
    tree = make_tree(TWO_WAYS)
    routes = best_routes(tree)
    assert routes["x"] is not None and routes["x"].nodes == ("m", "ask", "sx")
    assert routes["x"].keys == ("1", None) and routes["x"].menus == 1
    # the generalist behind the zero-out waits less, but the route is the one made for y
    assert routes["y"] is not None and routes["y"].goal == "ay" and routes["y"].wait_s == 300
    assert routes["y"].transfers == 0


def test_route_to_human_uses_zero_out_and_waits() -> None:
    r = route_to_human(make_tree(TWO_WAYS))
    assert r is not None and r.nodes == ("m", "qg", "ag") and r.keys == ("0", None)
    assert r.wait_s == 20 and r.seconds == pytest.approx(r.listen_s + r.input_s + 20)
    assert r.describe() == "m [0] → qg → ag"


def test_unreachable_task_has_no_route() -> None:
    tree = make_tree(
        """
        {name: t, entry: a, tasks: [{name: x, share: 0.5}, {name: y, share: 0.5}], nodes: {
          a: {type: agent, handles: [x]}, b: {type: agent, handles: [y]}}}
        """
    )
    assert best_routes(tree)["y"] is None
    assert route_to_human(tree) is not None


def test_routes_count_transfers() -> None:
    tree = ivr.load(ivr.examples.path("acme_telecom"))
    g = tree.to_networkx()
    routes = best_routes(tree, g)
    assert routes["broadband_setup"] is not None and routes["broadband_setup"].transfers == 1
    assert all(r is not None for r in routes.values())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees())
def test_graph_of_generated_trees(tree: ivr.PhoneTree) -> None:
    g = tree.to_networkx()
    assert set(tree.nodes) <= set(g.nodes)
    assert set(g.nodes) - set(tree.nodes) <= {IMPLICIT_HANGUP}
    for u, _v, d in g.edges(data=True):
        assert d["event"] in ivr.graph.EVENTS
        assert min(d["listen_s"], d["input_s"], d["wait_s"]) >= 0
        if d["event"] == "option":
            assert d["key"] in tree.node(u).options  # type: ignore[union-attr]
    for route in best_routes(tree, g).values():
        if route is not None:
            assert route.nodes[0] == tree.entry and route.seconds >= 0


# -- the plain flow and graph algorithms: the same answers as networkx, without it ------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_flow_lists_the_nodes_and_edges_of_to_networkx_in_its_order(tree: ivr.PhoneTree) -> None:
    g = tree.to_networkx()
    f = flow(tree)
    assert list(f.types) == list(g.nodes)
    assert f.types == {n: d["type"] for n, d in g.nodes(data=True)}
    assert list(f.edges()) == list(g.edges(data=True))
    for u in g.nodes:
        assert [(v, d) for _, v, d in g.out_edges(u, data=True)] == f.out[u]
    # the routes are the same whichever graph they are given
    assert best_routes(tree, f) == best_routes(tree, g) == best_routes(tree)
    assert route_to_human(tree, f) == route_to_human(tree, g) == route_to_human(tree)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda n: st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=30)
    )
)
def test_strongly_connected_components_and_descendants_agree_with_networkx(
    pairs: list[tuple[int, int]],
) -> None:
    import networkx as nx

    g: nx.DiGraph[int] = nx.DiGraph()
    succ: dict[int, list[int]] = {}
    for u, v in pairs:  # duplicates and self-loops included
        g.add_edge(u, v)
        succ.setdefault(u, []).append(v)
        succ.setdefault(v, [])
    assert list(strongly_connected_components(succ)) == list(nx.strongly_connected_components(g))
    for n in succ:
        assert descendants(succ, n) == nx.descendants(g, n)


def test_strongly_connected_components_of_a_long_chain_do_not_recurse() -> None:
    n = 100_000
    succ = {i: [i + 1] for i in range(n)} | {n: [0]}
    (comp,) = strongly_connected_components(succ)
    assert len(comp) == n + 1


@pytest.mark.parametrize(
    ("nodes", "loop"),
    [
        ({"m": {"type": "message", "next": "m"}}, "m -> m"),
        (
            {
                "m": {"type": "message", "next": "b"},
                "b": {
                    "type": "branch",
                    "when": [{"open": "office", "next": "m"}],
                    "otherwise": "m",
                },
            },
            "m -> b -> m",
        ),
    ],
)
def test_a_silent_cycle_is_found_on_plain_dicts(nodes: dict[str, object], loop: str) -> None:
    """Loading checks cycles among messages and branches without networkx (a self-loop too)."""
    doc = {
        "name": "T",
        "entry": "m",
        "schedules": {"office": {"mon-fri": "09:00-17:00"}},
        "tasks": [{"name": "x", "share": 1}],
        "nodes": {**nodes, "a": {"type": "agent", "handles": ["x"]}},
    }
    with pytest.raises(ivr.TreeFileError, match=f"cycle that never yields: {loop} "):
        ivr.PhoneTree.model_validate(doc)


def test_validating_and_linting_a_small_tree_load_neither_networkx_nor_an_engine() -> None:
    """The command line's start (issue 14's 0.3 s): validate and lint of a tree without a
    ``volume:`` import no networkx, scipy, engine or numpy.ma (its np.unique)."""
    import subprocess
    import sys

    code = (
        "import sys; from ivrscore.cli import main; import ivrscore as ivr; "
        "p = str(ivr.examples.path('gp_surgery'))\n"
        "for cmd in (['validate', '-q', p], ['lint', '-q', p]):\n"
        "    try:\n"
        "        main(cmd)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('networkx', 'scipy', 'numba', 'matplotlib', 'ivrscore.engine', 'numpy.ma.')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
