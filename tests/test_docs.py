"""The documentation site builds with warnings as errors from what git holds (as on a fresh
clone: no generating step first), with the pages that come from the code, and no build
scripts or raw Sphinx roles in it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def tracked(folder: str) -> list[str]:
    """The files git holds under ``folder`` (what a fresh clone has), or every file there."""
    try:
        out = subprocess.run(
            ["git", "ls-files", folder], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        out = []
    return out or [str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*") if p.is_file()]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    work = tmp_path_factory.mktemp("docs")
    for name in [*tracked("docs"), "mkdocs.yml"]:
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, work / name)
    assert not (work / "docs" / "file-format.md").exists()  # generated during the build
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(work / "site")],
        capture_output=True,
        text=True,
        check=False,
        cwd=work,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    assert not (work / "docs" / "file-format.md").exists()  # and nothing written into docs/
    return work / "site"


def test_docs_build_strict_from_a_fresh_clone(site: Path) -> None:
    assert (site / "api" / "index.html").read_text().count("erlang_a") >= 1
    assert (site / "gallery" / "depth.png").read_bytes().startswith(b"\x89PNG")
    assert "IVR302" in (site / "rules" / "IVR302" / "index.html").read_text()
    assert "words_per_minute" in (site / "file-format" / "index.html").read_text()
    json_page = (site / "json-output" / "index.html").read_text()
    assert "ivrscore schema --output" in json_page and "load-error" in json_page


def test_build_scripts_are_not_published(site: Path) -> None:
    assert not list(site.rglob("*.py"))


def test_api_page_has_no_raw_roles(site: Path) -> None:
    api = (site / "api" / "index.html").read_text()
    roles = re.findall(r":(?:mod|func|class|meth|attr|data|obj|exc):", api)
    assert roles == []
    # the roles became code, linked to the entry on the page where there is one
    assert '<a href="#ivrscore.io.load"><code>ivrscore.load</code></a>' in api
