"""One row per patient, from the stored records: what the cohort tables are computed from.

Why a row per patient first: the questions a clinic asks ("how do people with
flexion intolerance do?", "does adherence go with outcome?") are about people, so
each person's baseline, latest scores, mechanism group and adherence are settled
once here, with the same responder rule the app shows the person
(:func:`backmech.domain.progression.reassessment.measure_change`), and the
group tables in :mod:`backmech.analytics.cohort` only aggregate.

Nothing identifying leaves this module: rows carry no name, email or id.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.mechanism.model import MechanismKind
from backmech.domain.progression.reassessment import measure_change
from backmech.domain.results.model import AssessmentResult
from backmech.services.codec import result_from_json
from backmech.storage.prebuilt import ASSESSMENTS, PATIENTS, SESSION_LOGS

REFERRED = "referred (programme stopped)"
NO_MECHANISM = "no mechanism named"


@dataclass(frozen=True, slots=True)
class PatientOutcome:
    """One person's course, without who they are."""

    clinic_id: UUID
    mechanism: str
    """The primary mechanism at baseline, or why there is none."""
    weeks_followed: float
    """From the baseline assessment to the latest record (assessment or log)."""
    active_days: int
    """Days with at least one logged session."""
    adherence_percent: float | None
    """Active days as a share of the days of the programme so far (None before day one)."""
    baseline: Mapping[str, float]
    latest: Mapping[str, float]
    """Measure id → score, for measures with a later reassessment than the baseline."""
    status: Mapping[str, str]
    """Measure id → improved / unchanged / deteriorated (only where ``latest`` has it)."""
    change: Mapping[str, float]
    """Measure id → change towards better, in points."""


def _mechanism(result: AssessmentResult) -> str:
    if result.plan is None:
        return REFERRED
    primary = next((m for m in result.mechanisms if m.kind is MechanismKind.PRIMARY), None)
    return primary.id if primary is not None else NO_MECHANISM


def _plan_weeks(result: AssessmentResult) -> int | None:
    return result.plan.weeks if result.plan is not None else None


def read_outcomes(
    engine: Engine, kb: KnowledgeBase, today: dt.date, clinic_id: UUID | None = None
) -> list[PatientOutcome]:
    """A row per patient with at least one assessment (of one clinic, or of every clinic)."""
    where = [] if clinic_id is None else [PATIENTS.c.clinic_id == clinic_id]
    assessments = (
        sa.select(
            PATIENTS.c.clinic_id, ASSESSMENTS.c.patient_id, ASSESSMENTS.c.created_at, ASSESSMENTS.c.result
        )
        .select_from(ASSESSMENTS.join(PATIENTS, PATIENTS.c.id == ASSESSMENTS.c.patient_id))
        .where(*where)
        .order_by(ASSESSMENTS.c.patient_id, ASSESSMENTS.c.created_at, ASSESSMENTS.c.id)
    )
    logs = (
        sa.select(SESSION_LOGS.c.patient_id, SESSION_LOGS.c.session_date)
        .select_from(SESSION_LOGS.join(PATIENTS, PATIENTS.c.id == SESSION_LOGS.c.patient_id))
        .where(*where)
    )
    by_patient: dict[UUID, list[tuple[UUID, dt.datetime, AssessmentResult]]] = defaultdict(list)
    days: dict[UUID, set[dt.date]] = defaultdict(set)
    with engine.connect() as connection:
        for row in connection.execute(assessments):
            by_patient[row.patient_id].append((row.clinic_id, row.created_at, result_from_json(row.result)))
        for log in connection.execute(logs):
            days[log.patient_id].add(log.session_date)
    return [_outcome(history, days[patient], kb, today) for patient, history in by_patient.items()]


def _outcome(
    history: list[tuple[UUID, dt.datetime, AssessmentResult]],
    active: Iterable[dt.date],
    kb: KnowledgeBase,
    today: dt.date,
) -> PatientOutcome:
    settings = kb.progression.reassessment
    clinic_id, first_at, first = history[0]
    start = first_at.date()
    active_days = {day for day in active if day >= start}
    last_day = max([history[-1][1].date(), *active_days])
    weeks = _plan_weeks(first)
    end = min(today, start + dt.timedelta(weeks=weeks)) if weeks else today
    programme_days = (end - start).days + 1
    baseline: dict[str, float] = {}
    latest: dict[str, float] = {}
    status: dict[str, str] = {}
    change: dict[str, float] = {}
    for measure, spec in settings.measures.items():
        values = [
            (at, value)
            for _, at, result in history
            if (value := result.score(spec.questionnaire, spec.output)) is not None
        ]
        if not values:
            continue
        baseline[measure] = values[0][1]
        if len(values) > 1:
            latest[measure] = values[-1][1]
            found = measure_change(spec, values[0][1], values[-1][1], settings.responder_source)
            status[measure] = str(found.status)
            change[measure] = found.improvement
    return PatientOutcome(
        clinic_id=clinic_id,
        mechanism=_mechanism(first),
        weeks_followed=round((last_day - start).days / 7, 1),
        active_days=len(active_days),
        adherence_percent=None if programme_days < 1 else round(100 * len(active_days) / programme_days, 1),
        baseline=baseline,
        latest=latest,
        status=status,
        change=change,
    )
