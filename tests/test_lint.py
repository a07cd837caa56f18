"""Lint: every rule fires and stays silent on near-identical trees; suppression; outputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import ivrscore as ivr
from ivrscore.cli import main
from ivrscore.lint import RULES, get_rule, rule_list
from ivrscore.lint.docs import pages

from .conftest import EXAMPLES
from .lint_cases import BASE, CASES, merge
from .strategies import trees

CASE_IDS = [(code, name) for code, cases in CASES.items() for name, _, _ in cases]


def test_base_tree_is_clean() -> None:
    assert list(ivr.lint(ivr.PhoneTree.model_validate(BASE))) == []


@pytest.mark.parametrize(("code", "name"), CASE_IDS, ids=[f"{c}-{n}" for c, n in CASE_IDS])
def test_rule_case(code: str, name: str) -> None:
    patch, expect = next((p, e) for n, p, e in CASES[code] if n == name)
    tree = ivr.PhoneTree.model_validate(merge(BASE, patch))
    found = ivr.lint(tree, select=[code])
    assert sorted(f.node or "" for f in found) == sorted(n or "" for n in expect), [
        f.message for f in found
    ]
    for f in found:
        assert f.code == code and f.slug == RULES[code].slug and f.message


def test_every_rule_has_firing_and_passing_cases() -> None:
    assert set(CASES) == set(RULES)
    for code, cases in CASES.items():
        assert any(expect for _, _, expect in cases), code
        assert any(not expect for _, _, expect in cases), code


def test_catalogue_is_the_contract() -> None:
    codes = [r.code for r in rule_list()]
    assert codes == [
        "IVR101", "IVR102", "IVR103", "IVR104",
        "IVR201", "IVR202", "IVR203", "IVR204", "IVR205", "IVR206", "IVR207",
        "IVR301", "IVR302", "IVR303", "IVR304", "IVR305", "IVR306",
        "IVR401", "IVR402", "IVR403", "IVR404",
        "IVR501", "IVR502", "IVR503", "IVR504", "IVR505", "IVR506", "IVR507",
    ]  # fmt: skip
    for r in rule_list():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+", r.slug)
        assert r.summary and r.why and r.fix and r.bad and r.good and r.laws
        assert set(r.laws) <= {3, 5, 6, 8, 9}
    assert get_rule("repeated-identity").code == "IVR302"
    with pytest.raises(KeyError, match="did you mean 'IVR302'"):
        get_rule("IVR3O2")


def test_rule_docs_are_generated_from_the_catalogue() -> None:
    folder = Path(__file__).resolve().parent.parent / "docs" / "rules"
    expected = pages()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.md")}
    assert on_disk == expected, "run: python -m ivrscore.lint.docs docs/rules"


def test_redesigned_example_has_no_errors() -> None:
    found = ivr.lint(ivr.load(EXAMPLES / "acme_redesign.yaml"))
    assert found.count("error") == 0 and len(found) == 0


def test_telecom_as_experienced_gets_the_essay_findings() -> None:
    tree = ivr.load(EXAMPLES / "acme_telecom.yaml")
    found = ivr.lint(tree)
    codes = set(found.codes())
    assert {
        "IVR201",
        "IVR203",
        "IVR204",
        "IVR301",
        "IVR302",
        "IVR402",
        "IVR404",
        "IVR501",
        "IVR502",
    } <= codes
    repeat = found.by_code("IVR302")
    faults = next(f for f in repeat if f.node == "faults_agent")
    assert faults.message == (
        "a caller with report_fault gives account_number at ask_account and date_of_birth at "
        "ask_dob, and is asked for them again by a person at faults_agent"
    )
    assert faults.path[0] == "welcome" and faults.path[-1] == "faults_agent"
    closed = next(f for f in found.by_code("IVR501") if f.node == "moves_check")
    assert "not taking calls" in closed.message and closed.line == tree.line_of("moves_check")
    assert found.by_code("IVR101") == ivr.Findings()  # nothing unreachable in it


def test_suppression_by_node_standard_and_arguments() -> None:
    tree = ivr.PhoneTree.model_validate(merge(BASE, {"nodes": {"menu": {"barge_in": False}}}))
    assert ivr.lint(tree).codes() == ["IVR305"]
    ignored = ivr.PhoneTree.model_validate(
        merge(BASE, {"nodes": {"menu": {"barge_in": False, "ignore": ["IVR305"]}}})
    )
    assert ivr.lint(ignored).codes() == []
    assert ivr.lint(tree, ivr.Standard(ignore=["IVR305"])).codes() == []
    assert ivr.lint(tree, ivr.Standard(ignore=["no-barge-in"])).codes() == []
    assert ivr.lint(tree, ivr.Standard(select=["IVR1"])).codes() == []
    assert ivr.lint(tree, ignore=["IVR3"]).codes() == []
    assert ivr.lint(tree, select=["IVR305"]).codes() == ["IVR305"]
    assert ivr.lint(tree, ivr.Standard(severity={"IVR305": "error"}))[0].severity == "error"


def test_thresholds_come_from_the_standard() -> None:
    patch = {
        "nodes": {
            "menu": {
                "options": {
                    str(k): {"say": f"For {k}, press {k}.", "next": "q"} for k in range(3, 7)
                }
            }
        }
    }
    tree = ivr.PhoneTree.model_validate(merge(BASE, patch))
    assert ivr.lint(tree, select=["IVR201"]).codes() == ["IVR201"]
    assert ivr.lint(tree, ivr.Standard(max_task_options=7), select=["IVR201"]).codes() == []
    ten = {
        "nodes": {
            "menu": {
                "options": {
                    str(k): {"say": f"For {k}, press {k}.", "next": "q"} for k in range(3, 10)
                },
                "0": None,
            },
            "m2": {"type": "menu", "options": {"0": {"next": "q"}}},
        }
    }
    big = ivr.PhoneTree.model_validate(merge(BASE, ten))
    (f,) = ivr.lint(big, select=["IVR201"])
    assert f.severity == "warning"  # nine task options: all the keys, not over
    assert ivr.lint(big, ivr.Standard(max_keys=8), select=["IVR201"])[0].severity == "error"


def test_key_9_convention_is_configurable() -> None:
    patch = {
        "nodes": {"menu": {"options": {"9": {"say": "For b, press 9.", "next": "q"}, "2": None}}}
    }
    tree = ivr.PhoneTree.model_validate(merge(BASE, patch))
    assert (
        "9 is not used for repeat"
        in ivr.lint(tree, ivr.Standard(key_9="repeat"), select=["IVR205"])[0].message
    )
    assert all("9 is" not in f.message for f in ivr.lint(tree, select=["IVR205"]))


def test_standard_from_yaml_and_pyproject(tmp_path: Path) -> None:
    (tmp_path / "std.yaml").write_text("max_task_options: 7\nignore: [IVR207]\n")
    std = ivr.Standard.load(tmp_path / "std.yaml")
    assert std.max_task_options == 7 and not std.is_selected("IVR207")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ivrscore]\nmax-menu-depth = 2\nselect = ["IVR2"]\n'
    )
    std = ivr.Standard.load(tmp_path / "pyproject.toml")
    assert std.max_menu_depth == 2 and std.is_selected("IVR202") and not std.is_selected("IVR302")
    (tmp_path / "bad.yaml").write_text("max_task_option: 7\n")
    with pytest.raises(
        ivr.TreeFileError,
        match="unknown setting 'max_task_option'; did you mean 'max_task_options'",
    ):
        ivr.Standard.load(tmp_path / "bad.yaml")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees())
def test_rules_never_crash_on_generated_trees(tree: ivr.PhoneTree) -> None:
    found = ivr.lint(tree)
    for f in found:
        assert f.code in RULES and f.severity in ("error", "warning", "info") and f.message
        assert f.node is None or f.node in tree.nodes


# -- command line ---------------------------------------------------------------------------------


def test_lint_cli_text_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    telecom = str(EXAMPLES / "acme_telecom.yaml")
    redesign = str(EXAMPLES / "acme_redesign.yaml")
    assert main(["lint", redesign]) == 0
    assert "All checks passed: 1 file, no findings." in capsys.readouterr().out
    assert main(["lint", telecom]) == 1
    out = capsys.readouterr().out
    line = ivr.load(telecom).line_of("faults_agent")
    assert (
        f"{telecom}:{line}: faults_agent: error IVR302 repeated-identity: a caller with report_fault"
        in out
    )
    assert "    fix: Collect each datum once" in out
    assert re.search(
        r"Found \d+ problems \(\d+ errors, \d+ warnings, \d+ info\) in 1 of 1 file\.", out
    )
    assert (
        main(
            [
                "lint",
                telecom,
                "--select",
                "IVR2",
                "--ignore",
                "IVR204,IVR203",
                "--fail-on",
                "warning",
            ]
        )
        == 1
    )
    assert main(["lint", telecom, "--select", "IVR206"]) == 0  # info is under the default fail-on
    assert main(["lint", telecom, "--select", "IVR206", "--fail-on", "info"]) == 1
    capsys.readouterr()


def test_lint_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            ["lint", "--format", "json", "--select", "IVR501", str(EXAMPLES / "acme_telecom.yaml")]
        )
        == 1
    )
    data = json.loads(capsys.readouterr().out)
    assert data and all(
        set(d) >= {"code", "slug", "severity", "node", "path", "message", "laws"} for d in data
    )
    assert {d["code"] for d in data} == {"IVR501"}


def test_lint_cli_sarif(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "acme_telecom.yaml")
    main(["lint", "--format", "sarif", path])
    log = json.loads(capsys.readouterr().out)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    assert all(r["helpUri"].endswith(f"{r['id']}.md") for r in rules)
    result = run["results"][0]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1
    assert result["level"] in ("error", "warning", "note")


def test_lint_cli_bad_file_and_standard(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    assert main(["lint", str(bad)]) == 2
    out = capsys.readouterr().out  # the text report names the file that could not be read
    assert f"{bad}:1:1: error load-error: missing required key" in out
    std = tmp_path / "std.yaml"
    std.write_text("max_task_options: many\n")
    assert main(["lint", "--standard", str(std), str(EXAMPLES / "acme_redesign.yaml")]) == 2


def test_rules_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert out.count("IVR") >= 28 and "28 rules" in out
    assert main(["rules", "IVR302"]) == 0
    out = capsys.readouterr().out
    assert "# IVR302 repeated-identity" in out and "## Example" in out and "## Use instead" in out
    assert main(["rules", "IVR999"]) == 2
