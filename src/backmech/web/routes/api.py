"""The JSON API (mounted at ``/api``): sign-in for API clients, who am I, and the patient records.

Why an API next to the pages: a clinic's own tools (a phone app, an export script)
need the same records without scraping HTML. It uses the same sessions, the same
authorisation and the same services as the pages; nothing here decides who may see
what on its own (see :mod:`backmech.web.routes.api_common`). Docs: ``/api/docs``
and ``docs/api.md``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from backmech.services.ports import Role, utc_now
from backmech.services.sign_in import InvalidCredentialsError, sign_in
from backmech.services.web_sessions import end_session, start_session
from backmech.web.api_models import ClinicOut, ErrorOut, MeOut, SessionOut, SignInIn, UserOut
from backmech.web.errors import error_response
from backmech.web.routes import api_docs, api_patients, api_sessions
from backmech.web.routes.api_common import SIGNED_IN, WITH_BODY, ApiViewer
from backmech.web.security import SESSION_COOKIE, app_state

router = APIRouter(tags=["session"])


@router.post(
    "/session",
    status_code=201,
    response_model=SessionOut,
    responses=WITH_BODY
    | {
        401: {"model": ErrorOut, "description": "The email and password do not match an account."},
        429: {
            "model": ErrorOut,
            "description": "Too many failed sign-ins for this account or address; "
            "see `Retry-After` (seconds).",
        },
    },
    summary="Sign in and get a bearer token",
    description="**Auth:** none (this is how you get a token). The body must be JSON. Failed attempts are "
    "counted per account and per address; over the limit the answer is 429 with `Retry-After`.",
)
def create_session(request: Request, body: SignInIn) -> SessionOut | Response:
    state = app_state(request)
    address = request.client.host if request.client else "unknown"
    try:
        user = sign_in(
            state.uow_factory, body.email, body.password, address, utc_now(), state.config.sign_in_limits
        )
    except InvalidCredentialsError as exc:
        response = error_response(request, 401, exc.user_message, exc.hint, code="invalid_credentials")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    token, session = start_session(state.uow_factory, user, utc_now(), state.config.session_policy)
    return SessionOut(token=token, expires_at=session.expires_at, csrf_token=session.csrf_token)


@router.delete(
    "/session",
    status_code=204,
    responses=SIGNED_IN,
    summary="Sign out",
    description="**Auth:** bearer token or session cookie (+ `X-CSRF-Token`). **Who:** anyone signed in. "
    "Ends this session on the server at once; the token cannot be used again.",
)
def delete_session(request: Request, viewer: ApiViewer) -> Response:
    end_session(app_state(request).uow_factory, viewer.token)
    response = Response(status_code=204)
    if not viewer.by_bearer:
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get(
    "/me",
    response_model=MeOut,
    responses=SIGNED_IN,
    tags=["me"],
    summary="Who am I",
    description="**Auth:** bearer token or session cookie. **Who:** anyone signed in. A patient also gets "
    "their own patient id, which is the only patient id they may use.",
)
def me(request: Request, viewer: ApiViewer) -> MeOut | Response:
    state = app_state(request)
    with state.uow_factory(actor=viewer.user.id) as uow:
        clinic = uow.clinics.get(viewer.user.clinic_id)
    if clinic is None:  # the clinic was removed while the session lived
        return error_response(request, 404, "Your clinic no longer exists.", code="not_found")
    patient = viewer.user.patient if viewer.role == Role.PATIENT else None
    return MeOut(
        user=UserOut(id=viewer.user.id, email=viewer.user.email, role=viewer.role),
        role=viewer.role,
        clinic=ClinicOut(id=clinic.id, name=clinic.name),
        patient_id=patient.id if patient else None,
        display_name=patient.display_name if patient else None,
    )


router.include_router(api_patients.router)
router.include_router(api_sessions.router)
router.include_router(api_docs.router)
