"""Real flows other people wrote (``../shared/wild``): each imports, and its main menu has the
keys and destinations that the source file says (read by hand, see ``SOURCES.md`` there).

The files are read in place and never copied into the repository; every test skips with the
reason when the folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ivrscore as ivr
from ivrscore import importers
from ivrscore.model.tree import PhoneTree

WILD = Path(__file__).resolve().parents[1].parent / "shared" / "wild"

pytestmark = pytest.mark.skipif(
    not WILD.is_dir(), reason="the real flows in ../shared/wild are not here"
)


def wild(rel: str) -> Path:
    path = WILD / rel
    if not path.is_file():
        pytest.skip(f"{rel} is not in ../shared/wild")
    return path


def menu(tree: PhoneTree, nid: str | None = None):  # type: ignore[no-untyped-def]
    node = tree.node(nid or tree.entry)
    assert node.type == "menu", f"{nid or tree.entry} is a {node.type}"
    return node


def lands(tree: PhoneTree, nid: str) -> str:
    """Where a caller ends up from ``nid`` past messages: ``type:id``."""
    seen = set()
    node = tree.node(nid)
    while node.type == "message" and node.next and nid not in seen:  # type: ignore[union-attr]
        seen.add(nid)
        nid = node.next  # type: ignore[union-attr]
        node = tree.node(nid)
    return f"{node.type}:{nid}"


def keyed(tree: PhoneTree, nid: str | None = None) -> dict[str, str]:
    return {k: lands(tree, o.next) for k, o in menu(tree, nid).options.items()}


# -- issue 19, item 1: bounded loops are retries, not "a cycle that never yields" --------------


def test_connect_scv_ddr_loops_import_with_the_support_menu() -> None:
    imported = importers.read(wild("amazon_connect/scv_ddr_support_menu_legacy.json"))
    tree = imported.tree
    top = menu(tree)
    assert "press 1 for desktop support" in (top.prompt or "").lower()
    # 1 -> the hardware/software submenu, 2 -> the Lambda "server" (a branch on its answer),
    # 0 -> "one minute while I find someone".
    assert set(top.options) == {"1", "2", "0"}
    sub = menu(tree, top.options["1"].next)
    assert set(sub.options) == {"1", "2"}
    assert tree.node(top.options["2"].next).type == "branch"
    assert "one minute while i find some" in (tree.node(top.options["0"].next).prompt or "").lower()
    loops = [w for w in imported.warnings if w.startswith("loops:")]
    assert len(loops) == 2 and any("up to 20 times" in w for w in loops)
    assert any("up to 3 times" in w for w in loops)
    # The hunt for an agent ends at the queue transfer, as in the source.
    assert any(n.type == "queue" for n in tree.nodes.values())


def test_voicexml_clear_then_goto_follows_the_goto() -> None:
    tree = importers.read(wild("voicexml/radiomali_en_menu.xml")).tree
    # Station code entry + confirm, then <menu id="mainmenu"> 1 set up a poll, 2 hear results,
    # 3 language.xml.
    assert tree.node(tree.entry).type == "input"
    keys = keyed(tree, "mainmenu")
    assert set(keys) == {"1", "2", "3"}
    assert keys["3"] == "self_service:language"
    assert "start date" in (tree.node(menu(tree, "mainmenu").options["1"].next).prompt or "")


def test_asterisk_speech_retry_through_agi_is_a_speech_input() -> None:
    tree = importers.read(wild("asterisk/afrodeb_university_extensions.conf")).tree
    english = menu(tree, "english")
    search = lands(tree, english.options["3"].next)
    assert search == "input:speech_input"
    speech = tree.node("speech_input")
    assert speech.modality == "speech"  # type: ignore[union-attr]
    retry = tree.node("can_you_please_repeat_more")
    assert retry.next == "speech_input"  # type: ignore[union-attr]  # "goto(record)" retries


# -- item 2, 3, 4: Twilio Studio ---------------------------------------------------------------


def test_twilio_owl_taxi_speech_attaches_to_keys() -> None:
    imported = importers.read(wild("twilio_studio/owl_taxi_booking.json"))
    tree = imported.tree
    top = menu(tree)
    assert list(top.options) == ["1", "2"]  # no made-up keys for the speech branches
    assert top.options["1"].speech == ("taxi",) and top.options["2"].speech == ("payment",)
    assert top.meta["source"]["speech_only"] == {"driver": None}
    assert lands(tree, top.options["2"].next) == "hangup:end_of_flow"  # two says, then end
    assert lands(tree, top.options["1"].next) == "input:gather_3"  # the name gather
    assert set(keyed(tree, "confirm_address")) == {"1", "2"}


def test_twilio_no_answer_goes_to_voicemail() -> None:
    tree = importers.read(wild("twilio_studio/whiterabbit_hours_voicemail.json")).tree
    hours = tree.node(tree.entry)
    assert hours.type == "branch" and hours.when[0].open  # type: ignore[union-attr]
    answered = tree.node("connect_call_1_answered")
    assert answered.type == "branch"
    assert lands(tree, answered.when[0].next) == "voicemail:record_voicemail_1"  # type: ignore[union-attr]
    assert answered.otherwise == "connect_call_1"  # type: ignore[union-attr]
    assert lands(tree, hours.otherwise) == "voicemail:record_voicemail_1"  # type: ignore[union-attr]


def test_twilio_2018_export_reads_sids() -> None:
    tree = importers.read(wild("twilio_studio/capture_payment_legacy_export.json")).tree
    gather = tree.node(tree.entry)
    assert gather.type == "input" and "dollars" in (gather.prompt or "")
    pay = tree.node(gather.next)  # type: ignore[union-attr, arg-type]
    assert pay.type == "input" and pay.collects == "payment_card"  # type: ignore[union-attr]
    assert tree.node(pay.next).prompt == "payment success"  # type: ignore[union-attr, arg-type]
    assert tree.node(pay.on_failure).prompt == "Max failed attempts"  # type: ignore[union-attr, arg-type]


def test_twilio_gather_until_code_is_an_input_that_retries() -> None:
    tree = importers.read(wild("twilio_studio/gather_until_code.json")).tree
    code = tree.node("gather_1")
    assert code.type == "input" and code.digits == 3 and code.timeout_s == 30  # type: ignore[union-attr]
    assert code.retries > 2  # a wrong code and silence both come back  # type: ignore[union-attr]
    assert "stop recording" in (tree.node(code.next).prompt or "")  # type: ignore[union-attr, arg-type]


def test_twilio_quickdeploy_keys() -> None:
    tree = importers.read(wild("twilio_studio/quickdeploy_sales_support_ticket.json")).tree
    assert set(menu(tree).options) == {"1", "2"}
    assert all(v.startswith("input:") for v in keyed(tree).values())


def test_twilio_outbound_dialer_imports_from_the_answered_call() -> None:
    imported = importers.read(wild("twilio_studio/predictive_dialer_outbound.json"))
    tree = imported.tree
    # incomingRequest -> make-outgoing-call-v2 -> answered: say -> enqueue-call.
    assert lands(tree, tree.entry) == "queue:enqueue_queue"
    assert "calling you today" in (tree.node(tree.entry).prompt or "")
    assert any(w.startswith("outbound:") for w in imported.warnings)


# -- item 5: VoiceXML conditions ---------------------------------------------------------------


def test_voicexml_block_cond_is_a_branch() -> None:
    imported = importers.read(wild("voicexml/acme_taxi_form.vxml"))
    tree = imported.tree
    guard = tree.node(tree.entry)
    assert guard.type == "branch"
    assert lands(tree, guard.when[0].next) == "hangup:goodbye"  # type: ignore[union-attr]
    assert guard.otherwise == "ph"  # type: ignore[union-attr]  # the phone number field
    share = tree.node("if_share")
    assert share.when[0].next == "share" and share.otherwise == "pickup_where"  # type: ignore[union-attr]
    assert any(w.startswith("branches:") and "if_block" in w for w in imported.warnings)


@pytest.mark.parametrize(
    ("rel", "keys"),
    [
        ("voicexml/voximal_parrot_language_menu.vxml", {"1": "parrot_en", "2": "parrot_fr", "3": "parrot_es"}),
        ("voicexml/sem_category_selection.xml", {"1": "input_price", "2": "input_price", "3": "input_price"}),
        ("voicexml/acme_main_menu_v1.vxml", {"1": "acme_taxi", "2": "acme_aerospace", "3": "acme_pet_food", "4": "information_request"}),
    ],
)  # fmt: skip
def test_voicexml_menus(rel: str, keys: dict[str, str]) -> None:
    tree = importers.read(wild(rel)).tree
    assert {k: o.next for k, o in menu(tree).options.items()} == keys


def test_voicexml_files_without_menus_import() -> None:
    for rel in ("voicexml/dial2do_service_menu.vxml", "voicexml/voximal_registrazione_latin1.vxml"):
        tree = importers.read(wild(rel)).tree
        assert tree.node(tree.entry).type == "input"


# -- item 6: Asterisk --------------------------------------------------------------------------


def test_asterisk_afrodeb_starts_at_localsets_not_the_stock_demo() -> None:
    imported = importers.read(wild("asterisk/afrodeb_university_extensions.conf"))
    tree = imported.tree
    assert tree.entry == "local_sets"
    # 1 English, 2 Shona, 3 Ndebele (whose context is missing: the call ends).
    assert keyed(tree) == {"1": "menu:english", "2": "menu:shona", "3": "hangup:end_of_flow"}
    english = keyed(tree, "english")
    assert set(english) == {"1", "2", "3", "0", "#"}
    assert english["1"] == "menu:department_in_english"
    assert english["0"].startswith("agent:")
    assert any("[demo]" in w and "--entry" in w for w in imported.warnings)


def test_asterisk_esti_reads_googletts_prompts_and_ext_800() -> None:
    tree = importers.read(wild("asterisk/esti_mobile_money_extensions.conf")).tree
    top = menu(tree)
    assert tree.entry == "work"
    assert "Pour consulter votre solde tapez 1." in (top.prompt or "")
    assert set(top.options) == {"1", "2", "3", "4"}
    assert "solde" in (tree.node(top.options["1"].next).prompt or "")
    assert lands(tree, top.options["2"].next) == "menu:work_2"
    assert lands(tree, top.options["3"].next) == "input:read_somme"
    assert tree.node("read_somme").digits == 7  # type: ignore[union-attr]


def test_asterisk_queue_without_menu_imports() -> None:
    tree = importers.read(
        wild("asterisk/calltech_from_ippi.conf"),
        resources=[wild("asterisk/calltech_queue_Sales.conf")],
    ).tree
    queue = tree.node(tree.entry)
    assert queue.type == "queue" and tree.entry == "sales_queue"
    assert queue.meta["source"]["queue"]["members"] == 1  # member SIP/20, from Sales.conf
    assert queue.meta["source"]["queue"]["strategy"] == "ringall"


@pytest.mark.parametrize(
    ("rel", "keys"),
    [
        ("asterisk/rmm_callcenter_extensions.conf", {"1": "self_service:voicemail_box", "2": "branch:if_db_exists_no_molestar", "3": "self_service:time_of_day", "4": "menu:tiempo"}),
        ("asterisk/atendimento_extensions.conf", {"2": "menu:lista_musicas", "4": "agent:extension_4"}),
        ("asterisk/malariapbx_mixed_configuration.conf", {"1": "menu:infos_1", "2": "menu:infos_2", "*": "menu:server", "#": "hangup"}),
    ],
)  # fmt: skip
def test_asterisk_menus(rel: str, keys: dict[str, str]) -> None:
    found = keyed(importers.read(wild(rel)).tree)
    # A hang-up's id depends on the order steps are named in; its type is what the file says.
    assert {k: "hangup" if v.startswith("hangup:") else v for k, v in found.items()} == keys


# -- item 7: FreeSWITCH ------------------------------------------------------------------------


def test_freeswitch_dial_by_extension_is_an_input() -> None:
    tree = importers.read(wild("freeswitch/vrn_inbound_dial_by_extension.xml")).tree
    node = tree.node(tree.entry)
    assert node.type == "input" and node.collects == "extension"  # type: ignore[union-attr]
    assert tree.node(node.next).type == "agent"  # type: ignore[union-attr, arg-type]


def test_freeswitch_dialplan_xml_starts_at_the_ivr_extension() -> None:
    imported = importers.read(wild("freeswitch/gio_dialplan_default.xml"))
    tree = imported.tree
    assert tree.name == "FreeSWITCH dialplan IVR_Main"
    assert tree.node(tree.entry).type == "self_service"  # ivr main_ivr, in ivr.conf.xml
    assert any("main_ivr" in w and "ivr.conf.xml" in w for w in imported.warnings)
    queue = importers.read(wild("freeswitch/gio_dialplan_default.xml"), entry="Queue_1").tree
    assert queue.node(queue.entry).type == "queue" and queue.entry == "queue1_queue"


def test_freeswitch_callcenter_menu() -> None:
    tree = importers.read(wild("freeswitch/gio_main_ivr_callcenter.conf.xml")).tree
    assert keyed(tree) == {
        "1": "queue:queue1_queue",
        "2": "queue:queue2_queue",
        "3": "agent:extension_1000",
    }


def test_freeswitch_malformed_file_is_refused_naming_line_7() -> None:
    with pytest.raises(ivr.TreeFileError, match=r"fs2008_ivr_conf_malformed_attr.xml:7: "):
        importers.read(wild("freeswitch/fs2008_ivr_conf_malformed_attr.xml"))


# -- Amazon Connect ----------------------------------------------------------------------------


def test_connect_menus() -> None:
    tree = importers.read(wild("amazon_connect/airline_cards_handler.json")).tree
    assert keyed(tree) == dict.fromkeys("123", "queue:working_queue_queue")
    tree = importers.read(wild("amazon_connect/sample_queue_configurations.json")).tree
    assert set(menu(tree, "press_1_to_move_to_the").options) == {"1", "2"}
    assert set(menu(tree, "press_1_to_go_into_queue").options) == {"1", "2"}
    tree = importers.read(wild("amazon_connect/scv_vmx_inbound_hours_legacy.json")).tree
    assert set(menu(tree, "if_you_don_t_want_to_wait").options) == {"1"}
    tree = importers.read(wild("amazon_connect/rules_engine_queue.json")).tree
    assert set(menu(tree, "menu").options) == {"1", "2", "3"}


# -- every wild file: imports, or is refused in one line that says what and where --------------


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_every_wild_flow_loads_or_is_refused_in_one_line() -> None:
    refused = {
        "calltech_queue_Sales.conf",  # a queues.conf resource, not a flow
        "fs2008_ivr_conf_malformed_attr.xml",  # not well-formed XML
    }
    for path in sorted(p for p in WILD.rglob("*") if p.is_file() and p.suffix != ".md"):
        if path.parent.name == "unsupported":
            continue
        if path.name in refused:
            with pytest.raises(ivr.TreeFileError) as exc:
                ivr.load(path)
            assert "\n" not in str(exc.value) and "developers" not in str(exc.value)
        else:
            tree = ivr.load(path)
            assert tree.nodes, path.name


# -- item 8: Genesys Cloud Architect (Archy YAML) ----------------------------------------------


def test_genesys_archy_openhours_flow() -> None:
    path = wild("unsupported/genesys_archy_openhours_flow.yaml")
    assert importers.detect(path.read_bytes(), path.name) == "genesys"
    tree = importers.read(path).tree
    greet = tree.node(tree.entry)
    assert greet.prompt == "Juan says Oi!"  # initialGreeting
    main = menu(tree, greet.next)  # type: ignore[union-attr]
    assert main.prompt == "You are at the Main Menu, press 9 to disconnect."
    assert keyed(tree, greet.next) == {"9": "hangup:disconnect"}  # type: ignore[union-attr]
    assert main.retries == 3 and main.timeout_s == 10.0  # the flow's settingsMenu
