"""Plan settings file: ``plan.yaml`` (phases, sessions, routines, advice, care)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from backmech.domain.conditions import Condition
from backmech.domain.errors import KnowledgeError
from backmech.domain.exercises.model import Dose, ExerciseCategory
from backmech.domain.facts import Vocabulary
from backmech.domain.intake import EQUIPMENT
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


class LongProgramme(StrictModel):
    when: dict[str, Any] | None = None
    or_found: list[str] = Field(default_factory=list)
    """Mechanism ids: any one found is enough, whatever ``when`` says."""
    reason: str = Field(min_length=3)
    source: str


class Programme(StrictModel):
    default_weeks: int = Field(ge=6, le=12)
    short_weeks: int = Field(ge=6, le=12)
    long_weeks: int = Field(ge=6, le=12)
    acute_days: int = Field(gt=0)
    minimal_odi_percent: float = Field(ge=0, le=100)
    source: str
    long_when: LongProgramme


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
    loading_takes_from: dict[ExerciseCategory, Annotated[int, Field(ge=0)]]
    loading_keeps_at_least: int = Field(ge=0)
    daily_routine_min_minutes: float = Field(gt=0)
    daily_routine_max_minutes: float = Field(gt=0)


class HouseholdEquipment(StrictModel):
    items: list[str]
    source: str


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
    household_equipment: HouseholdEquipment
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
    _check_section_sources(doc, where, sources)
    _check_phase_starts(doc, where)
    phases = _phases(doc.phases, where, sources)
    _check_session_mechanisms(doc.sessions, where, mechanisms, exercise_slugs)
    routines = _routines(doc.daily_routines, where, mechanisms, exercise_slugs)
    lifestyle = _lifestyle(doc.lifestyle, where, sources, vocabulary, topics)
    care = _clinician_care(doc.clinician_care, where, sources, mechanisms)
    care_stages = _care_stages(doc.care_stage, where, vocabulary)
    long_when = _long_programme_condition(doc.programme.long_when, where, sources, vocabulary, mechanisms)
    equipment = _household_equipment(doc.household_equipment, where, sources)
    return _settings(
        doc,
        phases=phases,
        routines=routines,
        lifestyle=lifestyle,
        care=care,
        care_stages=care_stages,
        long_when=long_when,
        equipment=equipment,
    )


def _check_section_sources(doc: PlanFile, where: str, sources: SourceChecker) -> None:
    """Each section's numbers are cited once, at the section; an unknown id must not load."""
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


def _check_phase_starts(doc: PlanFile, where: str) -> None:
    """Every programme length the generator can choose must have a calendar for the four phases."""
    for weeks in (doc.programme.default_weeks, doc.programme.short_weeks, doc.programme.long_weeks):
        starts = doc.phase_start_weeks.get(weeks)
        if starts is None or len(starts) != 4 or starts != sorted(starts) or starts[0] != 1:
            raise KnowledgeError(
                f"{where}: phase_start_weeks.{weeks}", "needs four increasing start weeks beginning at week 1"
            )


def _phases(entries: list[PhaseEntry], where: str, sources: SourceChecker) -> tuple[PhaseSpec, ...]:
    """Phases are read in file order, so a misnumbered one would silently swap the stages."""
    phases = []
    for i, p in enumerate(entries):
        if p.number != i + 1:
            raise KnowledgeError(f"{where}: phases[{i}].number", f"expected {i + 1}")
        sources.check(p.source, f"{where}: phases[{i}].source")
        phases.append(PhaseSpec(p.number, p.id, p.name, p.goal, tuple(p.move_on_when), p.source))
    return tuple(phases)


def _check_session_mechanisms(
    sessions: Sessions, where: str, mechanisms: set[str], exercise_slugs: set[str]
) -> None:
    """A misspelt mechanism or exercise would never match, quietly dropping its treatment."""
    for mech in sessions.mechanism_slots:
        if mech not in mechanisms:
            raise KnowledgeError(f"{where}: sessions.mechanism_slots.{mech}", "unknown mechanism")
    for mech, slugs in sessions.key_exercises.items():
        if mech not in mechanisms:
            raise KnowledgeError(f"{where}: sessions.key_exercises.{mech}", "unknown mechanism")
        for slug in slugs:
            if slug not in exercise_slugs:
                raise KnowledgeError(f"{where}: sessions.key_exercises.{mech}", f"unknown exercise {slug!r}")


def _routines(
    daily: DailyRoutines, where: str, mechanisms: set[str], exercise_slugs: set[str]
) -> dict[str, tuple[RoutineItem, ...]]:
    """Routine templates keyed by a real mechanism (or ``general``), each item a real exercise.

    The short doses are cited by the routines section, so every dose carries its source.
    """
    routines: dict[str, tuple[RoutineItem, ...]] = {}
    for key, items in daily.routines.items():
        if key != "general" and key not in mechanisms:
            raise KnowledgeError(f"{where}: daily_routines.routines.{key}", "unknown mechanism")
        for item in items:
            if item.slug not in exercise_slugs:
                raise KnowledgeError(
                    f"{where}: daily_routines.routines.{key}", f"unknown exercise {item.slug!r}"
                )
        routines[key] = tuple(
            RoutineItem(i.slug, Dose(text=i.dose, source=daily.source), i.minutes) for i in items
        )
    return routines


def _lifestyle(
    lifestyle: Lifestyle, where: str, sources: SourceChecker, vocabulary: Vocabulary, topics: set[str]
) -> tuple[LifestyleRule, ...]:
    """A trigger on an unknown fact or topic would never fire; each piece of advice is cited."""
    rules = []
    for i, rule in enumerate(lifestyle.rules):
        loc = f"{where}: lifestyle.rules[{i}]"
        if rule.topic not in topics:
            raise KnowledgeError(f"{loc}.topic", f"unknown topic {rule.topic!r}")
        sources.check(rule.source, f"{loc}.source")
        when = rule_condition(rule.when, f"{loc}.when", vocabulary)
        rules.append(LifestyleRule(rule.id, rule.topic, when, rule.advice, rule.source))
    return tuple(rules)


def _clinician_care(
    entries: list[CareEntry], where: str, sources: SourceChecker, mechanisms: set[str]
) -> tuple[ClinicianCareRule, ...]:
    """Care is recommended only for a mechanism the catalogue can find, and always cited."""
    care = []
    for i, entry in enumerate(entries):
        loc = f"{where}: clinician_care[{i}]"
        if entry.when_mechanism not in mechanisms:
            raise KnowledgeError(f"{loc}.when_mechanism", f"unknown mechanism {entry.when_mechanism!r}")
        sources.check(entry.source, f"{loc}.source")
        care.append(ClinicianCareRule(entry.id, entry.when_mechanism, entry.recommendation, entry.source))
    return tuple(care)


def _care_stages(stage: CareStage, where: str, vocabulary: Vocabulary) -> tuple[tuple[str, Condition], ...]:
    """Stages in the order the generator tries them: the first whose condition holds wins."""
    return tuple(
        (name, rule_condition(data, f"{where}: care_stage.{name}", vocabulary))
        for name, data in (
            ("symptom_modulation", stage.symptom_modulation),
            ("movement_control", stage.movement_control),
            ("functional_optimisation", stage.functional_optimisation),
        )
    )


def _long_programme_condition(
    rule: LongProgramme, where: str, sources: SourceChecker, vocabulary: Vocabulary, mechanisms: set[str]
) -> Condition | None:
    """The long programme is a clinical choice, so its trigger is data checked like any rule.

    A rule with neither a condition nor a mechanism could never apply, which is a typo
    rather than a choice.
    """
    loc = f"{where}: programme.long_when"
    if rule.when is None and not rule.or_found:
        raise KnowledgeError(loc, "needs a `when` condition or `or_found` mechanisms")
    for mech in rule.or_found:
        if mech not in mechanisms:
            raise KnowledgeError(f"{loc}.or_found", f"unknown mechanism {mech!r}")
    sources.check(rule.source, f"{loc}.source")
    return None if rule.when is None else rule_condition(rule.when, f"{loc}.when", vocabulary)


def _household_equipment(equipment: HouseholdEquipment, where: str, sources: SourceChecker) -> frozenset[str]:
    """Only names a person could also declare; a misspelt item would silently drop exercises."""
    for item in equipment.items:
        if item not in EQUIPMENT:
            raise KnowledgeError(
                f"{where}: household_equipment.items",
                f"unknown equipment {item!r}; use one of {', '.join(EQUIPMENT)}",
            )
    sources.check(equipment.source, f"{where}: household_equipment.source")
    return frozenset(equipment.items)


def _category_counts(slots: dict[ExerciseCategory, int]) -> dict[str, int]:
    """The generator keys slots by category name, as exercises carry it."""
    return {str(cat): n for cat, n in slots.items()}


def _settings(
    doc: PlanFile,
    *,
    phases: tuple[PhaseSpec, ...],
    routines: dict[str, tuple[RoutineItem, ...]],
    lifestyle: tuple[LifestyleRule, ...],
    care: tuple[ClinicianCareRule, ...],
    care_stages: tuple[tuple[str, Condition], ...],
    long_when: Condition | None,
    equipment: frozenset[str],
) -> PlanSettings:
    """The checked file as the generator reads it; no check happens here, only reshaping."""
    programme, reassessment, sessions, selection = (
        doc.programme,
        doc.reassessment,
        doc.sessions,
        doc.selection,
    )
    return PlanSettings(
        default_weeks=programme.default_weeks,
        short_weeks=programme.short_weeks,
        long_weeks=programme.long_weeks,
        acute_days=programme.acute_days,
        minimal_odi_percent=programme.minimal_odi_percent,
        programme_source=programme.source,
        long_programme_when=long_when,
        long_programme_mechanisms=frozenset(programme.long_when.or_found),
        long_programme_reason=programme.long_when.reason,
        long_programme_source=programme.long_when.source,
        questionnaires_every_days=reassessment.questionnaires_every_days,
        movement_retest_weeks=tuple(reassessment.movement_retest_weeks),
        decision_points=tuple(DecisionPoint(d.week, d.check) for d in reassessment.decision_points),
        decision_point_requirements={
            d.week: d.requires for d in reassessment.decision_points if d.requires is not None
        },
        reassessment_source=reassessment.source,
        phases=phases,
        phase_start_weeks={k: tuple(v) for k, v in doc.phase_start_weeks.items()},
        session_slots={
            "stable": _category_counts(sessions.stable),
            "mobile": _category_counts(sessions.mobile),
            "balanced": _category_counts(sessions.balanced),
        },
        mechanism_slots={mech: _category_counts(slots) for mech, slots in sessions.mechanism_slots.items()},
        key_exercises={m: tuple(v) for m, v in sessions.key_exercises.items()},
        kind_weights={str(k): w for k, w in selection.kind_weights.items()},
        confidence_floor=selection.confidence_floor,
        relief_positions=selection.relief_positions,
        selection_source=selection.source,
        loading_from_phase=sessions.loading_from_phase,
        loading_slots=sessions.loading_slots,
        loading_takes_from=_category_counts(sessions.loading_takes_from),
        loading_keeps_at_least=sessions.loading_keeps_at_least,
        daily_min_minutes=sessions.daily_routine_min_minutes,
        daily_max_minutes=sessions.daily_routine_max_minutes,
        session_source=sessions.source,
        daily_routines=routines,
        daily_routine_source=doc.daily_routines.source,
        lifestyle=lifestyle,
        clinician_care=care,
        care_stages=care_stages,
        care_stage_source=doc.care_stage.source,
        approach={
            "low": doc.approach.low,
            "medium": doc.approach.medium,
            "high": doc.approach.high,
            "unknown": doc.approach.unknown,
        },
        approach_source=doc.approach.source,
        safety_rules=tuple(doc.safety_rules),
        pain_monitoring_source=doc.pain_monitoring_source,
        household_equipment=equipment,
        household_equipment_source=doc.household_equipment.source,
    )
