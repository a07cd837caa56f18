"""Twilio Studio execution steps (the Studio v2 REST API's ``Steps`` of each ``Execution``).

Each step is one transition of one execution (one call): ``execution_sid``, ``name`` (the
event that fired: ``incomingCall``, ``keypress``, ``timeout``, ``audioComplete``, a split's
``match`` ...), ``transitioned_from`` and ``transitioned_to`` (widget names, or ``Trigger``
and ``Ended``) and ``date_created``. The importer names nodes by widget, so a widget name maps
straight to a node (``meta.source.id``). A step into a widget enters it; a ``timeout`` that
returns to the same widget is silence there; a step to ``Ended`` ends the call. The key a
caller pressed is read from the step's ``context`` when it holds ``Digits``, and otherwise
inferred from the widget they went to next. Files may hold a list page
(``{"steps": [...]}``), an array or one step per line. ``contact_channel_address`` (the
caller's number) is never read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .._events import Call, Event, ReadReport, head_bytes, parse_time
from ._common import Options, Pending
from ._json import json_objects, looks_like

__all__ = ["read", "sniff"]

_TRIGGER = "Trigger"
_ENDED = "Ended"


def sniff(path: Path) -> bool:
    """JSON with ``transitioned_from`` (Studio steps)."""
    try:
        return looks_like(head_bytes(path), "transitioned_from")
    except OSError:
        return False


def _digits(ctx: Any, widget: str) -> str:
    if not isinstance(ctx, dict):
        return ""
    for holder in (
        ctx,
        ctx.get("widgets", {}).get(widget) if isinstance(ctx.get("widgets"), dict) else None,
    ):
        if isinstance(holder, dict):
            d = holder.get("Digits")
            if isinstance(d, str | int) and str(d).strip():
                return str(d).strip()
    return ""


def read(paths: Sequence[Path], report: ReadReport, opts: Options) -> Iterator[Call]:
    """Calls from Studio execution steps (see the module notes)."""
    pending = Pending(report, close_on_end=False)  # the API lists steps newest first
    for path in paths:
        name = path.name
        for line, obj in json_objects(path, report):
            sid = obj.get("execution_sid")
            frm, to = obj.get("transitioned_from"), obj.get("transitioned_to")
            if not isinstance(sid, str) or not isinstance(frm, str) or not isinstance(to, str):
                report.bad(name, line, "not a Studio step (execution_sid, transitioned_from/to)")
                continue
            try:
                t = parse_time(str(obj.get("date_created") or ""), opts.tz)
            except ValueError as exc:
                report.bad(name, line, "bad date_created", str(exc))
                continue
            event = str(obj.get("name") or "")
            where = f"{name}:{line}"
            if frm == _TRIGGER:
                pending.add(sid, Event(t, "start"), where=where)
            key = _digits(obj.get("context"), frm)
            if key and frm != _TRIGGER:
                pending.add(sid, Event(t, "key", frm, key), where=where)
            if event.lower() in ("timeout", "notimeout") and to == frm:
                pending.add(sid, Event(t, "no_input", frm), where=where)
            elif to == _ENDED:
                pending.add(
                    sid,
                    Event(t, "end", frm if frm != _TRIGGER else ""),
                    where=where,
                    file=name,
                    line=line,
                )
            else:
                pending.add(sid, Event(t, "enter", to), where=where)
            yield from pending.ready()
    yield from pending.flush()
