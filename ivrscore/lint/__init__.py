"""Lint: the rule catalogue that finds what hurts callers, tied to the laws.

>>> import ivrscore as ivr
>>> tree = ivr.load(ivr.examples.path("acme_telecom"))
>>> found = ivr.lint(tree)
>>> [f.code for f in found.by_code("IVR501")][:1]
['IVR501']
>>> ivr.lint(tree, select=["IVR302"]).codes()
['IVR302']
"""

from __future__ import annotations

from collections.abc import Iterable

from .._collector import paused
from ..model.tree import PhoneTree
from ..standard import Standard
from . import rules as _rules  # noqa: F401  (registers the rules)
from ._context import Context
from ._registry import (
    LAWS,
    RULES,
    Finding,
    Findings,
    Hit,
    Rule,
    RuleSelectionError,
    check_selectors,
    get_rule,
    selector_problem,
)

__all__ = [
    "LAWS",
    "RULES",
    "Finding",
    "Findings",
    "Hit",
    "Rule",
    "RuleSelectionError",
    "check_selectors",
    "get_rule",
    "lint",
    "rule_list",
    "selector_problem",
]


def rule_list() -> list[Rule]:
    """Every rule, in code order."""
    return [RULES[c] for c in sorted(RULES)]


def lint(
    tree: PhoneTree,
    standard: Standard | None = None,
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
) -> Findings:
    """Check a phone tree against the rule catalogue.

    Parameters
    ----------
    tree : PhoneTree
    standard : Standard, optional
        Thresholds, rule selection and severities (default: :class:`~ivrscore.Standard`).
    select, ignore : iterable of str, optional
        Rule codes, prefixes or slugs; replace the standard's ``select`` and add to its
        ``ignore`` (like a linter's command-line flags over its configuration).

    Returns
    -------
    Findings
        In file order (then rule code). Nodes listing a code under ``ignore:`` are skipped.

    Raises
    ------
    RuleSelectionError
        A selector in ``select`` or ``ignore`` matches no rule (so a gate never passes by
        checking nothing).

    Examples
    --------
    >>> import ivrscore as ivr
    >>> found = ivr.lint(ivr.load(ivr.examples.path("acme_telecom")), select=["IVR302"])
    >>> print(found[0].message)
    a caller with pay_bill gives account_number at ask_account and date_of_birth at ask_dob, and is asked for them again by a person at billing_agent
    """
    std = standard or Standard()
    select = None if select is None else list(select)
    ignore = None if ignore is None else list(ignore)
    check_selectors(select, option="select")
    check_selectors(ignore, option="ignore")
    if select is not None or ignore is not None:
        std = std.model_copy(
            update={
                "select": list(select) if select is not None else std.select,
                "ignore": [*std.ignore, *(ignore or [])],
            }
        )
    with paused():  # many small objects, no cycles: see ivrscore._collector
        return _lint(tree, std)


def _lint(tree: PhoneTree, std: Standard) -> Findings:
    ctx = Context(tree, std)
    out: list[Finding] = []
    for r in rule_list():
        if not std.is_selected(r.code, r.slug):
            continue
        for hit in r.check(ctx):
            node = tree.nodes.get(hit.node) if hit.node else None
            if node is not None and r.code in node.ignore:
                continue
            severity = hit.severity or std.severity_of(r.code, r.severity)
            if hit.doc_path:
                line = tree.source.line_of(*hit.doc_path)
            elif hit.node is not None:
                line = tree.line_of(hit.node)
            else:
                line = None
            out.append(
                Finding(
                    code=r.code,
                    slug=r.slug,
                    severity=severity,
                    node=hit.node,
                    message=hit.message,
                    laws=r.laws,
                    hint=hit.hint or r.fix,
                    path=hit.path,
                    file=tree.file,
                    line=line,
                )
            )
    out.sort(key=lambda f: (f.line or 0, f.code))
    return Findings(out)
