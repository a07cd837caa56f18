"""IVR4xx: time. How long callers listen before they can act or reach a person."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from ...graph import node_duration_s, speech_s
from ...model.nodes import Menu, Message
from .._context import Context, short
from .._registry import Hit, rule


def over(seconds: float, limit: float) -> str:
    """``seconds`` to as many decimals as it takes to show that it is over ``limit`` (8.3 s
    over 8 s reads "8.3", not "8", which would read as within the standard).

    Examples
    --------
    >>> over(23.4, 20), over(8.3, 8), over(8.04, 8)
    ('23', '8.3', '8.04')
    """
    for decimals in (0, 1, 2):
        text = f"{seconds:.{decimals}f}"
        if float(text) > limit:
            return text
    return f"{seconds:.3g}"


@rule(
    code="IVR401",
    slug="long-prompt",
    severity="warning",
    laws=(8,),
    fix="Cut words: one idea per sentence, options of a few words; move detail to a sub-menu "
    "only callers who want it reach.",
    options=("max_prompt_s",),
    bad="""
    main_menu:
      type: menu
      prompt: "Please listen carefully to all of the following options before making a choice."
      options: {...}   # eight long options: about 25 s
    """,
    good="""
    main_menu:
      type: menu
      options: {...}   # five short options: about 12 s
    """,
)
def long_prompt(ctx: Context) -> Iterator[Hit]:
    """One prompt (a message, or a menu with all its options) longer than 20 s.

    "Instructional prompts ... preferably not exceed twenty seconds" (Plum); "callers should not
    be forced to listen to long/verbose prompts" (GetHuman v1.0 #6). Durations are estimated from
    the words at the tree's speaking rate unless ``duration_s`` is given.
    """
    limit = ctx.standard.max_prompt_s
    for nid, node in ctx.nodes(
        "message", "menu", "input", "queue", "hangup", "voicemail", "callback"
    ):
        seconds = node_duration_s(node, ctx.tree)
        if seconds > limit:
            what = (
                f"the menu with its {len(node.options)} options"
                if isinstance(node, Menu)
                else "the prompt"
            )
            yield Hit(
                nid,
                f"at {nid} {what} takes about {over(seconds, limit)} s to hear (standard: at most "
                f"{limit:g} s)",
            )


def _preamble(ctx: Context) -> tuple[float, tuple[str, ...]]:
    """Longest audio from the entry to the first chance to choose, and the nodes on that way.

    Iterative (a depth-first walk with its own stack), so a chain of 100,000 messages is
    walked without recursion and in linear time; a way that loops back counts once.
    """
    tree = ctx.tree
    # per node: the seconds from it to the first choice and the node after it on the longest way
    best: dict[str, tuple[float, str | None]] = {}
    on_stack: set[str] = set()

    def ways_on(nid: str) -> list[str]:
        node = tree.nodes.get(nid)
        if isinstance(node, Message):
            return [] if node.next is None else [node.next]
        if node is not None and node.type == "branch":
            return [t for t, _ in node.targets()]
        return []

    def own(nid: str) -> float:
        node = tree.nodes.get(nid)
        if node is None:
            return 0.0
        if isinstance(node, Message):
            return node_duration_s(node, tree)
        if isinstance(node, Menu):  # the menu's own introduction, before its options
            return speech_s(node.prompt, tree.words_per_minute)
        return 0.0

    stack: list[tuple[str, int]] = [(tree.entry, 0)]
    on_stack.add(tree.entry)
    while stack:
        nid, i = stack[-1]
        nexts = ways_on(nid)
        if i < len(nexts):
            stack[-1] = (nid, i + 1)
            t = nexts[i]
            if t not in best and t not in on_stack:
                on_stack.add(t)
                stack.append((t, 0))
            continue
        stack.pop()
        on_stack.discard(nid)
        done = [(best[t][0], t) for t in nexts if t in best]
        rest, after = max(done, key=lambda x: x[0]) if done else (0.0, None)
        node = tree.nodes.get(nid)
        if node is not None and node.type == "branch":
            best[nid] = (rest, after)  # a branch says nothing
        else:
            best[nid] = (own(nid) + rest, after)
    if tree.nodes.get(tree.entry) is None:
        return 0.0, ()
    path: list[str] = []
    cur: str | None = tree.entry
    seen: set[str] = set()
    while cur is not None and cur not in seen:
        seen.add(cur)
        if cur in tree.nodes:
            path.append(cur)
        cur = best[cur][1] if cur in best else None
    return best[tree.entry][0], tuple(path)


@rule(
    code="IVR402",
    slug="long-preamble",
    severity="warning",
    laws=(8, 6),
    fix="Greet in one short sentence and go straight to the first choice.",
    options=("max_preamble_s",),
    bad="""
    welcome:
      type: message
      prompt: "Thank you for calling. Calls may be recorded. Did you know you can manage your
        account online? Please listen carefully as our options have changed."
      next: main_menu
    """,
    good="""
    welcome: {type: message, prompt: "Welcome to Acme.", next: main_menu}
    """,
)
def long_preamble(ctx: Context) -> Iterator[Hit]:
    """Audio before the first chance to choose longer than 8 s (every caller hears it, every call).

    Fortune-500 IVRs keep introductions under 8 s (Software Advice 2014 via Cyara); small
    businesses under 3 s (Software Advice 2015). AT&T saved about $1 million a year for each
    second of introductory speech removed (Yudkowsky 2008, cited by Lewis 2011).
    """
    seconds, path = _preamble(ctx)
    limit = ctx.standard.max_preamble_s
    if seconds > limit:
        yield Hit(
            ctx.tree.entry,
            f"every caller listens to about {over(seconds, limit)} s ({' → '.join(path)}) before the "
            f"first chance to choose (standard: at most {limit:g} s)",
            path=path,
        )


@rule(
    code="IVR403",
    slug="slow-to-human",
    severity="warning",
    laws=(8, 6),
    fix="Offer a person earlier: a 0 key on the first menu, and no data entry required first.",
    options=("max_seconds_to_human",),
    bad="""
    # welcome (25 s) -> ask_account -> ask_dob -> main_menu (no 0) -> ... -> advisor
    """,
    good="""
    # welcome (2 s) -> main_menu [0] -> advisors -> advisor
    """,
)
def slow_to_human(ctx: Context) -> Iterator[Hit]:
    """The fastest way from the entry to a person takes longer in the menus (listening and
    keying, before any queue wait) than the standard (60 s).

    Ease of reaching an agent explained 61% of the variance in caller satisfaction and 49% in
    first-call resolution over 60 studies (Vocal Laboratories via Larson & Bouzid 2005); an
    agent should be reachable "by the third menu" (Software Advice 2014), "within two keyed
    responses" (Dunlap 1998). Callers spend 48 s in an IVR on average (VCC Live 2023).
    """
    r = ctx.human_route_ivr
    limit = ctx.standard.max_seconds_to_human
    if r is None:
        if any(True for _ in ctx.nodes("agent")):
            return
        yield Hit(ctx.tree.entry, "no caller can reach a person from the entry")
        return
    seconds = r.listen_s + r.input_s
    if seconds > limit:
        yield Hit(
            r.goal,
            f"the fastest way to a person takes {over(seconds, limit)} s of menus and keys before any "
            f"queue: {r.describe()} (standard: at most {limit:g} s)",
            path=r.nodes,
        )


@cache
def _patterns(patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


@rule(
    code="IVR404",
    slug="upfront-fluff",
    severity="warning",
    laws=(8, 6),
    fix="Cut promotions, web deflection, 'our options have changed' and 'your call is important' "
    "from the way in; keep legally required notices short (and `ignore: [IVR404]` on them).",
    options=("fluff_patterns",),
    bad="""
    welcome:
      type: message
      prompt: "Your call is important to us. Please listen carefully as our options have changed."
    """,
    good="""
    welcome: {type: message, prompt: "Welcome to Acme."}
    """,
)
def upfront_fluff(ctx: Context) -> Iterator[Hit]:
    """Promotions, "our options have changed", "your call is important", web deflection or
    "high call volumes" before the first menu.

    The GetHuman draft standard asks to "avoid annoying phrases such as: your call is important
    to us; please listen carefully, as our menu options have changed; you can access our
    website"; acixd "What not to include at the beginning" (Balentine 2007; Rolandi 2005/2007).
    A web-address message added about 6 cents of telephony per call (Kotelly 2006). Avaya IR
    suggests a "menu has changed" notice, so the patterns are configurable.
    """
    patterns = _patterns(tuple(ctx.standard.fluff_patterns))
    seen: set[str] = set()
    for nid in _upfront_nodes(ctx):
        if nid in seen:
            continue
        seen.add(nid)
        node = ctx.tree.nodes[nid]
        text = node.prompt or ""
        found = [m.group(0) for p in patterns if (m := p.search(text))]
        if found:
            quoted = ", ".join(short(f, 40) for f in found)
            yield Hit(nid, f"before the first menu, every caller at {nid} hears {quoted}")


def _upfront_nodes(ctx: Context) -> list[str]:
    """Messages and branches from the entry up to the first menus, and those menus."""
    out: list[str] = []
    seen: set[str] = set()
    todo = [ctx.tree.entry]
    while todo:
        nid = todo.pop(0)
        if nid in seen or nid not in ctx.tree.nodes:
            continue
        seen.add(nid)
        node = ctx.tree.nodes[nid]
        if isinstance(node, Message):
            out.append(nid)
            if node.next:
                todo.append(node.next)
        elif node.type == "branch":
            todo.extend(t for t, _ in node.targets())
        elif isinstance(node, Menu):
            out.append(nid)
    return out
