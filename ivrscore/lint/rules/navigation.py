"""IVR2xx: navigation. Menus a caller can hold in mind and move through."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..._text import plural
from ...graph import leads_to_human
from ...model.nodes import Input, Menu
from .._context import Context, short
from .._registry import Hit, rule

_KEY_FIRST = re.compile(
    r"^\W*(press|dial|push|select|key|enter|hit)\s+(the\s+)?"
    r"(\d|zero|one|two|three|four|five|six|seven|eight|nine|star|hash|pound)\b",
    re.IGNORECASE,
)


@rule(
    code="IVR201",
    slug="too-many-options",
    severity="warning",
    laws=(8, 6),
    fix="Drop or merge options few callers need, or offer them by other channels. Keep the "
    "menu broad rather than adding a level: broad menus beat deep ones in experiments.",
    options=("max_task_options", "max_keys"),
    bad="""
    main_menu:
      type: menu
      options:   # eight task options
        "1": {say: "For billing, press 1.", next: billing}
        "2": {say: "For faults, press 2.", next: faults}
        "3": {say: "For moving home, press 3.", next: moves}
        "4": {say: "For upgrades, press 4.", next: sales}
        "5": {say: "To leave us, press 5.", next: retentions}
        "6": {say: "For broadband set-up, press 6.", next: faults}
        "7": {say: "For a lost phone, press 7.", next: lost}
        "8": {say: "For anything else, press 8.", next: general}
    """,
    good="""
    main_menu:
      type: menu
      options:   # five task options; 0 and * do not count
        "1": {say: "To report a fault or set up broadband, press 1.", next: faults}
        "2": {say: "To pay or discuss a bill, press 2.", next: billing}
        "3": {say: "To upgrade, move home or leave us, press 3.", next: account}
        "4": {say: "If your phone is lost or stolen, press 4.", next: lost}
        "5": {say: "For anything else, press 5.", next: general}
        "0": {say: "To speak to an advisor, press 0.", next: general}
        "*": {say: "To hear these options again, press star.", next: main_menu}
    """,
)
def too_many_options(ctx: Context) -> Iterator[Hit]:
    """A menu with more task options than the standard (warning over 5; error over 9, when
    the keys run out). The zero-out to a person, ``*``, ``#``, repeat and back keys do not count.

    Callers must hold every option in mind until they hear theirs. Guidelines cluster at four or
    five (Avaya IR "Menus"; Plum; AT&T; ISO/IEC 13714 via iTAMS: four). The limit of 9 is the
    keypad: 0, * and # are reserved (ITU-T E.161). Experiments favour broad menus over deep
    ones (Virzi & Huitema 1997; Commarford et al. 2008), so this rule never suggests a new
    level; the threshold is configurable for clear, distinct options.
    """
    std = ctx.standard
    for nid, _menu in ctx.menus():
        keys = ctx.task_options(nid)
        n = len(keys)
        if n > std.max_keys:
            yield Hit(
                nid,
                f"{nid} offers {n} task options, more than the {std.max_keys} keys a caller can "
                "press for a task",
                severity="error",
            )
        elif n > std.max_task_options:
            yield Hit(
                nid,
                f"a caller at {nid} must keep {n} task options in mind (standard: at most "
                f"{std.max_task_options})",
            )


@rule(
    code="IVR202",
    slug="too-deep",
    severity="warning",
    laws=(8, 6),
    fix="Bring the task up a level: offer it in a higher menu (the same task may appear in two "
    "menus), or merge the intermediate menus.",
    options=("max_menu_depth",),
    bad="""
    # main_menu -> account_menu -> changes_menu -> moving_menu -> moves_queue
    """,
    good="""
    # main_menu -> account_menu -> moves_queue
    """,
)
def too_deep(ctx: Context) -> Iterator[Hit]:
    """A task whose intended route passes more menus than the standard (3).

    Each level is another prompt to hear and another decision; "limit the number of menu levels
    to three" (AT&T voice-mail manual), "keep the menu depth to three or less" (VUI Post).
    Frequent tasks reachable only deep in the tree cost every caller time (Software Advice 2014).
    """
    limit = ctx.standard.max_menu_depth
    for task, r in ctx.routes.items():
        if r is None or r.menus <= limit:
            continue
        menus = [n for n, t in zip(r.nodes, r.node_types, strict=True) if t == "menu"]
        yield Hit(
            menus[-1],
            f"callers with {task} pass {r.menus} menus ({' → '.join(menus)}) before {r.goal} "
            f"(standard: at most {limit})",
            path=r.nodes,
        )


@rule(
    code="IVR203",
    slug="key-before-action",
    severity="warning",
    laws=(8,),
    fix='Say the goal first, then the key: "For billing, press 1."',
    bad="""
    options:
      "1": {say: "Press 1 for billing.", next: billing}
      "2": {say: "Press 2 for faults.", next: faults}
      "3": {say: "Press 3 for sales.", next: sales}
    """,
    good="""
    options:
      "1": {say: "For billing, press 1.", next: billing}
      "2": {say: "For faults, press 2.", next: faults}
      "3": {say: "For sales, press 3.", next: sales}
    """,
)
def key_before_action(ctx: Context) -> Iterator[Hit]:
    """ "Press 1 for X" instead of "For X, press 1", in a menu of more than two options.

    A caller hearing the key first must remember it until they learn whether they want it: "If
    you state the menu choice first, the user may forget which choice they want before hearing
    all the menu options" (Weinschenk & Barker, *Designing Effective Speech Interfaces*, ch. 10);
    ISO/IEC 13714 (via iTAMS): "function followed by action". For yes/no (two options) the
    order does not matter.
    """
    for nid, menu in ctx.menus():
        if len(menu.options) <= 2:
            continue
        bad = [k for k, o in menu.options.items() if o.say and _KEY_FIRST.search(o.say)]
        if bad:
            first = menu.options[bad[0]].say
            yield Hit(
                nid,
                f"{nid} says the key before the choice in {plural(len(bad), 'option')} "
                f"({', '.join(bad)}), e.g. {short(first)}",
            )


@rule(
    code="IVR204",
    slug="no-human-escape",
    severity="error",
    laws=(8, 6, 5),
    fix='Offer a key to a person (by convention 0: "To speak to an advisor, press 0.") on every '
    "menu and during every input; out of hours, let it book a callback.",
    bad="""
    ask_account:
      type: input
      collects: account_number
      next: main_menu              # no way to a person without the number
    """,
    good="""
    ask_account:
      type: input
      collects: account_number
      zero_out: advisors           # "If you don't have it, press 0."
      next: main_menu
    """,
)
def no_human_escape(ctx: Context) -> Iterator[Hit]:
    """A menu or input from which no key leads to a person (or a callback when closed).

    "The caller must always be able to dial 0 or to say 'operator' to queue for a human"
    (GetHuman v1.0 #1; W3C COGA voice-menu pattern). Difficulty reaching an agent accounted for
    61% of the variance in caller satisfaction across 60 studies (Vocal Laboratories, via Larson
    & Bouzid 2005).
    """
    for nid, node in ctx.asking():
        targets: list[str] = []
        if isinstance(node, Menu):
            targets = [o.next for o in node.options.values()]
        elif isinstance(node, Input) and node.zero_out:
            targets = [node.zero_out]
        if any(any(leads_to_human(ctx.tree, t) for t in ctx.passive_landings(t)) for t in targets):
            continue
        what = "no key at" if isinstance(node, Menu) else "no key during"
        extra = " (they must enter their data or give up)" if isinstance(node, Input) else ""
        yield Hit(nid, f"{what} {nid} leads to a person{extra}")


@rule(
    code="IVR205",
    slug="nonstandard-keys",
    severity="warning",
    laws=(8,),
    fix="Use 1..n for tasks in the order they are spoken, 0 for a person, * to go back or "
    "repeat, # to end an entry.",
    options=("key_9",),
    bad="""
    options:
      "2": {say: "For billing, press 2.", next: billing}
      "1": {say: "For sales, press 1.", next: sales}
      "0": {say: "For opening hours, press 0.", next: hours}
      "#": {say: "For faults, press hash.", next: faults}
    """,
    good="""
    options:
      "1": {say: "For billing, press 1.", next: billing}
      "2": {say: "For sales, press 2.", next: sales}
      "3": {say: "For faults, press 3.", next: faults}
      "0": {say: "To speak to someone, press 0.", next: advisors}
    """,
)
def nonstandard_keys(ctx: Context) -> Iterator[Hit]:
    """0 that does not lead to a person; ``*`` or ``#`` used for a task; task keys not 1..n in
    the order spoken; key 9 against the standard's convention.

    Callers carry key conventions from line to line: 0 for the operator (ETSI ETR 096; ISO/IEC
    13714; GetHuman), * to go back or cancel and # to end an entry (ISO/IEC 13714 §5.6; AS/NZS
    4263 §2.5-2.6), options "in numerical order, avoid skipping numbers" (Avaya IR).
    """
    key_9 = ctx.standard.key_9
    for nid, menu in ctx.menus():
        problems: list[str] = []
        if "0" in menu.options and ctx.option_kind(nid, "0") != "zero_out":
            problems.append(f"0 goes to {menu.options['0'].next}, not to a person")
        for k in ("*", "#"):
            if k in menu.options and ctx.option_kind(nid, k) == "task":
                problems.append(f"{k} is used for a task ({menu.options[k].next})")
        digits = [k for k in ctx.task_options(nid) if k.isdigit() and k != "0"]
        expected = [str(i) for i in range(1, len(digits) + 1)]
        if digits and digits != expected:
            problems.append(
                f"task keys are {', '.join(digits)} in spoken order, not {', '.join(expected)}"
            )
        if key_9 != "any" and "9" in menu.options:
            kind = ctx.option_kind(nid, "9")
            target = ctx.tree.nodes.get(menu.options["9"].next)
            ok = {
                "repeat": kind == "repeat",
                "end_call": target is not None and target.type == "hangup",
                "language": kind == "task" and (target is not None and target.type == "menu"),
            }[key_9]
            if not ok:
                problems.append(
                    f"9 is not used for {key_9.replace('_', ' ')} (the standard's convention)"
                )
        if problems:
            yield Hit(nid, f"at {nid}: " + "; ".join(problems))


@rule(
    code="IVR206",
    slug="no-repeat",
    severity="info",
    laws=(8,),
    fix='Add a key that replays the options: "To hear these options again, press star."',
    bad="""
    main_menu:
      type: menu
      options:
        "1": {say: "For billing, press 1.", next: billing}
        "2": {say: "For faults, press 2.", next: faults}
    """,
    good="""
    main_menu:
      type: menu
      options:
        "1": {say: "For billing, press 1.", next: billing}
        "2": {say: "For faults, press 2.", next: faults}
        "*": {say: "To hear these options again, press star.", next: main_menu}
    """,
)
def no_repeat(ctx: Context) -> Iterator[Hit]:
    """A menu with no key that plays the options again.

    A caller who missed an option must guess or wait for the time-out; "let users ask 'What
    are my choices?'" (VUI Post tip 12); "repeat and rewind" (ATIS IVR accessibility
    checklist); AT&T and Avaya AUDIX reserve keys for it.
    """
    for nid, menu in ctx.menus():
        if not any(ctx.option_kind(nid, k) == "repeat" for k in menu.options):
            yield Hit(nid, f"no key at {nid} plays the options again")


@rule(
    code="IVR207",
    slug="demand-order",
    severity="info",
    laws=(8, 6),
    fix="Speak options in order of how many callers need them (safety options such as a gas "
    "emergency may rightly come first: ignore the rule on that node).",
    options=("demand_margin",),
    bad="""
    tasks: [{name: opening_hours, share: 0.05}, {name: pay_bill, share: 0.6}]
    options:
      "1": {say: "For opening hours, press 1.", next: hours}
      "2": {say: "To pay a bill, press 2.", next: pay}
    """,
    good="""
    tasks: [{name: opening_hours, share: 0.05}, {name: pay_bill, share: 0.6}]
    options:
      "1": {say: "To pay a bill, press 1.", next: pay}
      "2": {say: "For opening hours, press 2.", next: hours}
    """,
)
def demand_order(ctx: Context) -> Iterator[Hit]:
    """An option spoken after options that fewer callers need (by the tasks' shares).

    Every caller listens through the options before theirs: "present the most likely menu
    choice first, the second most likely second" (Avaya IR; ISO/IEC 13714 via iTAMS: "most
    commonly used function first"); matching popular services to the shortest times "reduces
    remarkably the average service time" (TLC call-centre study, 2013).
    """
    margin = ctx.standard.demand_margin
    for nid, menu in ctx.menus():
        keys = ctx.task_options(nid)
        demand = {k: ctx.option_demand.get((nid, k), 0.0) for k in keys}
        worst: tuple[float, str, str] | None = None
        for i, later in enumerate(keys):
            for earlier in keys[:i]:
                gap = demand[later] - demand[earlier]
                if gap > margin and (worst is None or gap > worst[0]):
                    worst = (gap, earlier, later)
        if worst is not None:
            _, earlier, later = worst
            yield Hit(
                nid,
                f"at {nid}, option {later} {short(menu.options[later].say, 40)} is what "
                f"{demand[later]:.0%} of callers need, but it is spoken after option {earlier} "
                f"({demand[earlier]:.0%})",
            )
