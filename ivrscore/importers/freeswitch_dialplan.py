"""FreeSWITCH dialplan XML (``dialplan/default.xml``): where most FreeSWITCH call logic lives.

A dialplan routes a dialled number to actions: ``<extension name>`` holds ``<condition
field="destination_number" expression="^5000$">`` and its ``<action application=... data=...>``
steps. The importer starts at the extension that runs the IVR (``ivr``), or the one named with
``entry=``, and follows its actions:

* ``ivr NAME`` -> the menu, when the IVR menus are in the same document; else the menu is
  outside this file (import ``ivr.conf.xml`` for it) and modelled as self-service;
* ``transfer EXT XML CONTEXT`` -> the extension of this dialplan that matches ``EXT`` (else a
  person); ``bridge`` -> a person; ``callcenter`` / ``fifo`` -> a queue and its agents;
  ``voicemail`` -> voicemail; ``playback`` -> a message; ``hangup`` -> hang-up; ``answer``,
  ``set``, ``export``, ``sleep`` … pass through.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from ..exceptions import TreeFileError
from ._builder import FlowBuilder, Imported
from ._xml import line_of

__all__ = ["is_dialplan", "read_dialplan"]

_PASS = {
    "answer", "set", "export", "sleep", "pre_answer", "ring_ready", "hash", "log", "info",
    "set_user", "limit", "db", "bind_meta_app", "record_session", "unset", "multiset",
    "set_audio_level", "eval", "event", "sched_hangup", "respond", "lua", "python",
}  # fmt: skip


def is_dialplan(root: ET.Element) -> bool:
    """Whether a FreeSWITCH XML document is a dialplan (extensions) without IVR menus."""
    return root.find(".//menu") is None and root.find(".//extension") is not None


def _number(ext: ET.Element) -> str | None:
    for cond in ext.iter("condition"):
        if cond.get("field") == "destination_number":
            return cond.get("expression")
    return None


def _actions(ext: ET.Element) -> list[ET.Element]:
    """The actions a caller meets: those of the conditions (not the anti-actions)."""
    return [a for cond in ext.iter("condition") for a in cond if a.tag == "action"]


def read_dialplan(
    root: ET.Element, source: str | None = None, *, entry: str | None = None
) -> Imported:
    """Import the call flow a FreeSWITCH dialplan gives its IVR number.

    Examples
    --------
    >>> from ivrscore.importers._xml import parse_xml
    >>> doc = parse_xml(b'''<include><context name="default">
    ...  <extension name="IVR"><condition field="destination_number" expression="^5000$">
    ...   <action application="answer"/><action application="playback" data="ivr/welcome.wav"/>
    ...   <action application="transfer" data="2000 XML default"/></condition></extension>
    ...  <extension name="Sales"><condition field="destination_number" expression="^2000$">
    ...   <action application="callcenter" data="sales@default"/></condition></extension>
    ... </context></include>''')
    >>> tree = read_dialplan(doc, entry="IVR").tree
    >>> [(n, tree.node(n).type) for n in tree.nodes]
    [('welcome', 'message'), ('sales_queue', 'queue'), ('sales_agent', 'agent')]
    """
    exts = {e.get("name") or f"extension {i + 1}": e for i, e in enumerate(root.iter("extension"))}
    routed = {n: e for n, e in exts.items() if _number(e) and _actions(e)}
    if not routed:
        raise TreeFileError.single(
            "no extension of this FreeSWITCH dialplan routes a dialled number to actions",
            file=source,
        )
    if entry is not None:
        if entry not in exts:
            raise TreeFileError.single(
                f"no extension {entry!r} in this dialplan; extensions: {', '.join(routed)}",
                file=source,
            )
        top = entry
    else:
        ivrs = [
            n for n, e in routed.items() if any(a.get("application") == "ivr" for a in _actions(e))
        ]
        top = (ivrs or list(routed))[0]
    b = FlowBuilder("freeswitch", source, name=f"FreeSWITCH dialplan {top}")
    others = [n for n in routed if n != top]
    if others and entry is None:
        shown = ", ".join(f"{n} ({_number(routed[n])})" for n in others[:6])
        b.note(
            f"entry: the dialplan routes {len(routed)} numbers; imported {top} "
            f"({_number(routed[top])}), the one that "
            f"{'runs the IVR' if ivrs else 'comes first'}; others: "
            f"{shown}{' …' if len(others) > 6 else ''} - choose one with --entry NAME"
        )
    _Walker(b, exts).extension(top)
    return b.build(top)


class _Walker:
    def __init__(self, b: FlowBuilder, exts: dict[str, ET.Element]) -> None:
        self.b, self.exts = b, exts

    def find(self, number: str) -> str | None:
        for name, e in self.exts.items():
            expr = _number(e)
            if expr is None:
                continue
            try:
                if re.fullmatch(expr.strip("^$") if expr.startswith("^") else expr, number):
                    return name
            except re.error:
                continue
        return None

    def extension(self, name: str) -> str:
        if not self.b.has(name):
            self.b.reserve(name)
            self.b.alias(name, self.step(name, _actions(self.exts[name]), 0))
        return name

    def step(self, ext: str, actions: list[ET.Element], i: int) -> str | None:
        if i >= len(actions):
            return None
        a = actions[i]
        app = (a.get("application") or "").lower()
        data = (a.get("data") or "").strip()
        key = f"{ext}\x00{i}"
        line = line_of(a)
        meta: dict[str, Any] = {"source": {"extension": ext, "application": app, "data": data}}
        if app in _PASS or not app:
            return self.step(ext, actions, i + 1)
        if app in ("playback", "speak", "say", "phrase"):
            words = (
                re.sub(r"\.(wav|mp3)$", "", data.rsplit("/", 1)[-1])
                .replace("_", " ")
                .replace("-", " ")
                .strip()
            )
            self.b.add(
                key,
                {
                    "type": "message",
                    **({"prompt": words.capitalize() + "."} if words else {}),
                    "meta": meta,
                },
                label=words or "playback",
                line=line,
            )
            self.b.nodes[key].node["next"] = self.step(ext, actions, i + 1)
            return key
        if app == "ivr":
            task = self.b.task(f"IVR menu {data}")
            self.b.add(
                key,
                {"type": "self_service", "handles": [task], "meta": meta},
                label=f"IVR {data}",
                line=line,
            )
            self.b.note(
                f"outside this file: the IVR menu {data!r} is in ivr.conf.xml; import that file "
                "for the menu itself (modelled here as self-service)"
            )
            return key
        if app == "transfer":
            number = data.split()[0] if data else ""
            target = self.find(number) if number else None
            if target is not None:
                return self.extension(target)
            return self.b.destination(
                key, f"extension {number or '?'}", queue=False, meta=meta, line=line
            )
        if app in ("bridge", "att_xfer", "deflect"):
            who = data.rsplit("/", 1)[-1].split("@")[0].strip("${}") or "person"
            self.b.destination(key, who, queue=False, meta=meta, line=line)
            after = self.step(ext, actions, i + 1)
            if after is not None:
                self.b.error_path(key, "not answered", after)
            return key
        if app in ("callcenter", "fifo"):
            name = data.split()[0].split("@")[0] if data else "queue"
            return self.b.destination(key, name, queue=True, meta=meta, line=line)
        if app == "voicemail":
            self.b.add(key, {"type": "voicemail", "meta": meta}, label="voicemail", line=line)
            return key
        if app == "hangup":
            self.b.add(key, {"type": "hangup", "meta": meta}, label="hang up", line=line)
            return key
        if app == "conference":
            task = self.b.task("conference")
            self.b.add(
                key,
                {"type": "self_service", "handles": [task], "meta": meta},
                label="conference",
                line=line,
            )
            return key
        self.b.unknown(app, f"{ext} action {i + 1}", dict(a.attrib))
        return self.step(ext, actions, i + 1)
