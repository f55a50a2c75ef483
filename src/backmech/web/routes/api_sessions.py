"""API: the patient's exercise-session log (pain before/after, effort, next-morning pain).

Why idempotency keys: a phone on a train retries a POST it never saw answered.
The client picks a key per session; the server stores it as
``api:<patient id>:<key>`` (two patients' clients can never collide), and a repeat
returns the stored log with 200 instead of a second copy (the first answer is 201).
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from backmech.services.accounts import AuthorisationError
from backmech.services.daily_log import (
    SessionLogNotFoundError,
    patient_logs,
    record_morning_pain,
    store_log,
)
from backmech.services.ports import SessionLog
from backmech.web.api_models import NextMorningIn, SessionLogIn, SessionLogOut
from backmech.web.routes.api_common import (
    AUTH_PATIENT,
    PATIENT_ROUTE,
    WITH_BODY,
    ApiViewer,
    api_key_prefix,
    authorised_patient,
    session_log_out,
)
from backmech.web.security import app_state

router = APIRouter(tags=["session log"])


@router.get(
    "/patients/{patient_id}/sessions",
    response_model=list[SessionLogOut],
    responses=PATIENT_ROUTE,
    summary="The session log, oldest first",
    description=AUTH_PATIENT,
)
def list_sessions(request: Request, patient_id: UUID, viewer: ApiViewer) -> list[SessionLogOut]:
    patient = authorised_patient(request, viewer, patient_id, "reading the session log")
    logs = patient_logs(app_state(request).uow_factory, viewer.user, patient)
    return [session_log_out(log) for log in logs]


@router.post(
    "/patients/{patient_id}/sessions",
    status_code=201,
    response_model=SessionLogOut,
    responses=PATIENT_ROUTE
    | WITH_BODY
    | {200: {"model": SessionLogOut, "description": "This key was sent before: the stored log, unchanged."}},
    summary="Log a session (idempotent by key)",
    description=AUTH_PATIENT + " Pain and effort are whole numbers 0-10. Sending the same "
    "`idempotency_key` again returns the stored log (200) and stores nothing new.",
)
def create_session_log(
    request: Request, patient_id: UUID, body: SessionLogIn, viewer: ApiViewer
) -> SessionLogOut | JSONResponse:
    patient = authorised_patient(request, viewer, patient_id, "logging a session")
    log = SessionLog(
        patient_id=patient.id,
        session_date=body.session_date,
        pain_before=body.pain_before,
        pain_during=body.pain_during,
        pain_after=body.pain_after,
        effort=body.effort,
        kind=body.kind,
        notes=body.notes.strip(),
        idempotency_key=api_key_prefix(patient.id) + body.idempotency_key,
    )
    stored = store_log(app_state(request).uow_factory, viewer.user, patient, log)
    out = session_log_out(stored)
    if stored.id != log.id:  # a repeat: the first request's log
        return JSONResponse(out.model_dump(mode="json"), status_code=200)
    return out


@router.put(
    "/patients/{patient_id}/sessions/{log_id}/next-morning",
    response_model=SessionLogOut,
    responses=PATIENT_ROUTE | WITH_BODY,
    summary="Record pain the morning after a session",
    description=AUTH_PATIENT + " Pain is a whole number 0-10. Setting it again replaces it. A log id that "
    "is not this patient's answers 404.",
)
def set_next_morning(
    request: Request, patient_id: UUID, log_id: UUID, body: NextMorningIn, viewer: ApiViewer
) -> SessionLogOut:
    patient = authorised_patient(request, viewer, patient_id, "updating the session log")
    try:
        updated = record_morning_pain(app_state(request).uow_factory, viewer.user, patient, log_id, body.pain)
    except SessionLogNotFoundError as exc:  # not this patient's log: 404, as if it did not exist
        raise AuthorisationError("updating this session", reason="It is not in this patient's log.") from exc
    return session_log_out(updated)
