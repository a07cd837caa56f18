"""Amazon Connect contact flows: the flow language, the legacy designer export, the envelope.

All three shapes are read into the flow language's ``Actions`` first (legacy ``modules`` are
translated: ``GetUserInput`` -> ``GetParticipantInput`` and so on), then imported the same way.

What maps to what
-----------------
* ``GetParticipantInput`` with ``Conditions`` -> a **menu** (``InputTimeLimitExceeded`` and
  ``NoMatchingCondition`` -> retries / ``on_failure``; a ``Loop`` that brings the caller back
  gives the retry count); with ``StoreInput`` -> an **input**; with neither (the digit is read
  later from ``$.StoredCustomerInput``) -> an input of one key.
* ``ConnectParticipantWithLexBot`` -> a **speech menu**, one option per intent.
* ``CheckHoursOfOperation`` -> a **branch** on a schedule (hours from a resource file when given).
* ``UpdateContactTargetQueue`` + ``TransferContactToQueue`` -> a **queue** named after the queue
  set on the caller's path (the importer follows each path with the queue it has set), and an
  agent. ``TransferParticipantToThirdParty`` -> a human.
* ``Compare`` / ``CheckMetricData`` / ``DistributeByPercentage`` -> a branch with even shares.
* ``DisconnectParticipant`` -> hang-up. ``TransferToFlow`` -> self-service in another flow (or
  the queue set on the path, when one is). Lambdas, attributes, logging … pass through; their
  error exits are kept under ``meta.imported.error_paths``.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Sequence
from typing import Any

from ..exceptions import TreeFileError
from ..io import check_json_depth
from ._builder import FlowBuilder, Imported, slug
from ._shape import SCALAR, ListOf, Obj, Opt, check

__all__ = ["hours_schedule", "read_connect"]

_PASS = {
    "UpdateContactAttributes",
    "UpdateFlowAttributes",
    "UpdateContactEventHooks",
    "UpdateContactTextToSpeechVoice",
    "UpdateFlowLoggingBehavior",
    "UpdateContactRecordingBehavior",
    "UpdateContactRoutingBehavior",
    "UpdateContactCallbackNumber",
    "UpdateContactData",
    "StartMediaStreaming",
    "StopMediaStreaming",
    "InvokeLambdaFunction",
    "InvokeFlowModule",
    "Wait",
    "CreateTask",
    "SetAttributes",
}
_FAILURE_ERRORS = ("InputTimeLimitExceeded", "NoMatchingCondition")

_LEGACY_TYPES = {
    "PlayPrompt": "MessageParticipant",
    "StoreUserInput": "GetParticipantInput",
    "SetQueue": "UpdateContactTargetQueue",
    "CheckHoursOfOperation": "CheckHoursOfOperation",
    "CheckStaffing": "CheckMetricData",
    "CheckAttribute": "Compare",
    "SetAttributes": "UpdateContactAttributes",
    "SetEventHook": "UpdateContactEventHooks",
    "SetLoggingBehavior": "UpdateFlowLoggingBehavior",
    "SetVoice": "UpdateContactTextToSpeechVoice",
    "SetRecordingBehavior": "UpdateContactRecordingBehavior",
    "InvokeExternalResource": "InvokeLambdaFunction",
    "Loop": "Loop",
    "Disconnect": "DisconnectParticipant",
    "Wait": "Wait",
}
_LEGACY_ERRORS = {
    "Timeout": "InputTimeLimitExceeded",
    "NoMatch": "NoMatchingCondition",
    "Error": "NoMatchingError",
    "AtCapacity": "QueueAtCapacity",
}
_DAYS = {
    "MONDAY": "mon",
    "TUESDAY": "tue",
    "WEDNESDAY": "wed",
    "THURSDAY": "thu",
    "FRIDAY": "fri",
    "SATURDAY": "sat",
    "SUNDAY": "sun",
}


_NEXT = Opt(SCALAR)
_SHAPE = Obj(
    {
        "StartAction": Opt(SCALAR),
        "Metadata": Opt(Obj({"ActionMetadata": Opt(dict), "name": Opt(SCALAR)})),
        "Actions": Opt(
            ListOf(
                Obj(
                    {
                        "Identifier": Opt(SCALAR),
                        "Type": Opt(str),
                        "Parameters": Opt(dict),
                        "Transitions": Opt(
                            Obj(
                                {
                                    "NextAction": _NEXT,
                                    "Conditions": Opt(
                                        ListOf(
                                            Obj(
                                                {
                                                    "NextAction": _NEXT,
                                                    "Condition": Opt(
                                                        Obj(
                                                            {
                                                                "Operator": Opt(SCALAR),
                                                                "Operands": Opt(ListOf(SCALAR)),
                                                            }
                                                        )
                                                    ),
                                                }
                                            )
                                        )
                                    ),
                                    "Errors": Opt(
                                        ListOf(Obj({"NextAction": _NEXT, "ErrorType": Opt(SCALAR)}))
                                    ),
                                }
                            )
                        ),
                    }
                )
            )
        ),
    }
)
"""The parts of a flow-language document the reader reads."""

_LEGACY_SHAPE = Obj(
    {
        "start": Opt(SCALAR),
        "metadata": Opt(Obj({"name": Opt(SCALAR)})),
        "modules": ListOf(
            Obj(
                {
                    "id": Opt(SCALAR),
                    "type": Opt(SCALAR),
                    "target": Opt(SCALAR),
                    "metadata": Opt(dict),
                    "branches": Opt(
                        ListOf(
                            Obj(
                                {
                                    "condition": Opt(SCALAR),
                                    "conditionType": Opt(SCALAR),
                                    "conditionValue": Opt(SCALAR),
                                    "transition": Opt(SCALAR),
                                }
                            )
                        )
                    ),
                    "parameters": Opt(
                        ListOf(Obj({"name": Opt(SCALAR), "resourceName": Opt(SCALAR)}))
                    ),
                }
            )
        ),
    }
)
"""The parts of a legacy designer export the reader reads."""


def hours_schedule(data: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """``(name, schedule)`` from an Amazon Connect hours-of-operation resource.

    Examples
    --------
    >>> hours_schedule({"Name": "finance", "TimeZone": "US/Eastern", "Config": [
    ...     {"Day": "MONDAY", "StartTime": {"Hours": 8, "Minutes": 0},
    ...      "EndTime": {"Hours": 18, "Minutes": 0}}]})
    ('finance', {'mon': '08:00-18:00'})
    """
    data = data.get("HoursOfOperation", data)
    out: dict[str, list[str]] = {}
    for c in data.get("Config") or []:
        day = _DAYS.get(str(c.get("Day", "")).upper())
        if day is None:
            continue
        s, e = c.get("StartTime") or {}, c.get("EndTime") or {}
        start = f"{int(s.get('Hours', 0)):02d}:{int(s.get('Minutes', 0)):02d}"
        end = f"{int(e.get('Hours', 0)):02d}:{int(e.get('Minutes', 0)):02d}"
        out.setdefault(day, []).append("24h" if start == end == "00:00" else f"{start}-{end}")
    ordered = {d: ", ".join(out[d]) for d in _DAYS.values() if d in out}
    return str(data.get("Name") or "hours"), ordered


def _legacy(data: dict[str, Any]) -> dict[str, Any]:
    """Translate a legacy designer export into the flow language's shape."""
    actions = []
    for m in data.get("modules") or []:
        if not isinstance(m, dict):
            continue
        params = {
            str(p.get("name")): p.get("value")
            for p in m.get("parameters") or []
            if isinstance(p, dict)
        }
        meta = m.get("metadata") or {}
        mtype, target = str(m.get("type", "")), m.get("target")
        new = _LEGACY_TYPES.get(mtype, mtype)
        trans: dict[str, Any] = {"Conditions": [], "Errors": []}
        for br in m.get("branches") or []:
            cond, nxt = br.get("condition"), br.get("transition")
            if cond in ("Success", "Looping", "True") and mtype != "CheckHoursOfOperation":
                if mtype == "Loop" and cond == "Looping":
                    trans["Conditions"].append(_cond("ContinueLooping", nxt))
                elif mtype == "CheckStaffing" and cond == "True":
                    trans["Conditions"].append(_cond("True", nxt))
                else:
                    trans["NextAction"] = nxt
            elif cond == "Complete":
                trans["Conditions"].append(_cond("DoneLooping", nxt))
            elif cond in ("True", "False"):
                trans["Conditions"].append(_cond(cond, nxt))
            elif cond == "Evaluate":
                trans["Conditions"].append(
                    _cond(str(br.get("conditionValue")), nxt, br.get("conditionType", "Equals"))
                )
            elif cond in _LEGACY_ERRORS:
                trans["Errors"].append({"ErrorType": _LEGACY_ERRORS[cond], "NextAction": nxt})
        if mtype == "GetUserInput":
            new = "ConnectParticipantWithLexBot" if target == "Lex" else "GetParticipantInput"
            params.setdefault("InputTimeLimitSeconds", params.get("Timeout"))
        if mtype == "StoreUserInput":
            params["StoreInput"] = "True"
            params.setdefault("InputTimeLimitSeconds", params.get("Timeout"))
        if mtype == "Transfer":
            new = {
                "Queue": "TransferContactToQueue",
                "Flow": "TransferToFlow",
                "PhoneNumber": "TransferParticipantToThirdParty",
            }.get(str(target), "TransferToFlow")
        names: dict[str, Any] = {}
        for k, v in meta.items():
            if k.lower() not in ("queue", "contactflow", "hours", "promptname"):
                continue
            if isinstance(v, dict) and v.get("text"):
                names[k.lower()] = v["text"]
            elif isinstance(v, str) and v:
                names[k.lower()] = v
        if meta.get("useDynamic") and mtype == "PlayPrompt":
            names["dynamic"] = True
        for p in m.get("parameters") or []:
            if isinstance(p, dict) and p.get("resourceName"):
                key = {
                    "Queue": "queue",
                    "ContactFlowId": "contactflow",
                    "AudioPrompt": "promptname",
                }.get(str(p.get("name")))
                if key:
                    names.setdefault(key, p["resourceName"])
        actions.append(
            {
                "Identifier": m.get("id"),
                "Type": new,
                "Parameters": params,
                "Transitions": trans,
                "_names": names,
                "_legacy": mtype,
            }
        )
    return {"StartAction": data.get("start"), "Actions": actions, "_name": _flow_name(data)}


def _flow_name(data: dict[str, Any]) -> str | None:
    meta = data.get("metadata") or data.get("Metadata") or {}
    name = meta.get("name") if isinstance(meta, dict) else None
    return str(name) if name else None


def _cond(value: str, nxt: Any, op: str = "Equals") -> dict[str, Any]:
    return {"NextAction": nxt, "Condition": {"Operator": op, "Operands": [value]}}


def read_connect(
    data: Any,
    source: str | None = None,
    *,
    hours: Sequence[tuple[str, Any]] = (),
    text: str | None = None,
) -> Imported:
    """Import an Amazon Connect flow (parsed JSON, any of the three shapes).

    ``hours`` are ``(file name, parsed JSON)`` hours-of-operation resources; a flow's hours check
    uses the one whose name matches the check's hours, or the only one given.

    Examples
    --------
    >>> flow = {"Version": "2019-10-30", "StartAction": "m", "Actions": [
    ...   {"Identifier": "m", "Type": "GetParticipantInput",
    ...    "Parameters": {"Text": "For sales press 1.", "InputTimeLimitSeconds": "5"},
    ...    "Transitions": {"NextAction": "bye", "Conditions": [
    ...        {"NextAction": "q", "Condition": {"Operator": "Equals", "Operands": ["1"]}}],
    ...      "Errors": [{"NextAction": "bye", "ErrorType": "InputTimeLimitExceeded"}]}},
    ...   {"Identifier": "q", "Type": "TransferContactToQueue", "Parameters": {},
    ...    "Transitions": {}},
    ...   {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {},
    ...    "Transitions": {}}]}
    >>> tree = read_connect(flow).tree
    >>> m = tree.node(tree.entry)
    >>> m.prompt, {k: tree.node(o.next).type for k, o in m.options.items()}
    ('For sales press 1.', {'1': 'queue'})
    """
    name = None
    description = None
    if isinstance(data, dict) and isinstance(data.get("ContactFlow"), dict):
        data = data["ContactFlow"]
    if isinstance(data, dict) and isinstance(data.get("Content"), str):
        name = data.get("Name")
        description = data.get("Description")
        check_json_depth(data["Content"], source)
        try:
            data = json.loads(data["Content"])
        except json.JSONDecodeError as exc:
            raise TreeFileError.single(
                f"the flow's Content is not valid JSON: {exc.msg}", file=source
            ) from None
    if not isinstance(data, dict):
        raise TreeFileError.single("not an Amazon Connect flow", file=source)
    located = text if name is None else None  # an envelope's Content has no lines of its own
    if "modules" in data:
        check(data, _LEGACY_SHAPE, source=source, text=located, steps="modules", id_key="id")
    else:
        check(data, _SHAPE, source=source, text=located, steps="Actions", id_key="Identifier")
    if "modules" in data:
        flow = _legacy(data)
        meta_names: dict[str, dict[str, Any]] = {
            str(a["Identifier"]): a["_names"] for a in flow["Actions"]
        }
        legacy = True
    else:
        flow = data
        meta_names = {}
        am = (data.get("Metadata") or {}).get("ActionMetadata") or {}
        for aid, m in am.items():
            if isinstance(m, dict):
                meta_names[str(aid)] = _metadata_names(m)
        flow["_name"] = _flow_name(data)
        legacy = False
    actions = {
        str(a["Identifier"]): a
        for a in flow.get("Actions") or []
        if isinstance(a, dict) and a.get("Identifier") is not None
    }
    if flow.get("StartAction") is None or not actions:
        raise TreeFileError.single(
            "this Amazon Connect file has no flow (no StartAction/start and no actions)",
            file=source,
            hint="an hours-of-operation or queue resource goes beside its flow with --with",
        )
    b = FlowBuilder(
        "connect",
        source,
        name=str(name or flow.get("_name") or "Amazon Connect flow"),
        description=str(description) if description else None,
    )
    hour_tables = [hours_schedule(h) for _n, h in hours if isinstance(h, dict)]
    _Walker(b, actions, meta_names, hour_tables, legacy).walk(str(flow["StartAction"]))
    if text is not None and name is None:  # an envelope's Content is one line: no positions
        b.locate(text, "id" if legacy else "Identifier")
    return b.build(str(flow["StartAction"]))


def _metadata_names(m: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in ("queue", "Hours", "hours", "contactFlow", "ContactFlow"):
        v = m.get(k)
        if isinstance(v, dict) and v.get("text"):
            out[k.lower()] = v["text"]
        elif isinstance(v, str) and v:
            out[k.lower()] = v
    params = m.get("parameters") or {}
    for k in ("QueueId", "HoursOfOperationId", "ContactFlowId"):
        v = params.get(k)
        if isinstance(v, dict) and v.get("displayName"):
            key = {
                "QueueId": "queue",
                "HoursOfOperationId": "hours",
                "ContactFlowId": "contactflow",
            }
            out.setdefault(key[k], v["displayName"])
    if m.get("promptName"):
        out["promptname"] = m["promptName"]
    return out


def _text(params: dict[str, Any], names: dict[str, Any]) -> str | None:
    for k in ("Text", "SSML"):
        v = params.get(k)
        if isinstance(v, str) and v.strip() and names.get("dynamic"):
            return f"(prompt from contact attribute {v.strip()})"
        if isinstance(v, str) and v.strip():
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", v)).strip() or None
    if names.get("promptname"):
        return f"(recorded prompt: {names['promptname']})"
    return None


def _resource_name(value: Any) -> str:
    """A readable name from an ARN, JSONPath or placeholder."""
    text = str(value or "")
    if text.startswith("arn:"):
        return text.rsplit("/", 1)[-1]
    m = re.search(r"\$\.(?:FlowAttributes|Attributes|External)\.([\w-]+)", text)
    if m:
        return m.group(1)
    return text


class _Walker:
    """Follows the flow from its start, carrying the queue set on the caller's path."""

    def __init__(
        self,
        b: FlowBuilder,
        actions: dict[str, dict[str, Any]],
        names: dict[str, dict[str, Any]],
        hours: list[tuple[str, dict[str, str]]],
        legacy: bool,
    ) -> None:
        self.b, self.actions, self.names, self.hours, self.legacy = (
            b,
            actions,
            names,
            hours,
            legacy,
        )
        self.todo: deque[tuple[str, str | None]] = deque()
        self.later: deque[tuple[str, str | None]] = deque()

    def key(self, aid: str | None, queue: str | None, *, error: bool = False) -> str | None:
        if aid is None or aid not in self.actions:
            return None
        k = aid if queue is None else f"{aid}@{queue}"
        if not self.b.has(k):
            (self.later if error else self.todo).append((aid, queue))
        return k

    def walk(self, start: str) -> None:
        """Breadth first from the start; steps reached only on errors come last."""
        self.key(start, None)
        while self.todo or self.later:
            aid, queue = self.todo.popleft() if self.todo else self.later.popleft()
            k = aid if queue is None else f"{aid}@{queue}"
            if not self.b.has(k):
                self.action(k, self.actions[aid], queue)

    def action(self, k: str, a: dict[str, Any], queue: str | None) -> None:
        b = self.b
        typ = str(a.get("Type", ""))
        params = a.get("Parameters") or {}
        trans = a.get("Transitions") or {}
        names = a.get("_names") or self.names.get(str(a["Identifier"]), {})
        nxt = trans.get("NextAction")
        errors = {
            str(e.get("ErrorType")): e.get("NextAction")
            for e in trans.get("Errors") or []
            if isinstance(e, dict)
        }
        conds = [
            (
                str((c.get("Condition") or {}).get("Operator", "Equals")),
                [str(o) for o in (c.get("Condition") or {}).get("Operands") or []],
                c.get("NextAction"),
            )
            for c in trans.get("Conditions") or []
            if isinstance(c, dict)
        ]
        meta = {"source": {"id": str(a["Identifier"]), "type": a.get("_legacy") or typ}}

        def to(target: Any, q: str | None = queue, error: bool = False) -> str | None:
            return self.key(str(target), q, error=error) if target is not None else None

        def record_errors(*skip: str) -> None:
            for e, t in errors.items():
                if e not in skip:
                    b.error_path(k, e, to(t, error=True))

        if typ in ("MessageParticipant", "MessageParticipantIteratively"):
            node: dict[str, Any] = {"type": "message"}
            text = _text(params, names)
            if text:
                node["prompt"] = text
            node["next"] = to(nxt)
            node["meta"] = meta
            b.add(k, node, label=_label(text, "message"))
            record_errors()
        elif typ == "GetParticipantInput" or typ == "ConnectParticipantWithLexBot":
            self.ask(k, typ, params, names, nxt, conds, errors, meta, to)
        elif typ == "CheckHoursOfOperation":
            label = names.get("hours") or _resource_name(params.get("HoursOfOperationId"))
            schedule = self.schedule(label or "hours of operation")
            when = []
            otherwise = None
            for _op, operands, t in conds:
                if operands[:1] == ["True"]:
                    when.append({"open": schedule, "next": to(t)})
                else:
                    otherwise = to(t)
            if not when:
                when.append({"open": schedule, "next": otherwise})
            b.add(
                k,
                {"type": "branch", "when": when, "otherwise": otherwise, "meta": meta},
                label=f"check {schedule}",
            )
            record_errors()
        elif typ == "UpdateContactTargetQueue":
            label = (
                names.get("queue")
                or _resource_name(params.get("QueueId") or params.get("Queue"))
                or "queue"
            )
            b.alias(k, to(nxt, slug(label) or "queue"))
            record_errors()
        elif typ == "TransferContactToQueue":
            b.destination(k, queue or names.get("queue") or "queue", queue=True, meta=meta)
            record_errors()
        elif typ == "TransferParticipantToThirdParty":
            number = str(params.get("ThirdPartyPhoneNumber") or "")
            b.destination(k, names.get("queue") or "phone transfer", queue=False, meta=meta)
            if number:
                meta["source"]["number"] = number
            record_errors()
        elif typ == "TransferToFlow":
            flow = names.get("contactflow") or _resource_name(params.get("ContactFlowId"))
            meta["source"]["flow"] = flow
            if queue is not None:
                b.destination(k, queue, queue=True, meta=meta)
                b.note(
                    f"queue: {queue!r} is reached through another flow ({flow}); "
                    "modelled as that queue"
                )
            else:
                task = b.task(flow or "other flow")
                b.add(k, {"type": "self_service", "handles": [task], "meta": meta}, label=flow)
                b.note(
                    f"outside this file: flow {flow!r} is modelled as self-service that "
                    f"resolves task {task!r}; import it too and join the trees"
                )
            record_errors()
        elif typ in ("DisconnectParticipant", "EndFlowExecution", "EndFlowModuleExecution"):
            b.add(k, {"type": "hangup", "meta": meta}, label="disconnect")
        elif typ in ("Compare", "CheckMetricData", "DistributeByPercentage", "GetMetricData"):
            what = {
                "Compare": str(
                    params.get("ComparisonValue")
                    or f"{params.get('Namespace', '')} {params.get('Attribute', '')}".strip()
                ),
                "CheckMetricData": "queue staffed",
            }.get(typ, typ)
            targets = [(f"{what} {op} {','.join(v)}", to(t)) for op, v, t in conds]
            other = errors.get("NoMatchingCondition", nxt)
            if other is not None or not targets:
                targets.append(("no match", to(other)))
            b.split(k, targets, f"check {_resource_name(what)}", meta)
            record_errors("NoMatchingCondition")
        elif typ == "Loop":
            # The first time through, a loop runs its body; a menu whose failures come back
            # through the loop gets the count as its retries (see `failures`).
            body = next((t for _o, v, t in conds if v[:1] == ["ContinueLooping"]), None)
            done = next((t for _o, v, t in conds if v[:1] == ["DoneLooping"]), nxt)
            try:
                count: int | None = int(params.get("LoopCount") or 0) or None
            except (TypeError, ValueError):
                count = None
            b.loop(
                k,
                to(body) if body is not None else None,
                to(done),
                count,
                f"Loop {str(a.get('Identifier'))[:8]}",
            )
        elif typ in _PASS:
            if typ == "InvokeFlowModule":
                b.note("outside this file: a flow module is called and passed through")
            b.alias(k, to(nxt))
            record_errors()
        else:
            b.unknown(typ or "(no type)", str(a["Identifier"]), _plain(a))
            b.alias(k, to(nxt))
            record_errors()

    def schedule(self, label: str) -> str:
        for name, table in self.hours:
            if slug(name) == slug(label) or len(self.hours) == 1:
                return self.b.schedule(label, table)
        return self.b.schedule(label)

    def ask(
        self,
        k: str,
        typ: str,
        params: dict[str, Any],
        names: dict[str, Any],
        nxt: Any,
        conds: list[tuple[str, list[str], Any]],
        errors: dict[str, Any],
        meta: dict[str, Any],
        to: Any,
    ) -> None:
        b = self.b
        text = _text(params, names)
        fields: dict[str, Any] = {}
        if text:
            fields["prompt"] = text
        try:
            t = float(params.get("InputTimeLimitSeconds") or 0)
        except (TypeError, ValueError):
            t = 0.0
        if t > 0:
            fields["timeout_s"] = t
        dtmf = params.get("DTMFConfiguration") or {}
        max_digits = dtmf.get("MaxDigits") or params.get("MaxDigits")
        validation = (params.get("InputValidation") or {}).get("CustomValidation") or {}
        max_digits = validation.get("MaximumLength", max_digits)
        timeout, invalid = errors.get("InputTimeLimitExceeded"), errors.get("NoMatchingCondition")
        store = str(params.get("StoreInput", "")).lower() == "true"
        if typ == "ConnectParticipantWithLexBot" or (conds and not store):
            options: dict[str, dict[str, Any]] = {}
            odd = []
            speech_only = typ == "ConnectParticipantWithLexBot"
            for _op, operands, target in conds:
                value = operands[0] if operands else ""
                if not speech_only and re.fullmatch(r"[0-9*#]", value) and value not in options:
                    options[value] = {"next": to(target)}
                    continue
                free = next((c for c in "123456789" if c not in options), None)
                if free is None or not speech_only:
                    odd.append(value)
                    continue
                options[free] = {"next": to(target), "speech": [value]}
            if speech_only:
                fields["modality"] = "speech"
                b.note(
                    f"speech: {_label(text, k)!r} is a Lex bot; its intents "
                    f"({', '.join(o['speech'][0] for o in options.values())}) are given keys "
                    "1, 2, … for the model"
                )
                invalid = invalid if invalid is not None else nxt
            if odd:
                meta["source"]["unkeyed_values"] = odd
            if not options:
                options["1"] = {"next": to(invalid)}
            node = {"type": "menu", **fields, "options": options, "meta": meta}
            b.add(k, node, label=_label(text, "menu"))
            self.failures(k, to, timeout, invalid)
            for e, target in errors.items():
                if e not in _FAILURE_ERRORS:
                    b.error_path(k, e, to(target, error=True))
            return
        node = {
            "type": "input",
            "collects": slug(names.get("promptname") or "") or _datum(text),
            **fields,
            "next": to(nxt),
            "meta": meta,
        }
        try:
            digits = int(max_digits) if max_digits is not None else None
        except (TypeError, ValueError):
            digits = None
        if digits and 1 <= digits <= 64:
            node["digits"] = digits
        if not store and not conds:
            b.note(
                f"input: {_label(text, k)!r} takes keys without choices in the flow (the value "
                "is used later, e.g. by a function); modelled as an input"
            )
        b.add(k, node, label=_label(text, "input"))
        self.failures(k, to, timeout or errors.get("NoMatchingError"), invalid)
        for e, target in errors.items():
            if e not in _FAILURE_ERRORS and e != "NoMatchingError":
                b.error_path(k, e, to(target, error=True))

    def failures(self, k: str, to: Any, timeout: Any, invalid: Any) -> None:
        loop = None
        for target in {timeout, invalid} - {None}:
            a = self.actions.get(str(target))
            if a is not None and a.get("Type") == "Loop":
                params = a.get("Parameters") or {}
                conds = (a.get("Transitions") or {}).get("Conditions") or []
                cont = next(
                    (
                        c.get("NextAction")
                        for c in conds
                        if ((c.get("Condition") or {}).get("Operands") or [""])[0]
                        == "ContinueLooping"
                    ),
                    None,
                )
                done = next(
                    (
                        c.get("NextAction")
                        for c in conds
                        if ((c.get("Condition") or {}).get("Operands") or [""])[0] == "DoneLooping"
                    ),
                    None,
                )
                here = k.split("@", 1)[0]
                if str(cont) == here:
                    try:
                        count = int(params.get("LoopCount") or 0)
                    except (TypeError, ValueError):
                        count = 0
                    loop = (count, to(done))
        self.b.failures(
            k,
            timeout=to(timeout) if timeout is not None else None,
            invalid=to(invalid) if invalid is not None else None,
            loop=loop,
        )


def _plain(action: dict[str, Any]) -> dict[str, Any]:
    """An action as the file had it (without the importer's own keys)."""
    return {k: v for k, v in action.items() if not k.startswith("_")}


def _label(text: str | None, fallback: str) -> str:
    if not text:
        return fallback
    return " ".join(text.split()[:6])


def _datum(text: str | None) -> str:
    """A datum name from an input's prompt: "Please enter your card number" -> card_number."""
    if text:
        m = re.search(
            r"(?:enter|key in|say|type|provide)\s+(?:your|the)?\s*([\w\s-]+?)(?:[,.;#]|\s+(?:followed|then|and|using|on|by|now)\b|$)",
            text,
            re.I,
        )
        if m:
            s = slug(m.group(1), 24)
            if s:
                return s
    return "customer_input"
