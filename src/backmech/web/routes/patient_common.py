"""What every daily page needs about the signed-in patient: their assessments, plan and exercises.

Why one loader: Today, Plan, the player and Progress must agree on one rule. The
*latest* assessment decides: if its triage stopped the programme (or the safety
screen was incomplete) no exercises are shown anywhere, even if an older
assessment had a plan. Otherwise the plan is ``services.care_plan.current_plan``,
which replays the clinician's edits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import Request

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.plans.edits import AddExercise, ChangeDose, SwapExercise
from backmech.domain.plans.model import Plan, PlannedExercise
from backmech.domain.safety.screening import TriageResult
from backmech.services.care_plan import CurrentPlan, assessments_and_plan
from backmech.services.check_ins import patient_check_ins
from backmech.services.course import Course, PlanPosition, course_so_far
from backmech.services.daily_log import patient_logs
from backmech.services.ports import Assessment, CheckIn, Patient, ReminderSettings, SessionLog
from backmech.services.reminders import preference_of, read_reminders
from backmech.web.illustrations import exercise_svg
from backmech.web.security import Viewer, app_state, require_patient


@dataclass(frozen=True)
class PatientView:
    viewer: Viewer
    patient: Patient
    assessments: Sequence[Assessment]
    current: CurrentPlan | None

    @property
    def latest(self) -> Assessment | None:
        return self.assessments[-1] if self.assessments else None

    @property
    def blocked(self) -> str:
        """``""`` when a plan may be followed; else the latest assessment's plan status."""
        latest = self.latest
        if latest is None or latest.result.plan is not None:
            return ""
        return latest.plan_status or "withheld"

    @property
    def plan(self) -> Plan | None:
        if self.blocked or self.current is None:
            return None
        return self.current.plan

    @property
    def triage(self) -> TriageResult | None:
        latest = self.latest
        return latest.result.triage if latest is not None else None

    @property
    def assessed_on(self) -> dt.date | None:
        return self.current.assessment.created_at.date() if self.current is not None else None


def load_patient_view(request: Request) -> PatientView:
    """The signed-in patient's own record (403 for staff, via ``require_patient``)."""
    viewer, patient = require_patient(request)
    uow_factory = app_state(request).uow_factory
    assessments, current = assessments_and_plan(uow_factory, viewer.user, patient.id, patient.clinic_id)
    return PatientView(viewer=viewer, patient=patient, assessments=assessments, current=current)


@dataclass(frozen=True)
class PatientCourse:
    """The signed-in patient's course up to today, with the records it was replayed from."""

    course: Course | None
    logs: Sequence[SessionLog]
    check_ins: Sequence[CheckIn]
    reminders: ReminderSettings | None

    def position(self, plan: Plan) -> PlanPosition | None:
        """Week and phase from the course replay: what every page and document shows."""
        return self.course.position(plan) if self.course is not None else None


def load_course(request: Request, view: PatientView, today: dt.date) -> PatientCourse:
    """The course replayed from the patient's logs, check-ins and reminder choice (``services.course``)."""
    state = app_state(request)
    logs = patient_logs(state.uow_factory, view.viewer.user, view.patient)
    check_ins = patient_check_ins(state.uow_factory, view.viewer.user, view.patient)
    reminders = read_reminders(state.uow_factory, view.viewer.user, view.patient)
    course = course_so_far(
        state.knowledge,
        view.assessments,
        view.current,
        logs,
        today,
        reminders=preference_of(reminders),
        check_ins=check_ins,
    )
    return PatientCourse(course=course, logs=logs, check_ins=check_ins, reminders=reminders)


def edited_slugs(current: CurrentPlan | None) -> set[str]:
    """Exercises a clinician added, swapped in or re-dosed (to mark them 'changed by your clinician')."""
    slugs: set[str] = set()
    for edit in current.edits if current is not None else []:
        change = edit.change
        if isinstance(change, AddExercise | SwapExercise):
            slugs.add(change.item.slug)
        elif isinstance(change, ChangeDose):
            slugs.add(change.slug)
    return slugs


def exercise_steps(kb: KnowledgeBase, items: Sequence[PlannedExercise]) -> list[dict[str, object]]:
    """Plan items joined with the knowledge base's instructions, ready for the player's script.

    An item a clinician added that the library does not know still gets a step,
    with its name and dose only.
    """
    steps: list[dict[str, object]] = []
    for item in items:
        known = kb.exercises.get(item.slug)
        dose = item.dose
        category = item.category or (str(known.category) if known else "")
        position = known.position if known else ""
        name = item.name or (known.name if known else item.slug)
        pyramid = [n for n in dose.pyramid if n]
        steps.append(
            {
                "slug": item.slug,
                "name": name,
                "category": category,
                "dose_text": dose.text,
                "hold_seconds": dose.hold_seconds or None,
                "reps": dose.reps or (pyramid[0] if pyramid else None),
                "sets": dose.sets or (len(pyramid) or None),
                "pyramid": pyramid,
                "per_side": dose.per_side,
                "rest_seconds": dose.rest_seconds or None,
                "breathing_seconds": int(dose.minutes * 60)
                if dose.minutes and category == "breathing"
                else None,
                "minutes": item.minutes,
                "reason": item.reason,
                "purpose": known.purpose if known else "",
                "position": position,
                "equipment": list(known.equipment) if known else [],
                "instructions": list(known.instructions) if known else [],
                "cues": list(known.cues) if known else [],
                "stop_if": list(known.stop_if) if known else [],
                "illustration": exercise_svg(item.slug, name, position, category),
                "by_clinician": dose.source == "clinician",
            }
        )
    return steps


def citation(kb: KnowledgeBase, source_id: str) -> str:
    """A source id as its citation (the id itself if unknown, e.g. 'clinician')."""
    source = kb.sources.get(source_id)
    return source.citation if source is not None else source_id
