"""improve: every edit of a plan raises the exact score, the plan's prediction is the score of
the tree it builds, keep= holds for every kind of edit, and the file written back changes only
the lines the edits touch."""

from __future__ import annotations

import copy
import difflib
import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings

import ivrscore as ivr
from ivrscore.cli import main
from ivrscore.improve import EDITS, Plan, get_edit
from ivrscore.improve._ops import apply_ops, touched
from ivrscore.improve._plan import candidates, parse_keep
from ivrscore.improve._state import State
from ivrscore.improve._yaml import edit_text
from ivrscore.improve.edits import TEMPLATES, renumber_words, reword_action_first
from ivrscore.lint import RULES
from ivrscore.standard import Standard

from .strategies import documents

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("acme_redesign", "energy_supplier", "gp_surgery", "retail_bank")

LINE = """\
# A small line with one of each problem the catalogue answers.
name: Test line
entry: welcome
schedules:
  office: {mon-fri: "08:00-18:00"}
tasks:
  - {name: pay_bill, share: 0.2, words: [bill, pay]}
  - {name: report_fault, share: 0.5, words: [fault]}
  - {name: broadband_setup, share: 0.2, words: [broadband]}
  - {name: lost_phone, share: 0.1, words: [lost]}
nodes:
  welcome:   # the way in
    type: message
    prompt: Welcome to Test. Your call is important to us. Please listen carefully as our options have changed.
    next: ask_account
  ask_account:
    type: input
    collects: account_number
    digits: 6
    on_failure: bye
    next: main_menu
  main_menu:
    type: menu
    barge_in: false
    options:
      "1": {say: Press 1 for bills., next: bills_menu}
      "2": {say: Press 2 to report a fault., next: faults_queue}
      "3": {say: Press 3 for broadband., next: faults_queue}
      "4": {say: Press 4 if your phone is lost., next: lost_queue}
    on_failure: bye
  bills_menu:
    type: menu
    options:
      "1": {say: To pay a bill press 1., next: pay}
    on_failure: bye
  pay: {type: self_service, handles: [pay_bill]}
  faults_queue: {type: queue, open: office, on_closed: closed, wait: {mean_s: 400}, next: faults}
  faults: {type: agent, handles: [report_fault], asks: [account_number], transfer_to: broadband_queue}
  broadband_queue: {type: queue, wait: {mean_s: 60}, next: broadband}
  broadband: {type: agent, handles: [broadband_setup, report_fault, pay_bill, lost_phone]}
  lost_queue: {type: queue, wait: {mean_s: 30}, next: lost}
  lost: {type: agent, handles: [lost_phone]}
  closed: {type: hangup, prompt: We are closed. Goodbye.}   # a closed dead end
  bye: {type: hangup, prompt: Goodbye.}
"""


def _check(plan: Plan) -> None:
    """The plan's promises: each step gains, steps chain, apply() scores as predicted."""
    score = plan.before.score
    for s in plan.steps:
        assert s.before == score
        assert s.after > s.before
        score = s.after
    assert plan.score == score
    again = ivr.score(plan.apply(), plan.standard)
    assert abs(again.score - plan.score) <= 1e-9


@pytest.fixture(scope="module")
def line() -> ivr.PhoneTree:
    return ivr.loads(LINE, source="line.yaml")


@pytest.fixture(scope="module")
def line_plan(line: ivr.PhoneTree) -> Plan:
    return ivr.improve(line)


@pytest.fixture(scope="module")
def acme() -> ivr.PhoneTree:
    return ivr.load(ivr.examples.path("acme_telecom"))


@pytest.fixture(scope="module")
def acme_plan(acme: ivr.PhoneTree) -> Plan:
    return ivr.improve(acme, max_edits=10)


# -- the catalogue -------------------------------------------------------------------------------


def test_every_edit_is_documented_and_answers_real_rules() -> None:
    codes = list(EDITS)
    assert codes == [f"E{i:02d}" for i in range(1, len(codes) + 1)]
    assert len(codes) >= 11
    for e in EDITS.values():
        assert e.slug and e.title and len(e.changes) > 40 and len(e.not_applicable) > 20
        assert e.answers and all(code in RULES for code in e.answers), e.code
        assert get_edit(e.slug) is e
    with pytest.raises(ivr.IvrscoreError, match="no edit"):
        get_edit("E99")


def test_docs_page_is_generated_from_the_catalogue() -> None:
    from ivrscore.improve.docs import catalogue_page

    assert (ROOT / "docs" / "improve.md").read_text(encoding="utf-8") == catalogue_page()
    assert "Improving a design: improve.md" in (ROOT / "mkdocs.yml").read_text()


def test_every_edit_but_staffing_applies_to_the_test_line(line: ivr.PhoneTree) -> None:
    state = State(line, line.to_dict(), Standard(), ivr.score(line))
    found = {c.edit for c in candidates(state)}
    assert found == {e.code for e in EDITS.values() if not e.staffing}


def test_wording_helpers_move_words_and_invent_none() -> None:
    assert reword_action_first("Press 1 for bills.") == "For bills, press 1."
    assert (
        reword_action_first("press star to hear these again") == "To hear these again, press star."
    )
    assert renumber_words("To pay, press 4.", "4", "1") == "To pay, press 1."
    assert renumber_words("To go back, press star.", "*", "#") == "To go back, press hash."
    for say in ("Press 2 to report a fault with your phone, broadband or TV.", "Press 3 if lost."):
        again = reword_action_first(say)
        assert again is not None
        assert sorted(again.lower().strip(".").replace(",", "").split()) == sorted(
            say.lower().strip(".").replace(",", "").split()
        )


def test_pass_the_data_when_some_callers_come_without_it(line: ivr.PhoneTree) -> None:
    doc = line.to_dict()
    doc["nodes"]["ask_account"]["zero_out"] = "faults_queue"  # a way to faults without the number
    tree = ivr.PhoneTree.model_validate(doc)
    before = ivr.score(tree)
    assert any(f.code == "IVR302" and f.node == "faults" for f in before.findings)
    mine = [c for c in candidates(_state(tree)) if c.edit == "E05" and c.node == "faults"]
    assert len(mine) == 1 and "only callers who come without it" in mine[0].text
    after = ivr.score(ivr.PhoneTree.model_validate(apply_ops(copy.deepcopy(doc), mine[0].ops)))
    assert not any(f.code == "IVR302" for f in after.findings)
    assert after.metrics["p_repeat_identity"] < before.metrics["p_repeat_identity"]
    # every way in passes the input: only the plain change, no caveat
    plain = [c for c in candidates(_state(line)) if c.edit == "E05" and c.node == "faults"]
    assert len(plain) == 1 and "only callers" not in plain[0].text


# -- keep= ------------------------------------------------------------------------------------------


def _nodes_touched(c: object) -> set[str]:
    return {p[1] for op in c.ops for p in touched(op) if p[0] == "nodes"}  # type: ignore[attr-defined]


def _state(tree: ivr.PhoneTree, staffing: bool = False) -> State:
    return State(tree, tree.to_dict(), Standard(), ivr.score(tree), allow_staffing=staffing)


@pytest.mark.parametrize("code", [e.code for e in EDITS.values() if not e.staffing])
def test_keep_a_node_blocks_every_edit_of_that_node(line: ivr.PhoneTree, code: str) -> None:
    state = _state(line)
    mine = [c for c in candidates(state) if c.edit == code]
    assert mine, f"{code} should apply to the test line"
    for node in sorted({n for c in mine for n in _nodes_touched(c) if n in line.nodes}):
        kept = parse_keep(line, [node])
        left = [c for c in candidates(state, kept) if c.edit == code]
        assert all(node not in _nodes_touched(c) for c in left), (code, node)
        assert len(left) < len(mine)


def test_keep_the_staffing_edit(acme: ivr.PhoneTree) -> None:
    state = _state(acme, staffing=True)
    moves = [c for c in candidates(state) if c.edit == "E14"]
    assert moves and all(len(c.ops) == 2 for c in moves)
    total = {}
    for c in moves:
        new = apply_ops(copy.deepcopy(state.doc), c.ops)
        a, b = (new["nodes"][op.path[1]]["staffing"]["agents"] for op in c.ops)
        total[c.text] = sum(a.values()) + sum(b.values())
    assert set(total.values()) == {28 + 9}  # the same headcount
    for node in ("faults_queue", "general_queue"):
        kept = parse_keep(acme, [node])
        assert not [c for c in candidates(state, kept) if c.edit == "E14"]
    assert not [c for c in candidates(_state(acme)) if c.edit == "E14"]  # only when allowed


def test_keep_prompt_and_key(line: ivr.PhoneTree) -> None:
    state = _state(line)
    words = {c.edit for c in candidates(state, parse_keep(line, ["main_menu.prompt"]))}
    assert "E09" not in words and "E01" not in words  # both change option words
    assert "E13" in words  # barge-in keeps the words
    welcome = [
        c for c in candidates(state, parse_keep(line, ["welcome.prompt"])) if c.edit == "E06"
    ]
    assert welcome == []
    keyed = candidates(state, parse_keep(line, ["main_menu.3"]))
    for c in keyed:
        for op in c.ops:
            for p in touched(op):
                assert p[:4] != ("nodes", "main_menu", "options", "3")
    assert "E11" not in {c.edit for c in keyed}  # option 3 keeps its target
    with pytest.raises(ivr.IvrscoreError, match="did you mean 'main_menu'"):
        parse_keep(line, ["main_men"])
    with pytest.raises(ivr.IvrscoreError, match="no option '9'"):
        parse_keep(line, ["main_menu.9"])


def test_a_plan_with_keep_never_touches_what_is_kept(line: ivr.PhoneTree) -> None:
    plan = ivr.improve(line, keep=["main_menu", "welcome.prompt", "faults"])
    _check(plan)
    touched_nodes = {n for s in plan.steps for n in _nodes_touched(s)}
    assert "main_menu" not in touched_nodes and "faults" not in touched_nodes
    after = plan.apply()
    assert after.nodes["main_menu"] == line.nodes["main_menu"]
    assert after.nodes["welcome"].prompt == line.nodes["welcome"].prompt


# -- plans --------------------------------------------------------------------------------------------


def test_the_test_line_plan(line: ivr.PhoneTree, line_plan: Plan) -> None:
    _check(line_plan)
    assert line_plan.score >= line_plan.before.score + 20
    used = {s.edit for s in line_plan.steps}
    assert {"E03", "E04"} <= used
    for s in line_plan.steps:
        assert s.text and s.answers and all(code in RULES for code in s.answers)
    # template words are marked for review, in the tree
    after = line_plan.apply()
    for s in line_plan.steps:
        for words in s.review:
            assert words in TEMPLATES.values()
    marked = [n for n in after.nodes.values() if n.meta.get("improve")]
    assert len(marked) == sum(1 for s in line_plan.steps if s.edit in ("E03", "E08"))


def test_same_input_same_plan(line: ivr.PhoneTree, line_plan: Plan) -> None:
    assert ivr.improve(line).to_dict() == line_plan.to_dict()


def test_same_input_same_plan_with_queue_dynamics(acme: ivr.PhoneTree, acme_plan: Plan) -> None:
    """The screened search (queues whose load follows the menu) is deterministic too, and
    does not depend on what was kept for the tree object: a fresh copy plans the same steps."""
    three = ivr.improve(acme.model_copy(), max_edits=3)
    assert [s.to_dict() for s in three.steps] == [s.to_dict() for s in acme_plan.steps[:3]]


def test_max_edits_bounds_the_plan(line: ivr.PhoneTree, line_plan: Plan) -> None:
    two = ivr.improve(line, max_edits=2)
    assert [s.to_dict() for s in two.steps] == [s.to_dict() for s in line_plan.steps[:2]]
    assert ivr.improve(line, max_edits=0).steps == ()
    with pytest.raises(ivr.IvrscoreError):
        ivr.improve(line, max_edits=-1)


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples(name: str) -> None:
    plan = ivr.improve(ivr.load(ivr.examples.path(name)))
    _check(plan)
    if name != "acme_redesign":  # the redesign has little left to gain
        assert plan.steps


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(documents(exponential_only=True, max_nodes=10))
def test_generated_trees(doc: dict[str, object]) -> None:
    tree = ivr.PhoneTree.model_validate(doc)
    plan = ivr.improve(tree, max_edits=4)
    _check(plan)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(documents(exponential_only=True, max_nodes=10))
def test_generated_trees_with_queue_dynamics(doc: dict[str, object]) -> None:
    """The same promises when the queues' load follows the menu (``volume:``, staffed queues
    without their own calls per hour): the screened search, every step exact."""
    doc = copy.deepcopy(doc)
    doc["volume"] = {"calls_per_week": 3000}
    staffed = 0
    for node in doc["nodes"].values():  # type: ignore[attr-defined]
        if node["type"] == "queue" and "staffing" not in node:
            node.pop("wait", None)
            node["staffing"] = {"agents": 4, "handle_time_s": 180}
        if node["type"] == "queue":
            node["staffing"].pop("calls_per_hour", None)
            staffed += 1
    assume(staffed > 0)
    try:
        tree = ivr.PhoneTree.model_validate(doc)
        first = ivr.score(tree)
    except (ivr.IvrscoreError, ValueError):  # e.g. callers who never hang up, over capacity
        assume(False)
    assume(first.result.hourly is not None and not all(first.result.hourly.fixed))
    plan = ivr.improve(tree, max_edits=3)
    _check(plan)


def test_acme(acme_plan: Plan) -> None:
    _check(acme_plan)
    assert len(acme_plan.steps) <= 10
    assert acme_plan.before.grade == "F"
    assert acme_plan.score >= acme_plan.before.score + 40
    for s in acme_plan.steps:
        assert len(s.text) < 400 and s.node in s.text


def test_acme_reaches_80_within_10_edits(acme_plan: Plan) -> None:
    assert acme_plan.score >= 80 and len(acme_plan.steps) <= 10
    # the people reached both with and without the keyed data stop asking for it (IVR302)
    after = acme_plan.after
    assert not [f for f in after.findings if f.code == "IVR302"]
    assert after.metrics["p_repeat_identity"] < acme_plan.before.metrics["p_repeat_identity"]


# -- output ---------------------------------------------------------------------------------------


def test_outputs(line_plan: Plan) -> None:
    text = line_plan.text()
    assert f"{line_plan.before.score:.0f} ({line_plan.before.grade})" in text
    for s in line_plan.steps:
        assert s.edit in text
    md = line_plan.markdown()
    assert md.count("\n| ") == len(line_plan.steps) + 1
    data = json.loads(line_plan.to_json())
    assert [s["gain"] for s in data["steps"]] == [s.gain for s in line_plan.steps]
    assert data["score_after"] == line_plan.score
    assert all(math.isfinite(s["gain"]) for s in data["steps"])
    assert line_plan._repr_html_().count("<tr>") == len(line_plan.steps) + 1


def test_waterfall(line_plan: Plan) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = line_plan.waterfall()
    bars = ax.patches
    assert len(bars) == len(line_plan.steps) + 2
    assert bars[0].get_height() == pytest.approx(line_plan.before.score)
    assert bars[-1].get_height() == pytest.approx(line_plan.score)
    for bar, s in zip(bars[1:-1], line_plan.steps, strict=True):
        assert bar.get_y() == pytest.approx(s.before) and bar.get_height() == pytest.approx(s.gain)
    _, given_ax = plt.subplots()
    assert line_plan.waterfall(ax=given_ax) is given_ax
    plt.close("all")


# -- the file written back ---------------------------------------------------------------------------


def _removed_lines(before: str, after: str) -> list[int]:
    out = []
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(
        a=before.splitlines(), b=after.splitlines(), autojunk=False
    ).get_opcodes():
        if tag in ("replace", "delete"):
            out.extend(range(i1 + 1, i2 + 1))
    return out


def _node_spans(tree: ivr.PhoneTree, text: str) -> dict[str, range]:
    starts = sorted((tree.line_of(n) or 0, n) for n in tree.nodes)
    ends = [s for s, _ in starts[1:]] + [len(text.splitlines()) + 1]
    return {n: range(s, e) for (s, n), e in zip(starts, ends, strict=True)}


@pytest.mark.parametrize("source", ["line", "energy_supplier", "gp_surgery", "acme_telecom"])
def test_written_file_changes_only_touched_lines(
    source: str, line_plan: Plan, request: pytest.FixtureRequest
) -> None:
    if source == "line":
        text, plan = LINE, line_plan
    else:
        text = Path(ivr.examples.path(source)).read_text(encoding="utf-8")
        plan = (
            request.getfixturevalue("acme_plan")  # the example, planned once
            if source == "acme_telecom"
            else ivr.improve(ivr.load(ivr.examples.path(source)))
        )
    tree = ivr.loads(text, source="x.yaml")
    better = edit_text(text, plan.ops)
    assert ivr.loads(better).to_dict() == plan.apply().to_dict()
    assert edit_text(text, []) == text  # the layout round-trips
    spans = _node_spans(tree, text)
    nodes = {p[1] for op in plan.ops for p in touched(op) if p[0] == "nodes" and p[1] in spans}
    allowed = set().union(*(set(spans[n]) for n in nodes)) if nodes else set()
    removed = _removed_lines(text, better)
    assert better != text and set(removed) <= allowed
    # every comment of the original survives
    comments = [
        line.split("#", 1)[1] for line in text.splitlines() if " # " in line or line.startswith("#")
    ]
    for c in comments:
        assert c in better


def test_cli_improve_diff_and_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "line.yaml"
    src.write_text(LINE, encoding="utf-8")
    out = tmp_path / "better.yaml"
    code = main(["improve", str(src), "--max-edits", "3", "--diff", "-o", str(out)])
    got = capsys.readouterr()
    assert code == 0
    assert "--- a/line.yaml" in got.out and "+++ b/line.yaml" in got.out
    plan = ivr.improve(ivr.load(src), max_edits=3)
    assert ivr.load(out).to_dict() == plan.apply().to_dict()
    assert "# the way in" in out.read_text()
    assert main(["improve", str(src), "--format", "json", "--max-edits", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["steps"]) == 1
    assert main(["improve", str(src), "--format", "markdown", "--max-edits", "1"]) == 0
    assert capsys.readouterr().out.startswith("### Test line")


def test_cli_improve_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "line.yaml"
    src.write_text(LINE, encoding="utf-8")
    assert main(["improve", str(src), "--keep", "nowhere"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nowhere" in err
    assert main(["improve", str(tmp_path / "missing.yaml")]) == 2
    assert main(["improve", str(src), "--max-edits", "-1"]) == 2
