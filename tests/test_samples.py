"""Every real flow in ../shared/samples imports, validates, lints and scores - and matches its source.

The samples are licensed files from public projects (see each folder's SOURCES.md). They live
outside the repository; set IVRSCORE_SAMPLES to point elsewhere. The structural checks below were
written by reading each source file by hand: menus, their keys, and where each key ends.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import ivrscore as ivr
from ivrscore import importers
from ivrscore.model.nodes import Menu

SAMPLES = Path(
    os.environ.get("IVRSCORE_SAMPLES", Path(__file__).resolve().parents[2] / "shared" / "samples")
)
pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(),
    reason=f"sample flows not found at {SAMPLES} (set IVRSCORE_SAMPLES to the shared/samples folder)",
)

# Files a flow refers to, read beside the flows of their platform.
RESOURCES = {
    "amazon_connect": ["acme_hours_of_operation_finance.json"],
    "freeswitch": ["lang_en_demo-ivr_phrases.xml"],
    "asterisk": ["basic-pbx_queues.conf"],
}
FORMAT = {
    "amazon_connect": "connect",
    "asterisk": "asterisk",
    "freeswitch": "freeswitch",
    "twilio_studio": "twilio",
    "voicexml": "voicexml",
}


def _files() -> list[Path]:
    if not SAMPLES.is_dir():
        return []
    return sorted(p for p in SAMPLES.glob("*/*") if p.name != "SOURCES.md")


def _flows() -> list[Path]:
    resources = {name for names in RESOURCES.values() for name in names}
    return [p for p in _files() if p.name not in resources]


def _read(platform: str, name: str, *, with_resources: bool = True) -> importers.Imported:
    res = [SAMPLES / platform / r for r in RESOURCES.get(platform, [])] if with_resources else []
    return importers.read(SAMPLES / platform / name, resources=res)


def _keys(tree: ivr.PhoneTree, menu: str) -> dict[str, str]:
    node = tree.node(menu)
    assert isinstance(node, Menu)
    return {k: o.next for k, o in node.options.items()}


def _end(tree: ivr.PhoneTree, nid: str) -> str:
    """Follow messages to where they end: the type of the first node that is not a message."""
    seen = set()
    while tree.node(nid).type == "message" and nid not in seen:
        seen.add(nid)
        nxt = tree.node(nid).next  # type: ignore[union-attr]
        assert nxt is not None
        nid = nxt
    return tree.node(nid).type


@pytest.mark.parametrize("path", _flows(), ids=lambda p: p.name)
def test_every_sample_flow_imports_validates_lints_and_scores(path: Path) -> None:
    platform = path.parent.name
    assert importers.detect(path.read_bytes(), path.name) == FORMAT[platform]
    imported = _read(platform, path.name)
    tree = imported.tree
    assert imported.format == FORMAT[platform]
    assert tree.meta["imported"]["warnings"] == list(imported.warnings)
    assert any(w.startswith("tasks:") for w in imported.warnings)
    # The YAML written by `ivrscore import` loads back to the same tree.
    again = ivr.loads(ivr.dumps(tree))
    assert again == tree
    found = ivr.lint(tree)
    report = ivr.score(tree)
    assert 0.0 <= report.score <= 100.0
    assert {f.node for f in found} - {None} <= set(tree.nodes)
    # Both engines agree on where callers end up.
    exact = ivr.analyze(tree)
    assert sum(exact.outcomes.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("path", [p for p in _files() if p not in _flows()], ids=lambda p: p.name)
def test_resource_files_are_recognised_and_refused_as_flows(path: Path) -> None:
    kind = importers.detect(path.read_bytes(), path.name)
    assert kind in importers.RESOURCE_KINDS
    with pytest.raises(ivr.TreeFileError, match="not a call flow; give it beside its flow"):
        importers.read(path)


def test_every_sample_loads_through_ivr_load_with_a_warning() -> None:
    for path in _flows():
        with pytest.warns(ivr.ImportedFlowWarning, match="imported from"):
            tree = ivr.load(path)
        assert tree.file == str(path)


# -- hand-checked against the source files --------------------------------------------------------


def test_twilio_hours_flow_matches_source() -> None:
    # Trigger -> check_schedule (function) -> is_open split: true -> send_to_flex, else say_closed.
    tree = _read("twilio_studio", "flexpt_schedule_hours_flow.json").tree
    entry = tree.node(tree.entry)
    assert entry.type == "branch"
    assert entry.when[0].open == "check_schedule"  # type: ignore[union-attr]
    assert tree.node(entry.when[0].next).type == "queue"  # type: ignore[union-attr]
    closed = tree.node(entry.otherwise)  # type: ignore[union-attr]
    assert closed.prompt is not None and closed.prompt.startswith("We are currently closed.")
    assert "{%" not in closed.prompt and "unforseen" not in closed.prompt  # the else branch only
    assert _end(tree, entry.otherwise) == "hangup"  # type: ignore[union-attr]
    errors = tree.meta["imported"]["error_paths"]
    assert errors["check_schedule"] == {"fail": "send_to_flex_queue"}


def test_connect_clinic_matches_source() -> None:
    # 1 welcome -> 2 input (5 s, 1 digit, failures -> 8) -> lambda/attributes -> 6 -> 7 queue.
    tree = _read("amazon_connect", "clinic_dtmf_menu_flow.json").tree
    welcome = tree.node(tree.entry)
    assert welcome.prompt.startswith("Welcome to the clinic. Press 1 for Elena")  # type: ignore[union-attr]
    ask = tree.node(welcome.next)  # type: ignore[union-attr]
    assert (ask.type, ask.digits, ask.timeout_s, ask.retries) == ("input", 1, 5.0, 0)  # type: ignore[union-attr]
    assert tree.node(ask.on_failure).prompt == "Sorry, an error occurred. Goodbye."  # type: ignore[union-attr]
    assert _end(tree, ask.on_failure) == "hangup"  # type: ignore[union-attr]
    assert tree.node(ask.next).prompt == "Connecting you to your clinician now."  # type: ignore[union-attr]
    assert _end(tree, ask.next) == "queue"  # type: ignore[union-attr]


def test_connect_legacy_main_menu_matches_source() -> None:
    # Press 1 payment flow, 2 change PIN flow, 0 hold -> BasicQueue, 9 repeat (via Loop x3).
    tree = _read("amazon_connect", "legacy_context_tracking_main.json").tree
    menu = next(
        n for n, x in tree.nodes.items() if x.prompt and x.prompt.startswith("Press 1 to make")
    )
    keys = _keys(tree, menu)
    assert set(keys) == {"1", "2", "0", "9"}
    assert keys["9"] == menu
    assert tree.node(keys["1"]).meta["source"]["flow"] == "CHANGE TO MAKE PAYMENT FLOW"
    assert tree.node(keys["2"]).meta["source"]["flow"] == "CHANGE TO CHANGE PIN FLOW"
    assert _end(tree, keys["0"]) == "queue"
    node = tree.node(menu)
    assert node.retries == 3 and node.on_failure == keys["0"]  # type: ignore[union-attr]
    assert "basic_queue" in tree.task_names


def test_connect_legacy_payment_flow_matches_source() -> None:
    tree = _read("amazon_connect", "legacy_context_tracking_make_payment.json").tree
    menu = next(
        n for n, x in tree.nodes.items() if x.prompt and "by credit card, press 1" in x.prompt
    )
    keys = _keys(tree, menu)
    card, account = tree.node(keys["1"]), tree.node(keys["2"])
    assert (card.type, card.digits, card.collects) == ("input", 16, "card_number")  # type: ignore[union-attr]
    assert (account.digits, account.collects) == (20, "account_number")  # type: ignore[union-attr]
    expiry = tree.node(card.next)  # type: ignore[union-attr]
    assert expiry.digits == 4  # type: ignore[union-attr]
    routing = tree.node(account.next)  # type: ignore[union-attr]
    assert routing.digits == 9  # type: ignore[union-attr]
    confirm = next(
        n for n, x in tree.nodes.items() if x.prompt and x.prompt.startswith("To confirm")
    )
    assert set(_keys(tree, confirm)) == {"1", "3"}


def test_connect_envelope_lex_menu_matches_source() -> None:
    tree = _read("amazon_connect", "acme_main_lex_menu_describe_envelope.json").tree
    assert tree.name == "acme_main_AUTO" and tree.description == "Main Entry Point"
    menu = next(n for n, x in tree.nodes.items() if x.type == "menu")
    node = tree.node(menu)
    assert node.modality == "speech"  # type: ignore[union-attr]
    assert [o.speech for o in node.options.values()] == [("Sales",), ("Finance",)]  # type: ignore[union-attr]
    assert [tree.node(o.next).type for o in node.options.values()] == ["queue", "queue"]  # type: ignore[union-attr]
    assert sorted(tree.task_names) == ["finance", "sales"]


def test_connect_hours_resource_gives_the_real_opening_hours() -> None:
    flow = "legacy_dynamic_contact_center_main.json"
    without = _read("amazon_connect", flow, with_resources=False)
    assert any(w.startswith("schedules:") for w in without.warnings)
    tree = _read("amazon_connect", flow).tree
    (schedule,) = tree.schedules.values()
    assert schedule.root == {"mon": "08:00-18:00", "tue": "08:00-18:00", "wed": "08:00-18:00",
                             "thu": "08:00-18:00", "fri": "08:00-18:00"}  # fmt: skip
    check = next(x for x in tree.nodes.values() if x.type == "branch" and x.when[0].open)  # type: ignore[union-attr]
    assert check.meta["source"]["type"] == "CheckHoursOfOperation"


def test_voicexml_opal_menu_matches_source() -> None:
    tree = _read("voicexml", "opal_ivr_test.vxml").tree
    menu = tree.node(tree.entry)
    assert menu.prompt == "Welcome to the OPAL I V R example."
    assert menu.timeout_s == 30.0  # type: ignore[union-attr]
    keys = _keys(tree, tree.entry)
    assert list(keys) == ["1", "2", "3", "4", "0"]
    assert menu.options["2"].say == "Press 2 to re-cord a message"  # type: ignore[union-attr]
    assert tree.node(keys["2"]).type == "voicemail"
    digits = tree.node(keys["3"])
    assert (digits.type, digits.digits) == ("input", 5)  # type: ignore[union-attr]
    assert tree.node(digits.next).type == "agent"  # type: ignore[union-attr]
    assert _end(tree, keys["4"]) == "agent"
    assert tree.node(keys["0"]).prompt == "Good bye." and _end(tree, keys["0"]) == "hangup"
    # <noinput> says "Nothing entered, disconnecting." and disconnects; <nomatch> replays.
    assert tree.node(menu.on_failure).prompt == "Nothing entered, disconnecting."  # type: ignore[union-attr]
    assert menu.meta["source"]["reprompt"] == "Please enter 1 to 4 or 0."
    # <goto expritem="application.TestGoto"/> is followed through the document variable.
    assert _end(tree, keys["1"]) == "menu"


def test_voicexml_server_menu_and_movies_match_source() -> None:
    tree = _read("voicexml", "opal_server_main_menu.vxml").tree
    assert list(_keys(tree, tree.entry)) == ["1", "2", "3", "4", "5", "0"]
    movies = _read("voicexml", "jvoicexml_movies.vxml").tree
    keys = _keys(movies, movies.entry)
    assert list(keys) == ["1", "2"]
    assert movies.node(keys["1"]).prompt.startswith("lord of the rings")  # type: ignore[union-attr]
    field = movies.node(keys["2"])
    assert (field.type, field.collects, field.modality, field.timeout_s) == (  # type: ignore[union-attr]
        "input", "movie", "speech", 10.0)  # fmt: skip


def test_voicexml_mixed_initiative_form_matches_source() -> None:
    tree = _read("voicexml", "jvoicexml_pizza_mixed_initiative.vxml").tree
    inputs = [n.collects for n in tree.nodes.values() if n.type == "input"]  # type: ignore[union-attr]
    assert inputs == ["start", "topping", "size", "go_ahead"]
    branch = next(n for n in tree.nodes.values() if n.type == "branch")
    assert tree.node(branch.when[0].next).prompt.startswith("The pizza will be delivered")  # type: ignore[union-attr]
    assert tree.node(branch.otherwise).type == "input"  # <clear> goes back to the first field  # type: ignore[union-attr]


def test_freeswitch_demo_matches_source() -> None:
    tree = _read("freeswitch", "demo_ivr.xml").tree
    keys = _keys(tree, "demo_ivr")
    assert list(keys) == ["1", "2", "3", "4", "5", "6", "9"]
    assert keys["6"] == "demo_ivr_submenu" and keys["9"] == "demo_ivr"
    assert _keys(tree, "demo_ivr_submenu") == {"*": "demo_ivr"}
    menu = tree.node("demo_ivr")
    assert (menu.timeout_s, menu.retries) == (10.0, 2)  # type: ignore[union-attr]
    assert menu.options["2"].say == "To do a freeswitch echo test please press 2."  # type: ignore[union-attr]
    assert menu.options["2"].meta["source"]["label"] == "FS echo"  # type: ignore[union-attr]
    assert menu.meta["source"]["patterns"] == {"/^(10[01][0-9])$/": "transfer $1 XML features"}
    assert menu.prompt.startswith("Welcome to freeswitch")  # from the phrase macro


def test_freeswitch_new_demo_and_insideout_match_source() -> None:
    tree = _read("freeswitch", "new_demo_ivr.xml").tree
    assert list(_keys(tree, "new_demo_ivr")) == ["1", "2", "3", "4", "9"]
    for sub in (
        "freeswitch_ivr_submenu",
        "freeswitch_solutions_ivr_submenu",
        "cluecon_ivr_submenu",
    ):
        assert _keys(tree, sub) == {"9": sub, "*": "new_demo_ivr"}
    # Option 4's param "5000 XML default" lacks its application name: read as a transfer.
    assert (
        tree.node(_keys(tree, "new_demo_ivr")["4"]).meta["source"]["command"] == "5000 XML default"
    )
    inside = _read("freeswitch", "insideout_ivr.conf.xml").tree
    assert list(_keys(inside, "demo_ivr")) == ["1", "2", "3", "4", "5", "9"]
    assert _keys(inside, "demo_ivr")["4"] == "demo_ivr_submenu"


def test_asterisk_basic_pbx_matches_source() -> None:
    imported = _read("asterisk", "basic-pbx_extensions.conf")
    tree = imported.tree
    menu = tree.node(tree.entry)
    keys = _keys(tree, tree.entry)
    assert list(keys) == ["1", "2", "3", "4", "0"]
    assert tree.node(keys["1"]).meta["source"]["queue"] == {
        "members": 3, "strategy": "ringall", "timeout_s": 300}  # fmt: skip
    assert [tree.node(keys[k]).type for k in "124"] == ["queue", "queue", "self_service"]
    # Keys 0 and 3 check whether the phone is busy (to voicemail), else dial the person.
    for k in "03":
        branch = tree.node(keys[k])
        assert tree.node(branch.when[0].next).type == "voicemail"  # type: ignore[union-attr]
        assert tree.node(branch.otherwise).type == "agent"  # type: ignore[union-attr]
    # The prompt script quoted in the comment above [Main-IVR] gives the words.
    assert menu.options["2"].say == "To speak with a customer advocate, press two."  # type: ignore[union-attr]
    assert menu.timeout_s == 10.0  # type: ignore[union-attr]
    assert menu.meta["source"]["reprompt"] in ("Option is invalid.", "Are you still there.")
    assert any("Goto(operator,1)" in w for w in imported.warnings)  # a real gap in the sample
    assert tree.line_of(tree.entry) == 162


def test_asterisk_sample_demo_matches_source() -> None:
    tree = _read("asterisk", "extensions.conf.sample").tree
    keys = _keys(tree, tree.entry)
    assert list(keys) == ["2", "3", "#"]
    assert keys["3"] == tree.entry  # change language, then back to the start
    assert tree.node(keys["2"]).prompt == "Demo moreinfo."
    assert _end(tree, keys["#"]) == "hangup"
