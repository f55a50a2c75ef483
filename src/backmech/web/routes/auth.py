"""First-run set-up, sign-in and out, joining by invitation, and the home page that sends each role on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from backmech.domain.errors import BackmechError
from backmech.services.accounts import accept_invitation, create_first_admin, token_hash
from backmech.services.ports import Role, User, utc_now
from backmech.services.sign_in import InvalidCredentialsError, sign_in
from backmech.services.web_sessions import end_session, start_session
from backmech.web.security import SESSION_COOKIE, app_state, cookie_secure, load_viewer, require_viewer
from backmech.web.templating import render

router = APIRouter()


def home_for(user: User) -> str:
    return "/me" if user.role == Role.PATIENT else "/clinic"


def _safe_next(target: str | None, fallback: str) -> str:
    """Only same-site paths (``/x``), never ``//host`` or a full URL: no open redirects."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


def _has_admin(request: Request) -> bool:
    state = app_state(request)
    if state.setup_done:
        return True
    with state.uow_factory(actor=None) as uow:
        done = any(
            user.role == Role.ADMIN
            for clinic in uow.clinics.list()
            for user in uow.users.for_clinic(clinic.id)
        )
    if done:
        state.setup_done = True
    return done


def signed_in_response(request: Request, user: User, target: str) -> Response:
    """Start a session for ``user`` and redirect to ``target`` with the session cookie set."""
    state = app_state(request)
    token, _ = start_session(state.uow_factory, user, utc_now(), state.config.session_policy)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(state.config.session_policy.absolute.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path="/",
    )
    return response


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    if not _has_admin(request):
        return RedirectResponse("/setup", status_code=303)
    viewer = load_viewer(request)
    if viewer is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(home_for(viewer.user), status_code=303)


@router.get("/healthz", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/setup", include_in_schema=False)
def setup_page(request: Request) -> Response:
    if _has_admin(request):
        return RedirectResponse("/login", status_code=303)
    return render(request, "auth/setup.html", {"form": {}, "problems": []})


@router.post("/setup", include_in_schema=False)
def setup_submit(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    password_again: Annotated[str, Form(max_length=1024)],
    clinic_name: Annotated[str, Form(max_length=200)],
) -> Response:
    if _has_admin(request):
        return RedirectResponse("/login", status_code=303)
    form = {"email": email, "clinic_name": clinic_name}
    if password != password_again:
        return render(
            request,
            "auth/setup.html",
            {"form": form, "problems": ["The two passwords differ. Type the same password twice."]},
            status_code=422,
        )
    try:
        user = create_first_admin(app_state(request).uow_factory, email, password, clinic_name)
    except BackmechError as exc:
        problems = [exc.user_message] + ([exc.hint] if exc.hint else [])
        return render(request, "auth/setup.html", {"form": form, "problems": problems}, status_code=422)
    return signed_in_response(request, user, "/clinic")


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> Response:
    if not _has_admin(request):
        return RedirectResponse("/setup", status_code=303)
    viewer = load_viewer(request)
    if viewer is not None:
        return RedirectResponse(_safe_next(next, home_for(viewer.user)), status_code=303)
    return render(request, "auth/login.html", {"next": next or "", "email": "", "problem": None})


@router.post("/login", include_in_schema=False)
def login_submit(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    state = app_state(request)
    address = request.client.host if request.client else "unknown"
    try:
        user = sign_in(state.uow_factory, email, password, address, utc_now(), state.config.sign_in_limits)
    except InvalidCredentialsError as exc:
        return render(
            request,
            "auth/login.html",
            {"next": next, "email": email, "problem": f"{exc.user_message} {exc.hint}"},
            status_code=401,
        )
    return signed_in_response(request, user, _safe_next(next, home_for(user)))


@router.post("/logout", include_in_schema=False)
def logout(request: Request) -> Response:
    viewer = require_viewer(request)
    end_session(app_state(request).uow_factory, viewer.token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/join/{token}", include_in_schema=False)
def join_page(request: Request, token: str) -> Response:
    state = app_state(request)
    with state.uow_factory(actor=None) as uow:
        invitation = uow.invitations.find_by_token_hash(token_hash(token))
        clinic = uow.clinics.get(invitation.clinic_id) if invitation else None
    usable = invitation is not None and invitation.accepted_at is None and utc_now() < invitation.expires_at
    if invitation is None or clinic is None or not usable:
        return render(
            request,
            "error.html",
            {
                "status": 404,
                "title": "This invitation cannot be used",
                "message": "The link is unknown, already used or more than 7 days old.",
                "hint": "Ask your clinic to send a new invitation.",
            },
            status_code=404,
        )
    return render(
        request,
        "auth/join.html",
        {
            "token": token,
            "email": invitation.email,
            "role": invitation.role,
            "clinic": clinic,
            "purpose": invitation.purpose,
            "problems": [],
        },
    )


@router.post("/join/{token}", include_in_schema=False)
def join_submit(
    request: Request,
    token: str,
    password: Annotated[str, Form(max_length=1024)],
    password_again: Annotated[str, Form(max_length=1024)],
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    state = app_state(request)
    with state.uow_factory(actor=None) as uow:
        invitation = uow.invitations.find_by_token_hash(token_hash(token))
        clinic = uow.clinics.get(invitation.clinic_id) if invitation else None
    context = {
        "token": token,
        "email": invitation.email if invitation else "",
        "role": invitation.role if invitation else None,
        "clinic": clinic,
        "display_name": display_name,
        "purpose": invitation.purpose if invitation else "join",
    }
    if password != password_again:
        problems = ["The two passwords differ. Type the same password twice."]
        return render(request, "auth/join.html", context | {"problems": problems}, status_code=422)
    try:
        user = accept_invitation(state.uow_factory, token, password, utc_now(), display_name=display_name)
    except BackmechError as exc:
        problems = [exc.user_message] + ([exc.hint] if exc.hint else [])
        return render(request, "auth/join.html", context | {"problems": problems}, status_code=422)
    return signed_in_response(request, user, home_for(user))


@router.get("/account", include_in_schema=False)
def account_page(request: Request) -> Response:
    viewer = require_viewer(request)
    state = app_state(request)
    with state.uow_factory(actor=viewer.user.id) as uow:
        clinic = uow.clinics.get(viewer.user.clinic_id)
    return render(
        request,
        "auth/account.html",
        {
            "clinic": clinic,
            "session": viewer.session,
            "idle_minutes": int(state.config.session_policy.idle.total_seconds() // 60),
        },
    )


@router.post("/account/sign-out-everywhere", include_in_schema=False)
def sign_out_everywhere(request: Request) -> Response:
    """End every session of this account (a lost phone, a shared computer)."""
    viewer = require_viewer(request)
    with app_state(request).uow_factory(actor=viewer.user.id) as uow:
        uow.web_sessions.delete_for_user(viewer.user.id)
        uow.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
