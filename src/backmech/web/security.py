"""Who is asking, and may they: session cookies or bearer tokens, CSRF, role checks.

* A browser holds the session token in an HttpOnly, SameSite=Lax cookie
  (``Secure`` over HTTPS). An API client may send the same kind of token as
  ``Authorization: Bearer``; it gets one from ``POST /api/session``.
* CSRF (OWASP synchronizer token): every state-changing request made with the
  cookie must carry the session's CSRF token, as the form field ``csrf_token``
  or the ``X-CSRF-Token`` header. Before sign-in (sign-in, set-up, joining) the
  token is a random value in its own cookie (double submit). Bearer requests
  need none: a browser never adds that header by itself.
* The session is resolved once per request and kept on ``request.state``.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request

from backmech.services.ports import Patient, Role, SignedInUser, WebSession, utc_now
from backmech.services.web_sessions import resolve_session

if TYPE_CHECKING:
    from backmech.web.state import AppState

SESSION_COOKIE = "bm_session"
CSRF_COOKIE = "bm_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_EXEMPT_SIGN_IN = frozenset({"/api/session"})
"""The API's sign-in: it accepts only a JSON body (which a cross-site form cannot send) and answers
with a token in the body, setting no cookie, so there is no session to ride on."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person making this request."""

    user: SignedInUser
    """As the session lookup read them from storage, with their patient record (patients only)."""
    session: WebSession
    token: str
    by_bearer: bool

    @property
    def role(self) -> Role:
        return self.user.role

    @property
    def is_staff(self) -> bool:
        return self.user.role in (Role.CLINICIAN, Role.ADMIN)


class NotSignedInError(Exception):
    """No live session: pages redirect to sign-in, the API answers 401."""


class ForbiddenError(Exception):
    """Signed in, but this role may not use this page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CsrfError(Exception):
    """A state-changing request without the right CSRF token."""


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.backmech
    return state


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def load_viewer(request: Request) -> Viewer | None:
    """The request's viewer (resolved once, then cached on ``request.state``)."""
    if hasattr(request.state, "viewer"):
        cached: Viewer | None = request.state.viewer
        return cached
    state = app_state(request)
    viewer: Viewer | None = None
    bearer = _bearer(request)
    token = bearer or request.cookies.get(SESSION_COOKIE, "")
    if token:
        found = resolve_session(state.uow_factory, token, utc_now(), state.config.session_policy)
        if found is not None:
            viewer = Viewer(user=found[1], session=found[0], token=token, by_bearer=bearer is not None)
    request.state.viewer = viewer
    return viewer


def require_viewer(request: Request) -> Viewer:
    """FastAPI dependency: the signed-in viewer, else :class:`NotSignedInError`."""
    viewer = load_viewer(request)
    if viewer is None:
        raise NotSignedInError
    return viewer


def require_patient(request: Request) -> tuple[Viewer, Patient]:
    """FastAPI dependency: a signed-in patient and their own patient record."""
    viewer = require_viewer(request)
    if viewer.role != Role.PATIENT:
        raise ForbiddenError("These pages are for patients; clinicians use the clinic pages.")
    patient = viewer.user.patient  # read with the session
    if patient is None:
        raise ForbiddenError("Your account has no patient record yet. Ask your clinic to invite you again.")
    return viewer, patient


def require_staff(request: Request) -> Viewer:
    """FastAPI dependency: a signed-in clinician or admin."""
    viewer = require_viewer(request)
    if not viewer.is_staff:
        raise ForbiddenError("These pages are for clinic staff.")
    return viewer


def require_admin(request: Request) -> Viewer:
    viewer = require_viewer(request)
    if viewer.role != Role.ADMIN:
        raise ForbiddenError("Only a clinic administrator may do this.")
    return viewer


def csrf_token_for(request: Request) -> str:
    """The token forms on this page must send back: the session's, or a pre-sign-in cookie token."""
    viewer = load_viewer(request)
    if viewer is not None:
        return viewer.session.csrf_token
    existing = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_cookie", None)
    if existing:
        return str(existing)
    fresh = secrets.token_urlsafe(32)
    request.state.new_csrf_cookie = fresh
    return fresh


async def csrf_guard(request: Request) -> None:
    """App-wide dependency: refuse a state-changing cookie request without the matching token."""
    if request.method in SAFE_METHODS:
        return
    viewer = load_viewer(request)
    if viewer is not None and viewer.by_bearer:
        return
    if viewer is None and request.url.path in CSRF_EXEMPT_SIGN_IN:
        return
    expected = viewer.session.csrf_token if viewer is not None else request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form(max_part_size=app_state(request).config.max_upload_bytes)
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if not expected or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CsrfError


def cookie_secure(request: Request) -> bool:
    configured = app_state(request).config.secure_cookies
    return request.url.scheme == "https" if configured is None else configured
