"""Each command's JSON is one documented shape, whatever the number of files, and validates
against the JSON Schema that ``ivrscore schema --output COMMAND`` publishes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ivrscore.cli import main
from ivrscore.cli._output import JSON_VERSION, OUTPUTS

from .conftest import EXAMPLES

jsonschema = pytest.importorskip("jsonschema")

GP = str(EXAMPLES / "gp_surgery.yaml")
BANK = str(EXAMPLES / "retail_bank.yaml")  # log-normal patience: simulated when scored
TELECOM = str(EXAMPLES / "acme_telecom.yaml")
REDESIGN = str(EXAMPLES / "acme_redesign.yaml")


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    code = main(list(args))
    out = capsys.readouterr().out
    return code, json.loads(out)


def schema(capsys: pytest.CaptureFixture[str], command: str) -> dict[str, Any]:
    code, s = run_json(capsys, "schema", "--output", command)
    assert code == 0
    jsonschema.Draft202012Validator.check_schema(s)
    return dict(s)


def check(capsys: pytest.CaptureFixture[str], command: str, data: Any) -> None:
    validator = jsonschema.Draft202012Validator(schema(capsys, command))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


@pytest.fixture
def typo(tmp_path: Path) -> str:
    p = tmp_path / "typo.yaml"
    p.write_text("name: x\nentry: a\nnodes:\n  a: {type: mesage}\n")
    return str(p)


def test_every_command_has_a_schema(capsys: pytest.CaptureFixture[str]) -> None:
    for command in OUTPUTS:
        s = schema(capsys, command)
        assert s["title"] == f"ivrscore {command} --format json"
        if s["type"] == "object":  # objects carry the version
            assert s["required"][0] == "version"
            assert s["properties"]["version"] == {
                "const": JSON_VERSION,
                "description": "Version of this shape.",
            }
    with pytest.raises(SystemExit) as info:
        main(["schema", "--output", "nope"])
    assert info.value.code == 2
    capsys.readouterr()


def test_lint_json(capsys: pytest.CaptureFixture[str], typo: str) -> None:
    code, data = run_json(capsys, "lint", "--format", "json", TELECOM, typo)
    assert code == 2 and isinstance(data, list)
    check(capsys, "lint", data)
    # the contract's field names (DESIGN section 7)
    assert all(
        set(d) >= {"code", "slug", "severity", "node", "path", "message", "laws"} for d in data
    )
    # the same shape for one file as for two
    _, one = run_json(capsys, "lint", "--format", "json", TELECOM)
    assert isinstance(one, list) and [d for d in data if d["code"]] == one
    # a schema that can fail: a finding without its code is not valid
    broken = [{k: v for k, v in one[0].items() if k != "code"}]
    with pytest.raises(AssertionError):
        check(capsys, "lint", broken)


def test_validate_json_is_a_list_for_one_file_too(
    capsys: pytest.CaptureFixture[str], typo: str
) -> None:
    _, one = run_json(capsys, "validate", "--format", "json", GP)
    _, two = run_json(capsys, "validate", "--format", "json", GP, typo)
    assert isinstance(one, list) and len(one) == 1 and len(two) == 2
    assert two[0] == one[0] and two[1]["valid"] is False
    check(capsys, "validate", one)
    check(capsys, "validate", two)


def test_analyze_and_simulate_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "analyze", "--format", "json", GP)
    assert code == 0 and data["version"] == JSON_VERSION
    check(capsys, "analyze", data)
    assert sum(data["outcomes"].values()) == pytest.approx(1.0)
    code, data = run_json(
        capsys, "simulate", "--format", "json", GP, "--calls", "2000", "--seed", "1", "--paths", "2"
    )
    assert code == 0 and data["version"] == JSON_VERSION and data["calls"] == 2000
    check(capsys, "simulate", data)
    assert len(data["paths"]) == 2 and "p90_time_s" in data["metrics"]


def test_score_json_is_one_shape(capsys: pytest.CaptureFixture[str], typo: str) -> None:
    _, one = run_json(capsys, "score", "--format", "json", GP)
    code, many = run_json(capsys, "score", "--format", "json", GP, BANK, typo)
    assert code == 2
    for data in (one, many):
        assert set(data) >= {"version", "reports", "errors"} and data["version"] == JSON_VERSION
        check(capsys, "score", data)
    assert len(one["reports"]) == 1 and one["errors"] == []
    assert [r["file"] for r in many["reports"]] == [GP, BANK]
    assert one["reports"][0] == many["reports"][0]
    assert {e["slug"] for e in many["errors"]} == {"load-error"} and len(many["errors"]) == 2
    report = one["reports"][0]
    assert set(report) >= {"name", "score", "grade", "criteria", "metrics", "outcomes", "findings"}
    assert all(
        set(c) >= {"name", "score", "weight", "value", "target", "limit", "laws"}
        for c in report["criteria"]
    )


def test_compare_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "compare", "--format", "json", TELECOM, REDESIGN)
    assert code == 0 and data["version"] == JSON_VERSION
    check(capsys, "compare", data)
    assert data["delta"] == pytest.approx(
        data["after"]["score"] - data["before"]["score"], abs=0.02
    )
    assert len(data["fixed"]) > 20 and data["introduced"] == []


def test_json_has_no_nan(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # no caller ever reaches a person here: the time-to-human means are null, not NaN
    tree = tmp_path / "nobody.yaml"
    tree.write_text(
        "name: no people\nentry: pay\ntasks: [{name: pay, share: 1.0}]\n"
        "nodes:\n  pay: {type: self_service, handles: [pay], duration_s: 30}\n"
    )
    code, data = run_json(capsys, "analyze", "--format", "json", str(tree))
    assert code == 0 and data["metrics"]["mean_time_to_human_s"] is None
    check(capsys, "analyze", data)
    main(["analyze", "--format", "json", str(tree)])
    out = capsys.readouterr().out
    assert "NaN" not in out and "Infinity" not in out
