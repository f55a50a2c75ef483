"""What both reports read first from a patient record: the latest result, the plan now, the period.

Why one place: the patient report and the clinician letter must agree on the same
rule the web pages follow. The *latest* assessment decides: if its triage stopped
the programme, there is no plan to show (only the referral), even if an older
assessment had one. Otherwise the plan is the latest plan with the clinician's edits
replayed, by the same function the web pages use (``services.care_plan``), and the week and
phase are the course replay's (``services.course``), as on every page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.plans.model import Plan
from backmech.domain.results.model import AssessmentResult
from backmech.domain.safety.screening import TriageResult
from backmech.domain.types import TriageLevel
from backmech.services.care_plan import (
    CurrentPlan,
    current_from,  # the one rule the web uses
)
from backmech.services.course import Course, PlanPosition, course_so_far
from backmech.services.patient_record import PatientRecord
from backmech.services.ports import Assessment, PlanEdit, SessionLog
from backmech.services.reminders import preference_of


@dataclass(frozen=True)
class ReportBasis:
    """A patient record as the reports need it, with ``today`` fixed (no clock inside a report)."""

    record: PatientRecord
    kb: KnowledgeBase
    today: dt.date
    current: CurrentPlan | None
    course: Course | None = None
    """The course replayed up to ``today``: the one source of the week and phase shown."""

    @property
    def latest(self) -> Assessment | None:
        return self.record.latest

    @property
    def result(self) -> AssessmentResult | None:
        """The latest stored result (None before any assessment)."""
        return self.latest.result if self.latest is not None else None

    @property
    def triage(self) -> TriageResult | None:
        return self.result.triage if self.result is not None else None

    @property
    def blocked(self) -> str:
        """``""`` when a plan may be followed; else the latest assessment's plan status."""
        if self.latest is None or self.latest.result.plan is not None:
            return ""
        return self.latest.plan_status or "withheld"

    @property
    def referral(self) -> bool:
        """The latest triage stopped the programme: the report shows the referral instead of a plan."""
        return bool(self.blocked) and self.triage is not None and self.triage.level is not TriageLevel.NONE

    @property
    def plan(self) -> Plan | None:
        return None if self.blocked or self.current is None else self.current.plan

    @property
    def plan_start(self) -> dt.date | None:
        """The day the plan being followed was made (its assessment's date)."""
        return self.current.assessment.created_at.date() if self.current is not None else None

    @property
    def programme_start(self) -> dt.date | None:
        """The first day of the course the person is in (the replay's start).

        A re-assessment replaces the plan but continues the course, so adherence, the
        calendar and the week of the plan all count from here.
        """
        return self.course.plan.start if self.course is not None and self.plan is not None else None

    @property
    def position(self) -> PlanPosition | None:
        """Week and phase, as the course replay has them (the same as every page shows)."""
        plan, course = self.plan, self.course
        return course.position(plan) if plan is not None and course is not None else None

    @property
    def logs(self) -> list[SessionLog]:
        """Session logs up to ``today``, oldest first."""
        return sorted(
            (log for log in self.record.session_logs if log.session_date <= self.today),
            key=lambda log: (log.session_date, log.created_at),
        )

    @property
    def edits(self) -> Sequence[PlanEdit]:
        """Every plan edit in the record, oldest first (the letter shows the whole history)."""
        return sorted(self.record.plan_edits, key=lambda e: e.at)

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        """First recorded day (assessment, log or edit) to ``today``: the range a report covers."""
        days = [
            *(a.created_at.date() for a in self.record.assessments),
            *(log.session_date for log in self.record.session_logs),
            *(e.at.date() for e in self.record.plan_edits),
        ]
        start = min(days) if days else self.today
        return min(start, self.today), self.today

    def citation(self, source_id: str) -> str:
        """A source id as its citation (the id itself when the knowledge base does not know it)."""
        source = self.kb.sources.get(source_id)
        return source.citation if source is not None else source_id


def report_basis(record: PatientRecord, kb: KnowledgeBase, today: dt.date) -> ReportBasis:
    """The record read once for a report: the current plan with the clinician's edits, and its course."""
    assessments = list(record.assessments)
    current = current_from(assessments, record.plan_edits)
    logs = [log for log in record.session_logs if log.session_date <= today]
    course = course_so_far(
        kb,
        assessments,
        current,
        logs,
        today,
        reminders=preference_of(record.reminders),
        check_ins=record.check_ins,
    )
    return ReportBasis(record=record, kb=kb, today=today, current=current, course=course)
