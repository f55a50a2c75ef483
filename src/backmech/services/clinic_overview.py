"""What a clinician sees at a glance: each patient's triage, plan, adherence and trend, and one record.

The list is built from stored records only, with no clinical numbers of its own:
adherence is shown as raw counts (sessions logged in the last
:data:`ADHERENCE_WINDOW_DAYS` days against the days the daily routine was planned
for), trends as first → latest values. :func:`summarise` is pure so it can be
tested without storage; :func:`clinic_overview` and :func:`patient_record` read
storage for an authorised staff member of the patient's own clinic (every read is
audited by the storage adapter).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.progression.alerts import Alert
from backmech.domain.results.model import AssessmentResult
from backmech.services.accounts import require_staff
from backmech.services.care_plan import current_from
from backmech.services.course import Course, course_so_far
from backmech.services.ports import (
    Assessment,
    AuditEvent,
    MovementAnalysis,
    Patient,
    PlanEdit,
    SessionLog,
    UnitOfWork,
    UnitOfWorkFactory,
    User,
)
from backmech.services.records import authorise_patient_access

ADHERENCE_WINDOW_DAYS = 14
"""The look-back of the adherence counts (a product choice, not a clinical threshold)."""
INACTIVE_AFTER_DAYS = 3
"""Days without any activity after which a patient is flagged for a check-in (a product choice)."""
TRIAGE_RANK = {"emergency": 0, "urgent": 1, "soon": 2, "none": 3}
"""Most urgent first; a patient never assessed sorts after these."""

Show = Literal["all", "red_flags", "inactive", "alerts"]

STAFF_ONLY = "Only clinic staff may see the clinic's patients."


@dataclass(frozen=True, slots=True)
class Trend:
    """A first and a latest value of one measure (lower is better for pain and disability)."""

    first: float
    latest: float
    count: int
    """How many values there were (1: nothing to compare yet)."""

    @property
    def change(self) -> float:
        return round(self.latest - self.first, 1)

    @property
    def direction(self) -> Literal["down", "up", "same"]:
        if self.change < 0:
            return "down"
        return "up" if self.change > 0 else "same"

    @property
    def arrow(self) -> str:
        return {"down": "↓", "up": "↑", "same": "→"}[self.direction]


@dataclass(frozen=True, slots=True)
class PatientSummary:
    patient: Patient
    triage_level: str | None
    """The latest assessment's triage level; ``None`` before any assessment."""
    plan_status: str | None
    main_mechanism: str | None
    assessments: int
    sessions_logged: int
    """Sessions logged in the adherence window."""
    sessions_planned: int
    """Days of the window the daily routine was planned for (0 without a plan)."""
    nprs: Trend | None
    odi: Trend | None
    session_pain: Trend | None
    """Pain before a session (0-10, as logged), first and latest session."""
    last_activity: dt.date | None
    inactive: bool
    course: Course | None = None
    """The plan's course replayed up to today (alerts, week, phase); None without a plan."""

    @property
    def alerts(self) -> tuple[Alert, ...]:
        return self.course.open_alerts if self.course is not None else ()

    @property
    def red_flag(self) -> bool:
        return self.triage_level is not None and self.triage_level != "none"

    @property
    def sort_key(self) -> tuple[int, int, str, str]:
        rank = TRIAGE_RANK.get(self.triage_level or "", len(TRIAGE_RANK))
        return (rank, 0 if self.inactive else 1, self.patient.display_name.lower(), str(self.patient.id))


def _trend(values: Sequence[float | None]) -> Trend | None:
    known = [v for v in values if v is not None]
    if not known:
        return None
    return Trend(first=known[0], latest=known[-1], count=len(known))


def main_mechanism(result: AssessmentResult) -> str | None:
    """The name of the dominant mechanism (or the top-ranked one), ``None`` if none was reported."""
    found = result.main_mechanism()
    if found is not None:
        return found.name or found.id
    return result.classification.dominant or None


def _planned_days(assessments: Sequence[Assessment], today: dt.date, window_start: dt.date) -> int:
    """Days of the window the patient has had a plan with a daily routine (planned daily).

    The plan counts from the first of the latest unbroken run of assessments with a
    plan (a re-assessment replaces the plan, it does not restart the count); a latest
    assessment without a plan (a red-flag stop) means nothing is planned.
    """
    start: dt.date | None = None
    for assessment in reversed(assessments):
        if assessment.result.plan is None:
            break
        start = assessment.created_at.date()
    if start is None:
        return 0
    plan = assessments[-1].result.plan
    if plan is None or not plan.daily_routine:
        return 0
    return max(0, (today - max(window_start, start)).days + 1)


def summarise(
    patient: Patient,
    assessments: Sequence[Assessment],
    logs: Sequence[SessionLog],
    today: dt.date,
    *,
    other_activity: Sequence[dt.date] = (),
    course: Course | None = None,
) -> PatientSummary:
    """One patient's line of the clinic list (assessments and logs oldest first)."""
    latest = assessments[-1] if assessments else None
    window_start = today - dt.timedelta(days=ADHERENCE_WINDOW_DAYS - 1)
    ordered_logs = sorted(logs, key=lambda log: (log.session_date, log.created_at))
    activity = [
        *(a.created_at.date() for a in assessments),
        *(log.session_date for log in logs),
        *(log.created_at.date() for log in logs),
        *other_activity,
    ]
    last = max(activity) if activity else None
    since = last if last is not None else patient.created_at.date()
    return PatientSummary(
        patient=patient,
        triage_level=latest.triage_level if latest else None,
        plan_status=latest.plan_status if latest else None,
        main_mechanism=main_mechanism(latest.result) if latest else None,
        assessments=len(assessments),
        sessions_logged=sum(1 for log in logs if window_start <= log.session_date <= today),
        sessions_planned=_planned_days(assessments, today, window_start),
        nprs=_trend([a.result.score("nprs", "current") for a in assessments]),
        odi=_trend([a.result.score("odi", "percent") for a in assessments]),
        session_pain=_trend([float(log.pain_before) for log in ordered_logs]),
        last_activity=last,
        inactive=(today - since).days >= INACTIVE_AFTER_DAYS,
        course=course,
    )


def clinic_overview(
    uow_factory: UnitOfWorkFactory,
    actor: User,
    clinic_id: UUID,
    today: dt.date,
    *,
    query: str = "",
    show: Show = "all",
    kb: KnowledgeBase | None = None,
) -> list[PatientSummary]:
    """The clinic's patients whose name contains ``query``, red flags first, then who went quiet.

    Only the patients shown are read in full, so a search reads (and audits) less.
    """
    needle = query.strip().lower()
    with uow_factory(actor=actor.id) as uow:
        require_staff(uow, actor, clinic_id, "listing the clinic's patients", STAFF_ONLY)
        summaries = []
        for patient in uow.patients.for_clinic(clinic_id):
            if needle and needle not in patient.display_name.lower():
                continue
            assessments, edits = uow.assessments.with_plan_edits(clinic_id, patient.id)
            logs = uow.session_logs.for_patient(clinic_id, patient.id)
            course = (
                None
                if kb is None
                else course_so_far(
                    kb,
                    assessments,
                    current_from(assessments, edits),
                    logs,
                    today,
                    check_ins=uow.check_ins.for_patient(clinic_id, patient.id),
                )
            )
            summaries.append(summarise(patient, assessments, logs, today, course=course))
        uow.commit()  # keep the audit events of the reads
    if show == "red_flags":
        summaries = [s for s in summaries if s.red_flag]
    elif show == "inactive":
        summaries = [s for s in summaries if s.inactive]
    elif show == "alerts":
        summaries = [s for s in summaries if s.alerts or s.red_flag]
    return sorted(summaries, key=lambda s: s.sort_key)


@dataclass(frozen=True)
class PatientRecord:
    """Everything the patient page shows, read in one transaction."""

    patient: Patient
    assessments: Sequence[Assessment]
    logs: Sequence[SessionLog]
    edits: Sequence[PlanEdit]
    analyses: Sequence[MovementAnalysis] | None
    """``None`` when this installation's storage cannot list a patient's analyses."""
    audit: Sequence[AuditEvent]
    people: Mapping[UUID, str]
    """User id → email, for the editors and actors named in the record."""


def _analyses(uow: UnitOfWork, clinic_id: UUID, patient_id: UUID) -> Sequence[MovementAnalysis] | None:
    lister = getattr(uow.movement_analyses, "for_patient", None)
    if lister is None:
        return None
    found: Sequence[MovementAnalysis] = lister(clinic_id, patient_id)
    return found


def patient_record(
    uow_factory: UnitOfWorkFactory, actor: User, clinic_id: UUID, patient_id: UUID
) -> PatientRecord:
    """One patient's whole record for a staff member of their clinic (else not found / refused)."""
    action = "reading this patient's record"
    with uow_factory(actor=actor.id) as uow:
        require_staff(uow, actor, clinic_id, action, STAFF_ONLY)
        authorise_patient_access(uow, actor, patient_id, clinic_id, action)
        patient = uow.patients.get(clinic_id, patient_id)
        assert patient is not None  # authorise_patient_access checked it exists in this clinic
        assessments = uow.assessments.for_patient(clinic_id, patient_id)
        logs = uow.session_logs.for_patient(clinic_id, patient_id)
        edits = uow.plan_edits.for_patient(clinic_id, patient_id)
        analyses = _analyses(uow, clinic_id, patient_id)
        uow.commit()  # the reads above are audited; the trail shown includes them
        audit = uow.audit.for_patient(clinic_id, patient_id)
        ids = {e.editor_id for e in edits} | {e.actor_id for e in audit}
        people = {}
        for user_id in ids:
            if user_id is None:
                continue
            user = uow.users.get(user_id)
            if user is not None and user.clinic_id == clinic_id:
                people[user_id] = user.email
    return PatientRecord(
        patient=patient,
        assessments=assessments,
        logs=logs,
        edits=edits,
        analyses=analyses,
        audit=audit,
        people=people,
    )
