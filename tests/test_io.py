"""Loading and saving: every error kind with its message, safety limits, lossless round trips."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import ivrscore as ivr
from ivrscore import io as ivr_io

from .strategies import documents

GOOD = """
name: Test line
entry: main_menu
schedules:
  office: {mon-fri: "08:00-18:00"}
tasks:
  - {name: pay_bill, share: 0.6}
  - {name: report_fault, share: 0.4}
nodes:
  main_menu:
    type: menu
    options:
      "1": {say: "To pay a bill, press 1.", next: pay}
      "2": {say: "To report a fault, press 2.", next: faults_queue}
    on_failure: faults_queue
  pay:
    type: self_service
    handles: [pay_bill]
  faults_queue:
    type: queue
    open: office
    on_closed: closed
    wait: {mean_s: 120}
    next: faults_agent
  faults_agent:
    type: agent
    handles: [report_fault, pay_bill]
  closed:
    type: voicemail
"""

WriteFile = Callable[..., Path]


def error_for(write_file: WriteFile, text: str, name: str = "tree.yaml") -> ivr.TreeFileError:
    path = write_file(text, name)
    with pytest.raises(ivr.TreeFileError) as info:
        ivr.load(path)
    return info.value


def test_good_file_loads(write_file: WriteFile) -> None:
    tree = ivr.load(write_file(GOOD))
    assert tree.entry == "main_menu"
    assert tree.line_of("faults_queue") == 18
    assert tree.file is not None and tree.file.endswith("tree.yaml")


def test_typo_in_target_names_id_line_and_closest(write_file: WriteFile) -> None:
    err = error_for(write_file, GOOD.replace("next: faults_queue}", "next: faults_queu}"))
    assert err.node == "main_menu"
    assert err.line == 13
    assert "options.2.next goes to 'faults_queu', which is not a node" in str(err)
    assert err.hint == "did you mean 'faults_queue'?"
    assert str(err).startswith(f"{err.file}:13:")


def test_missing_node_reference_without_close_match(write_file: WriteFile) -> None:
    err = error_for(write_file, GOOD.replace("on_closed: closed", "on_closed: elsewhere"))
    assert err.node == "faults_queue" and err.line == 21
    assert "on_closed goes to 'elsewhere', which is not a node" in str(err)


def test_entry_missing(write_file: WriteFile) -> None:
    err = error_for(write_file, GOOD.replace("entry: main_menu", "entry: main"))
    assert err.line == 2 and "entry 'main' is not a node" in str(err)
    assert err.hint == "did you mean 'main_menu'?"


def test_malformed_yaml_gives_the_line(write_file: WriteFile) -> None:
    err = error_for(
        write_file, GOOD.replace("    type: self_service", "    type: self_service\n   bad")
    )
    assert "malformed YAML" in str(err)
    assert err.line in (16, 17)


def test_unquoted_colon_gets_a_hint(write_file: WriteFile) -> None:
    err = error_for(
        write_file,
        GOOD.replace(
            "  closed:\n    type: voicemail",
            "  closed:\n    type: voicemail\n    prompt: Note: closed",
        ),
    )
    assert "malformed YAML" in str(err) and "quote" in (err.hint or "")


def test_unknown_key_suggests_intended_key(write_file: WriteFile) -> None:
    err = error_for(
        write_file, GOOD.replace("    on_failure: faults_queue", "    on_falure: faults_queue")
    )
    assert "unknown key 'on_falure'" in str(err)
    assert err.hint == "did you mean 'on_failure'?"
    assert err.node == "main_menu" and err.line == 14


def test_unknown_key_inside_option(write_file: WriteFile) -> None:
    err = error_for(write_file, GOOD.replace("next: pay}", "nxt: pay}"))
    messages = [p.message for p in err.problems]
    assert any("unknown key 'nxt' in option '1'" in m for m in messages)
    assert any("did you mean 'next'" in (p.hint or "") for p in err.problems)


def test_unknown_top_level_key(write_file: WriteFile) -> None:
    err = error_for(write_file, GOOD.replace("entry: main_menu", "entry: main_menu\nentyr: x"))
    assert "unknown key 'entyr'" in str(err) and err.hint == "did you mean 'entry'?"


def test_unknown_node_type(write_file: WriteFile) -> None:
    err = error_for(write_file, GOOD.replace("type: voicemail", "type: voice_mail"))
    assert "unknown node type 'voice_mail'" in str(err)
    assert err.hint == "did you mean 'voicemail'?" and err.node == "closed"


def test_shares_not_summing_to_one(write_file: WriteFile) -> None:
    err = error_for(write_file, GOOD.replace("share: 0.4", "share: 0.5"))
    assert "task shares sum to 1.1, not 1" in str(err) and err.line == 5


def test_percentages_instead_of_shares(write_file: WriteFile) -> None:
    err = error_for(
        write_file, GOOD.replace("share: 0.6", "share: 60").replace("share: 0.4", "share: 40")
    )
    assert "share" in str(err)


def test_unknown_schedule(write_file: WriteFile) -> None:
    err = error_for(write_file, GOOD.replace("open: office", "open: ofice"))
    assert "uses schedule 'ofice', which is not defined" in str(err)
    assert err.hint == "did you mean 'office'?" and err.line == 20


def test_unknown_task_in_handles(write_file: WriteFile) -> None:
    err = error_for(write_file, GOOD.replace("handles: [pay_bill]", "handles: [pay_bil]"))
    assert "handles 'pay_bil', which is not a task" in str(err)
    assert err.hint == "did you mean 'pay_bill'?" and err.node == "pay"


def test_duplicate_yaml_key(write_file: WriteFile) -> None:
    err = error_for(write_file, GOOD + "  pay:\n    type: hangup\n")
    assert "duplicate key 'pay' (first at line 15)" in str(err)
    assert err.line == 29 and err.node == "pay"


def test_duplicate_json_key(write_file: WriteFile) -> None:
    text = '{"name": "x", "entry": "a", "entry": "b", "tasks": [], "nodes": {}}'
    err = error_for(write_file, text, "tree.json")
    assert "duplicate key 'entry'" in str(err) and err.line == 1


def test_malformed_json(write_file: WriteFile) -> None:
    err = error_for(write_file, '{"name": "x",\n "entry": }', "tree.json")
    assert "malformed JSON" in str(err) and err.line == 2


def test_cycle_that_never_yields(write_file: WriteFile) -> None:
    text = GOOD.replace(
        "  closed:\n    type: voicemail",
        "  closed:\n    type: message\n    next: sorry\n  sorry:\n    type: message\n    next: closed",
    )
    err = error_for(write_file, text)
    assert "cycle that never yields: closed -> sorry -> closed" in str(err)


def test_several_problems_are_counted(write_file: WriteFile) -> None:
    err = error_for(
        write_file, GOOD.replace("next: pay}", "next: pya}").replace("open: office", "open: x")
    )
    assert len(err.problems) == 2 and "(and 1 more problem)" in str(err)
    assert [p.line for p in err.problems] == sorted(p.line for p in err.problems)


def test_value_errors_name_the_field(write_file: WriteFile) -> None:
    err = error_for(write_file, GOOD.replace("wait: {mean_s: 120}", "wait: {mean_s: -5}"))
    assert "'mean_s' in wait" in str(err) and "greater than 0" in str(err)
    assert err.node == "faults_queue"


def test_bad_option_key(write_file: WriteFile) -> None:
    err = error_for(write_file, GOOD.replace('"2": {say', '"A": {say'))
    assert "option key 'A' is not a telephone key" in str(err)


def test_not_a_mapping(write_file: WriteFile) -> None:
    err = error_for(write_file, "- just\n- a list\n")
    assert "a phone tree is a mapping" in str(err)


def test_empty_file(write_file: WriteFile) -> None:
    err = error_for(write_file, "")
    assert "empty" in str(err)


def test_safe_loader_refuses_python_objects(write_file: WriteFile) -> None:
    err = error_for(write_file, "name: !!python/object/apply:os.system ['echo hacked']\n")
    assert "malformed YAML" in str(err)


def test_alias_bomb_is_refused(write_file: WriteFile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ivr_io, "MAX_ITEMS", 100_000)  # 10**8 values if expanded
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    err = error_for(write_file, "\n".join(lines) + "\n")
    assert "expands to more than" in str(err)


def test_file_over_size_bound(write_file: WriteFile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ivr_io, "MAX_BYTES", 100)
    err = error_for(write_file, GOOD)
    assert "ivrscore reads phone-tree files up to" in str(err)


def test_non_utf8(tmp_path: Path) -> None:
    p = tmp_path / "t.yaml"
    p.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(ivr.TreeFileError, match="not UTF-8"):
        ivr.load(p)


def test_json_and_yaml_load_the_same_tree(write_file: WriteFile) -> None:
    tree = ivr.load(write_file(GOOD))
    as_json = write_file(json.dumps(tree.to_dict()), "tree.json")
    again = ivr.load(as_json)
    assert again == tree
    assert again.line_of("pay") is not None  # JSON files get positions too


def test_loads_sniffs_flow_yaml_and_json() -> None:
    flow = "{name: T, entry: a, tasks: [{name: x, share: 1}], nodes: {a: {type: hangup}}}"
    js = '{"name": "T", "entry": "a", "tasks": [{"name": "x", "share": 1}], "nodes": {"a": {"type": "hangup"}}}'
    assert ivr.loads(flow) == ivr.loads(js)


def test_round_trip_keeps_meta_and_key_order(write_file: WriteFile, tmp_path: Path) -> None:
    text = GOOD.replace(
        "  pay:\n    type: self_service",
        "  pay:\n    meta: {zeta: 1, alpha: {nested: [1, 2]}, owner: billing}\n    type: self_service",
    )
    tree = ivr.load(write_file(text))
    out = tmp_path / "out.yaml"
    tree.dump(out)
    again = ivr.load(out)
    assert again == tree
    assert list(again.to_dict()["nodes"]["pay"]) == ["meta", "type", "handles"]
    assert list(again.nodes["pay"].meta) == ["zeta", "alpha", "owner"]
    assert list(again.nodes) == list(tree.nodes)
    assert out.read_text().index("zeta") < out.read_text().index("alpha")


def test_dump_writes_only_what_was_given(write_file: WriteFile) -> None:
    tree = ivr.load(write_file(GOOD))
    data = tree.to_dict()
    assert "words_per_minute" not in data and "callers" not in data
    assert data["nodes"]["closed"] == {"type": "voicemail"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents())
def test_round_trip_of_generated_trees(doc: dict[str, object]) -> None:
    tree = ivr.PhoneTree.model_validate(doc)
    for fmt in ("yaml", "json"):
        again = ivr.loads(ivr.dumps(tree, format=fmt), format=fmt)
        assert again == tree
        assert again.to_dict() == tree.to_dict()
    assert json.loads(json.dumps(tree.to_dict())) == tree.to_dict()


def test_bad_schedule_names_the_schedule(write_file: WriteFile) -> None:
    err = error_for(
        write_file,
        GOOD.replace('office: {mon-fri: "08:00-18:00"}', 'office: {mon-fry: "08:00-18:00"}'),
    )
    assert "schedule 'office': in 'mon-fry': unknown day 'fry'" in str(err) and err.line == 4
