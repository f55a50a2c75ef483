"""Check-ins between assessments: the safety questions again, a flare-up, walking, new leg symptoms.

Why the safety questions come first and are handled apart: a yes to any of them must
stop the programme and refer at once, everywhere, for the person and the clinician.
The app already does exactly that for a positive screen, so a yes here re-runs the
engine on the person's latest intake with that answer changed and stores the result
as a new assessment: its triage withholds the plan (Today, the plan, the player),
sorts the patient first in the clinic list and ends the course. Nothing else of the
check-in is stored then; the referral is what matters.

Which questions: those the knowledge base's emergency-level red-flag rules read
(cauda equina and cord compression signs). They are the signs that can appear during
a course and need action the same day; the rest of the screen (history, age, cancer)
does not change week to week and was asked at the assessment.

Example::

    answers, problems = parse_check_in(form, kb, today)
    outcome = record_check_in(uow_factory, service, viewer.user, patient, answers)
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.safety.model import ScreenQuestion
from backmech.domain.types import TriageLevel
from backmech.services.assessment import AssessmentService
from backmech.services.ports import Assessment, CheckIn, Patient, UnitOfWorkFactory, User
from backmech.services.records import authorise_patient_access, save_assessment

MAX_WALKING_MINUTES = 600
"""A day has 1,440 minutes; more than 10 hours of walking is a typing slip (a usability limit)."""
MAX_NOTES = 2000
YES, NO = "yes", "no"


def safety_questions(kb: KnowledgeBase) -> list[ScreenQuestion]:
    """The screen's questions that an emergency-level rule reads, in the screen's order."""
    read = {
        fact.removeprefix("red_flag.")
        for rule in kb.safety.rules
        if rule.level == TriageLevel.EMERGENCY
        for fact in rule.when.fact_ids()
        if fact.startswith("red_flag.")
    }
    return [question for question in kb.safety.questions if question.id in read]


@dataclass(frozen=True, slots=True)
class CheckInAnswers:
    """A validated check-in."""

    check_date: dt.date
    positive: tuple[str, ...]
    """Safety questions answered yes (ids)."""
    flare: bool
    leg_symptoms: bool
    walking_minutes: int | None
    notes: str


def parse_check_in(
    form: Mapping[str, str], kb: KnowledgeBase, today: dt.date
) -> tuple[CheckInAnswers | None, list[str]]:
    """Check a submitted check-in; every problem at once. Every safety question needs an answer."""
    problems: list[str] = []
    positive: list[str] = []
    for question in safety_questions(kb):
        answer = (form.get(f"safety_{question.id}") or "").strip()
        if answer not in (YES, NO):
            problems.append(f"Safety question “{question.text}”: answer yes or no.")
        elif answer == YES:
            positive.append(question.id)
    choices: dict[str, bool] = {}
    for name, what in (("flare", "Flare-up"), ("leg_symptoms", "Leg symptoms")):
        answer = (form.get(name) or "").strip()
        if answer not in (YES, NO):
            problems.append(f"{what}: answer yes or no.")
        choices[name] = answer == YES
    walking: int | None = None
    text = (form.get("walking_minutes") or "").strip()
    if text:
        try:
            walking = int(text)
        except ValueError:
            problems.append(f"Walking: '{text[:20]}' is not a whole number of minutes.")
        else:
            if not 0 <= walking <= MAX_WALKING_MINUTES:
                problems.append(f"Walking: give the minutes walked today, 0 to {MAX_WALKING_MINUTES}.")
    notes = (form.get("notes") or "").strip()
    if len(notes) > MAX_NOTES:
        problems.append(f"Notes: please keep notes to {MAX_NOTES} characters (you wrote {len(notes)}).")
    if problems:
        return None, problems
    return (
        CheckInAnswers(
            check_date=today,
            positive=tuple(positive),
            flare=choices["flare"],
            leg_symptoms=choices["leg_symptoms"],
            walking_minutes=walking,
            notes=notes,
        ),
        [],
    )


@dataclass(frozen=True, slots=True)
class CheckInOutcome:
    check_in: CheckIn | None
    """The stored check-in; ``None`` when a safety answer stopped the programme."""
    stopped_by: Assessment | None
    """The new assessment whose triage stopped the programme, if a safety answer was yes."""


def _latest_intake(assessments: Sequence[Assessment]) -> dict[str, Any] | None:
    for assessment in reversed(assessments):
        if isinstance(assessment.intake, Mapping) and assessment.intake:
            return copy.deepcopy(dict(assessment.intake))
    return None


def record_check_in(
    uow_factory: UnitOfWorkFactory,
    service: AssessmentService,
    actor: User,
    patient: Patient,
    answers: CheckInAnswers,
) -> CheckInOutcome:
    """Store the check-in, or, on a yes to a safety question, the assessment that stops the programme."""
    if answers.positive:
        with uow_factory(actor=actor.id) as uow:
            authorise_patient_access(uow, actor, patient.id, patient.clinic_id, "checking in")
            history = list(uow.assessments.for_patient(patient.clinic_id, patient.id))
            uow.commit()
        intake = _latest_intake(history) or {"schema_version": "1.0"}
        flags = dict(intake.get("red_flags") or {})
        flags.update(dict.fromkeys(answers.positive, True))
        intake["red_flags"] = flags
        intake["assessed_on"] = answers.check_date.isoformat()
        result = service.assess(intake)
        stored = save_assessment(uow_factory, actor, patient.id, patient.clinic_id, result, intake)
        return CheckInOutcome(check_in=None, stopped_by=stored)
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient.id, patient.clinic_id, "checking in")
        saved = uow.check_ins.save(
            patient.clinic_id,
            CheckIn(
                patient_id=patient.id,
                check_date=answers.check_date,
                flare=answers.flare,
                leg_symptoms=answers.leg_symptoms,
                walking_minutes=answers.walking_minutes,
                notes=answers.notes,
            ),
        )
        uow.commit()
    return CheckInOutcome(check_in=saved, stopped_by=None)


def patient_check_ins(uow_factory: UnitOfWorkFactory, actor: User, patient: Patient) -> Sequence[CheckIn]:
    """The patient's check-ins, oldest first."""
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient.id, patient.clinic_id, "reading the check-ins")
        found = uow.check_ins.for_patient(patient.clinic_id, patient.id)
        uow.commit()
    return found
