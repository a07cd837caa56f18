"""Testing guidelines for ivrscore.

- Tests assert real behaviour with real numbers: hand-computed values, published values, or
  one engine against another. No test that cannot fail, no timed tests (speed lives in
  ``benchmarks/``).
- Random trees come from ``tests/strategies.py`` (hypothesis); reuse them.
- Prefer small trees written inline as YAML (``make_tree``) to fixtures that hide the data.
- Doctests run with the suite (``--doctest-modules``); ``ivr`` is the package.
- Plots use the Agg backend; close figures after each test.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pytest

import ivrscore as ivr

matplotlib.use("Agg")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented text to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "tree.yaml") -> Path:
        p = tmp_path / name
        p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return p

    return write


def make_tree(text: str, **kwargs: object) -> ivr.PhoneTree:
    """Load a tree from dedented YAML text."""
    return ivr.loads(textwrap.dedent(text), **kwargs)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace: dict[str, object]) -> None:
    doctest_namespace["ivr"] = ivr


@pytest.fixture(autouse=True)
def _close_figures() -> object:
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands that write files (the demo's chart) write them in a temporary folder."""
    monkeypatch.chdir(tmp_path)
