"""Fleets: many flow files scored or linted at once, on a local process pool or a Dask cluster.

A platform team keeps hundreds of flows. :func:`expand` turns the command line's arguments
(files, directories, glob patterns) into the files to read: a directory is searched
recursively for flow files (:data:`FLOW_SUFFIXES`), and the platform resource files in it
(Amazon Connect hours, FreeSWITCH phrases, Asterisk ``queues.conf``) are read beside the flows
of their folder instead of being scored on their own. :func:`score_each` and :func:`lint_each`
then work through the files in parallel and yield one :class:`Outcome` per file, in the order
given, whatever order the workers finish in. A file that cannot be read or loaded is an
outcome too (its :meth:`Outcome.get` raises the loader's error), so it is reported and counted,
never dropped.

Examples
--------
>>> import ivrscore as ivr
>>> from ivrscore.fleet import score_files
>>> fleet = score_files([str(ivr.examples.path("gp_surgery")), "no_such_flow.yaml"], jobs=1)
>>> [Path(f).name for f, _ in fleet.reports], [f.file for f in fleet.failures]
(['gp_surgery.yaml'], ['no_such_flow.yaml'])
"""

from __future__ import annotations

import glob
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._sweep_pool import imap_tasks
from .exceptions import Problem, TreeFileError
from .io import read_bounded
from .loading import load
from .standard import Standard

if TYPE_CHECKING:
    from .lint import Findings
    from .lint.report import LoadFailure
    from .model.tree import PhoneTree
    from .score import Report

__all__ = [
    "FLOW_SUFFIXES",
    "Fleet",
    "Outcome",
    "expand",
    "fleet_table",
    "is_fleet",
    "lint_each",
    "score_each",
    "score_files",
]

FLOW_SUFFIXES = frozenset((".yaml", ".yml", ".json", ".xml", ".vxml", ".conf"))
"""What a directory is searched for (a name with any of these suffixes, so Asterisk's
``extensions.conf.sample`` counts). Name other files explicitly to include them."""


@dataclass(frozen=True)
class Source:
    """A file to read, with the resource files of its folder (for platform flows)."""

    file: str
    resources: tuple[str, ...] = ()


def _is_flow_name(p: Path) -> bool:
    return any(s.lower() in FLOW_SUFFIXES for s in p.suffixes) and not p.name.startswith(".")


def _resource_kind(path: Path) -> str | None:
    from . import importers

    try:
        raw = read_bounded(path)
    except (OSError, TreeFileError):
        return None  # read (and reported) as a flow
    kind = importers.detect(raw, str(path))
    return kind if kind in importers.RESOURCE_KINDS else None


def expand(args: Sequence[str]) -> tuple[list[Source], list[str]]:
    """The files named by ``args`` (files, directories, glob patterns), and the resource files
    found in the directories.

    A name that matches nothing stays in the list, so loading it fails and is reported. Files
    appear once, in the order given (a directory's and a pattern's files sorted by name).

    Returns
    -------
    (sources, resources)
        The files to load (each with the resources of its folder), and every resource file
        read beside them.
    """
    out: list[Source] = []
    resources: list[str] = []
    seen: set[str] = set()

    def add(name: str, res: tuple[str, ...] = ()) -> None:
        if name not in seen:
            seen.add(name)
            out.append(Source(name, res))

    for arg in args:
        p = Path(arg)
        if p.is_dir():
            files = sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and _is_flow_name(f)
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
            if not files:
                add(arg)  # loading a directory fails with one clear line
                continue
            kinds = {f: _resource_kind(f) for f in files}
            by_folder: dict[Path, list[str]] = {}
            for f, kind in kinds.items():
                if kind is not None:
                    by_folder.setdefault(f.parent, []).append(str(f))
                    if str(f) not in resources:
                        resources.append(str(f))
            for f, kind in kinds.items():
                if kind is None:
                    add(str(f), tuple(by_folder.get(f.parent, ())))
        elif glob.has_magic(arg):
            matches = sorted(m for m in glob.glob(arg, recursive=True) if Path(m).is_file())
            for m in matches or [arg]:
                add(m)
        else:
            add(arg)
    return out, resources


def is_fleet(args: Sequence[str]) -> bool:
    """Whether ``args`` name a directory or a glob pattern (a fleet, shown as one table)."""
    return any(Path(a).is_dir() or glob.has_magic(a) for a in args)


@dataclass(frozen=True)
class Outcome:
    """What became of one file: its value, or the error that loading it raised.

    The error is kept as plain data (problems, or an ``OSError``), so outcomes travel between
    processes; :meth:`get` raises it again, as :func:`ivrscore.load` would have.
    """

    file: str
    value: Any = None
    problems: tuple[Problem, ...] = ()
    os_error: OSError | None = None
    warnings: tuple[Warning, ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        """Whether the file loaded."""
        return not self.problems and self.os_error is None

    def get(self) -> Any:
        """The value; re-emits the load's warnings, and raises its error
        (:class:`~ivrscore.TreeFileError` or ``OSError``)."""
        for w in self.warnings:
            warnings.warn(w, stacklevel=2)
        if self.problems:
            raise TreeFileError(self.problems)
        if self.os_error is not None:
            raise self.os_error
        return self.value


def _load(src: Source) -> PhoneTree:
    if not src.resources:
        return load(src.file)
    from . import importers
    from .loading import _warn_imported

    imported = importers.read(src.file, resources=src.resources)
    _warn_imported(imported, src.file)
    return imported.tree


@dataclass(frozen=True)
class _Job:
    source: Source
    action: str
    standard: Standard | None
    calls: int | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None


def _work(job: _Job) -> Outcome:
    """Load one file and score or lint it (top-level: picklable for spawned workers and Dask)."""
    name = job.source.file
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            tree = _load(job.source)
        except TreeFileError as exc:
            return Outcome(name, problems=exc.problems, warnings=_messages(caught))
        except OSError as exc:
            return Outcome(name, os_error=exc, warnings=_messages(caught))
    if job.action == "score":
        from .score import score

        value: Any = (tree, score(tree, job.standard, calls=job.calls))
    else:
        from .lint import lint

        sel = list(job.select) if job.select is not None else None
        ign = list(job.ignore) if job.ignore is not None else None
        value = (tree, lint(tree, job.standard, select=sel, ignore=ign))
    return Outcome(name, value=value, warnings=_messages(caught))


def _messages(caught: list[warnings.WarningMessage]) -> tuple[Warning, ...]:
    out = []
    for w in caught:
        msg = w.message
        out.append(msg if isinstance(msg, Warning) else w.category(str(msg)))
    return tuple(out)


def _each(jobs_list: list[_Job], jobs: int | None, client: Any) -> Iterator[tuple[str, Outcome]]:
    for outcome in imap_tasks(_work, jobs_list, client=client, jobs=jobs or 1):
        yield outcome.file, outcome


def score_each(
    args: Sequence[str],
    standard: Standard | None = None,
    *,
    calls: int | None = None,
    jobs: int | None = None,
    client: Any = None,
) -> Iterator[tuple[str, Outcome]]:
    """Load and score every file ``args`` name (see :func:`expand`), ``jobs`` at a time
    (default 1: in this process); yields ``(file, outcome)`` in order, where
    ``outcome.get()`` is ``(tree, report)`` or raises the load error."""
    sources, _ = expand(args)
    work = [_Job(s, "score", standard, calls=calls) for s in sources]
    return _each(work, jobs, client)


def lint_each(
    args: Sequence[str],
    standard: Standard | None = None,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    jobs: int | None = None,
    client: Any = None,
) -> Iterator[tuple[str, Outcome]]:
    """Load and lint every file ``args`` name; yields ``(file, outcome)`` in order, where
    ``outcome.get()`` is ``(tree, findings)`` or raises the load error."""
    sources, _ = expand(args)
    sel = tuple(select) if select is not None else None
    ign = tuple(ignore) if ignore is not None else None
    work = [_Job(s, "lint", standard, select=sel, ignore=ign) for s in sources]
    return _each(work, jobs, client)


@dataclass(frozen=True)
class Fleet:
    """The scores (or findings) of many files, and the files that failed to load.

    Attributes
    ----------
    reports : list of (file, Report)
    findings : list of (file, Findings)
    failures : list of LoadFailure
    resources : list of str
        Resource files read beside the flows of their folder.
    """

    reports: list[tuple[str, Report]] = field(default_factory=list)
    findings: list[tuple[str, Findings]] = field(default_factory=list)
    failures: list[LoadFailure] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)

    def text(self) -> str:
        """One line per file, then the counts (see :func:`fleet_table`)."""
        return fleet_table(self.reports, self.failures, resources=self.resources)


def score_files(
    args: Sequence[str],
    standard: Standard | None = None,
    *,
    calls: int | None = None,
    jobs: int | None = None,
    client: Any = None,
) -> Fleet:
    """Score every file ``args`` name, in parallel; failures are collected, not raised.

    Parameters
    ----------
    args : list of str
        Files, directories (searched recursively) and glob patterns.
    standard : Standard, optional
    calls : int, optional
        Simulate this many callers instead of the exact analysis.
    jobs : int, optional
        Worker processes (default 1: in this process).
    client : dask.distributed.Client, optional
        Run on this cluster instead.

    Returns
    -------
    Fleet
    """
    from .lint.report import LoadFailure

    fleet = Fleet(resources=expand(args)[1])
    for name, outcome in score_each(args, standard, calls=calls, jobs=jobs, client=client):
        try:
            _, report = outcome.get()
        except (TreeFileError, OSError) as exc:
            fleet.failures.append(LoadFailure.from_error(name, exc))
            continue
        fleet.reports.append((name, report))
    return fleet


def fleet_table(
    reports: Sequence[tuple[str, Report]] | Sequence[tuple[str, Any, Report]],
    failures: Sequence[LoadFailure],
    *,
    resources: Sequence[str] = (),
    order: Sequence[str] | None = None,
) -> str:
    """One line per file: score, grade, errors (rules broken) and the file, or why it did not
    load; then the counts. Files keep the order given (``order``, default reports then
    failures).

    Examples
    --------
    >>> import ivrscore as ivr
    >>> print(score_files([str(ivr.examples.path("gp_surgery")), "missing.yaml"], jobs=1).text())
    score grade no-nos  file
     ...  .../gp_surgery.yaml  (Riverside Medical Practice)
        -  load  -      missing.yaml: No such file or directory
    2 files: 1 scored, 1 failed to load
    """
    rows: dict[str, str] = {}
    for item in reports:
        name, report = item[0], item[-1]
        score = report.score
        shown = f"{score:5.1f}" if math.isfinite(score) else "    -"
        rows[name] = f"{shown}  {report.grade:>4}  {len(report.no_nos):>6}  {name}  ({report.name})"
    for f in failures:
        first = f.problems[0] if f.problems else None
        why = first.message if first else "could not be loaded"
        line = first.line if first else None
        where = f"{f.file}:{line}" if line else f.file
        more = f" (and {len(f.problems) - 1} more)" if len(f.problems) > 1 else ""
        rows[f.file] = f"    -  load  -      {where}: {why}{more}"
    names = [n for n in (order or []) if n in rows] + [n for n in rows if n not in (order or [])]
    lines = ["score grade no-nos  file", *(rows[n] for n in names)]
    counts = f"{len(rows)} file{'s' * (len(rows) != 1)}: {len(reports)} scored, "
    counts += f"{len(failures)} failed to load"
    if resources:
        counts += f"; {len(resources)} resource file(s) read beside their flows"
    lines.append(counts)
    return "\n".join(lines)
