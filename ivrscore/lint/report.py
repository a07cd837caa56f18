"""Lint output: text for people, JSON for tools, SARIF 2.1.0 for code-scanning services."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ._registry import LAWS, RULES, Finding, Findings

__all__ = ["explain", "to_json", "to_sarif", "to_text"]

_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_COLOUR = {"error": ("red", "bold"), "warning": ("yellow",), "info": ("cyan",)}

Styler = Callable[..., str]


def _plain(text: str, *styles: str) -> str:
    return text


def to_text(results: Sequence[tuple[str, Findings]], *, style: Styler = _plain) -> str:
    """Findings grouped per file, one ``file:line: node: CODE slug: message`` line each, and a
    summary line.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> tree = ivr.load(ivr.examples.path("acme_redesign"))
    >>> print(to_text([("acme_redesign.yaml", ivr.lint(tree))]))
    All checks passed: 1 file, no findings.
    """
    lines: list[str] = []
    total = Findings([f for _, found in results for f in found])
    for name, found in results:
        if not found:
            continue
        lines.append(style(name, "bold"))
        for f in found:
            loc = f"{name}:{f.line}:" if f.line else f"{name}:"
            node = f" {f.node}:" if f.node else ""
            code = style(f.code, *_COLOUR[f.severity])
            lines.append(f"{loc}{node} {code} {style(f.slug, 'dim')}: {f.message}")
        lines.append("")
    n_files = len(results)
    files = f"{n_files} file{'s' * (n_files != 1)}"
    if not total:
        lines.append(f"All checks passed: {files}, no findings.")
    else:
        with_findings = sum(1 for _, found in results if found)
        lines.append(
            f"Found {len(total)} problem{'s' * (len(total) != 1)} ({total.summary()}) in "
            f"{with_findings} of {files}."
        )
    return "\n".join(lines)


def to_json(results: Sequence[tuple[str, Findings]]) -> list[dict[str, Any]]:
    """The DESIGN section 7 shape, ``[{code, slug, severity, node, path, message, laws}]``,
    with ``hint``, ``file`` and ``line`` too."""
    out = []
    for name, found in results:
        for f in found:
            d = f.to_dict()
            d["file"] = name
            out.append(d)
    return out


def to_sarif(results: Sequence[tuple[str, Findings]]) -> dict[str, Any]:
    """A SARIF 2.1.0 log: one run, the rule catalogue as the driver's rules, one result per
    finding located at the node's line in the YAML file."""
    codes = sorted(RULES)
    index = {c: i for i, c in enumerate(codes)}
    rules = [
        {
            "id": r.code,
            "name": _camel(r.slug),
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": r.why.replace("\n", " ")},
            "help": {"text": r.fix, "markdown": _rule_markdown_help(r.code)},
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
        uri = Path(name).as_posix()
        for f in found:
            sarif_results.append(_sarif_result(f, uri, index[f.code]))
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
                "results": sarif_results,
            }
        ],
    }


def _sarif_result(f: Finding, uri: str, rule_index: int) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": uri},
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


def _rule_markdown_help(code: str) -> str:
    r = RULES[code]
    return f"**{r.code} {r.slug}**: {r.summary}\n\n{r.fix}\n\n[Rule reference]({r.url})"


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
