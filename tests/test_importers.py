"""Importers, one construct at a time, on small inline flows (the real samples: test_samples.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import ivrscore as ivr
from ivrscore import importers
from ivrscore.importers import read_bytes
from ivrscore.importers._builder import FOREVER_RETRIES

# -- helpers ----------------------------------------------------------------------------------------


def twilio(*states: dict[str, Any], entry: str = "start") -> bytes:
    trigger = {
        "name": "Trigger",
        "type": "trigger",
        "transitions": [{"event": "incomingCall", "next": entry}, {"event": "incomingMessage"}],
    }
    return json.dumps({"description": "Test flow", "initial_state": "Trigger",
                       "states": [trigger, *states]}).encode()  # fmt: skip


def state(
    name: str, kind: str, props: dict[str, Any] | None = None, **events: Any
) -> dict[str, Any]:
    transitions = []
    for event, target in events.items():
        if isinstance(target, list):  # match transitions: [(value, next), ...]
            for value, nxt in target:
                t = {"event": "match", "conditions": [{"type": "equal_to", "value": value}]}
                if nxt:
                    t["next"] = nxt
                transitions.append(t)
        else:
            transitions.append({"event": event, **({"next": target} if target else {})})
    return {"name": name, "type": kind, "transitions": transitions, "properties": props or {}}


def connect(*actions: dict[str, Any], start: str = "a") -> bytes:
    return json.dumps(
        {"Version": "2019-10-30", "StartAction": start, "Actions": list(actions)}
    ).encode()


def action(ident: str, kind: str, params: dict[str, Any] | None = None, nxt: str | None = None,
           conditions: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    trans: dict[str, Any] = {}
    if nxt:
        trans["NextAction"] = nxt
    if conditions:
        trans["Conditions"] = [
            {"NextAction": t, "Condition": {"Operator": "Equals", "Operands": [v]}}
            for v, t in conditions.items()
        ]
    if errors:
        trans["Errors"] = [{"NextAction": t, "ErrorType": e} for e, t in errors.items()]
    return {"Identifier": ident, "Type": kind, "Parameters": params or {}, "Transitions": trans}


def keys(tree: ivr.PhoneTree, nid: str | None = None) -> dict[str, str]:
    node = tree.node(nid or tree.entry)
    return {k: o.next for k, o in node.options.items()}  # type: ignore[union-attr]


# -- detection and errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b'{"states": [], "initial_state": "Trigger"}', "twilio"),
        (b'{"modules": [], "version": "1", "start": "x"}', "connect"),
        (b'{"Name": "x", "Type": "CONTACT_FLOW", "Content": "{}"}', "connect"),
        (b'{"Name": "x", "TimeZone": "UTC", "Config": []}', "connect-hours"),
        (b'<?xml version="1.0"?><vxml version="2.0"><form/></vxml>', "voicexml"),
        (b'<include><menu name="m"/></include>', "freeswitch"),
        (b'<include><macro name="m"/></include>', "freeswitch-phrases"),
        (b"[ivr]\nexten => s,1,Answer()\n", "asterisk"),
        (b"[sales]\nstrategy=ringall\nmember => PJSIP/1\n", "asterisk-queues"),
        (b'{"name": "T", "entry": "a", "tasks": [], "nodes": {}}', "ivrscore"),
        (b"<html><body/></html>", "unknown"),
        (b"just some text", "unknown"),
    ],
)
def test_detect(raw: bytes, kind: str) -> None:
    assert importers.detect(raw) == kind


def test_unknown_formats_get_one_clear_line() -> None:
    with pytest.raises(ivr.TreeFileError) as err:
        read_bytes(b"<html/>", source="page.html")
    assert str(err.value) == (
        "page.html: not a flow format ivrscore knows; ivrscore imports twilio, connect, "
        "voicexml, freeswitch, asterisk, genesys; force one with --format"
    )
    with pytest.raises(ivr.TreeFileError, match="unknown flow format 'kazoo'"):
        read_bytes(b"{}", format="kazoo")
    with pytest.raises(ivr.TreeFileError, match="already an ivrscore phone tree"):
        read_bytes(b"name: T\nentry: a\n", source="t.yaml")


def test_malformed_json_names_the_line() -> None:
    with pytest.raises(ivr.TreeFileError, match=r"^flow.json:3: not valid JSON: Expecting"):
        read_bytes(
            b'{"states": [\n  {"name": "a"},\n  oops\n]}', source="flow.json", format="twilio"
        )


def test_format_aliases() -> None:
    flow = twilio(state("start", "say-play", {"say": "Hi."}, audioComplete=None))
    assert read_bytes(flow, format="studio").format == "twilio"


# -- XML safety -------------------------------------------------------------------------------------


def test_xml_entity_expansion_is_refused() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE vxml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<vxml version="2.1"><form><block>&b;</block></form></vxml>"""
    with pytest.raises(ivr.TreeFileError, match="entity declarations are refused"):
        read_bytes(bomb, source="bomb.vxml")


def test_xml_external_entities_are_refused() -> None:
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE vxml [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<vxml version="2.1"><form><block>&x;</block></form></vxml>"""
    with pytest.raises(ivr.TreeFileError, match="refused"):
        read_bytes(xxe, source="xxe.vxml")


def test_malformed_xml_names_file_and_line() -> None:
    with pytest.raises(ivr.TreeFileError, match=r"^broken.vxml:3: not well-formed XML"):
        read_bytes(b'<vxml version="2.1">\n<menu id="m">\n<choice dtmf="1"</menu></vxml>',
                   source="broken.vxml")  # fmt: skip


def test_html_entities_and_bare_ampersands_are_repaired() -> None:
    doc = b"""<vxml version="2.1"><menu id="m"><prompt>Sales&nbsp;&amp; service, press 1 &amp; more</prompt>
      <choice dtmf="1" next="http://x/a?b=1&c=2">Sales &mdash; press 1</choice></menu></vxml>"""
    tree = read_bytes(doc).tree
    assert tree.node("m").options["1"].say == "Sales \u2014 press 1"  # type: ignore[union-attr]


def test_files_over_the_size_bound_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ivrscore.io

    monkeypatch.setattr(ivrscore.io, "MAX_BYTES", 100)
    p = tmp_path / "big.vxml"
    p.write_bytes(b"<vxml>" + b" " * 200 + b"</vxml>")
    with pytest.raises(ivr.TreeFileError, match="ivrscore reads flow files up to"):
        importers.read(p)


# -- Twilio Studio ----------------------------------------------------------------------------------


def test_twilio_gather_and_split_make_one_menu_with_speech() -> None:
    flow = twilio(
        state("start", "gather-input-on-call", {"say": "Sales 1, support 2.", "timeout": 7},
              keypress="keys", speech="words", timeout="start"),
        state("keys", "split-based-on", {"input": "{{widgets.start.Digits}}"},
              noMatch="sorry", match=[("1", "sales"), ("2", "support")]),
        {"name": "words", "type": "split-based-on",
         "properties": {"input": "{{widgets.start.SpeechResult}}"},
         "transitions": [{"event": "noMatch", "next": "sorry"},
                         {"event": "match", "next": "sales",
                          "conditions": [{"type": "contains", "value": "sales,buy"}]},
                         {"event": "match", "next": "billing",
                          "conditions": [{"type": "contains", "value": "bill"}]}]},
        state("sorry", "say-play", {"say": "Sorry."}, audioComplete="start"),
        state("sales", "connect-call-to", {"to": "+15550100"}, callCompleted=None),
        state("support", "enqueue-call", {"queue_name": "Support"}, callComplete=None),
        state("billing", "record-voicemail", {}, recordingComplete=None),
    )  # fmt: skip
    imported = read_bytes(flow)
    tree = imported.tree
    menu = tree.node("start")
    assert menu.type == "menu" and menu.modality == "both"  # type: ignore[union-attr]
    # A speech-only branch is not given a made-up key (issue 19, item 2): it is kept aside.
    assert keys(tree) == {"1": "sales", "2": "support_queue"}
    assert menu.options["1"].speech == ("sales", "buy")  # type: ignore[union-attr]
    assert menu.meta["source"]["speech_only"] == {"bill": "billing"}
    assert (menu.timeout_s, menu.retries, menu.on_failure) == (7.0, FOREVER_RETRIES, None)  # type: ignore[union-attr]
    assert menu.meta["source"]["reprompt"] == "Sorry."
    assert "keys" not in tree.nodes and "words" not in tree.nodes  # the splits are the menu
    assert tree.node("support_queue").next == "support_agent"  # type: ignore[union-attr]
    assert any(w.startswith("replays: 'start'") for w in imported.warnings)
    assert any(
        "speech: 'start' also hears ['bill'], which no key offers" in w for w in imported.warnings
    )


def test_twilio_speech_attaches_to_the_key_the_prompt_pairs_it_with() -> None:
    # "Press 1 or say taxi": the speech branch goes to another widget than key 1, but the
    # prompt says the phrase belongs to key 1.
    flow = twilio(
        state("start", "gather-input-on-call",
              {"say": "Press 1 or say taxi to book. Press 2 or say payment to pay."},
              keypress="keys", speech="words", timeout="start"),
        state("keys", "split-based-on", {"input": "{{widgets.start.Digits}}"},
              noMatch="start", match=[("1", "book"), ("2", "pay")]),
        state("words", "split-based-on", {"input": "{{widgets.start.SpeechResult}}"},
              noMatch="start", match=[("taxi", "said_taxi"), ("payment", "pay")]),
        state("said_taxi", "say-play", {"say": "Taxi."}, audioComplete="book"),
        state("book", "enqueue-call", {"queue_name": "Taxi"}, callComplete=None),
        state("pay", "enqueue-call", {"queue_name": "Payments"}, callComplete=None),
    )  # fmt: skip
    menu = read_bytes(flow).tree.node("start")
    assert menu.options["1"].speech == ("taxi",)  # type: ignore[union-attr]
    assert menu.options["2"].speech == ("payment",)  # type: ignore[union-attr]
    assert menu.options["1"].for_ == ("taxi",)  # type: ignore[union-attr]
    assert menu.options["2"].for_ == ("payments",)  # type: ignore[union-attr]


def test_twilio_gather_without_a_menu_split_is_an_input() -> None:
    flow = twilio(
        state("start", "gather-input-on-call", {"say": "Enter your 4 digit extension.",
                                                  "number_of_digits": 4}, keypress="check",
              timeout=None),
        state("check", "split-based-on", {"input": "{{widgets.lookup.body}}"},
              noMatch="start", match=[("ok", "agent")]),
        state("agent", "connect-call-to", {"to": "{{widgets.start.Digits}}"}, callCompleted=None),
    )  # fmt: skip
    tree = read_bytes(flow).tree
    ask = tree.node("start")
    assert (ask.type, ask.digits, ask.collects) == ("input", 4, "start")  # type: ignore[union-attr]
    assert ask.on_failure == "end_of_flow"  # type: ignore[union-attr]  # the timeout port is unconnected
    branch = tree.node("check")
    assert branch.type == "branch" and branch.when[0].share == 0.5  # type: ignore[union-attr]


def test_twilio_hours_split_on_time_operators_is_a_schedule() -> None:
    flow = twilio(
        {"name": "start", "type": "split-based-on", "properties": {"input": "{{flow.data}}"},
         "transitions": [{"event": "noMatch", "next": "closed"},
                         {"event": "match", "next": "desk",
                          "conditions": [{"type": "is_before_time", "value": "17:00"}]}]},
        state("closed", "say-play", {"say": "We are closed."}, audioComplete=None),
        state("desk", "send-to-flex", {}, callComplete=None, failedToEnqueue="closed"),
    )  # fmt: skip
    imported = read_bytes(flow)
    branch = imported.tree.node("start")
    assert branch.when[0].open == "start" and branch.otherwise == "closed"  # type: ignore[union-attr]
    assert imported.tree.schedules["start"].root == {"mon-fri": "09:00-17:00"}
    assert any(w.startswith("schedules: start assumed open") for w in imported.warnings)
    assert imported.tree.meta["imported"]["error_paths"] == {
        "desk_queue": {"failedToEnqueue": "closed"}
    }


def test_twilio_liquid_keeps_the_else_branch() -> None:
    from ivrscore.importers.twilio import liquid_text

    text = "Hi {{flow.name}}.{% if a %}Early.{% elsif b %}Late.{% else %}Open.{% endif %} Bye."
    assert liquid_text(text) == "Hi ….Open. Bye."


def test_twilio_unknown_widgets_pass_through_and_are_reported() -> None:
    flow = twilio(
        state("start", "set-variables", {}, next="fancy"),
        state("fancy", "connect-virtual-agent", {"x": 1}, completed="bye"),
        state("bye", "say-play", {"say": "Bye."}, audioComplete=None),
    )
    imported = read_bytes(flow)
    assert imported.tree.entry == "bye"
    assert imported.warnings[-1] == (
        "not understood, passed through (kept under meta.imported.not_understood): "
        "connect-virtual-agent"
    )
    kept = imported.tree.meta["imported"]["not_understood"]["fancy"]
    assert kept["type"] == "connect-virtual-agent" and kept["properties"] == {"x": 1}


def test_twilio_flow_without_a_voice_entry_is_an_error() -> None:
    flow = json.dumps({"initial_state": "Trigger", "states": [
        {"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingMessage", "next": "x"}]}]})  # fmt: skip
    with pytest.raises(ivr.TreeFileError, match="no voice entry"):
        read_bytes(flow.encode(), source="sms.json")


# -- Amazon Connect ---------------------------------------------------------------------------------


def test_connect_menu_with_loop_counter_gets_its_retries() -> None:
    flow = connect(
        action("a", "GetParticipantInput", {"Text": "Press 1 for sales.", "InputTimeLimitSeconds": "6"},
               nxt="fail", conditions={"1": "q1", "9": "loop"},
               errors={"InputTimeLimitExceeded": "loop", "NoMatchingCondition": "loop",
                       "NoMatchingError": "fail"}),
        {"Identifier": "loop", "Type": "Loop", "Parameters": {"LoopCount": "2"},
         "Transitions": {"Conditions": [
             {"NextAction": "a", "Condition": {"Operator": "Equals", "Operands": ["ContinueLooping"]}},
             {"NextAction": "fail", "Condition": {"Operator": "Equals", "Operands": ["DoneLooping"]}}]}},
        action("q1", "UpdateContactTargetQueue", {"QueueId": "arn:aws:connect:x:queue/Sales"}, nxt="t"),
        action("t", "TransferContactToQueue", errors={"QueueAtCapacity": "fail"}),
        action("fail", "MessageParticipant", {"Text": "Goodbye."}, nxt="bye"),
        action("bye", "DisconnectParticipant"),
    )  # fmt: skip
    tree = read_bytes(flow).tree
    menu = tree.node(tree.entry)
    assert (menu.retries, menu.timeout_s) == (2, 6.0)  # type: ignore[union-attr]
    assert tree.node(menu.on_failure).prompt == "Goodbye."  # type: ignore[union-attr]
    k = keys(tree)
    assert k["9"] == tree.entry  # "repeat" comes back through the loop
    assert k["1"] == "sales_queue" and tree.task_names == ("sales",)


def test_connect_each_path_gets_the_queue_it_set() -> None:
    flow = connect(
        action("a", "GetParticipantInput", {"Text": "1 sales, 2 billing."},
               conditions={"1": "s", "2": "b"}),
        action("s", "UpdateContactTargetQueue", {"QueueId": "x"}, nxt="hold"),
        action("b", "UpdateContactTargetQueue", {"QueueId": "y"}, nxt="hold"),
        action("hold", "MessageParticipant", {"Text": "Please hold."}, nxt="t"),
        action("t", "TransferContactToQueue"),
    )  # fmt: skip
    data = json.loads(flow)
    data["Metadata"] = {"ActionMetadata": {"s": {"queue": {"text": "Sales"}},
                                           "b": {"parameters": {"QueueId": {"displayName": "Billing"}}}}}  # fmt: skip
    tree = read_bytes(json.dumps(data).encode()).tree
    k = keys(tree)
    holds = [tree.node(k[x]) for x in "12"]
    assert [h.prompt for h in holds] == ["Please hold.", "Please hold."]
    assert [h.next for h in holds] == ["sales_queue", "billing_queue"]  # type: ignore[union-attr]
    assert tree.task_names == ("sales", "billing")


def test_connect_store_input_hours_compare_and_transfer_to_flow() -> None:
    flow = connect(
        action("a", "CheckHoursOfOperation", nxt=None, conditions={"True": "in", "False": "shut"}),
        action("in", "GetParticipantInput",
               {"Text": "Please enter your account number.", "StoreInput": "True",
                "InputValidation": {"CustomValidation": {"MaximumLength": 8}}},
               nxt="cmp", errors={"NoMatchingError": "shut"}),
        action("cmp", "Compare", {"ComparisonValue": "$.Attributes.tier"}, nxt="other",
               conditions={"gold": "vip"}),
        action("vip", "TransferToFlow", {"ContactFlowId": "arn:aws:connect:x:contact-flow/Gold"}),
        action("other", "TransferParticipantToThirdParty", {"ThirdPartyPhoneNumber": "+15550100"}),
        action("shut", "DisconnectParticipant"),
    )  # fmt: skip
    hours = json.dumps({"Name": "Main", "TimeZone": "UTC", "Config": [
        {"Day": "SATURDAY", "StartTime": {"Hours": 9, "Minutes": 30}, "EndTime": {"Hours": 12, "Minutes": 0}}]}).encode()  # fmt: skip
    imported = read_bytes(flow, resources=[("hours.json", hours)])
    tree = imported.tree
    check = tree.node(tree.entry)
    assert check.type == "branch"
    (schedule,) = tree.schedules
    assert tree.schedules[schedule].root == {"sat": "09:30-12:00"}
    ask = tree.node(check.when[0].next)  # type: ignore[union-attr]
    assert (ask.type, ask.collects, ask.digits) == ("input", "account_number", 8)  # type: ignore[union-attr]
    cmp = tree.node(ask.next)  # type: ignore[union-attr]
    assert cmp.type == "branch" and cmp.when[0].share == 0.5  # type: ignore[union-attr]
    assert cmp.when[0].label == "$.Attributes.tier Equals gold"  # type: ignore[union-attr]
    assert tree.node(cmp.when[0].next).type == "self_service"  # type: ignore[union-attr]
    assert tree.node(cmp.otherwise).type == "agent"  # type: ignore[union-attr]
    assert not any(w.startswith("schedules:") for w in imported.warnings)


def test_connect_legacy_and_flow_language_agree() -> None:
    legacy = {
        "modules": [
            {"id": "m", "type": "GetUserInput", "target": "Digits",
             "parameters": [{"name": "Text", "value": "Press 1 for help."},
                            {"name": "Timeout", "value": "4"}],
             "branches": [{"condition": "Evaluate", "conditionType": "Equals",
                           "conditionValue": "1", "transition": "q"},
                          {"condition": "Timeout", "transition": "d"},
                          {"condition": "NoMatch", "transition": "d"},
                          {"condition": "Error", "transition": "d"}]},
            {"id": "q", "type": "Transfer", "target": "Queue", "parameters": [],
             "branches": [{"condition": "AtCapacity", "transition": "d"}]},
            {"id": "d", "type": "Disconnect", "parameters": [], "branches": []}],
        "version": "1", "start": "m", "metadata": {"name": "Legacy"}}  # fmt: skip
    modern = connect(
        action("m", "GetParticipantInput", {"Text": "Press 1 for help.", "InputTimeLimitSeconds": "4"},
               conditions={"1": "q"}, errors={"InputTimeLimitExceeded": "d",
                                              "NoMatchingCondition": "d", "NoMatchingError": "d"}),
        action("q", "TransferContactToQueue", errors={"QueueAtCapacity": "d"}),
        action("d", "DisconnectParticipant"), start="m")  # fmt: skip
    a = read_bytes(json.dumps(legacy).encode()).tree
    b = read_bytes(modern).tree
    assert a.name == "Legacy"
    assert {n: x.model_dump(exclude={"meta"}) for n, x in a.nodes.items()} == {
        n: x.model_dump(exclude={"meta"}) for n, x in b.nodes.items()
    }


def test_connect_envelope_and_describe_shapes() -> None:
    inner = json.loads(connect(action("a", "MessageParticipant", {"SSML": "<speak>Hello</speak>"})))
    for wrapped in ({"Name": "Env", "Content": json.dumps(inner)},
                    {"ContactFlow": {"Name": "Env", "Content": json.dumps(inner)}}):  # fmt: skip
        tree = read_bytes(json.dumps(wrapped).encode()).tree
        assert tree.name == "Env" and tree.node(tree.entry).prompt == "Hello"


def test_connect_file_without_actions_is_an_error() -> None:
    with pytest.raises(ivr.TreeFileError, match="has no flow"):
        read_bytes(b'{"Version": "2019-10-30", "Actions": []}', format="connect")


# -- VoiceXML ---------------------------------------------------------------------------------------


def vxml(body: str) -> bytes:
    return f'<?xml version="1.0"?><vxml version="2.1" xmlns="http://www.w3.org/2001/vxml">{body}</vxml>'.encode()


def test_voicexml_menu_numbers_choices_and_reads_handlers() -> None:
    doc = vxml("""
      <var name="home" expr="'#main'"/>
      <menu id="main" dtmf="true">
        <property name="timeout" value="4000ms"/>
        <prompt>Main menu. <enumerate/></prompt>
        <choice next="#sales">Sales</choice>
        <choice next="#info">Opening times</choice>
        <choice next="other.vxml#x">Other</choice>
        <noinput count="1"><reprompt/></noinput>
        <noinput count="2">Goodbye.<disconnect/></noinput>
        <nomatch>That is not an option.<goto expr="home"/></nomatch>
      </menu>
      <form id="sales"><transfer dest="tel:+15550100">Connecting you.</transfer></form>
      <form id="info"><block>We open at nine.<goto next="#main"/></block></form>""")
    imported = read_bytes(doc)
    tree = imported.tree
    menu = tree.node("main")
    assert menu.prompt == "Main menu." and menu.timeout_s == 4.0  # type: ignore[union-attr]
    assert [o.say for o in menu.options.values()] == ["Sales", "Opening times", "Other"]  # type: ignore[union-attr]
    k = keys(tree, "main")
    assert (
        tree.node(k["1"]).prompt == "Connecting you."
        and tree.node(tree.node(k["1"]).next).type == "agent"
    )  # type: ignore[union-attr]
    assert tree.node(k["2"]).prompt == "We open at nine." and tree.node(k["2"]).next == "main"  # type: ignore[union-attr]
    assert tree.node(k["3"]).meta["source"]["uri"] == "other.vxml#x"
    # First no-input replays; a wrong key replays through "That is not an option." and the
    # document variable: everything loops, so the menu replays without limit.
    assert menu.retries == FOREVER_RETRIES  # type: ignore[union-attr]
    assert menu.meta["source"]["reprompt"] == "That is not an option."


def test_voicexml_field_with_digits_grammar_record_submit_and_if() -> None:
    doc = vxml("""
      <form id="f">
        <field name="pin">
          <grammar mode="dtmf" src="builtin:dtmf/digits?length=4"/>
          <prompt>Enter your PIN.</prompt>
          <filled><if cond="pin == '0000'"><goto next="#msg"/><else/><submit next="check.jsp" namelist="pin"/></if></filled>
          <nomatch>Wrong PIN.<goto next="#bye"/></nomatch>
        </field>
      </form>
      <form id="msg"><record name="m"><prompt>Leave a message.</prompt></record></form>
      <form id="bye"><block>Goodbye.</block><exit/></form>""")
    tree = read_bytes(doc).tree
    pin = tree.node("pin")
    assert (pin.type, pin.digits, pin.modality) == ("input", 4, None)  # type: ignore[union-attr]
    assert tree.node(pin.on_failure).prompt == "Wrong PIN."  # type: ignore[union-attr]
    branch = tree.node(pin.next)  # type: ignore[union-attr]
    assert branch.type == "branch"
    assert tree.node(branch.when[0].next).type == "voicemail"  # type: ignore[union-attr]
    assert tree.node(branch.otherwise).type == "self_service"  # type: ignore[union-attr]


def test_voicexml_loose_content_in_a_form_and_missing_namespace() -> None:
    doc = b"""<vxml version="2.0"><form id="a"><audio src="hello.wav">Hello there.</audio>
      <disconnect/></form></vxml>"""
    tree = read_bytes(doc).tree
    assert tree.node(tree.entry).prompt == "Hello there."
    assert tree.node(tree.node(tree.entry).next).type == "hangup"  # type: ignore[union-attr]


def test_voicexml_dynamic_targets_are_reported() -> None:
    doc = vxml('<menu id="m"><choice dtmf="1" expr="session.target">X</choice></menu>')
    imported = read_bytes(doc)
    assert keys(imported.tree, "m") == {"1": "end_of_flow"}
    assert any("dynamic targets: 'session.target'" in w for w in imported.warnings)


def test_voicexml_links_are_reported() -> None:
    doc = vxml('<link dtmf="0" next="#op"/><form id="op"><transfer dest="tel:0"/></form>')
    assert any(w.startswith("hot keys") for w in read_bytes(doc).warnings)


# -- FreeSWITCH -------------------------------------------------------------------------------------


def test_freeswitch_entries_by_action() -> None:
    doc = b"""<configuration name="ivr.conf"><menus>
      <menu name="main" greet-long="say:Welcome." exit-sound="voicemail/vm-goodbye.wav"
            timeout="5000" max-failures="2" max-timeouts="4"
            exec-on-max-failures="transfer operator XML default"
            exec-on-max-timeouts="hangup">
        <entry action="menu-sub" digits="1" param="sub"/>
        <entry action="menu-exec-app" digits="2" param="voicemail default $${domain} 100"/>
        <entry action="menu-exec-app" digits="3" param="callcenter support@default"/>
        <entry action="menu-play-sound" digits="4" param="say:We open at nine."/>
        <entry action="menu-exec-app" digits="5" param="playback ivr/ivr-thank_you.wav"/>
        <entry action="menu-exit" digits="*"/>
        <entry action="menu-exec-app" digits="6" param="lua survey.lua"/>
        <entry action="menu-exec-app" digits="/^(2\\d\\d\\d)$/" param="transfer $1 XML default"/>
      </menu>
      <menu name="sub" greet-long="ivr/ivr-sub_menu.wav">
        <entry action="menu-back" digits="1"/>
        <entry action="menu-top" digits="2"/>
        <entry action="menu-exec-app" digits="3" param="ivr main"/>
        <entry action="menu-exec-app" digits="4" param="hangup"/>
      </menu></menus></configuration>"""
    imported = read_bytes(doc)
    tree = imported.tree
    main = tree.node("main")
    assert (main.prompt, main.timeout_s, main.retries) == ("Welcome.", 5.0, 3)  # type: ignore[union-attr]
    k = keys(tree, "main")
    types = {key: tree.node(v).type for key, v in k.items()}
    assert types == {"1": "menu", "2": "voicemail", "3": "queue", "4": "message",
                     "5": "message", "*": "hangup", "6": "self_service"}  # fmt: skip
    assert tree.node(k["4"]).next == "main" and tree.node(k["4"]).prompt == "We open at nine."  # type: ignore[union-attr]
    assert tree.node(k["5"]).prompt == "Thank you."
    assert tree.node(k["*"]).prompt == "Goodbye."
    assert tree.node(main.on_failure).type == "agent"  # type: ignore[union-attr]
    assert main.meta["source"]["exec-on-max-timeouts"] == "hangup"
    assert keys(tree, "sub") == {"1": "main", "2": "main", "3": "main", "4": "hang_up"}
    assert tree.node("sub").prompt == "Sub menu."
    assert any(w.startswith("extensions: 'main'") for w in imported.warnings)


def test_freeswitch_phrases_give_prompt_and_option_words() -> None:
    menus = b"""<include><menu name="m" greet-long="phrase:m_menu">
      <entry action="menu-exec-app" digits="1" param="transfer 1000 XML default"/> <!-- Sales -->
      <entry action="menu-top" digits="9"/></menu></include>"""
    phrases = b"""<include><macro name="m_menu"><input pattern="(.*)"><match>
      <action function="play-file" data="ivr/ivr-welcome.wav"/>
      <action function="play-file" data="ivr/ivr-for_sales.wav"/>
      <action function="play-file" data="voicemail/vm-press.wav"/>
      <action function="play-file" data="digits/1.wav"/>
      <action function="say" data="to hear this again press"/>
      <action function="play-file" data="digits/9.wav"/>
    </match></input></macro></include>"""
    tree = read_bytes(menus, resources=[("p.xml", phrases)]).tree
    menu = tree.node("m")
    assert menu.prompt == "Welcome."
    assert [o.say for o in menu.options.values()] == [
        "For sales press 1.",
        "To hear this again press 9.",
    ]  # type: ignore[union-attr]
    assert menu.options["1"].meta["source"]["label"] == "Sales"  # type: ignore[union-attr]
    assert keys(tree, "m") == {"1": "sales", "9": "m"}
    no_phrases = read_bytes(menus)
    assert any(
        w.startswith("prompts: the menus' greetings are phrase macros") for w in no_phrases.warnings
    )
    # Without words the menu still takes time: 2.5 s per option, listed as a default.
    assert no_phrases.tree.node("m").duration_s == 5.0
    assert any(w.startswith("prompt lengths: m have no words") for w in no_phrases.warnings)
    assert menu.duration_s is None  # with words, their length is estimated as usual


def test_freeswitch_entry_option_and_missing_menu() -> None:
    doc = b'<include><menu name="a"><entry action="menu-sub" digits="1" param="b"/></menu><menu name="b"><entry action="menu-top" digits="1"/></menu></include>'
    assert read_bytes(doc, entry="b").tree.entry == "b"
    with pytest.raises(ivr.TreeFileError, match="no menu 'c' in this file; menus: a, b"):
        read_bytes(doc, entry="c")
    with pytest.raises(ivr.TreeFileError, match="no <menu name"):
        read_bytes(b"<include><menu/></include>", format="freeswitch")


# -- Asterisk ---------------------------------------------------------------------------------------

DIALPLAN = """
[globals]
X=1

; The script: "Welcome to Acme. For sales, press one. For your voicemail, press two. To hear the time, press three."
[ivr]
exten => s,1,Answer()
 same => n,Set(TIMEOUT(response)=8)
 same => n(menu),Background(acme-welcome&acme-options)
 same => n,WaitExten(6)
exten => 1,1,GotoIfTime(08:30-17:00,mon-fri,*,*?open)
 same => n,Playback(closed)
 same => n,Hangup()
 same => n(open),Queue(sales,,,,300)
 same => n,VoiceMail(100@default,u)
exten => 2,1,Read(box,enter-mailbox,4,,3,5)
 same => n,GotoIf($["${box}" = ""]?ivr,s,menu:mailbox,1,1)
exten => 3,1,SayUnixTime()
exten => 5555,1,Dial(PJSIP/5555,20)
exten => i,1,Playback(invalid)
 same => n,Goto(s,menu)
exten => t,1,Goto(i,1)

[mailbox]
exten => 1,1,VoiceMailMain(${box})
"""


def test_asterisk_menu_options_and_applications() -> None:
    imported = read_bytes(DIALPLAN.encode(), source="extensions.conf")
    tree = imported.tree
    menu = tree.node(tree.entry)
    assert menu.prompt == "Welcome to Acme."  # from the script in the comment
    assert menu.timeout_s == 6.0  # type: ignore[union-attr]
    assert [o.say for o in menu.options.values()] == [  # type: ignore[union-attr]
        "For sales, press one.", "For your voicemail, press two.", "To hear the time, press three."]  # fmt: skip
    k = keys(tree)
    hours = tree.node(k["1"])
    assert hours.type == "branch" and tree.schedules[hours.when[0].open].root == {
        "mon-fri": "08:30-17:00"
    }  # type: ignore[union-attr]
    assert tree.node(hours.when[0].next).meta["source"]["queue"] == {"timeout_s": 300}  # type: ignore[union-attr]
    assert tree.node(hours.otherwise).prompt == "Closed."  # type: ignore[union-attr]
    read = tree.node(k["2"])
    assert (read.type, read.collects, read.digits, read.retries, read.timeout_s) == (  # type: ignore[union-attr]
        "input", "box", 4, 2, 5.0)  # fmt: skip
    gate = tree.node(read.next)  # type: ignore[union-attr]
    assert gate.when[0].next == tree.entry  # type: ignore[union-attr]
    assert tree.node(gate.otherwise).type == "self_service"  # type: ignore[union-attr]
    assert tree.node(k["3"]).type == "self_service"
    assert menu.meta["source"]["extensions"] == ["5555"]
    # t goes to i, which replays the menu: both loop.
    assert menu.retries == FOREVER_RETRIES  # type: ignore[union-attr]
    assert tree.line_of(tree.entry) == 9  # the Background line
    errors = tree.meta["imported"]["error_paths"]
    # After the queue times out the caller goes to voicemail: not a path the model has, so it
    # is kept, with the voicemail it leads to, rather than dropped.
    assert errors == {"sales_queue": {"queue timeout": "(left out: voicemail_100)"}}
    assert tree.meta["imported"]["left_out"]["voicemail_100"]["type"] == "voicemail"


def test_asterisk_time_based_include() -> None:
    conf = """
[day]
exten => 1,1,Dial(PJSIP/100)
[menu]
include => day,09:00-17:00,mon-fri,*,*
exten => s,1,Background(menu)
 same => n,WaitExten()
exten => i,1,Hangup()
"""
    tree = read_bytes(conf.encode()).tree
    gate = tree.node(keys(tree)["1"])
    assert gate.type == "branch"
    assert tree.schedules[gate.when[0].open].root == {"mon-fri": "09:00-17:00"}  # type: ignore[union-attr]
    assert tree.node(gate.when[0].next).type == "agent"  # type: ignore[union-attr]
    assert tree.node(gate.otherwise).type == "hangup"  # type: ignore[union-attr]  # a wrong key


def test_asterisk_entry_and_errors() -> None:
    conf = "[a]\nexten => s,1,Background(x)\n same => n,WaitExten()\nexten => 1,1,Goto(b,s,1)\n[b]\nexten => s,1,Background(y)\n same => n,WaitExten()\n"
    assert read_bytes(conf.encode()).tree.name == "Asterisk IVR a"
    assert read_bytes(conf.encode(), entry="b").tree.name == "Asterisk IVR b"
    with pytest.raises(ivr.TreeFileError, match=r"no context \[zz\]"):
        read_bytes(conf.encode(), entry="zz")
    with pytest.raises(ivr.TreeFileError, match=r"^d.conf:2: cannot read this extension line"):
        read_bytes(b"[a]\nexten => s\n", source="d.conf", format="asterisk")
    # No menu is a valid flow: a context that only dials a person imports as that person.
    only_dial = read_bytes(b"[a]\nexten => s,1,Dial(PJSIP/1)\n", format="asterisk").tree
    assert only_dial.node(only_dial.entry).type == "agent"
    with pytest.raises(ivr.TreeFileError, match="no call flow in this dialplan"):
        read_bytes(b"[a]\nexten => s,1,Set(X=1)\n same => n,Hangup()\n", format="asterisk")


def test_asterisk_queues_conf() -> None:
    from ivrscore.importers.asterisk import parse_queues

    text = "[general]\nx=1\n[sales]\nstrategy = leastrecent\nmember => PJSIP/1\nmember => PJSIP/2 ; Bo\ntimeout=15\n"
    assert parse_queues(text) == {
        "sales": {"members": 2, "strategy": "leastrecent", "timeout": "15"}
    }


# -- builder behaviour shared by every format -------------------------------------------------------


def test_task_shares_sum_to_one_for_any_number_of_destinations() -> None:
    for n in (1, 3, 6, 7):
        opts = "".join(f'<choice dtmf="{i}" next="#f{i}"/>' for i in range(1, n + 1))
        forms = "".join(
            f'<form id="f{i}"><transfer dest="tel:{i}"/></form>' for i in range(1, n + 1)
        )
        tree = read_bytes(vxml(f'<menu id="m">{opts}</menu>{forms}')).tree
        assert len(tree.tasks) == n
        assert sum(t.share for t in tree.tasks) == pytest.approx(1.0, abs=1e-9)


def test_imported_trees_round_trip_through_yaml(tmp_path: Path) -> None:
    tree = read_bytes(DIALPLAN.encode()).tree
    p = tmp_path / "t.yaml"
    ivr.dump(tree, p)
    assert ivr.load(p) == tree


def test_ivr_loads_and_load_import_platform_flows(tmp_path: Path) -> None:
    text = "[m]\nexten => s,1,Background(hi)\n same => n,WaitExten()\nexten => 1,1,Hangup()\n"
    with pytest.warns(ivr.ImportedFlowWarning, match="^dial.conf: imported from asterisk"):
        tree = ivr.loads(text, format="asterisk", source="dial.conf")
    # No t or i extension: silence and a wrong key both end the call at once.
    menu = tree.node("m")
    assert (menu.retries, menu.on_failure) == (0, "end_of_flow")  # type: ignore[union-attr]
    p = tmp_path / "dial.conf"
    p.write_text(text)
    with pytest.warns(ivr.ImportedFlowWarning):
        assert ivr.load(p).nodes == tree.nodes
    with pytest.warns(ivr.ImportedFlowWarning):
        assert ivr.load(p, format="asterisk").nodes == tree.nodes


def test_twilio_rest_api_flow_resource_is_read() -> None:
    inner = json.loads(twilio(state("start", "say-play", {"say": "Hi."}, audioComplete=None)))
    wrapped = {"sid": "FW123", "friendly_name": "Support line", "definition": inner}
    raw = json.dumps(wrapped).encode()
    assert importers.detect(raw) == "twilio"
    assert read_bytes(raw).tree.name == "Support line"


def test_connect_legacy_audio_prompt_names_the_recording() -> None:
    legacy = {
        "modules": [
            {"id": "p", "type": "PlayPrompt", "branches": [{"condition": "Success", "transition": "d"}],
             "parameters": [{"name": "AudioPrompt", "value": "arn:aws:connect:x:prompt/1",
                             "resourceName": "Welcome.wav"}], "metadata": {}},
            {"id": "d", "type": "Disconnect", "parameters": [], "branches": []}],
        "version": "1", "start": "p"}  # fmt: skip
    tree = read_bytes(json.dumps(legacy).encode()).tree
    assert tree.node(tree.entry).prompt == "(recorded prompt: Welcome.wav)"


def test_voicexml_field_options_follow_their_if_arms() -> None:
    doc = vxml("""
      <form id="main"><field name="dept" type="digits?length=1">
        <prompt>For sales press 1, for billing press 2, for anything else press 3.</prompt>
        <option dtmf="1" value="sales">sales</option>
        <option dtmf="2" value="billing">billing</option>
        <option dtmf="3" value="other">other</option>
        <filled>
          <if cond="dept == 'sales'"><goto next="#sales"/>
          <elseif cond="'billing' == dept"/>Billing.<goto next="#billing"/>
          <else/><disconnect/></if>
        </filled></field></form>
      <form id="sales"><transfer dest="tel:1"/></form>
      <form id="billing"><transfer dest="tel:2"/></form>
      <form id="pin"><field name="p" type="digits?length=6"><prompt>PIN?</prompt></field></form>""")
    tree = read_bytes(doc).tree
    k = keys(tree)
    assert tree.node(k["1"]).type == "agent"
    assert (
        tree.node(k["2"]).prompt == "Billing." and tree.node(tree.node(k["2"]).next).type == "agent"
    )  # type: ignore[union-attr]
    assert tree.node(k["3"]).type == "hangup"


def test_voicexml_digits_from_the_field_type() -> None:
    doc = vxml(
        '<form id="f"><field name="pin" type="digits?length=6"><prompt>PIN?</prompt></field></form>'
    )
    assert read_bytes(doc).tree.node("pin").digits == 6  # type: ignore[union-attr]


def test_asterisk_response_timeout_and_included_files() -> None:
    conf = "#include users.conf\n[m]\nexten => s,1,Set(TIMEOUT(response)=12)\n same => n,Background(hi)\n same => n,WaitExten()\nexten => 1,1,Hangup()\n"
    imported = read_bytes(conf.encode(), format="asterisk")
    assert imported.tree.node("m").timeout_s == 12.0  # type: ignore[union-attr]
    assert any(w.startswith("other files: #include users.conf not read") for w in imported.warnings)


def test_asterisk_one_key_patterns_answer_their_keys() -> None:
    conf = """
[m]
exten => s,1,Background(menu)
 same => n,WaitExten(5)
exten => 1,1,Queue(sales)
exten => _[2-3],1,Playback(not-yet)
 same => n,Goto(s,1)
exten => _X.,1,Dial(PJSIP/${EXTEN})
"""
    tree = read_bytes(conf.encode()).tree
    k = keys(tree)
    assert list(k) == ["1", "2", "3"]  # _X. (any length) is dial-by-extension, not a key
    assert tree.node(k["2"]).prompt == "Not yet." and k["2"] != k["3"]
    assert tree.node(k["2"]).next == tree.entry  # type: ignore[union-attr]


def test_twilio_split_on_whole_numbers_follows_an_input() -> None:
    flow = twilio(
        state("start", "gather-input-on-call", {"say": "Enter the extension.", "number_of_digits": 4},
              keypress="ext", timeout="start"),
        state("ext", "split-based-on", {"input": "{{widgets.start.Digits}}"},
              noMatch="start", match=[("1001", "ann"), ("1002", "bob")]),
        state("ann", "connect-call-to", {"to": "client:ann"}, callCompleted=None),
        state("bob", "connect-call-to", {"to": "client:bob"}, callCompleted=None),
    )  # fmt: skip
    tree = read_bytes(flow).tree
    ask = tree.node("start")
    assert (ask.type, ask.digits, ask.next) == ("input", 4, "ext")  # type: ignore[union-attr]
    branch = tree.node("ext")
    assert [tree.node(c.next).type for c in branch.when] == ["agent", "agent"]  # type: ignore[union-attr]
    assert branch.otherwise == "start"  # type: ignore[union-attr]


# -- Genesys Cloud Architect (Archy YAML) -----------------------------------------------------------

ARCHY = """\
inboundCall:
  name: Acme main line
  startUpRef: "/inboundCall/tasks/task[hours_1]"
  initialGreeting:
    tts: Thank you for calling Acme.
  settingsMenu:
    menuSelectionTimeout:
      lit:
        seconds: 7
    repeatCount:
      lit: 2
  menus:
    - menu:
        name: Main Menu
        refId: main_2
        audio:
          tts: For sales press 1. For your balance press 2. To hang up press 9.
        choices:
          - menuTransferToAcd:
              name: Sales
              dtmf: digit_1
              speechRecTerms: [sales, buy]
              queue:
                lit:
                  name: Sales
          - menuTask:
              name: Balance
              dtmf: digit_2
              targetTaskRef: "/inboundCall/tasks/task[balance_3]"
          - menuDisconnect:
              name: Disconnect
              dtmf: digit_9
          - menuRepeat:
              name: Again
              dtmf: digit_star
  tasks:
    - task:
        name: Hours
        refId: hours_1
        actions:
          - evaluateScheduleGroup:
              name: Open?
              scheduleGroup:
                lit:
                  name: Office hours
              outputs:
                open:
                  actions:
                    - jumpToMenu:
                        targetMenuRef: "/inboundCall/menus/menu[main_2]"
                closed:
                  actions:
                    - playAudio:
                        audio:
                          tts: We are closed.
                    - transferToVoicemail:
                        name: After hours
    - task:
        name: Balance
        refId: balance_3
        actions:
          - collectInput:
              name: Account
              inputData:
                var: Task.account
              digits:
                exactly: 6
              inputAudio:
                tts: Key your six digit account number.
              outputs:
                success:
                  actions:
                    - decision:
                        name: Known?
                        condition:
                          exp: "IsSet(Task.account)"
                        outputs:
                          yes:
                            actions:
                              - playAudio:
                                  audio:
                                    tts: Your balance is ten pounds.
                          no:
                            actions:
                              - transferToAcd:
                                  name: To billing
                                  targetQueue:
                                    lit:
                                      name: Billing
                failure:
                  actions:
                    - disconnect:
                        name: Bye
          - disconnect:
              name: Done
"""


def test_genesys_archy_constructs() -> None:
    assert importers.detect(ARCHY.encode(), "flow.yaml") == "genesys"
    imported = read_bytes(ARCHY.encode(), source="flow.yaml")
    tree = imported.tree
    greet = tree.node(tree.entry)
    assert greet.type == "message" and greet.prompt == "Thank you for calling Acme."
    hours = tree.node(greet.next)  # type: ignore[union-attr, arg-type]
    assert hours.type == "branch" and hours.when[0].open == "office_hours"  # type: ignore[union-attr]
    assert tree.schedules  # the schedule group's hours are not in the file: a listed default
    assert any(w.startswith("schedules: office_hours") for w in imported.warnings)
    closed = tree.node(hours.otherwise)  # type: ignore[union-attr]
    assert closed.prompt == "We are closed." and tree.node(closed.next).type == "voicemail"  # type: ignore[union-attr, arg-type]
    menu = tree.node(hours.when[0].next)  # type: ignore[union-attr]
    assert menu.type == "menu" and menu.timeout_s == 7.0 and menu.retries == 2  # type: ignore[union-attr]
    assert list(menu.options) == ["1", "2", "9", "*"]  # type: ignore[union-attr]
    assert menu.options["1"].speech == ("sales", "buy")  # type: ignore[union-attr]
    assert tree.node(menu.options["1"].next).type == "queue"  # type: ignore[union-attr]
    assert tree.node(menu.options["9"].next).type == "hangup"  # type: ignore[union-attr]
    assert menu.options["*"].next == hours.when[0].next  # type: ignore[union-attr]  # repeat
    account = tree.node(menu.options["2"].next)  # type: ignore[union-attr]
    assert account.type == "input" and account.digits == 6 and account.collects == "account"  # type: ignore[union-attr]
    known = tree.node(account.next)  # type: ignore[union-attr, arg-type]
    assert known.type == "branch" and known.when[0].share == 0.5  # type: ignore[union-attr]
    balance = tree.node(known.when[0].next)  # type: ignore[union-attr]
    assert balance.prompt == "Your balance is ten pounds."
    assert tree.node(balance.next).type == "hangup"  # type: ignore[union-attr, arg-type]  # "Done"
    assert tree.node(known.otherwise).type == "queue"  # type: ignore[union-attr]
    assert tree.node(account.on_failure).type == "hangup"  # type: ignore[union-attr, arg-type]
    # Options the menu's words offer promise the tasks behind them.
    assert menu.options["1"].for_ == ("sales",)  # type: ignore[union-attr]


def test_genesys_errors_are_one_line() -> None:
    with pytest.raises(ivr.TreeFileError, match="no startUpRef"):
        read_bytes(b"inboundCall:\n  name: x\n", source="f.yaml")
    with pytest.raises(ivr.TreeFileError, match=r"^f.yaml:\d+: menus should be a list"):
        read_bytes(
            b"inboundCall:\n  name: x\n  startUpRef: /inboundCall/menus/menu[a]\n  menus: 3\n",
            source="f.yaml",
        )
    missing = read_bytes(
        b"inboundCall:\n  startUpRef: /inboundCall/menus/menu[a]\n  menus:\n"
        b"    - menu: {name: M, refId: a, choices: [{menuJumpToMenu: {dtmf: digit_1, "
        b"targetMenuRef: '/inboundCall/menus/menu[zz]'}}]}\n",
        source="f.yaml",
    )
    assert any("missing:" in w and "'zz'" in w for w in missing.warnings)


# -- flows inside infrastructure code (Terraform, CloudFormation / SAM) -----------------------------

CONNECT_FLOW = {
    "Version": "2019-10-30",
    "StartAction": "menu",
    "Actions": [
        {"Identifier": "menu", "Type": "GetParticipantInput",
         "Parameters": {"Text": "For sales press 1.", "InputTimeLimitSeconds": "5"},
         "Transitions": {"NextAction": "bye", "Conditions": [
             {"NextAction": "q", "Condition": {"Operator": "Equals", "Operands": ["1"]}}]}},
        {"Identifier": "q", "Type": "TransferContactToQueue", "Parameters": {}, "Transitions": {}},
        {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
    ],
}  # fmt: skip


def _sales_menu(tree: ivr.PhoneTree) -> None:
    menu = tree.node(tree.entry)
    assert menu.type == "menu" and menu.prompt == "For sales press 1."  # type: ignore[union-attr]
    assert tree.node(menu.options["1"].next).type == "queue"  # type: ignore[union-attr]


def test_terraform_heredoc_string_jsonencode_and_file(tmp_path: Path) -> None:
    flow_json = json.dumps(CONNECT_FLOW, indent=2)
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "main.json").write_text(flow_json)
    hcl_literal = (
        '{ Version = "2019-10-30", StartAction = "menu", Actions = [\n'
        '  { Identifier = "menu", Type = "GetParticipantInput",\n'
        '    Parameters = { Text = "For sales press 1.", InputTimeLimitSeconds = "5" },\n'
        '    Transitions = { NextAction = "bye", Conditions = [ # the one key\n'
        '      { NextAction = "q", Condition = { Operator = "Equals", Operands = ["1"] } } ] } },\n'
        '  { Identifier = "q", Type = "TransferContactToQueue", Parameters = {}, Transitions = {} },\n'
        '  { Identifier = "bye", Type = "DisconnectParticipant", Parameters = {}, Transitions = {} }\n'
        "] }"
    )
    tf = tmp_path / "main.tf"
    tf.write_text(
        'resource "aws_connect_instance" "x" { identity_management_type = "CONNECT_MANAGED" }\n'
        'resource "aws_connect_contact_flow" "heredoc" {\n  name = "A"\n'
        f"  content = <<EOF\n{flow_json}\nEOF\n}}\n"
        'resource "aws_connect_contact_flow" "string" {\n'
        f"  content = {json.dumps(json.dumps(CONNECT_FLOW))}\n}}\n"
        f'resource "aws_connect_contact_flow" "encoded" {{\n  content = jsonencode({hcl_literal})\n}}\n'
        'resource "aws_connect_contact_flow" "beside" {\n'
        '  content = file("${path.module}/flows/main.json")\n}\n'
        'resource "aws_connect_contact_flow" "templated" {\n'
        '  content = templatefile("flow.tpl", { queue = var.queue })\n}\n'
    )
    found = importers.flows(tf)
    lines = tf.read_text().splitlines()
    starts = [
        i for i, t in enumerate(lines, 1) if t.startswith('resource "aws_connect_contact_flow"')
    ]
    assert [(f.name, f.format, f.line) for f in found] == [
        (name, "connect", line)
        for name, line in zip(
            ["heredoc", "string", "encoded", "beside", "templated"], starts, strict=True
        )
    ]
    for name in ("heredoc", "string", "encoded", "beside"):
        _sales_menu(importers.read(tf, flow=name).tree)
    with pytest.raises(
        ivr.TreeFileError,
        match=r"main.tf:\d+: aws_connect_contact_flow 'templated': templatefile\(\) is not evaluated",
    ):
        importers.read(tf, flow="templated")
    with pytest.raises(ivr.TreeFileError, match="holds 5 flows: heredoc"):
        importers.read(tf)
    with pytest.raises(ivr.TreeFileError, match="no flow 'nope' in this Terraform file"):
        importers.read(tf, flow="nope")


def test_terraform_twilio_and_genesys(tmp_path: Path) -> None:
    studio = {"initial_state": "Trigger", "states": [
        {"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingCall", "next": "hi"}]},
        {"name": "hi", "type": "say-play", "properties": {"say": "Hello."}, "transitions": []}]}  # fmt: skip
    (tmp_path / "archy.yaml").write_text(
        "inboundCall:\n  name: G\n  startUpRef: /inboundCall/tasks/task[t]\n  tasks:\n"
        "    - task: {name: T, refId: t, actions: [{playAudio: {audio: {tts: Hi there.}}}]}\n"
    )
    tf = tmp_path / "flows.tf"
    tf.write_text(
        'resource "twilio_studio_flows_v2" "ivr" {\n  friendly_name = "IVR"\n  status = "published"\n'
        f"  definition = {json.dumps(json.dumps(studio))}\n}}\n"
        'resource "genesyscloud_flow" "inbound" {\n  filepath = "archy.yaml"\n'
        '  file_content_hash = filesha256("archy.yaml")\n}\n'
    )
    assert importers.detect(tf.read_bytes(), "flows.tf") == "terraform"
    twilio_tree = importers.read(tf, flow="ivr").tree
    assert twilio_tree.node(twilio_tree.entry).prompt == "Hello."
    genesys = importers.read(tf, flow="inbound")
    assert (
        genesys.format == "genesys" and genesys.tree.node(genesys.tree.entry).prompt == "Hi there."
    )


def test_cloudformation_json_and_yaml(tmp_path: Path) -> None:
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
        "MainFlow": {"Type": "AWS::Connect::ContactFlow",
                     "Properties": {"Name": "Main", "Type": "CONTACT_FLOW", "InstanceArn": "arn:x",
                                    "Content": json.dumps(CONNECT_FLOW)}}}}  # fmt: skip
    cfn = tmp_path / "template.json"
    cfn.write_text(json.dumps(template, indent=2))
    assert importers.detect(cfn.read_bytes(), cfn.name) == "cloudformation"
    _sales_menu(importers.read(cfn).tree)
    sam = tmp_path / "template.yaml"
    sam.write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n"
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: !Ref Bucket}\n"
        "  MainFlow:\n    Type: AWS::Connect::ContactFlow\n    Properties:\n"
        "      InstanceArn: !GetAtt Instance.Arn\n      Content: |\n"
        + "".join(f"        {line}\n" for line in json.dumps(CONNECT_FLOW, indent=1).splitlines())
        + "  SubFlow:\n    Type: AWS::Connect::ContactFlow\n    Properties:\n"
        '      Content: !Sub \'{"StartAction": "${Start}"}\'\n'
    )
    assert importers.detect(sam.read_bytes(), sam.name) == "cloudformation"
    _sales_menu(importers.read(sam, flow="MainFlow").tree)
    with pytest.raises(
        ivr.TreeFileError, match=r"template.yaml:\d+: .*'SubFlow': Content is built with !Sub"
    ):
        importers.read(sam, flow="SubFlow")
    # ivr.load reads a template with one flow directly, and says what to review.
    with pytest.warns(ivr.ImportedFlowWarning, match=r"imported from connect; 2 default"):
        _sales_menu(ivr.load(cfn))


def test_cli_import_lists_and_imports_every_flow(tmp_path: Path) -> None:
    from ivrscore.cli import main

    tf = tmp_path / "main.tf"
    flow = json.dumps(json.dumps(CONNECT_FLOW))
    tf.write_text(
        f'resource "aws_connect_contact_flow" "a" {{\n  content = {flow}\n}}\n'
        f'resource "aws_connect_contact_flow" "b" {{\n  content = {flow}\n}}\n'
    )
    assert main(["import", str(tf), "-o", str(tmp_path / "out.yaml")]) == 0
    _sales_menu(ivr.load(tmp_path / "out_a.yaml"))
    _sales_menu(ivr.load(tmp_path / "out_b.yaml"))
    assert main(["import", str(tf), "--flow", "b", "-o", str(tmp_path / "b.yaml")]) == 0
    _sales_menu(ivr.load(tmp_path / "b.yaml"))
