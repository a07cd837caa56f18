"""What each menu option promises, and which option a caller with a task picks by it.

Callers choose by what they hear, not by what lies behind an option: "For faults or
broadband, press 1" promises two tasks whatever the path does after it. An option's promise
is, in order:

1. its ``for:`` list, when given (the designer says which tasks it serves);
2. else the tasks whose words appear in its words (``say:`` and ``speech:``): each task
   listens for its ``words:``, or the words of its name (``report_fault``: "report", "fault");
   matching ignores case and plain endings ("faults", "billing", "moving" match "fault",
   "bill", "move"), and a task word also matches longer words that start with it ("pay"
   matches "payments");
3. an option that says "anything else", "all other enquiries" and the like promises every
   task no other option of the menu promises.

A caller with a task picks the option that promises it; among several, the one whose words
match more of the task's words, then the one that promises fewest tasks (the most specific),
then the one spoken first. When no option promises the task (options without words, or words
that name none of the tasks) the caller falls back to the option whose path serves the task
best, as if they could tell: the engines decide that from the tree's structure.

Examples
--------
>>> import ivrscore as ivr
>>> tree = ivr.loads('''
... name: promises
... entry: menu
... tasks: [{name: report_fault, share: 0.5}, {name: pay_bill, share: 0.3},
...         {name: cancel, share: 0.2, words: [cancel, leave]}]
... nodes:
...   menu:
...     type: menu
...     options:
...       "1": {say: "To report a fault, press 1.", next: faults}
...       "2": {say: "For bills and payments, press 2.", next: desk}
...       "3": {say: "For anything else, press 3.", next: desk}
...     on_failure: desk
...   faults: {type: agent, handles: [report_fault]}
...   desk: {type: agent, handles: [pay_bill, cancel]}
... ''')
>>> {k: sorted(p.tasks) for k, p in option_promises(tree, "menu").items()}
{'1': ['report_fault'], '2': ['pay_bill'], '3': ['cancel']}
>>> chosen_option(tree, "menu", "cancel")
'3'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ._pertree import PerTree
from .model.callers import Task
from .model.nodes import Menu, Option
from .model.tree import PhoneTree

__all__ = [
    "PERSON_WORDS",
    "Promise",
    "all_promises",
    "chosen_option",
    "chosen_options",
    "offers_person",
    "option_promises",
    "option_words",
    "stem",
    "task_words",
    "words_of",
]

_TOKEN = re.compile(r"[a-z0-9]+")

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "for",
        "from",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "please",
        "press",
        "dial",
        "push",
        "select",
        "key",
        "hit",
        "say",
        "enter",
        "then",
        "the",
        "this",
        "that",
        "to",
        "too",
        "us",
        "we",
        "with",
        "you",
        "your",
        "yours",
        "now",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "zero",
        "star",
        "hash",
        "pound",
        "option",
        "options",
        "if",
        "about",
        "need",
        "want",
        "would",
        "like",
    ]
)
"""Words that carry no task: menu boilerplate, articles, key names."""

PERSON_WORDS = frozenset(
    {"advisor", "adviser", "agent", "operator", "person", "someone", "representative", "human",
     "staff", "receptionist", "attendant", "colleague", "somebody"}
)  # fmt: skip
"""Words of an option that offers a person (for callers who want one)."""

_CATCH_ALL = re.compile(
    r"\b(anything|everything|something)\s+else\b|\ball\s+other\b|\bany\s+other\b"
    r"|\bother\s+(enquir|inquir|question|quer|service|matter|reason|request|issue|call)"
    r"|\bgeneral\s+(enquir|inquir|question|quer)|\bnone\s+of\s+(these|the\s+above)\b"
    r"|\bfor\s+(all\s+)?others?\b",
    re.IGNORECASE,
)


def stem(word: str) -> str:
    """A word without its plain English ending, for matching option words to task words.

    Examples
    --------
    >>> [stem(w) for w in ("faults", "billing", "moving", "move", "payments", "queries")]
    ['fault', 'bill', 'mov', 'mov', 'payment', 'query']
    """
    w = word.lower()
    for end, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if w.endswith(end) and len(w) - len(end) >= 3 and not w.endswith("ss"):
            w = w[: len(w) - len(end)] + repl
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiou":  # "stopp(ed)", "bill" stays
        w = w if w.endswith(("ll", "ss")) else w[:-1]
    return w


@lru_cache(maxsize=1 << 16)
def words_of(text: str | None) -> tuple[str, ...]:
    """The stems of the words in ``text`` that can name a task (no boilerplate, no key names).

    Examples
    --------
    >>> words_of("Press 2 to report a fault with your phone, broadband or TV.")
    ('report', 'fault', 'phon', 'broadband', 'tv')
    """
    if not text:
        return ()
    out = []
    for token in _TOKEN.findall(text.lower()):
        if token in STOPWORDS or (token.isdigit() and len(token) < 3):
            continue
        out.append(stem(token))
    return tuple(out)


def task_words(task: Task) -> tuple[str, ...]:
    """The stems a caller with ``task`` listens for: its ``words:``, else the words of its name.

    Examples
    --------
    >>> task_words(Task(name="broadband_setup", share=1))
    ('broadband', 'setup')
    >>> task_words(Task(name="cancel", share=1, words=["cancel", "leaving"]))
    ('cancel', 'leav')
    """
    if task.words:
        return tuple(dict.fromkeys(w for text in task.words for w in words_of(text)))
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", task.name).replace("_", " ").replace("-", " ")
    return tuple(dict.fromkeys(words_of(spaced)))


def _matches(task_word: str, option_words: tuple[str, ...]) -> bool:
    return any(
        w == task_word or (len(task_word) >= 3 and w.startswith(task_word)) for w in option_words
    )


@dataclass(frozen=True)
class Promise:
    """The tasks an option says it serves, how that was read, and how well each task matched."""

    tasks: frozenset[str]
    source: Literal["for", "words", "catch_all", "none"]
    """``for`` (given in the file), ``words`` (read from the option's words), ``catch_all``
    ("anything else": the tasks no other option promises) or ``none``."""
    strength: tuple[tuple[str, int], ...] = ()
    """Per promised task, how many of its words the option's words match (``for:`` counts
    as many as there are)."""

    def strength_of(self, task: str) -> int:
        return dict(self.strength).get(task, 0)


def option_words(option: Option) -> tuple[str, ...]:
    """The stems of an option's words: its ``say:`` and its ``speech:`` phrases."""
    return words_of(" ".join([option.say or "", *option.speech]))


def offers_person(option: Option) -> bool:
    """Whether an option's words offer a person ("To speak to an advisor, press 0")."""
    return any(w in PERSON_WORDS or stem(w) in _PERSON_STEMS for w in option_words(option))


_PERSON_STEMS = frozenset(stem(w) for w in PERSON_WORDS)


def option_promises(tree: PhoneTree, menu_id: str) -> dict[str, Promise]:
    """What each option of a menu promises, by key (see the module documentation)."""
    return dict(all_promises(tree)[menu_id])


def chosen_option(tree: PhoneTree, menu_id: str, task: str) -> str | None:
    """The key a caller with ``task`` presses at ``menu_id`` by what the options promise, or
    ``None`` when no option promises it (the caller then goes by the tree's structure)."""
    return chosen_options(tree).get((menu_id, task))


_KEPT: PerTree[dict[str, tuple[tuple[str, Promise], ...]]] = PerTree()


def all_promises(tree: PhoneTree) -> dict[str, tuple[tuple[str, Promise], ...]]:
    """Every menu's options with their promises, in spoken order: ``{menu: ((key, promise), ...)}``.

    Kept per tree (trees are frozen): lint and the engines read the same answer.
    """
    return _KEPT.get(tree, None, lambda: _all_promises(tree))


def _all_promises(tree: PhoneTree) -> dict[str, tuple[tuple[str, Promise], ...]]:
    tasks = {t.name: task_words(t) for t in tree.tasks}
    order = {t: i for i, t in enumerate(tasks)}
    having: dict[str, list[str]] = {}  # task word -> the tasks listening for it
    for t, tw in tasks.items():
        for w in tw:
            having.setdefault(w, []).append(t)
    heard: dict[str, tuple[str, ...]] = {}  # option word -> the task words it matches

    def hears(w: str) -> tuple[str, ...]:
        if w not in heard:
            heard[w] = tuple(tw for tw in having if _matches(tw, (w,)))
        return heard[w]

    def read(text: str) -> Promise:
        counts: dict[str, int] = {}
        for w in {tw for ow in words_of(text) for tw in hears(ow)}:
            for t in having[w]:
                counts[t] = counts.get(t, 0) + 1
        strength = tuple(sorted(counts.items(), key=lambda tn: order[tn[0]]))
        if strength:
            return Promise(frozenset(counts), "words", strength)
        if _CATCH_ALL.search(text):
            return Promise(frozenset(), "catch_all")  # its tasks are known once the menu is read
        return Promise(frozenset(), "none")

    by_text: dict[str, Promise] = {}  # a large tree says the same words in many menus
    out: dict[str, tuple[tuple[str, Promise], ...]] = {}
    for nid, node in tree.nodes.items():
        if not isinstance(node, Menu):
            continue
        found: dict[str, Promise] = {}
        catch: list[str] = []
        for key, opt in node.options.items():
            if opt.next == nid:
                found[key] = Promise(frozenset(), "none")
            elif opt.for_ is not None:
                found[key] = Promise(
                    frozenset(opt.for_), "for", tuple((t, 1_000) for t in opt.for_)
                )
            else:
                text = " ".join([opt.say or "", *opt.speech])  # what option_words reads
                said = by_text.get(text)
                if said is None:
                    said = by_text[text] = read(text)
                if said.source == "catch_all":
                    catch.append(key)
                found[key] = said
        promised = set().union(*(p.tasks for p in found.values()))
        rest = frozenset(t for t in tasks if t not in promised)
        for key in catch:
            found[key] = Promise(rest, "catch_all", tuple((t, 0) for t in sorted(rest)))
        out[nid] = tuple(found.items())
    return out


def chosen_options(
    tree: PhoneTree, promises: dict[str, tuple[tuple[str, Promise], ...]] | None = None
) -> dict[tuple[str, str], str]:
    """Every ``(menu, task) -> key`` a caller picks by promise (menus where no option promises
    a task are left out)."""
    out: dict[tuple[str, str], str] = {}
    names = tree.task_names
    for nid, items in (promises if promises is not None else all_promises(tree)).items():
        best: dict[str, tuple[tuple[int, int, int], str]] = {}
        for pos, (key, p) in enumerate(items):
            strength = dict(p.strength)
            for task in p.tasks:
                rank = (-strength.get(task, 0) if p.source != "catch_all" else 1, len(p.tasks), pos)
                if task not in best or rank < best[task][0]:
                    best[task] = (rank, key)
        for task in names:
            if task in best:
                out[nid, task] = best[task][1]
    return out
