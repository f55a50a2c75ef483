"""Derived facts: sides combined, directions, counts — only from known inputs."""

from __future__ import annotations

from backmech.domain.derivations import DerivationSettings
from backmech.domain.derivations import derive_facts as derive_with
from backmech.domain.types import FactValue
from backmech.knowledge.loader import default_knowledge

SETTINGS = default_knowledge().derivations


def derive_facts(
    facts: dict[str, FactValue], settings: DerivationSettings = SETTINGS
) -> dict[str, FactValue]:
    return derive_with(facts, settings)


def test_directional_preference_from_repeated_movements() -> None:
    assert derive_facts(
        {
            "examination.repeated_movements.extension": "centralises",
            "examination.repeated_movements.flexion": "peripheralises",
        }
    ) == {
        "derived.directional_preference": "extension",
        "derived.peripheralises_with_flexion": True,
        "derived.peripheralises_with_extension": False,
    }
    assert (
        derive_facts({"examination.repeated_movements.flexion": "abolishes"})[
            "derived.directional_preference"
        ]
        == "flexion"
    )
    both = derive_facts(
        {
            "examination.repeated_movements.flexion": "decreases",
            "examination.repeated_movements.extension": "decreases",
        }
    )
    assert both["derived.directional_preference"] == "none"


def test_sides_need_both_values() -> None:
    out = derive_facts(
        {
            "examination.hip_ir_prone_degrees.left": 25,
            "examination.hip_ir_prone_degrees.right": 38,
            "examination.knee_to_wall_cm.left": 9,
        }
    )
    assert out["derived.hip_ir_min_degrees"] == 25
    assert out["derived.hip_ir_max_degrees"] == 38
    assert out["derived.hip_ir_asymmetry_degrees"] == 13
    assert "derived.knee_to_wall_min_cm" not in out


def test_neural_sign_true_on_any_sign_false_only_when_all_known() -> None:
    assert derive_facts({"neuro.slr_reproduces_leg_pain": True})["derived.neural_sign"] is True
    assert "derived.neural_sign" not in derive_facts({"neuro.slr_reproduces_leg_pain": False})
    all_negative = dict.fromkeys(
        (
            "neuro.slr_reproduces_leg_pain",
            "neuro.slump_positive",
            "neuro.crossed_slr_positive",
            "neuro.dermatomal_sensory_loss",
            "neuro.reflex_reduced",
        ),
        False,
    )
    all_negative["neuro.weakest_motor_grade"] = 5  # type: ignore[assignment]
    assert derive_facts(all_negative)["derived.neural_sign"] is False
    assert derive_facts({**all_negative, "neuro.weakest_motor_grade": 4})["derived.neural_sign"] is True


def test_leg_dominance_uses_nprs_current() -> None:
    assert derive_facts({"pain.leg_nprs": 6, "score.nprs.current": 4})["derived.leg_dominant"] is True
    assert derive_facts({"pain.leg_nprs": 2, "score.nprs.current": 4})["derived.leg_dominant"] is False
    assert derive_facts({"pain.leg_pain": "none"})["derived.leg_dominant"] is False


def test_counts_and_chronicity() -> None:
    out = derive_facts(
        {
            "examination.luomajoki.waiters_bow": "incorrect",
            "examination.luomajoki.rocking": "incorrect",
            "examination.luomajoki.pelvic_tilt": "correct",
            "history.duration_days": 90,
            "examination.side_bridge_seconds.left": 40,
            "examination.side_bridge_seconds.right": 50,
            "examination.slr_degrees.left": 90,
            "examination.slr_degrees.right": 94,
        }
    )
    assert out["derived.luomajoki_incorrect_count"] == 2
    assert out["derived.chronic"] is True  # 3 months, Deyo 2014
    assert out["derived.side_bridge_asymmetry_percent"] == 20.0
    assert out["derived.slr_average_degrees"] == 92


def test_the_cut_offs_come_from_the_knowledge_base_with_their_sources() -> None:
    assert (SETTINGS.chronic_after_days, SETTINGS.chronic_source) == (90, "deyo-2014")
    assert (SETTINGS.full_motor_grade, SETTINGS.motor_grade_source) == (5, "mrc-1976")
    assert derive_facts({"history.duration_days": 89})["derived.chronic"] is False
    assert derive_facts({"history.duration_days": 90})["derived.chronic"] is True
    stricter = DerivationSettings(120, "deyo-2014", 4, "mrc-1976")
    assert derive_facts({"history.duration_days": 90}, stricter)["derived.chronic"] is False
    assert derive_facts({"neuro.weakest_motor_grade": 4}, stricter) == {}  # 4/5 is not weak under it
