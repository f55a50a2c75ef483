"""What every API route shares: who is asking (bearer or cookie), which patient they may reach, errors.

Why one place: the rule "a patient only their own record, staff only their own
clinic's, anything else is *not found*" must be applied the same way by every
route, always through :func:`backmech.services.records.authorise_patient_access`
with the viewer's own clinic (never a clinic id taken from the request).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backmech.services.codec import to_json_object
from backmech.services.daily_log import idempotency_key
from backmech.services.ports import Assessment, Patient, PlanEdit, SessionLog
from backmech.services.records import PatientNotFoundError, authorise_patient_access
from backmech.web.api_models import AssessmentOut, AssessmentSummary, ErrorOut, PlanEditOut, SessionLogOut
from backmech.web.security import Viewer, app_state, require_staff, require_viewer

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A token from `POST /api/session`. Browsers may use the session cookie instead; then "
    "every POST/PUT/DELETE also needs the `X-CSRF-Token` header.",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


def api_viewer(request: Request, _: Credentials) -> Viewer:
    """Any signed-in person (401 JSON otherwise). The bearer parameter documents the scheme."""
    return require_viewer(request)


def api_staff(request: Request, _: Credentials) -> Viewer:
    """A clinician or admin (403 for patients)."""
    return require_staff(request)


ApiViewer = Annotated[Viewer, Depends(api_viewer)]
ApiStaff = Annotated[Viewer, Depends(api_staff)]

NOT_FOUND_TEXT = "There is no such record, or it is not yours to see."


Responses = dict[int | str, dict[str, Any]]
"""Extra answers a route documents in the OpenAPI document (status → model and description)."""


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


SIGNED_IN: Responses = {
    401: _error("Not signed in, or the session has ended: `POST /api/session` again."),
    403: _error("A change sent with the session cookie but without `X-CSRF-Token`, or a role not allowed."),
}
PATIENT_ROUTE: Responses = SIGNED_IN | {
    404: _error("No such patient, or not yours: another clinic's records answer exactly like missing ones."),
}
WITH_BODY: Responses = {
    422: _error("The body is not valid JSON or a field is missing, of the wrong type or out of range.")
}

AUTH_PATIENT = (
    "**Auth:** bearer token or session cookie (+ `X-CSRF-Token` on changes). "
    "**Who:** the patient themselves, or a clinician/admin of the patient's clinic; "
    "anyone else gets 404."
)
AUTH_STAFF_PATIENT = (
    "**Auth:** bearer token or session cookie (+ `X-CSRF-Token` on changes). "
    "**Who:** a clinician or admin of the patient's clinic (patients get 403; other clinics 404)."
)


def authorised_patient(request: Request, viewer: Viewer, patient_id: UUID, action: str) -> Patient:
    """The patient, if ``viewer`` may act on them; else a not-found error (never a hint it exists)."""
    state = app_state(request)
    clinic_id = viewer.user.clinic_id
    with state.uow_factory(actor=viewer.user.id) as uow:
        authorise_patient_access(uow, viewer.user, patient_id, clinic_id, action)
        patient = uow.patients.get(clinic_id, patient_id)
        uow.commit()  # keep the audit event of the read
    if patient is None:
        raise PatientNotFoundError(patient_id)
    return patient


def summary(assessment: Assessment | None) -> AssessmentSummary | None:
    if assessment is None:
        return None
    return AssessmentSummary(
        id=assessment.id,
        created_at=assessment.created_at,
        triage_level=assessment.triage_level,
        plan_status=assessment.plan_status,
    )


def assessment_out(assessment: Assessment) -> AssessmentOut:
    return AssessmentOut(
        id=assessment.id,
        patient_id=assessment.patient_id,
        created_at=assessment.created_at,
        triage_level=assessment.triage_level,
        plan_status=assessment.plan_status,
        engine_version=assessment.engine_version,
        result=to_json_object(assessment.result),
    )


def plan_edit_out(edit: PlanEdit) -> PlanEditOut:
    return PlanEditOut(
        id=edit.id,
        at=edit.at,
        editor_id=edit.editor_id,
        reason=edit.reason,
        change=to_json_object(edit.change),
    )


API_KIND = "api"


def api_key_prefix(patient_id: UUID) -> str:
    """Keys from API clients are stored per patient, so two patients' clients can never collide.

    The same scheme as the pages' keys (``daily_log.idempotency_key``), with ``api`` as the kind.
    """
    return idempotency_key(API_KIND, patient_id, "")


def session_log_out(log: SessionLog) -> SessionLogOut:
    prefix = api_key_prefix(log.patient_id)
    key = log.idempotency_key.removeprefix(prefix)
    return SessionLogOut(
        id=log.id,
        patient_id=log.patient_id,
        session_date=log.session_date,
        pain_before=log.pain_before,
        pain_during=log.pain_during,
        pain_after=log.pain_after,
        effort=log.effort,
        kind=log.kind,
        next_morning_pain=log.next_morning_pain,
        notes=log.notes,
        idempotency_key=key,
        created_at=log.created_at,
    )
