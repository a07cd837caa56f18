"""The bundled examples: each validates, says what it models, and ships with the package."""

from __future__ import annotations

from pathlib import Path

import pytest

import ivrscore as ivr

from .conftest import EXAMPLES

FILES = sorted(EXAMPLES.glob("*.yaml"))


def test_at_least_five_examples() -> None:
    assert len(FILES) >= 5
    assert {p.stem for p in FILES} >= {
        "acme_telecom",
        "acme_redesign",
        "retail_bank",
        "gp_surgery",
        "energy_supplier",
    }


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_example_validates_and_has_a_header(path: Path) -> None:
    text = path.read_text()
    header = [line for line in text.splitlines()[:5] if line.startswith("#")]
    assert header, "an example opens with a comment saying what it models"
    tree = ivr.load(path)
    routes = ivr.best_routes(tree)
    assert all(r is not None for r in routes.values()), "every task reachable"
    assert ivr.loads(tree.dumps()) == tree


def test_examples_are_found_by_name() -> None:
    assert ivr.examples.names() == sorted(p.stem for p in FILES)
    assert (
        ivr.examples.path("acme_telecom").read_bytes()
        == (EXAMPLES / "acme_telecom.yaml").read_bytes()
    )
    with pytest.raises(KeyError, match="did you mean 'gp_surgery'"):
        ivr.examples.path("gp_surgry")


def test_telecom_as_experienced_tells_the_essay_story() -> None:
    tree = ivr.load(ivr.examples.path("acme_telecom"))
    menus = dict(tree.iter_nodes("menu"))
    assert len(menus["main_menu"].options) == 8  # type: ignore[union-attr]
    assert len(menus["other_menu"].options) == 4  # type: ignore[union-attr]
    assert "not taking calls" in (tree.node("not_taking_calls").prompt or "")
    collected = [n.collects for _, n in tree.iter_nodes("input")]  # type: ignore[union-attr]
    assert collected == ["account_number", "date_of_birth"]
