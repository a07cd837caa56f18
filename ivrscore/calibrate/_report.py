"""A calibration as a text report (the terminal) and as HTML (Jupyter, ``--report html``)."""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._result import MIN_CALLS_PER_HOUR, Z_FLAG, escape

if TYPE_CHECKING:
    from ._result import Calibration
    from .estimate import SurvivalFit

__all__ = ["html_report", "text_report"]


def _pct(x: float, digits: int = 1) -> str:
    return "-" if not math.isfinite(x) else f"{100 * x:.{digits}f}%"


def _pm_pct(value: float, se: float) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{100 * value:.1f}% ± {100 * se:.1f}" if math.isfinite(se) else f"{100 * value:.1f}%"


def _s(x: float) -> str:
    return "-" if not math.isfinite(x) else f"{x:,.0f} s" if abs(x) >= 10 else f"{x:.1f} s"


def _pm_s(value: float, se: float) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{_s(value)} ± {se:.1f}" if math.isfinite(se) else _s(value)


def _z(z: float) -> str:
    if not math.isfinite(z):
        return "-"
    return f"{z:+.1f}" + (" !" if abs(z) > Z_FLAG else "")


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Columns padded to their widest cell; the first left-aligned, the others right."""
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    out = []
    for r in [head, *rows]:
        cells = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        out.append(indent + "  ".join(cells).rstrip())
    return out


def _survival_lines(fit: SurvivalFit) -> list[str]:
    e = fit.exponential
    lines = [
        f"  {fit.n:,} callers, {fit.events:,} hung up ({_pct(fit.events / fit.n if fit.n else math.nan)})",
        f"  exponential      mean {_pm_s(e.value, e.se)}",
    ]
    if fit.lognormal is not None:
        ln = fit.lognormal
        lines.append(
            f"  log-normal       median {_pm_s(ln.median_s, ln.se_median_s)}, sigma "
            f"{ln.sigma:.2f} ± {ln.se_sigma:.2f} (mean {_s(ln.mean_s)})"
        )
    km = fit.km_median_s
    lines.append(
        f"  Kaplan-Meier     median {_s(km) if math.isfinite(km) else 'not reached'}; still "
        f"waiting at 60 s {_pct(float(fit.survival([60])[0]))}, at 120 s "
        f"{_pct(float(fit.survival([120])[0]))}"
    )
    if fit.events:
        aic = fit.aic()
        if "lognormal" in aic:
            lines.append(
                f"  AIC prefers the {fit.best()} (exponential {aic['exponential']:,.0f}, "
                f"log-normal {aic['lognormal']:,.0f})"
            )
        peak = _hazard_peak(fit)
        if peak:
            lines.append(f"  the hazard of hanging up is highest at {peak}")
    return lines


def _hazard_peak(fit: SurvivalFit) -> str:
    h = fit.hazard
    if not h:
        return ""
    ok = [
        i
        for i in range(len(h["hazard"]))
        if h["at_risk"][i] >= 100 and math.isfinite(h["hazard"][i]) and h["start_s"][i] >= 20
    ]
    if not ok:
        return ""
    i = max(ok, key=lambda j: h["hazard"][j])
    a = h["start_s"][i]
    w = h["width_s"][i]
    return (
        f"{a:.0f}-{a + w:.0f} s (after the first 20 s): {100 * h['hazard'][i] * w:.1f}% of those "
        f"still waiting then hang up within {w:.0f} s"
    )


def text_report(cal: Calibration) -> str:
    r = cal.read
    out = [f"Calibration of {cal.tree.name!r} against {cal.calls:,} calls"]
    files = ", ".join(r.files)
    out.append(f"  logs: {r.format}: {files}; {r.rows:,} rows; calibrated in {cal.seconds:.1f} s")
    for what, count in r.ignored.items():
        out.append(f"  ignored: {count:,} {what}")
    if r.skipped:
        reasons = ", ".join(f"{why} {c:,}" for why, c in r.reasons.most_common())
        out.append(f"  skipped {r.skipped:,} bad rows ({reasons}); first:")
        out += [f"    {m}" for m in r.messages[:5]]
    out.append(f"  period: {cal.period_text}")
    if cal.outside:
        out.append(f"  {cal.outside:,} calls outside the period left out")
    out.append("")
    out.append(f"volume: {cal.volume.value:,.0f} calls a week ± {cal.volume.se:,.0f}")
    out.append("")
    out.append("outcomes (share of calls)")
    labels = list(cal.predicted_outcomes)
    head = ["", "observed", *(f"tree {lab}" for lab in labels)]
    rows: list[list[str]] = []
    for k, e in cal.outcomes.items():
        rows.append(
            [k, _pm_pct(e.value, e.se)]
            + [_pct(cal.predicted_outcomes[lab].get(k, math.nan)) for lab in labels]
        )
    out += _table(head, rows)
    out.append("")
    if cal.tasks:
        out.append(f"task shares ({cal.task_method})")
        given = {
            k: float(v) for k, v in zip(cal.tree.task_names, cal.tree.task_shares(), strict=True)
        }
        rows = [
            [k, _pm_pct(e.value, e.se), _pct(given.get(k, math.nan))] for k, e in cal.tasks.items()
        ]
        out += _table(["", "fitted", "tree as given"], rows)
        out.append("")
    out.append("patience over the whole call (the caller model's; the calibrated tree takes "
               f"{_fitted_patience(cal)})")  # fmt: skip
    out += _survival_lines(cal.patience)
    if cal.queue_patience is not None:
        out.append("patience from queue entry")
        out += _survival_lines(cal.queue_patience)
    out.append("")
    if cal.queues:
        out.append("queues")
        rows = [
            [
                q.node,
                f"{q.calls:,}",
                f"{q.answered:,}",
                _pm_pct(q.p_abandon.value, q.p_abandon.se),
                _pm_s(q.asa.value, q.asa.se),
                _pm_s(q.offered_wait.value, q.offered_wait.se),
            ]
            for q in cal.queues.values()
        ]
        out += _table(["", "calls", "answered", "abandoned", "ASA", "offered wait"], rows)
        out.append("  (ASA: mean wait of answered calls; offered wait: what a caller who never "
                   "hung up would wait, exponential fit)")  # fmt: skip
        out.append("")
    if cal.handle_all.n:
        out.append("handle times")
        rows = [
            [k or "?", f"{h.n:,}", _pm_s(h.mean.value, h.mean.se), _s(h.median_s), _s(h.p90_s)]
            for k, h in [("all", cal.handle_all), *cal.handle.items()]
        ]
        out += _table(["", "calls", "mean", "median", "p90"], rows)
        out.append("")
    if cal.on_duty is not None:
        duty = [float(x) if math.isfinite(x) else -1.0 for x in cal.on_duty]
        busiest = max(range(168), key=lambda i: duty[i])
        out.append(
            f"agents: {cal.agents_named} named; most on duty {cal.hours[busiest].label} "
            f"({duty[busiest]:.1f} on average)"
        )
        out.append("")
    if cal.inputs:
        out.append("inputs: failure rate per attempt")
        rows = []
        for k, f in cal.inputs.items():
            per = ", ".join(_pct(e.value) for e in f.per_attempt)
            rows.append(
                [k, f"{f.rate.n:,}", _pm_pct(f.rate.value, f.rate.se), _pct(f.predicted),
                 _z((f.rate.value - f.predicted) / f.rate.se if f.rate.se else math.nan), per]
            )  # fmt: skip
        out += _table(["", "attempts", "failed", "tree", "z", "by attempt"], rows)
        out.append("")
    for m in cal.menus.values():
        if not m.attempts and not m.unknown:
            continue
        extra = f"; {m.inferred:,} keys inferred from the next node" if m.inferred else ""
        extra += f"; {m.unknown:,} could not be told" if m.unknown else ""
        out.append(f"menu {m.node}: {m.attempts:,} attempts{extra}")
        rows = []
        for key, (c, e, p, pc) in m.keys.items():
            if not c and not p:
                continue
            rows.append(
                [key or "silence", f"{c:,}", _pm_pct(e.value, e.se), _pct(p), _pct(pc),
                 _z((e.value - p) / e.se if e.se and math.isfinite(e.se) else math.nan)]
            )  # fmt: skip
        out += _table(["key", "count", "observed", "tree", "calibrated", "z"], rows)
        if m.invalid:
            out.append("  keys the menu does not have: "
                       + ", ".join(f"{k} ({c:,})" for k, c in m.invalid.items()))  # fmt: skip
        out.append("")
    out.append("nodes: visits and hang-ups per call (z: observed against the tree as given)")
    rows = []
    for n in cal.nodes:
        rows.append(
            [n.node, n.type, f"{n.visits.value:.3f}", f"{n.visits_predicted:.3f}",
             f"{n.visits_calibrated:.3f}", _z(n.visits_z), _pct(n.abandoned.value),
             _pct(n.abandoned_predicted), _pct(n.abandoned_calibrated), _z(n.abandoned_z)]
        )  # fmt: skip
    out += _table(
        ["", "type", "visits", "tree", "calibrated", "z", "hung up", "tree", "calibrated", "z"],
        rows,
    )
    out.append("")
    err = cal.hourly_error()
    if err:
        out.append(
            f"by hour of the week: Erlang A per clock hour (agents on duty from the records, "
            f"queue patience {_s(cal.queue_patience.exponential.value) if cal.queue_patience else '-'})"
        )
        out.append(
            f"  over {err['hours']:.0f} hours of the week with {MIN_CALLS_PER_HOUR:.0f} or more queued "
            f"calls an hour: abandonment observed "
            f"{_pct(err['abandon_observed'])}, predicted {_pct(err['abandon_predicted'])} "
            f"(mean absolute error {100 * err['abandon_mae']:.1f} points, rms z {err['abandon_rms_z']:.1f})"
        )
        if math.isfinite(err["asa_observed_s"]):
            out.append(
                f"  ASA observed {_s(err['asa_observed_s'])}, predicted "
                f"{_s(err['asa_predicted_s'])} (mean absolute error {_s(err['asa_mae_s'])}, "
                f"rms z {err['asa_rms_z']:.1f})"
            )
        rows = []
        shown = [h for h in cal.hours if h.compared]
        shown.sort(key=lambda h: -abs(h.abandoned_z) if math.isfinite(h.abandoned_z) else 0)
        for h in sorted(shown[:10], key=lambda h: h.hour):
            rows.append(
                [h.label, f"{h.offered / h.weeks:.1f}", f"{h.agents:.1f}",
                 _pct(h.abandoned_in_predicted_hours), _pct(h.abandoned_predicted),
                 _z(h.abandoned_z), _s(h.asa.value), _s(h.asa_predicted), _z(h.asa_z)]
            )  # fmt: skip
        out.append("  the 10 hours furthest from the prediction:")
        out += _table(
            ["", "offered/h", "agents", "abandoned", "predicted", "z", "ASA", "predicted", "z"],
            rows,
            indent="    ",
        )
        out.append("")
    if cal.off_tree:
        out.append("moves the tree does not have (callers went from -> to)")
        out += [f"  {a} -> {b}: {c:,} calls" for a, b, c in cal.off_tree[:10]]
        if len(cal.off_tree) > 10:
            out.append(f"  ... and {len(cal.off_tree) - 10} more")
        out.append("")
    if cal.unmapped:
        out.append(f"ids in the logs the tree does not have ({cal.unmapped_events:,} events)")
        out += [f"  {k}: {v:,}" for k, v in list(cal.unmapped.items())[:10]]
        if len(cal.unmapped) > 10:
            out.append(f"  ... and {len(cal.unmapped) - 10} more")
        out.append("")
    if cal.notes:
        out.append("notes")
        out += [f"  - {n}" for n in cal.notes]
    return "\n".join(out).rstrip() + "\n"


def _fitted_patience(cal: Calibration) -> str:
    p = cal.fitted.get("patience")
    if not p:
        return "nothing (no caller hung up)"
    if p.get("distribution") == "lognormal":
        return f"log-normal, median {p['median_s']:g} s, sigma {p['sigma']:g}"
    return f"exponential, mean {p['mean_s']:g} s"


# -- HTML -------------------------------------------------------------------------------------

_STYLE = """
<style>
.ivrcal {font-family: system-ui, sans-serif; font-size: 13px; max-width: 1100px}
.ivrcal table {border-collapse: collapse; margin: 4px 0 12px}
.ivrcal th, .ivrcal td {padding: 2px 8px; text-align: right; border-bottom: 1px solid #ddd}
.ivrcal th:first-child, .ivrcal td:first-child {text-align: left}
.ivrcal .flag {color: #b40000; font-weight: 600}
.ivrcal h3 {margin: 14px 0 4px}
.ivrcal img {max-width: 100%}
</style>
"""


def _html_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = []
    for r in rows:
        cells = []
        for c in r:
            cls = ' class="flag"' if str(c).endswith(" !") else ""
            cells.append(f"<td{cls}>{escape(c)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _charts(cal: Calibration) -> list[tuple[str, bytes]]:
    from . import plots

    out = []
    which = "queue_patience" if cal.queue_patience is not None else "patience"
    if getattr(cal, which).events:
        out.append(
            ("survival", plots._figure_png(lambda ax: plots.survival(cal, which=which, ax=ax)))
        )
        out.append(("hazard", plots._figure_png(lambda ax: plots.hazard(cal, which=which, ax=ax))))
    if any(math.isfinite(h.abandoned_predicted) for h in cal.hours):
        out.append(("abandonment by hour", plots._figure_png(
            lambda ax: plots.hourly(cal, metric="abandoned", ax=ax), (11, 4))))  # fmt: skip
    out.append(("calls by hour", plots._figure_png(
        lambda ax: plots.hourly(cal, metric="calls", ax=ax), (11, 4))))  # fmt: skip
    return out


def html_report(cal: Calibration, *, standalone: bool) -> str:
    """The text report's sections as HTML tables, with the charts as embedded PNGs."""
    text = text_report(cal)
    parts = [_STYLE, '<div class="ivrcal">']
    parts.append(f"<h2>Calibration of {escape(cal.tree.name)}</h2>")
    parts.append(f"<p>{cal.calls:,} calls, {escape(cal.period_text)}; "
                 f"{cal.volume.value:,.0f} calls a week ± {cal.volume.se:,.0f}.</p>")  # fmt: skip
    labels = list(cal.predicted_outcomes)
    rows = [
        [k, _pm_pct(e.value, e.se)]
        + [_pct(cal.predicted_outcomes[lab].get(k, math.nan)) for lab in labels]
        for k, e in cal.outcomes.items()
    ]
    parts.append(
        "<h3>Outcomes</h3>" + _html_table(["", "observed", *(f"tree {x}" for x in labels)], rows)
    )
    if cal.tasks:
        given = dict(zip(cal.tree.task_names, cal.tree.task_shares(), strict=True))
        rows = [
            [k, _pm_pct(e.value, e.se), _pct(given.get(k, math.nan))] for k, e in cal.tasks.items()
        ]
        parts.append(f"<h3>Task shares ({escape(cal.task_method)})</h3>"
                     + _html_table(["", "fitted", "tree as given"], rows))  # fmt: skip
    parts.append("<h3>Patience</h3><pre>" + escape("\n".join(
        ["over the whole call", *_survival_lines(cal.patience)]
        + (["from queue entry", *_survival_lines(cal.queue_patience)] if cal.queue_patience else [])
    )) + "</pre>")  # fmt: skip
    for title, png in _charts(cal):
        data = base64.b64encode(png).decode("ascii")
        parts.append(f'<img alt="{escape(title)}" src="data:image/png;base64,{data}">')
    rows = [
        [n.node, n.type, f"{n.visits.value:.3f}", f"{n.visits_predicted:.3f}",
         _z(n.visits_z), _pct(n.abandoned.value), _pct(n.abandoned_predicted), _z(n.abandoned_z)]
        for n in cal.nodes
    ]  # fmt: skip
    parts.append("<h3>Nodes (visits and hang-ups per call)</h3>" + _html_table(
        ["", "type", "visits", "tree", "z", "hung up", "tree", "z"], rows))  # fmt: skip
    rows = [
        [h.label, f"{h.calls / h.weeks:.1f}" if h.weeks else "-", f"{h.agents:.1f}",
         _pct(h.abandoned.value), _pct(h.abandoned_predicted),
         _z(h.abandoned_z) if h.compared else "-",
         _s(h.asa.value), _s(h.asa_predicted), _z(h.asa_z) if h.compared else "-"]
        for h in cal.hours if h.calls
    ]  # fmt: skip
    parts.append("<h3>By hour of the week</h3>" + _html_table(
        ["", "calls/h", "agents", "abandoned", "predicted", "z", "ASA", "predicted", "z"], rows))  # fmt: skip
    parts.append(
        "<details><summary>Full text report</summary><pre>" + escape(text) + "</pre></details>"
    )
    parts.append("</div>")
    body = "\n".join(parts)
    if not standalone:
        return body
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>Calibration of {escape(cal.tree.name)}</title></head><body>{body}</body></html>"
    )
