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
