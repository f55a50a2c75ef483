"""Properties of the real safety screen, for any combination of answers.

The key one: the screen is monotone. Saying "yes" to one more warning sign can
never make the level less urgent, whatever the other answers and whatever is
still unanswered.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import find, given, settings
from hypothesis import strategies as st

from backmech.domain.conditions import Leaf, Not
from backmech.domain.safety import SafetyScreen, screen
from backmech.domain.types import FactValue, TriageLevel


def _mostly(usual: Any, *others: Any) -> st.SearchStrategy[Any]:
    """Usually ``usual`` (9 draws in 9 + len(others)); shrinks towards ``usual``.

    Real people have few warning signs. With unbiased draws almost every example
    has several positive findings and sits at "emergency", where no property can fail.
    """
    return st.sampled_from([usual] * 9 + list(others))


INTAKE_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "person.age": st.integers(16, 100),
    "person.sex": st.sampled_from(["female", "male", "other", "unspecified"]),
    "history.duration_days": st.integers(0, 5000),
    "pain.leg_pain": st.sampled_from(["none", "left", "right", "both"]),
    "pain.below_knee": st.booleans(),
    "pain.night": st.sampled_from(
        ["none", "wakes_on_turning", "wakes_second_half_of_night", "constant_unrelenting"]
    ),
    "symptoms.morning_stiffness_minutes": st.integers(0, 240),
    "eased_by.exercise": st.booleans(),
    "eased_by.rest": st.booleans(),
    "neuro.weakest_motor_grade": _mostly(5, 4, 3, 2, 1, 0),
    **{
        f"neuro.{name}": _mostly(False, True)
        for name in (
            "weakness_progressive",
            "saddle_sensation_reduced",
            "anal_tone_reduced",
            "umn_signs",
            "bilateral_signs",
            "dermatomal_sensory_loss",
            "reflex_reduced",
            "slr_reproduces_leg_pain",
            "slump_positive",
            "crossed_slr_positive",
        )
    },
}


@st.composite
def people(draw: st.DrawFn, safety: SafetyScreen, answered: bool = False) -> dict[str, FactValue]:
    """Any person: a few yes answers, some unanswered (unless ``answered``), the rest no.

    Each intake/examination fact is present or absent (unknown) independently.
    """
    facts: dict[str, FactValue] = {}
    for fact_id, strategy in INTAKE_STRATEGIES.items():
        value = draw(st.one_of(st.none(), strategy))
        if value is not None:
            facts[fact_id] = value
    ids = [q.fact_id for q in safety.questions]
    yes = draw(st.sets(st.sampled_from(ids), max_size=4), label="yes")
    unknown = set() if answered else draw(st.sets(st.sampled_from(ids), max_size=8))
    for fact_id in ids:
        if fact_id in yes:
            facts[fact_id] = True
        elif fact_id not in unknown:
            facts[fact_id] = False
    return facts


# The ``safety`` fixture is session-scoped, so hypothesis may share it across examples.


@settings(max_examples=300)
@given(data=st.data())
def test_answering_yes_to_one_more_question_never_lowers_the_level(
    safety: SafetyScreen, data: st.DataObject
) -> None:
    person = data.draw(people(safety), label="person")
    noes = [q.fact_id for q in safety.questions if person.get(q.fact_id) is False]
    if not noes:
        return
    flipped_fact = data.draw(st.sampled_from(noes), label="flipped")
    before = screen(safety, person)
    after = screen(safety, {**person, flipped_fact: True})
    assert after.level.rank >= before.level.rank, (flipped_fact, before.reasons, after.reasons)


@settings(max_examples=200)
@given(data=st.data())
def test_result_invariants_hold_for_anyone(safety: SafetyScreen, data: st.DataObject) -> None:
    person = data.draw(people(safety), label="person")
    result = screen(safety, person)
    ranks = [r.level.rank for r in result.reasons]
    assert ranks == sorted(ranks, reverse=True)
    assert result.level.rank == (ranks[0] if ranks else 0)
    assert result.complete == (not result.unanswered)
    assert set(result.unanswered) == {q.id for q in safety.questions if q.fact_id not in person}
    assert result.action == safety.level_actions[result.level]
    assert result.safety_net == safety.safety_net
    held = {r.rule_id for r in result.reasons}
    assert not held & set(result.possible)
    # Every conclusion carries the answers it rests on.
    assert all(reason.evidence for reason in result.reasons)


@settings(max_examples=200)
@given(data=st.data())
def test_a_fully_answered_screen_is_complete(safety: SafetyScreen, data: st.DataObject) -> None:
    result = screen(safety, data.draw(people(safety, answered=True), label="person"))
    assert result.complete is True
    assert result.unanswered == ()


@settings(max_examples=200)
@given(data=st.data())
def test_a_positive_cauda_equina_answer_is_always_an_emergency(
    safety: SafetyScreen, data: st.DataObject
) -> None:
    person = data.draw(people(safety), label="person")
    for question in ("saddle_numbness", "bladder_change", "bowel_change", "sexual_change"):
        result = screen(safety, {**person, f"red_flag.{question}": True})
        assert result.level.value == "emergency"
        assert result.stops_programme is True


def test_the_generator_can_expose_a_non_monotone_rule(safety: SafetyScreen) -> None:
    """Guard on the property above: a rule that fires on a *no* answer must be caught.

    If the generator drifted (e.g. every example already at emergency), the
    monotonicity property would pass vacuously; this shows it still bites.
    """
    broken_rule = dataclasses.replace(
        safety.rules[0],
        id="broken",
        level=TriageLevel.URGENT,
        when=Not(Leaf("red_flag.psoriasis", "eq", True)),
    )
    broken = dataclasses.replace(safety, rules=(*safety.rules, broken_rule))

    def lowers_level(person: dict[str, FactValue]) -> bool:
        if person.get("red_flag.psoriasis") is not False:
            return False
        after = screen(broken, {**person, "red_flag.psoriasis": True})
        return after.level.rank < screen(broken, person).level.rank

    counterexample = find(people(broken), lowers_level, settings=settings(database=None))
    assert counterexample["red_flag.psoriasis"] is False
