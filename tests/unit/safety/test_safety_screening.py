"""The safety screen against the real knowledge file: each class triggers its level.

Levels and routes follow clinical reference 2.2/2.3 (IFOMPT, Finucane 2020;
Downie 2013; NICE NG65, NG156, NG234, NG59; NHS Lothian RefHelp).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from backmech.domain.facts import FactKind
from backmech.domain.safety import CATEGORIES, question_fact_specs, screen
from backmech.domain.safety.model import SafetyScreen
from backmech.domain.safety.screening import TriageResult
from backmech.domain.types import FactValue, TriageLevel

FactsFactory = Callable[..., dict[str, FactValue]]

EMERGENCY = TriageLevel.EMERGENCY
URGENT = TriageLevel.URGENT
SOON = TriageLevel.SOON
NONE = TriageLevel.NONE


def rule_ids(result: TriageResult) -> list[str]:
    return [r.rule_id for r in result.reasons]


# --- the screen as a whole -------------------------------------------------------------


def test_all_negative_is_none_and_complete(safety: SafetyScreen, facts: FactsFactory) -> None:
    result = screen(safety, facts())
    assert result.level is NONE
    assert result.reasons == ()
    assert result.complete is True
    assert result.unanswered == ()
    assert result.possible == ()
    assert result.stops_programme is False
    assert result.action == safety.level_actions[NONE]


def test_safety_net_is_shown_to_everyone_and_names_the_cauda_equina_signs(
    safety: SafetyScreen, facts: FactsFactory
) -> None:
    negative = screen(safety, facts())
    positive = screen(safety, facts(saddle_numbness=True))
    assert negative.safety_net == positive.safety_net == safety.safety_net
    text = " ".join(negative.safety_net).lower()
    for sign in ("saddle", "urine", "bowels", "genitals", "both legs", "emergency department"):
        assert sign in text


def test_every_level_has_an_action_and_every_category_is_covered(safety: SafetyScreen) -> None:
    assert set(safety.level_actions) == set(TriageLevel)
    assert all(text.strip() for text in safety.level_actions.values())
    assert {rule.category for rule in safety.rules} == set(CATEGORIES)


def test_question_facts_are_boolean_red_flag_facts(safety: SafetyScreen) -> None:
    specs = question_fact_specs(safety)
    assert [s.id for s in specs] == [f"red_flag.{q.id}" for q in safety.questions]
    assert all(s.kind is FactKind.BOOL and s.origin == "red_flag" for s in specs)


# --- cauda equina: emergency, now -------------------------------------------------------


def test_saddle_numbness_alone_is_an_emergency(safety: SafetyScreen, facts: FactsFactory) -> None:
    result = screen(safety, facts(saddle_numbness=True))
    assert result.level is EMERGENCY
    assert result.stops_programme is True
    top = result.reasons[0]
    assert top.rule_id == "ces_saddle_numbness"
    assert top.category == "cauda_equina"
    assert top.timeframe == "now"
    assert "emergency department" in top.where_to_go.lower()
    assert top.evidence == ("red_flag.saddle_numbness eq True (was True)",)
    assert result.action == safety.level_actions[EMERGENCY]


@pytest.mark.parametrize(
    ("answer", "rule"),
    [
        ("bladder_change", "ces_bladder_change"),
        ("bowel_change", "ces_bowel_change"),
        ("sexual_change", "ces_sexual_change"),
    ],
)
def test_each_sphincter_or_sexual_change_is_an_emergency(
    safety: SafetyScreen, facts: FactsFactory, answer: str, rule: str
) -> None:
    result = screen(safety, facts(**{answer: True}))
    assert result.level is EMERGENCY
    assert rule_ids(result) == [rule]


@pytest.mark.parametrize(
    ("exam_fact", "rule"),
    [
        ("neuro.saddle_sensation_reduced", "ces_saddle_numbness"),
        ("neuro.anal_tone_reduced", "ces_reduced_anal_tone"),
        ("neuro.bilateral_signs", "ces_bilateral_signs"),
    ],
)
def test_cauda_equina_examination_signs_are_emergencies(
    safety: SafetyScreen, facts: FactsFactory, exam_fact: str, rule: str
) -> None:
    result = screen(safety, facts(intake={exam_fact: True}))
    assert result.level is EMERGENCY
    assert rule_ids(result)[0] == rule


def test_new_symptoms_in_both_legs_are_urgent_and_emergency_when_worsening(
    safety: SafetyScreen, facts: FactsFactory
) -> None:
    stable = screen(safety, facts(both_legs=True))
    assert stable.level is URGENT
    assert rule_ids(stable) == ["ces_new_bilateral_leg_symptoms"]

    worsening = screen(safety, facts(both_legs=True, leg_weakness_worsening=True))
    assert worsening.level is EMERGENCY
    assert worsening.reasons[0].rule_id == "ces_bilateral_worsening"


# --- cord compression: emergency ------------------------------------------------------------


@pytest.mark.parametrize("answer", ["unsteady_or_clumsy", "tingling_both_hands"])
def test_myelopathy_symptoms_are_emergencies(safety: SafetyScreen, facts: FactsFactory, answer: str) -> None:
    result = screen(safety, facts(**{answer: True}))
    assert result.level is EMERGENCY
    assert result.reasons[0].category == "cord_compression"


def test_upper_motor_neuron_signs_are_an_emergency(safety: SafetyScreen, facts: FactsFactory) -> None:
    result = screen(safety, facts(intake={"neuro.umn_signs": True}))
    assert result.level is EMERGENCY
    assert rule_ids(result) == ["cord_upper_motor_neuron_signs"]


def test_cancer_history_with_new_weakness_is_an_emergency(safety: SafetyScreen, facts: FactsFactory) -> None:
    result = screen(safety, facts(cancer_history=True, intake={"neuro.weakest_motor_grade": 4}))
    assert result.level is EMERGENCY
    assert result.reasons[0].rule_id == "cord_cancer_neuro_deficit"
    assert result.reasons[0].source == "nice-ng234"


# --- fracture -----------------------------------------------------------------------------


def test_major_trauma_is_an_emergency(safety: SafetyScreen, facts: FactsFactory) -> None:
    result = screen(safety, facts(major_trauma=True))
    assert result.level is EMERGENCY
    assert rule_ids(result) == ["fracture_major_trauma"]


def test_minor_trauma_with_long_term_steroids_is_urgent(safety: SafetyScreen, facts: FactsFactory) -> None:
    result = screen(safety, facts(minor_trauma=True, long_term_steroids=True))
    assert result.level is URGENT
    assert rule_ids(result) == ["fracture_minor_trauma_steroids"]
    assert result.reasons[0].timeframe == "within 24 hours"
    assert set(result.reasons[0].evidence) == {
        "red_flag.minor_trauma eq True (was True)",
        "red_flag.long_term_steroids eq True (was True)",
    }


@pytest.mark.parametrize(
    ("answers", "intake", "rule"),
    [
        ({"minor_trauma": True, "osteoporosis": True}, {}, "fracture_minor_trauma_osteoporosis"),
        ({"minor_trauma": True}, {"person.age": 75}, "fracture_minor_trauma_older_age"),
        ({"back_bruise": True}, {}, "fracture_bruise_or_graze"),
        ({"osteoporosis": True}, {"person.age": 75}, "fracture_multiple_risk_factors"),
    ],
)
def test_fracture_combinations_are_urgent(
    safety: SafetyScreen,
    facts: FactsFactory,
    answers: dict[str, bool],
    intake: dict[str, FactValue],
    rule: str,
) -> None:
    result = screen(safety, facts(intake=intake, **answers))
    assert result.level is URGENT
    assert rule in rule_ids(result)


@pytest.mark.parametrize("answer", ["minor_trauma", "long_term_steroids", "osteoporosis"])
def test_a_single_fracture_risk_factor_in_a_40_year_old_is_not_a_red_flag(
    safety: SafetyScreen, facts: FactsFactory, answer: str
) -> None:
    assert screen(safety, facts(**{answer: True})).level is NONE


def test_older_age_alone_is_not_a_red_flag(safety: SafetyScreen, facts: FactsFactory) -> None:
    assert screen(safety, facts(intake={"person.age": 75})).level is NONE


# --- malignancy ---------------------------------------------------------------------------


def test_cancer_history_with_weight_loss_is_urgent(safety: SafetyScreen, facts: FactsFactory) -> None:
    result = screen(safety, facts(cancer_history=True, weight_loss=True))
    assert result.level is URGENT
    assert result.reasons[0].rule_id == "malignancy_cancer_weight_loss"
    assert result.stops_programme is True


def test_cancer_history_alone_is_noted_but_not_urgent(safety: SafetyScreen, facts: FactsFactory) -> None:
    result = screen(safety, facts(cancer_history=True))
    assert result.level is NONE
    assert result.stops_programme is False
    assert [f.rule_id for f in result.findings] == ["malignancy_cancer_history_noted"]


@pytest.mark.parametrize(
    ("answers", "intake"),
    [
        ({"cancer_history": True}, {"person.age": 60}),
        ({"cancer_history": True}, {"pain.night": "constant_unrelenting"}),
        ({"cancer_history": True, "constant_pain": True}, {}),
        ({"cancer_history": True, "upper_back_pain": True}, {}),
    ],
)
def test_cancer_history_with_a_concerning_feature_is_urgent(
    safety: SafetyScreen,
    facts: FactsFactory,
    answers: dict[str, bool],
    intake: dict[str, FactValue],
) -> None:
    result = screen(safety, facts(intake=intake, **answers))
    assert result.level is URGENT
    assert result.reasons[0].category == "malignancy"


def test_unexplained_weight_loss_is_soon_under_50_and_urgent_over_50(
    safety: SafetyScreen, facts: FactsFactory
) -> None:
    assert screen(safety, facts(weight_loss=True)).level is SOON
    older = screen(safety, facts(weight_loss=True, intake={"person.age": 55}))
    assert older.level is URGENT
    assert older.reasons[0].source == "heuristic-red-flag-operationalisation"


# --- infection --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    ["fever", "injects_drugs", "immunosuppressed", "recent_infection", "recent_spinal_procedure"],
)
def test_infection_features_are_urgent(safety: SafetyScreen, facts: FactsFactory, answer: str) -> None:
    result = screen(safety, facts(**{answer: True}))
    assert result.level is URGENT
    assert {r.category for r in result.reasons} == {"infection"}


def test_systemically_unwell_with_back_pain_is_an_emergency(
    safety: SafetyScreen, facts: FactsFactory
) -> None:
    result = screen(safety, facts(very_unwell=True))
    assert result.level is EMERGENCY
    assert rule_ids(result) == ["infection_severely_unwell"]


def test_infection_risk_with_a_neurological_deficit_is_an_emergency(
    safety: SafetyScreen, facts: FactsFactory
) -> None:
    result = screen(safety, facts(fever=True, foot_drop=True))
    assert result.level is EMERGENCY
    assert result.reasons[0].rule_id == "infection_with_neuro_deficit"


# --- inflammatory back pain: NICE NG65 ------------------------------------------------------

NG65_BASE = {"person.age": 40, "history.duration_days": 200}
"""Onset before 45 and longer than 3 months; age 40, so 'before 35' must be asked."""


def test_ng65_four_criteria_is_soon_with_rheumatology_referral(
    safety: SafetyScreen, facts: FactsFactory
) -> None:
    result = screen(
        safety,
        facts(
            intake={**NG65_BASE, "pain.night": "wakes_second_half_of_night"},
            buttock_pain=True,
            psoriasis=True,
            nsaid_relief=True,
        ),
    )
    assert result.level is SOON
    assert rule_ids(result) == ["inflammatory_refer_rheumatology"]
    assert result.stops_programme is False
    reason = result.reasons[0]
    assert "rheumatolog" in reason.where_to_go.lower()
    assert "exercis" in reason.action.lower()
    assert reason.source == "nice-ng65"


def test_ng65_exactly_three_criteria_is_soon_with_hla_b27_advice(
    safety: SafetyScreen, facts: FactsFactory
) -> None:
    result = screen(
        safety,
        facts(
            intake={**NG65_BASE, "eased_by.exercise": True},
            pain_began_before_35=True,
            enthesitis=True,
        ),
    )
    assert result.level is SOON
    assert rule_ids(result) == ["inflammatory_hla_b27_test"]
    assert "HLA-B27" in result.reasons[0].action
    assert result.stops_programme is False


def test_ng65_two_criteria_is_none(safety: SafetyScreen, facts: FactsFactory) -> None:
    result = screen(safety, facts(intake=NG65_BASE, arthritis=True, family_spondyloarthritis=True))
    assert result.level is NONE
    assert result.reasons == ()


def test_ng65_needs_pain_longer_than_three_months(safety: SafetyScreen, facts: FactsFactory) -> None:
    many = {"buttock_pain": True, "psoriasis": True, "arthritis": True, "enthesitis": True}
    assert screen(safety, facts(intake={"history.duration_days": 60}, **many)).level is NONE
    assert screen(safety, facts(intake={"history.duration_days": 120}, **many)).level is SOON


def test_ng65_onset_before_45_can_come_from_the_answer_when_older_now(
    safety: SafetyScreen, facts: FactsFactory
) -> None:
    many = {"buttock_pain": True, "psoriasis": True, "arthritis": True, "enthesitis": True}
    older = {"person.age": 52, "history.duration_days": 4000}
    assert screen(safety, facts(intake=older, **many)).level is NONE
    assert screen(safety, facts(intake=older, pain_began_before_45=True, **many)).level is SOON


# --- vascular and visceral ------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["sudden_severe_pain_collapse", "known_aneurysm"])
def test_suspected_aneurysm_problems_are_emergencies(
    safety: SafetyScreen, facts: FactsFactory, answer: str
) -> None:
    result = screen(safety, facts(**{answer: True}))
    assert result.level is EMERGENCY
    assert result.reasons[0].category == "vascular"


@pytest.mark.parametrize(
    ("sex", "age", "expected"),
    [("male", 66, SOON), ("male", 65, NONE), ("female", 69, NONE), ("female", 70, SOON)],
)
def test_aneurysm_screening_advice_follows_ng156_ages(
    safety: SafetyScreen, facts: FactsFactory, sex: str, age: int, expected: TriageLevel
) -> None:
    result = screen(safety, facts(intake={"person.sex": sex, "person.age": age}, aaa_risk_factors=True))
    assert result.level is expected


def test_pain_unaffected_by_movement_with_urinary_symptoms_is_soon(
    safety: SafetyScreen, facts: FactsFactory
) -> None:
    result = screen(safety, facts(movement_makes_no_difference=True, urinary_symptoms=True))
    assert result.level is SOON
    assert rule_ids(result) == ["visceral_non_mechanical_pain"]
    assert screen(safety, facts(urinary_symptoms=True)).level is NONE


# --- neurological screen -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "intake", "rule"),
    [
        ({}, {"neuro.weakest_motor_grade": 3}, "neuro_severe_weakness"),
        ({}, {"neuro.weakest_motor_grade": 2}, "neuro_severe_weakness"),
        ({}, {"neuro.weakness_progressive": True}, "neuro_progressive_weakness"),
        ({"leg_weakness_worsening": True}, {}, "neuro_progressive_weakness"),
        ({"foot_drop": True}, {}, "neuro_foot_drop"),
    ],
)
def test_severe_or_progressive_weakness_is_urgent(
    safety: SafetyScreen,
    facts: FactsFactory,
    answers: dict[str, bool],
    intake: dict[str, FactValue],
    rule: str,
) -> None:
    result = screen(safety, facts(intake=intake, **answers))
    assert result.level is URGENT
    assert result.reasons[0].rule_id == rule
    assert result.reasons[0].source == "nhs-lothian-refhelp"


def test_stable_dermatomal_loss_is_none_with_a_radicular_finding(
    safety: SafetyScreen, facts: FactsFactory
) -> None:
    result = screen(
        safety,
        facts(
            intake={
                "neuro.dermatomal_sensory_loss": True,
                "neuro.weakest_motor_grade": 4,
                "pain.leg_pain": "left",
            }
        ),
    )
    assert result.level is NONE
    assert result.stops_programme is False
    (finding,) = result.findings
    assert finding.rule_id == "radicular_stable_deficit"
    assert finding.category == "radicular"
    assert "week" in finding.timeframe
    assert "neuro.dermatomal_sensory_loss eq True (was True)" in finding.evidence


def test_progressive_weakness_is_not_reported_as_a_stable_radicular_finding(
    safety: SafetyScreen, facts: FactsFactory
) -> None:
    result = screen(
        safety,
        facts(intake={"neuro.dermatomal_sensory_loss": True, "neuro.weakness_progressive": True}),
    )
    assert result.level is URGENT
    assert "radicular_stable_deficit" not in rule_ids(result)


# --- several positives and missing answers --------------------------------------------------


def test_most_urgent_level_wins_and_reasons_are_sorted(safety: SafetyScreen, facts: FactsFactory) -> None:
    result = screen(
        safety,
        facts(
            intake={**NG65_BASE, "pain.night": "wakes_second_half_of_night"},
            minor_trauma=True,
            long_term_steroids=True,
            buttock_pain=True,
            psoriasis=True,
            arthritis=True,
            bladder_change=True,
        ),
    )
    assert result.level is EMERGENCY
    levels = [r.level for r in result.reasons]
    assert levels == sorted(levels, key=lambda level: -level.rank)
    assert levels[0] is EMERGENCY and levels[-1] is SOON
    assert rule_ids(result) == [
        "ces_bladder_change",
        "fracture_minor_trauma_steroids",
        "inflammatory_refer_rheumatology",
    ]
    assert result.action == safety.level_actions[EMERGENCY]


def test_missing_answers_make_the_screen_incomplete(safety: SafetyScreen, facts: FactsFactory) -> None:
    partial = facts()
    del partial["red_flag.saddle_numbness"]
    del partial["red_flag.fever"]
    result = screen(safety, partial)
    assert result.complete is False
    assert result.unanswered == ("saddle_numbness", "fever")
    assert result.level is NONE
    # The unanswered questions leave these emergency/urgent rules open.
    assert set(result.possible) == {
        "ces_saddle_numbness",
        "infection_fever",
    }
    # A rule already false on other answers stays false: fever alone cannot
    # complete "infection risk with a neurological deficit" when the exam is normal.
    assert "infection_with_neuro_deficit" not in result.possible
    assert "infection_severely_unwell" not in result.possible


def test_missing_answers_do_not_hide_a_positive_answer(safety: SafetyScreen, facts: FactsFactory) -> None:
    partial = {"red_flag.bowel_change": True}
    result = screen(safety, partial)
    assert result.level is EMERGENCY
    assert result.complete is False
    assert len(result.unanswered) == len(safety.questions) - 1
    assert "bowel_change" not in result.unanswered


def test_no_answers_at_all_leaves_every_question_and_serious_rule_open(
    safety: SafetyScreen,
) -> None:
    result = screen(safety, {})
    assert result.level is NONE
    assert result.unanswered == tuple(q.id for q in safety.questions)
    assert set(result.possible) == {r.id for r in safety.rules if r.level.stops_programme}
