"""Reading intakes: lists become facts, unknown stays unknown, errors name the field."""

from __future__ import annotations

import pytest

from backmech.domain.errors import InputError
from backmech.services.assessment import AssessmentService


def test_list_answers_become_true_and_false_facts(service: AssessmentService) -> None:
    case = service.read({"symptoms": {"aggravated_by": ["sitting_slumped"]}})
    assert case.facts["aggravated_by.sitting_slumped"] is True
    assert case.facts["aggravated_by.standing"] is False
    assert "eased_by.standing" not in case.facts  # list not given: unknown, not "no"


def test_absent_and_null_fields_stay_unknown(service: AssessmentService) -> None:
    case = service.read({"person": {"age": None}, "red_flags": {"fever": None}})
    assert "person.age" not in case.facts
    assert "red_flag.fever" not in case.facts


def test_nested_sides_and_enums(service: AssessmentService) -> None:
    case = service.read(
        {
            "examination": {
                "hip_ir_prone_degrees": {"left": 30, "right": 41},
                "repeated_movements": {"extension": "centralises"},
            }
        }
    )
    assert case.facts["examination.hip_ir_prone_degrees.left"] == 30
    assert case.facts["examination.repeated_movements.extension"] == "centralises"


@pytest.mark.parametrize(
    ("intake", "field", "allowed"),
    [
        ({"person": {"age": 200}}, "person.age", "16 to 110"),
        ({"person": {"age": "forty"}}, "person.age", "16 to 110"),
        ({"person": {"sex": "f"}}, "person.sex", "female, male, other, unspecified"),
        (
            {"symptoms": {"aggravated_by": ["sitting", "jumping"]}},
            "symptoms.aggravated_by",
            "sitting_slumped",
        ),
        ({"sympotms": {}}, "sympotms", "symptoms"),
        ({"pain": {"leg": "left"}}, "pain.leg", "leg_pain"),
        ({"red_flags": {"saddle": True}}, "red_flags.saddle", "saddle_numbness"),
        ({"red_flags": {"fever": "yes"}}, "red_flags.fever", "true, false"),
        ({"questionnaires": {"oswestry": {}}}, "questionnaires.oswestry", "odi"),
        ({"findings": {"derived.chronic": True}}, "findings.derived.chronic", ""),
        ({"preferences": {"session_minutes": 90}}, "preferences.session_minutes", "10 to 45"),
        ({"assessed_on": "2026-02-30"}, "assessed_on", "YYYY-MM-DD"),
        ({"schema_version": 9}, "schema_version", "1"),
        ({"examination": {"knee_to_wall_cm": {"left": -3}}}, "examination.knee_to_wall_cm.left", "0 to 30"),
    ],
)
def test_bad_input_names_field_and_allowed_values(
    service: AssessmentService, intake: dict[str, object], field: str, allowed: str
) -> None:
    with pytest.raises(InputError) as info:
        service.read(intake)
    assert info.value.field == field
    assert allowed in info.value.allowed


def test_non_object_intake_is_rejected(service: AssessmentService) -> None:
    with pytest.raises(InputError, match="JSON object"):
        service.read([1, 2, 3])


def test_findings_accept_examination_facts(service: AssessmentService) -> None:
    case = service.read({"findings": {"examination.rotation_control_loss": "left"}})
    assert case.facts["examination.rotation_control_loss"] == "left"
