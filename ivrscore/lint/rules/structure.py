"""IVR1xx: structure. Can every caller get somewhere, and does every task have a way in?"""

from __future__ import annotations

from collections.abc import Iterator

from ..._digraph import strongly_connected_components
from ..._text import plural
from ...graph import IMPLICIT_HANGUP
from ...model.nodes import Input, Menu, Message, Queue
from .._context import Context, is_final
from .._registry import Hit, rule


@rule(
    code="IVR101",
    slug="unreachable-node",
    severity="warning",
    laws=(9,),
    fix="Connect the node from a menu or flow that callers reach, or delete it.",
    bad="""
    nodes:
      main_menu: {type: menu, options: {"1": {say: "For billing, press 1.", next: billing}}}
      billing: {type: agent, handles: [billing]}
      sales: {type: agent, handles: [sales]}     # nothing leads here
    """,
    good="""
    nodes:
      main_menu:
        type: menu
        options:
          "1": {say: "For billing, press 1.", next: billing}
          "2": {say: "For sales, press 2.", next: sales}
      billing: {type: agent, handles: [billing]}
      sales: {type: agent, handles: [sales]}
    """,
)
def unreachable_node(ctx: Context) -> Iterator[Hit]:
    """A node no call can reach from the entry.

    A node nothing leads to is either dead weight that misleads whoever maintains the tree, or
    a service the company believes it offers and callers cannot find (law 9: do what you say).
    Graph hygiene in every flow validator (CxBlueprint orphaned blocks, Bedrock
    ``UnreachableNode``).
    """
    for nid in ctx.tree.nodes:
        if nid not in ctx.reachable:
            yield Hit(nid, f"no call can reach {nid}: nothing leads to it from {ctx.tree.entry}")


@rule(
    code="IVR102",
    slug="dead-end",
    severity="error",
    laws=(8, 6),
    fix="Give the node a `next` (a menu, a queue, a goodbye): every path should end on purpose.",
    bad="""
    nodes:
      closed_notice: {type: message, prompt: "We are closed."}   # and then?
    """,
    good="""
    nodes:
      closed_notice: {type: message, prompt: "We are closed.", next: book_callback}
      book_callback: {type: callback, prompt: "We'll call you back when we open."}
    """,
)
def dead_end(ctx: Context) -> Iterator[Hit]:
    """A node that is not an ending (agent, self-service, voicemail, callback, hang-up) and has
    no way on: a message without ``next``, an input without ``next``, a queue without ``next``.

    The call falls off the end of the flow, which platforms answer by hanging up (a Twilio Studio
    transition without ``next`` ends the call). The caller is cut off without a word (videsign,
    "Hang-ups and goodbyes": "IVRs should never just hang up").
    """
    for nid, node in ctx.nodes("message", "input", "queue"):
        assert isinstance(node, Message | Input | Queue)
        if node.next is None:
            what = {
                "message": "after the message",
                "input": "after a successful entry",
                "queue": "when an agent answers",
            }[node.type]
            yield Hit(nid, f"{what} at {nid} the flow has no next step: the call just ends")


@rule(
    code="IVR103",
    slug="trap-loop",
    severity="error",
    laws=(8, 6),
    fix="Give the loop a way out: a key to a person, a self-service ending, or a bounded retry "
    "that ends somewhere helpful.",
    bad="""
    nodes:
      main_menu: {type: menu, options: {"1": {say: "For more options, press 1.", next: more}}}
      more: {type: menu, options: {"1": {say: "To go back, press 1.", next: main_menu}}}
    """,
    good="""
    nodes:
      main_menu:
        type: menu
        options:
          "1": {say: "For more options, press 1.", next: more}
          "0": {say: "To speak to someone, press 0.", next: advisors}
      more: {type: menu, options: {"1": {say: "To go back, press 1.", next: main_menu}}}
      advisors: {type: queue, wait: {mean_s: 60}, next: advisor}
      advisor: {type: agent, handles: [help]}
    """,
)
def trap_loop(ctx: Context) -> Iterator[Hit]:
    """A cycle a caller cannot leave except by hanging up, or an error loop without a bound.

    A caller going round menus that lead only to each other, or sent back to the same prompt
    after every failure, never reaches help; the only way out is to give up. GetHuman v1.0 and
    the Bolna/Bedrock validators treat an unbounded cycle as an error.
    """
    final = {n for n in ctx.flow.types if n == IMPLICIT_HANGUP or is_final(ctx.tree.nodes.get(n))}
    dead = {
        n
        for n, node in ctx.tree.nodes.items()
        if isinstance(node, Message | Input | Queue) and node.next is None
    }
    # everything with a way to an ending: one backward search from all endings at once
    pred: dict[str, list[str]] = {}
    for u, targets in ctx.purposeful.items():
        for v in targets:
            pred.setdefault(v, []).append(u)
    can_leave = set(final | dead)
    todo = list(can_leave)
    while todo:
        for u in pred.get(todo.pop(), ()):
            if u not in can_leave:
                can_leave.add(u)
                todo.append(u)
    order = {n: i for i, n in enumerate(ctx.tree.nodes)}
    trapped = ctx.reachable - can_leave
    sub = {  # the purposeful edges among trapped nodes only
        u: [v for v in ctx.purposeful.get(u, ()) if v in trapped]
        for u in ctx.flow.types
        if u in trapped
    }
    for comp in strongly_connected_components(sub):
        if len(comp) == 1 and next(iter(comp)) not in sub[next(iter(comp))]:
            continue
        members = sorted(comp, key=lambda n: order.get(n, 10**9))
        loop = " → ".join([*members, members[0]])
        yield Hit(
            members[0],
            f"callers who reach {members[0]} can only go round {loop}: no key leads to a "
            "person, a service or an ending",
            path=tuple(members),
        )
    # error loops: failures that send the caller back round with no bound
    fail: dict[str, list[str]] = {}  # nodes in the order a networkx graph would add them
    for nid, node in ctx.asking():
        for land in ctx.passive_landings(node.on_failure):
            if isinstance(ctx.tree.nodes.get(land), Menu | Input):
                fail.setdefault(nid, []).append(land)
                fail.setdefault(land, [])
    for comp in strongly_connected_components(fail):
        first = min(comp, key=lambda n: order[n])
        if len(comp) == 1 and first not in fail[first]:
            continue
        members = sorted(comp, key=lambda n: order[n])
        loop = " → ".join([*members, members[0]])
        yield Hit(
            first,
            f"a caller who keeps failing at {first} is sent round {loop} with no limit: the "
            "retries never run out",
            path=tuple(members),
        )


@rule(
    code="IVR104",
    slug="task-unroutable",
    severity="error",
    laws=(9, 6),
    fix="Route the task to a node that `handles` it (an agent or self-service) from a menu "
    "option callers can reach.",
    bad="""
    tasks: [{name: billing, share: 0.6}, {name: sales, share: 0.4}]
    nodes:
      main_menu: {type: menu, options: {"1": {say: "For billing, press 1.", next: billing}}}
      billing: {type: agent, handles: [billing]}       # nobody handles sales
    """,
    good="""
    tasks: [{name: billing, share: 0.6}, {name: sales, share: 0.4}]
    nodes:
      main_menu:
        type: menu
        options:
          "1": {say: "For billing, press 1.", next: billing}
          "2": {say: "For sales, press 2.", next: billing}
      billing: {type: agent, handles: [billing, sales]}
    """,
)
def task_unroutable(ctx: Context) -> Iterator[Hit]:
    """A task with no reachable node that resolves it.

    Every caller with this reason for calling is failed by design: they can only be passed
    around until they give up (law 9: the line promises service it cannot give).
    """
    handlers = ctx.tree.handlers()
    for i, task in enumerate(ctx.tree.tasks):
        if ctx.routes.get(task.name) is None:
            nodes = handlers[task.name]
            why = (
                "no node handles it"
                if not nodes
                else f"{plural(len(nodes), 'node')} handle{'s' * (len(nodes) == 1)} it "
                f"({', '.join(nodes)}) but no caller can reach "
                f"{'it' if len(nodes) == 1 else 'them'}"
            )
            yield Hit(
                None,
                f"callers with {task.name} ({task.share:.0%} of calls) cannot be helped: {why}",
                doc_path=("tasks", i),
            )
