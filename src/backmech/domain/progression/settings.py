"""Progression settings: every clinical number the course logic uses, with its source.

Loaded once from ``knowledge/progression.yaml`` (questionnaire MCID/MDC values and the
reassessment calendar come from the questionnaire files and ``plan.yaml`` so that no
number is kept in two places). Frozen: the settings are part of the knowledge base.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from backmech.domain.types import SourceId


@dataclass(frozen=True, slots=True)
class PainMonitoringSettings:
    """The pain-monitoring model (Thomeé 1997, Silbernagel 2007) and its LBP adaptation."""

    safe_max: int
    """Pain during or right after at or below this is GREEN (0-2 "safe")."""
    acceptable_max: int
    """Up to this is AMBER ("acceptable"); above it is RED ("high risk")."""
    model_source: SourceId
    next_morning_above_baseline: int
    """Next-morning pain more than this many points above baseline is RED."""
    weekly_rise_points: float
    """A weekly average at least this much above last week's counts as rising (RED)."""
    adaptation_source: SourceId


@dataclass(frozen=True, slots=True)
class LadderSettings:
    """Dose steps for one exercise (repetitions) and for walking (minutes)."""

    reps_increment: int
    reps_cap: int
    """Largest repetitions in one set; beyond it the person moves to the harder variant."""
    reps_source: SourceId
    red_volume_cut_percent: int
    actions_source: SourceId
    """The LBP adaptation table: AMBER repeats, RED regresses or cuts volume."""
    walking_increase_percent: int
    walking_target_minutes: float
    walking_source: SourceId


@dataclass(frozen=True, slots=True)
class FlareSettings:
    """Flare detection and the flare plan (Costa 2019 definition; plan is heuristic)."""

    detect_points_above_baseline: int
    detect_source: SourceId
    definition_source: SourceId
    volume_percent: int
    reduced_days: int
    resume_after_green: int
    """Consecutive GREEN sessions after which progression resumes."""
    review_after_days: int
    """A flare not settled after this many days needs a clinician review."""
    repeated_count: int
    repeated_window_days: int
    """This many flares within the window count as "keeps recurring"."""
    steps: tuple[str, ...]
    contact_clinician_when: tuple[str, ...]
    red_flag_rule: str
    plan_source: SourceId


@dataclass(frozen=True, slots=True)
class AdherenceSettings:
    target_percent: float
    target_source: SourceId
    inactivity_alert_days: int
    max_reminders_per_week: int
    """Upper bound whatever the person asks for (one a day)."""
    engagement_source: SourceId


@dataclass(frozen=True, slots=True)
class MeasureSpec:
    """A questionnaire output tracked over the course, with its change thresholds.

    Copied by the loader from the questionnaire file, so the MCID and MDC have one
    home. ``mdc_points`` is None where no MDC is published (RMDQ).
    """

    id: str
    questionnaire: str
    output: str
    name: str
    higher_is_worse: bool
    mcid_points: float | None
    mcid_percent: float | None
    mcid_source: SourceId
    mdc_points: float | None
    mdc_source: SourceId | None


@dataclass(frozen=True, slots=True)
class ReassessmentSettings:
    questionnaires_every_days: int
    questionnaires: tuple[str, ...]
    """Measure ids asked at each questionnaire reassessment."""
    movement_retest_weeks: tuple[int, ...]
    source: SourceId
    measures: Mapping[str, MeasureSpec]
    responder_source: SourceId
    decision_points: tuple[tuple[int, str], ...] = ()
    """(week, what to check) from the plan settings: reviewed at the end of that week."""


@dataclass(frozen=True, slots=True)
class PhaseCriteria:
    """What must hold, besides the calendar, before moving into ``to_phase``."""

    to_phase: int
    settled_weeks: int
    """Consecutive weeks with no RED session (GREEN or AMBER only)."""
    green_weeks: int
    """Consecutive weeks in which every rated session was GREEN."""
    improved_measures: int
    """Measures whose change reached the MCID (responder ``improved``)."""
    source: SourceId


@dataclass(frozen=True)
class ProgressionSettings:
    """Everything about how a course goes on that is clinical knowledge rather than code."""

    safety_source: SourceId
    """Why a positive red-flag answer stops the programme."""
    pain: PainMonitoringSettings
    ladder: LadderSettings
    flare: FlareSettings
    adherence: AdherenceSettings
    reassessment: ReassessmentSettings
    phases: tuple[PhaseCriteria, ...]

    def phase_criteria(self, to_phase: int) -> PhaseCriteria | None:
        return next((c for c in self.phases if c.to_phase == to_phase), None)
