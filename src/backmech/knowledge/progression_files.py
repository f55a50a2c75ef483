"""Progression settings file: ``progression.yaml`` (pain monitoring, ladder, flares, adherence).

The tracked measures point at questionnaire outputs; their MCID and MDC are copied
from the questionnaire files, and the reassessment calendar from the plan settings,
so each clinical number is kept in one file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import Field

from backmech.domain.errors import KnowledgeError
from backmech.domain.plans.model import PlanSettings
from backmech.domain.progression.settings import (
    AdherenceSettings,
    FlareSettings,
    LadderSettings,
    MeasureSpec,
    PainMonitoringSettings,
    PhaseCriteria,
    ProgressionSettings,
    ReassessmentSettings,
)
from backmech.domain.questionnaires.model import Questionnaire
from backmech.knowledge.files import SourceChecker, StrictModel, parse, read_yaml, relative


class PainMonitoringEntry(StrictModel):
    safe_max: int = Field(ge=0, le=10)
    acceptable_max: int = Field(ge=0, le=10)
    model_source: str
    next_morning_above_baseline: int = Field(ge=0, le=10)
    weekly_rise_points: float = Field(gt=0, le=10)
    adaptation_source: str


class LadderEntry(StrictModel):
    reps_increment: int = Field(ge=1, le=5)
    reps_cap: int = Field(ge=2, le=50)
    reps_source: str
    red_volume_cut_percent: int = Field(ge=10, le=60)
    actions_source: str
    walking_increase_percent: int = Field(ge=1, le=30)
    walking_target_minutes: float = Field(gt=0, le=120)
    walking_source: str


class FlareEntry(StrictModel):
    detect_points_above_baseline: int = Field(ge=1, le=10)
    detect_source: str
    definition_source: str
    volume_percent: int = Field(ge=10, le=90)
    reduced_days: int = Field(ge=1, le=7)
    resume_after_green: int = Field(ge=1, le=7)
    review_after_days: int = Field(ge=3, le=28)
    repeated_count: int = Field(ge=2, le=10)
    repeated_window_days: int = Field(ge=7, le=120)
    plan_source: str
    steps: list[str] = Field(min_length=1)
    contact_clinician_when: list[str] = Field(min_length=1)
    red_flag_rule: str = Field(min_length=10)


class AdherenceEntry(StrictModel):
    target_percent: float = Field(gt=0, le=100)
    target_source: str
    inactivity_alert_days: int = Field(ge=1, le=14)
    max_reminders_per_week: int = Field(ge=0, le=7)
    engagement_source: str


class MeasureEntry(StrictModel):
    id: str
    questionnaire: str
    output: str
    mdc: str | None = None


class ReassessmentEntry(StrictModel):
    questionnaires: list[str] = Field(min_length=1)
    responder_source: str
    measures: list[MeasureEntry] = Field(min_length=1)


class PhaseEntry(StrictModel):
    to_phase: int = Field(ge=2, le=4)
    settled_weeks: int = Field(ge=0, le=12)
    green_weeks: int = Field(ge=0, le=12)
    improved_measures: int = Field(ge=0, le=4)
    source: str


class ProgressionFile(StrictModel):
    safety_source: str
    pain_monitoring: PainMonitoringEntry
    ladder: LadderEntry
    flare: FlareEntry
    adherence: AdherenceEntry
    reassessment: ReassessmentEntry
    phases: list[PhaseEntry] = Field(min_length=1)


def _measure(entry: MeasureEntry, loc: str, questionnaires: Mapping[str, Questionnaire]) -> MeasureSpec:
    questionnaire = questionnaires.get(entry.questionnaire)
    if questionnaire is None:
        raise KnowledgeError(f"{loc}.questionnaire", f"unknown questionnaire {entry.questionnaire!r}")
    output = questionnaire.output(entry.output)
    if output is None or output.kind != "number":
        raise KnowledgeError(f"{loc}.output", f"{entry.questionnaire} has no number output {entry.output!r}")
    if output.mcid is None:
        raise KnowledgeError(f"{loc}.output", f"{entry.questionnaire}.{entry.output} has no MCID")
    mdc_points: float | None = None
    mdc_source: str | None = None
    if entry.mdc is not None:
        value = next((c for c in output.change_values if c.id == entry.mdc), None)
        if value is None:
            known = ", ".join(c.id for c in output.change_values) or "none"
            raise KnowledgeError(
                f"{loc}.mdc",
                f"{entry.questionnaire}.{entry.output} has no change value {entry.mdc!r} (known: {known})",
            )
        mdc_points, mdc_source = value.points, value.source
    return MeasureSpec(
        id=entry.id,
        questionnaire=entry.questionnaire,
        output=entry.output,
        name=questionnaire.name,
        higher_is_worse=output.higher_is_worse,
        mcid_points=output.mcid.points,
        mcid_percent=output.mcid.percent,
        mcid_source=output.mcid.source,
        mdc_points=mdc_points,
        mdc_source=mdc_source,
    )


def load_progression_settings(
    path: Path,
    root: Path,
    sources: SourceChecker,
    questionnaires: Mapping[str, Questionnaire],
    plan: PlanSettings,
) -> ProgressionSettings:
    """Progression settings with every source, questionnaire output and change value checked."""
    where = relative(path, root)
    doc = parse(ProgressionFile, read_yaml(path, root), where)
    pain, ladder, flare, adherence, re = (
        doc.pain_monitoring,
        doc.ladder,
        doc.flare,
        doc.adherence,
        doc.reassessment,
    )
    for key, sid in (
        ("pain_monitoring.model_source", pain.model_source),
        ("pain_monitoring.adaptation_source", pain.adaptation_source),
        ("ladder.reps_source", ladder.reps_source),
        ("ladder.actions_source", ladder.actions_source),
        ("ladder.walking_source", ladder.walking_source),
        ("flare.detect_source", flare.detect_source),
        ("flare.definition_source", flare.definition_source),
        ("flare.plan_source", flare.plan_source),
        ("adherence.target_source", adherence.target_source),
        ("adherence.engagement_source", adherence.engagement_source),
        ("reassessment.responder_source", re.responder_source),
        ("safety_source", doc.safety_source),
    ):
        sources.check(sid, f"{where}: {key}")
    if pain.safe_max >= pain.acceptable_max:
        raise KnowledgeError(
            f"{where}: pain_monitoring.acceptable_max", "must be above safe_max (GREEN < AMBER < RED)"
        )
    if flare.detect_points_above_baseline <= pain.next_morning_above_baseline:
        raise KnowledgeError(
            f"{where}: flare.detect_points_above_baseline",
            "must be above pain_monitoring.next_morning_above_baseline (a flare is worse than a RED morning)",
        )
    measures: dict[str, MeasureSpec] = {}
    for i, entry in enumerate(re.measures):
        loc = f"{where}: reassessment.measures[{i}]"
        if entry.id in measures:
            raise KnowledgeError(f"{loc}.id", f"duplicate measure id {entry.id!r}")
        measures[entry.id] = _measure(entry, loc, questionnaires)
    for i, mid in enumerate(re.questionnaires):
        if mid not in measures:
            raise KnowledgeError(f"{where}: reassessment.questionnaires[{i}]", f"unknown measure {mid!r}")
    phases = []
    seen: set[int] = set()
    for i, p in enumerate(doc.phases):
        if p.to_phase in seen:
            raise KnowledgeError(f"{where}: phases[{i}].to_phase", f"duplicate phase {p.to_phase}")
        if p.to_phase > len(plan.phases):
            raise KnowledgeError(f"{where}: phases[{i}].to_phase", f"the plan has {len(plan.phases)} phases")
        seen.add(p.to_phase)
        sources.check(p.source, f"{where}: phases[{i}].source")
        phases.append(
            PhaseCriteria(p.to_phase, p.settled_weeks, p.green_weeks, p.improved_measures, p.source)
        )
    return ProgressionSettings(
        safety_source=doc.safety_source,
        pain=PainMonitoringSettings(
            safe_max=pain.safe_max,
            acceptable_max=pain.acceptable_max,
            model_source=pain.model_source,
            next_morning_above_baseline=pain.next_morning_above_baseline,
            weekly_rise_points=pain.weekly_rise_points,
            adaptation_source=pain.adaptation_source,
        ),
        ladder=LadderSettings(
            reps_increment=ladder.reps_increment,
            reps_cap=ladder.reps_cap,
            reps_source=ladder.reps_source,
            red_volume_cut_percent=ladder.red_volume_cut_percent,
            actions_source=ladder.actions_source,
            walking_increase_percent=ladder.walking_increase_percent,
            walking_target_minutes=ladder.walking_target_minutes,
            walking_source=ladder.walking_source,
        ),
        flare=FlareSettings(
            detect_points_above_baseline=flare.detect_points_above_baseline,
            detect_source=flare.detect_source,
            definition_source=flare.definition_source,
            volume_percent=flare.volume_percent,
            reduced_days=flare.reduced_days,
            resume_after_green=flare.resume_after_green,
            review_after_days=flare.review_after_days,
            repeated_count=flare.repeated_count,
            repeated_window_days=flare.repeated_window_days,
            steps=tuple(flare.steps),
            contact_clinician_when=tuple(flare.contact_clinician_when),
            red_flag_rule=flare.red_flag_rule,
            plan_source=flare.plan_source,
        ),
        adherence=AdherenceSettings(
            target_percent=adherence.target_percent,
            target_source=adherence.target_source,
            inactivity_alert_days=adherence.inactivity_alert_days,
            max_reminders_per_week=adherence.max_reminders_per_week,
            engagement_source=adherence.engagement_source,
        ),
        reassessment=ReassessmentSettings(
            questionnaires_every_days=plan.questionnaires_every_days,
            questionnaires=tuple(re.questionnaires),
            movement_retest_weeks=plan.movement_retest_weeks,
            source=plan.reassessment_source,
            measures=measures,
            responder_source=re.responder_source,
            decision_points=tuple((point.week, point.check) for point in plan.decision_points),
        ),
        phases=tuple(sorted(phases, key=lambda c: c.to_phase)),
    )
