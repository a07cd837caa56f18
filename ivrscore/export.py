"""Draw a phone tree as Graphviz DOT or Mermaid text, for docs and pull requests.

Both read :func:`ivrscore.to_networkx`, so they show exactly the graph the linter and the engines
see: every option with its key, zero-outs, failures after retries, closed branches, transfers and
the implicit hang-up. A menu's re-prompts (its retry self-loops) are summarised in its label rather
than drawn as loops.

Examples
--------
>>> import ivrscore as ivr
>>> tree = ivr.loads('''
... name: Tiny
... entry: menu
... tasks: [{name: pay, share: 1}]
... nodes:
...   menu: {type: menu, prompt: "Welcome.", options: {"1": {say: "To pay, press 1.", next: pay}}}
...   pay: {type: self_service, handles: [pay]}
... ''')
>>> print(to_mermaid(tree))
flowchart TD
    %% Tiny
    n0{"menu<br/>Welcome.<br/><i>2 re-prompts</i>"}
    n1(["pay<br/><i>self-service: pay</i>"])
    n2(("hang up"))
    n0 -->|"1"| n1
    n0 -.->|"fails"| n2
    classDef entry stroke-width:3px
    class n0 entry
"""

from __future__ import annotations

import re
from typing import Any

from .graph import IMPLICIT_HANGUP, to_networkx
from .model.tree import PhoneTree

__all__ = ["EXPORT_FORMATS", "export", "to_dot", "to_mermaid"]

EXPORT_FORMATS = ("dot", "mermaid")
"""Text formats :func:`export` writes."""

_RETRY_EVENTS = ("no_input", "invalid")
_DASHED = ("failure", "closed", "transfer", "callback")
_EVENT_WORDS = {
    "failure": "fails",
    "closed": "closed",
    "transfer": "transfer",
    "callback": "callback",
}
_DOT_SHAPES = {
    "message": "note",
    "menu": "box",
    "input": "cds",
    "branch": "hexagon",
    "queue": "cylinder",
    "agent": "doubleoctagon",
    "self_service": "component",
    "voicemail": "tab",
    "callback": "tab",
    "hangup": "doublecircle",
}
_MERMAID_SHAPES = {
    "message": ('["', '"]'),
    "menu": ('{"', '"}'),
    "input": ('[/"', '"/]'),
    "branch": ('{{"', '"}}'),
    "queue": ('[("', '")]'),
    "agent": ('(["', '"])'),
    "self_service": ('(["', '"])'),
    "voicemail": ('>"', '"]'),
    "callback": ('>"', '"]'),
    "hangup": ('(("', '"))'),
}


def _short(text: str | None, words: int = 8) -> str:
    if not text:
        return ""
    w = text.split()
    return " ".join(w[:words]) + (" …" if len(w) > words else "")


def _node_lines(nid: str, data: dict[str, Any], retries: int | None) -> tuple[str, str, list[str]]:
    """The title, the prompt (shortened) and the notes of a node's label."""
    if nid == IMPLICIT_HANGUP:
        return "hang up", "", []
    kind = data.get("type", "")
    notes: list[str] = []
    prompt = _short(data.get("prompt"))
    if data.get("handles"):
        who = "self-service" if kind == "self_service" else "handles"
        notes.append(f"{who}: {', '.join(data['handles'])}")
    if data.get("collects"):
        notes.append(f"collects {data['collects']}")
    if data.get("asks"):
        notes.append(f"asks {', '.join(data['asks'])}")
    if retries is not None:
        notes.append(f"{retries} re-prompts")
    if kind in ("queue", "voicemail", "callback", "hangup") and not prompt:
        notes.append(kind)
    return nid, prompt, notes


def _edge_label(d: dict[str, Any]) -> str:
    if d["event"] in ("option", "zero_out") and d.get("key"):
        return str(d["key"])
    if d["event"] == "next" and d.get("label"):
        return str(d["label"])
    if d["event"] == "closed" and d.get("label"):
        return str(d["label"])
    return _EVENT_WORDS.get(d["event"], "")


def _graph(tree: PhoneTree) -> tuple[list[tuple[str, dict[str, Any], int | None]], list[Any]]:
    g = to_networkx(tree)
    nodes = []
    for nid, data in g.nodes(data=True):
        node = tree.nodes.get(nid)
        retries = getattr(node, "retries", None) if node is not None else None
        nodes.append((nid, data, retries))
    edges = [
        (u, v, d) for u, v, d in g.edges(data=True) if not (d["event"] in _RETRY_EVENTS and u == v)
    ]
    return nodes, edges


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(tree: PhoneTree) -> str:
    """The tree as a Graphviz ``digraph`` (render with ``dot -Tsvg``).

    Examples
    --------
    >>> import ivrscore as ivr
    >>> text = to_dot(ivr.load(ivr.examples.path("acme_redesign")))
    >>> text.splitlines()[0], '"main_menu" -> "general_queue" [label="0"' in text
    ('digraph "Acme Telecom helpline (redesigned)" {', True)
    """
    nodes, edges = _graph(tree)
    out = [
        f"digraph {_dot_quote(tree.name)} {{",
        "    rankdir=TB;",
        '    node [fontname="Helvetica", fontsize=10, style=filled, fillcolor="#f5f5f5"];',
        '    edge [fontname="Helvetica", fontsize=9];',
    ]
    for nid, data, retries in nodes:
        title, prompt, notes = _node_lines(nid, data, retries)
        label = "\\n".join(_dot_escape(x) for x in [title, prompt, *notes] if x)
        kind = data.get("type", "hangup")
        shape = _DOT_SHAPES.get(kind, "box")
        extra = ', style="rounded,filled"' if kind == "menu" else ""
        extra += ", penwidth=3" if nid == tree.entry else ""
        out.append(f'    {_dot_quote(nid)} [label="{label}", shape={shape}{extra}];')
    for u, v, d in edges:
        attrs = []
        label = _edge_label(d)
        if label:
            attrs.append(f"label={_dot_quote(label)}")
        if d["event"] in _DASHED:
            attrs.append("style=dashed")
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        out.append(f"    {_dot_quote(u)} -> {_dot_quote(v)}{suffix};")
    out.append("}")
    return "\n".join(out)


def _mermaid_text(text: str) -> str:
    text = text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return re.sub(r"\s+", " ", text)


def to_mermaid(tree: PhoneTree) -> str:
    """The tree as a Mermaid ``flowchart`` (GitHub renders it in Markdown)."""
    nodes, edges = _graph(tree)
    ids = {nid: f"n{i}" for i, (nid, _d, _r) in enumerate(nodes)}
    out = ["flowchart TD", f"    %% {_mermaid_text(tree.name)}"]
    for nid, data, retries in nodes:
        title, prompt, notes = _node_lines(nid, data, retries)
        parts = [_mermaid_text(title)]
        if prompt:
            parts.append(_mermaid_text(prompt))
        parts += [f"<i>{_mermaid_text(n)}</i>" for n in notes]
        left, right = _MERMAID_SHAPES.get(data.get("type", "hangup"), ('["', '"]'))
        out.append(f"    {ids[nid]}{left}{'<br/>'.join(parts)}{right}")
    for u, v, d in edges:
        label = _edge_label(d)
        arrow = "-.->" if d["event"] in _DASHED else "-->"
        text = f'|"{_mermaid_text(label)}"|' if label else ""
        out.append(f"    {ids[u]} {arrow}{text} {ids[v]}")
    out.append("    classDef entry stroke-width:3px")
    out.append(f"    class {ids[tree.entry]} entry")
    return "\n".join(out)


def export(tree: PhoneTree, format: str) -> str:
    """The tree as text in ``format`` (``dot`` or ``mermaid``)."""
    if format == "dot":
        return to_dot(tree)
    if format == "mermaid":
        return to_mermaid(tree)
    raise ValueError(f"unknown export format {format!r}; use one of {', '.join(EXPORT_FORMATS)}")
