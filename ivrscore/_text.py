"""Small text helpers shared by the loader, the model and the reports."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

__all__ = ["did_you_mean", "plural", "word_count"]

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


def did_you_mean(name: str, choices: Iterable[str]) -> str | None:
    """Return ``"did you mean 'x'?"`` for the closest choice, or ``None`` when nothing is close.

    Examples
    --------
    >>> did_you_mean("faults_queu", ["faults_queue", "advisor_queue"])
    "did you mean 'faults_queue'?"
    >>> did_you_mean("zzz", ["faults_queue"]) is None
    True
    """
    options = sorted(set(choices))
    best = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    if not best:
        lowered = {c.lower(): c for c in options}
        if name.lower() in lowered:
            best = [lowered[name.lower()]]
    return f"did you mean '{best[0]}'?" if best else None


def word_count(text: str | None) -> int:
    """Count spoken words: runs of letters or digits ("11-digit" is two words).

    Examples
    --------
    >>> word_count("For bills and payments, press 1.")
    6
    >>> word_count(None)
    0
    """
    return len(_WORD.findall(text)) if text else 0


def plural(n: int, word: str, words: str | None = None) -> str:
    """``"1 menu"``, ``"2 menus"``.

    Examples
    --------
    >>> plural(1, "menu"), plural(3, "menu"), plural(2, "query", "queries")
    ('1 menu', '3 menus', '2 queries')
    """
    return f"{n} {word if n == 1 else (words or word + 's')}"
