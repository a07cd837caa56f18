"""The score: bounds, monotonicity, determinism, reports and the command line."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import ivrscore as ivr
from ivrscore.cli import main
from ivrscore.score import CRITERIA, grade

from .conftest import EXAMPLES
from .strategies import documents


def load(name: str) -> ivr.PhoneTree:
    return ivr.load(EXAMPLES / f"{name}.yaml")


def test_criteria_weights_and_grades() -> None:
    assert sum(c.weight for c in CRITERIA.values()) == 100
    assert [grade(x) for x in (95, 85, 75, 65, 10)] == ["A", "B", "C", "D", "F"]
    c = CRITERIA["resolution"]  # higher is better: the line runs the other way
    assert c.points(0.85) == 100 and c.points(0.40) == 0 and c.points(0.625) == pytest.approx(50)


def test_telecom_fails_and_its_redesign_scores_far_higher() -> None:
    before, after = ivr.score(load("acme_telecom")), ivr.score(load("acme_redesign"))
    assert before.grade in ("D", "F") and after.score > before.score + 30
    assert after.grade in ("A", "B")
    texts = " ".join(t for _, t in before.explanations)
    assert "IVR302" in texts and "IVR501" in texts and "not taking calls" in texts
    lost = [p for p, _ in before.explanations]
    assert lost == sorted(lost, reverse=True)
    assert sum(c.points_lost for c in before.criteria) == pytest.approx(100 - before.raw_score)


def test_no_nos_cap_the_grade() -> None:
    report = ivr.score(load("retail_bank"))  # hangs up on failed passcodes (IVR301)
    assert report.findings.count("error") > 0
    assert report.raw_score > 69 and report.score == 69 and report.grade == "D"
    assert any("capped at 69" in t and "IVR301" in t for _, t in report.explanations)


def test_score_is_deterministic() -> None:
    tree = load("retail_bank")  # log-normal patience: scored by simulation, seeded
    a, b = ivr.score(tree), ivr.score(tree)
    assert a.method == "simulation" and a.score == b.score and a.to_dict() == b.to_dict()


def _with_dead_end(doc: dict[str, Any]) -> dict[str, Any] | None:
    """The same tree with the first menu option sent to a message that goes nowhere."""
    out = json.loads(json.dumps(doc))
    for node in out["nodes"].values():
        if node["type"] == "menu":
            key = next(iter(node["options"]))
            node["options"][key]["next"] = "dead_end"
            out["nodes"]["dead_end"] = {"type": "message", "prompt": "Thank you."}
            return out
    return None


@pytest.mark.parametrize("name", ["acme_telecom", "acme_redesign", "gp_surgery", "energy_supplier"])
def test_adding_a_dead_end_never_raises_the_score(name: str) -> None:
    doc = load(name).to_dict()
    worse = _with_dead_end(doc)
    assert worse is not None
    assert ivr.score(ivr.PhoneTree.model_validate(worse)).score <= ivr.score(load(name)).score


def test_removing_a_repeated_identity_prompt_never_lowers_the_score() -> None:
    for name in ("acme_telecom", "gp_surgery", "energy_supplier"):
        doc = load(name).to_dict()
        before = ivr.score(ivr.PhoneTree.model_validate(doc))
        for node in doc["nodes"].values():
            if node["type"] == "agent":
                node.pop("asks", None)
        after = ivr.score(ivr.PhoneTree.model_validate(doc))
        assert after.score >= before.score, name
        assert after.metrics["p_repeat_identity"] <= before.metrics["p_repeat_identity"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents(max_nodes=9))
def test_score_in_range_on_generated_trees(doc: dict[str, Any]) -> None:
    tree = ivr.PhoneTree.model_validate(doc)
    try:
        report = ivr.score(tree, calls=3_000)
    except ivr.IvrscoreError:
        return  # e.g. an unstable queue callers never leave: reported, not scored
    assert 0.0 <= report.score <= 100.0 and report.grade in "ABCDF"
    assert all(0.0 <= c.score <= 100.0 for c in report.criteria)


def test_json_has_every_contract_key() -> None:
    data = ivr.score(load("gp_surgery")).to_dict()
    assert set(data) >= {"name", "score", "grade", "criteria", "metrics", "outcomes", "findings"}
    for c in data["criteria"]:
        assert set(c) >= {"name", "score", "weight", "value", "target", "limit", "laws"}
    for f in data["findings"]:
        assert set(f) >= {"code", "slug", "severity", "node", "path", "message", "laws"}
    json.dumps(data, allow_nan=False)


def test_text_fits_80_columns_and_html_escapes() -> None:
    report = ivr.score(load("acme_telecom"))
    assert max(len(line) for line in report.text().splitlines()) <= 80
    doc = load("acme_redesign").to_dict()
    doc["name"] = "<script>alert(1)</script> & co"
    page = ivr.score(ivr.PhoneTree.model_validate(doc))._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page and "&amp; co" in page
    assert "<pre" in page  # a text fallback travels with the HTML
    md = report.markdown()
    assert md.startswith("### ") and "| criterion |" in md


def test_compare_lists_fixed_findings() -> None:
    cmp = ivr.compare(load("acme_telecom"), load("acme_redesign"))
    assert cmp.delta > 30 and cmp.introduced() == [] and len(cmp.fixed()) > 20
    data = cmp.to_dict()
    assert {c["name"] for c in data["criteria"]} == set(CRITERIA)
    assert data["metrics"]["p_repeat_identity"]["after"] == 0


def test_score_cli_fail_under_and_formats(capsys: pytest.CaptureFixture[str]) -> None:
    telecom, redesign = str(EXAMPLES / "acme_telecom.yaml"), str(EXAMPLES / "acme_redesign.yaml")
    assert main(["score", redesign, "--fail-under", "80"]) == 0
    assert main(["score", telecom, "--fail-under", "80"]) == 1
    assert main(["score", telecom]) == 0
    capsys.readouterr()
    assert main(["score", "--format", "json", redesign]) == 0
    assert json.loads(capsys.readouterr().out)["reports"][0]["grade"] in ("A", "B")
    assert main(["score", "--format", "markdown", redesign]) == 0
    assert capsys.readouterr().out.startswith("### ")
    assert main(["score", "--format", "html", redesign]) == 0
    assert "<!doctype html>" in capsys.readouterr().out
    assert main(["compare", telecom, redesign]) == 0
    assert "findings fixed" in capsys.readouterr().out
    assert main(["score", str(EXAMPLES / "nope.yaml")]) == 2


def test_demo_prints_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "grade F" in out and "where the points went" in out and "Next, try:" in out


def test_criteria_come_from_the_standard(tmp_path: Any) -> None:
    tree = load("acme_redesign")
    strict = ivr.Standard(criteria={"abandonment": {"target": 0.0, "limit": 0.1}})
    assert strict.criteria["abandonment"].metric == "abandoned"  # the rest of the default kept
    assert ivr.score(tree, strict).score < ivr.score(tree).score
    (tmp_path / "std.yaml").write_text("error_cap: 50\ncriteria: {resolution: {weight: 0}}\n")
    std = ivr.Standard.load(tmp_path / "std.yaml")
    report = ivr.score(load("retail_bank"), std)
    assert report.score == 50 and std.criteria["resolution"].weight == 0
    with pytest.raises(ivr.IvrscoreError, match="unknown metric"):
        ivr.score(
            tree,
            ivr.Standard(criteria={"x": {"metric": "nope", "target": 0, "limit": 1, "weight": 1}}),
        )
