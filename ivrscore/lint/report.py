"""Lint output: text for people, JSON for tools, SARIF 2.1.0 for code-scanning services.

Every format reports the files that could not be read as well as the findings, so that a CI
gate never passes because a file vanished: text names them and counts them in the summary,
JSON lists each problem as an entry with ``code: null`` and ``slug: "load-error"`` (as ruff
reports a syntax error), and SARIF adds a tool execution notification and sets
``executionSuccessful`` to false.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..exceptions import Problem, TreeFileError
from ._registry import LAWS, RULES, Finding, Findings

__all__ = ["LOAD_ERROR", "LoadFailure", "explain", "to_json", "to_sarif", "to_text"]

LOAD_ERROR = "load-error"
"""The slug of a problem that kept a file from being read (it has no rule code)."""

_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_COLOUR = {"error": ("red", "bold"), "warning": ("yellow",), "info": ("cyan",)}
_SRCROOT = "%SRCROOT%"

Styler = Callable[..., str]


def _plain(text: str, *styles: str) -> str:
    return text


@dataclass(frozen=True)
class LoadFailure:
    """A file that could not be read or loaded, with every problem found in it.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> try:
    ...     ivr.loads("name: x\\n", source="x.yaml")
    ... except ivr.TreeFileError as exc:
    ...     failure = LoadFailure.from_error("x.yaml", exc)
    >>> failure.file, len(failure.problems) >= 1
    ('x.yaml', True)
    """

    file: str
    problems: tuple[Problem, ...]

    @classmethod
    def from_error(cls, file: str, error: TreeFileError | OSError) -> LoadFailure:
        """From the error :func:`ivrscore.load` raised for ``file``."""
        if isinstance(error, TreeFileError):
            return cls(file, error.problems)
        return cls(file, (Problem(error.strerror or str(error), file=file),))

    def to_dicts(self) -> list[dict[str, Any]]:
        """One JSON entry per problem, in the shape of a finding (``code`` is null)."""
        return [
            {
                "code": None,
                "slug": LOAD_ERROR,
                "severity": "error",
                "node": p.node,
                "path": [],
                "message": p.message,
                "laws": [],
                "hint": p.hint,
                "file": p.file or self.file,
                "line": p.line,
            }
            for p in self.problems
        ]

    def lines(self, *, style: Styler = _plain) -> list[str]:
        """One compiler-style line per problem:
        ``file:line:col: node: error load-error: message; hint``."""
        out = []
        for p in self.problems:
            where = p.file or self.file
            if p.line is not None:
                where += f":{p.line}" + (f":{p.column}" if p.column is not None else "")
            node = f" {p.node}:" if p.node else ""
            hint = f"; {p.hint}" if p.hint else ""
            error = style("error", *_COLOUR["error"])
            out.append(f"{where}:{node} {error} {LOAD_ERROR}: {p.message}{hint}")
        return out


def to_text(
    results: Sequence[tuple[str, Findings]],
    *,
    failures: Sequence[LoadFailure] = (),
    style: Styler = _plain,
) -> str:
    """Findings grouped per file, one ``file:line: node: severity CODE slug: message`` line each
    with the fix on the next line, the files that could not be read, and a summary line.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("acme_redesign"))
    >>> print(to_text([("acme_redesign.yaml", ivr.lint(tree))]))
    All checks passed: 1 file, no findings.
    >>> tree = ivr.load(ivr.examples.path("acme_telecom"))
    >>> print(to_text([("acme_telecom.yaml", ivr.lint(tree, select=["IVR201"]))]))
    acme_telecom.yaml
    acme_telecom.yaml:96: main_menu: warning IVR201 too-many-options: a caller at main_menu must keep 8 task options in mind (standard: at most 5)
        fix: Drop or merge options few callers need, ...
    <BLANKLINE>
    Found 1 problem (1 warning) in 1 of 1 file.
    """
    lines: list[str] = []
    total = Findings([f for _, found in results for f in found])
    for failure in failures:
        lines.append(style(failure.file, "bold"))
        lines += failure.lines(style=style)
        lines.append("")
    for name, found in results:
        if not found:
            continue
        lines.append(style(name, "bold"))
        for f in found:
            loc = f"{name}:{f.line}:" if f.line else f"{name}:"
            node = f" {f.node}:" if f.node else ""
            severity = style(f.severity, *_COLOUR[f.severity])
            code = style(f.code, "bold")
            lines.append(f"{loc}{node} {severity} {code} {style(f.slug, 'dim')}: {f.message}")
            if f.hint:
                lines.append(f"    {style('fix:', 'dim')} {f.hint}")
        lines.append("")
    files = _files(len(results) + len(failures))
    unread = len(failures)
    unread_text = f"{_files(unread)} could not be read"
    if not results:
        lines.append(style(f"{unread_text}; nothing was checked.", "red"))
    elif not total:
        lines.append(
            f"No findings in {_files(len(results))}; {style(unread_text, 'red')}."
            if unread
            else f"All checks passed: {files}, no findings."
        )
    else:
        with_findings = sum(1 for _, found in results if found)
        lines.append(
            f"Found {len(total)} problem{'s' * (len(total) != 1)} ({total.summary()}) in "
            f"{with_findings} of {files}" + (f"; {style(unread_text, 'red')}." if unread else ".")
        )
    return "\n".join(lines)


def _files(n: int) -> str:
    return f"{n} file{'s' * (n != 1)}"


def to_json(
    results: Sequence[tuple[str, Findings]], *, failures: Sequence[LoadFailure] = ()
) -> list[dict[str, Any]]:
    """The DESIGN section 7 shape, ``[{code, slug, severity, node, path, message, laws}]``, with
    ``hint``, ``file`` and ``line`` too; a file that could not be read gives one entry per
    problem with ``code: null`` and ``slug: "load-error"``, first.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("acme_telecom"))
    >>> [d["code"] for d in to_json([("t.yaml", ivr.lint(tree, select=["IVR201"]))])]
    ['IVR201']
    """
    out = [d for failure in failures for d in failure.to_dicts()]
    for name, found in results:
        for f in found:
            d = f.to_dict()
            d["file"] = name
            out.append(d)
    return out


def _artifact(name: str) -> dict[str, str]:
    """A SARIF artifactLocation: a ``file://`` URI for an absolute path, else a relative one
    against ``%SRCROOT%`` (the working directory, given in ``originalUriBaseIds``)."""
    p = PurePath(name)
    if p.is_absolute():
        return {"uri": Path(name).as_uri()}
    return {"uri": quote(p.as_posix()), "uriBaseId": _SRCROOT}


def to_sarif(
    results: Sequence[tuple[str, Findings]],
    *,
    failures: Sequence[LoadFailure] = (),
    arguments: Sequence[str] | None = None,
    working_directory: str | Path | None = None,
) -> dict[str, Any]:
    """A SARIF 2.1.0 log: one run, the rule catalogue (with each rule's page as its help) as
    the driver's rules, one result per finding located at the node's line, and an invocation
    that reports the files that could not be read.

    Parameters
    ----------
    results : sequence of (file, Findings)
    failures : sequence of LoadFailure
        Files that could not be read: each problem becomes a ``toolExecutionNotifications``
        entry and ``executionSuccessful`` is false.
    arguments : sequence of str, optional
        The command line, recorded in the invocation.
    working_directory : path, optional
        What relative paths are relative to (default: the current directory).

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("acme_telecom"))
    >>> log = to_sarif([("examples/acme_telecom.yaml", ivr.lint(tree, select=["IVR201"]))])
    >>> run = log["runs"][0]
    >>> run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    {'uri': 'examples/acme_telecom.yaml', 'uriBaseId': '%SRCROOT%'}
    >>> run["invocations"][0]["executionSuccessful"]
    True
    """
    codes = sorted(RULES)
    index = {c: i for i, c in enumerate(codes)}
    rules = [
        {
            "id": r.code,
            "name": _camel(r.slug),
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": " ".join(r.why.split())},
            "help": {"text": _rule_text_help(r.code), "markdown": explain(r.code)},
            "helpUri": r.url,
            "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
            "properties": {
                "slug": r.slug,
                "laws": [f"Law #{n}: {LAWS[n]}" for n in r.laws],
                "tags": ["ivr", "usability", *(f"law-{n}" for n in r.laws)],
            },
        }
        for r in (RULES[c] for c in codes)
    ]
    sarif_results = []
    for name, found in results:
        artifact = _artifact(name)
        for f in found:
            sarif_results.append(_sarif_result(f, artifact, index[f.code]))
    notifications = []
    for failure in failures:
        for p in failure.problems:
            physical: dict[str, Any] = {"artifactLocation": _artifact(p.file or failure.file)}
            if p.line is not None:
                physical["region"] = {"startLine": p.line}
                if p.column is not None:
                    physical["region"]["startColumn"] = p.column
            text = p.message + (f"; {p.hint}" if p.hint else "")
            if p.node:
                text = f"node '{p.node}': {text}"
            notifications.append(
                {
                    "level": "error",
                    "message": {"text": f"could not load {failure.file}: {text}"},
                    "locations": [{"physicalLocation": physical}],
                    "descriptor": {"id": LOAD_ERROR},
                }
            )
    cwd = Path(working_directory) if working_directory is not None else Path(os.getcwd())
    invocation: dict[str, Any] = {
        "executionSuccessful": not failures,
        "toolExecutionNotifications": notifications,
        "workingDirectory": {"uri": _dir_uri(cwd)},
    }
    if arguments is not None:
        invocation["arguments"] = list(arguments)
        invocation["commandLine"] = shlex.join(arguments)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ivrscore",
                        "version": __version__,
                        "informationUri": "https://github.com/ivrscore/ivrscore",
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {_SRCROOT: {"uri": _dir_uri(cwd)}},
                "invocations": [invocation],
                "results": sarif_results,
            }
        ],
    }


def _dir_uri(folder: Path) -> str:
    uri = folder.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _sarif_result(f: Finding, artifact: dict[str, str], rule_index: int) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": artifact,
            "region": {"startLine": f.line or 1},
        }
    }
    if f.node:
        location["logicalLocations"] = [{"name": f.node, "kind": "object"}]
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": _SARIF_LEVEL[f.severity],
        "message": {"text": f"{f.message}. {f.hint}"},
        "locations": [location],
    }
    if f.path:
        result["properties"] = {"path": list(f.path)}
    return result


def _camel(slug: str) -> str:
    return "".join(p.capitalize() for p in slug.split("-"))


def _rule_text_help(code: str) -> str:
    """The rule's page as plain text: what it checks, why it hurts, how to fix, where to read."""
    r = RULES[code]
    why = " ".join(r.why.split())
    return (
        f"{r.code} {r.slug}: {r.summary}\n\n{why}\n\nHow to fix: {r.fix}\n\nRule reference: {r.url}"
    )


def explain(code: str) -> str:
    """A rule's documentation as Markdown: what it checks, why it hurts, an example and a fix.

    Examples
    --------
    >>> print(explain("IVR302").splitlines()[0])
    # IVR302 repeated-identity
    """
    from . import get_rule

    r = get_rule(code)
    laws = "\n".join(f"- Law #{n}: *{LAWS[n]}*" for n in r.laws)
    options = (
        "\n\n## Options\n\n" + "\n".join(f"- `{o}` (see `ivrscore.Standard`)" for o in r.options)
        if r.options
        else ""
    )
    return (
        f"# {r.code} {r.slug}\n\n"
        f"Default severity: **{r.severity}**\n\n"
        f"## What it checks\n\n{r.summary}\n\n"
        f"## Why it hurts\n\n{r.why}\n\n"
        f"## Example\n\n```yaml\n{r.bad}\n```\n\n"
        f"## Use instead\n\n```yaml\n{r.good}\n```\n\n"
        f"## How to fix\n\n{r.fix}{options}\n\n"
        f"## Laws\n\n{laws}\n"
    )
