"""VoiceXML 2.0 / 2.1 documents.

What maps to what
-----------------
* ``<menu>`` -> a **menu**: ``<choice dtmf>`` are its keys (``dtmf="true"`` numbers choices
  1-9), a choice's words are its ``say``; a choice without a key is a speech phrase.
  ``<noinput>`` / ``<nomatch>`` (or ``<catch event>``) -> retries / ``on_failure``; a handler
  that does not leave replays the dialog, as the spec says.
* ``<form>``: its items run in order. ``<block>`` -> messages; ``<field>`` -> an **input**
  (digits from the grammar), or a menu when it has ``<option>``s; ``<record>`` -> voicemail;
  ``<transfer>`` -> a person; ``<subdialog>`` -> self-service outside the file; ``<initial>``
  (mixed initiative) -> an input. Executable content placed directly in a ``<form>`` (not
  valid VoiceXML, but real servers emit it) is read as a block.
* ``<goto next="#id">`` / ``nextitem`` follow; ``expr`` / ``expritem`` are followed when they
  are a literal or a document variable with a literal value; ``<disconnect/>`` / ``<exit/>``
  hang up; ``<if cond>`` -> a branch with even shares; ``<clear>`` returns to the form's start;
  ``<reprompt/>`` replays. A dialog in another document becomes self-service outside the file.
* ``<error>`` handlers (a failed transfer, a bad fetch) are platform errors, kept under
  ``meta.imported.error_paths``.
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from typing import Any

from ..exceptions import TreeFileError
from ._builder import END, FlowBuilder, Imported, slug
from ._xml import LINE, line_of, text_of

__all__ = ["read_voicexml"]

_ITEMS = ("block", "field", "record", "transfer", "subdialog", "initial", "object", "filled")
_HANDLERS = ("noinput", "nomatch", "error", "help", "catch")
_SPOKEN = (
    "prompt",
    "audio",
    "value",
    "enumerate",
    "break",
    "say-as",
    "emphasis",
    "voice",
    "p",
    "s",
)
Content = list[ET.Element | str]
"""Mixed content: elements and the words between them."""

_RECORDING = "\x00recording"
_SILENT = ("log", "assign", "var", "script", "property", "grammar", "data", "cancel", "mark")


def read_voicexml(root: ET.Element, source: str | None = None) -> Imported:
    """Import a VoiceXML document (parsed XML).

    Examples
    --------
    >>> from ivrscore.importers._xml import parse_xml
    >>> doc = parse_xml(b'''<vxml version="2.1">
    ...   <menu id="main"><prompt>Welcome.</prompt>
    ...     <choice dtmf="1" next="#agent">For an advisor, press 1.</choice>
    ...     <noinput><disconnect/></noinput></menu>
    ...   <form id="agent"><transfer dest="tel:+15550100"/></form></vxml>''')
    >>> tree = read_voicexml(doc).tree
    >>> m = tree.node("main")
    >>> m.prompt, m.options["1"].say, tree.node(m.options["1"].next).type
    ('Welcome.', 'For an advisor, press 1.', 'agent')
    """
    if root.tag != "vxml":
        raise TreeFileError.single(f"not a VoiceXML document (root <{root.tag}>)", file=source)
    dialogs = [d for d in root if d.tag in ("menu", "form")]
    if not dialogs:
        raise TreeFileError.single("no <menu> or <form> in this VoiceXML document", file=source)
    seen: set[str] = set()
    for d in dialogs:
        did = d.get("id")
        if did is not None and did in seen:
            raise TreeFileError.single(
                f"two dialogs have the id {did!r}; a <goto next='#{did}'> could mean either",
                file=source,
                line=line_of(d),
            )
        if did is not None:
            seen.add(did)
    name = next(
        (m.get("content") for m in root.iter("meta") if m.get("name") == "description"), None
    )
    b = FlowBuilder("voicexml", source, name=name or f"VoiceXML {dialogs[0].get('id', 'menu')}")
    reader = _Reader(b, root, dialogs)
    for d in dialogs:
        reader.dialog(d)
    links = [
        (link.get("dtmf"), link.get("next")) for link in root.findall("link") if link.get("next")
    ]
    if links:
        b.note(f"hot keys: document links {links} work anywhere; not modelled")
    return b.build(reader.key(dialogs[0]))


class _Reader:
    def __init__(self, b: FlowBuilder, root: ET.Element, dialogs: list[ET.Element]) -> None:
        self.b = b
        given = {d.get("id") for d in dialogs}
        self.ids: dict[str, ET.Element] = {}
        for i, d in enumerate(dialogs):
            name = d.get("id") or f"dialog{i + 1}"
            while name in self.ids or (not d.get("id") and name in given):
                name += "_"  # an unnamed dialog never takes a name the document uses
            self.ids[name] = d
        self.names = {id(d): n for n, d in self.ids.items()}
        self.vars = {
            v.get("name", ""): _literal(v.get("expr", ""))
            for v in root.iter("var")
            if v.get("name")
        }
        self.counter = 0
        self.current_form: ET.Element | None = None

    def key(self, d: ET.Element) -> str:
        return "#" + self.names[id(d)]

    def fresh(self, base: str) -> str:
        self.counter += 1
        return f"{base}\x00{self.counter}"

    # -- targets --------------------------------------------------------------------------------

    def target(self, el: ET.Element, form: str | None, items: dict[str, str]) -> str | None:
        """Where a goto / choice / link / submit goes, as a builder key."""
        for attr in ("next", "expr", "nextitem", "expritem"):
            raw = el.get(attr)
            if raw is None:
                continue
            value = raw if attr in ("next", "nextitem") else self.evaluate(raw)
            if value is None:
                self.b.note(f"dynamic targets: {raw!r} cannot be followed; the call ends there")
                return None
            if attr in ("nextitem", "expritem") and value in items:
                return items[value]
            if value.startswith("#") or attr in ("nextitem", "expritem"):
                dialog = value.lstrip("#")
                if dialog in self.ids:
                    return "#" + dialog
                self.b.note(f"missing dialogs: {value!r} is not in this document")
                return None
            return self.external(value)
        if el.get("event"):
            self.b.unknown(f"throw {el.get('event')}", _where(el), _xml(el))
        return None

    def evaluate(self, expr: str) -> str | None:
        """A literal, a document variable, or a concatenation of them; else None."""
        out = []
        for part in expr.split("+"):
            part = part.strip()
            lit = _literal(part)
            if lit is None:
                var = part.removeprefix("application.").removeprefix("document.")
                lit = self.vars.get(var)
            if lit is None:
                return None
            out.append(lit)
        return "".join(out)

    def external(self, uri: str) -> str:
        k = f"ext\x00{uri}"
        if not self.b.has(k):
            label = slug(re.sub(r"\.(vxml|xml|jsp|php|aspx?)\b", "", uri)) or "other document"
            self.b.add(
                k,
                {
                    "type": "self_service",
                    "handles": [self.b.task(label)],
                    "meta": {"source": {"type": "external", "uri": uri}},
                },
                label=label,
            )
            self.b.note(f"outside this file: {uri!r} is modelled as self-service")
        return k

    # -- executable content ---------------------------------------------------------------------

    def run(
        self,
        elements: Content,
        then: str | None,
        *,
        form: str | None,
        items: dict[str, str],
        here: str,
        label: str,
        lead: str = "",
    ) -> str | None:
        """Executable content as a chain of nodes; returns its first key (``then`` if silent)."""
        words: list[str] = [lead] if lead else []
        line: int | None = None  # where the words start, for messages about them
        cleared: str | None = None  # a <clear> resets items: the form asks them again
        for i, el in enumerate(elements):
            if isinstance(el, str):
                words.append(el)
                continue
            if not isinstance(el.tag, str):
                continue
            tag = el.tag
            if tag in _SPOKEN:
                line = line or line_of(el)
                words.append(text_of(el))
                if not words[-1] and el.tag == "audio":
                    words[-1] = _RECORDING
                continue
            if tag in _SILENT:
                continue
            rest = elements[i + 1 :]
            if tag == "goto" or tag == "submit" or tag == "link":
                nxt = self.target(el, form, items)
            elif tag in ("disconnect", "exit"):
                nxt = self.fresh("hangup")
                self.b.add(nxt, {"type": "hangup"}, label="goodbye")
            elif tag == "reprompt":
                nxt = here
            elif tag == "clear":
                # <clear> moves nothing: a <goto> after it is followed; without one the form
                # asks the first cleared item again (the usual bounded "try again" loop).
                names = (el.get("namelist") or "").split()
                cleared = next((items[n] for n in items if n in names), form)
                continue
            elif tag == "return":
                nxt = None
            elif tag == "transfer":
                nxt = self.transfer(el, form, items, label, then)
            elif tag == "if":
                nxt = self.branch(el, rest, then, form=form, items=items, here=here, label=label)
            elif tag == "throw":
                self.b.unknown(f"throw {el.get('event')}", _where(el), _xml(el))
                nxt = None
            else:
                self.b.unknown(f"<{tag}>", _where(el), _xml(el))
                continue
            return self.say(words, nxt, label, line)
        return self.say(words, cleared if cleared is not None else then, label, line)

    def say(
        self, words: list[str], then: str | None, label: str, line: int | None = None
    ) -> str | None:
        recording = _RECORDING in words
        text = re.sub(r"\s+", " ", " ".join(w for w in words if w and w != _RECORDING)).strip()
        if not text and not recording:
            return then
        k = self.fresh("say")
        node: dict[str, Any] = {"type": "message"}
        if text:
            node["prompt"] = text
        node["next"] = then
        if recording:
            node["meta"] = {"source": {"audio": "a recording whose words are not in the file"}}
            self.b.note("audio: some messages play recordings; their words and length are unknown")
        self.b.add(k, node, label=" ".join(text.split()[:5]) if text else label, line=line)
        return k

    def branch(
        self,
        el: ET.Element,
        rest: Content,
        then: str | None,
        **kw: Any,
    ) -> str:
        after = self.run(rest, then, **kw)
        arms = _arms(el)
        k = self.fresh("if")
        targets = [(cond, self.run(body, after, **kw)) for cond, body in arms]
        self.b.split(k, targets, f"if {arms[0][0]}", {"source": {"type": "if"}})
        return k

    def routes(
        self,
        field: ET.Element,
        values: dict[str, str],
        filled: ET.Element,
        then: str | None,
        kw: dict[str, Any],
    ) -> dict[str, str | None] | None:
        """Where each option of a field goes, when its ``<filled>`` is one ``<if>`` on the value.

        ``<if cond="dept == 'sales'"><goto next="#sales"/><elseif cond="dept == 'billing'"/>…``
        is how VoiceXML writes a menu as a form; each option follows its own arm.
        """
        content = _content(filled)
        ifs = [c for c in content if not isinstance(c, str) and c.tag == "if"]
        if len(ifs) != 1:
            return None
        at = content.index(ifs[0])
        if any(isinstance(c, str) or c.tag not in _SILENT for c in content[:at]):
            return None
        after = self.run(content[at + 1 :], then, **kw)
        arms = _arms(ifs[0])
        name = re.escape(field.get("name") or "")
        out: dict[str, str | None] = {}
        for key, value in values.items():
            v = re.escape(value)
            test = rf"\b{name}\s*==\s*(['\"]){v}\1|(['\"]){v}\2\s*==\s*{name}\b"
            body = next((b for c, b in arms if c != "else" and re.search(test, c)), arms[-1][1])
            out[key] = self.run(body, after, **kw)
        return out

    def transfer(
        self, el: ET.Element, form: str | None, items: dict[str, str], label: str, then: str | None
    ) -> str:
        dest = el.get("dest") or el.get("destexpr") or "?"
        who = label if label else dest
        k = self.fresh("transfer")
        self.b.destination(
            k,
            who,
            queue=False,
            meta={"source": {"type": "transfer", "dest": dest}},
            line=line_of(el),
        )
        handlers = [h for h in el if isinstance(h.tag, str) and h.tag in _HANDLERS]
        for h in handlers:
            self.b.error_path(
                k,
                h.get("event", h.tag),
                self.run(_content(h), then, form=form, items=items, here=k, label=label),
            )
        words = text_of(el, skip=(*_HANDLERS, "filled", "grammar"))
        return self.say([words], k, label, line_of(el)) or k

    # -- dialogs --------------------------------------------------------------------------------

    def dialog(self, d: ET.Element) -> None:
        self.current_form = d if d.tag == "form" else None
        if d.tag == "menu":
            self.menu(d)
        else:
            self.form(d)

    def handlers(self, el: ET.Element) -> dict[str, Content]:
        """noinput / nomatch / error handlers of an element (the first of each, count 1)."""
        out: dict[str, Content] = {}
        for h in el:
            if not isinstance(h.tag, str) or h.tag not in _HANDLERS:
                continue
            events = (h.get("event") or h.tag).split()
            if h.get("count") not in (None, "1"):
                continue
            for ev in events:
                out.setdefault(ev.split(".")[0], _content(h))
        return out

    def failures(
        self,
        key: str,
        el: ET.Element,
        *,
        form: str | None,
        items: dict[str, str],
        label: str,
    ) -> None:
        hs = self.handlers(el)
        if self.current_form is not None and el is not self.current_form:
            for ev, body in self.handlers(self.current_form).items():
                hs.setdefault(ev, body)
        ends: dict[str, str | None] = {}
        for ev in ("noinput", "nomatch"):
            handler = hs.get(ev)
            if handler is None:  # the platform's default handler replays the prompt
                ends[ev] = key
            else:
                ends[ev] = (
                    self.run(handler, key, form=form, items=items, here=key, label=label) or END
                )
        self.b.failures(key, timeout=ends["noinput"], invalid=ends["nomatch"])
        if "error" in hs:
            self.b.error_path(
                key,
                "error",
                self.run(hs["error"], None, form=form, items=items, here=key, label=label),
            )

    def menu(self, d: ET.Element) -> None:
        key = self.key(d)
        label = self.names[id(d)]
        options: dict[str, dict[str, Any]] = {}
        auto = d.get("dtmf") == "true"
        prompt = " ".join(text_of(p) for p in d if isinstance(p.tag, str) and p.tag in _SPOKEN)
        speech = False
        for i, c in enumerate(d.findall("choice")):
            k = c.get("dtmf") or (str(i + 1) if auto and i < 9 else None)
            words = text_of(c, skip=("grammar",))
            opt: dict[str, Any] = {}
            if k is None:
                k = next((x for x in "123456789" if x not in options), None)
                speech = True
                if k is None:
                    continue
                opt["speech"] = [words] if words else []
            elif words:
                opt["say"] = words
            opt["next"] = self.target(c, None, {})
            if k in options or not re.fullmatch(r"[0-9*#]", k):
                self.b.unknown("choice key " + k, _where(c), _xml(c))
                continue
            options[k] = opt
        if not options:
            options["1"] = {"next": None}
            self.b.note(f"menu: {label!r} has no choices")
        node: dict[str, Any] = {"type": "menu"}
        if prompt.strip():
            node["prompt"] = re.sub(r"\s+", " ", prompt).strip()
        t = _seconds(_property(d, "timeout"))
        if t:
            node["timeout_s"] = t
        if speech:
            node["modality"] = "both" if any("say" in o for o in options.values()) else "speech"
        node["options"] = options
        node["meta"] = {"source": {"id": label, "type": "menu"}}
        self.b.add(key, node, label=label, line=line_of(d))
        self.failures(key, d, form=None, items={}, label=label)

    def form(self, d: ET.Element) -> None:
        form_key = self.key(d)
        fname = self.names[id(d)]
        # Group the form's children into items; loose executable content forms implicit blocks.
        items: list[ET.Element] = []
        loose: list[ET.Element] = []
        for c in d:
            if not isinstance(c.tag, str) or c.tag in _HANDLERS or c.tag in _SILENT:
                continue
            if c.tag in _ITEMS:
                if loose:
                    items.append(_block(loose))
                    loose = []
                items.append(c)
            else:
                loose.append(c)
        if loose:
            items.append(_block(loose))
        if not items:
            self.b.add(
                form_key,
                {"type": "hangup", "meta": {"source": {"id": fname}}},
                label=fname,
                line=line_of(d),
            )
            return
        keys = [form_key] + [f"{form_key}\x00{i}" for i in range(1, len(items))]
        named = {it.get("name", ""): k for it, k in zip(items, keys, strict=True) if it.get("name")}
        for i, (item, k) in enumerate(zip(items, keys, strict=True)):
            then = keys[i + 1] if i + 1 < len(keys) else None
            cond = item.get("cond")
            if cond:
                # A guard on the item (<block cond>, <field cond>): the form visits it only when
                # the condition holds, which the file cannot tell - a branch, by share.
                inner = f"{k}\x00if"
                self.item(item, inner, then, form_key, named, fname)
                what = re.sub(r"\s+", " ", cond).strip()
                self.b.split(
                    k,
                    [(f"if {what}"[:80], inner), ("otherwise", then)],
                    f"if {item.get('name') or item.tag}",
                    {"source": {"type": f"{item.tag} cond", "cond": what}},
                )
            else:
                self.item(item, k, then, form_key, named, fname)

    def item(
        self,
        item: ET.Element,
        k: str,
        then: str | None,
        form: str,
        items: dict[str, str],
        fname: str,
    ) -> None:
        b = self.b
        tag = item.tag
        label = item.get("name") or fname
        meta = {
            "source": {
                "id": fname,
                "type": tag,
                **({"name": item.get("name")} if item.get("name") else {}),
            }
        }
        body = [c for c in item if isinstance(c.tag, str)]
        if tag in ("block", "filled"):
            first = self.run(_content(item), then, form=form, items=items, here=k, label=fname)
            b.alias(k, first)
        elif tag in ("field", "initial"):
            filled = item.find("filled")
            after = (
                self.run(_content(filled), then, form=form, items=items, here=k, label=label)
                if filled is not None
                else then
            )
            prompts = [p for p in body if p.tag in _SPOKEN]
            if any(p.get("cond") for p in prompts):  # alternatives: the first stands for all
                prompts = prompts[:1]
            prompt = " ".join(text_of(p) for p in prompts)
            node: dict[str, Any]
            opts = item.findall("option")
            if opts:
                options = {}
                values: dict[str, str] = {}
                for i, o in enumerate(opts):
                    key = o.get("dtmf") or str(i + 1)
                    if re.fullmatch(r"[0-9*#]", key) and key not in options:
                        options[key] = {"say": text_of(o), "next": after}
                        values[key] = o.get("value") or text_of(o)
                kw = {"form": form, "items": items, "here": k, "label": label}
                routed = self.routes(item, values, filled, then, kw) if filled is not None else None
                for key, target in (routed or {}).items():
                    options[key]["next"] = target
                node = {"type": "menu", "options": options}
            else:
                node = {"type": "input", "collects": slug(label) or "answer", "next": after}
                digits = _digits(item)
                if digits:
                    node["digits"] = digits
                if not _is_dtmf(item):
                    node["modality"] = "speech"
            if prompt.strip():
                node["prompt"] = re.sub(r"\s+", " ", prompt).strip()
            t = _seconds(_property(item, "timeout") or _prompt_timeout(item))
            if t:
                node["timeout_s"] = t
            node["meta"] = meta
            b.add(
                k,
                dict(sorted(node.items(), key=lambda kv: kv[0] != "type")),
                label=label,
                line=line_of(item),
            )
            self.failures(k, item, form=form, items=items, label=label)
        elif tag == "record":
            prompt = " ".join(text_of(p) for p in body if p.tag in _SPOKEN)
            filled = item.find("filled")
            if filled is not None:
                meta["source"]["then"] = text_of(filled)[:200]
                b.note(
                    f"voicemail: after recording, {fname!r} goes on; ivrscore ends the call at "
                    "voicemail (what follows is kept under its meta.source.then)"
                )
            node = {"type": "voicemail", **({"prompt": prompt.strip()} if prompt.strip() else {})}
            node["meta"] = meta
            b.add(k, node, label=label, line=line_of(item))
        elif tag == "transfer":
            b.alias(k, self.transfer(item, form, items, fname, then))
        elif tag == "subdialog":
            b.alias(k, self.external(item.get("src") or item.get("srcexpr") or "subdialog"))
        else:
            b.unknown(f"<{tag}>", _where(item), _xml(item))
            b.alias(k, then)


def _where(el: ET.Element) -> str:
    line = line_of(el)
    return f"<{el.tag}> at line {line}" if line else f"<{el.tag}>"


def _xml(el: ET.Element) -> str:
    """The element as XML text (without the importer's line marks), at most 2,000 characters."""
    clean = copy.deepcopy(el)
    for e in clean.iter():
        e.attrib.pop(LINE, None)
    clean.tail = None
    return ET.tostring(clean, encoding="unicode")[:2000]


def _arms(el: ET.Element) -> list[tuple[str, Content]]:
    """The arms of an ``<if>``: ``(condition, content)``, always ending with an ``else``."""
    arms: list[tuple[str, Content]] = [(el.get("cond", "if"), [])]
    for child in _content(el):
        if not isinstance(child, str) and child.tag in ("elseif", "else"):
            arms.append((child.get("cond", "else"), []))
        else:
            arms[-1][1].append(child)
    if arms[-1][0] != "else":
        arms.append(("else", []))
    return arms


def _content(el: ET.Element) -> Content:
    """An element's mixed content in order: its text, then each child followed by its tail."""
    out: Content = []
    if el.text and el.text.strip():
        out.append(el.text)
    for child in el:
        out.append(child)
        if child.tail and child.tail.strip():
            out.append(child.tail)
    return out


def _block(elements: list[ET.Element]) -> ET.Element:
    block = ET.Element("block")
    block.extend(elements)
    return block


def _literal(expr: str) -> str | None:
    m = re.fullmatch(r"\s*(['\"])(.*)\1\s*", expr)
    return m.group(2) if m else None


def _property(el: ET.Element, name: str) -> str | None:
    for p in el.findall("property"):
        if p.get("name") == name:
            return p.get("value")
    return None


def _prompt_timeout(el: ET.Element) -> str | None:
    for p in el.findall("prompt"):
        if p.get("timeout"):
            return p.get("timeout")
    return None


def _seconds(value: str | None) -> float | None:
    if not value:
        return None
    m = re.fullmatch(r"\s*([\d.]+)\s*(ms|s)?\s*", value)
    if not m:
        return None
    v = float(m.group(1)) / (1000.0 if m.group(2) == "ms" else 1.0)
    return v if v > 0 else None


def _digits(field: ET.Element) -> int | None:
    m = re.search(r"(?:maxlength|length)=(\d+)", field.get("type") or "")  # type="digits?length=4"
    if m and 1 <= int(m.group(1)) <= 64:
        return int(m.group(1))
    for g in field.iter("grammar"):
        src = (g.get("src") or "") + " " + (g.text or "")
        m = re.search(r"(?:maxlength|maxDigits|length)\s*=\s*(\d+)", src, re.I)
        if m and 1 <= int(m.group(1)) <= 64:
            return int(m.group(1))
    return None


def _is_dtmf(field: ET.Element) -> bool:
    grammars = list(field.iter("grammar"))
    if any(g.get("mode") == "dtmf" or "dtmf" in (g.get("src") or "") for g in grammars):
        return True
    if (field.get("type") or "").startswith(("digits", "number")) and not grammars:
        return True
    return not grammars and not field.get("type")
