"""Genesys Cloud Architect flows as Archy writes them (``inboundCall:`` YAML).

Archy is Genesys' command-line tool for Architect flows; its YAML is what the Genesys Terraform
provider's ``genesyscloud_flow`` resources deploy. The call starts at ``startUpRef`` (a menu or a
task), after the ``initialGreeting``.

What maps to what
-----------------
* ``menus: - menu:`` -> a **menu**: ``audio`` is the prompt; each choice's ``dtmf: digit_N``
  (or ``digit_star`` / ``digit_pound``) is a key and its ``speechRecTerms`` the speech
  phrases; ``settingsMenu.repeatCount`` the retries (the flow's default otherwise).
  Choices: ``menuTransferToAcd`` (a queue and its agents), ``menuDisconnect`` (hang-up),
  ``menuSubMenu`` / ``menuJumpToMenu`` (another menu), ``menuTask`` / ``menuJumpToTask`` (a
  task), ``menuRepeat`` (the same menu), ``menuPreviousMenu``, ``menuTransferToUser`` /
  ``Group`` / ``Number`` (a person), ``menuTransferToVoicemail`` (voicemail).
* ``tasks: - task:`` (reusable tasks) -> their ``actions`` in order: ``playAudio`` (message),
  ``transferToAcd`` (queue), ``disconnect``, ``evaluateScheduleGroup`` (a branch on the
  schedule group's hours: open / closed / holiday), ``decision`` and ``switch`` (branches by
  share: the expressions are not evaluated), ``collectInput`` (input), ``jumpToMenu`` /
  ``jumpToTask``, ``loop`` (a bounded retry), ``transferToVoicemail``, ``transferToUser`` /
  ``Group`` / ``Number``; data actions (``updateData``, ``setParticipantData``, ``callData`` …)
  pass through. A task that runs off its end disconnects, as Architect does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..exceptions import TreeFileError
from ._builder import END, FlowBuilder, Imported

__all__ = ["read_genesys"]

FLOW_KINDS = ("inboundCall", "inQueueCall", "outboundCall", "secureCall")
"""Archy's top-level keys for the call flows ivrscore reads."""

_DIGITS = {"star": "*", "pound": "#", "hash": "#"}
_PEOPLE = ("transferToUser", "transferToGroup", "transferToNumber", "transferToFlow")
_PASS = (
    "updateData", "setParticipantData", "getParticipantData", "setLanguage", "setScreenPop",
    "setWrapupCode", "setUUIData", "callData", "setExternalTag", "setFlowOutcome",
    "initializeFlowOutcome", "enableParticipantRecord", "callBridge", "dataTableLookup",
    "flushAudio", "setWhisperAudio", "setQueue", "setSkills", "setPriority", "setUtilizationLabel",
    "callCommonModule", "callTask", "findUser", "findGroup", "findQueue", "findSchedule",
    "findScheduleGroup", "holdMusic",
)  # fmt: skip


def _words(audio: Any) -> str | None:
    """The words of an Archy audio value: ``{tts: ...}``, ``{exp: ...}`` or a sequence."""
    if isinstance(audio, str):
        return audio.strip() or None
    if isinstance(audio, dict):
        for key in ("tts", "lit"):
            if isinstance(audio.get(key), str) and audio[key].strip():
                return str(audio[key]).strip()
        if isinstance(audio.get("exp"), str):
            texts = re.findall(r'ToAudioTTS\("([^"]*)"\)', audio["exp"])
            return " ".join(texts).strip() or f"(audio from expression {audio['exp'][:60]})"
        parts = [w for v in audio.values() for w in [_words(v)] if w]
        return " ".join(parts) or None
    if isinstance(audio, list):
        parts = [w for v in audio for w in [_words(v)] if w]
        return " ".join(parts) or None
    return None


def _lit(value: Any) -> Any:
    """The literal of an Archy value (``{lit: X}``), or None for an expression."""
    if isinstance(value, dict):
        lit = value.get("lit")
        if isinstance(lit, dict) and "name" in lit:
            return lit["name"]
        if isinstance(lit, dict) and "seconds" in lit:
            return lit["seconds"]
        return lit
    return value


def _ref(text: Any) -> tuple[str, str] | None:
    """``/inboundCall/menus/menu[Main Menu_10]`` -> ``("menu", "Main Menu_10")``."""
    if not isinstance(text, str):
        return None
    m = re.search(r"/(menu|task)\[([^\]]+)\]\s*$", text)
    return (m.group(1), m.group(2)) if m else None


def _one(item: Any) -> tuple[str, dict[str, Any]] | None:
    """An Archy list item ``{kind: {...}}`` as ``(kind, body)``."""
    if isinstance(item, dict) and len(item) == 1:
        kind, body = next(iter(item.items()))
        if isinstance(body, dict):
            return str(kind), body
        if body is None:
            return str(kind), {}
    return None


def read_genesys(
    data: Any, source: str | None = None, *, positions: dict[Any, tuple[int, int]] | None = None
) -> Imported:
    """Import a Genesys Cloud Architect call flow (parsed Archy YAML).

    Examples
    --------
    >>> flow = {"inboundCall": {"name": "Main", "startUpRef": "/inboundCall/menus/menu[m]",
    ...   "menus": [{"menu": {"name": "Main Menu", "refId": "m",
    ...     "audio": {"tts": "For sales press 1. To hang up press 9."},
    ...     "choices": [
    ...       {"menuTransferToAcd": {"name": "Sales", "dtmf": "digit_1",
    ...                              "queue": {"lit": {"name": "Sales"}}}},
    ...       {"menuDisconnect": {"name": "Bye", "dtmf": "digit_9"}}]}}]}}
    >>> tree = read_genesys(flow).tree
    >>> m = tree.node(tree.entry)
    >>> m.prompt, {k: tree.node(o.next).type for k, o in m.options.items()}
    ('For sales press 1. To hang up press 9.', {'1': 'queue', '9': 'hangup'})
    """
    if not isinstance(data, dict):
        raise TreeFileError.single("not a Genesys Architect flow", file=source)
    kind = next((k for k in FLOW_KINDS if k in data), None)
    flow = data.get(kind) if kind else None
    if not isinstance(flow, dict):
        raise TreeFileError.single(
            f"not a Genesys Architect call flow (no {' / '.join(FLOW_KINDS)} object)", file=source
        )
    assert kind is not None
    b = FlowBuilder("genesys", source, name=str(flow.get("name") or "Genesys Cloud flow"))
    reader = _Reader(b, kind, flow, positions or {})
    start = _ref(flow.get("startUpRef"))
    if start is None:
        raise TreeFileError.single(
            "the flow has no startUpRef naming its first menu or task",
            file=source,
            line=reader.line((kind,)),
        )
    first = reader.target(start, "startUpRef")
    greeting = _words(flow.get("initialGreeting"))
    if greeting:
        b.add(
            "\x00greeting", {"type": "message", "prompt": greeting, "next": first}, label="greeting"
        )
        first = "\x00greeting"
    reader.run()
    return b.build(first)


class _Reader:
    def __init__(
        self, b: FlowBuilder, kind: str, flow: dict[str, Any], positions: dict[Any, tuple[int, int]]
    ) -> None:
        self.b, self.kind, self.positions = b, kind, positions
        self.menus: dict[str, tuple[int, dict[str, Any]]] = {}
        self.tasks: dict[str, tuple[int, dict[str, Any]]] = {}
        for i, item in enumerate(self._list(flow.get("menus"), "menus")):
            one = _one(item)
            if one and one[0] == "menu":
                self.menus[str(one[1].get("refId") or one[1].get("name") or i)] = (i, one[1])
        for i, item in enumerate(self._list(flow.get("tasks"), "tasks")):
            one = _one(item)
            if one and one[0] == "task":
                self.tasks[str(one[1].get("refId") or one[1].get("name") or i)] = (i, one[1])
        menu_settings = (
            flow.get("settingsMenu") if isinstance(flow.get("settingsMenu"), dict) else {}
        )
        repeat = _lit((menu_settings or {}).get("repeatCount"))
        self.repeat = int(repeat) if isinstance(repeat, int) and not isinstance(repeat, bool) else 3
        timeout = _lit((menu_settings or {}).get("menuSelectionTimeout"))
        self.timeout = (
            float(timeout)
            if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0
            else None
        )
        self.todo: list[tuple[str, str]] = []
        self.queued: set[str] = set()
        self.counter = 0
        self.parents: dict[str, str] = {}

    def _list(self, value: Any, what: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise TreeFileError.single(
                f"{what} should be a list", file=self.b.source, line=self.line((self.kind, what))
            )
        return value

    def line(self, path: tuple[Any, ...]) -> int | None:
        pos = self.positions.get(path)
        return pos[0] if pos else None

    def fresh(self, base: str) -> str:
        self.counter += 1
        return f"{base}\x00{self.counter}"

    def target(self, ref: tuple[str, str], where: str) -> str | None:
        kind, ref_id = ref
        table = self.menus if kind == "menu" else self.tasks
        if ref_id not in table:
            self.b.note(f"missing: {where} names {kind} {ref_id!r}, which is not in this file")
            return None
        key = f"{kind}:{ref_id}"
        if key not in self.queued:
            self.queued.add(key)
            self.todo.append((kind, ref_id))
        return key

    def run(self) -> None:
        while self.todo:
            kind, ref_id = self.todo.pop()
            if kind == "menu":
                self.menu(ref_id)
            else:
                index, task = self.tasks[ref_id]
                path = (self.kind, "tasks", index, "task", "actions")
                first = self.actions(
                    self._list(task.get("actions"), f"task {task.get('name')!r} actions"),
                    path,
                    None,
                    str(task.get("name") or ref_id),
                )
                self.b.alias(f"task:{ref_id}", first)

    # -- menus ----------------------------------------------------------------------------------

    def menu(self, ref_id: str) -> None:
        index, menu = self.menus[ref_id]
        key = f"menu:{ref_id}"
        name = str(menu.get("name") or ref_id)
        path = (self.kind, "menus", index, "menu")
        node: dict[str, Any] = {"type": "menu"}
        prompt = _words(menu.get("audio"))
        if prompt:
            node["prompt"] = prompt
        settings = menu.get("settingsMenu") if isinstance(menu.get("settingsMenu"), dict) else {}
        repeat = _lit((settings or {}).get("repeatCount"))
        repeat = repeat if isinstance(repeat, int) and not isinstance(repeat, bool) else self.repeat
        node["retries"] = max(0, min(int(repeat), 20))
        timeout = _lit((settings or {}).get("menuSelectionTimeout"))
        if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0:
            node["timeout_s"] = float(timeout)
        elif self.timeout is not None:
            node["timeout_s"] = self.timeout
        options: dict[str, dict[str, Any]] = {}
        choices = self._list(menu.get("choices"), f"menu {name!r} choices")
        for i, item in enumerate(choices):
            one = _one(item)
            if one is None:
                self.b.unknown("menu choice", f"{name} choice {i + 1}", item)
                continue
            ckind, body = one
            digit = self.digit(body.get("dtmf"))
            cpath = (*path, "choices", i, ckind)
            target = self.choice(ckind, body, key, cpath)
            words = [str(w) for w in body.get("speechRecTerms") or [] if isinstance(w, str | int)]
            if isinstance(body.get("speechRecTerms"), dict):
                words = [
                    str(w) for w in (body["speechRecTerms"].get("en-us") or {}).get("terms") or []
                ]
            if digit is None:
                if words:
                    self.b.note(
                        f"speech: menu {name!r} choice {body.get('name')!r} has no key; "
                        "kept under meta.source.speech_only"
                    )
                    node.setdefault("meta", {}).setdefault("speech_only", {})[
                        str(body.get("name"))
                    ] = words
                else:
                    self.b.unknown(f"{ckind} without dtmf", f"{name} choice {i + 1}", body)
                continue
            if digit in options:
                continue
            opt: dict[str, Any] = {"next": target}
            if body.get("name"):
                opt["meta"] = {"source": {"name": str(body["name"])}}
            if words:
                opt["speech"] = words
            options[digit] = opt
        if not options:
            self.b.note(f"menu: {name!r} has no keyed choices")
            options["1"] = {"next": None}
        node["options"] = options
        source = node.pop("meta", {})
        node["meta"] = {"source": {"type": "menu", "refId": ref_id, **source}}
        self.b.add(key, node, label=name, line=self.line(path))
        # Architect replays the menu ``repeatCount`` times, then takes the menu's default
        # (disconnect unless the flow says otherwise).
        self.b.failures(key, timeout=key, invalid=key, loop=(node["retries"], END))

    def digit(self, dtmf: Any) -> str | None:
        if not isinstance(dtmf, str):
            return None
        m = re.fullmatch(r"digit_(\d|star|pound|hash)", dtmf.strip())
        if not m:
            return None
        return _DIGITS.get(m.group(1), m.group(1))

    def choice(
        self, kind: str, body: dict[str, Any], menu_key: str, path: tuple[Any, ...]
    ) -> str | None:
        label = str(body.get("name") or kind)
        line = self.line(path)
        if kind == "menuDisconnect":
            k = self.fresh("disconnect")
            self.b.add(k, {"type": "hangup"}, label=label, line=line)
            return k
        if kind == "menuRepeat":
            return menu_key
        if kind == "menuPreviousMenu":
            return self.parents.get(menu_key, menu_key)
        for ref_key in ("targetMenuRef", "targetTaskRef"):
            ref = _ref(body.get(ref_key))
            if ref is not None:
                target = self.target(ref, label)
                if target is not None and ref[0] == "menu":
                    self.parents.setdefault(target, menu_key)
                return target
        if kind in ("menuSubMenu", "menuTask", "menuJumpToMenu", "menuJumpToTask"):
            sub = body.get("menu") or body.get("task")
            if isinstance(sub, dict):  # an inline menu or task
                ref_id = str(sub.get("refId") or sub.get("name") or label)
                table = self.menus if "menu" in body else self.tasks
                table.setdefault(ref_id, (-1, sub))
                return self.target(("menu" if "menu" in body else "task", ref_id), label)
        return self.action(
            kind.removeprefix("menu")[:1].lower() + kind.removeprefix("menu")[1:],
            body,
            path,
            None,
            label,
        )

    # -- task actions ---------------------------------------------------------------------------

    def actions(
        self, items: list[Any], path: tuple[Any, ...], then: str | None, label: str
    ) -> str | None:
        """A list of actions as a chain of nodes; returns the first key (``then`` if none)."""
        nxt = then if then is not None else END  # a task that runs off its end disconnects
        for i in range(len(items) - 1, -1, -1):
            one = _one(items[i])
            if one is None:
                self.b.unknown("action", f"{label} action {i + 1}", items[i])
                continue
            kind, body = one
            nxt = self.action(kind, body, (*path, i, kind), nxt, label) or END
        return nxt

    def outputs(
        self, body: dict[str, Any], path: tuple[Any, ...], name: str, then: str | None, label: str
    ) -> str | None:
        outs = body.get("outputs") if isinstance(body.get("outputs"), dict) else {}
        out = (outs or {}).get(name)
        if out is None and name in ("yes", "no"):  # YAML 1.1 reads the keys yes / no as booleans
            out = (outs or {}).get(name == "yes", (outs or {}).get(str(name == "yes").lower()))
        if not isinstance(out, dict):
            return then
        acts = out.get("actions")
        if not isinstance(acts, list):
            return then
        return self.actions(acts, (*path, "outputs", name, "actions"), then, label)

    def action(
        self, kind: str, body: dict[str, Any], path: tuple[Any, ...], then: str | None, label: str
    ) -> str | None:
        b = self.b
        name = str(body.get("name") or kind)
        line = self.line(path)
        meta = {"source": {"type": kind, "name": name}}
        if kind == "playAudio":
            words = _words(body.get("audio"))
            k = self.fresh("play")
            node: dict[str, Any] = {"type": "message", "next": then, "meta": meta}
            if words:
                node["prompt"] = words
            b.add(k, node, label=words or name, line=line)
            return k
        if kind == "disconnect":
            k = self.fresh("disconnect")
            b.add(k, {"type": "hangup", "meta": meta}, label=name, line=line)
            return k
        if kind in ("transferToAcd", "transferToAcdQueue"):
            queue = _lit(body.get("targetQueue") or body.get("queue"))
            qname = str(queue) if isinstance(queue, str | int) else name
            k = self.fresh("acd")
            prompt = _words(body.get("preTransferAudio"))
            b.destination(k, qname, queue=True, meta=meta, prompt=prompt, line=line)
            failure = self.outputs(body, path, "failure", then, label)
            if failure is not None:
                b.error_path(k, "failure", failure)
            return k
        if kind in _PEOPLE or kind in ("transferToUser", "transferToGroup", "transferToNumber"):
            target = _lit(
                body.get("targetUser")
                or body.get("targetGroup")
                or body.get("targetNumber")
                or body.get("targetFlow")
            )
            k = self.fresh("person")
            b.destination(
                k,
                str(target) if isinstance(target, str | int) else name,
                queue=False,
                meta=meta,
                line=line,
            )
            return k
        if kind == "transferToVoicemail":
            k = self.fresh("voicemail")
            b.add(k, {"type": "voicemail", "meta": meta}, label=name, line=line)
            return k
        if kind in ("jumpToMenu", "jumpToTask"):
            ref = _ref(body.get("targetMenuRef") or body.get("targetTaskRef"))
            return self.target(ref, name) if ref else then
        if kind == "evaluateScheduleGroup" or kind == "evaluateSchedule":
            group = _lit(body.get("scheduleGroup") or body.get("schedules"))
            schedule = b.schedule(str(group) if isinstance(group, str) else name)
            is_open = self.outputs(body, path, "open", then, label)
            when: list[dict[str, Any]] = [{"open": schedule, "next": is_open}]
            closed = self.outputs(body, path, "closed", then, label)
            for extra in ("holiday", "emergency"):
                alt = self.outputs(body, path, extra, None, label)
                if alt is not None:
                    meta["source"][extra] = (
                        "kept as closed hours: ivrscore has one schedule per check"
                    )
            k = self.fresh("schedule")
            b.add(
                k,
                {"type": "branch", "when": when, "otherwise": closed, "meta": meta},
                label=f"check {schedule}",
                line=line,
            )
            return k
        if kind == "decision":
            cond = body.get("condition")
            what = str(cond.get("exp") if isinstance(cond, dict) else cond)[:60]
            yes = self.outputs(body, path, "yes", then, label)
            no = self.outputs(body, path, "no", then, label)
            k = self.fresh("decision")
            b.split(k, [(f"{what} yes", yes), ("no", no)], name, meta)
            return k
        if kind == "switch":
            ev = body.get("evaluate") if isinstance(body.get("evaluate"), dict) else {}
            first = (
                (ev or {}).get("firstTrue") if isinstance((ev or {}).get("firstTrue"), dict) else {}
            )
            targets: list[tuple[str, str | None]] = []
            for i, case in enumerate((first or {}).get("cases") or []):
                c = case.get("case") if isinstance(case, dict) else None
                if isinstance(c, dict) and isinstance(c.get("actions"), list):
                    targets.append(
                        (
                            f"case {i + 1}",
                            self.actions(
                                c["actions"],
                                (*path, "evaluate", "firstTrue", "cases", i, "case", "actions"),
                                then,
                                label,
                            ),
                        )
                    )
            default = (first or {}).get("default")
            acts = default.get("actions") if isinstance(default, dict) else None
            targets.append(
                (
                    "default",
                    self.actions(acts, path, then, label) if isinstance(acts, list) else then,
                )
            )
            k = self.fresh("switch")
            b.split(k, targets, name, meta)
            return k
        if kind == "collectInput":
            k = self.fresh("collect")
            data = body.get("inputData")
            var = data.get("var") if isinstance(data, dict) else data
            collects = re.sub(r"^\w+\.", "", str(var)) if isinstance(var, str) else name
            node = {"type": "input", "collects": collects, "meta": meta}
            words = _words(body.get("inputAudio"))
            if words:
                node["prompt"] = words
            digits = body.get("digits")
            exactly = _lit(digits.get("exactly")) if isinstance(digits, dict) else None
            if isinstance(exactly, int) and not isinstance(exactly, bool) and 1 <= exactly <= 64:
                node["digits"] = exactly
            node["collects"] = (
                re.sub(r"[^\w]+", "_", str(node["collects"])).strip("_").lower() or "digits"
            )
            b.add(k, node, label=name, line=line)
            node["next"] = self.outputs(body, path, "success", then, label)
            failure = self.outputs(body, path, "failure", then, label)
            b.failures(k, timeout=failure or END, invalid=failure or END)
            return k
        if kind == "loop":
            count = _lit(body.get("maxLoopCount"))
            k = self.fresh("loop")
            body_first = self.outputs(body, path, "loop", k, label)
            b.loop(
                k,
                body_first if body_first != k else None,
                then,
                count if isinstance(count, int) and not isinstance(count, bool) else None,
                name,
            )
            return k
        if kind in _PASS:
            return then
        b.unknown(kind, f"{label}: {name}", body)
        return then


def menu_refs(flow: dict[str, Any]) -> Iterator[str]:
    """The refIds of a flow's menus (for messages)."""
    for item in flow.get("menus") or []:
        one = _one(item)
        if one:
            yield str(one[1].get("refId"))
