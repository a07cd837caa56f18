"""The command line: exit codes 0 / 1 / 2, one-line errors, and the text users read."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import ivrscore as ivr
from ivrscore.cli import build_parser, main

from .test_io import GOOD

WriteFile = Callable[..., Path]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_prints_a_summary(capsys: pytest.CaptureFixture[str], examples_dir: Path) -> None:
    code, out, err = run(capsys, "validate", str(examples_dir / "acme_telecom.yaml"))
    assert code == 0 and err == ""
    assert "valid — Acme Telecom helpline" in out
    assert "29 nodes: 2 messages, 3 menus, 2 inputs, 1 branch, 9 queues, 9 agents" in out
    assert "report_fault" in out and "faults_agent" in out
    human = ivr.route_to_human(ivr.load(examples_dir / "acme_telecom.yaml"))
    assert human is not None and f"to a human: {human.seconds:.0f} s" in out
    assert "\033[" not in out  # no colour when not a terminal


def test_validate_several_files_one_bad(
    capsys: pytest.CaptureFixture[str], examples_dir: Path, write_file: WriteFile
) -> None:
    bad = write_file(GOOD.replace("next: faults_queue}", "next: faults_queu}"))
    code, out, err = run(capsys, "validate", str(examples_dir / "gp_surgery.yaml"), str(bad))
    assert code == 2
    assert "Riverside Medical Practice" in out
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0] == (
        f"ivrscore: {bad}:13:49: node 'main_menu': options.2.next goes to 'faults_queu', which "
        "is not a node; did you mean 'faults_queue'?"
    )


def test_validate_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "validate", str(tmp_path / "nope.yaml"))
    assert (
        code == 2
        and err.strip() == f"ivrscore: {tmp_path / 'nope.yaml'}: No such file or directory"
    )


def test_validate_json_output(capsys: pytest.CaptureFixture[str], examples_dir: Path) -> None:
    code, out, _ = run(
        capsys, "validate", "--format", "json", str(examples_dir / "acme_redesign.yaml")
    )
    (data,) = json.loads(out)  # a list, one entry per file, for one file too
    assert code == 0 and data["valid"] is True
    assert data["tasks"]["pay_bill"]["route"]["menus"] == 2
    assert data["human"]["nodes"][-1].endswith("_agent") and data["human"]["seconds"] < 60


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2
    assert "error: the following arguments are required: FILE" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2
    assert main([]) == 2


def test_schema_is_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0 and schema["$schema"].endswith("2020-12/schema")
    assert set(schema["required"]) >= {"name", "entry", "tasks", "nodes"}
    assert "Menu" in schema["$defs"] and "Persona" in schema["$defs"]


def test_demo_runs_on_the_bundled_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo")
    assert code == 0 and "Acme Telecom helpline (as callers experience it)" in out
    code, _, err = run(capsys, "demo", "nosuch")
    assert code == 2 and err.count("\n") == 1 and "no example 'nosuch'" in err


def test_console_script_never_shows_a_traceback(write_file: WriteFile) -> None:
    bad = write_file("name: [unclosed\n")
    proc = subprocess.run(
        [sys.executable, "-m", "ivrscore", "validate", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
    assert "malformed YAML" in proc.stderr and ":2" in proc.stderr


def test_each_command_starts_with_only_its_module() -> None:
    """``main`` registers only the module of the command it runs: the table it uses must name,
    for every command, the module that registers it, and no command may be missing from it."""
    import argparse

    from ivrscore.cli._app import COMMANDS

    def commands(parser: argparse.ArgumentParser) -> set[str]:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return set(sub.choices)

    assert commands(build_parser()) == set(COMMANDS)
    for command in COMMANDS:
        assert command in commands(build_parser(command))


def test_simulate_on_two_processes_prints_the_numbers_of_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    gp = str(ivr.examples.path("gp_surgery"))
    args = ["simulate", gp, "--calls", "150000", "--seed", "3", "--format", "json"]
    assert main(args) == 0
    one = json.loads(capsys.readouterr().out)
    assert main([*args, "--jobs", "2"]) == 0
    assert json.loads(capsys.readouterr().out) == one
