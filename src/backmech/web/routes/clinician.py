"""Clinic pages: the patient list and one patient's whole record (staff of the patient's clinic only).

Every read is scoped by the viewer's own clinic id, so a patient of another clinic
is "not found" (404), never "forbidden": ids cannot be probed across clinics. The
plan editor and invitations live in ``clinician_plan`` and ``clinician_invite``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from backmech.reports.mechanisms import mechanism_views
from backmech.services.care_plan import current_plan
from backmech.services.check_ins import patient_check_ins
from backmech.services.clinic_overview import Show, clinic_overview, patient_record
from backmech.services.course import course_so_far
from backmech.services.plan_text import CARE_LABELS
from backmech.services.reminders import describe as describe_reminders
from backmech.services.reminders import preference_of, read_reminders
from backmech.web.routes import clinician_invite, clinician_plan
from backmech.web.routes.clinician_views import (
    edit_history,
    parse_patient_id,
    questionnaire_views,
    red_flag_answers,
)
from backmech.web.security import app_state, require_staff
from backmech.web.templating import render

router = APIRouter()
router.include_router(clinician_plan.router)
router.include_router(clinician_invite.router)

SHOW_OPTIONS: dict[str, Show] = {
    "all": "all",
    "red_flags": "red_flags",
    "inactive": "inactive",
    "alerts": "alerts",
}


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@router.get("/clinic", include_in_schema=False)
def patient_list(request: Request, q: str = "", show: str = "all") -> Response:
    viewer = require_staff(request)
    state = app_state(request)
    chosen = SHOW_OPTIONS.get(show, "all")
    summaries = clinic_overview(
        state.uow_factory,
        viewer.user,
        viewer.user.clinic_id,
        today(),
        query=q[:200],
        show=chosen,
        kb=state.knowledge,
    )
    return render(
        request,
        "clinic/index.html",
        {"summaries": summaries, "q": q[:200], "show": chosen, "today": today()},
    )


@router.get("/clinic/patients/{patient_id}", include_in_schema=False)
def patient_page(request: Request, patient_id: str) -> Response:
    viewer = require_staff(request)
    state = app_state(request)
    pid = parse_patient_id(patient_id)
    clinic_id = viewer.user.clinic_id
    record = patient_record(state.uow_factory, viewer.user, clinic_id, pid)
    plan = current_plan(state.uow_factory, viewer.user, pid, clinic_id)
    latest = record.assessments[-1] if record.assessments else None
    intake: dict[str, Any] = dict(latest.intake) if latest else {}
    result = latest.result if latest else None
    kb = state.knowledge
    reminders = read_reminders(state.uow_factory, viewer.user, record.patient)
    return render(
        request,
        "clinic/patient.html",
        {
            "record": record,
            "patient": record.patient,
            "latest": latest,
            "intake": intake,
            "result": result,
            "red_flags": red_flag_answers(kb, intake) if latest else [],
            "questionnaires": questionnaire_views(kb, intake, result) if latest else [],
            "evidence": mechanism_views(result, kb.vocabulary, contributing=True),
            "plan": plan,
            "edits": edit_history(record.edits, plan),
            "care_labels": CARE_LABELS,
            "people": record.people,
            "course": course_so_far(
                kb,
                record.assessments,
                plan,
                record.logs,
                today(),
                reminders=preference_of(reminders),
                check_ins=patient_check_ins(state.uow_factory, viewer.user, record.patient),
            ),
            "reminders": describe_reminders(reminders) if reminders is not None else "",
            "exercise_names": {slug: exercise.name for slug, exercise in kb.exercises.items()},
        },
    )
