"""Numbers and words a new user reads: units that match the names, nothing cut, messages that
say what they mean, and command-line advice on the command line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ivrscore as ivr
from ivrscore.cli import main
from ivrscore.lint import RULES

from .conftest import EXAMPLES, make_tree

TWILIO = Path(__file__).resolve().parents[1] / ".." / "shared" / "samples" / "twilio_studio"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_metrics_in_seconds_print_in_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "analyze", str(EXAMPLES / "acme_telecom.yaml"))
    lines = [ln.split() for ln in out.splitlines() if re.match(r"\s+\w+_s\s", ln)]
    assert {ln[0] for ln in lines} >= {"mean_time_s", "mean_time_to_human_s"}
    for name, number, unit, *rest in lines:
        assert unit == "s", (name, number, unit)  # named in seconds, shown in seconds
        if rest:  # long times add minutes: 267 s (4.5 min)
            assert float(rest[0].strip("(")) == pytest.approx(float(number) / 60, abs=0.051)


def test_task_names_are_never_cut(capsys: pytest.CaptureFixture[str]) -> None:
    tree = make_tree(
        """
        name: long names
        entry: menu
        tasks:
          - {name: report_a_broadband_fault_at_home, share: 0.5}
          - {name: pay, share: 0.5}
        nodes:
          menu:
            type: menu
            options:
              "1": {say: "To report a fault, press 1.", next: faults}
              "2": {say: "To pay, press 2.", next: faults}
          faults: {type: agent, handles: [report_a_broadband_fault_at_home, pay]}
        """
    )
    text = ivr.analyze(tree).summary()
    assert "  report_a_broadband_fault_at_home  " in text
    header = next(ln for ln in text.splitlines() if ln.strip().startswith("task"))
    row = next(ln for ln in text.splitlines() if "report_a_broadband" in ln)
    assert header.index("share") + len("share") == row.index("%") + 1  # columns still line up


def test_a_breach_never_reads_as_the_limit() -> None:
    tree = make_tree(
        """
        name: just over
        entry: hello
        tasks: [{name: pay, share: 1.0}]
        nodes:
          hello: {type: message, prompt: "Hello.", duration_s: 8.3, next: menu}
          menu:
            type: menu
            duration_s: 1
            options:
              "1": {say: "To pay, press 1.", next: pay}
              "0": {say: "For a person, press 0.", next: person}
          pay: {type: self_service, handles: [pay], duration_s: 30}
          person: {type: agent, handles: [pay]}
        """
    )
    (f,) = ivr.lint(tree, select=["IVR402"])
    # 8.3 s over a limit of 8 s: "about 8 s (standard: at most 8 s)" would read as no breach
    assert "listens to about 8.3 s (hello → menu)" in f.message
    assert f.message.endswith("(standard: at most 8 s)")


def test_rules_are_whole_when_piped(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "…" not in out
    for r in RULES.values():
        assert r.summary in out, r.code


def test_closed_dead_end_without_words_reads_right() -> None:
    tree = make_tree(
        """
        name: closed
        entry: hours
        schedules: {office: {mon-fri: "09:00-17:00"}}
        tasks: [{name: help, share: 1.0}]
        nodes:
          hours:
            type: branch
            when: [{open: office, next: person}]
            otherwise: bye
          person: {type: agent, handles: [help]}
          bye: {type: hangup}
        """
    )
    (f,) = ivr.lint(tree, select=["IVR501"])
    assert f.message == "when office is closed, a caller with help at hours is cut off"


@pytest.mark.skipif(not TWILIO.is_dir(), reason="shared/samples not beside the repository")
def test_twilio_closed_dead_end_message(capsys: pytest.CaptureFixture[str]) -> None:
    flow = str(TWILIO / "flexpt_schedule_hours_flow.json")
    _, out, err = run(capsys, "lint", flow, "--select", "IVR501")
    assert "at is_open is cut off" in out and "and is cut off" not in out
    # command-line advice on the command line, not the Python attribute
    assert "ivrscore import" in err and "tree.meta" not in err
    with pytest.warns(ivr.ImportedFlowWarning, match=r"tree\.meta\['imported'\]"):
        ivr.load(flow)  # in Python, the Python advice


def test_analyze_advice_is_for_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    bank = str(EXAMPLES / "retail_bank.yaml")  # log-normal patience
    code, _, err = run(capsys, "analyze", bank)
    assert code == 2 and err.count("\n") == 1
    assert "--approximate" in err and f"ivrscore simulate {bank}" in err
    assert "ivr.analyze" not in err and "approximate=True" not in err
    code, out, _ = run(capsys, "analyze", bank, "--approximate")
    assert code == 0 and "approx" in out
    with pytest.raises(ivr.NotExactError, match="approximate=True"):  # the API's advice
        ivr.analyze(ivr.load(bank))


def test_chromium_flags_are_the_machines() -> None:
    """Not a browser test: the flags the browser tests start Chromium with are complete."""
    from .browser import FLAGS

    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ):
        assert flag in FLAGS


def test_demo_says_where_the_chart_goes_and_what_to_try(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "demo", "--chart", "charts/depth.png")
    assert code == 0 and (tmp_path / "charts" / "depth.png").is_file()  # the folder is made
    assert "Menu depth chart written to charts/depth.png (choose the file with --chart FILE)" in out
    tried = out.split("Next, try:")[1].splitlines()
    assert any(
        t.strip().startswith("ivrscore compare") and "acme_redesign.yaml" in t for t in tried
    )
    # an example with no redesign suggests no comparison with someone else's tree
    code, out, _ = run(capsys, "demo", "gp_surgery", "--chart", "")
    assert code == 0 and "ivrscore compare" not in out and "Menu depth chart" not in out
    # the redesign's demo suggests comparing it with the design it replaces
    code, out, _ = run(capsys, "demo", "acme_redesign", "--chart", "")
    line = next(t for t in out.splitlines() if t.strip().startswith("ivrscore compare"))
    assert line.index("acme_telecom") < line.index("acme_redesign")


def test_pre_commit_hooks_run_the_commands_they_name(capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    hooks = yaml.safe_load(
        (Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml").read_text()
    )
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"ivrscore-lint", "ivrscore-score"}
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook) and hook["language"] == "python"
        assert hook["entry"].split()[0] == "ivrscore"  # the console script the package installs
    bad, good = str(EXAMPLES / "acme_telecom.yaml"), str(EXAMPLES / "acme_redesign.yaml")

    def hook_exit(hook_id: str, *files: str) -> int:
        hook = by_id[hook_id]
        code = main([*hook["entry"].split()[1:], *hook.get("args", []), *files])
        capsys.readouterr()
        return code

    assert hook_exit("ivrscore-lint", good) == 0 and hook_exit("ivrscore-lint", good, bad) == 1
    assert hook_exit("ivrscore-score", good) == 0 and hook_exit("ivrscore-score", bad) == 1
