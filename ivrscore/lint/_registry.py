"""The rule catalogue: one registry of documented rules, and the findings they produce."""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

from ..exceptions import ArgumentError
from ..standard import SEVERITY_RANK, Severity

if TYPE_CHECKING:
    from ._context import Context

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
    "rule",
    "selector_problem",
]

LAWS: dict[int, str] = {
    3: "The customer deserves your best regardless of time of day or day of week",
    5: "Don't pass the buck",
    6: "Don't make it difficult to do business with you",
    8: "If you must use technology, make it user-friendly",
    9: "Say what you will do, and do what you say",
}
"""The laws of after-sales service (from the source essays) that the rules serve."""

DOCS_URL = "https://github.com/ivrscore/ivrscore/blob/main/docs/rules/{code}.md"
"""Where each rule's page lives (used as the help link in SARIF output)."""


@dataclass(frozen=True)
class Hit:
    """What a rule's check yields: where, what, and optionally a hint or a severity override."""

    node: str | None
    message: str
    path: tuple[str, ...] = ()
    hint: str | None = None
    severity: Severity | None = None
    doc_path: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One problem found in a phone tree.

    Attributes
    ----------
    code, slug : str
        The rule, e.g. ``IVR302`` / ``repeated-identity``.
    severity : {"error", "warning", "info"}
    node : str or None
        The node the problem is at (``None`` for tree-wide problems).
    path : tuple of str
        Node ids of the caller's path, for path rules.
    message : str
        What the caller goes through, in plain words.
    laws : tuple of int
        The laws the rule serves.
    hint : str
        How to fix it.
    file : str or None
    line : int or None
        Where in the file.
    """

    code: str
    slug: str
    severity: Severity
    node: str | None
    message: str
    laws: tuple[int, ...]
    hint: str
    path: tuple[str, ...] = ()
    file: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: ``{code, slug, severity, node, path, message, laws, hint, file, line}``."""
        return {
            "code": self.code,
            "slug": self.slug,
            "severity": self.severity,
            "node": self.node,
            "path": list(self.path),
            "message": self.message,
            "laws": list(self.laws),
            "hint": self.hint,
            "file": self.file,
            "line": self.line,
        }

    def format(self) -> str:
        """``file:line: node: CODE slug: message`` (the text output's line)."""
        where = f"{self.file or '<tree>'}:{self.line or 1}"
        node = f" {self.node}:" if self.node else ""
        return f"{where}:{node} {self.code} {self.slug}: {self.message}"


class Findings(Sequence[Finding]):
    """The findings of one lint run, in file order: a read-only sequence with helpers.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> found = ivr.lint(ivr.load(ivr.examples.path("acme_telecom")))
    >>> "IVR302" in found.codes()
    True
    >>> found.count("error") > 0
    True
    """

    def __init__(self, items: Iterable[Finding] = ()) -> None:
        self._items = tuple(items)

    @overload
    def __getitem__(self, i: int) -> Finding: ...
    @overload
    def __getitem__(self, i: slice) -> Findings: ...
    def __getitem__(self, i: int | slice) -> Finding | Findings:
        if isinstance(i, slice):
            return Findings(self._items[i])
        return self._items[i]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Findings):
            return self._items == other._items
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Findings({len(self)} findings: {self.summary()})"

    def codes(self) -> list[str]:
        """The distinct rule codes found, sorted."""
        return sorted({f.code for f in self._items})

    def count(self, severity: object = None) -> int:
        """How many findings (of one severity, if given)."""
        if severity is None:
            return len(self._items)
        return sum(f.severity == severity for f in self._items)

    def at_least(self, severity: Severity) -> Findings:
        """The findings of this severity or worse."""
        rank = SEVERITY_RANK[severity]
        return Findings(f for f in self._items if SEVERITY_RANK[f.severity] >= rank)

    def by_code(self, code: str) -> Findings:
        """The findings of one rule."""
        return Findings(f for f in self._items if f.code == code)

    def summary(self) -> str:
        """``"3 errors, 5 warnings, 1 info"``."""
        parts = []
        for sev, word in (("error", "error"), ("warning", "warning"), ("info", "info")):
            n = self.count(sev)
            if n:
                parts.append(f"{n} {word}{'s' if n != 1 and word != 'info' else ''}")
        return ", ".join(parts) or "no findings"

    def to_dicts(self) -> list[dict[str, Any]]:
        """The JSON shape of every finding."""
        return [f.to_dict() for f in self._items]

    def to_dataframe(self) -> Any:
        """One row per finding as a pandas DataFrame (needs pandas): code, slug, severity (an
        ordered categorical), node, line, message, hint, path, laws, file."""
        from ..report._frames import findings_frame

        return findings_frame(self)

    def _repr_html_(self) -> str:
        from ..report import findings_html

        return findings_html(self)


Check = Callable[["Context"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """One documented rule of the catalogue."""

    code: str
    slug: str
    severity: Severity
    laws: tuple[int, ...]
    summary: str
    why: str
    fix: str
    bad: str
    good: str
    options: tuple[str, ...]
    check: Check = field(repr=False, compare=False)

    @property
    def url(self) -> str:
        """The rule's documentation page."""
        return DOCS_URL.format(code=self.code)


RULES: dict[str, Rule] = {}
"""Every rule by code, in code order once all rule modules are imported."""


def rule(
    *,
    code: str,
    slug: str,
    severity: Severity,
    laws: tuple[int, ...],
    fix: str,
    bad: str,
    good: str,
    options: tuple[str, ...] = (),
) -> Callable[[Check], Check]:
    """Register a check as a rule. Its docstring's first paragraph is the summary (what it checks);
    the rest is why it hurts, with sources."""

    def register(check: Check) -> Check:
        doc = inspect.getdoc(check) or ""
        summary, _, why = doc.partition("\n\n")
        if code in RULES:
            raise ValueError(f"rule {code} registered twice")
        RULES[code] = Rule(
            code=code,
            slug=slug,
            severity=severity,
            laws=laws,
            summary=" ".join(summary.split()).replace("``", "`"),
            why=why.strip().replace("``", "`"),
            fix=fix,
            bad=textwrap.dedent(bad).strip("\n"),
            good=textwrap.dedent(good).strip("\n"),
            options=options,
            check=check,
        )
        return check

    return register


def get_rule(code_or_slug: str) -> Rule:
    """A rule by code (``IVR302``) or slug (``repeated-identity``)."""
    key = code_or_slug.strip()
    if key.upper() in RULES:
        return RULES[key.upper()]
    for r in RULES.values():
        if r.slug == key:
            return r
    from .._text import did_you_mean

    hint = did_you_mean(key.upper(), RULES) or did_you_mean(key, [r.slug for r in RULES.values()])
    raise KeyError(f"no rule {code_or_slug!r}" + (f"; {hint}" if hint else ""))


class RuleSelectionError(ArgumentError):
    """A rule selector (``select``/``ignore``, ``--select``/``--ignore``, a severity override)
    names no rule: a usage error, so that a CI gate never passes because it checked nothing."""


def selects(selector: str, code: str, slug: str | None = None) -> bool:
    """Whether ``selector`` (``ALL``, a code, a code prefix or a slug) picks the rule ``code``.

    Examples
    --------
    >>> selects("IVR3", "IVR302"), selects("repeated-identity", "IVR302", "repeated-identity")
    (True, True)
    >>> selects("IVR30", "IVR401")
    False
    """
    s = selector.strip()
    return s.upper() == "ALL" or code.startswith(s.upper()) or (slug is not None and s == slug)


def selector_problem(selector: str) -> str | None:
    """Why ``selector`` picks no rule (with a "did you mean"), or ``None`` when it picks one.

    Examples
    --------
    >>> import ivrscore  # registers the rules
    >>> selector_problem("IVR3") is None, selector_problem("no-barge-in") is None
    (True, True)
    >>> selector_problem("IVR3O2")
    "no rule matches 'IVR3O2'; did you mean 'IVR302'?"
    >>> selector_problem("repeated-identiy")
    "no rule matches 'repeated-identiy'; did you mean 'repeated-identity'?"
    """
    s = selector.strip() if isinstance(selector, str) else ""
    if not s:
        return "an empty rule selector; use codes (IVR302), prefixes (IVR3) or slugs"
    if any(selects(s, r.code, r.slug) for r in RULES.values()):
        return None
    import difflib

    from .._text import did_you_mean

    # a selector as long as a code is a mistyped code; a shorter one, a mistyped prefix
    lengths = range(6, 7) if len(s) >= 6 else range(4, 6)
    candidates = sorted({c[:n] for c in RULES for n in lengths})
    close = difflib.get_close_matches(s.upper(), candidates, n=1, cutoff=0.7)
    hint = f"did you mean '{close[0]}'?" if close else None
    hint = hint or did_you_mean(s, [r.slug for r in RULES.values()])
    return f"no rule matches {s!r}; " + (
        hint or "selectors are codes (IVR302), prefixes (IVR3), slugs or ALL"
    )


def check_selectors(
    selectors: Iterable[str] | None, *, option: str = "select", advice: str = ""
) -> None:
    """Raise :class:`RuleSelectionError` for the first selector that picks no rule.

    Parameters
    ----------
    selectors : iterable of str, optional
        Codes, prefixes, slugs or ``ALL``.
    option : str
        What to call them in the message (``select``, ``--ignore``, ...).
    advice : str
        Appended to the message (the command line adds where to look the rules up).

    Examples
    --------
    >>> import ivrscore
    >>> check_selectors(["IVR3", "ALL"])
    >>> check_selectors(["IVR999"], option="--select")
    Traceback (most recent call last):
    ...
    ivrscore.lint._registry.RuleSelectionError: --select: no rule matches 'IVR999'; ...
    """
    for s in selectors or ():
        problem = selector_problem(s)
        if problem is not None:
            raise RuleSelectionError(f"{option}: {problem}{advice}")
