"""The README's examples are the real thing: its sample output is what the commands print,
its laws are the catalogue's, and its Quick start is the two commands CI runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ivrscore.lint import LAWS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def sample(command: str) -> list[str]:
    """The lines the README shows after ``$ COMMAND`` in a text block."""
    block = re.search(rf"```text\n\$ {re.escape(command)}\n(.*?)```", README, re.S)
    assert block, f"no sample of {command!r} in the README"
    return block.group(1).rstrip("\n").splitlines()


def real(command: str) -> list[str]:
    args = command.split()[1:]
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    proc = subprocess.run(
        [sys.executable, "-m", "ivrscore", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    return proc.stdout.splitlines()


def test_readme_lint_sample_is_the_real_output() -> None:
    command = "ivrscore lint examples/acme_telecom.yaml"
    shown, out = sample(command), real(command)
    cut = shown.index("...")
    assert shown[:cut] == out[:cut]  # the first lines, as printed
    assert shown[cut + 1 :] == out[len(out) - len(shown[cut + 1 :]) :]  # and the summary


def test_readme_laws_are_the_catalogues() -> None:
    listed = dict(re.findall(r"^- \*\*#(\d+) (.+?)\*\*:", README, re.M))
    assert {int(n): text for n, text in listed.items()} == LAWS


def test_quick_start_is_two_commands_after_a_virtual_environment() -> None:
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", section, re.S)
    assert block
    commands = [ln for ln in block.group(1).splitlines() if ln.strip() and not ln.startswith("#")]
    assert commands == ["pip install . && ivrscore demo", 'pip install ".[test]" && pytest']
    before = section[: block.start()]
    assert "python3 -m venv .venv && . .venv/bin/activate" in before
    assert "ivrscore-demo-depth.png" in section.split("```", 2)[2].split("##", 1)[0]


@pytest.mark.parametrize("name", ["README.md", "notebooks/README.md"])
def test_named_files_exist(name: str) -> None:
    text = (ROOT / name).read_text(encoding="utf-8")
    for ref in re.findall(r"`((?:notebooks|docs|examples)/[\w./-]+\.(?:ipynb|md|yaml))`", text):
        assert (ROOT / ref).exists() or (ROOT / "notebooks" / ref).exists(), ref
    for ref in re.findall(r"`(\d\d_[\w]+\.ipynb)`", text):
        assert (ROOT / "notebooks" / ref).exists(), ref
