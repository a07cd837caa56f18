"""Charts (matplotlib): the menu depth chart, the menu map, outcomes, time to goal, comparisons.

Every function draws on ``ax`` (default: the current Axes), returns the Axes and never calls
``plt.show()``; set titles and labels afterwards as you like. matplotlib is imported when a
chart is drawn, so ``import ivrscore`` stays fast.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np

from .graph import IMPLICIT_HANGUP, best_routes, to_networkx
from .model.tree import PhoneTree
from .standard import Standard

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .engine import Result, Simulation
    from .lint import Findings
    from .score import Comparison, Report

__all__ = ["compare", "depth_chart", "menu_map", "outcomes", "time_to_goal"]

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
    "menu": ("D", "#4e79a7"),
    "input": ("h", "#f28e2b"),
    "branch": ("d", "#b07aa1"),
    "queue": ("p", "#bab0ac"),
    "agent": ("o", "#59a14f"),
    "self_service": ("o", "#8cd17d"),
    "voicemail": ("v", "#b6992d"),
    "callback": ("^", "#76b7b2"),
    "hangup": ("X", "#e15759"),
}
"""Marker and colour per node type on the menu map."""


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        import matplotlib.pyplot as plt

        return plt.gca()
    return ax


def depth_chart(
    tree: PhoneTree, *, ax: Axes | None = None, standard: Standard | None = None
) -> Axes:
    """The menu depth chart: per task, the seconds between the caller and the node that
    helps them, stacked by kind (listening, keying, expected waiting), with the menus on the
    way and the Standard's limits drawn in.

    Parameters
    ----------
    tree : PhoneTree
    ax : matplotlib Axes, optional
        Where to draw (default: the current Axes).
    standard : Standard, optional
        Its ``max_seconds_to_human`` (menus and keys before a person) is drawn as a line and its
        ``max_menu_depth`` marks routes too deep.

    Returns
    -------
    matplotlib Axes
        One horizontal bar per kind and task (``ax.patches``), tasks from the most common down.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import ivrscore as ivr
    >>> ax = ivr.plot.depth_chart(ivr.load(ivr.examples.path("acme_telecom")), ax=plt.figure().gca())
    >>> len(ax.get_yticklabels())
    8
    """
    ax = _axes(ax)
    std = standard or Standard()
    routes = best_routes(tree)
    tasks = sorted(tree.tasks, key=lambda t: -t.share)
    y = np.arange(len(tasks))[::-1]
    labels = []
    for yi, task in zip(y, tasks, strict=True):
        r = routes[task.name]
        labels.append(f"{task.name.replace('_', ' ')} ({task.share:.0%})")
        if r is None:
            ax.text(0, yi, "  no route to a resolver", va="center", color=PALETTE["abandoned"])
            continue
        left = 0.0
        for kind, value in (("listen", r.listen_s), ("keys", r.input_s), ("wait", r.wait_s)):
            width = value if math.isfinite(value) else 0.0
            ax.barh(
                yi,
                width,
                left=left,
                color=PALETTE[kind],
                height=0.6,
                edgecolor="white",
                label=kind if yi == y[0] else None,
            )
            left += width
        deep = r.menus > std.max_menu_depth
        ax.text(
            left,
            yi,
            f"  {r.menus} menu{'s' * (r.menus != 1)}" + (" (too deep)" if deep else ""),
            va="center",
            fontsize=8,
            color=PALETTE["abandoned"] if deep else "0.25",
        )
    ax.set_yticks(y, labels)
    limit = std.max_seconds_to_human
    ax.axvline(limit, color=PALETTE["abandoned"], linestyle="--", linewidth=1)
    ax.text(
        limit,
        y[0] + 0.55,
        f" standard: menus and keys ≤ {limit:.0f} s",
        color=PALETTE["abandoned"],
        fontsize=8,
        va="bottom",
    )
    handles = [
        _patch(PALETTE["listen"], "listening"),
        _patch(PALETTE["keys"], "keying"),
        _patch(PALETTE["wait"], "expected wait"),
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.13),
        ncol=3,
        fontsize=8,
        frameon=False,
    )
    ax.set_xlabel("seconds from the call's start to the node that resolves the task")
    ax.set_title(f"{tree.name}: menu depth by task", loc="left", fontsize=10)
    ax.set_ylim(-0.7, len(tasks) - 0.1)
    ax.spines[["top", "right"]].set_visible(False)
    _, right = ax.get_xlim()
    ax.set_xlim(0, max(right, limit) * 1.12)
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


def menu_map(tree: PhoneTree, *, ax: Axes | None = None, findings: Findings | None = None) -> Axes:
    """The phone tree laid out top-down by depth from the entry: nodes shaped and coloured by
    type, keys on option edges, nodes with findings outlined (red for errors, amber for
    warnings). Readable up to about 50 nodes.

    Parameters
    ----------
    tree : PhoneTree
    ax : matplotlib Axes, optional
    findings : Findings, optional
        Default: ``ivr.lint(tree)``; pass an empty ``Findings()`` for a plain map.

    Returns
    -------
    matplotlib Axes
        One scatter collection per node type present (``ax.collections``), one text label
        per node.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("acme_redesign"))
    >>> ax = ivr.plot.menu_map(tree, ax=plt.figure().gca())
    >>> sum(len(c.get_offsets()) for c in ax.collections if c.get_label() in ivr.model.NODE_TYPES)
    23
    """
    import networkx as nx

    ax = _axes(ax)
    if findings is None:
        from .lint import lint

        findings = lint(tree)
    g = to_networkx(tree)
    pos = _layout(tree, g)
    simple: nx.DiGraph[str] = nx.DiGraph()
    simple.add_nodes_from(g.nodes)
    keys: dict[tuple[str, str], list[str]] = {}
    events: dict[tuple[str, str], set[str]] = {}
    for u, v, d in g.edges(data=True):
        if u == v or d["event"] in ("no_input", "invalid"):
            continue
        simple.add_edge(u, v)
        events.setdefault((u, v), set()).add(d["event"])
        if d["key"] is not None and d["event"] in _FORWARD:
            keys.setdefault((u, v), []).append(str(d["key"]))
    # an edge is drawn as a failure or closure only when no caller goes that way on purpose
    bad = [e for e in simple.edges if not events[e] & set(_FORWARD)]
    good = [e for e in simple.edges if e not in bad]
    for edges, colour, dash in ((good, "0.55", "solid"), (bad, PALETTE["abandoned"], "dashed")):
        same_row = [e for e in edges if pos[e[0]][1] == pos[e[1]][1]]
        other = [e for e in edges if e not in same_row]
        for edgelist, bend in ((other, "arc3"), (same_row, "arc3,rad=0.3")):
            nx.draw_networkx_edges(
                simple, pos, edgelist=edgelist, edge_color=colour, style=dash, width=0.8,
                arrows=True, arrowsize=8, node_size=260, ax=ax, connectionstyle=bend,
            )  # fmt: skip
    box = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8}
    for curved in (False, True):
        labels = {
            e: ",".join(k) for e, k in keys.items() if (pos[e[0]][1] == pos[e[1]][1]) == curved
        }
        nx.draw_networkx_edge_labels(
            simple, pos, edge_labels=labels, ax=ax, font_size=6, label_pos=0.7, rotate=False,
            bbox=box, connectionstyle="arc3,rad=0.3" if curved else "arc3",
        )  # fmt: skip
    worst: dict[str, str] = {}
    for f in findings:
        if f.node and (f.severity == "error" or worst.get(f.node) != "error"):
            worst[f.node] = f.severity if f.severity != "info" else worst.get(f.node, "info")
    for kind, (marker, colour) in NODE_STYLE.items():
        nodes = [n for n in g.nodes if g.nodes[n]["type"] == kind]
        if not nodes:
            continue
        edge = [
            PALETTE["abandoned"]
            if worst.get(n) == "error"
            else "#e0a800"
            if worst.get(n) == "warning"
            else "0.3"
            for n in nodes
        ]
        xy = np.array([pos[n] for n in nodes])
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=220,
            marker=marker,
            c=colour,
            edgecolors=edge,
            linewidths=[2.0 if n in worst and worst[n] != "info" else 0.8 for n in nodes],
            label=kind,
            zorder=3,
        )
    for n, (x, yv) in pos.items():
        name = "hang up" if n == IMPLICIT_HANGUP else n
        ax.text(x, yv - 0.28, name, ha="center", va="top", fontsize=6.5, zorder=4)
    from matplotlib.lines import Line2D

    present = {g.nodes[n]["type"] for n in g.nodes}
    handles = [
        Line2D(
            [],
            [],
            marker=m,
            color="none",
            markerfacecolor=c,
            markeredgecolor="0.3",
            markersize=8,
            label=k.replace("_", " "),
        )
        for k, (m, c) in NODE_STYLE.items()
        if k in present
    ]
    handles += [
        Line2D(
            [],
            [],
            marker="o",
            color="none",
            markerfacecolor="white",
            markeredgecolor=PALETTE["abandoned"],
            markeredgewidth=2,
            markersize=8,
            label="error finding",
        ),
        Line2D(
            [],
            [],
            marker="o",
            color="none",
            markerfacecolor="white",
            markeredgecolor="#e0a800",
            markeredgewidth=2,
            markersize=8,
            label="warning finding",
        ),
    ]
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False
    )
    ax.set_title(
        f"{tree.name}: menu map (outlined: findings; dashed: failure or closed)",
        loc="left",
        fontsize=9,
    )
    ax.set_axis_off()
    ax.margins(0.08)
    return ax


def outcomes(result: Result, *, ax: Axes | None = None) -> Axes:
    """Per task (and overall), the share of calls ending in each outcome, stacked.

    Parameters
    ----------
    result : Result
        From :func:`ivrscore.analyze` or :func:`ivrscore.simulate`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        One bar per task and outcome, plus an "all calls" row.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import ivrscore as ivr
    >>> r = ivr.analyze(ivr.load(ivr.examples.path("gp_surgery")))
    >>> ax = ivr.plot.outcomes(r, ax=plt.figure().gca())
    >>> len(ax.get_yticklabels())
    6
    """
    from .engine import OUTCOMES

    ax = _axes(ax)
    rows = [("all calls", result.outcomes)] + [
        (t.replace("_", " "), r.outcomes) for t, r in result.tasks.items()
    ]
    y = np.arange(len(rows))[::-1]
    for yi, (_label, shares) in zip(y, rows, strict=True):
        left = 0.0
        for name in OUTCOMES:
            v = shares[name]
            ax.barh(
                yi,
                v,
                left=left,
                color=PALETTE[name],
                height=0.65,
                edgecolor="white",
                label=name.replace("_", " ") if yi == y[0] else None,
            )
            if v >= 0.07:
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
            left += v
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
    calls that get there.

    Parameters
    ----------
    sim : Simulation
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        One step line per distribution (``ax.lines``), medians marked.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import ivrscore as ivr
    >>> sim = ivr.simulate(ivr.load(ivr.examples.path("acme_redesign")), calls=5_000, rng=1)
    >>> ax = ivr.plot.time_to_goal(sim, ax=plt.figure().gca())
    >>> len(ax.get_lines()) >= 2
    True
    """
    ax = _axes(ax)
    n = max(sim.calls, 1)
    curves = (
        ("to a person", sim.records["time_to_human_s"], PALETTE["resolved_by_agent"]),
        ("to resolution", sim.records["time_to_resolution_s"], PALETTE["listen"]),
    )
    top, right = 0.0, 0.0
    for label, values, colour in curves:
        v = np.sort(values[~np.isnan(values)].astype(float)) / 60.0
        if not v.size:
            continue
        share = (
            np.arange(1, v.size + 1) / n
        )  # out of all calls: the curve ends at the share reached
        med = float(np.median(v))
        ax.step(
            v,
            share,
            where="post",
            color=colour,
            linewidth=1.6,
            label=f"{label}: {v.size / n:.0%} of calls, median {med:.1f} min",
        )
        ax.plot([med], [share[v.size // 2]], "o", color=colour, markersize=4)
        top = max(top, share[-1])
        right = max(right, float(np.percentile(v, 99)))
    ax.set_ylim(0, min(1.0, top * 1.1) or 1.0)
    if right > 0:
        ax.set_xlim(0, right * 1.05)
    ax.yaxis.set_major_formatter(_percent())
    ax.set_xlabel("minutes from the start of the call (to the 99th percentile)")
    ax.set_ylabel("share of all calls there by then")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
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
    """Criteria of two designs side by side (score 0-100 per criterion, and overall).

    Parameters
    ----------
    before : Report or Comparison
    after : Report, optional
        Needed when ``before`` is a Report.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Two bars per criterion (``ax.patches``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import ivrscore as ivr
    >>> cmp = ivr.compare(ivr.load(ivr.examples.path("acme_telecom")),
    ...                   ivr.load(ivr.examples.path("acme_redesign")))
    >>> ax = ivr.plot.compare(cmp, ax=plt.figure().gca())
    >>> plt.close("all")
    >>> len(ax.patches)
    20
    """
    from .score import Comparison

    if isinstance(before, Comparison):
        pair = before
        before, after = pair.before, pair.after
    if after is None:
        raise ValueError("compare needs two reports (or one Comparison)")
    ax = _axes(ax)
    names = [c.name.replace("_", " ") for c in before.criteria] + ["overall"]
    b = [c.score for c in before.criteria] + [before.score]
    a = [c.score for c in after.criteria] + [after.score]
    y = np.arange(len(names))[::-1]
    ax.barh(
        y + 0.2,
        b,
        height=0.38,
        color=PALETTE["wait"],
        label=f"before: {before.score:.0f} ({before.grade})",
    )
    ax.barh(
        y - 0.2,
        a,
        height=0.38,
        color=PALETTE["listen"],
        label=f"after: {after.score:.0f} ({after.grade})",
    )
    ax.set_yticks(y, names)
    ax.set_xlim(0, 100)
    ax.set_xlabel("score (100 = at target, 0 = at limit)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8, frameon=False)
    ax.set_title(f"{after.name} vs {before.name}", loc="left", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    return ax
