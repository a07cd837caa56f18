"""Flows nobody has seen: random and damaged files import to a valid tree or fail with one line.

Whatever a platform file holds, the importer must either return a tree that validates, lints and
analyses, or raise :class:`~ivrscore.TreeFileError` - never another exception.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ivrscore as ivr
from ivrscore.importers import read_bytes
from ivrscore.importers.wrappers import TERRAFORM_RESOURCES

NAMES = st.sampled_from(["a", "b", "c", "d", "e", "f"])
TARGET = st.one_of(st.none(), NAMES, st.just("nowhere"))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(raw: bytes, fmt: str) -> None:
    try:
        imported = read_bytes(raw, format=fmt, source="fuzz")
    except ivr.TreeFileError as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        assert message.startswith("fuzz") and "\n" not in message
        return
    tree = imported.tree
    assert ivr.loads(ivr.dumps(tree)) == tree
    ivr.lint(tree)
    result = ivr.analyze(tree, approximate=True)
    assert abs(sum(result.outcomes.values()) - 1.0) < 1e-9


TWILIO_TYPES = ["say-play", "gather-input-on-call", "split-based-on", "connect-call-to",
                "enqueue-call", "send-to-flex", "record-voicemail", "run-function",
                "set-variables", "run-subflow", "make-http-request", "mystery"]  # fmt: skip
TWILIO_EVENTS = ["audioComplete", "keypress", "speech", "timeout", "noMatch", "match", "success",
                 "fail", "next", "callComplete", "completed"]  # fmt: skip


@st.composite
def twilio_flows(draw: st.DrawFn) -> bytes:
    states: list[dict[str, Any]] = [
        {"name": "Trigger", "type": "trigger",
         "transitions": [{"event": "incomingCall", "next": draw(NAMES)}]}]  # fmt: skip
    for name in draw(st.lists(NAMES, unique=True, min_size=1, max_size=6)):
        transitions = []
        for _ in range(draw(st.integers(0, 4))):
            t: dict[str, Any] = {"event": draw(st.sampled_from(TWILIO_EVENTS))}
            target = draw(TARGET)
            if target:
                t["next"] = target
            if t["event"] == "match":
                t["conditions"] = [{"type": draw(st.sampled_from(["equal_to", "contains", "is_before_time"])),
                                    "value": draw(st.sampled_from(["1", "2", "9,0", "true", "sales", ""]))}]  # fmt: skip
            transitions.append(t)
        props: dict[str, Any] = {}
        if draw(st.booleans()):
            props["say"] = draw(
                st.sampled_from(["Press 1.", "{% if x %}A{% else %}B{% endif %}", ""])
            )
        if draw(st.booleans()):
            field = draw(st.sampled_from(["Digits", "SpeechResult", "parsed.isOpen"]))
            props["input"] = "{{widgets." + draw(NAMES) + "." + field + "}}"
        states.append({"name": name, "type": draw(st.sampled_from(TWILIO_TYPES)),
                       "transitions": transitions, "properties": props})  # fmt: skip
    return json.dumps({"initial_state": "Trigger", "states": states}).encode()


@SETTINGS
@given(twilio_flows())
def test_random_twilio_flows(raw: bytes) -> None:
    _check(raw, "twilio")


CONNECT_TYPES = ["MessageParticipant", "GetParticipantInput", "ConnectParticipantWithLexBot",
                 "CheckHoursOfOperation", "UpdateContactTargetQueue", "TransferContactToQueue",
                 "TransferToFlow", "DisconnectParticipant", "Compare", "Loop",
                 "InvokeLambdaFunction", "Mystery"]  # fmt: skip


@st.composite
def connect_flows(draw: st.DrawFn) -> bytes:
    actions = []
    for name in draw(st.lists(NAMES, unique=True, min_size=1, max_size=6)):
        trans: dict[str, Any] = {}
        if draw(st.booleans()):
            trans["NextAction"] = draw(TARGET)
        conds = []
        for _ in range(draw(st.integers(0, 3))):
            value = draw(
                st.sampled_from(
                    ["1", "2", "#", "True", "False", "ContinueLooping", "DoneLooping", "Sales"]
                )
            )
            conds.append(
                {
                    "NextAction": draw(TARGET),
                    "Condition": {"Operator": "Equals", "Operands": [value]},
                }
            )
        if conds:
            trans["Conditions"] = conds
        errors = [{"NextAction": draw(TARGET),
                   "ErrorType": draw(st.sampled_from(["InputTimeLimitExceeded", "NoMatchingCondition", "NoMatchingError", "QueueAtCapacity"]))}
                  for _ in range(draw(st.integers(0, 2)))]  # fmt: skip
        if errors:
            trans["Errors"] = errors
        params = draw(st.sampled_from([{}, {"Text": "Press 1."}, {"StoreInput": "True", "Text": "Enter your number."},
                                       {"LoopCount": "2"}, {"QueueId": "arn:x/queue/Sales"}]))  # fmt: skip
        actions.append({"Identifier": name, "Type": draw(st.sampled_from(CONNECT_TYPES)),
                        "Parameters": params, "Transitions": trans})  # fmt: skip
    return json.dumps(
        {"Version": "2019-10-30", "StartAction": draw(NAMES), "Actions": actions}
    ).encode()


@SETTINGS
@given(connect_flows())
def test_random_connect_flows(raw: bytes) -> None:
    _check(raw, "connect")


VXML_PARTS = [
    '<menu id="{a}"><prompt>Menu {a}.</prompt><choice dtmf="1" next="#{b}">One</choice><choice next="#{c}">Two</choice><nomatch><reprompt/></nomatch></menu>',
    '<form id="{a}"><block>Hello.<goto next="#{b}"/></block></form>',
    '<form id="{a}"><field name="f{a}"><prompt>Key it.</prompt><filled><if cond="x"><goto next="#{b}"/><else/><disconnect/></if></filled><noinput><goto next="#{c}"/></noinput></field></form>',
    '<form id="{a}"><transfer dest="tel:1"><error><goto next="#{b}"/></error></transfer></form>',
    '<form id="{a}"><record name="r"/><block><clear/></block></form>',
    '<form id="{a}"><audio src="x.wav"/><goto expr="\'#{b}\'"/></form>',
    '<form id="{a}"><subdialog src="x.vxml"/><block><exit/></block></form>',
]


@SETTINGS
@given(
    st.lists(st.tuples(st.sampled_from(VXML_PARTS), NAMES, NAMES, NAMES), min_size=1, max_size=5)
)
def test_random_voicexml_documents(parts: list[tuple[str, str, str, str]]) -> None:
    seen: set[str] = set()
    body = ""
    for template, a, b, c in parts:
        if a in seen:
            continue
        seen.add(a)
        body += template.format(a=a, b=b, c=c)
    _check(f'<vxml version="2.1">{body}</vxml>'.encode(), "voicexml")


ASTERISK_LINES = [
    "exten => s,1,Background(welcome)", " same => n,WaitExten(5)", " same => n(top),Playback(hi)",
    "exten => 1,1,Goto({a},s,1)", "exten => 2,1,Queue(sales,,,,60)", "exten => 3,1,VoiceMail(1@x)",
    "exten => i,1,Goto(s,top)", "exten => t,1,Hangup()", "exten => 4,1,GotoIf($[x]?s,1:i,1)",
    "exten => 5,1,GotoIfTime(9:00-17:00,mon-fri,*,*?1,1)", "exten => 6,1,Read(x,enter,4)",
    " same => n,Dial(PJSIP/${{x}})", "include => {a}", "include => {a},9:00-17:00,mon-fri,*,*",
    "exten => _X.,1,Directory(x)", "exten => 7,1,Goto(nowhere,1)",
]  # fmt: skip


@SETTINGS
@given(st.lists(st.tuples(NAMES, st.lists(st.tuples(st.sampled_from(ASTERISK_LINES), NAMES), max_size=8)), min_size=1, max_size=3))  # fmt: skip
def test_random_asterisk_dialplans(contexts: list[tuple[str, list[tuple[str, str]]]]) -> None:
    text = ""
    for name, lines in contexts:
        text += f"[{name}]\n" + "".join(line.format(a=a) + "\n" for line, a in lines)
    _check(text.encode(), "asterisk")


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["1", "2", "9", "*", "/^(1\\d)$/", ""]),
                          st.sampled_from(["menu-sub", "menu-top", "menu-back", "menu-exit", "menu-exec-app", "menu-play-sound", "bogus"]),
                          st.sampled_from(["a", "b", "transfer 100 XML default", "hangup", "ivr a", "say:Hi", "", "voicemail default x 1"])),
                max_size=6), NAMES)  # fmt: skip
def test_random_freeswitch_menus(entries: list[tuple[str, str, str]], name: str) -> None:
    items = "".join(f'<entry action="{act}" digits="{d}" param="{p}"/>' for d, act, p in entries)
    doc = f'<include><menu name="a" max-failures="x">{items}</menu><menu name="{name}b"/></include>'
    _check(doc.encode(), "freeswitch")


# -- wrong shapes: any value of a real platform document replaced by one of another type -------

WRONG = st.sampled_from([None, "x", 0, 1.5, True, [], ["x"], [None], {}, {"x": 1}])

TWILIO_BASE = {
    "initial_state": "Trigger",
    "states": [
        {"name": "Trigger", "type": "trigger",
         "transitions": [{"event": "incomingCall", "next": "menu"}]},
        {"name": "menu", "type": "gather-input-on-call",
         "properties": {"say": "Press 1 or say sales.", "timeout": 5, "number_of_digits": 1},
         "transitions": [{"event": "keypress", "next": "keys"}, {"event": "speech", "next": "words"},
                         {"event": "timeout", "next": "menu"}]},
        {"name": "keys", "type": "split-based-on", "properties": {"input": "{{widgets.menu.Digits}}"},
         "transitions": [{"event": "noMatch", "next": "menu"},
                         {"event": "match", "next": "sales",
                          "conditions": [{"friendly_name": "one", "type": "equal_to", "value": "1"}]}]},
        {"name": "words", "type": "split-based-on", "properties": {"input": "{{widgets.menu.SpeechResult}}"},
         "transitions": [{"event": "noMatch", "next": "menu"},
                         {"event": "match", "next": "sales", "conditions": [{"type": "contains", "value": "sales"}]}]},
        {"name": "sales", "type": "connect-call-to", "properties": {"to": "+1555"},
         "transitions": [{"event": "callCompleted", "next": "status"}]},
        {"name": "status", "type": "split-based-on", "properties": {"input": "{{widgets.sales.DialCallStatus}}"},
         "transitions": [{"event": "noMatch"}, {"event": "match", "next": "vm",
                          "conditions": [{"type": "equal_to", "value": "no-answer"}]}]},
        {"name": "vm", "type": "record-voicemail", "transitions": [{"event": "recordingComplete"}]},
    ],
}  # fmt: skip

CONNECT_BASE = {
    "Version": "2019-10-30",
    "StartAction": "hi",
    "Metadata": {"ActionMetadata": {"hi": {"position": {"x": 1, "y": 2}}}},
    "Actions": [
        {"Identifier": "hi", "Type": "MessageParticipant", "Parameters": {"Text": "Hello."},
         "Transitions": {"NextAction": "menu", "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}]}},
        {"Identifier": "menu", "Type": "GetParticipantInput",
         "Parameters": {"Text": "Press 1 for sales.", "InputTimeLimitSeconds": "5"},
         "Transitions": {"NextAction": "bye",
                         "Conditions": [{"NextAction": "q", "Condition": {"Operator": "Equals", "Operands": ["1"]}}],
                         "Errors": [{"NextAction": "loop", "ErrorType": "InputTimeLimitExceeded"},
                                    {"NextAction": "loop", "ErrorType": "NoMatchingCondition"}]}},
        {"Identifier": "loop", "Type": "Loop", "Parameters": {"LoopCount": "3"},
         "Transitions": {"NextAction": "bye",
                         "Conditions": [{"NextAction": "menu", "Condition": {"Operator": "Equals", "Operands": ["ContinueLooping"]}},
                                        {"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": ["DoneLooping"]}}]}},
        {"Identifier": "q", "Type": "UpdateContactTargetQueue", "Parameters": {"QueueId": "arn:x/queue/Sales"},
         "Transitions": {"NextAction": "t"}},
        {"Identifier": "t", "Type": "TransferContactToQueue", "Parameters": {}, "Transitions": {"NextAction": "bye"}},
        {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
    ],
}  # fmt: skip

LEGACY_BASE = {
    "modules": [
        {"id": "m1", "type": "PlayPrompt", "branches": [{"condition": "Success", "transition": "m2"}],
         "parameters": [{"name": "Text", "value": "Hello."}], "metadata": {"position": {"x": 1}}},
        {"id": "m2", "type": "GetUserInput",
         "branches": [{"condition": "Evaluate", "conditionType": "Equals", "conditionValue": "1", "transition": "m3"},
                      {"condition": "Timeout", "transition": "m2"}, {"condition": "NoMatch", "transition": "m2"}],
         "parameters": [{"name": "Text", "value": "Press 1."}, {"name": "Timeout", "value": "5"}]},
        {"id": "m3", "type": "Transfer", "branches": [{"condition": "Error", "transition": "m1"}],
         "parameters": [{"name": "Queue", "value": "arn:x/queue/Sales", "resourceName": "Sales"}]},
    ],
    "start": "m1",
    "metadata": {"name": "legacy"},
}  # fmt: skip


def _paths(doc: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [here]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*here, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*here, i))
    return out


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(doc))
    node = copy
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return copy


@st.composite
def damaged(draw: st.DrawFn, base: Any) -> bytes:
    doc = base
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc)))
        doc = _replace(doc, path, draw(WRONG))
    return json.dumps(doc).encode()


def _shape_check(raw: bytes, fmt: str) -> None:
    try:
        imported = read_bytes(raw, format=fmt, source="shape.json")
    except ivr.TreeFileError as exc:
        message = str(exc)
        assert message.startswith("shape.json") and "\n" not in message, message
        assert "developers" not in message
        return
    ivr.lint(imported.tree)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged(TWILIO_BASE))
def test_twilio_wrong_shapes(raw: bytes) -> None:
    _shape_check(raw, "twilio")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged(CONNECT_BASE))
def test_connect_wrong_shapes(raw: bytes) -> None:
    _shape_check(raw, "connect")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged(LEGACY_BASE))
def test_connect_legacy_wrong_shapes(raw: bytes) -> None:
    _shape_check(raw, "connect")


def test_every_single_wrong_value_in_the_base_documents() -> None:
    """Exhaustive: each value of each base document, replaced by each wrong type."""
    for base, fmt in ((TWILIO_BASE, "twilio"), (CONNECT_BASE, "connect"), (LEGACY_BASE, "connect")):
        for path in _paths(base):
            for value in (None, "x", 1, [], {}, ["x"]):
                _shape_check(json.dumps(_replace(base, path, value)).encode(), fmt)


def test_wrong_shape_message_names_the_step_and_line() -> None:
    doc = json.loads(json.dumps(CONNECT_BASE))
    doc["Actions"][1]["Transitions"]["Conditions"] = "1"
    raw = json.dumps(doc, indent=1).encode()
    try:
        read_bytes(raw, format="connect", source="flow.json")
    except ivr.TreeFileError as exc:
        message = str(exc)
    else:
        raise AssertionError("a string for Conditions was accepted")
    line = next(i for i, t in enumerate(raw.decode().splitlines(), 1) if '"Conditions": "1"' in t)
    assert message.startswith(
        f"flow.json:{line}: step 'menu': Transitions.Conditions should be a list"
    )


# -- depth and size: long dialplans import without recursion, in linear time -------------------


def test_long_asterisk_chains_do_not_recurse() -> None:
    n = 5000
    steps = "[a]\nexten => s,1,Answer()\n" + "".join(f" same => n,Set(X={i})\n" for i in range(n))
    steps += " same => n,Background(hi)\n same => n,WaitExten(5)\nexten => 1,1,Hangup()\n"
    gotos = "".join(f"[c{i}]\nexten => s,1,Goto(c{i + 1},s,1)\n" for i in range(n))
    gotos += (
        f"[c{n}]\nexten => s,1,Background(hi)\n same => n,WaitExten(5)\nexten => 1,1,Hangup()\n"
    )
    includes = "[top]\nexten => s,1,Background(x)\n same => n,WaitExten(5)\ninclude => c0\n"
    includes += "".join(f"[c{i}]\ninclude => c{i + 1}\n" for i in range(n))
    includes += f"[c{n}]\nexten => 1,1,Hangup()\n"
    # 25 levels of two contexts that each include both of the next level: 2**25 paths.
    lattice = "[top]\nexten => s,1,Background(x)\n same => n,WaitExten(5)\ninclude => c0\n"
    lattice += "".join(
        f"[c{i}]\ninclude => c{i + 1}\ninclude => d{i + 1}\n[d{i}]\ninclude => c{i + 1}\n"
        f"include => d{i + 1}\n"
        for i in range(25)
    )
    lattice += "[c25]\nexten => 1,1,Hangup()\n"
    for text, entry in ((steps, None), (gotos, "c0"), (includes, "top"), (lattice, "top")):
        tree = read_bytes(text.encode(), format="asterisk", entry=entry).tree
        menu = tree.node(tree.entry)
        assert menu.type == "menu" and list(menu.options) == ["1"]  # type: ignore[union-attr]
        assert tree.node(menu.options["1"].next).type == "hangup"  # type: ignore[union-attr]


ARCHY_PARTS = [
    "- menu: {{name: M{a}, refId: {a}, audio: {{tts: Press 1.}}, choices: [{{menuJumpToMenu: {{dtmf: digit_1, targetMenuRef: '/inboundCall/menus/menu[{b}]'}}}}, {{menuTask: {{dtmf: digit_2, targetTaskRef: '/inboundCall/tasks/task[{b}]'}}}}, {{menuDisconnect: {{dtmf: digit_9}}}}]}}",
    "- menu: {{name: M{a}, refId: {a}, choices: [{{menuTransferToAcd: {{dtmf: digit_{c}, queue: {{lit: {{name: Q}}}}}}}}, {{menuRepeat: {{dtmf: digit_star}}}}, 3, null]}}",
]  # fmt: skip
ARCHY_TASKS = [
    "- task: {{name: T{a}, refId: {a}, actions: [{{playAudio: {{audio: {{tts: Hi}}}}}}, {{jumpToTask: {{targetTaskRef: '/inboundCall/tasks/task[{b}]'}}}}]}}",
    "- task: {{name: T{a}, refId: {a}, actions: [{{evaluateScheduleGroup: {{outputs: {{open: {{actions: [{{jumpToMenu: {{targetMenuRef: '/inboundCall/menus/menu[{b}]'}}}}]}}, closed: {{actions: [{{disconnect: {{}}}}]}}}}}}}}]}}",
    "- task: {{name: T{a}, refId: {a}, actions: [{{loop: {{maxLoopCount: {{lit: 3}}, outputs: {{loop: {{actions: [{{playAudio: {{audio: {{tts: x}}}}}}]}}}}}}}}, {{collectInput: {{outputs: {{success: {{actions: [{{jumpToTask: {{targetTaskRef: '/inboundCall/tasks/task[{b}]'}}}}]}}}}}}}}]}}",
    "- task: {{name: T{a}, refId: {a}, actions: [{{decision: {{outputs: {{yes: {{actions: [{{transferToAcd: {{targetQueue: {{lit: {{name: Q}}}}}}}}]}}}}}}}}, {{mystery: 1}}, 7]}}",
]  # fmt: skip


@SETTINGS
@given(
    st.lists(
        st.tuples(st.sampled_from(ARCHY_PARTS), NAMES, NAMES, st.sampled_from("19")), max_size=3
    ),
    st.lists(st.tuples(st.sampled_from(ARCHY_TASKS), NAMES, NAMES), max_size=3),
    st.sampled_from(["menu", "task"]),
    NAMES,
)
def test_random_archy_flows(
    menus: list[tuple[str, str, str, str]], tasks: list[tuple[str, str, str]], kind: str, start: str
) -> None:
    text = f"inboundCall:\n  name: fuzz\n  startUpRef: /inboundCall/{kind}s/{kind}[{start}]\n"
    if menus:
        text += "  menus:\n" + "".join(f"    {t.format(a=a, b=b, c=c)}\n" for t, a, b, c in menus)
    if tasks:
        text += "  tasks:\n" + "".join(f"    {t.format(a=a, b=b)}\n" for t, a, b in tasks)
    _check(text.encode(), "genesys")


TF_VALUES = [
    '"{\\"Version\\": \\"2019-10-30\\", \\"StartAction\\": \\"a\\", \\"Actions\\": []}"',
    'jsonencode({ Version = "2019-10-30", StartAction = "a", Actions = [ { Identifier = "a", Type = "DisconnectParticipant", Transitions = {} } ] })',
    "jsonencode({ a = [1, 2, { b = null }], c = true })", "jsonencode({ a = var.x })",
    'jsonencode({ a = "${var.x}" })', "jsonencode({ a = ", 'file("missing.json")',
    'file("${var.dir}/f.json")', 'templatefile("f.tpl", {})', "var.flow", "local.flows[0]",
    "<<EOF\n{}\nEOF", "<<-EOT\n  not json\n  EOT", "<<EOF\n${var.x}\nEOF", '"unterminated', "",
    '"{}"', "42", "[1, 2]",
]  # fmt: skip
TF_TYPES = list(TERRAFORM_RESOURCES)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(TF_TYPES), NAMES, st.sampled_from(TF_VALUES),
                          st.sampled_from(["content", "definition", "filepath", "name"])),
                min_size=1, max_size=4),
       st.one_of(st.none(), NAMES))  # fmt: skip
def test_random_terraform_files(
    resources: list[tuple[str, str, str, str]], flow: str | None
) -> None:
    text = "".join(
        f'resource "{t}" "{n}" {{\n  {attr} = {value}\n}}\n' for t, n, value, attr in resources
    )
    try:
        imported = read_bytes(text.encode(), source="fuzz.tf", flow=flow)
    except ivr.TreeFileError as exc:
        message = str(exc)
        assert message.startswith("fuzz.tf") and "\n" not in message, message
    else:
        ivr.lint(imported.tree)


CFN_CONTENTS = [
    json.dumps(json.dumps(CONNECT_BASE)), "!Sub '{}'", "{Fn::Sub: x}", "null", "[1]", "'not json'",
    json.dumps(CONNECT_BASE), "{}", "!Ref X", "'{\"StartAction\": 1}'",
]  # fmt: skip


@SETTINGS
@given(st.lists(st.tuples(NAMES, st.sampled_from(CFN_CONTENTS)), min_size=1, max_size=3),
       st.one_of(st.none(), NAMES))  # fmt: skip
def test_random_cloudformation_templates(
    resources: list[tuple[str, str]], flow: str | None
) -> None:
    text = "Resources:\n" + "".join(
        f"  R{n}:\n    Type: AWS::Connect::ContactFlow\n    Properties:\n      Content: {c}\n"
        for n, c in resources
    )
    try:
        imported = read_bytes(text.encode(), source="fuzz.yaml", flow=flow)
    except ivr.TreeFileError as exc:
        message = str(exc)
        assert message.startswith("fuzz.yaml") and "\n" not in message, message
    else:
        ivr.lint(imported.tree)


def test_voicexml_dialog_ids_that_clash() -> None:
    doc = b'<vxml><menu id="a"/>\n<menu id="a"><choice dtmf="1" next="#a">x</choice></menu></vxml>'
    try:
        read_bytes(doc, format="voicexml", source="v.vxml")
    except ivr.TreeFileError as exc:
        message = str(exc)
    else:
        raise AssertionError("two dialogs with one id were accepted")
    assert message == "v.vxml:2: two dialogs have the id 'a'; a <goto next='#a'> could mean either"
    # An unnamed dialog does not take the name of one the document names.
    doc = (
        b'<vxml><form><block>Hi.<goto next="#dialog1"/></block></form>'
        b'<form id="dialog1"><block>There.</block></form></vxml>'
    )
    tree = read_bytes(doc, format="voicexml").tree
    assert tree.node(tree.node(tree.entry).next).prompt == "There."  # type: ignore[union-attr, arg-type]
