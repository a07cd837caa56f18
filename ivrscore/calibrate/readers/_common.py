"""What the log readers share: grouping rows into calls in bounded memory, CSV headers."""

from __future__ import annotations

import csv
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path

from ..._text import did_you_mean
from .._events import Call, Event, LogFileError, ReadReport, open_text

__all__ = ["Options", "Pending", "csv_rows", "header_index"]

IDLE_S = 12 * 3600.0
"""A call with no event for this long (in the log's own time) is taken to have ended: the
log is read in time order, so its calls cannot all be held open."""

SWEEP_EVERY = 50_000
"""Rows between looks for calls gone idle."""

MAX_CLOSED = 200_000
"""Recently ended call ids remembered, to catch rows that arrive after their call's end."""


@dataclass(frozen=True)
class Options:
    """How to read: the time zone to convert zoned timestamps to (``None``: as written)."""

    tz: tzinfo | None = None


@dataclass
class Pending:
    """Calls still being read, by their id in the log; ended calls come out of :meth:`ready`.

    Rows of one call need not be adjacent. A call ends at its ``end`` or ``abandon`` event
    (unless ``close_on_end`` is false: logs listed newest first), when the rows being read have
    moved :data:`IDLE_S` away from all its events (either way in time), or at the end of the
    logs.
    """

    report: ReadReport
    close_on_end: bool = True
    open: dict[str, Call] = field(default_factory=dict)
    span: dict[str, tuple[float, float]] = field(default_factory=dict)
    closed: OrderedDict[str, None] = field(default_factory=OrderedDict)
    done: list[Call] = field(default_factory=list)
    rows: int = 0
    now: float = float("-inf")

    def add(self, cid: str, ev: Event, *, task: str = "", where: str = "", file: str = "",
            line: int | None = None) -> None:  # fmt: skip
        if cid in self.closed and cid not in self.open:
            self.report.bad(file, line, "row after its call ended", f"event {ev.kind!r}")
            return
        call = self.open.get(cid)
        if call is None:
            call = self.open[cid] = Call([], task=task, where=where)
            self.span[cid] = (ev.t, ev.t)
            if len(self.open) > self.report.max_open:
                self.report.max_open = len(self.open)
        else:
            if task and not call.task:
                call.task = task
            lo, hi = self.span[cid]
            self.span[cid] = (min(lo, ev.t), max(hi, ev.t))
        call.events.append(ev)
        self.now = ev.t
        if self.close_on_end and ev.kind in ("end", "abandon"):
            self.close(cid)
        self.rows += 1
        if self.rows % SWEEP_EVERY == 0:
            self.sweep()

    def close(self, cid: str) -> None:
        call = self.open.pop(cid, None)
        self.span.pop(cid, None)
        if call is None:
            return
        self.done.append(call)
        self.closed[cid] = None
        if len(self.closed) > MAX_CLOSED:
            self.closed.popitem(last=False)

    def sweep(self) -> None:
        now = self.now
        for cid in [
            c for c, (lo, hi) in self.span.items() if now > hi + IDLE_S or now < lo - IDLE_S
        ]:
            self.close(cid)

    def ready(self) -> Iterator[Call]:
        """The calls that have ended since the last look."""
        if self.done:
            out, self.done = self.done, []
            self.report.calls += len(out)
            yield from out

    def flush(self) -> Iterator[Call]:
        """Every call still open (the logs are over)."""
        for cid in list(self.open):
            self.close(cid)
        yield from self.ready()


def header_index(
    header: Sequence[str],
    want: dict[str, tuple[str, ...]],
    required: Sequence[str],
    file: str,
) -> dict[str, int]:
    """Column positions by canonical name, from a header row and each name's aliases."""
    norm = [h.strip().lower().replace(" ", "_").replace("-", "_") for h in header]
    out: dict[str, int] = {}
    for name, aliases in want.items():
        for a in (name, *aliases):
            if a in norm:
                out[name] = norm.index(a)
                break
    missing = [r for r in required if r not in out]
    if missing:
        hints = [did_you_mean(m, norm) for m in missing]
        hint = "; ".join(h for h in hints if h)
        raise LogFileError(
            f"the header has no {', '.join(repr(m) for m in missing)} column"
            f" (columns: {', '.join(norm)}){'; ' + hint if hint else ''}",
            file=str(file),
            line=1,
        )
    return out


def csv_rows(path: str | Path, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """``(line number, cells)`` of a CSV (or tab- or pipe-separated) log; ``#`` lines and blank
    lines are skipped. A cell with a stray quote spoils only its own row."""
    with open_text(path) as f:
        reader = csv.reader(f, delimiter=delimiter)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield reader.line_num, ["\x00csv-error", str(exc)]
                continue
            if not row or row[0].lstrip().startswith("#") or all(not c.strip() for c in row):
                continue
            yield reader.line_num, row
