"""The patient's intake wizard: safety questions first, one small screen at a time, saved as you go.

Every route acts on the signed-in patient's own record only (``require_patient``;
no patient id is ever taken from the URL or the form). Each answered screen is
stored in the patient's intake draft before the next is shown, so leaving and
coming back resumes at the first open screen with everything kept. After every
screen the engine's safety triage runs on the answers so far: an emergency or
urgent level ends the wizard on the referral page, with the stopped assessment
saved for the clinic to see.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData as StarletteForm

from backmech.domain.results.model import MovementReport
from backmech.services.analysis_jobs import with_movement_findings
from backmech.services.intake_forms import (
    FormData,
    StepAnswers,
    apply_step,
    check_with_engine,
    intake_document,
    read_step,
    shown_values,
)
from backmech.services.intake_model import Step, Wizard
from backmech.services.intake_text import DURATION_UNITS
from backmech.services.ports import Patient, utc_now
from backmech.services.reassessment_draft import (
    carried_from,
    is_reassessment,
    reassessment_draft,
    screens_to_ask,
)
from backmech.services.records import patient_assessments, save_assessment
from backmech.web.routes.intake_common import delete_draft, load_draft, save_draft, wizard_for
from backmech.web.routes.intake_result import review_groups
from backmech.web.routes.intake_result import router as result_router
from backmech.web.security import Viewer, app_state, require_patient
from backmech.web.state import AppState
from backmech.web.templating import render

router = APIRouter()
router.include_router(result_router)  # first: /me/intake/referral before /me/intake/{step_id}


def _go(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _step_url(step: Step) -> str:
    return f"/me/intake/{step.id}"


def _render_step(
    request: Request,
    wizard: Wizard,
    data: Mapping[str, Any],
    step: Step,
    shown: Mapping[str, list[str]],
    problems: Mapping[str, str] | None = None,
    *,
    return_to: str = "",
    status_code: int = 200,
) -> Response:
    shown_steps = screens_to_ask(wizard, data)
    at = shown_steps.index(step) if step in shown_steps else 0
    position = at + 1
    back = shown_steps[at - 1] if step in shown_steps and at > 0 else None
    context = {
        "step": step,
        "shown": shown,
        "errors": dict(problems or {}),
        "problems": list((problems or {}).values()),
        "position": position,
        "total": len(shown_steps),
        "back_url": _step_url(back) if back is not None else "",
        "return_to": return_to if return_to == "review" else "",
        "units": DURATION_UNITS,
        "last": step.id == "review",
        "carried_from": carried_from(data) if is_reassessment(data) else "",
    }
    if step.id == "review":
        context["groups"] = review_groups(wizard, data)
        return render(request, "intake/review.html", context, status_code=status_code)
    return render(request, "intake/step.html", context, status_code=status_code)


@router.get("/me/intake", include_in_schema=False)
def intake_start(request: Request) -> Response:
    viewer, patient = require_patient(request)
    state = app_state(request)
    wizard = wizard_for(state.assessment)
    data = load_draft(state, viewer, patient)
    if data is not None:
        return _go(_step_url(wizard.first_open(data)))
    history = patient_assessments(state.uow_factory, viewer.user, patient.id, patient.clinic_id)
    latest = history[-1] if history else None
    return render(
        request,
        "intake/start.html",
        {"first": wizard.steps[0], "latest": latest, "steps": len(wizard.applicable({}))},
    )


@router.get("/me/reassess", include_in_schema=False)
def reassess_start(request: Request) -> Response:
    """The short reassessment: what it asks, from which assessment the rest is carried over."""
    viewer, patient = require_patient(request)
    state = app_state(request)
    history = patient_assessments(state.uow_factory, viewer.user, patient.id, patient.clinic_id)
    if not history:
        return _go("/me/intake")
    draft = load_draft(state, viewer, patient)
    kb = state.assessment.kb
    names = [
        kb.questionnaires[q].name
        for q in kb.progression.reassessment.questionnaires
        if q in kb.questionnaires
    ]
    return render(
        request,
        "intake/reassess.html",
        {"latest": history[-1], "draft": draft is not None, "questionnaires": names},
    )


@router.post("/me/reassess", include_in_schema=False)
def reassess_begin(request: Request) -> Response:
    """Start the reassessment draft from the latest assessment; an unfinished draft is resumed, never lost."""
    viewer, patient = require_patient(request)
    state = app_state(request)
    wizard = wizard_for(state.assessment)
    draft = load_draft(state, viewer, patient)
    if draft is None:
        history = patient_assessments(state.uow_factory, viewer.user, patient.id, patient.clinic_id)
        if not history:
            return _go("/me/intake")
        latest = history[-1]
        draft = reassessment_draft(
            wizard,
            latest.intake,
            state.assessment.kb.progression.reassessment.questionnaires,
            latest.created_at.date(),
            utc_now().date(),
        )
        save_draft(state, viewer, patient, draft)
    return _go(_step_url(wizard.first_open(draft)))


@router.get("/me/intake/{step_id}", include_in_schema=False)
def intake_step(request: Request, step_id: str, return_to: str = "") -> Response:
    viewer, patient = require_patient(request)
    state = app_state(request)
    wizard = wizard_for(state.assessment)
    step = wizard.step(step_id)
    if step is None:
        return _unknown_step(request)
    data = load_draft(state, viewer, patient) or {}
    if not wizard.reachable(data, step):
        return _go(_step_url(wizard.first_open(data)))
    return _render_step(request, wizard, data, step, shown_values(data, step), return_to=return_to)


def _unknown_step(request: Request) -> Response:
    from backmech.web.errors import error_response

    return error_response(
        request,
        404,
        "There is no such question page.",
        "Go to the start of the questionnaire; your saved answers are kept.",
    )


def _form_lists(form: StarletteForm) -> FormData:
    lists: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        lists.setdefault(key, []).append(value if isinstance(value, str) else "")
    return lists


@router.post("/me/intake/{step_id}", include_in_schema=False)
async def intake_submit(request: Request, step_id: str) -> Response:
    form = _form_lists(await request.form())
    return await run_in_threadpool(_submit, request, step_id, form)


def _submit(request: Request, step_id: str, form: FormData) -> Response:
    viewer, patient = require_patient(request)
    state = app_state(request)
    wizard = wizard_for(state.assessment)
    step = wizard.step(step_id)
    if step is None:
        return _unknown_step(request)
    answers = read_step(step, form)  # a field not on this screen: 400, nothing saved
    draft = load_draft(state, viewer, patient)
    if step.id == "review":
        return _finish(request, state, wizard, viewer, patient, draft)
    data = draft or {}
    if not wizard.reachable(data, step):
        return _go(_step_url(wizard.first_open(data)))
    return_to = (form.get("return_to") or [""])[-1]
    if answers.ok:
        check_with_engine(state.assessment, step, answers)
    if not answers.ok:
        return _invalid(request, wizard, data, step, answers, return_to)
    data = apply_step(data, step, answers.values)
    save_draft(state, viewer, patient, data)
    stopped = _stop_if_flagged(state, wizard, viewer, patient, data)
    if stopped is not None:
        return stopped
    following = wizard.first_open(data)
    if return_to == "review" or is_reassessment(data):  # a reassessment skips the carried-over screens
        return _go(_step_url(following))
    _, after = wizard.neighbours(data, step)
    return _go(_step_url(after if after is not None else following))


def _invalid(
    request: Request,
    wizard: Wizard,
    data: Mapping[str, Any],
    step: Step,
    answers: StepAnswers,
    return_to: str,
) -> Response:
    return _render_step(
        request, wizard, data, step, answers.raw, answers.problems, return_to=return_to, status_code=422
    )


def _stop_if_flagged(
    state: AppState, wizard: Wizard, viewer: Viewer, patient: Patient, data: Mapping[str, Any]
) -> Response | None:
    """Run the engine on the answers so far; on an emergency or urgent level, end on the referral page."""
    intake = intake_document(wizard, data, str(patient.id), utc_now().date())
    result = state.assessment.assess(intake)
    if not result.triage.stops_programme:
        return None
    save_assessment(state.uow_factory, viewer.user, patient.id, patient.clinic_id, result, intake)
    delete_draft(state, viewer, patient)
    return _go("/me/intake/referral")


def _finish(
    request: Request,
    state: AppState,
    wizard: Wizard,
    viewer: Viewer,
    patient: Patient,
    draft: Mapping[str, Any] | None,
) -> Response:
    """Assess the finished intake, store the result, drop the draft. A repeat finds no draft: no-op."""
    if draft is None:
        return _go("/me/assessment")
    open_step = wizard.first_open(draft)
    if open_step.id != "review":
        return _go(_step_url(open_step))
    intake, videos = _with_videos(
        state, viewer, patient, intake_document(wizard, draft, str(patient.id), utc_now().date())
    )
    result = dataclasses.replace(state.assessment.assess(intake), movement_tests=tuple(videos))
    save_assessment(state.uow_factory, viewer.user, patient.id, patient.clinic_id, result, intake)
    delete_draft(state, viewer, patient)
    return _go("/me/intake/referral" if result.triage.stops_programme else "/me/assessment")


def _with_videos(
    state: AppState, viewer: Viewer, patient: Patient, intake: Mapping[str, Any]
) -> tuple[dict[str, object], list[MovementReport]]:
    """The intake with the findings of the patient's movement videos, so a new intake keeps them."""
    with state.uow_factory(actor=viewer.user.id) as uow:
        analyses = uow.movement_analyses.for_patient(patient.clinic_id, patient.id)
        uow.commit()  # keep the audit event of the read
    return with_movement_findings(intake, analyses)
