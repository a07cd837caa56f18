"""Twilio Studio flow definitions (the JSON Studio exports, ``states`` + ``initial_state``).

What maps to what
-----------------
* ``gather-input-on-call`` whose ``keypress`` (and ``speech``) go to a ``split-based-on`` on its
  ``Digits`` (``SpeechResult``) with literal values -> one **menu**; ``timeout`` and the split's
  ``noMatch`` -> retries / ``on_failure``. Any other gather -> an **input**.
* ``say-play`` -> message; ``connect-call-to`` -> a human; ``enqueue-call`` and ``send-to-flex``
  -> a queue and its agent; ``record-voicemail`` -> voicemail; ``capture-payments`` -> input.
* ``run-function`` / ``make-http-request`` followed by a split on an open/closed answer, or a
  split with time operators -> a **branch** on a schedule (hours to fill in). Other splits ->
  a branch with even shares. Functions, ``set-variables`` and messages to other channels pass
  through; their failure exits are kept under ``meta.imported.error_paths``.
* ``run-subflow`` and ``add-twiml-redirect`` lead outside the file: self-service steps.
* A transition without ``next`` ends the call (the platform hangs up).
"""

from __future__ import annotations

import re
from typing import Any

from ..exceptions import TreeFileError
from ._builder import END, FlowBuilder, Imported, keyed_phrases, slug
from ._shape import SCALAR, ListOf, Obj, Opt, check

__all__ = ["read_twilio"]

_TIME_OPS = {"is_before_time", "is_after_time", "is_before_date", "is_after_date"}
_HOURS_WORDS = re.compile(r"open|closed|hours|schedule|holiday|business", re.I)
_LIQUID_TAG = re.compile(r"{%-?\s*(\w+)[^%]*-?%}")


def liquid_text(text: str) -> str:
    """Prompt words from a Liquid template: keeps the text of the last alternative of each block.

    Examples
    --------
    >>> liquid_text("{% if a %}Closed today.{% else %}We are closed.{% endif %} Bye, {{name}}.")
    'We are closed. Bye, ….'
    """
    out: list[str] = []
    depth = 0
    keep: list[bool] = []
    pos = 0
    for m in _LIQUID_TAG.finditer(text):
        segment = text[pos : m.start()]
        if not keep or keep[-1]:
            out.append(segment)
        word = m.group(1)
        if word in ("if", "case", "unless"):
            depth += 1
            keep.append(False)
        elif word in ("else",) and keep:
            keep[-1] = True
        elif word in ("endif", "endcase", "endunless") and keep:
            depth -= 1
            keep.pop()
        elif word in ("elsif", "when") and keep:
            keep[-1] = False
        pos = m.end()
    if not keep or keep[-1]:
        out.append(text[pos:])
    flat = re.sub(r"{{[^}]*}}", "…", "".join(out))
    return re.sub(r"\s+", " ", flat).strip()


def _transitions(state: dict[str, Any]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for t in state.get("transitions") or []:
        if isinstance(t, dict) and isinstance(t.get("event"), str):
            out.setdefault(t["event"], t.get("next") or None)
    return out


def _exit(ev: dict[str, str | None], event: str) -> str | None:
    """The target of a failure event: None when the widget has no such port, END when the
    port is not connected (the flow, and the call, end there)."""
    if event not in ev:
        return None
    return ev[event] or END


def _split_values(state: dict[str, Any]) -> list[tuple[list[str], str | None, dict[str, Any]]]:
    """``(values, next, condition)`` for each ``match`` transition of a split."""
    out = []
    for t in state.get("transitions") or []:
        if not isinstance(t, dict) or t.get("event") != "match":
            continue
        for cond in t.get("conditions") or [{}]:
            value = str(cond.get("value", ""))
            values = [v.strip() for v in value.split(",")] if value else []
            out.append((values, t.get("next") or None, cond))
    return out


def read_twilio(data: Any, source: str | None = None, *, text: str | None = None) -> Imported:
    """Import a Twilio Studio flow definition (already parsed JSON).

    Examples
    --------
    >>> flow = {"initial_state": "Trigger", "states": [
    ...   {"name": "Trigger", "type": "trigger",
    ...    "transitions": [{"event": "incomingCall", "next": "menu"}]},
    ...   {"name": "menu", "type": "gather-input-on-call",
    ...    "properties": {"say": "For sales press 1.", "timeout": 5},
    ...    "transitions": [{"event": "keypress", "next": "pick"}, {"event": "timeout", "next": "menu"}]},
    ...   {"name": "pick", "type": "split-based-on", "properties": {"input": "{{widgets.menu.Digits}}"},
    ...    "transitions": [{"event": "noMatch", "next": "menu"},
    ...      {"event": "match", "next": "sales", "conditions": [{"type": "equal_to", "value": "1"}]}]},
    ...   {"name": "sales", "type": "connect-call-to", "properties": {"to": "+15550100"},
    ...    "transitions": [{"event": "callCompleted"}]}]}
    >>> imported = read_twilio(flow)
    >>> menu = imported.tree.node("menu")
    >>> menu.type, list(menu.options), menu.options["1"].next, menu.retries
    ('menu', ['1'], 'sales', 20)
    """
    name = None
    if isinstance(data, dict) and isinstance(data.get("definition"), dict):
        name = data.get("friendly_name")  # the REST API's flow resource wraps the definition
        data = data["definition"]
    if not isinstance(data, dict) or not isinstance(data.get("states"), list):
        raise TreeFileError.single("not a Twilio Studio flow (no 'states' list)", file=source)
    check(data, _SHAPE, source=source, text=text, steps="states", id_key="name")
    states: dict[str, dict[str, Any]] = {}
    for s in data["states"]:
        if isinstance(s, dict) and isinstance(s.get("name"), str):
            states[s["name"]] = s
    if "initial_state" not in data and any(
        _LEGACY_TYPE.match(str(s.get("type"))) for s in states.values()
    ):
        data = {**data, "initial_state": _legacy(states)}
    b = FlowBuilder(
        "twilio", source, name=str(name or data.get("description") or "Twilio Studio flow")
    )
    trigger = states.get(str(data.get("initial_state", "Trigger")))
    entry = _transitions(trigger).get("incomingCall") if trigger else None
    request = _transitions(trigger).get("incomingRequest") if trigger else None
    dialer = states.get(request or "")
    if entry is None and dialer is not None and _OUTBOUND.match(str(dialer.get("type"))):
        # An outbound flow: a REST request makes the call; the person called meets the flow
        # once they answer. Busy and no answer are not a caller's path (kept as error paths).
        entry = request
        b.note(
            f"outbound: this flow calls people ({dialer['name']!r}, started by a REST request); "
            "imported from the answered call, the person called being the caller"
        )
    if entry is None:
        raise TreeFileError.single(
            "this Studio flow has no voice entry (the trigger's incomingCall is not connected)",
            file=source,
        )
    consumed: set[str] = set()
    for name, state in states.items():
        if state.get("type") == "gather-input-on-call":
            _gather(b, name, state, states, consumed)
    for name, state in states.items():
        if name not in consumed and not b.has(name):
            _state(b, name, state, states)
    if text is not None:
        b.locate(text, "name")
    return b.build(entry)


_CONDITION = Obj(
    {"value": SCALAR, "type": Opt(SCALAR), "friendly_name": Opt(SCALAR), "arguments": Opt(list)}
)
_SHAPE = Obj(
    {
        "initial_state": Opt(SCALAR),
        "description": Opt(SCALAR),
        "states": ListOf(
            Obj(
                {
                    "name": str,
                    "type": Opt(str),
                    "sid": Opt(SCALAR),
                    "properties": Opt(dict),
                    "transitions": Opt(
                        ListOf(
                            Obj(
                                {
                                    "event": Opt(str),
                                    "next": Opt(str),
                                    "conditions": Opt(ListOf(_CONDITION)),
                                }
                            )
                        )
                    ),
                }
            )
        ),
    }
)
"""The parts of a Studio flow definition the reader reads."""

_OUTBOUND = re.compile(r"^make-outgoing-call(-v\d+)?$")

_UNANSWERED = {"no-answer", "busy", "failed", "canceled"}

_LEGACY_TYPE = re.compile(r"^[A-Z][A-Za-z]+$")
_LEGACY_NAMES = {
    "InitialState": "trigger",
    "Gather": "gather-input-on-call",
    "SayPlay": "say-play",
    "Pay": "capture-payments",
    "Split": "split-based-on",
    "Dial": "connect-call-to",
    "ConnectCallTo": "connect-call-to",
    "Enqueue": "enqueue-call",
    "EnqueueCall": "enqueue-call",
    "Record": "record-voicemail",
    "RecordVoicemail": "record-voicemail",
    "Function": "run-function",
    "RunFunction": "run-function",
    "HttpRequest": "make-http-request",
    "MakeHttpRequest": "make-http-request",
    "SetVariables": "set-variables",
    "SendMessage": "send-message",
    "Subflow": "run-subflow",
    "RunSubflow": "run-subflow",
    "Redirect": "add-twiml-redirect",
    "RecordCall": "record-call",
}


def _legacy(states: dict[str, dict[str, Any]]) -> str:
    """Rewrite the 2018 Studio export in place (``type: Gather``, transitions to widget sids)
    in today's terms; returns the name of its ``InitialState`` widget."""
    by_sid = {str(s["sid"]): name for name, s in states.items() if isinstance(s.get("sid"), str)}
    initial = "Trigger"
    for name, state in states.items():
        kind = str(state.get("type"))
        if kind == "InitialState":
            initial = name
        state["type"] = _LEGACY_NAMES.get(kind, re.sub(r"(?<=[a-z])(?=[A-Z])", "-", kind).lower())
        for t in state.get("transitions") or []:
            if isinstance(t, dict) and isinstance(t.get("next"), str):
                t["next"] = by_sid.get(t["next"], t["next"])
    return initial


def _meta(state: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"source": {"id": state["name"], "type": state.get("type"), **extra}}


def _number(value: Any) -> float | None:
    """A number Studio may store as text (``"5"``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?", value.strip()):
        return float(value)
    return None


def _prompt(props: dict[str, Any]) -> str | None:
    say = props.get("say")
    if isinstance(say, str) and say.strip():
        return liquid_text(say)
    return None


def _digits_split(state: dict[str, Any], gather: str, field: str) -> bool:
    inp = str((state.get("properties") or {}).get("input", ""))
    return state.get("type") == "split-based-on" and f"widgets.{gather}.{field}" in inp


def _gather(
    b: FlowBuilder,
    name: str,
    state: dict[str, Any],
    states: dict[str, dict[str, Any]],
    consumed: set[str],
) -> None:
    props = state.get("properties") or {}
    ev = _transitions(state)
    prompt = _prompt(props)
    fields: dict[str, Any] = {}
    if prompt:
        fields["prompt"] = prompt
    timeout = _number(props.get("timeout"))
    if timeout is not None and timeout > 0:
        fields["timeout_s"] = timeout
    keysplit = states.get(ev.get("keypress") or "")
    speechsplit = states.get(ev.get("speech") or "")
    # A split on the digits is a menu when it tests single keys; a split on whole numbers
    # ("1001", "1002": dial an extension) follows an input.
    is_menu = (
        keysplit is not None
        and _digits_split(keysplit, name, "Digits")
        and any(re.fullmatch(r"[0-9*#]", v) for vs, _t, _c in _split_values(keysplit) for v in vs)
    )
    has_speech = speechsplit is not None and _digits_split(speechsplit, name, "SpeechResult")
    if not is_menu and not has_speech:
        digits = props.get("number_of_digits")
        node: dict[str, Any] = {
            "type": "input",
            "collects": slug(name) or "digits",
            **fields,
            "next": ev.get("keypress") or ev.get("speech"),
            "meta": _meta(state),
        }
        n_digits = _number(digits)
        if n_digits is not None and 1 <= n_digits <= 64 and n_digits == int(n_digits):
            node["digits"] = int(n_digits)
        invalid_entry = None
        if keysplit is not None and _digits_split(keysplit, name, "Digits"):
            # A code checked by a split that sends a wrong entry back to the gather: the
            # split is the input's check, the gather retries (not a branch by share).
            matches = _split_values(keysplit)
            back = _transitions(keysplit).get("noMatch")
            if len(matches) == 1 and back == name:
                consumed.add(keysplit["name"])
                node["next"] = matches[0][1]
                invalid_entry = name
                node["meta"]["source"]["checked_by"] = keysplit["name"]
        b.add(name, node, label=name)
        b.failures(name, timeout=_exit(ev, "timeout"), invalid=invalid_entry)
        return
    options: dict[str, dict[str, Any]] = {}
    invalid = None
    odd: list[str] = []
    odd_meta: dict[str, Any] = {}
    if is_menu and keysplit is not None:
        consumed.add(keysplit["name"])
        invalid = _exit(_transitions(keysplit), "noMatch")
        for values, target, cond in _split_values(keysplit):
            for v in values:
                if re.fullmatch(r"[0-9*#]", v) and v not in options:
                    options[v] = {"next": target}
                    if cond.get("friendly_name"):
                        options[v]["meta"] = {"source": {"condition": cond["friendly_name"]}}
                elif v:
                    odd.append(v)
    if has_speech and speechsplit is not None:
        consumed.add(speechsplit["name"])
        invalid = invalid or _exit(_transitions(speechsplit), "noMatch")
        spoken = keyed_phrases(prompt or "")
        speech_only: dict[str, str | None] = {}
        for values, target, _cond in _split_values(speechsplit):
            same = [k for k, o in options.items() if o["next"] == target]
            # "Press 1 or say taxi": the phrase belongs to the key the prompt pairs it with.
            said = [
                k
                for k in options
                if any(re.search(rf"\b{re.escape(v)}\b", spoken.get(k, ""), re.I) for v in values)
            ]
            if is_menu and (said or same):
                options[(said or same)[0]].setdefault("speech", []).extend(values)
                continue
            if is_menu:  # a phrase with no key: callers who say it are not modelled
                for v in values:
                    speech_only[v] = target
                continue
            free = next((k for k in "123456789" if k not in options), None)
            if free is None:
                odd.extend(values)
                continue
            options[free] = {"next": target, "speech": values}
        if speech_only:
            b.note(
                f"speech: {name!r} also hears {sorted(speech_only)}, which no key offers; "
                "ivrscore menus are keyed, so these phrases are kept under meta.source.speech_only"
            )
            odd_meta["speech_only"] = speech_only
    if not options:
        b.note(f"menu: {name!r} has no keyed choices; every caller goes to its wrong-key exit")
        options["1"] = {"next": invalid}
    meta = _meta(state, **({"unkeyed_values": odd} if odd else {}), **odd_meta)
    node = {"type": "menu", **fields, "options": options, "meta": meta}
    if has_speech:
        node["modality"] = "both" if is_menu else "speech"
    b.add(name, node, label=name)
    b.failures(name, timeout=_exit(ev, "timeout"), invalid=invalid)


def _state(
    b: FlowBuilder, name: str, state: dict[str, Any], states: dict[str, dict[str, Any]]
) -> None:
    kind = str(state.get("type", ""))
    props = state.get("properties") or {}
    ev = _transitions(state)
    first = next(iter(ev.values()), None)
    if kind == "say-play":
        prompt = _prompt(props)
        if prompt is None and props.get("play"):
            b.note(f"audio: {name!r} plays a recording; its words and length are not in the file")
        node: dict[str, Any] = {"type": "message", "next": ev.get("audioComplete")}
        if prompt:
            node["prompt"] = prompt
        node["meta"] = _meta(state, **({"play": props["play"]} if props.get("play") else {}))
        b.add(name, node, label=name)
    elif kind == "connect-call-to":
        to = str(props.get("to") or "")
        after = states.get(ev.get("callCompleted") or "")
        status = (
            after is not None and _digits_split(after, name, "DialCallStatus") and after
        ) or None
        person = f"{name}\x00person" if status else name
        b.destination(person, name, queue=False, meta=_meta(state, to=to) if to else _meta(state))
        if status:
            # callCompleted -> split on DialCallStatus (no-answer, busy) -> voicemail: the
            # fallback when nobody picks up; the other statuses mean the call took place.
            fallbacks = [
                (f"{name} {','.join(v)}", t)
                for v, t, _c in _split_values(status)
                if {x.lower() for x in v} & _UNANSWERED
            ]
            b.split(name, [*fallbacks, ("answered", person)], f"{name} answered?", _meta(state))
            b.reserve(status["name"])
    elif kind in ("enqueue-call", "send-to-flex"):
        label = str(props.get("queue_name") or name)
        b.destination(name, label, queue=True, meta=_meta(state))
        for event in ("failedToEnqueue", "callFailure"):
            if ev.get(event):
                b.error_path(name, event, ev[event])
    elif kind == "record-voicemail":
        b.add(name, {"type": "voicemail", "meta": _meta(state)}, label=name)
    elif kind == "capture-payments":
        b.add(
            name,
            {
                "type": "input",
                "collects": "payment_card",
                "next": ev.get("success"),
                "on_failure": ev.get("maxFailedAttempts"),
                "meta": _meta(state),
            },
            label=name,
        )
    elif kind == "split-based-on":
        _split(b, name, state, states)
    elif kind in ("run-subflow", "add-twiml-redirect"):
        task = b.task(str(props.get("flow_sid") or name))
        nxt = ev.get("completed") or ev.get("return")
        node = {"type": "self_service", "handles": [task], "meta": _meta(state)}
        if nxt:
            node["next"] = nxt
        b.add(name, node, label=name)
        b.note(f"outside this file: {name!r} runs another flow; modelled as self-service")
    elif kind in ("run-function", "make-http-request"):
        b.alias(name, ev.get("success"))
        for event in ("fail", "failed"):
            if event in ev:
                b.error_path(name, event, ev[event])
    elif kind in ("set-variables", "send-message", "record-call", "fork-stream"):
        b.alias(name, ev.get("next") or ev.get("sent") or ev.get("success") or first)
    elif _OUTBOUND.match(kind):
        b.alias(name, ev.get("answered"))
        for event in ("busy", "noAnswer", "failed"):
            if event in ev:
                b.error_path(name, event, ev[event])
    elif kind == "trigger":
        b.alias(name, ev.get("incomingCall"))
    else:
        b.unknown(kind or "(no type)", name, state)
        b.alias(name, first)


def _split(
    b: FlowBuilder, name: str, state: dict[str, Any], states: dict[str, dict[str, Any]]
) -> None:
    props = state.get("properties") or {}
    ev = _transitions(state)
    matches = _split_values(state)
    inp = str(props.get("input", ""))
    ops = {str(c.get("type")) for _v, _t, c in matches}
    widget = re.search(r"widgets\.([^.}\s]+)", inp)
    upstream = states.get(widget.group(1)) if widget else None
    fn_name = str(upstream.get("name", "")) if upstream else ""
    hoursish = bool(ops & _TIME_OPS) or bool(
        _HOURS_WORDS.search(inp) or (upstream and _HOURS_WORDS.search(fn_name))
    )
    if hoursish and matches:
        schedule = b.schedule(fn_name or name)
        when = []
        for values, target, _cond in matches:
            truthy = any(v.lower() in ("true", "open", "yes", "1") for v in values)
            closed = any(v.lower() in ("false", "closed", "no", "0") for v in values)
            if closed and not truthy:
                when.append({"closed": schedule, "next": target})
            else:
                when.append({"open": schedule, "next": target})
        b.add(
            name,
            {"type": "branch", "when": when, "otherwise": ev.get("noMatch"), "meta": _meta(state)},
            label=name,
        )
        return
    targets: list[tuple[str, str | None]] = [
        (str(c.get("friendly_name") or f"{inp} = {','.join(v)}"), t) for v, t, c in matches
    ]
    targets.append(("no match", ev.get("noMatch")))
    b.split(name, targets, name, _meta(state))
