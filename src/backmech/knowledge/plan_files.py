"""Plan settings file: ``plan.yaml`` (phases, sessions, routines, advice, care)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from backmech.domain.conditions import Condition
from backmech.domain.errors import KnowledgeError
from backmech.domain.exercises.model import Dose, ExerciseCategory
from backmech.domain.facts import Vocabulary
from backmech.domain.mechanism.model import MechanismKind
from backmech.domain.plans.model import (
    ClinicianCareRule,
    DecisionPoint,
    LifestyleRule,
    PhaseSpec,
    PlanSettings,
    RoutineItem,
)
from backmech.knowledge.files import (
    SourceChecker,
    StrictModel,
    parse,
    read_yaml,
    relative,
    rule_condition,
)


class Programme(StrictModel):
    default_weeks: int = Field(ge=6, le=12)
    short_weeks: int = Field(ge=6, le=12)
    long_weeks: int = Field(ge=6, le=12)
    acute_days: int = Field(gt=0)
    minimal_odi_percent: float = Field(ge=0, le=100)
    source: str


class DecisionPointEntry(StrictModel):
    week: int = Field(ge=1)
    check: str
    requires: Literal["directional_preference"] | None = None
    """A decision point that applies only when this was found (else it is left out of the plan)."""


class Reassessment(StrictModel):
    questionnaires_every_days: int = Field(ge=7, le=42)
    movement_retest_weeks: list[int]
    decision_points: list[DecisionPointEntry]
    source: str


class PhaseEntry(StrictModel):
    number: int = Field(ge=1, le=4)
    id: str
    name: str
    goal: str
    move_on_when: list[str]
    source: str


class Selection(StrictModel):
    source: str
    kind_weights: dict[MechanismKind, float]
    confidence_floor: float = Field(ge=0, le=1)
    relief_positions: int = Field(ge=0, le=10)


class Sessions(StrictModel):
    source: str
    stable: dict[ExerciseCategory, int]
    mobile: dict[ExerciseCategory, int]
    balanced: dict[ExerciseCategory, int]
    mechanism_slots: dict[str, dict[ExerciseCategory, int]] = Field(default_factory=dict)
    key_exercises: dict[str, list[str]] = Field(default_factory=dict)
    loading_from_phase: int = Field(ge=1, le=4)
    loading_slots: int = Field(ge=0, le=4)
    daily_routine_min_minutes: float = Field(gt=0)
    daily_routine_max_minutes: float = Field(gt=0)


class RoutineItemEntry(StrictModel):
    slug: str
    dose: str = Field(min_length=3)
    minutes: float = Field(gt=0, le=5)


class DailyRoutines(StrictModel):
    source: str
    routines: dict[str, list[RoutineItemEntry]]


class LifestyleEntry(StrictModel):
    id: str
    topic: str
    when: dict[str, Any]
    advice: str
    source: str


class Lifestyle(StrictModel):
    source: str
    rules: list[LifestyleEntry]


class CareEntry(StrictModel):
    id: str
    when_mechanism: str
    recommendation: str
    source: str


class CareStage(StrictModel):
    source: str
    symptom_modulation: dict[str, Any]
    movement_control: dict[str, Any]
    functional_optimisation: dict[str, Any]


class Approach(StrictModel):
    source: str
    low: str
    medium: str
    high: str
    unknown: str


class PlanFile(StrictModel):
    programme: Programme
    reassessment: Reassessment
    phases: list[PhaseEntry] = Field(min_length=4, max_length=4)
    phase_start_weeks: dict[int, list[int]]
    selection: Selection
    sessions: Sessions
    daily_routines: DailyRoutines
    lifestyle: Lifestyle
    clinician_care: list[CareEntry]
    care_stage: CareStage
    approach: Approach
    safety_rules: list[str] = Field(min_length=1)
    pain_monitoring_source: str


def load_plan_settings(
    path: Path,
    root: Path,
    sources: SourceChecker,
    vocabulary: Vocabulary,
    exercise_slugs: set[str],
    mechanisms: set[str],
    topics: set[str],
) -> PlanSettings:
    """Plan settings with every slug, mechanism, topic, fact and source checked."""
    where = relative(path, root)
    doc = parse(PlanFile, read_yaml(path, root), where)

    def cond(data: dict[str, Any], loc: str) -> Condition:
        return rule_condition(data, loc, vocabulary)

    for key, sid in (
        ("programme", doc.programme.source),
        ("reassessment", doc.reassessment.source),
        ("sessions", doc.sessions.source),
        ("selection", doc.selection.source),
        ("daily_routines", doc.daily_routines.source),
        ("lifestyle", doc.lifestyle.source),
        ("care_stage", doc.care_stage.source),
        ("approach", doc.approach.source),
        ("pain_monitoring_source", doc.pain_monitoring_source),
    ):
        sources.check(sid, f"{where}: {key}.source")
    for weeks in (doc.programme.default_weeks, doc.programme.short_weeks, doc.programme.long_weeks):
        starts = doc.phase_start_weeks.get(weeks)
        if starts is None or len(starts) != 4 or starts != sorted(starts) or starts[0] != 1:
            raise KnowledgeError(
                f"{where}: phase_start_weeks.{weeks}", "needs four increasing start weeks beginning at week 1"
            )
    phases = []
    for i, p in enumerate(doc.phases):
        if p.number != i + 1:
            raise KnowledgeError(f"{where}: phases[{i}].number", f"expected {i + 1}")
        sources.check(p.source, f"{where}: phases[{i}].source")
        phases.append(PhaseSpec(p.number, p.id, p.name, p.goal, tuple(p.move_on_when), p.source))
    for mech in doc.sessions.mechanism_slots:
        if mech not in mechanisms:
            raise KnowledgeError(f"{where}: sessions.mechanism_slots.{mech}", "unknown mechanism")
    for mech, slugs in doc.sessions.key_exercises.items():
        if mech not in mechanisms:
            raise KnowledgeError(f"{where}: sessions.key_exercises.{mech}", "unknown mechanism")
        for slug in slugs:
            if slug not in exercise_slugs:
                raise KnowledgeError(f"{where}: sessions.key_exercises.{mech}", f"unknown exercise {slug!r}")
    routines: dict[str, tuple[RoutineItem, ...]] = {}
    for key, items in doc.daily_routines.routines.items():
        if key != "general" and key not in mechanisms:
            raise KnowledgeError(f"{where}: daily_routines.routines.{key}", "unknown mechanism")
        for item in items:
            if item.slug not in exercise_slugs:
                raise KnowledgeError(
                    f"{where}: daily_routines.routines.{key}", f"unknown exercise {item.slug!r}"
                )
        routines[key] = tuple(
            RoutineItem(i.slug, Dose(text=i.dose, source=doc.daily_routines.source), i.minutes) for i in items
        )
    lifestyle = []
    for i, rule in enumerate(doc.lifestyle.rules):
        loc = f"{where}: lifestyle.rules[{i}]"
        if rule.topic not in topics:
            raise KnowledgeError(f"{loc}.topic", f"unknown topic {rule.topic!r}")
        sources.check(rule.source, f"{loc}.source")
        lifestyle.append(
            LifestyleRule(rule.id, rule.topic, cond(rule.when, f"{loc}.when"), rule.advice, rule.source)
        )
    care = []
    for i, entry in enumerate(doc.clinician_care):
        loc = f"{where}: clinician_care[{i}]"
        if entry.when_mechanism not in mechanisms:
            raise KnowledgeError(f"{loc}.when_mechanism", f"unknown mechanism {entry.when_mechanism!r}")
        sources.check(entry.source, f"{loc}.source")
        care.append(ClinicianCareRule(entry.id, entry.when_mechanism, entry.recommendation, entry.source))
    stage = doc.care_stage
    return PlanSettings(
        default_weeks=doc.programme.default_weeks,
        short_weeks=doc.programme.short_weeks,
        long_weeks=doc.programme.long_weeks,
        acute_days=doc.programme.acute_days,
        minimal_odi_percent=doc.programme.minimal_odi_percent,
        programme_source=doc.programme.source,
        questionnaires_every_days=doc.reassessment.questionnaires_every_days,
        movement_retest_weeks=tuple(doc.reassessment.movement_retest_weeks),
        decision_points=tuple(DecisionPoint(d.week, d.check) for d in doc.reassessment.decision_points),
        decision_point_requirements={
            d.week: d.requires for d in doc.reassessment.decision_points if d.requires is not None
        },
        reassessment_source=doc.reassessment.source,
        phases=tuple(phases),
        phase_start_weeks={k: tuple(v) for k, v in doc.phase_start_weeks.items()},
        session_slots={
            name: {str(cat): n for cat, n in getattr(doc.sessions, name).items()}
            for name in ("stable", "mobile", "balanced")
        },
        mechanism_slots={
            mech: {str(cat): n for cat, n in slots.items()}
            for mech, slots in doc.sessions.mechanism_slots.items()
        },
        key_exercises={m: tuple(v) for m, v in doc.sessions.key_exercises.items()},
        kind_weights={str(k): w for k, w in doc.selection.kind_weights.items()},
        confidence_floor=doc.selection.confidence_floor,
        relief_positions=doc.selection.relief_positions,
        selection_source=doc.selection.source,
        loading_from_phase=doc.sessions.loading_from_phase,
        loading_slots=doc.sessions.loading_slots,
        daily_min_minutes=doc.sessions.daily_routine_min_minutes,
        daily_max_minutes=doc.sessions.daily_routine_max_minutes,
        session_source=doc.sessions.source,
        daily_routines=routines,
        daily_routine_source=doc.daily_routines.source,
        lifestyle=tuple(lifestyle),
        clinician_care=tuple(care),
        care_stages=(
            ("symptom_modulation", cond(stage.symptom_modulation, f"{where}: care_stage.symptom_modulation")),
            ("movement_control", cond(stage.movement_control, f"{where}: care_stage.movement_control")),
            (
                "functional_optimisation",
                cond(stage.functional_optimisation, f"{where}: care_stage.functional_optimisation"),
            ),
        ),
        care_stage_source=stage.source,
        approach={
            "low": doc.approach.low,
            "medium": doc.approach.medium,
            "high": doc.approach.high,
            "unknown": doc.approach.unknown,
        },
        approach_source=doc.approach.source,
        safety_rules=tuple(doc.safety_rules),
        pain_monitoring_source=doc.pain_monitoring_source,
    )
