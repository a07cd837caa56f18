"""Charts: each renders on every example with the expected artists, and saves a valid file."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest

import ivrscore as ivr
from ivrscore.cli import main
from ivrscore.model import NODE_TYPES

from .conftest import EXAMPLES

NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
PNG = b"\x89PNG\r\n\x1a\n"


def tree(name: str) -> ivr.PhoneTree:
    return ivr.load(EXAMPLES / f"{name}.yaml")


def saved(fig: plt.Figure, path: Path) -> bytes:
    fig.savefig(path)
    return path.read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_depth_chart(name: str, tmp_path: Path) -> None:
    t = tree(name)
    fig, ax = plt.subplots()
    assert ivr.plot.depth_chart(t, ax=ax) is ax
    assert len(ax.get_yticklabels()) == len(t.tasks)
    widths = [p.get_width() for p in ax.patches]
    assert len(ax.patches) == 3 * len(t.tasks)  # listening, keying, waiting per task
    routes = ivr.best_routes(t)
    total = sum(r.seconds for r in routes.values() if r is not None)
    assert sum(widths) == pytest.approx(total)
    assert any("menu" in txt.get_text() for txt in ax.texts)
    assert ax.get_xlabel() and ax.get_legend() is not None
    assert saved(fig, tmp_path / "d.png").startswith(PNG)


@pytest.mark.parametrize("name", NAMES)
def test_menu_map(name: str, tmp_path: Path) -> None:
    t = tree(name)
    fig, ax = plt.subplots()
    assert ivr.plot.menu_map(t, ax=ax) is ax
    g = t.to_networkx()
    points = sum(len(c.get_offsets()) for c in ax.collections if c.get_label() in NODE_TYPES)
    assert points == g.number_of_nodes()
    labels = {txt.get_text() for txt in ax.texts}
    assert set(t.nodes) <= labels
    assert saved(fig, tmp_path / "m.png").startswith(PNG)


@pytest.mark.parametrize("name", NAMES)
def test_outcomes(name: str, tmp_path: Path) -> None:
    t = tree(name)
    try:
        result = ivr.analyze(t)
    except ivr.NotExactError:
        result = ivr.simulate(t, calls=5_000, rng=1)
    fig, ax = plt.subplots()
    assert ivr.plot.outcomes(result, ax=ax) is ax
    assert len(ax.get_yticklabels()) == len(t.tasks) + 1
    assert len(ax.patches) == 6 * (len(t.tasks) + 1)
    # each row's bars add up to the whole
    assert sum(p.get_width() for p in ax.patches[:6]) == pytest.approx(1.0)
    assert saved(fig, tmp_path / "o.png").startswith(PNG)


@pytest.mark.parametrize("name", NAMES)
def test_time_to_goal(name: str, tmp_path: Path) -> None:
    sim = ivr.simulate(tree(name), calls=3_000, rng=2)
    fig, ax = plt.subplots()
    assert ivr.plot.time_to_goal(sim, ax=ax) is ax
    steps = [line for line in ax.get_lines() if len(line.get_xdata()) > 1]
    assert 1 <= len(steps) <= 2
    top = max(float(line.get_ydata()[-1]) for line in steps)
    assert top <= 1.0
    assert saved(fig, tmp_path / "t.png").startswith(PNG)


def test_compare_chart(tmp_path: Path) -> None:
    cmp = ivr.compare(tree("acme_telecom"), tree("acme_redesign"))
    fig, ax = plt.subplots()
    assert ivr.plot.compare(cmp, ax=ax) is ax
    assert len(ax.patches) == 2 * (len(cmp.before.criteria) + 1)
    assert saved(fig, tmp_path / "c.png").startswith(PNG)
    with pytest.raises(ValueError, match="two reports"):
        ivr.plot.compare(cmp.before)


def test_plots_draw_on_the_current_axes_by_default() -> None:
    _, ax = plt.subplots()
    assert ivr.plot.depth_chart(tree("gp_surgery")) is ax


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
    assert "Menu depth chart:" in capsys.readouterr().out
