"""Charts (matplotlib): the menu depth chart, the menu map, outcomes, time to goal, comparisons.

Every function draws on ``ax`` when given; without it, on a new figure (never on whatever
``plt.gca()`` holds), sized and laid out so that no title, label or legend is cut off. Each
returns the Axes and never calls ``plt.show()``; set titles and labels afterwards as you like.
Times are in seconds and shown as ``min:s`` on every chart. matplotlib is imported when a
chart is drawn, so ``import ivrscore`` stays fast.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .exceptions import IvrscoreError
from .graph import IMPLICIT_HANGUP, best_routes, route_to_human, to_networkx
from .model.tree import PhoneTree
from .standard import Standard

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .engine import Result, Simulation
    from .lint import Findings
    from .score import Comparison, Report

__all__ = [
    "compare",
    "depth_chart",
    "load_and_agents",
    "menu_map",
    "outcomes",
    "queue_hours",
    "time_to_goal",
]

PALETTE = {
    "listen": "#4e79a7",
    "keys": "#f28e2b",
    "wait": "#bab0ac",
    "resolved_self_service": "#59a14f",
    "resolved_by_agent": "#8cd17d",
    "callback": "#76b7b2",
    "voicemail": "#b6992d",
    "abandoned": "#e15759",
    "disconnected": "#7f1d1d",
}
"""Colours used by the charts (colour-blind-friendly Tableau 10 tones)."""

NODE_STYLE = {
    "message": ("s", "#dfe7f2"),
    "menu": ("D", "#c6d7ea"),
    "input": ("h", "#fbd7b4"),
    "branch": ("d", "#e3d2df"),
    "queue": ("p", "#e4e0dd"),
    "agent": ("o", "#bfe0b8"),
    "self_service": ("o", "#d9f0d3"),
    "voicemail": ("v", "#ece1b6"),
    "callback": ("^", "#cbe6e4"),
    "hangup": ("X", "#f6c4c5"),
}
"""Marker and (light) fill colour per node type; the menu map fills each node's box with it."""

SEVERITY_OUTLINE = {"error": "#c0392b", "warning": "#d4a017", "info": "#4e79a7"}
"""Outline colour of a menu-map node by the worst finding at it."""

_FAILED = "#c0392b"


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """``ax``, or the Axes of a new figure of ``size`` inches with constrained layout (so that
    titles, labels and legends outside the plot area fit)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=size, layout="constrained")
    return fig.add_subplot()


def _mmss(seconds: float, _pos: object = None) -> str:
    """``95`` -> ``"1:35"``.

    Examples
    --------
    >>> _mmss(95), _mmss(0), _mmss(3600)
    ('1:35', '0:00', '60:00')
    """
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


_STEPS_S = (5, 10, 15, 30, 60, 120, 180, 300, 600, 900, 1800, 3600)


def _time_axis(axis: Any, right_s: float) -> None:
    """Ticks in seconds at round steps, shown as ``min:s`` (the same on every chart)."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    step = next((s for s in _STEPS_S if right_s / s <= 8), _STEPS_S[-1])
    axis.set_major_locator(MultipleLocator(step))
    axis.set_major_formatter(FuncFormatter(_mmss))


def _shared_right(ax: Axes, own: float) -> float:
    """The widest x extent over ``own`` and every Axes sharing x with ``ax``, so charts drawn
    on shared axes keep one scale."""
    right = own
    for other in ax.get_shared_x_axes().get_siblings(ax):
        if other is not ax and other.has_data():
            right = max(right, float(other.dataLim.x1))
    return right


def depth_chart(
    tree: PhoneTree, *, ax: Axes | None = None, standard: Standard | None = None
) -> Axes:
    """The menu depth chart: per task, the time between the caller and the node that helps
    them, stacked by kind (listening, keying, expected waiting), with the menus on the way; and
    the fastest way to a person against the Standard's limit on it.

    Parameters
    ----------
    tree : PhoneTree
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure). On Axes that share x (``plt.subplots(2,
        sharex=True)``) every chart keeps the widest scale, so designs compare at a glance.
    standard : Standard, optional
        Its ``max_seconds_to_human`` (menus and keys before a person, rule IVR403) is drawn on
        the bottom row, the fastest way to a person; its ``max_menu_depth`` marks routes too
        deep.

    Returns
    -------
    matplotlib Axes
        One horizontal bar per kind and task (``ax.patches``), tasks from the most common down,
        then one row for the fastest way to a person (three more bars) when there is one.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import ivrscore as ivr
    >>> ax = ivr.plot.depth_chart(ivr.load(ivr.examples.path("acme_telecom")))
    >>> [t.get_text() for t in ax.get_yticklabels()][-2:]
    ['lost phone (5%)', 'fastest way to a person']
    """
    tasks = sorted(tree.tasks, key=lambda t: -t.share)
    ax = _axes(ax, (9.0, 1.4 + 0.42 * (len(tasks) + 1)))
    std = standard or Standard()
    routes = best_routes(tree)
    human = route_to_human(tree)
    rows: list[tuple[str, Any]] = [
        (f"{t.name.replace('_', ' ')} ({t.share:.0%})", routes[t.name]) for t in tasks
    ]
    if human is not None:
        rows.append(("fastest way to a person", human))
    y = np.arange(len(rows), dtype=float)[::-1]
    right = 0.0
    for yi, (_label, r) in zip(y, rows, strict=True):
        if r is None:
            ax.text(0, yi, "  no route to a node that resolves it", va="center", color=_FAILED)
            continue
        left = 0.0
        for kind, value in (("listen", r.listen_s), ("keys", r.input_s), ("wait", r.wait_s)):
            width = value if math.isfinite(value) else 0.0
            ax.barh(yi, width, left=left, color=PALETTE[kind], height=0.62, edgecolor="white")
            left += width
        right = max(right, left)
        deep = r.menus > std.max_menu_depth
        ax.text(
            left,
            yi,
            f"  {_mmss(left)}, {r.menus} menu{'s' * (r.menus != 1)}"
            + (" (too deep)" if deep else ""),
            va="center",
            fontsize=8,
            color=_FAILED if deep else "0.25",
        )
    ax.set_yticks(y, [label for label, _ in rows])
    limit = std.max_seconds_to_human
    if human is not None:
        # the Standard limits the menus and keys on the way to a person (rule IVR403): drawn on
        # that row only, against its listening and keying, not against any task's waiting
        yh = y[-1]
        over = human.listen_s + human.input_s > limit
        ax.plot([limit, limit], [yh - 0.42, yh + 0.42], color=_FAILED, linestyle="--", lw=1.2)
        ax.axhline(yh + 0.5, color="0.85", linewidth=0.8)
        ax.text(
            limit,
            yh - 0.45,
            f" standard: ≤ {_mmss(limit)} of menus and keys" + (" (over)" if over else " (met)"),
            color=_FAILED if over else "0.3",
            fontsize=7.5,
            va="top",
        )
    handles = [
        _patch(PALETTE["listen"], "listening"),
        _patch(PALETTE["keys"], "keying"),
        _patch(PALETTE["wait"], "expected wait"),
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16 if len(rows) < 6 else -0.1),
        ncol=3,
        fontsize=8,
        frameon=False,
    )
    ax.set_xlabel("time from the start of the call to the node that helps (min:s)")
    ax.set_title(f"{tree.name}: menu depth by task", loc="left", fontsize=10)
    ax.set_ylim(-0.8, len(rows) - 0.3)
    ax.spines[["top", "right"]].set_visible(False)
    right = _shared_right(ax, max(right, limit))
    ax.set_xlim(0, right * 1.22)
    _time_axis(ax.xaxis, right * 1.22)
    return ax


def _patch(colour: str, label: str) -> Any:
    from matplotlib.patches import Patch

    return Patch(color=colour, label=label)


_FORWARD = ("option", "next", "zero_out", "transfer", "callback")


def _layout(tree: PhoneTree, g: Any) -> dict[str, tuple[float, float]]:
    """Top-down positions: rows by depth along the caller's forward moves (options, next,
    zero-outs, transfers, callbacks); nodes reached only by failures or closures, and
    unreachable ones, go on a last row. Within a row, nodes sit under their parents
    (barycentre of the parents' positions), then in file order."""
    depth = {tree.entry: 0}
    todo = deque([tree.entry])
    while todo:
        u = todo.popleft()
        for _, v, d in g.out_edges(u, data=True):
            if d["event"] in _FORWARD and v not in depth:
                depth[v] = depth[u] + 1
                todo.append(v)
    last = max(depth.values(), default=0) + 1
    order = {n: i for i, n in enumerate(g.nodes)}
    for n in g.nodes:
        depth.setdefault(n, last)
    rows: dict[int, list[str]] = {}
    for n in g.nodes:
        rows.setdefault(depth[n], []).append(n)
    widest = max(len(r) for r in rows.values())
    pos: dict[str, tuple[float, float]] = {}
    for d in sorted(rows):

        def centre(n: str, d: int = d) -> float:
            xs = [pos[u][0] for u in g.predecessors(n) if u in pos and depth[u] < d]
            return float(np.mean(xs)) if xs else math.inf

        nodes = sorted(rows[d], key=lambda n: (centre(n), order[n]))
        spread = widest / max(len(nodes), 1)
        for i, n in enumerate(nodes):
            pos[n] = ((i - (len(nodes) - 1) / 2) * spread, -float(d))
    return pos


def _worst(findings: Findings) -> dict[str, str]:
    """The worst severity of the findings at each node."""
    rank = {"info": 0, "warning": 1, "error": 2}
    worst: dict[str, str] = {}
    for f in findings:
        if f.node and rank[f.severity] >= rank.get(worst.get(f.node, ""), -1):
            worst[f.node] = f.severity
    return worst


def _bezier_mid(a: tuple[float, float], b: tuple[float, float], rad: float) -> tuple[float, float]:
    """Where the middle of matplotlib's ``arc3,rad=rad`` connection from ``a`` to ``b`` lies."""
    (x1, y1), (x2, y2) = a, b
    cx, cy = (x1 + x2) / 2 + rad * (y2 - y1), (y1 + y2) / 2 - rad * (x2 - x1)
    return 0.25 * x1 + 0.5 * cx + 0.25 * x2, 0.25 * y1 + 0.5 * cy + 0.25 * y2


MAP_MAX_NODES = 400
"""The most nodes :func:`menu_map` draws: past this a map is unreadable (and slow to draw)."""


def menu_map(tree: PhoneTree, *, ax: Axes | None = None, findings: Findings | None = None) -> Axes:
    """The phone tree laid out top-down by depth from the entry: one box per node, filled by
    type and outlined by the worst finding at it; arrows end at the boxes' edges, keys sit on
    option arrows, moves back up the tree curve, failures and closures are dashed red.
    Readable up to about 50 nodes; more than :data:`MAP_MAX_NODES` raise ``IvrscoreError``.

    Parameters
    ----------
    tree : PhoneTree
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure sized to the tree).
    findings : Findings, optional
        Default: ``ivr.lint(tree)``; pass an empty ``Findings()`` for a plain map.

    Returns
    -------
    matplotlib Axes
        One boxed text per node (``ax.texts`` whose ``get_gid()`` is ``"node:ID"``), one
        arrow per pair of connected nodes (``ax.patches``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("acme_redesign"))
    >>> ax = ivr.plot.menu_map(tree)
    >>> sum(1 for t in ax.texts if (t.get_gid() or "").startswith("node:"))
    23
    """
    if len(tree.nodes) > MAP_MAX_NODES:
        raise IvrscoreError(
            f"{tree.name}: {len(tree.nodes):,} nodes are too many for a readable map (at most "
            f"{MAP_MAX_NODES}); draw it with `ivrscore export --to dot` and Graphviz, or plot "
            "the depth chart"
        )
    if findings is None:
        from .lint import lint

        findings = lint(tree)
    g = to_networkx(tree)
    pos = _layout(tree, g)
    widest = max(sum(1 for p in pos.values() if p[1] == y) for y in {p[1] for p in pos.values()})
    n_rows = len({p[1] for p in pos.values()})
    ax = _axes(ax, (min(16.0, max(8.0, 1.35 * widest + 2.5)), max(4.0, 0.95 * n_rows + 1.2)))
    keys: dict[tuple[str, str], list[str]] = {}
    events: dict[tuple[str, str], set[str]] = {}
    for u, v, d in g.edges(data=True):
        if u == v or d["event"] in ("no_input", "invalid"):
            continue
        events.setdefault((u, v), set()).add(d["event"])
        if d["key"] is not None and d["event"] in _FORWARD:
            keys.setdefault((u, v), []).append(str(d["key"]))
    worst = _worst(findings)
    boxes = {}
    for n, (x, yv) in pos.items():
        kind = g.nodes[n]["type"]
        severity = worst.get(n)
        boxes[n] = ax.text(
            x,
            yv,
            "hang up" if n == IMPLICIT_HANGUP else n,
            ha="center",
            va="center",
            fontsize=7.5,
            zorder=4,
            gid=f"node:{n}",
            bbox={
                "boxstyle": "round,pad=0.35",
                "fc": NODE_STYLE[kind][1],
                "ec": SEVERITY_OUTLINE.get(severity or "", "0.45"),
                "lw": 2.2 if severity in ("error", "warning") else 1.0,
            },
        )
    edge_class = _edge_class()
    label_box = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9}
    for (u, v), evs in events.items():
        failed = not evs & set(_FORWARD)  # drawn as a failure only when no one goes on purpose
        back = pos[v][1] >= pos[u][1]  # across a row, or back up the tree
        rad = 0.28 if back else 0.0
        arrow = edge_class(
            (boxes[u], boxes[v]),
            rad,
            posA=pos[u],
            posB=pos[v],
            arrowstyle="-|>",
            mutation_scale=9,
            shrinkA=0,
            shrinkB=0,
            gid=f"edge:{u}->{v}",
            color=_FAILED if failed else ("#6b7f99" if back else "0.5"),
            linestyle="--" if failed else "-",
            linewidth=0.9,
            zorder=2,
        )
        ax.add_patch(arrow)
        if (u, v) in keys:
            mx, my = _bezier_mid(pos[u], pos[v], rad) if back else _lerp(pos[u], pos[v], 0.55)
            ax.text(
                mx, my, ",".join(keys[(u, v)]), fontsize=7.5, ha="center", va="center",
                bbox=label_box, zorder=3, color="0.15",
            )  # fmt: skip
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    present = [k for k in NODE_STYLE if any(g.nodes[n]["type"] == k for n in g.nodes)]
    handles: list[Any] = [
        Patch(facecolor=NODE_STYLE[k][1], edgecolor="0.45", label=k.replace("_", " "))
        for k in present
    ]
    severities = [s for s in ("error", "warning", "info") if s in worst.values()]
    handles += [
        Patch(facecolor="white", edgecolor=SEVERITY_OUTLINE[s], linewidth=2.2 if s != "info" else 1,
              label=f"outline: worst finding {s}")
        for s in severities
    ] or [Patch(facecolor="white", edgecolor="0.45", label="no findings at any node")]  # fmt: skip
    handles += [
        Line2D([], [], color="0.5", lw=1, label="a way on (keys on the arrow)"),
        Line2D([], [], color="#6b7f99", lw=1, label="back up or across (curved)"),
        Line2D([], [], color=_FAILED, lw=1, linestyle="--", label="failure or closed"),
    ]
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7.5, frameon=False
    )
    ax.set_title(f"{tree.name}: menu map", loc="left", fontsize=10)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.9, max(xs) + 0.9)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.5)
    ax.set_axis_off()
    return ax


def _edge_class() -> Any:
    """A FancyArrowPatch between two node boxes (texts with a bounding box, whose size is known
    only at draw time) that ends at the edges of the boxes: at each draw it moves its ends to
    where the line from one box's centre (towards the other, or towards the curve's control
    point) leaves the box, so arrowheads are never hidden and lines never cross their own
    node's name."""
    from matplotlib.patches import FancyArrowPatch

    class Edge(FancyArrowPatch):
        def __init__(self, ends: tuple[Any, Any], rad: float, **kwargs: Any) -> None:
            super().__init__(connectionstyle=f"arc3,rad={rad}", **kwargs)
            self._ends = ends
            self._rad = rad
            self._centres = (ends[0].get_position(), ends[1].get_position())

        def draw(self, renderer: Any) -> None:
            ax = self.axes
            assert ax is not None
            a, b = (np.asarray(ax.transData.transform(c), dtype=float) for c in self._centres)
            d = b - a
            control = (a + b) / 2 + self._rad * np.array([d[1], -d[0]])
            ends = []
            for text, centre, towards in ((self._ends[0], a, control), (self._ends[1], b, control)):
                text.update_bbox_position_size(renderer)
                box = text.get_bbox_patch().get_window_extent(renderer)
                ends.append(_leave_box(centre, towards, box.width / 2 + 1.5, box.height / 2 + 1.5))
            inverse = ax.transData.inverted()
            self.set_positions(tuple(inverse.transform(ends[0])), tuple(inverse.transform(ends[1])))
            super().draw(renderer)

    return Edge


def _leave_box(
    centre: NDArray[np.float64], towards: NDArray[np.float64], half_w: float, half_h: float
) -> NDArray[np.float64]:
    """Where the ray from ``centre`` towards ``towards`` leaves the box of those half sizes.

    Examples
    --------
    >>> _leave_box(np.array([0.0, 0.0]), np.array([10.0, 5.0]), 2.0, 4.0).tolist()
    [2.0, 1.0]
    """
    d = towards - centre
    scales = [h / abs(v) for h, v in ((half_w, d[0]), (half_h, d[1])) if v != 0]
    if not scales:
        return centre
    out: NDArray[np.float64] = centre + min(min(scales), 1.0) * d
    return out


def _lerp(a: tuple[float, float], b: tuple[float, float], t: float) -> tuple[float, float]:
    return a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])


_OUTCOME_LABEL_MIN = 0.06
"""Segments at least this wide are labelled inside their bar."""
OUTCOME_SHOWN_MIN = 0.0005
"""Outcomes with a smaller share (under 0.05%, shown as 0.0%) are left out of the legend."""


def outcomes(result: Result, *, ax: Axes | None = None) -> Axes:
    """Per task (and overall), the share of calls ending in each outcome, stacked; segments
    too narrow to label are named at the end of their row.

    Parameters
    ----------
    result : Result
        From :func:`ivrscore.analyze` or :func:`ivrscore.simulate`.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib Axes
        One bar per task and outcome, plus an "all calls" row; the legend lists only the
        outcomes that occur.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import ivrscore as ivr
    >>> r = ivr.analyze(ivr.load(ivr.examples.path("gp_surgery")))
    >>> ax = ivr.plot.outcomes(r)
    >>> len(ax.get_yticklabels())
    6
    """
    from .engine import OUTCOMES

    rows = [("all calls", result.outcomes)] + [
        (t.replace("_", " "), r.outcomes) for t, r in result.tasks.items()
    ]
    ax = _axes(ax, (9.0, 1.6 + 0.42 * len(rows)))
    y = np.arange(len(rows))[::-1]
    occurring = [o for o in OUTCOMES if any(shares[o] >= OUTCOME_SHOWN_MIN for _, shares in rows)]
    for yi, (_label, shares) in zip(y, rows, strict=True):
        left = 0.0
        small = []
        for name in OUTCOMES:
            v = shares[name]
            ax.barh(
                yi,
                v,
                left=left,
                color=PALETTE[name],
                height=0.65,
                edgecolor="white",
                label=name.replace("_", " ") if yi == y[0] and name in occurring else None,
            )
            if v >= _OUTCOME_LABEL_MIN:
                ax.text(
                    left + v / 2,
                    yi,
                    f"{v:.0%}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white"
                    if name in ("abandoned", "disconnected", "resolved_self_service")
                    else "black",
                )
            elif v >= OUTCOME_SHOWN_MIN:
                small.append(f"{name.replace('_', ' ')} {v:.1%}")
            left += v
        if small:
            ax.text(1.01, yi, "; ".join(small), va="center", fontsize=7, color="0.3")
    ax.set_yticks(y, [label for label, _ in rows])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(_percent())
    ax.set_xlabel(f"share of calls ({result.method})")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8, frameon=False)
    ax.set_title(f"{result.name}: how calls end", loc="left", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def _percent() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


def time_to_goal(sim: Simulation, *, ax: Axes | None = None) -> Axes:
    """Cumulative distributions of the time to a person and to resolution, over the simulated
    calls that get there; dots mark each curve's median.

    Parameters
    ----------
    sim : Simulation
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib Axes
        One step line per distribution (``ax.lines``), its median marked with a dot. The x axis
        ends at the 99th percentile of the times.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import ivrscore as ivr
    >>> sim = ivr.simulate(ivr.load(ivr.examples.path("acme_redesign")), calls=5_000, rng=1)
    >>> ax = ivr.plot.time_to_goal(sim)
    >>> len(ax.get_lines()) >= 2
    True
    """
    from matplotlib.lines import Line2D

    ax = _axes(ax, (9.0, 5.0))
    n = max(sim.calls, 1)
    curves = (
        ("to a person", sim.records["time_to_human_s"], PALETTE["resolved_by_agent"]),
        ("to resolution", sim.records["time_to_resolution_s"], PALETTE["listen"]),
    )
    top, right = 0.0, 0.0
    handles: list[Any] = []
    for label, values, colour in curves:
        v = np.sort(values[~np.isnan(values)].astype(float))
        if not v.size:
            continue
        share = np.arange(1, v.size + 1) / n  # out of all calls: the curve ends at the share
        med = float(np.median(v))
        (line,) = ax.step(
            v,
            share,
            where="post",
            color=colour,
            linewidth=1.6,
            label=f"{label}: {v.size / n:.0%} of calls get there, median {_mmss(med)}",
        )
        handles.append(line)
        ax.plot([med], [share[v.size // 2]], "o", color=colour, markersize=5)
        top = max(top, share[-1])
        right = max(right, float(np.percentile(v, 99)))
    handles.append(
        Line2D([], [], marker="o", color="0.3", linestyle="none", markersize=5,
               label="median: half of the calls that get there are there by then")
    )  # fmt: skip
    ax.set_ylim(0, min(1.0, top * 1.1) or 1.0)
    if right > 0:
        ax.set_xlim(0, right * 1.05)
        _time_axis(ax.xaxis, right * 1.05)
    ax.yaxis.set_major_formatter(_percent())
    ax.set_xlabel("time from the start of the call (min:s); the axis ends at the 99th percentile")
    ax.set_ylabel("share of all calls there by then")
    ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=False)
    ax.set_title(
        f"{sim.name}: time to a person and to resolution ({sim.calls:,} callers)",
        loc="left",
        fontsize=10,
    )
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def compare(
    before: Report | Comparison, after: Report | None = None, *, ax: Axes | None = None
) -> Axes:
    """Criteria of two designs side by side (score 0-100 per criterion, and overall); each bar
    carries its score, and a score of zero still shows a sliver of bar.

    Parameters
    ----------
    before : Report or Comparison
    after : Report, optional
        Needed when ``before`` is a Report.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib Axes
        Two bars per criterion (``ax.patches``), before above after.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import ivrscore as ivr
    >>> cmp = ivr.compare(ivr.load(ivr.examples.path("acme_telecom")),
    ...                   ivr.load(ivr.examples.path("acme_redesign")))
    >>> ax = ivr.plot.compare(cmp)
    >>> len(ax.patches), ax.get_title(loc="left")
    (20, 'before vs after: points lost per criterion')
    """
    from .score import Comparison

    if isinstance(before, Comparison):
        pair = before
        before, after = pair.before, pair.after
    if after is None:
        raise ValueError("compare needs two reports (or one Comparison)")
    names = [c.name.replace("_", " ") for c in before.criteria] + ["all criteria"]
    ax = _axes(ax, (8.0, 1.8 + 0.45 * len(names)))
    b = [c.points_lost for c in before.criteria] + [100.0 - before.score]
    a = [c.points_lost for c in after.criteria] + [100.0 - after.score]
    y = np.arange(len(names))[::-1]
    top = max(max(b), max(a), 1.0)
    stub = top / 120  # nothing lost still shows as a sliver, labelled 0
    for offset, values, colour, report, which in (
        (0.2, b, PALETTE["wait"], before, "before"),
        (-0.2, a, PALETTE["listen"], after, "after"),
    ):
        ax.barh(
            y + offset,
            [max(v, stub) for v in values],
            height=0.38,
            color=colour,
            label=f"{which}: {report.name} — {report.score:.0f} ({report.grade})",
        )
        for yi, v in zip(y, values, strict=True):
            label = "0" if v < 0.05 else f"{v:.1f}"
            ax.text(max(v, stub) + top * 0.01, yi + offset, label, va="center", fontsize=7)
    ax.set_yticks(y, names)
    ax.set_xlim(0, top * 1.12)
    ax.set_xlabel("points lost of 100 (each criterion's share of the harm per call)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=1, fontsize=8, frameon=False)
    ax.set_title("before vs after: points lost per criterion", loc="left", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


_HOUR_METRICS = {
    "asa_s": ("average speed of answer", "min:s"),
    "p_abandon": ("share of offered calls given up", "%"),
    "service_level": ("share answered within 20 s", "%"),
    "occupancy": ("agents' time with callers", "%"),
    "offered": ("calls offered per hour", "calls"),
}


def _hours_of(source: Any) -> Any:
    hours = getattr(source, "hourly", source)
    if hours is None or not hasattr(hours, "offered"):
        raise ValueError(
            "this chart needs hourly queue figures: analyze a tree with a volume: "
            "(ivr.analyze(tree).hourly)"
        )
    return hours


def queue_hours(
    source: Any, queue: str | None = None, *, metric: str = "asa_s", ax: Axes | None = None
) -> Axes:
    """An hour-of-week heat map of one staffed queue (or pool): days down, hours across.

    Parameters
    ----------
    source : Result or QueueHours
        ``ivr.analyze(tree)`` of a tree with a ``volume:``, or its ``hourly``.
    queue : str, optional
        A queue id or pool name (default: the one offered the most calls).
    metric : {"asa_s", "p_abandon", "service_level", "occupancy", "offered"}
        What the colour shows (hours with no calls stay blank).
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import ivrscore as ivr
    >>> r = ivr.analyze(ivr.load(ivr.examples.path("acme_telecom")))
    >>> ax = ivr.plot.queue_hours(r, "general_queue", metric="p_abandon")
    >>> ax.get_title(loc="left").startswith("general_queue")
    True
    """
    hours = _hours_of(source)
    if metric not in _HOUR_METRICS:
        raise ValueError(f"metric must be one of {', '.join(_HOUR_METRICS)}")
    row = hours.index(queue) if queue else int(np.argmax(hours.offered.sum(axis=1)))
    values = np.array(getattr(hours, metric)[row], dtype=float).reshape(7, 24)
    values[np.asarray(hours.offered[row]).reshape(7, 24) <= 0] = np.nan
    ax = _axes(ax, (9.0, 3.6))
    words, unit = _HOUR_METRICS[metric]
    shown = values / 60.0 if unit == "min:s" else values
    cmap = "viridis_r" if metric in ("service_level",) else "magma_r"
    im = ax.imshow(np.ma.masked_invalid(shown), aspect="auto", cmap=cmap, interpolation="nearest")
    from .model.schedule import DAYS

    ax.set_yticks(range(7), [d.capitalize() for d in DAYS])
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_xlabel("hour of the day")
    bar = ax.figure.colorbar(im, ax=ax, pad=0.01)
    bar.set_label({"min:s": "minutes", "%": "share", "calls": "calls"}[unit], fontsize=8)
    if unit == "%":
        bar.ax.yaxis.set_major_formatter(_percent())
    peak = int(np.argmax(hours.calls))
    ax.plot(peak % 24, peak // 24, marker="o", mfc="none", mec="white", ms=10, mew=1.5)
    name = hours.names[row]
    ax.set_title(
        f"{name}: {words}, each hour of the week (o: busiest hour)", loc="left", fontsize=10
    )
    return ax


def load_and_agents(source: Any, queue: str | None = None, *, ax: Axes | None = None) -> Axes:
    """Offered load (Erlangs) against agents on duty through the week, for one staffed queue
    or pool: where the line is under the load, callers wait and give up.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import ivrscore as ivr
    >>> r = ivr.analyze(ivr.load(ivr.examples.path("acme_telecom")))
    >>> ax = ivr.plot.load_and_agents(r, "general_queue")
    >>> [line.get_label() for line in ax.get_lines()][:2]
    ['offered load (Erlangs)', 'agents on duty']
    """
    hours = _hours_of(source)
    row = hours.index(queue) if queue else int(np.argmax(hours.offered.sum(axis=1)))
    name = hours.names[row]
    # handling time from the Erlang load: offered calls x handle time / 3600
    from .engine.dynamics import HOURS

    handle = _handle_of(source, row)
    load = np.asarray(hours.offered[row]) * handle / 3600.0
    x = np.arange(HOURS)
    ax = _axes(ax, (10.0, 3.4))
    ax.step(x, load, where="post", color=PALETTE["keys"], lw=1.6, label="offered load (Erlangs)")
    ax.step(
        x, hours.agents[row], where="post", color=PALETTE["listen"], lw=1.4, label="agents on duty"
    )
    short = np.asarray(hours.agents[row]) < load
    ax.fill_between(
        x,
        0,
        1,
        where=short,
        transform=ax.get_xaxis_transform(),
        color=PALETTE["keys"],
        alpha=0.15,
        step="post",
        label="fewer agents than the load",
    )
    from .model.schedule import DAYS

    ax.set_xticks(range(0, HOURS, 24), [d.capitalize() for d in DAYS])
    for d in range(1, 7):
        ax.axvline(d * 24, color="#ddd", lw=0.6, zorder=0)
    ax.set_xlim(0, HOURS)
    ax.set_ylim(0, max(float(load.max()), float(np.max(hours.agents[row])), 1.0) * 1.15)
    ax.set_ylabel("Erlangs / agents")
    ax.legend(loc="upper right", fontsize=8, frameon=False, ncol=3)
    ax.set_title(f"{name}: offered load and agents through the week", loc="left", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def _handle_of(source: Any, row: int) -> float:
    """The handling time behind a row's load (from the Erlang models the result kept)."""
    hours = _hours_of(source)
    if hasattr(hours, "handle_time_s"):
        return float(hours.handle_time_s[row])
    raise ValueError("hourly figures without handling times")  # pragma: no cover
