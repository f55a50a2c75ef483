"""Inviting people: a link to copy and send (backmech sends no email), with its expiry.

Clinicians invite patients; administrators invite anyone to their own clinic and
see the clinic's staff. The role rules are enforced by
:func:`backmech.services.accounts.invite`; this page only offers what the viewer
may choose and explains a refusal in words.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from backmech.services.accounts import (
    INVITATION_TTL,
    AccountExistsError,
    AuthorisationError,
    InvalidEmailError,
    invite,
)
from backmech.services.ports import Role, utc_now
from backmech.services.sign_in_links import NoLoginError, password_link
from backmech.web.errors import error_response
from backmech.web.routes.clinician_views import parse_patient_id
from backmech.web.security import Viewer, app_state, require_staff
from backmech.web.templating import render

router = APIRouter()

ROLE_LABELS = {Role.PATIENT: "Patient", Role.CLINICIAN: "Clinician", Role.ADMIN: "Administrator"}


def _roles(viewer: Viewer) -> list[Role]:
    return [Role.PATIENT, Role.CLINICIAN, Role.ADMIN] if viewer.role == Role.ADMIN else [Role.PATIENT]


def _page(
    request: Request,
    viewer: Viewer,
    *,
    email: str = "",
    role: str = "patient",
    problems: list[str] | None = None,
    link: str = "",
    invited: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    staff = []
    if viewer.role == Role.ADMIN:
        with app_state(request).uow_factory(actor=viewer.user.id) as uow:
            staff = [u for u in uow.users.for_clinic(viewer.user.clinic_id) if u.role != Role.PATIENT]
        staff.sort(key=lambda u: (u.role != Role.ADMIN, u.email))
    return render(
        request,
        "clinic/invite.html",
        {
            "roles": [(r.value, ROLE_LABELS[r]) for r in _roles(viewer)],
            "role_labels": {r.value: label for r, label in ROLE_LABELS.items()},
            "email": email,
            "role": role,
            "problems": problems or [],
            "link": link,
            "invited": invited,
            "staff": staff,
            "ttl_days": INVITATION_TTL.days,
        },
        status_code=status_code,
    )


@router.get("/clinic/invite", include_in_schema=False)
def invite_page(request: Request) -> Response:
    viewer = require_staff(request)
    return _page(request, viewer)


@router.post("/clinic/invite", include_in_schema=False)
def invite_submit(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    role: Annotated[str, Form(max_length=40)] = "patient",
) -> Response:
    viewer = require_staff(request)
    state = app_state(request)
    try:
        chosen = Role(role)
    except ValueError:
        return _page(
            request,
            viewer,
            email=email,
            role=role,
            problems=["Choose who you are inviting."],
            status_code=422,
        )
    if chosen not in _roles(viewer):
        problems = [
            f"As a {viewer.role.value} you may invite patients only; "
            f"ask a clinic administrator to invite a {chosen.value}."
        ]
        return _page(request, viewer, email=email, role=role, problems=problems, status_code=403)
    if not email.strip():
        problems = ["Give the email address of the person you are inviting."]
        return _page(request, viewer, email=email, role=role, problems=problems, status_code=422)
    now = utc_now()
    try:
        token = invite(state.uow_factory, viewer.user.id, email, chosen, viewer.user.clinic_id, now)
    except (InvalidEmailError, AccountExistsError) as exc:
        problems = [exc.user_message] + ([exc.hint] if exc.hint else [])
        return _page(request, viewer, email=email, role=role, problems=problems, status_code=422)
    except AuthorisationError as exc:
        return _page(
            request, viewer, email=email, role=role, problems=[exc.user_message, exc.hint], status_code=403
        )
    link = str(request.base_url).rstrip("/") + f"/join/{token}"
    invited = {"email": email.strip(), "role": ROLE_LABELS[chosen], "expires_at": now + INVITATION_TTL}
    return _page(request, viewer, link=link, invited=invited)


@router.post("/clinic/patients/{patient_id}/password-link", include_in_schema=False)
def password_link_create(request: Request, patient_id: str) -> Response:
    """A one-use link for the patient to set a new password (after an import, or a forgotten one)."""
    viewer = require_staff(request)
    pid = parse_patient_id(patient_id)
    now = utc_now()
    try:
        token, email = password_link(
            app_state(request).uow_factory, viewer.user, pid, viewer.user.clinic_id, now
        )
    except NoLoginError as exc:
        return error_response(request, 422, exc.user_message, exc.hint, code="no_login")
    return render(
        request,
        "clinic/password_link.html",
        {
            "link": str(request.base_url).rstrip("/") + f"/join/{token}",
            "email": email,
            "expires_at": now + INVITATION_TTL,
            "patient_id": pid,
        },
    )
