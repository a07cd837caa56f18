"""The edit catalogue: one registry of documented edits, like the lint rules.

Each edit is a function ``(state) -> iterator of Candidate`` registered with :func:`edit`,
which records its code, slug, the rules it answers, what it changes (the docstring's first
paragraph), when it does not apply, and a bad/better example. ``docs/improve.md`` is generated
from this registry (:func:`ivrscore.improve.docs.catalogue_page`).
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..exceptions import IvrscoreError
from ._ops import Op

if TYPE_CHECKING:
    from ._state import State

__all__ = ["EDITS", "REVIEW", "Candidate", "Edit", "edit", "get_edit"]

REVIEW = "template wording from ivrscore improve: review before it goes live"
"""What ``meta.improve`` says on every prompt or option an edit had to word."""


@dataclass(frozen=True)
class Candidate:
    """One concrete, applicable change: an edit at a place, as document ops.

    Attributes
    ----------
    edit : str
        The edit's code (``E01`` ...).
    node : str
        The node the change is at (the first, for a change at several places).
    ops : tuple of Op
    text : str
        What to do, in one line a designer can act on.
    answers : tuple of str
        The rule codes whose findings it answers.
    places : tuple of str
        Every node the change is at.
    review : tuple of str
        New words the edit wrote from a template (marked for review in ``meta.improve``).
    """

    edit: str
    node: str
    ops: tuple[Op, ...]
    text: str
    answers: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    review: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        """Sorts candidates deterministically: edit code, node, text."""
        return (self.edit, self.node, self.text)


Generate = Callable[["State"], Iterator[Candidate]]


@dataclass(frozen=True)
class Edit:
    """A documented edit: what it changes, the rules it answers, when it does not apply."""

    code: str
    slug: str
    title: str
    answers: tuple[str, ...]
    changes: str
    not_applicable: str
    generate: Generate = field(repr=False)
    bad: str = ""
    good: str = ""
    staffing: bool = False
    group: bool = True
    """Whether the planner also offers the edit at every place at once (one change)."""

    def candidates(self, state: State) -> list[Candidate]:
        """Every change this edit offers on the state's tree, in the order generated (file
        order of the places; at each place the better choice first): deterministic."""
        return list(self.generate(state))

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "slug": self.slug,
            "title": self.title,
            "answers": list(self.answers),
            "changes": self.changes,
            "not_applicable": self.not_applicable,
            "staffing": self.staffing,
        }


EDITS: dict[str, Edit] = {}
"""Every edit by code, in catalogue order."""


def edit(
    *,
    code: str,
    slug: str,
    title: str,
    answers: tuple[str, ...],
    not_applicable: str,
    bad: str = "",
    good: str = "",
    staffing: bool = False,
    group: bool = True,
) -> Callable[[Generate], Generate]:
    """Register an edit; its docstring's first paragraph says what it changes."""

    def register(fn: Generate) -> Generate:
        if code in EDITS:  # pragma: no cover - a programming error
            raise IvrscoreError(f"edit {code} registered twice")
        doc = inspect.getdoc(fn) or ""
        EDITS[code] = Edit(
            code=code,
            slug=slug,
            title=title,
            answers=answers,
            changes=" ".join(doc.split("\n\n")[0].split()),
            not_applicable=" ".join(not_applicable.split()),
            generate=fn,
            bad=textwrap.dedent(bad).strip("\n"),
            good=textwrap.dedent(good).strip("\n"),
            staffing=staffing,
            group=group,
        )
        return fn

    return register


def get_edit(code_or_slug: str) -> Edit:
    """An edit by code (``E01``) or slug (``order-by-demand``)."""
    for e in EDITS.values():
        if code_or_slug in (e.code, e.slug):
            return e
    raise IvrscoreError(
        f"no edit {code_or_slug!r}; edits are: {', '.join(e.code for e in EDITS.values())}"
    )
