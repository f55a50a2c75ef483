"""API: a clinic's patients, their assessments (read, and run the engine on a new intake) and the plan.

Every route names its patient in the path and goes through
:func:`~backmech.web.routes.api_common.authorised_patient` (or a service that
authorises the same way) before anything else, so an id from another clinic, or
another patient's id sent by a patient, answers 404 exactly like an unknown one.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response

from backmech.domain.errors import InputError
from backmech.services.care_plan import PlanChangeError, current_plan, edit_plan
from backmech.services.codec import DocumentError, plan_change_from_json, to_json_object
from backmech.services.ports import Assessment
from backmech.services.records import patient_assessments, save_assessment
from backmech.web.api_models import AssessmentOut, PatientOut, PlanEditIn, PlanEditOut, PlanOut
from backmech.web.errors import error_response
from backmech.web.routes.api_common import (
    AUTH_PATIENT,
    AUTH_STAFF_PATIENT,
    PATIENT_ROUTE,
    SIGNED_IN,
    WITH_BODY,
    ApiStaff,
    ApiViewer,
    assessment_out,
    authorised_patient,
    plan_edit_out,
    summary,
)
from backmech.web.security import app_state

router = APIRouter(tags=["patients"])

IntakeBody = Annotated[
    dict[str, Any],
    Body(
        description="The intake document (docs/intake.md; `backmech schema intake` prints its JSON Schema).",
        examples=[{"case_id": "example", "person": {"age": 42}}],
    ),
]


def _latest(assessments: list[Assessment]) -> Assessment | None:
    return assessments[-1] if assessments else None


@router.get(
    "/patients",
    response_model=list[PatientOut],
    responses=SIGNED_IN,
    summary="The clinic's patients",
    description="**Auth:** bearer token or session cookie. **Who:** a clinician or admin (patients get 403). "
    "Lists the patients of the caller's own clinic with their latest triage level and plan status.",
)
def list_patients(request: Request, viewer: ApiStaff) -> list[PatientOut]:
    clinic_id = viewer.user.clinic_id
    with app_state(request).uow_factory(actor=viewer.user.id) as uow:
        patients = uow.patients.for_clinic(clinic_id)
        latest = {p.id: _latest(list(uow.assessments.for_patient(clinic_id, p.id))) for p in patients}
        uow.commit()  # keep the audit events of the reads
    return [
        PatientOut(
            id=p.id,
            display_name=p.display_name,
            created_at=p.created_at,
            has_login=p.user_id is not None,
            latest_assessment=summary(latest[p.id]),
        )
        for p in sorted(patients, key=lambda p: (p.display_name.lower(), str(p.id)))
    ]


@router.get(
    "/patients/{patient_id}",
    response_model=PatientOut,
    responses=PATIENT_ROUTE,
    summary="One patient",
    description=AUTH_PATIENT,
)
def get_patient(request: Request, patient_id: UUID, viewer: ApiViewer) -> PatientOut:
    patient = authorised_patient(request, viewer, patient_id, "reading this patient's record")
    found = patient_assessments(app_state(request).uow_factory, viewer.user, patient.id, patient.clinic_id)
    return PatientOut(
        id=patient.id,
        display_name=patient.display_name,
        created_at=patient.created_at,
        has_login=patient.user_id is not None,
        latest_assessment=summary(_latest(list(found))),
    )


@router.get(
    "/patients/{patient_id}/assessments",
    response_model=list[AssessmentOut],
    responses=PATIENT_ROUTE,
    tags=["assessments"],
    summary="A patient's assessments, oldest first",
    description=AUTH_PATIENT + " Each item carries the full result document.",
)
def list_assessments(request: Request, patient_id: UUID, viewer: ApiViewer) -> list[AssessmentOut]:
    patient = authorised_patient(request, viewer, patient_id, "reading this patient's assessments")
    found = patient_assessments(app_state(request).uow_factory, viewer.user, patient.id, patient.clinic_id)
    return [assessment_out(a) for a in found]


@router.post(
    "/patients/{patient_id}/assessments",
    status_code=201,
    response_model=AssessmentOut,
    responses=PATIENT_ROUTE | WITH_BODY,
    tags=["assessments"],
    summary="Assess a new intake and store the result",
    description=AUTH_PATIENT + " The body is the intake document; the engine runs on it and the result is "
    "stored. An intake the engine cannot read answers 422 naming the field and the allowed values "
    "(`error: invalid_intake`); nothing is stored then.",
)
def create_assessment(
    request: Request, patient_id: UUID, intake: IntakeBody, viewer: ApiViewer
) -> AssessmentOut | Response:
    state = app_state(request)
    patient = authorised_patient(request, viewer, patient_id, "saving an assessment for this patient")
    try:
        result = state.assessment.assess(intake)
    except InputError as exc:
        return error_response(request, 422, exc.user_message, exc.hint, code="invalid_intake")
    stored = save_assessment(state.uow_factory, viewer.user, patient.id, patient.clinic_id, result, intake)
    return assessment_out(stored)


@router.get(
    "/patients/{patient_id}/plan",
    response_model=PlanOut,
    responses=PATIENT_ROUTE,
    tags=["plan"],
    summary="The current plan (the latest plan with the clinician's edits)",
    description=AUTH_PATIENT + " 404 with `error: no_plan` before any assessment produced a plan "
    "(none yet, or it was withheld for safety).",
)
def get_plan(request: Request, patient_id: UUID, viewer: ApiViewer) -> PlanOut | Response:
    patient = authorised_patient(request, viewer, patient_id, "reading this patient's plan")
    found = current_plan(app_state(request).uow_factory, viewer.user, patient.id, patient.clinic_id)
    if found is None:
        return error_response(
            request,
            404,
            "There is no plan yet for this patient.",
            "A plan is made by an assessment whose screen is complete and finds nothing urgent.",
            code="no_plan",
        )
    return PlanOut(
        assessment_id=found.assessment.id,
        assessed_at=found.assessment.created_at,
        plan=to_json_object(found.plan),
        edits=[plan_edit_out(e) for e in found.edits],
        skipped=[f"edit {o.index + 1}: {o.why}" for o in found.carried.dropped],
    )


@router.post(
    "/patients/{patient_id}/plan/edits",
    status_code=201,
    response_model=PlanEditOut,
    responses=PATIENT_ROUTE | WITH_BODY,
    tags=["plan"],
    summary="Change the plan, with the reason",
    description=AUTH_STAFF_PATIENT + " The change is stored with who, when and why; the generated plan "
    "is kept. A malformed change answers 422 saying what is wrong.",
)
def create_plan_edit(
    request: Request, patient_id: UUID, body: PlanEditIn, viewer: ApiStaff
) -> PlanEditOut | Response:
    patient = authorised_patient(request, viewer, patient_id, "changing this patient's plan")
    try:
        change = plan_change_from_json(body.change)
    except DocumentError as exc:
        return error_response(
            request,
            422,
            f"This change cannot be made: {exc.user_message}",
            "See docs/api.md.",
            code="invalid_change",
        )
    try:
        edit = edit_plan(
            app_state(request).uow_factory,
            viewer.user,
            patient.id,
            patient.clinic_id,
            change,
            body.reason,
        )
    except PlanChangeError as exc:
        return error_response(request, 422, exc.user_message, exc.hint, code="invalid_change")
    return plan_edit_out(edit)
