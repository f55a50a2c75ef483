"""Plan settings (from ``plan.yaml``) and the plan the generator produces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from backmech.domain.conditions import Condition
from backmech.domain.exercises.model import Dose
from backmech.domain.mechanism.model import AvoidAdvice
from backmech.domain.records import record
from backmech.domain.types import Slug, SourceId


@dataclass(frozen=True, slots=True)
class PhaseSpec:
    number: int
    id: str
    name: str
    goal: str
    move_on_when: tuple[str, ...]
    source: SourceId


@dataclass(frozen=True, slots=True)
class LifestyleRule:
    id: str
    topic: str
    when: Condition
    advice: str
    source: SourceId


@dataclass(frozen=True, slots=True)
class ClinicianCareRule:
    id: str
    when_mechanism: str
    recommendation: str
    source: SourceId


@dataclass(frozen=True, slots=True)
class RoutineItem:
    """One item of a daily routine template, with its short "busy day" dose."""

    slug: Slug
    dose: Dose
    minutes: float


@dataclass(frozen=True)  # no __slots__: serialised in every plan (orjson __dict__ fast path)
class DecisionPoint:
    week: int
    check: str


@dataclass(frozen=True)
class PlanSettings:
    """Everything about plan shape that is clinical knowledge rather than code."""

    default_weeks: int
    short_weeks: int
    long_weeks: int
    acute_days: int
    minimal_odi_percent: float
    programme_source: SourceId
    long_programme_when: Condition | None
    """A fact condition that calls for the long programme; it or any of the mechanisms below is enough."""
    long_programme_mechanisms: frozenset[str]
    """Mechanisms whose finding calls for the long programme."""
    long_programme_reason: str
    long_programme_source: SourceId
    questionnaires_every_days: int
    movement_retest_weeks: tuple[int, ...]
    decision_points: tuple[DecisionPoint, ...]
    reassessment_source: SourceId
    phases: tuple[PhaseSpec, ...]
    phase_start_weeks: Mapping[int, tuple[int, ...]]
    session_slots: Mapping[str, Mapping[str, int]]
    """Category slots per emphasis (stable, mobile, balanced)."""
    mechanism_slots: Mapping[str, Mapping[str, int]]
    """Extra category slots added when a mechanism is found."""
    key_exercises: Mapping[str, tuple[Slug, ...]]
    """Mechanism-specific exercises placed first in every phase they belong to."""
    kind_weights: Mapping[str, float]
    """How strongly each kind of finding pulls exercises that suit it (by MechanismKind)."""
    confidence_floor: float
    relief_positions: int
    selection_source: SourceId
    loading_from_phase: int
    loading_slots: int
    loading_takes_from: Mapping[str, int]
    """Slots the loading category takes from other categories once it starts."""
    loading_keeps_at_least: int
    """A category that loading takes from keeps at least this many slots."""
    daily_min_minutes: float
    daily_max_minutes: float
    session_source: SourceId
    daily_routines: Mapping[str, tuple[RoutineItem, ...]]
    daily_routine_source: SourceId
    lifestyle: tuple[LifestyleRule, ...]
    clinician_care: tuple[ClinicianCareRule, ...]
    care_stages: tuple[tuple[str, Condition], ...]
    care_stage_source: SourceId
    approach: Mapping[str, str]
    approach_source: SourceId
    safety_rules: tuple[str, ...]
    pain_monitoring_source: SourceId
    household_equipment: frozenset[str]
    """Equipment assumed at hand at home; anything else only when the person declares it."""
    household_equipment_source: SourceId
    decision_point_requirements: Mapping[int, str] = field(default_factory=dict)
    """Week → what must have been found for that decision point to apply (``directional_preference``)."""


@record
class PlannedExercise:
    """An exercise in the plan, with why it was chosen and its ladder."""

    slug: Slug
    name: str
    category: str
    dose: Dose
    minutes: float
    reason: str
    progression: Slug | None
    regression: Slug | None
    source: SourceId


@record
class SessionEntry:
    """One exercise of a phase's session; full details are in ``Plan.exercises`` by slug."""

    slug: Slug
    name: str
    category: str
    minutes: float


@record
class Phase:
    number: int
    id: str
    name: str
    start_week: int
    end_week: int | None
    goal: str
    move_on_when: tuple[str, ...]
    session: tuple[SessionEntry, ...]
    session_minutes: float
    source: SourceId


@record
class ExcludedExercise:
    slug: Slug
    name: str
    because: tuple[str, ...]
    """Mechanism ids it is contraindicated for."""


@record
class LifestyleAdvice:
    id: str
    topic: str
    advice: str
    source: SourceId
    evidence: tuple[str, ...]


@record
class EducationItem:
    slug: Slug
    title: str
    summary: str
    reason: str


@record
class ClinicianCare:
    id: str
    recommendation: str
    because: str
    source: SourceId


@record
class CareDelivered:
    """Care a clinician gave in the clinic (recorded with a plan edit): what, when, notes."""

    care: str
    """One of ``manual_therapy``, ``dry_needling``, ``neurological_examination``, ``other``."""
    date: str
    notes: str = ""


@record
class Plan:
    """A personalised plan. Same input and knowledge base → the same plan."""

    weeks: int
    weeks_reason: str
    emphasis: str
    session_name: str
    approach: str
    care_stage: str | None
    phases: tuple[Phase, ...]
    exercises: tuple[PlannedExercise, ...]
    """Every distinct exercise of the sessions, in first-use order, with dose and reason."""
    daily_routine: tuple[PlannedExercise, ...]
    daily_routine_minutes: float
    walking: tuple[PlannedExercise, ...]
    """The walking programme by phase (separate short bouts, not part of the session)."""
    relief: tuple[PlannedExercise, ...]
    """Positions and moves that ease this person's pain, to use as needed (and in a flare)."""
    avoid: tuple[AvoidAdvice, ...]
    excluded_exercises: tuple[ExcludedExercise, ...]
    lifestyle: tuple[LifestyleAdvice, ...]
    education: tuple[EducationItem, ...]
    clinician_care: tuple[ClinicianCare, ...]
    safety_rules: tuple[str, ...]
    reassess_after_days: int
    movement_retest_weeks: tuple[int, ...]
    decision_points: tuple[DecisionPoint, ...]
    sources: tuple[SourceId, ...]
    care_delivered: tuple[CareDelivered, ...] = ()
    """Care given in the clinic, from the clinician's plan edits (empty in a generated plan)."""

    @property
    def session_minutes(self) -> float:
        """Minutes of the whole session list (every session exercise once)."""
        return round(sum(e.minutes for e in self.exercises), 1)

    def exercise(self, slug: Slug) -> PlannedExercise:
        """Details of a session exercise (dose, reason, ladder) by slug."""
        return next(e for e in self.exercises if e.slug == slug)
