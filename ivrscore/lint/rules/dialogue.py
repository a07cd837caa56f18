"""IVR3xx: dialogue. Errors, retries, time-outs and data entry handled with care."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from ..._text import plural
from ...model.nodes import Agent, Input, Menu
from ...model.tree import PhoneTree
from .._context import Context
from .._registry import Hit, rule


@rule(
    code="IVR301",
    slug="hangup-on-error",
    severity="error",
    laws=(8, 6),
    fix="Send failures to a person (or a callback offer), never to a hang-up: `on_failure: advisors`.",
    bad="""
    main_menu:
      type: menu
      retries: 2
      on_failure: goodbye            # "Sorry, we did not receive a valid response. Goodbye."
    """,
    good="""
    main_menu:
      type: menu
      retries: 2
      on_failure: advisors           # a person sorts it out
    """,
)
def hangup_on_error(ctx: Context) -> Iterator[Hit]:
    """A no-input, invalid key or failed entry that ends the call, directly or via messages
    (including a menu or input with no ``on_failure``).

    "Do not disconnect for user errors, including when there are no perceived key presses (as
    the caller might be on a rotary phone); instead queue for a human operator and/or offer the
    choice for call-back" (GetHuman v1.0 #8); "IVRS should never hang up the call at any
    condition" (ivrsworld); Avaya IR: "after the last try, ... transfer the call".
    """
    for nid, node in ctx.asking():
        if not ctx.only_goodbye(node.on_failure):
            continue
        attempts = node.retries + 1
        what = (
            "presses a wrong key or says nothing" if isinstance(node, Menu) else "cannot key it in"
        )
        if node.on_failure is None:
            outcome = "is hung up on (no on_failure)"
        else:
            words = ctx.goodbye_words(node.on_failure)
            joint = ", " if words.startswith("hears") else " and "
            outcome = f"is sent to {node.on_failure}{joint}{words}"
        yield Hit(nid, f"a caller who {what} {plural(attempts, 'time')} at {nid} {outcome}")


@rule(
    code="IVR302",
    slug="repeated-identity",
    severity="error",
    laws=(8, 6, 5),
    fix="Collect each datum once and pass it on with the call (screen-pop it to the agent); take "
    "it out of the agent's `asks`, or out of the second input.",
    bad="""
    ask_account: {type: input, collects: account_number, next: faults_queue}
    faults_queue: {type: queue, wait: {mean_s: 120}, next: faults_agent}
    faults_agent: {type: agent, handles: [report_fault], asks: [account_number]}
    """,
    good="""
    ask_account: {type: input, collects: account_number, next: faults_queue}
    faults_queue: {type: queue, wait: {mean_s: 120}, next: faults_agent}
    faults_agent: {type: agent, handles: [report_fault]}   # the number arrives with the call
    """,
)
def repeated_identity(ctx: Context) -> Iterator[Hit]:
    """A datum collected twice on one path; a person asking for data the IVR (or an earlier
    person) already took counts.

    "Callers should never be asked to repeat any information (name, full account number,
    description of issue, etc.) provided to a human or an automated system during a call"
    (GetHuman v1.0 #3); ISO 9241-154 §6.3 "Non-duplication of information input". It is the
    essays' sharpest complaint: data keyed into the IVR, then "they ask for all those details
    again".

    Found by a search over (node, data already given) states, so every path counts without
    listing paths.
    """
    tree = ctx.tree
    collects = {nid: n.collects for nid, n in tree.iter_nodes("input")}  # type: ignore[union-attr]
    asks = {nid: n.asks for nid, n in tree.iter_nodes("agent")}  # type: ignore[union-attr]
    if not collects and not any(asks.values()):
        return

    # what a caller has given after leaving a node: an input's datum on its ``next`` edge, an
    # agent's questions on every edge (the same sets as before, made once per node)
    given_next = {nid: frozenset((datum,)) for nid, datum in collects.items()}
    given_any = {nid: frozenset(a) for nid, a in asks.items() if a and nid not in collects}

    def step(state: tuple[str, frozenset[str]], event: str, v: str) -> tuple[str, frozenset[str]]:
        nid, have = state
        add = given_any.get(nid)
        if add is None and event == "next":
            add = given_next.get(nid)
        if add is None or add <= have:
            return v, have
        return v, have | add

    found: dict[str, dict[str, tuple[int, Any]]] = {}  # node -> datum -> (mask, witness)
    givers = [*given_next, *given_any]  # the only nodes where step can change the data
    for state, mask, witness in ctx.journeys((tree.entry, frozenset()), step, at=givers):
        nid, have = state
        asked = (collects[nid],) if nid in collects else asks.get(nid, ())
        for datum in asked:
            if datum in have and datum not in found.get(nid, {}):
                task, walk = witness(ctx.tasks_through(nid))
                nodes = [s[0] for s in walk]
                if _first_taken(tree, nodes, datum) != nid:  # not a loop back to the same place
                    found.setdefault(nid, {})[datum] = (mask, (task, nodes))
    order = {n: i for i, n in enumerate(tree.nodes)}
    for nid in sorted(found, key=lambda n: order[n]):
        data = found[nid]
        task, path = next(iter(data.values()))[1]
        parts = []
        for datum, (_, (_, walk)) in data.items():
            first = _first_taken(tree, walk, datum)
            parts.append(f"{datum} at {first}" if first else datum)
        verb = "is asked for it again" if len(data) == 1 else "is asked for them again"
        who = "by a person at" if isinstance(tree.nodes[nid], Agent) else "at"
        yield Hit(
            nid,
            f"a caller with {task} gives {' and '.join(parts)}, and {verb} {who} {nid}",
            path=tuple(path),
        )


def _first_taken(tree: PhoneTree, walk: list[str], datum: str) -> str | None:
    for here, there in itertools.pairwise(walk):
        node = tree.nodes.get(here)
        if isinstance(node, Input) and node.collects == datum and there in (node.next,):
            return here
        if isinstance(node, Agent) and datum in node.asks:
            return here
    return None


@rule(
    code="IVR303",
    slug="retry-count",
    severity="warning",
    laws=(8,),
    fix="Allow one or two re-prompts (`retries: 2`), each more directive, then a person.",
    options=("min_retries", "max_attempts"),
    bad="""
    main_menu: {type: menu, retries: 0, on_failure: advisors, options: {...}}
    """,
    good="""
    main_menu: {type: menu, retries: 2, on_failure: advisors, options: {...}}
    """,
)
def retry_count(ctx: Context) -> Iterator[Hit]:
    """A menu or input with no re-prompt, or with more than three attempts in all.

    "Two to three attempts at each question ... one to two progressively more directed
    reprompts" (Rolandi 2004 via acixd); Avaya IR: "no more than two or three tries". No
    re-prompt punishes one slip; endless re-prompts trap the caller.
    """
    std = ctx.standard
    for nid, node in ctx.asking():
        if node.retries < std.min_retries:
            yield Hit(
                nid,
                f"one slip at {nid} and the caller is out: no re-prompt (retries: {node.retries})",
            )
        elif node.retries + 1 > std.max_attempts:
            yield Hit(
                nid,
                f"a caller who is stuck at {nid} hears it {node.retries + 1} times before "
                f"anything changes (standard: at most {std.max_attempts} attempts)",
            )


@rule(
    code="IVR304",
    slug="timeout-range",
    severity="warning",
    laws=(8,),
    fix="Wait 3-10 s for a key press after the prompt, longer for data entry.",
    options=("timeout_range_s",),
    bad="""
    main_menu: {type: menu, timeout_s: 2, options: {...}}
    """,
    good="""
    main_menu: {type: menu, timeout_s: 5, options: {...}}
    """,
)
def timeout_range(ctx: Context) -> Iterator[Hit]:
    """A no-input time-out outside 3-10 s.

    ISO/IEC 13714 (as summarised by iTAMS): time-outs "between 3 and 10 seconds depending on the
    menu complexity"; too short cuts off slow and older callers (Irish NDA telecoms guideline
    2.1: "allow sufficient time to accommodate the slowest users"), too long leaves callers in
    silence.
    """
    low, high = ctx.standard.timeout_range_s
    for nid, node in ctx.asking():
        if node.timeout_s < low:
            yield Hit(
                nid,
                f"{nid} gives callers only {node.timeout_s:g} s to respond (standard: {low:g}-{high:g} s)",
            )
        elif node.timeout_s > high:
            yield Hit(
                nid,
                f"a silent caller at {nid} waits {node.timeout_s:g} s in silence (standard: {low:g}-{high:g} s)",
            )


@rule(
    code="IVR305",
    slug="no-barge-in",
    severity="warning",
    laws=(8, 6),
    fix="Allow keys during the prompt (`barge_in: true`); callers who know their option can skip.",
    bad="""
    main_menu: {type: menu, barge_in: false, options: {...}}
    """,
    good="""
    main_menu: {type: menu, options: {...}}     # barge_in defaults to true
    """,
)
def no_barge_in(ctx: Context) -> Iterator[Hit]:
    """A menu or input that cannot be interrupted by a key press.

    Every caller, even one who knows the option, must sit through the whole prompt: "callers
    should be able to ... dial through" (GetHuman v1.0 #7); "IVR ignores the key pressed while
    it is playing menu options. This should be avoided" (ivrsworld); AS/NZS 4263 §2.3-2.4.
    """
    for nid, node in ctx.asking():
        if not node.barge_in:
            what = "the whole menu" if isinstance(node, Menu) else "the whole prompt"
            yield Hit(nid, f"callers at {nid} must hear {what} before a key works")


@rule(
    code="IVR306",
    slug="speech-without-keypad",
    severity="error",
    laws=(8,),
    fix="Accept the keypad too (`modality: both`), and switch to it after speech errors.",
    bad="""
    ask_account: {type: input, collects: account_number, modality: speech}
    """,
    good="""
    ask_account: {type: input, collects: account_number, modality: both}
    """,
)
def speech_without_keypad(ctx: Context) -> Iterator[Hit]:
    """A menu or input that accepts only speech.

    "Speech applications should provide touch-tone (DTMF) fall-back" (GetHuman v1.0 #5); 60-90%
    of callers choose the keypad for numbers when offered (Suhm 2008; Attwater 2008, via
    videsign); noise, accents and speech impairments make speech-only a wall.
    """
    for nid, node in ctx.asking():
        if node.effective_modality == "speech":
            yield Hit(nid, f"callers at {nid} can only speak: no keypad fallback")
