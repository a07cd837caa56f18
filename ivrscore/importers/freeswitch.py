"""FreeSWITCH IVR menus (``ivr.conf.xml`` or an ``ivr_menus/*.xml`` include).

What maps to what
-----------------
* ``<menu>`` -> a **menu**: ``timeout`` (ms) -> ``timeout_s``; ``max-failures`` /
  ``max-timeouts`` -> ``retries`` (the larger, less the first try); ``exec-on-max-failures``
  -> ``on_failure`` (without it the menu returns to the dialplan: the call ends here).
* ``<entry digits="1">`` -> an option. ``menu-sub`` -> that menu; ``menu-top`` -> the first
  menu; ``menu-back`` -> the menu that leads here; ``menu-exit`` -> hang-up (with the
  ``exit-sound``); ``menu-play-sound`` -> a message, then the menu again; ``menu-exec-app``
  by application: ``transfer`` / ``bridge`` -> a person at that extension, ``voicemail`` ->
  voicemail, ``callcenter`` / ``fifo`` -> a queue, ``playback`` -> a message, ``hangup``,
  ``ivr NAME`` -> that menu; anything else -> self-service outside the file.
* ``digits="/regex/"`` (dial an extension directly) is not one key: kept under the menu's
  ``meta.source.patterns``.
* Prompts: ``say:TEXT`` is the text; a sound file gives the words of its name; ``phrase:NAME``
  is read from phrase macros passed as resources, and a macro that says "… press" + a digit file
  gives that option its words. A comment on an entry's line becomes the option's label.
"""

from __future__ import annotations

import contextlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from ..exceptions import TreeFileError
from ._builder import FlowBuilder, Imported, slug, words_from_file
from ._xml import line_of
from .freeswitch_dialplan import is_dialplan, read_dialplan

__all__ = ["read_freeswitch"]


def _phrases(docs: Sequence[ET.Element]) -> dict[str, list[tuple[str, str]]]:
    """Phrase macros: name -> ``[(function, data)]`` of the first match."""
    out: dict[str, list[tuple[str, str]]] = {}
    for doc in docs:
        for macro in doc.iter("macro"):
            name = macro.get("name")
            if not name:
                continue
            steps: list[tuple[str, str]] = []
            match = macro.find("input/match")
            for action in match if match is not None else []:
                if action.tag == "action":
                    steps.append((action.get("function", ""), action.get("data", "")))
            out.setdefault(name, steps)
    return out


def _sound_words(spec: str) -> str:
    spec = spec.strip()
    if spec.startswith("say:"):
        return spec[4:].strip()
    if spec.startswith(("silence_stream://", "tone_stream://", "$${", "${")) or not spec:
        return ""
    return words_from_file(spec)


class _Prompts:
    def __init__(self, phrases: dict[str, list[tuple[str, str]]], b: FlowBuilder) -> None:
        self.phrases, self.b = phrases, b

    def spoken(self, spec: str | None) -> tuple[str | None, dict[str, str]]:
        """``(menu prompt, {key: option words})`` for a greeting."""
        if not spec:
            return None, {}
        if not spec.startswith("phrase:"):
            return _sound_words(spec) or None, {}
        name = spec[len("phrase:") :].split(":", 1)[0]
        steps = self.phrases.get(name)
        if steps is None:
            self.b.note(
                "prompts: the menus' greetings are phrase macros; pass the phrase file with "
                "--with to import their words"
                if not self.phrases
                else f"prompts: phrase macro {name!r} is not in the phrase files given"
            )
            return None, {}
        groups: list[tuple[str, list[str]]] = []
        words: list[str] = []
        for function, data in steps:
            if function not in ("play-file", "say", "speak-text"):
                continue
            digit = re.fullmatch(r"digits/([0-9])\.wav", data.strip())
            if digit:
                groups.append((digit.group(1), [*words, digit.group(1)]))
                words = []
                continue
            w = data if function in ("say", "speak-text") else _sound_words(data)
            if w:
                words.append(w.rstrip("."))
        if not groups:
            return _sentence(words) or None, {}
        # Words before the first option's own phrase belong to the menu's prompt.
        first_key, first = groups[0]
        cut = max(
            (i for i, w in enumerate(first) if _OPTION_START.match(w)),
            default=max(0, len(first) - 4),
        )
        intro = _sentence(first[:cut]) or None
        groups[0] = (first_key, first[cut:])
        options: dict[str, str] = {}
        for key, group in groups:
            options.setdefault(key, _sentence(group))
        return intro, options


_OPTION_START = re.compile(r"(to|for|if|register|hear|listen)\b", re.I)


def _sentence(words: list[str]) -> str:
    parts = [w.strip() for w in words if w.strip()]
    text = " ".join(p[0].lower() + p[1:] if not p[:2].isupper() else p for p in parts)
    text = re.sub(r"\s+", " ", text)
    return (text[0].upper() + text[1:] + ".") if text else ""


def read_freeswitch(
    root: ET.Element,
    source: str | None = None,
    *,
    phrases: Sequence[ET.Element] = (),
    entry: str | None = None,
) -> Imported:
    """Import FreeSWITCH IVR menus (a parsed XML document).

    Examples
    --------
    >>> from ivrscore.importers._xml import parse_xml
    >>> doc = parse_xml(b'''<include>
    ...   <menu name="main" greet-long="say:For sales press 1." timeout="8000"
    ...         max-failures="3" max-timeouts="3" exec-on-max-failures="hangup">
    ...     <entry action="menu-exec-app" digits="1" param="transfer 1001 XML default"/> <!-- Sales -->
    ...     <entry action="menu-top" digits="9"/>
    ...   </menu></include>''')
    >>> tree = read_freeswitch(doc).tree
    >>> m = tree.node("main")
    >>> m.prompt, m.timeout_s, m.retries, [(k, o.next) for k, o in m.options.items()]
    ('For sales press 1.', 8.0, 2, [('1', 'sales'), ('9', 'main')])
    """
    menus = {m.get("name", ""): m for m in root.iter("menu") if m.get("name")}
    if not menus and is_dialplan(root):
        return read_dialplan(root, source, entry=entry)
    if not menus:
        raise TreeFileError.single(
            "no <menu name=...> in this FreeSWITCH file", file=source, hint="is it ivr.conf.xml?"
        )
    b = FlowBuilder("freeswitch", source, name=f"FreeSWITCH IVR {next(iter(menus))}")
    prompts = _Prompts(_phrases(phrases), b)
    referenced = {
        e.get("param", "").split()[0]
        for m in menus.values()
        for e in m.iter("entry")
        if e.get("action") == "menu-sub" and e.get("param")
    }
    top = next((n for n in menus if n not in referenced), next(iter(menus)))
    if entry is not None:
        if entry not in menus:
            raise TreeFileError.single(
                f"no menu {entry!r} in this file; menus: {', '.join(menus)}", file=source
            )
        top = entry
    parent: dict[str, str] = {}
    for name, m in menus.items():
        for e in m.iter("entry"):
            if e.get("action") == "menu-sub" and e.get("param", "") in menus:
                parent.setdefault(e.get("param", ""), name)
    transfers: list[str] = []
    for name, menu in menus.items():
        _menu(b, name, menu, menus, top, parent, prompts, transfers)
    if transfers:
        b.note(
            f"people: {', '.join(sorted(set(transfers)))} transfer to dialplan extensions, "
            "modelled as a person answering - make those that are services self_service"
        )
    return b.build(top)


def _menu(
    b: FlowBuilder,
    name: str,
    menu: ET.Element,
    menus: dict[str, ET.Element],
    top: str,
    parent: dict[str, str],
    prompts: _Prompts,
    transfers: list[str],
) -> None:
    prompt, option_words = prompts.spoken(menu.get("greet-long"))
    node: dict[str, Any] = {"type": "menu"}
    if prompt:
        node["prompt"] = prompt
    with contextlib.suppress(ValueError):
        node["timeout_s"] = max(0.1, float(menu.get("timeout", "10000")) / 1000.0)
    fails = [_int(menu.get("max-failures")), _int(menu.get("max-timeouts"))]
    most = max((f for f in fails if f is not None), default=3)
    node["retries"] = max(0, min(most - 1, 20))
    options: dict[str, dict[str, Any]] = {}
    patterns: dict[str, str] = {}
    children = list(menu)
    for i, e in enumerate(children):
        if e.tag != "entry":
            continue
        digits = (e.get("digits") or "").strip()
        label = _trailing_comment(e, children[i + 1] if i + 1 < len(children) else None)
        if re.fullmatch(r"[0-9*#]", digits):
            if digits in options:
                continue
            target = _entry_target(b, name, e, menus, top, parent, label, prompts, transfers)
            if target is not None and target not in menus:
                b.lines.setdefault(target, line_of(e) or 0)
                b.lines.setdefault(target + "\x00agent", line_of(e) or 0)
            opt: dict[str, Any] = {}
            if digits in option_words:
                opt["say"] = option_words[digits]
            opt["next"] = target
            if label:
                opt["meta"] = {"source": {"label": label}}
            options[digits] = opt
        elif digits:
            patterns[digits] = e.get("param", "") or e.get("action", "")
    if not options and patterns:
        # Dial-by-extension only: the caller keys an extension number - an input, not a menu.
        first = next(e for e in children if e.tag == "entry" and (e.get("digits") or "").strip())
        node["type"] = "input"
        node["collects"] = "extension"
        digit_len = _int(menu.get("digit-len"))
        if digit_len is not None and 1 <= digit_len <= 64:
            node["digits"] = digit_len
        node["next"] = _entry_target(b, name, first, menus, top, parent, None, prompts, transfers)
        b.note(
            f"extensions: {name!r} only lets callers dial an extension ({', '.join(patterns)}); "
            "modelled as an input of the extension number"
        )
    elif not options:
        b.note(f"menu: {name!r} has no single-key entries")
        options["1"] = {"next": None}
    if node["type"] == "menu":
        node["options"] = options
    failure = menu.get("exec-on-max-failures") or menu.get("exec-on-max-timeouts")
    if failure:
        node["on_failure"] = _app(b, f"{name}\x00failure", failure, menus, None, name, transfers)
    meta: dict[str, Any] = {"id": name, "type": "menu"}
    for attr in ("greet-long", "greet-short", "invalid-sound", "exit-sound", "digit-len"):
        if menu.get(attr):
            meta[attr] = menu.get(attr)
    if patterns:
        meta["patterns"] = patterns
    if patterns and node["type"] == "menu":
        b.note(
            f"extensions: {name!r} lets callers dial an extension directly "
            f"({', '.join(patterns)}); kept under meta.source.patterns"
        )
    on_timeouts, on_failures = menu.get("exec-on-max-timeouts"), menu.get("exec-on-max-failures")
    if on_timeouts and on_failures and on_timeouts != on_failures:
        meta["exec-on-max-timeouts"] = on_timeouts
    node["meta"] = {"source": meta}
    b.add(name, node, label=name, line=line_of(menu))


def _int(v: str | None) -> int | None:
    try:
        return int(v) if v is not None else None
    except ValueError:
        return None


def _trailing_comment(entry: ET.Element, following: ET.Element | None) -> str | None:
    """The comment on the same line as an entry (its label), if there is one."""
    if following is None or isinstance(following.tag, str):
        return None
    if entry.tail is not None and "\n" in entry.tail:
        return None
    text = (following.text or "").strip()
    return text or None


def _entry_target(
    b: FlowBuilder,
    menu_name: str,
    e: ET.Element,
    menus: dict[str, ET.Element],
    top: str,
    parent: dict[str, str],
    label: str | None,
    prompts: _Prompts,
    transfers: list[str],
) -> str | None:
    action = e.get("action", "")
    param = (e.get("param") or "").strip()
    key = f"{menu_name}\x00{e.get('digits', '')}"
    if action == "menu-sub":
        if param in menus:
            return param
        return _external(b, key, f"menu {param}", label)
    if action == "menu-top":
        return top
    if action == "menu-back":
        return parent.get(menu_name, top)
    if action == "menu-exit":
        exit_sound = menus[menu_name].get("exit-sound")
        words = _sound_words(exit_sound) if exit_sound else ""
        node: dict[str, Any] = {"type": "hangup"}
        if words:
            node["prompt"] = words
        b.add(key, node, label=f"{menu_name} exit")
        return key
    if action in ("menu-play-sound", "menu-playback"):
        words = _sound_words(param)
        b.add(
            key,
            {"type": "message", **({"prompt": words} if words else {}), "next": menu_name},
            label=label or f"{menu_name} sound",
        )
        return key
    if action in ("menu-exec-app", "menu-call-transfer"):
        if action == "menu-call-transfer":
            param = f"transfer {param}"
        return _app(b, key, param, menus, label, menu_name, transfers)
    b.unknown(action or "(entry without action)", key.replace("\x00", " "), dict(e.attrib))
    return None


def _app(
    b: FlowBuilder,
    key: str,
    command: str,
    menus: dict[str, ET.Element],
    label: str | None,
    menu_name: str,
    transfers: list[str],
) -> str | None:
    parts = command.split(None, 1)
    app = parts[0].lower() if parts else ""
    arg = parts[1] if len(parts) > 1 else ""
    if re.fullmatch(r"\d+", app):  # "5000 XML default": the app name is missing
        app, arg = "transfer", command
    meta = {"source": {"id": menu_name, "type": "menu-exec-app", "command": command}}
    if app in ("transfer", "transfert", "bridge", "att_xfer", "deflect"):
        dest = arg.split()[0] if arg else "?"
        who = label or (f"extension {dest}" if app != "bridge" else dest.rsplit("/", 1)[-1])
        if "$" in dest and not label:  # bridge user/$1@domain: whoever the caller dialled
            who = "extension dialled"
        transfers.append(slug(who))
        return b.destination(key, who, queue=False, meta=meta)
    if app in ("callcenter", "fifo"):
        name = arg.split()[0] if arg else "queue"
        return b.destination(key, label or name.split("@")[0], queue=True, meta=meta)
    if app == "voicemail":
        b.add(key, {"type": "voicemail", "meta": meta}, label=label or "voicemail")
        return key
    if app == "hangup":
        b.add(key, {"type": "hangup", "meta": meta}, label="hang up")
        return key
    if app == "ivr" and arg.strip() in menus:
        return arg.strip()
    if app == "playback":
        b.add(
            key,
            {
                "type": "message",
                "prompt": _sound_words(arg) or arg,
                "next": menu_name,
                "meta": meta,
            },
            label=label or "playback",
        )
        return key
    return _external(b, key, label or command, label, meta)


def _external(
    b: FlowBuilder,
    key: str,
    what: str,
    label: str | None,
    meta: dict[str, Any] | None = None,
) -> str:
    task = b.task(label or what)
    b.add(
        key,
        {"type": "self_service", "handles": [task], **({"meta": meta} if meta else {})},
        label=label or what,
    )
    b.note(f"outside this file: {what!r} is modelled as self-service")
    return key
