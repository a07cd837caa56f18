"""The edits: each one documented unit, tied to the rule it answers (see ``docs/improve.md``).

Every edit yields :class:`~ivrscore.improve.Candidate` changes for the places it applies to,
as document ops; the planner scores each with the exact engine and keeps only changes that
raise the score. Words an edit must write (a new option, a callback prompt) come from the
templates below and are marked for review in the node's or option's ``meta.improve``; no edit
makes an option promise a task it did not promise before (the planner also rejects any change
that creates a broken promise, rule IVR506).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import networkx as nx

from ..model.nodes import Agent, Branch, Input, Menu, Message, Queue
from ..promises import offers_person
from ._catalogue import REVIEW, Candidate, edit
from ._ops import Op, delete, order, put
from ._state import State

__all__ = ["TEMPLATES", "renumber_words", "reword_action_first"]

TEMPLATES: dict[str, str] = {
    "zero_out": "To speak to an advisor, press 0.",
    "closed_callback": "We are closed at the moment. Please leave your number and we will call "
    "you back when we open.",
    "queue_callback": "Thank you. We will call you back as soon as an advisor is free.",
}
"""The only words the edits write; each use is marked ``meta.improve`` for review."""

_KEYWORD = {"*": "star", "#": "hash"}
_PRESS = r"(?i)\b(press|dial|push|select|key|enter|hit)(\s+(?:the\s+)?)"
_KEY_FIRST = re.compile(
    r"^\s*(press|dial|push|select|key|hit)\s+(the\s+)?(\d|zero|one|two|three|four|five|six|"
    r"seven|eight|nine|star|hash|pound)\s*,?\s+(for|to|if|when)\s+(.+?)\s*[.!]?\s*$",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")


def _review(path: tuple[str | int, ...]) -> Op:
    return put((*path, "meta", "improve"), REVIEW)


def renumber_words(say: str | None, old: str, new: str) -> str | None:
    """The option's words with the key it names changed from ``old`` to ``new``.

    Examples
    --------
    >>> renumber_words("For billing, press 3.", "3", "1")
    'For billing, press 1.'
    >>> renumber_words("Press 3 for billing.", "3", "1")
    'Press 1 for billing.'
    >>> renumber_words("Billing", "3", "1")
    'Billing'
    """
    if say is None or old == new:
        return say
    olds = [re.escape(old)] + ([_KEYWORD[old]] if old in _KEYWORD else [])
    word = _KEYWORD.get(new, new)
    return re.sub(_PRESS + "(" + "|".join(olds) + r")\b", lambda m: m[1] + m[2] + word, say)


def reword_action_first(say: str) -> str | None:
    """ "Press 1 for X." as "For X, press 1." (``None`` when the words are not key-first).

    Examples
    --------
    >>> reword_action_first("Press 2 to report a fault with your phone, broadband or TV.")
    'To report a fault with your phone, broadband or TV, press 2.'
    >>> reword_action_first("Press 3 if you are moving home.")
    'If you are moving home, press 3.'
    >>> reword_action_first("For billing, press 1.") is None
    True
    """
    m = _KEY_FIRST.match(say)
    if m is None:
        return None
    verb, the, key, prep, rest = m.groups()
    return f"{prep.capitalize()} {rest}, {verb.lower()} {the or ''}{key}."


def _task_keys(state: State, menu_id: str) -> list[str]:
    return state.ctx.task_options(menu_id)


def _rekey(
    state: State, menu_id: str, spoken: list[tuple[str, dict[str, Any]]]
) -> tuple[list[tuple[str, str]], list[Op]] | None:
    """New keys for a menu's options spoken in the order ``spoken`` ``[(old key, option)]``:
    task options ``1..n``, the others keep their key unless it clashes. Returns the
    ``(new, old)`` pairs and the ops that fix each renamed option's words (``None`` when the
    menu would need more than nine digits)."""
    tasks = [k for k, _ in spoken if k in set(_task_keys(state, menu_id))]
    if len(tasks) > 9:
        return None
    new_of = {k: str(i + 1) for i, k in enumerate(tasks)}
    taken = set(new_of.values())
    for k, _ in spoken:
        if k in new_of:
            continue
        if k not in taken:
            new_of[k] = k
        else:
            free = [d for d in "123456789" if d not in taken]
            if not free:
                return None
            new_of[k] = free[0]
        taken.add(new_of[k])
    pairs = [(new_of[k], k) for k, _ in spoken]
    words = []
    for new, old in pairs:
        option = dict(spoken)[old]
        say = option.get("say")
        again = renumber_words(say, old, new)
        if again != say:
            words.append((new, again))
    ops = [put(("nodes", menu_id, "options", new, "say"), w) for new, w in words]
    return pairs, ops


@edit(
    code="E01",
    slug="order-by-demand",
    title="Speak a menu's options in order of demand, keys 1..n",
    answers=("IVR207", "IVR205"),
    not_applicable="Menus whose task options are already in order of demand with keys 1..n "
    "in spoken order; menus that would need more than nine task keys. Key 0 (a person), `*`, "
    "`#`, repeat and back options keep their keys.",
    bad="""
    options:
      "1": {say: "For opening hours, press 1.", next: hours}
      "2": {say: "To pay a bill, press 2.", next: pay}
    """,
    good="""
    options:
      "1": {say: "To pay a bill, press 1.", next: pay}
      "2": {say: "For opening hours, press 2.", next: hours}
    """,
)
def order_by_demand(state: State) -> Iterator[Candidate]:
    """Reorders a menu's task options so the most needed is spoken first, renumbers their keys
    1..n in the new spoken order and changes the key each option's words name ("press 3" becomes
    "press 1"). No new words."""
    demand = state.ctx.option_demand
    for menu_id, menu in state.ctx.menus():
        opts = state.doc["nodes"][menu_id]["options"]
        tasks = _task_keys(state, menu_id)
        if not tasks:
            continue
        ranked = sorted(tasks, key=lambda k: (-demand.get((menu_id, k), 0.0), tasks.index(k)))
        others = [k for k in menu.options if k not in tasks]
        spoken = [(k, opts[k]) for k in ranked + others]
        got = _rekey(state, menu_id, spoken)
        if got is None:
            continue
        pairs, words = got
        if pairs == [(k, k) for k in menu.options]:
            continue
        first = ranked[0]
        yield Candidate(
            "E01",
            menu_id,
            (order(("nodes", menu_id, "options"), pairs), *words),
            f"at {menu_id}, speak the options in order of demand (first: option {first}, "
            f"{demand.get((menu_id, first), 0.0):.0%} of callers) and number them 1 to "
            f"{len(tasks)} as spoken",
            answers=("IVR207", "IVR205"),
        )


@edit(
    code="E02",
    slug="zero-out-to-person",
    title="A key to a person: 0 at a menu, zero-out during an input",
    answers=("IVR204",),
    not_applicable="Menus that already have a zero-out to a person, or whose key 0 is used "
    "for a task (reorder first); inputs that already have `zero_out`; trees with no person.",
    bad="""
    ask_account: {type: input, collects: account_number, next: main_menu}
    """,
    good="""
    ask_account: {type: input, collects: account_number, zero_out: advisor_queue, next: main_menu}
    """,
)
def zero_out_to_person(state: State) -> Iterator[Candidate]:
    """Adds key 0 "To speak to an advisor, press 0." (template wording, marked for review) to a
    menu, spoken last, or a ``zero_out`` to an input, going to the person who handles most of
    the callers who pass there (and, as a second choice, the next best)."""
    for nid, node in state.ctx.asking():
        if isinstance(node, Menu):
            if any(state.ctx.option_kind(nid, k) == "zero_out" for k in node.options):
                continue
            if "0" in node.options:
                continue
            for person in state.people_for(nid):
                option = {"say": TEMPLATES["zero_out"], "next": person, "meta": {"improve": REVIEW}}
                yield Candidate(
                    "E02",
                    nid,
                    (put(("nodes", nid, "options", "0"), option),),
                    f'at {nid}, add "{TEMPLATES["zero_out"]}" going to {person}',
                    answers=("IVR204",),
                    review=(TEMPLATES["zero_out"],),
                )
        elif isinstance(node, Input) and node.zero_out is None:
            for person in state.people_for(nid):
                yield Candidate(
                    "E02",
                    nid,
                    (put(("nodes", nid, "zero_out"), person),),
                    f"at {nid}, let key 0 reach a person ({person}) for callers who cannot key "
                    f"their {node.collects}",
                    answers=("IVR204",),
                )


def _closed_exits(state: State, nid: str) -> list[tuple[str | int, ...]]:
    """Document paths (within the node) of the ways a closed department sends its callers."""
    node = state.tree.nodes[nid]
    if isinstance(node, Queue) and node.open is not None:
        return [("on_closed",)]
    if isinstance(node, Branch):
        out: list[tuple[str | int, ...]] = []
        for i, c in enumerate(node.when):
            if c.closed is not None:
                out.append(("when", i, "next"))
        if any(c.open is not None for c in node.when):
            out.append(("otherwise",))
        return out
    return []


def _get(doc: dict[str, Any], nid: str, path: tuple[str | int, ...]) -> Any:
    value: Any = doc["nodes"][nid]
    for p in path:
        if isinstance(value, dict):
            value = value.get(p)
        elif isinstance(value, list) and isinstance(p, int) and p < len(value):
            value = value[p]
        else:
            return None
        if value is None:
            return None
    return value


@edit(
    code="E03",
    group=False,
    slug="closed-callback",
    title="A closed department books a callback instead of saying goodbye",
    answers=("IVR501",),
    not_applicable="Closed branches that already lead to a callback, voicemail, another queue or "
    "menu; departments that are never closed.",
    bad="""
    faults_queue: {type: queue, open: office, on_closed: not_taking_calls, next: faults_agent}
    not_taking_calls: {type: hangup, prompt: "That department is not taking calls. Goodbye."}
    """,
    good="""
    faults_queue: {type: queue, open: office, on_closed: closed_callback, next: faults_agent}
    closed_callback: {type: callback, prompt: "We are closed at the moment. ..."}
    """,
)
def closed_callback(state: State) -> Iterator[Candidate]:
    """Sends a closed queue's (or a time-of-day branch's) closed callers to a new callback node
    with a template prompt (marked for review), instead of a hang-up; at every closed dead end
    at once the callers share one new node."""
    places: list[tuple[str, tuple[str | int, ...]]] = []
    for nid in state.findings_at("IVR501"):
        for path in _closed_exits(state, nid):
            target = _get(state.doc, nid, path)
            if target is None or state.ctx.only_goodbye(target):
                places.append((nid, path))
    if not places:
        return
    shared = state.fresh("closed_callback")
    new = {"type": "callback", "prompt": TEMPLATES["closed_callback"], "meta": {"improve": REVIEW}}
    for nid in dict.fromkeys(n for n, _ in places):
        own = state.fresh(f"{nid}_callback")
        ops = [put(("nodes", own), new)]
        ops += [put(("nodes", n, *p), own) for n, p in places if n == nid]
        yield Candidate(
            "E03",
            nid,
            tuple(ops),
            f"when {nid} is closed, book a callback ({own}) instead of hanging up",
            answers=("IVR501",),
            review=(TEMPLATES["closed_callback"],),
        )
    nodes = tuple(dict.fromkeys(n for n, _ in places))
    if len(nodes) > 1:
        ops = [put(("nodes", shared), new)] + [put(("nodes", n, *p), shared) for n, p in places]
        yield Candidate(
            "E03",
            nodes[0],
            tuple(ops),
            f"at every closed dead end ({', '.join(nodes)}), book a callback ({shared}) "
            "instead of hanging up",
            answers=("IVR501",),
            places=nodes,
            review=(TEMPLATES["closed_callback"],),
        )


@edit(
    code="E04",
    group=False,
    slug="failure-to-person",
    title="After the last failed attempt, a person instead of a hang-up",
    answers=("IVR301",),
    not_applicable="Menus and inputs whose `on_failure` already reaches someone or somewhere "
    "other than a goodbye; trees with no person.",
    bad="""
    main_menu: {type: menu, retries: 1, on_failure: goodbye_error, options: {...}}
    """,
    good="""
    main_menu: {type: menu, retries: 1, on_failure: advisor_queue, options: {...}}
    """,
)
def failure_to_person(state: State) -> Iterator[Candidate]:
    """Points a menu's or input's ``on_failure`` (missing, or leading only to a goodbye) at the
    person who handles most of the callers who pass there. At every such node at once, each gets
    its own best person. No new words."""
    places = []
    for nid, node in state.ctx.asking():
        if node.on_failure is not None and not state.ctx.only_goodbye(node.on_failure):
            continue
        people = state.people_for(nid)
        if not people:
            continue
        places.append((nid, people))
        for person in people:
            yield Candidate(
                "E04",
                nid,
                (put(("nodes", nid, "on_failure"), person),),
                f"at {nid}, send callers whose attempts fail to {person} instead of hanging up",
                answers=("IVR301",),
            )
    if len(places) > 1:
        yield Candidate(
            "E04",
            places[0][0],
            tuple(put(("nodes", n, "on_failure"), p[0]) for n, p in places),
            "send callers whose attempts fail to a person instead of hanging up, at "
            + ", ".join(n for n, _ in places),
            answers=("IVR301",),
            places=tuple(n for n, _ in places),
        )


def _always_given(state: State, agent: str, datum: str) -> bool:
    """Whether every way from the entry to ``agent`` passes a successful entry of ``datum``."""
    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_nodes_from(state.ctx.g.nodes)
    for u, v, d in state.ctx.g.edges(data=True):
        node = state.tree.nodes.get(u)
        if isinstance(node, Input) and node.collects == datum and d["event"] == "next":
            continue
        g.add_edge(u, v)
    entry = state.tree.entry
    return agent != entry and not nx.has_path(g, entry, agent)


def _given_on_some_way(state: State, agent: str, datum: str) -> bool:
    """Whether some way from the entry to ``agent`` passes a successful entry of ``datum`` (so
    the person asks some callers for it again: rule IVR302)."""
    g = state.ctx.g
    reach = state.ctx.reachable
    for u, v, d in g.edges(data=True):
        node = state.tree.nodes.get(u)
        if (
            isinstance(node, Input)
            and node.collects == datum
            and d["event"] == "next"
            and u in reach
            and u != agent
            and (v == agent or nx.has_path(g, v, agent))
        ):
            return True
    return False


def _without(state: State, nid: str, given: list[str]) -> Op:
    node = state.tree.nodes[nid]
    assert isinstance(node, Agent)
    keep = [d for d in node.asks if d not in given]
    return put(("nodes", nid, "asks"), keep) if keep else delete(("nodes", nid, "asks"))


@edit(
    code="E05",
    group=False,
    slug="pass-the-data",
    title="The person gets the data the IVR took, and stops asking for it",
    answers=("IVR302",),
    not_applicable="Data no caller has keyed on the way to the person (a postcode the IVR never "
    "asks); agents who ask nothing the IVR collects.",
    bad="""
    ask_account: {type: input, collects: account_number, next: queue}
    agent: {type: agent, handles: [pay_bill], asks: [account_number]}
    """,
    good="""
    ask_account: {type: input, collects: account_number, next: queue}
    agent: {type: agent, handles: [pay_bill]}    # the number arrives with the call
    """,
)
def pass_the_data(state: State) -> Iterator[Candidate]:
    """Removes from an agent's ``asks`` the data callers have already keyed on the way to that
    agent (pass it with the call, e.g. a screen pop); at every agent at once, one change. When
    some callers can reach the person without keying it (a zero-out, or after failed attempts),
    the line says so: the person asks only them, and the model, whose ``asks`` cannot depend on
    the way in, no longer counts those few questions (the conservative change, data every way
    passes, is offered first). No new words."""
    places: list[tuple[str, Op]] = []
    partial = False
    for nid, node in state.ctx.nodes("agent"):
        assert isinstance(node, Agent)
        always = [d for d in node.asks if _always_given(state, nid, d)]
        some = [d for d in node.asks if d in always or _given_on_some_way(state, nid, d)]
        if always:
            yield Candidate(
                "E05",
                nid,
                (_without(state, nid, always),),
                f"pass {', '.join(always)} to {nid} with the call, so they stop asking for it "
                "again",
                answers=("IVR302",),
            )
        if some != always:
            partial = True
            partly = [d for d in some if d not in always]
            yield Candidate(
                "E05",
                nid,
                (_without(state, nid, some),),
                f"pass {', '.join(some)} to {nid} with the call, and let them ask for "
                f"{', '.join(partly)} only callers who come without it (a zero-out or failed "
                "entry)",
                answers=("IVR302",),
            )
        if some:
            places.append((nid, _without(state, nid, some)))
    if len(places) > 1:
        yield Candidate(
            "E05",
            places[0][0],
            tuple(op for _, op in places),
            "pass the data callers keyed to every person with the call, so nobody asks again ("
            + ", ".join(n for n, _ in places)
            + (
                "; they ask only callers who come without it, through a zero-out or failed entry)"
                if partial
                else ")"
            ),
            answers=("IVR302",),
            places=tuple(n for n, _ in places),
        )


def _upfront_messages(state: State) -> list[str]:
    from ..lint.rules.time import _upfront_nodes

    return [n for n in _upfront_nodes(state.ctx) if isinstance(state.tree.nodes[n], Message)]


def _fluff(state: State) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in state.standard.fluff_patterns]


@edit(
    code="E06",
    slug="cut-preamble",
    title="Cut the fluff before the first choice",
    answers=("IVR404", "IVR402"),
    not_applicable="Messages before the first menu with no sentence matching the Standard's "
    "fluff patterns (legal notices stay); nodes that `ignore: [IVR404]`.",
    bad="""
    welcome: {type: message, prompt: "Welcome. Your call is important to us.", next: menu}
    """,
    good="""
    welcome: {type: message, prompt: "Welcome.", next: menu}
    """,
    group=False,
)
def cut_preamble(state: State) -> Iterator[Candidate]:
    """Deletes the sentences of the messages before the first menu that match the Standard's
    fluff patterns (promotions, web deflection, "our options have changed", "your call is
    important"); a message left with nothing to say is removed and what pointed at it points at
    its ``next``. A ``duration_s`` shrinks with the words. No new words."""
    patterns = _fluff(state)
    plan: list[tuple[str, str | None]] = []  # (node, kept text or None to drop)
    for nid in _upfront_messages(state):
        node = state.tree.nodes[nid]
        assert isinstance(node, Message)
        if "IVR404" in node.ignore or not node.prompt:
            continue
        sentences = [s.strip() for s in _SENTENCE.findall(" ".join(node.prompt.split()))]
        kept = [s for s in sentences if s and not any(p.search(s) for p in patterns)]
        if len(kept) == len([s for s in sentences if s]):
            continue
        if not kept and node.next is None:
            continue
        plan.append((nid, " ".join(kept) if kept else None))

    def ops_for(items: list[tuple[str, str | None]]) -> list[Op]:
        ops: list[Op] = []
        dropped = {n: state.tree.nodes[n].next for n, text in items if text is None}  # type: ignore[union-attr]

        def land(t: str) -> str:
            seen = set()
            while t in dropped and t not in seen:
                seen.add(t)
                t = dropped[t]  # type: ignore[assignment]
            return t

        for nid, text in items:
            if text is None:
                continue
            ops.append(put(("nodes", nid, "prompt"), text))
            node = state.tree.nodes[nid]
            if node.duration_s is not None and node.prompt:
                ratio = len(text.split()) / max(len(node.prompt.split()), 1)
                ops.append(put(("nodes", nid, "duration_s"), round(node.duration_s * ratio, 1)))
        for nid in dropped:
            for path, ref in state.references(nid):
                if ref in dropped:
                    continue
                ops.append(put(path, land(nid)))
            ops.append(delete(("nodes", nid)))
        return ops

    def words(nid: str, text: str | None) -> str:
        return f"remove {nid}" if text is None else f"cut {nid} to '{text}'"

    for nid, text in plan:
        yield Candidate(
            "E06",
            nid,
            tuple(ops_for([(nid, text)])),
            f"before the first menu, {words(nid, text)} (drop the fluff every caller sits through)",
            answers=("IVR404", "IVR402"),
        )
    if len(plan) > 1:
        yield Candidate(
            "E06",
            plan[0][0],
            tuple(ops_for(plan)),
            "before the first menu, " + "; ".join(words(n, t) for n, t in plan),
            answers=("IVR404", "IVR402"),
            places=tuple(n for n, _ in plan),
        )


@edit(
    code="E07",
    slug="announce-wait",
    title="Tell callers in a queue how long they will wait",
    answers=("IVR503",),
    not_applicable="Queues that already announce the wait (`announces_wait: true`).",
    bad="""
    billing_queue: {type: queue, wait: {mean_s: 420}, next: billing_agent}
    """,
    good="""
    billing_queue: {type: queue, wait: {mean_s: 420}, announces_wait: true, next: billing_agent}
    """,
)
def announce_wait(state: State) -> Iterator[Candidate]:
    """Sets ``announces_wait: true`` on a queue that never says how long the wait is (the
    platform's wait announcement: no words to write)."""
    for nid in state.findings_at("IVR503"):
        node = state.tree.nodes[nid]
        if isinstance(node, Queue) and not node.announces_wait:
            yield Candidate(
                "E07",
                nid,
                (put(("nodes", nid, "announces_wait"), True),),
                f"at {nid}, announce the expected wait",
                answers=("IVR503",),
            )


@edit(
    code="E08",
    slug="queue-callback",
    title="Offer a callback at a long queue",
    answers=("IVR505",),
    not_applicable="Queues whose expected wait is under the Standard's `callback_wait_s` "
    "(3 minutes), or that already offer a callback.",
    bad="""
    moves_queue: {type: queue, wait: {mean_s: 600}, next: moves_agent}
    """,
    good="""
    moves_queue: {type: queue, wait: {mean_s: 600}, callback: moves_queue_callback, next: moves_agent}
    moves_queue_callback: {type: callback, prompt: "Thank you. We will call you back ..."}
    """,
)
def queue_callback(state: State) -> Iterator[Candidate]:
    """Adds a callback node (template prompt, marked for review) and offers it at a queue whose
    expected wait is at least the Standard's ``callback_wait_s``."""
    for nid, node in state.ctx.queues():
        if node.callback is not None:
            continue
        wait = state.ctx.waits.get(nid, 0.0)
        long = math.isfinite(wait) and wait >= state.standard.callback_wait_s
        if not long and nid not in state.findings_at("IVR505"):
            continue
        own = state.fresh(f"{nid}_callback")
        new = {
            "type": "callback",
            "prompt": TEMPLATES["queue_callback"],
            "meta": {"improve": REVIEW},
        }
        yield Candidate(
            "E08",
            nid,
            (put(("nodes", own), new), put(("nodes", nid, "callback"), own)),
            f"at {nid} (expected wait {wait / 60:.0f} min), offer a callback ({own})",
            answers=("IVR505",),
            review=(TEMPLATES["queue_callback"],),
        )


@edit(
    code="E09",
    slug="action-first-wording",
    title='"For X, press 1" instead of "Press 1 for X"',
    answers=("IVR203",),
    not_applicable="Options already worded action first, options without words, menus of two "
    "options or fewer.",
    bad="""
    "1": {say: "Press 1 for billing.", next: billing}
    """,
    good="""
    "1": {say: "For billing, press 1.", next: billing}
    """,
)
def action_first(state: State) -> Iterator[Candidate]:
    """Rewords a menu's key-first options as action first, with the same words moved ("Press 1
    for billing." becomes "For billing, press 1."): nothing new is promised."""
    for nid in state.findings_at("IVR203"):
        menu = state.tree.nodes[nid]
        assert isinstance(menu, Menu)
        ops = []
        for k, o in menu.options.items():
            again = reword_action_first(o.say) if o.say else None
            if again is not None:
                ops.append(put(("nodes", nid, "options", k, "say"), again))
        if ops:
            yield Candidate(
                "E09",
                nid,
                tuple(ops),
                f'at {nid}, say the choice before the key ("For billing, press 1") in '
                f"{len(ops)} options",
                answers=("IVR203",),
            )


@edit(
    code="E10",
    slug="fold-submenu",
    title="Fold a submenu of one or two options into its parent",
    answers=("IVR202",),
    not_applicable="Submenus with more than two task options, reached from more than one "
    "place, or whose parent would then have more task options than the Standard allows "
    "(`max_task_options`): folding never adds depth or breadth beyond the Standard.",
    bad="""
    main_menu: {type: menu, options: {"1": {say: "For billing, press 1.", next: billing_menu}, ...}}
    billing_menu: {type: menu, options: {"1": {say: "To pay a bill, press 1.", next: pay}}}
    """,
    good="""
    main_menu: {type: menu, options: {"1": {say: "To pay a bill, press 1.", next: pay}, ...}}
    """,
    group=False,
)
def fold_submenu(state: State) -> Iterator[Candidate]:
    """Replaces a parent's option to a small submenu with the submenu's task options (their own
    words, keys renumbered 1..n in spoken order), and removes the submenu; its repeat and back
    options go with it."""
    limit = state.standard.max_task_options
    for parent, menu in state.ctx.menus():
        ptasks = _task_keys(state, parent)
        for key in ptasks:
            sub = menu.options[key].next
            node = state.tree.nodes.get(sub)
            if not isinstance(node, Menu) or sub == parent:
                continue
            stasks = _task_keys(state, sub)
            refs = [r for _, r in state.references(sub) if r != sub]
            if (
                not 1 <= len(stasks) <= 2
                or refs != [parent]
                or len(ptasks) - 1 + len(stasks) > limit
            ):
                continue
            popts = state.doc["nodes"][parent]["options"]
            sopts = state.doc["nodes"][sub]["options"]
            spoken: list[tuple[str, dict[str, Any]]] = []
            for k in menu.options:
                if k == key:
                    spoken += [(f"{sub}:{s}", sopts[s]) for s in stasks]
                else:
                    spoken.append((k, popts[k]))
            tasks_now = [k for k, _ in spoken if ":" in k or k in ptasks]
            new_keys = {k: str(i + 1) for i, k in enumerate(tasks_now)}
            taken = set(new_keys.values())
            pairs_spoken: list[tuple[str, dict[str, Any], str]] = []
            ok = True
            for k, o in spoken:
                if k in new_keys:
                    nk = new_keys[k]
                elif k not in taken:
                    nk = k
                else:
                    free = [d for d in "123456789" if d not in taken]
                    if not free:
                        ok = False
                        break
                    nk = free[0]
                taken.add(nk)
                pairs_spoken.append((k, o, nk))
            if not ok:
                continue
            options: dict[str, Any] = {}
            for k, o, nk in pairs_spoken:
                old = k.split(":")[-1]
                again = dict(o)
                if o.get("say"):
                    again["say"] = renumber_words(o["say"], old, nk)
                options[nk] = again
            yield Candidate(
                "E10",
                parent,
                (put(("nodes", parent, "options"), options), delete(("nodes", sub))),
                f"fold {sub} ({len(stasks)} option{'s' if len(stasks) > 1 else ''}) into "
                f"{parent}: one menu fewer for its callers",
                answers=("IVR202",),
                places=(parent, sub),
            )


def _serving(state: State, start: str, task: str) -> str | None:
    """Following transfers from the human at ``start``, the entry (queue or agent) of the first
    person who handles ``task`` (``None`` when nobody on the way does)."""
    seen: set[str] = set()
    entry: str | None = start
    while entry is not None and entry not in seen:
        seen.add(entry)
        agent = state.agent_behind(entry)
        if agent is None:
            return None
        node = state.tree.nodes[agent]
        assert isinstance(node, Agent)
        if task in node.handles:
            return entry
        entry = node.transfer_to
    return None


@edit(
    code="E11",
    slug="route-straight",
    title="Route a task straight to the team that handles it",
    answers=("IVR502", "IVR506"),
    not_applicable="Options whose person handles what the option promises; options whose "
    "tasks are served by different teams down the transfer chain; options that promise no "
    "task (their words name none).",
    bad="""
    "6": {say: "For broadband set-up, press 6.", next: faults_queue}   # faults pass it on
    """,
    good="""
    "6": {say: "For broadband set-up, press 6.", next: broadband_queue}
    """,
)
def route_straight(state: State) -> Iterator[Candidate]:
    """Points a menu option at the team that handles what it promises, when its callers would
    otherwise reach a person who handles none of it and passes them on. The option's words are
    unchanged, so its promise is too."""
    for nid, _menu in state.ctx.menus():
        for key, promise in state.ctx.promises.get(nid, ()):
            option = state.tree.nodes[nid]
            assert isinstance(option, Menu)
            target = option.options[key].next
            agent = state.agent_behind(target)
            if agent is None or not promise.tasks:
                continue
            node = state.tree.nodes[agent]
            assert isinstance(node, Agent)
            if any(t in node.handles for t in promise.tasks) or node.transfer_to is None:
                continue
            ends = {_serving(state, node.transfer_to, t) for t in promise.tasks}
            if len(ends) != 1 or None in ends:
                continue
            end = ends.pop()
            assert end is not None
            yield Candidate(
                "E11",
                nid,
                (put(("nodes", nid, "options", key, "next"), end),),
                f"at {nid}, send option {key} ({', '.join(sorted(promise.tasks))}) straight to "
                f"{end} instead of through {target}",
                answers=("IVR502", "IVR506"),
            )


@edit(
    code="E12",
    slug="pass-on-not-drop",
    title="A person who cannot help passes the caller on instead of dropping the call",
    answers=("IVR506", "IVR102"),
    not_applicable="Agents that already have `transfer_to`, or that handle every task; trees "
    "with no other person.",
    bad="""
    lost_phone_agent: {type: agent, handles: [lost_phone]}
    """,
    good="""
    lost_phone_agent: {type: agent, handles: [lost_phone], transfer_to: general_queue}
    """,
)
def pass_on(state: State) -> Iterator[Candidate]:
    """Gives an agent with no ``transfer_to`` the team that handles most callers' tasks, so a
    caller who reached the wrong person (a wrong key) is passed on, not cut off. No new words."""
    tasks = set(state.shares)
    for nid, node in state.ctx.nodes("agent"):
        assert isinstance(node, Agent)
        if node.transfer_to is not None or tasks <= set(node.handles):
            continue
        best = None
        for i, (entry, agent) in enumerate(state.human_entries):
            if agent == nid:
                continue
            other = state.tree.nodes[agent]
            assert isinstance(other, Agent)
            served = sum(state.shares[t] for t in other.handles if t not in node.handles)
            if served > 0 and (best is None or (-served, i) < best[0]):
                best = ((-served, i), entry)
        if best is None:
            continue
        yield Candidate(
            "E12",
            nid,
            (put(("nodes", nid, "transfer_to"), best[1]),),
            f"let {nid} pass callers they cannot help to {best[1]} instead of ending the call",
            answers=("IVR506", "IVR102"),
        )


@edit(
    code="E13",
    slug="allow-barge-in",
    title="Let callers key as soon as they hear their option",
    answers=("IVR305",),
    not_applicable="Menus and inputs that already allow barge-in (the default).",
    bad="""
    main_menu: {type: menu, barge_in: false, options: {...}}
    """,
    good="""
    main_menu: {type: menu, options: {...}}
    """,
)
def allow_barge_in(state: State) -> Iterator[Candidate]:
    """Removes ``barge_in: false`` from a menu or input, so a key press interrupts the prompt
    (dial-through). No new words."""
    for nid, node in state.ctx.asking():
        if not node.barge_in:
            yield Candidate(
                "E13",
                nid,
                (delete(("nodes", nid, "barge_in")),),
                f"at {nid}, let callers key as soon as they hear their option (barge-in)",
                answers=("IVR305",),
            )


def _roster_moves(a: Any, b: Any, n: int) -> tuple[Any, Any] | None:
    """Rosters with ``n`` agents moved from ``a`` to ``b`` in every period they share."""
    if isinstance(a, int) and isinstance(b, int):
        return (a - n, b + n) if a - n >= 1 else None
    if isinstance(a, dict) and isinstance(b, dict):
        shared = [k for k in a if k in b and isinstance(a[k], int) and isinstance(b[k], int)]
        if not shared or any(a[k] - n < 1 for k in shared):
            return None
        return (
            {k: (v - n if k in shared else v) for k, v in a.items()},
            {k: (v + n if k in shared else v) for k, v in b.items()},
        )
    return None


@edit(
    code="E14",
    slug="move-agents",
    title="Move agents between queues at the same headcount (with allow_staffing)",
    answers=("IVR504", "IVR505"),
    not_applicable="Without `allow_staffing=True`; queues without `staffing.agents` of the same "
    "shape (one number, or the same schedule names); moves that would leave a queue with "
    "nobody. Headcount never grows.",
    bad="""
    faults_queue:  {type: queue, staffing: {agents: {office: 28}, handle_time_s: 480}}
    general_queue: {type: queue, staffing: {agents: {office: 9}, handle_time_s: 360}}
    """,
    good="""
    faults_queue:  {type: queue, staffing: {agents: {office: 30}, handle_time_s: 480}}
    general_queue: {type: queue, staffing: {agents: {office: 7}, handle_time_s: 360}}
    """,
    staffing=True,
    group=False,
)
def move_agents(state: State) -> Iterator[Candidate]:
    """Moves 1, 2 or 4 agents from the staffed queue whose callers wait least to the one whose
    callers wait most (in every period of the roster the two share), keeping the total."""
    if not state.allow_staffing:
        return
    hours = state.report.result.hourly
    if hours is None:
        return
    waits = []
    for i, name in enumerate(hours.names):
        if hours.fixed[i] or len(hours.queues[i]) == 0:
            continue
        off = hours.offered[i]
        w = hours.mean_wait_s[i]
        ok = off > 0
        mean = float((off[ok] * w[ok]).sum() / off[ok].sum()) if ok.any() else 0.0
        if name in state.tree.nodes:
            waits.append((mean, name))
    waits.sort()
    if len(waits) < 2:
        return
    src, dst = waits[0][1], waits[-1][1]
    a = state.doc["nodes"][src].get("staffing", {}).get("agents")
    b = state.doc["nodes"][dst].get("staffing", {}).get("agents")
    for n in (1, 2, 4):
        moved = _roster_moves(a, b, n)
        if moved is None:
            continue
        yield Candidate(
            "E14",
            dst,
            (
                put(("nodes", src, "staffing", "agents"), moved[0]),
                put(("nodes", dst, "staffing", "agents"), moved[1]),
            ),
            f"move {n} agent{'s' if n > 1 else ''} from {src} to {dst} (same headcount)",
            answers=("IVR504", "IVR505"),
            places=(dst, src),
        )


def person_option(option: Any) -> bool:
    """Whether a model option's words offer a person (re-exported for tests)."""
    return offers_person(option)
