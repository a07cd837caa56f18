"""Charts: each renders on every example with the expected artists, keeps to its axes and its
figure, and saves a valid file."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch

import ivrscore as ivr
from ivrscore.cli import main
from ivrscore.engine import OUTCOMES
from ivrscore.plot import SEVERITY_OUTLINE

from .conftest import EXAMPLES

NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
PNG = b"\x89PNG\r\n\x1a\n"


def tree(name: str) -> ivr.PhoneTree:
    return ivr.load(EXAMPLES / f"{name}.yaml")


def saved(fig: Any, path: Path) -> bytes:
    fig.savefig(path)
    return path.read_bytes()


def result_of(t: ivr.PhoneTree) -> Any:
    try:
        return ivr.analyze(t)
    except ivr.NotExactError:
        return ivr.simulate(t, calls=5_000, rng=1)


def mmss(label: str) -> bool:
    m, _, s = label.partition(":")
    return m.isdigit() and len(s) == 2 and s.isdigit()


@pytest.mark.parametrize("name", NAMES)
def test_depth_chart(name: str, tmp_path: Path) -> None:
    t = tree(name)
    fig, ax = plt.subplots()
    assert ivr.plot.depth_chart(t, ax=ax) is ax
    human = ivr.route_to_human(t)
    labels = [x.get_text() for x in ax.get_yticklabels()]
    assert len(labels) == len(t.tasks) + (human is not None)
    assert len(ax.patches) == 3 * len(labels)  # listening, keying, waiting per row
    routes = ivr.best_routes(t)
    total = sum(r.seconds for r in routes.values() if r is not None)
    widths = [p.get_width() for p in ax.patches]
    assert sum(widths[: 3 * len(t.tasks)]) == pytest.approx(total)
    if human is not None:
        assert labels[-1] == "fastest way to a person"
        assert sum(widths[-3:]) == pytest.approx(human.seconds)
        assert widths[-3] == pytest.approx(human.listen_s)
    assert any("menu" in txt.get_text() for txt in ax.texts)
    assert ax.get_xlabel() and ax.get_legend() is not None
    assert saved(fig, tmp_path / "d.png").startswith(PNG)


def test_depth_chart_standard_line_is_on_the_person_row_only() -> None:
    t = tree("acme_telecom")
    ax = ivr.plot.depth_chart(t)
    (line,) = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    xs, ys = line.get_xdata(), line.get_ydata()
    assert list(xs) == [60.0, 60.0]  # the Standard's max_seconds_to_human
    row = ax.get_yticks()[-1]  # the "fastest way to a person" row
    assert min(ys) > row - 0.5 and max(ys) < row + 0.5
    # the telecom's fastest way to a person takes 91 s of menus and keys: over the standard
    assert any("(over)" in txt.get_text() for txt in ax.texts)


def test_time_axes_read_min_s_on_every_chart() -> None:
    t = tree("acme_telecom")
    for ax in (
        ivr.plot.depth_chart(t),
        ivr.plot.time_to_goal(ivr.simulate(t, calls=3_000, rng=1)),
    ):
        ax.figure.canvas.draw()
        shown = [x.get_text() for x in drawn_ticks(ax) if x in ax.get_xticklabels()]
        assert shown and all(mmss(s) for s in shown), shown
        assert "min:s" in ax.get_xlabel()


def test_depth_charts_on_shared_axes_keep_one_scale() -> None:
    _, (a, b) = plt.subplots(2, sharex=True)
    ivr.plot.depth_chart(tree("acme_telecom"), ax=a)
    ivr.plot.depth_chart(tree("acme_redesign"), ax=b)  # far shorter bars, drawn second
    longest = max(r.seconds for r in ivr.best_routes(tree("acme_telecom")).values() if r)
    assert a.get_xlim() == b.get_xlim()
    assert b.get_xlim()[1] > longest


@pytest.mark.parametrize("name", NAMES)
def test_menu_map(name: str, tmp_path: Path) -> None:
    t = tree(name)
    fig, ax = plt.subplots(figsize=(13, 8.5))
    assert ivr.plot.menu_map(t, ax=ax) is ax
    g = t.to_networkx()
    assert set(node_boxes(ax)) == set(g.nodes)
    pairs = {
        (u, v)
        for u, v, d in g.edges(data=True)
        if u != v and d["event"] not in ("no_input", "invalid")
    }
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(pairs)
    assert saved(fig, tmp_path / "m.png").startswith(PNG)


def node_boxes(ax: Axes) -> dict[str, Any]:
    return {x.get_gid()[5:]: x for x in ax.texts if (x.get_gid() or "").startswith("node:")}


def test_menu_map_arrows_end_at_the_boxes_and_back_edges_curve() -> None:
    t = tree("acme_telecom")
    fig, ax = plt.subplots(figsize=(13, 8.5))
    ivr.plot.menu_map(t, ax=ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = node_boxes(ax)
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    ends = {a: a.get_gid()[5:].split("->") for a in arrows}
    for arrow, (u, v) in ends.items():
        start, end = boxes[u].get_position(), boxes[v].get_position()
        tip_goal = ax.transData.transform(end)
        vertices = ax.transData.transform(arrow.get_path().vertices)
        tip = vertices[np.argmin(np.hypot(*(vertices - tip_goal).T))]
        box = boxes[v].get_bbox_patch().get_window_extent(renderer)
        # the arrowhead reaches the target's box and is not hidden under it
        assert not box.shrunk(0.8, 0.6).contains(*tip)
        assert np.hypot(*(tip - tip_goal)) < max(box.width, box.height)
        rad = arrow.get_connectionstyle().rad
        # moves across a row or back up the tree curve; moves down are straight
        assert (rad != 0) == (end[1] >= start[1])
    # a move and the move straight back (main_menu <-> billing_menu) do not overlap
    both = [a for a, e in ends.items() if set(e) == {"main_menu", "billing_menu"}]
    assert len(both) == 2
    mids = [ax.transData.transform(a.get_path().vertices).mean(axis=0) for a in both]
    assert np.hypot(*(mids[0] - mids[1])) > 5  # display points apart


def test_menu_map_outlines_and_legend() -> None:
    import matplotlib.colors as mc

    t = tree("acme_telecom")
    found = ivr.lint(t)
    ax = ivr.plot.menu_map(t, findings=found)
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert "failure or closed" in legend and "back up or across (curved)" in legend
    assert "outline: worst finding error" in legend
    boxes = node_boxes(ax)
    errors = {f.node for f in found if f.severity == "error"}
    warnings = {f.node for f in found if f.severity == "warning"} - errors
    assert errors and warnings
    for node, box in boxes.items():
        edge = mc.to_hex(box.get_bbox_patch().get_edgecolor())
        if node in errors:
            assert edge == SEVERITY_OUTLINE["error"], node
        elif node in warnings:
            assert edge == SEVERITY_OUTLINE["warning"], node
        else:
            assert edge not in (SEVERITY_OUTLINE["error"], SEVERITY_OUTLINE["warning"]), node
    plain = ivr.plot.menu_map(t, findings=ivr.Findings())
    assert "no findings at any node" in [x.get_text() for x in plain.get_legend().get_texts()]


@pytest.mark.parametrize("name", NAMES)
def test_outcomes(name: str, tmp_path: Path) -> None:
    t = tree(name)
    result = result_of(t)
    fig, ax = plt.subplots()
    assert ivr.plot.outcomes(result, ax=ax) is ax
    assert len(ax.get_yticklabels()) == len(t.tasks) + 1
    assert len(ax.patches) == 6 * (len(t.tasks) + 1)
    # each row's bars add up to the whole
    assert sum(p.get_width() for p in ax.patches[:6]) == pytest.approx(1.0)
    # the legend lists only the outcomes that occur: no 0% entries
    rows = [result.outcomes, *(r.outcomes for r in result.tasks.values())]
    occurring = {k.replace("_", " ") for k in OUTCOMES if any(r[k] >= 0.0005 for r in rows)}
    assert {x.get_text() for x in ax.get_legend().get_texts()} == occurring
    assert saved(fig, tmp_path / "o.png").startswith(PNG)


def test_outcomes_small_segments_are_named() -> None:
    result = ivr.analyze(tree("acme_telecom"))
    ax = ivr.plot.outcomes(result)
    # pay_bill: 4.5% resolved by an agent, too narrow to label inside its bar
    share = result.tasks["pay_bill"].outcomes["resolved_by_agent"]
    assert 0 < share < 0.06
    assert any(f"resolved by agent {share:.1%}" in x.get_text() for x in ax.texts)


@pytest.mark.parametrize("name", NAMES)
def test_time_to_goal(name: str, tmp_path: Path) -> None:
    sim = ivr.simulate(tree(name), calls=3_000, rng=2)
    fig, ax = plt.subplots()
    assert ivr.plot.time_to_goal(sim, ax=ax) is ax
    steps = [line for line in ax.get_lines() if len(line.get_xdata()) > 1]
    assert 1 <= len(steps) <= 2
    top = max(float(line.get_ydata()[-1]) for line in steps)
    assert top <= 1.0
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert any(s.startswith("median:") for s in legend)  # the dots are explained
    # the median dots sit at the curves' medians, in seconds
    values = sim.records["time_to_human_s"]
    med = float(np.median(values[~np.isnan(values)]))
    dots = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 1]
    assert any(float(d.get_xdata()[0]) == pytest.approx(med) for d in dots)
    assert saved(fig, tmp_path / "t.png").startswith(PNG)


def test_compare_chart(tmp_path: Path) -> None:
    cmp = ivr.compare(tree("acme_telecom"), tree("acme_redesign"))
    fig, ax = plt.subplots()
    assert ivr.plot.compare(cmp, ax=ax) is ax
    n = len(cmp.before.criteria) + 1
    assert len(ax.patches) == 2 * n
    assert ax.get_title(loc="left").startswith("before vs after")
    # the redesign loses nothing on several criteria: those bars still show, labelled 0
    n_before = len(cmp.before.criteria) + 1
    zero = [i for i, c in enumerate(cmp.after.criteria) if c.points_lost < 0.05]
    assert zero
    assert all(ax.patches[n_before + i].get_width() > 0 for i in zero)
    assert [x.get_text() for x in ax.texts].count("0") >= len(zero)
    assert ax.patches[n_before - 1].get_width() == pytest.approx(100 - cmp.before.score)
    assert saved(fig, tmp_path / "c.png").startswith(PNG)
    with pytest.raises(ValueError, match="two reports"):
        ivr.plot.compare(cmp.before)


# -- figures: new ones without ax=, nothing cut off ------------------------------------------------

Draw = Callable[[], Axes]


def charts() -> list[tuple[str, Draw]]:
    tel = tree("acme_telecom")
    cmp = ivr.compare(tel, tree("acme_redesign"))
    return [
        ("depth", lambda: ivr.plot.depth_chart(tel)),
        ("map", lambda: ivr.plot.menu_map(tel)),
        ("outcomes", lambda: ivr.plot.outcomes(ivr.analyze(tel))),
        ("time", lambda: ivr.plot.time_to_goal(ivr.simulate(tel, calls=3_000, rng=1))),
        ("compare", lambda: ivr.plot.compare(cmp)),
    ]


def test_without_ax_each_chart_gets_a_new_figure() -> None:
    _, current = plt.subplots()
    for _name, draw in charts():
        ax = draw()
        assert ax is not current and ax.figure is not current.figure
        assert not current.has_data()
    first = ivr.plot.depth_chart(tree("gp_surgery"))
    second = ivr.plot.depth_chart(tree("gp_surgery"))
    assert first.figure is not second.figure  # two calls never overlay each other
    assert len(first.patches) == len(second.patches)


def drawn_ticks(ax: Axes) -> list[Any]:
    """Tick labels inside the view limits (matplotlib keeps, but does not draw, the others)."""
    if not ax.axison:
        return []
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    xs = [t for t in ax.get_xticklabels() if x0 <= t.get_position()[0] <= x1]
    ys = [t for t in ax.get_yticklabels() if y0 <= t.get_position()[1] <= y1]
    return xs + ys


@pytest.mark.parametrize("index", range(5))
def test_nothing_is_cut_off_at_the_default_size(index: int) -> None:
    name, draw = charts()[index]
    ax = draw()
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = fig.bbox
    artists = [
        ax.title,
        ax._left_title,  # type: ignore[attr-defined]
        ax.xaxis.label,
        ax.yaxis.label,
        *ax.texts,
        *drawn_ticks(ax),
    ]
    legend = ax.get_legend()
    if legend is not None:
        artists.append(legend)
    for artist in artists:
        if not artist.get_visible() or (hasattr(artist, "get_text") and not artist.get_text()):
            continue
        box = artist.get_window_extent(renderer)
        assert (
            box.x0 >= frame.x0 - 1
            and box.y0 >= frame.y0 - 1
            and box.x1 <= frame.x1 + 1
            and box.y1 <= frame.y1 + 1
        ), f"{name}: {artist} is cut off"


# -- command line ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chart", "suffix"), [("depth", "png"), ("map", "svg"), ("outcomes", "pdf"), ("time", "png")]
)
def test_plot_cli(
    chart: str, suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"chart.{suffix}"
    args = ["plot", str(EXAMPLES / "gp_surgery.yaml"), "--chart", chart, "-o", str(out)]
    assert main([*args, "--calls", "2000"] if chart == "time" else args) == 0
    data = out.read_bytes()
    assert {
        "png": data.startswith(PNG),
        "svg": b"<svg" in data[:2000],
        "pdf": data.startswith(b"%PDF"),
    }[suffix]
    assert main(["plot", str(EXAMPLES / "gp_surgery.yaml"), "-o", str(tmp_path / "x.gif")]) == 2


def test_demo_writes_the_depth_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    assert (tmp_path / "ivrscore-demo-depth.png").read_bytes().startswith(PNG)
    assert "Menu depth chart written to ivrscore-demo-depth.png" in capsys.readouterr().out


def test_a_map_of_a_huge_tree_is_refused_in_one_line(tmp_path: Path) -> None:
    """Past MAP_MAX_NODES a map is unreadable and slow to draw: one clear error (exit 2 from
    the CLI), pointing at the ways that do work, never a long hang."""
    n = ivr.plot.MAP_MAX_NODES + 1
    nodes = {f"m{i}": {"type": "message", "prompt": "hi", "next": f"m{i + 1}"} for i in range(n)}
    nodes[f"m{n}"] = {"type": "self_service", "handles": ["t"], "duration_s": 5}
    doc = {"name": "chain", "entry": "m0", "tasks": [{"name": "t", "share": 1}], "nodes": nodes}
    tree = ivr.PhoneTree.model_validate(doc)
    with pytest.raises(ivr.IvrscoreError, match=r"too many for a readable map .* export --to dot"):
        ivr.plot.menu_map(tree)
    path = tmp_path / "chain.json"
    path.write_text(json.dumps(doc))
    out = subprocess.run(
        [sys.executable, "-m", "ivrscore", "plot", str(path), "--chart", "map", "-o",
         str(tmp_path / "m.png")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr
