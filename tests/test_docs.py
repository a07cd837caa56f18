"""The documentation site builds with warnings as errors, from pages generated from the code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_docs_build_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    # build from a copy, so the generated pages and images stay out of the work tree
    for name in ("docs", "mkdocs.yml"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(
                src, tmp_path / name, ignore=shutil.ignore_patterns("gallery", "_build")
            )
        else:
            shutil.copy(src, tmp_path / name)
    gen = subprocess.run(
        [sys.executable, str(tmp_path / "docs" / "gen.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert gen.returncode == 0, gen.stderr
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-q",
            "-f",
            str(tmp_path / "mkdocs.yml"),
            "-d",
            str(tmp_path / "site"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    site = tmp_path / "site"
    assert (site / "api" / "index.html").read_text().count("erlang_a") >= 1
    assert (site / "gallery" / "depth_telecom.png").read_bytes().startswith(b"\x89PNG")
    assert "IVR302" in (site / "rules" / "IVR302" / "index.html").read_text()
