"""Fixtures for the safety-screen tests: the fact vocabulary and the real screen."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from backmech.domain.facts import FactKind, FactSpec, Vocabulary
from backmech.domain.safety.model import SafetyScreen
from backmech.domain.types import FactValue
from backmech.knowledge.files import KNOWLEDGE_ROOT, SourceChecker
from backmech.knowledge.safety_files import load_safety
from backmech.knowledge.source_files import load_sources

SAFETY_FILE = KNOWLEDGE_ROOT / "safety" / "red_flags.yaml"


def _bool(fact_id: str, origin: str = "intake") -> FactSpec:
    return FactSpec(fact_id, FactKind.BOOL, fact_id, origin=origin)


def _enum(fact_id: str, *values: str) -> FactSpec:
    return FactSpec(fact_id, FactKind.ENUM, fact_id, values=values)


def _number(fact_id: str, minimum: float, maximum: float, origin: str = "intake") -> FactSpec:
    return FactSpec(fact_id, FactKind.NUMBER, fact_id, minimum=minimum, maximum=maximum, origin=origin)


INTAKE_SPECS: tuple[FactSpec, ...] = (
    _number("person.age", 16, 120),
    _enum("person.sex", "female", "male", "other", "unspecified"),
    _number("history.duration_days", 0, 36500),
    _enum("pain.leg_pain", "none", "left", "right", "both"),
    _bool("pain.below_knee"),
    _enum(
        "pain.night",
        "none",
        "wakes_on_turning",
        "wakes_second_half_of_night",
        "constant_unrelenting",
    ),
    _number("symptoms.morning_stiffness_minutes", 0, 1440),
    _bool("eased_by.exercise"),
    _bool("eased_by.rest"),
    _number("neuro.weakest_motor_grade", 0, 5, origin="examination"),
    *(
        _bool(f"neuro.{name}", origin="examination")
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
    ),
)
"""The intake and examination facts the lead engineer's facts.yaml defines."""

NEUTRAL_INTAKE: dict[str, FactValue] = {
    "person.age": 40,
    "person.sex": "female",
    "history.duration_days": 30,
    "pain.leg_pain": "none",
    "pain.below_knee": False,
    "pain.night": "none",
    "symptoms.morning_stiffness_minutes": 10,
    "eased_by.exercise": False,
    "eased_by.rest": True,
    "neuro.weakest_motor_grade": 5,
    "neuro.weakness_progressive": False,
    "neuro.saddle_sensation_reduced": False,
    "neuro.anal_tone_reduced": False,
    "neuro.umn_signs": False,
    "neuro.bilateral_signs": False,
    "neuro.dermatomal_sensory_loss": False,
    "neuro.reflex_reduced": False,
    "neuro.slr_reproduces_leg_pain": False,
    "neuro.slump_positive": False,
    "neuro.crossed_slr_positive": False,
}
"""A 40-year-old woman with a month of mechanical back pain and a normal examination."""


@pytest.fixture(scope="session")
def vocabulary() -> Vocabulary:
    return Vocabulary({spec.id: spec for spec in INTAKE_SPECS})


@pytest.fixture(scope="session")
def source_checker() -> SourceChecker:
    return SourceChecker(set(load_sources(KNOWLEDGE_ROOT / "sources", KNOWLEDGE_ROOT)))


@pytest.fixture(scope="session")
def safety(vocabulary: Vocabulary, source_checker: SourceChecker) -> SafetyScreen:
    return load_safety(SAFETY_FILE, KNOWLEDGE_ROOT, source_checker, vocabulary)


FactsFactory = Callable[..., dict[str, FactValue]]


@pytest.fixture(scope="session")
def facts(safety: SafetyScreen) -> FactsFactory:
    """Build facts: every question answered no, neutral intake, then overrides.

    Keyword names are question ids (``saddle_numbness=True``); ``intake`` holds
    intake/exam overrides by full fact id.
    """

    def build(intake: dict[str, FactValue] | None = None, **answers: bool) -> dict[str, FactValue]:
        known = {q.id for q in safety.questions}
        unknown = set(answers) - known
        assert not unknown, f"not a question id: {sorted(unknown)}"
        result: dict[str, FactValue] = dict(NEUTRAL_INTAKE)
        result.update({q.fact_id: answers.get(q.id, False) for q in safety.questions})
        result.update(intake or {})
        return result

    return build
