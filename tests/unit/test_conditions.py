"""The condition engine: three-valued logic, traces, parsing errors."""

from __future__ import annotations

import pytest

from backmech.domain.conditions import All, AnyOf, AtLeast, Leaf, Not, leaves, parse_condition


def test_leaf_is_unknown_when_fact_missing() -> None:
    out = Leaf("age", "lt", 40).evaluate({})
    assert out.value is None
    assert out.missing == ("age",)


def test_leaf_trace_records_actual_value() -> None:
    out = Leaf("age", "lt", 40).evaluate({"age": 33})
    assert out.value is True
    assert out.held[0].describe() == "age lt 40 (was 33)"


def test_all_false_beats_unknown_and_any_true_beats_unknown() -> None:
    facts = {"a": True, "b": False}
    assert (
        All((Leaf("a", "eq", True), Leaf("b", "eq", True), Leaf("c", "eq", True))).evaluate(facts).value
        is False
    )
    assert All((Leaf("a", "eq", True), Leaf("c", "eq", True))).evaluate(facts).value is None
    assert AnyOf((Leaf("c", "eq", True), Leaf("a", "eq", True))).evaluate(facts).value is True
    assert AnyOf((Leaf("c", "eq", True), Leaf("b", "eq", True))).evaluate(facts).value is None
    assert AnyOf((Leaf("b", "eq", True),)).evaluate(facts).value is False


def test_not_keeps_unknown() -> None:
    assert Not(Leaf("x", "eq", True)).evaluate({}).value is None
    assert Not(Leaf("x", "eq", True)).evaluate({"x": False}).value is True


def test_at_least_decides_as_soon_as_it_can() -> None:
    cond = AtLeast(3, tuple(Leaf(n, "eq", True) for n in "abcd"))
    assert cond.evaluate({"a": True, "b": True, "c": True}).value is True
    assert cond.evaluate({"a": False, "b": False}).value is False  # at most 2 can hold
    assert cond.evaluate({"a": True, "b": True}).value is None
    assert cond.count_true({"a": True, "b": True, "c": False}) == (2, 1)


@pytest.mark.parametrize(
    "facts",
    [{}, {"a": True}, {"a": False, "b": 3}, {"a": True, "b": 7, "c": "x"}, {"b": 1, "c": "y"}],
)
def test_fast_truth_agrees_with_traced_evaluation(facts: dict[str, object]) -> None:
    cond = parse_condition(
        {
            "any": [
                {"all": [{"fact": "a"}, {"fact": "b", "op": "gt", "value": 2}]},
                {"not": {"fact": "c", "op": "in", "value": ["x"]}},
                {"at_least": 1, "of": [{"fact": "b", "op": "le", "value": 1}]},
            ]
        },
        "test",
    )
    assert cond.truth(facts) == cond.evaluate(facts).value  # type: ignore[arg-type]


def test_parse_shorthand_and_sets() -> None:
    cond = parse_condition({"fact": "pain.leg_pain", "op": "in", "value": ["left", "both"]}, "r")
    assert cond.evaluate({"pain.leg_pain": "both"}).value is True
    flag = parse_condition({"fact": "x"}, "r")
    assert isinstance(flag, Leaf) and flag.op == "eq" and flag.value is True
    assert [
        leaf.fact for leaf in leaves(parse_condition({"all": [{"fact": "a"}, {"not": {"fact": "b"}}]}, "r"))
    ] == ["a", "b"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"fact": "a", "op": "approximately", "value": 1}, "unknown operator"),
        ({"all": []}, "non-empty list"),
        ({"at_least": 3, "of": [{"fact": "a"}]}, "needs at least 3"),
        ({"when": {"fact": "a"}}, "unrecognised condition keys"),
        ({"fact": "a", "op": "in", "value": "x"}, "needs a list"),
        ("a == 1", "must be a mapping"),
    ],
)
def test_malformed_conditions_are_rejected_with_location(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        parse_condition(data, "rules.yaml: my-rule.when")
    assert "my-rule" in str(info.value)
