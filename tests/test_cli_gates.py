"""CI gates fail closed: unknown rules are usage errors, unreadable files are reported in every
format and counted, colour follows --color / FORCE_COLOR / NO_COLOR."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import ivrscore as ivr
from ivrscore.cli import main
from ivrscore.cli._style import use_color
from ivrscore.lint import RULES, RuleSelectionError

from .conftest import EXAMPLES

REDESIGN = str(EXAMPLES / "acme_redesign.yaml")
TELECOM = str(EXAMPLES / "acme_telecom.yaml")
# a typo in a node type and a missing key: two problems, each with its line
TYPO = "name: x\nentry: a\nnodes:\n  a: {type: mesage}\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- unknown rule selectors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "hint"),
    [
        ("--select", "IVR999", None),
        ("--select", "IVR3O2", "did you mean 'IVR302'?"),
        ("--ignore", "nope", None),
        ("--ignore", "repeated-identiy", "did you mean 'repeated-identity'?"),
        ("--select", "IVR302,IVR60", "did you mean 'IVR50'?"),
    ],
)
def test_unknown_selectors_are_a_usage_error(
    capsys: pytest.CaptureFixture[str], option: str, value: str, hint: str | None
) -> None:
    code, out, err = run(capsys, "lint", REDESIGN, option, value)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"ivrscore: {option}: no rule matches")
    assert "ivrscore rules" in err  # where to look the codes up
    if hint:
        assert hint in err


def test_known_selectors_still_select(capsys: pytest.CaptureFixture[str]) -> None:
    # a prefix, a lower-case code, a slug and ALL each pick real rules
    for sel in ("IVR3", "ivr302", "repeated-identity", "ALL"):
        code, out, _ = run(capsys, "lint", TELECOM, "--select", sel, "--fail-on", "never")
        assert code == 0 and "Found" in out, sel


def test_unknown_selectors_in_the_api_and_the_standard(tmp_path: Path) -> None:
    tree = ivr.load(REDESIGN)
    with pytest.raises(RuleSelectionError, match="select: no rule matches 'IVR999'"):
        ivr.lint(tree, select=["IVR999"])
    with pytest.raises(RuleSelectionError, match="ignore: no rule matches 'IVR7'"):
        ivr.lint(tree, ignore=["IVR7"])
    with pytest.raises(ValueError, match="did you mean 'IVR207'"):
        ivr.Standard(ignore=["IVR270"])
    with pytest.raises(ValueError, match="'IVR999' is not a rule code"):
        ivr.Standard(severity={"IVR999": "warning"})
    std = tmp_path / "std.yaml"
    std.write_text("select: [IVR3, IVR3O5]\n")
    with pytest.raises(ivr.TreeFileError, match=r"std\.yaml: select: no rule matches 'IVR3O5'"):
        ivr.Standard.load(std)


def test_unknown_selector_in_pyproject_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.ivrscore]\nignore = ["IVR2O7"]\n')
    code, out, err = run(capsys, "lint", REDESIGN)  # the tests run in tmp_path
    assert code == 2 and out == ""
    assert "pyproject.toml [tool.ivrscore]: ignore: no rule matches 'IVR2O7'" in err
    assert "did you mean 'IVR207'?" in err


def test_every_rule_code_and_slug_is_a_valid_selector() -> None:
    tree = ivr.load(TELECOM)
    for r in RULES.values():
        assert ivr.lint(tree, select=[r.code]).codes() in ([], [r.code])
        assert ivr.lint(tree, select=[r.slug]).codes() in ([], [r.code])


# -- files that fail to load --------------------------------------------------------------------


@pytest.fixture
def typo(tmp_path: Path) -> str:
    p = tmp_path / "typo.yaml"
    p.write_text(TYPO)
    return str(p)


def test_failed_load_in_text_is_named_and_counted(
    capsys: pytest.CaptureFixture[str], typo: str
) -> None:
    code, out, _ = run(capsys, "lint", typo, REDESIGN)
    assert code == 2
    lines = out.splitlines()
    # every problem, compiler style, each with its line (and node where there is one)
    assert f"{typo}:1:1: error load-error: missing required key 'tasks'" in lines
    assert (
        f"{typo}:4:7: a: error load-error: unknown node type 'mesage'; did you mean 'message'?"
        in lines
    )
    assert lines[-1] == "No findings in 1 file; 1 file could not be read."
    assert "All checks passed" not in out
    code, out, _ = run(capsys, "lint", typo)
    assert code == 2 and out.splitlines()[-1] == "1 file could not be read; nothing was checked."
    code, out, _ = run(capsys, "lint", typo, TELECOM)
    assert code == 2
    assert out.splitlines()[-1].endswith("in 1 of 2 files; 1 file could not be read.")


def test_missing_file_in_text(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.yaml")
    code, out, _ = run(capsys, "lint", missing, REDESIGN)
    assert code == 2
    assert f"{missing}: error load-error: No such file or directory" in out


def test_failed_load_in_json(capsys: pytest.CaptureFixture[str], typo: str) -> None:
    code, out, err = run(capsys, "lint", "--format", "json", typo, REDESIGN)
    assert code == 2
    data = json.loads(out)
    assert [(d["code"], d["slug"], d["file"], d["line"]) for d in data] == [
        (None, "load-error", typo, 1),
        (None, "load-error", typo, 4),
    ]
    assert data[1]["node"] == "a" and data[1]["hint"] == "did you mean 'message'?"
    # people reading the CI log see it on stderr too
    assert err.count("\n") == 2 and "unknown node type 'mesage'" in err


def test_failed_load_in_sarif(capsys: pytest.CaptureFixture[str], typo: str) -> None:
    code, out, _ = run(capsys, "lint", "--format", "sarif", typo, TELECOM)
    assert code == 2
    run_ = json.loads(out)["runs"][0]
    (invocation,) = run_["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert len(notes) == 2 and {n["level"] for n in notes} == {"error"}
    where = notes[1]["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == Path(typo).as_uri()
    assert where["region"] == {"startLine": 4, "startColumn": 7}
    assert "unknown node type 'mesage'" in notes[1]["message"]["text"]
    assert run_["results"]  # the readable file's findings are still there
    assert invocation["arguments"][:3] == ["ivrscore", "lint", "--format"]


def test_sarif_uris(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # relative paths: against %SRCROOT%, the working directory given in originalUriBaseIds
    (tmp_path / "my flows").mkdir()
    rel = Path("my flows") / "t.yaml"
    (tmp_path / rel).write_text(Path(TELECOM).read_text())
    code, out, _ = run(capsys, "lint", "--format", "sarif", str(rel))
    assert code == 1
    run_ = json.loads(out)["runs"][0]
    loc = run_["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": "my%20flows/t.yaml", "uriBaseId": "%SRCROOT%"}
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    assert run_["invocations"][0]["executionSuccessful"] is True
    # absolute paths: file:// URIs
    code, out, _ = run(capsys, "lint", "--format", "sarif", TELECOM)
    loc = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": Path(TELECOM).as_uri()}


def test_sarif_rule_help_is_the_rule_page(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "lint", "--format", "sarif", REDESIGN)
    rules = {r["id"]: r for r in json.loads(out)["runs"][0]["tool"]["driver"]["rules"]}
    page = (Path(__file__).parent.parent / "docs" / "rules" / "IVR302.md").read_text()
    assert rules["IVR302"]["help"]["markdown"] == page
    text = rules["IVR302"]["help"]["text"]
    assert text.startswith("IVR302 repeated-identity:") and "How to fix:" in text


# -- colour ---------------------------------------------------------------------------------------


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "mode", "tty", "expected"),
    [
        ({}, "auto", True, True),
        ({}, "auto", False, False),
        ({"NO_COLOR": "1"}, "auto", True, False),
        ({"NO_COLOR": ""}, "auto", True, True),  # only a non-empty NO_COLOR counts
        ({"FORCE_COLOR": "1"}, "auto", False, True),
        ({"FORCE_COLOR": ""}, "auto", False, False),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, "auto", False, True),
        ({"TERM": "dumb"}, "auto", True, False),
        ({"NO_COLOR": "1"}, "always", False, True),
        ({"FORCE_COLOR": "1"}, "never", True, False),
    ],
)
def test_colour_choice(
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    mode: str,
    tty: bool,
    expected: bool,
) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    stream = Tty() if tty else io.StringIO()
    assert use_color(stream, mode) is expected


def test_color_option_and_severity_words(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    args = ("lint", TELECOM, "--select", "IVR201,IVR302")
    _, plain, _ = run(capsys, *args)
    assert "\033[" not in plain
    # the severity is a word, not only a colour
    assert ": warning IVR201 too-many-options: " in plain and ": error IVR302 " in plain
    _, coloured, _ = run(capsys, *args, "--color", "always")
    assert "\033[31;1merror\033[0m" in coloured and "\033[33mwarning\033[0m" in coloured
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\033[" in run(capsys, *args)[1]
    assert "\033[" not in run(capsys, *args, "--color", "never")[1]
