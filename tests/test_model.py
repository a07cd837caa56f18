"""The document model: node types, defaults, callers, arrivals, and validation rules."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

import ivrscore as ivr
from ivrscore.model import NODE_TYPES, Persona, arrival_weights
from ivrscore.model._docs import attribute_docs
from ivrscore.model.callers import Exponential, Lognormal, NoPatience

from .conftest import make_tree

ALL_TYPES = """
name: Every node type
entry: hello
schedules: {office: {mon-fri: "09:00-17:00"}}
tasks: [{name: a, share: 0.5}, {name: b, share: 0.5}]
nodes:
  hello: {type: message, prompt: Hello., next: check}
  check: {type: branch, when: [{open: office, next: menu}], otherwise: vm}
  menu:
    type: menu
    options:
      1: {say: For a press 1., next: ask}
      2: {say: For b press 2., next: q, speech: [b, option b]}
  ask: {type: input, collects: account_number, digits: 8, next: self, zero_out: q}
  self: {type: self_service, handles: [a], duration_s: 30}
  q: {type: queue, open: office, on_closed: cb, wait: {mean_s: 60}, next: human}
  human: {type: agent, handles: [b], asks: [account_number], transfer_to: q}
  vm: {type: voicemail}
  cb: {type: callback}
  bye: {type: hangup, prompt: Goodbye.}
"""


def test_every_node_type_is_parsed() -> None:
    tree = make_tree(ALL_TYPES)
    assert {n.type for n in tree.nodes.values()} == set(NODE_TYPES)
    menu = tree.node("menu")
    assert isinstance(menu, ivr.Menu)
    assert list(menu.options) == ["1", "2"]  # integer YAML keys become text
    assert menu.effective_modality == "both"  # speech phrases imply both
    assert isinstance(tree.node("ask"), ivr.Input) and tree.node("ask").effective_modality == "dtmf"


def test_defaults_for_menus_and_inputs() -> None:
    menu = make_tree(ALL_TYPES).node("menu")
    assert isinstance(menu, ivr.Menu)
    assert (menu.timeout_s, menu.retries, menu.on_failure, menu.barge_in) == (5.0, 2, None, True)


def test_default_persona_parameters_follow_the_research() -> None:
    p = Persona()
    assert isinstance(p.patience, Exponential) and p.patience.mean_s == 240
    assert (p.response_s, p.digit_s, p.input_error) == (1.35, 0.6, 0.03)
    assert (p.barge_in, p.choice_error, p.wants_human) == (0.3, 0.05, 0.1)
    for name in (
        "patience",
        "response_s",
        "digit_s",
        "choice_error",
        "input_error",
        "wants_human",
        "barge_in",
    ):
        doc = attribute_docs(Persona).get(name, "")
        assert "Default" in doc, name  # every default says where it comes from


def test_choice_error_grows_with_breadth() -> None:
    p = Persona(choice_error=0.05)
    errors = [p.choice_error_at(n) for n in range(1, 10)]
    assert errors[0] == 0.0 and errors[1] == pytest.approx(0.05)
    assert errors == sorted(errors)
    assert p.choice_error_at(4) == pytest.approx(1 - 0.95**2)


def test_patience_forms() -> None:
    tree = make_tree(
        """
        name: t
        entry: a
        tasks: [{name: x, share: 1}]
        callers:
          - {name: quick, share: 0.5, patience: {mean_s: 60}}
          - {name: slow, share: 0.25, patience: {distribution: lognormal, median_s: 100, sigma: 1}}
          - {name: saint, share: 0.25, patience: {distribution: none}}
        nodes: {a: {type: agent, handles: [x]}}
        """
    )
    quick, slow, saint = tree.personas
    assert isinstance(quick.patience, Exponential)
    assert isinstance(slow.patience, Lognormal)
    assert slow.patience.mean == pytest.approx(100 * math.exp(0.5))
    assert isinstance(saint.patience, NoPatience) and math.isinf(saint.patience.mean)


def test_single_persona_and_default_persona() -> None:
    one = make_tree(
        """
        {name: t, entry: a, tasks: [{name: x, share: 1}], callers: {patience: {mean_s: 90}},
         nodes: {a: {type: agent, handles: [x]}}}
        """
    )
    assert len(one.personas) == 1 and one.personas[0].patience.mean == 90
    assert one.to_dict()["callers"] == {"patience": {"mean_s": 90.0}}  # written as it was given
    none = make_tree(
        "{name: t, entry: a, tasks: [{name: x, share: 1}], nodes: {a: {type: hangup}}}"
    )
    assert none.personas == (Persona(),)


def test_persona_shares_must_sum_to_one() -> None:
    with pytest.raises(ivr.TreeFileError, match=r"persona shares sum to 0\.8"):
        make_tree(
            """
            {name: t, entry: a, tasks: [{name: x, share: 1}],
             callers: [{name: p, share: 0.5}, {name: q, share: 0.3}],
             nodes: {a: {type: hangup}}}
            """
        )


def test_arrivals_presets_and_table() -> None:
    for preset in ("uniform", "office_hours"):
        w = arrival_weights(preset)
        assert w.shape == (7, 24) and w.sum() == pytest.approx(1.0)
    assert np.allclose(arrival_weights("uniform"), 1 / 168)
    office = arrival_weights("office_hours")
    assert office[:5, 9:17].sum() > 0.6  # most calls in weekday office hours
    table = [[0.0] * 24 for _ in range(7)]
    table[0][9] = 2.0
    tree = make_tree(
        "{name: t, entry: a, tasks: [{name: x, share: 1}], nodes: {a: {type: hangup}}}"
    ).model_copy(update={"arrivals": table})
    assert tree.arrival_weights()[0, 9] == 1.0


@pytest.mark.parametrize(
    ("arrivals", "message"),
    [("weekly", "uniform"), ([[1.0] * 24] * 6, "7 rows"), ([[0.0] * 24] * 7, "not all zero")],
)
def test_bad_arrivals(arrivals: object, message: str) -> None:
    doc = {
        "name": "t",
        "entry": "a",
        "tasks": [{"name": "x", "share": 1}],
        "arrivals": arrivals,
        "nodes": {"a": {"type": "hangup"}},
    }
    with pytest.raises(ValidationError, match=message):
        ivr.PhoneTree.model_validate(doc)


def test_condition_needs_exactly_one_test() -> None:
    with pytest.raises(ValidationError, match="exactly one of"):
        ivr.Condition.model_validate({"open": "a", "share": 0.5, "next": "x"})
    assert ivr.Condition.model_validate({"share": 0.25, "next": "x"}).describe() == "25% of callers"


def test_queue_takes_wait_or_staffing_not_both() -> None:
    with pytest.raises(ValidationError, match="not both"):
        ivr.Queue.model_validate(
            {
                "wait": {"mean_s": 10},
                "staffing": {"agents": 2, "calls_per_hour": 10, "handle_time_s": 60},
            }
        )
    q = ivr.Queue.model_validate(
        {"staffing": {"agents": 4, "calls_per_hour": 120, "handle_time_s": 90}}
    )
    assert q.staffing is not None and q.staffing.offered_load == 3.0


def test_ignore_takes_rule_codes_only() -> None:
    assert ivr.Message.model_validate({"ignore": ["IVR404"]}).ignore == ("IVR404",)
    with pytest.raises(ValidationError, match="not a rule code"):
        ivr.Message.model_validate({"ignore": ["long-preamble"]})


def test_models_are_frozen() -> None:
    tree = make_tree(ALL_TYPES)
    with pytest.raises(ValidationError):
        tree.entry = "menu"  # type: ignore[misc]


def test_handlers_and_node_lookup() -> None:
    tree = make_tree(ALL_TYPES)
    assert tree.handlers() == {"a": ("self",), "b": ("human",)}
    with pytest.raises(KeyError, match="did you mean 'human'"):
        tree.node("humna")


def test_task_shares_normalised() -> None:
    tree = make_tree(ALL_TYPES)
    assert tree.task_shares().tolist() == [0.5, 0.5]


def test_branch_shares_over_one_rejected() -> None:
    with pytest.raises(ivr.TreeFileError, match=r"condition shares add up to 1\.2"):
        make_tree(
            """
            {name: t, entry: b, tasks: [{name: x, share: 1}], nodes: {
              b: {type: branch, when: [{share: 0.6, next: a}, {share: 0.6, next: a}], otherwise: a},
              a: {type: hangup}}}
            """
        )
