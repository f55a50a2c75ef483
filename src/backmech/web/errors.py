"""Errors as pages (or JSON under ``/api``): what went wrong and what to do, never a stack trace.

Authorisation failures on a patient's record answer 404, as if the record did not
exist, so ids from another clinic cannot be probed; a page the role may not use
answers 403.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from backmech.domain.errors import BackmechError
from backmech.services.accounts import AuthorisationError
from backmech.services.incidents import log_incident, new_reference
from backmech.services.records import PatientNotFoundError
from backmech.services.sign_in import TooManyAttemptsError
from backmech.web.security import CsrfError, ForbiddenError, NotSignedInError
from backmech.web.templating import render

log = logging.getLogger("backmech.web")

TITLES = {
    400: "That did not work",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    413: "File too large",
    422: "Some answers need another look",
    429: "Too many attempts",
    500: "Something went wrong on our side",
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def error_response(
    request: Request, status: int, message: str, hint: str = "", *, code: str = "error"
) -> Response:
    if _is_api(request):
        return JSONResponse({"error": code, "message": message, "hint": hint}, status_code=status)
    return render(
        request,
        "error.html",
        {"status": status, "title": TITLES.get(status, "Error"), "message": message, "hint": hint},
        status_code=status,
    )


async def not_signed_in(request: Request, exc: NotSignedInError) -> Response:
    if _is_api(request):
        return JSONResponse(
            {"error": "not_signed_in", "message": "Sign in first.", "hint": "POST /api/session"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


async def forbidden(request: Request, exc: ForbiddenError) -> Response:
    return error_response(request, 403, exc.reason, code="forbidden")


async def not_yours(request: Request, exc: AuthorisationError) -> Response:
    return error_response(
        request, 404, "There is no such record, or it is not yours to see.", code="not_found"
    )


async def no_patient(request: Request, exc: PatientNotFoundError) -> Response:
    return error_response(
        request, 404, "There is no such record, or it is not yours to see.", code="not_found"
    )


async def csrf(request: Request, exc: CsrfError) -> Response:
    return error_response(
        request,
        403,
        "This form could not be accepted: it was open too long or sent from another site.",
        "Go back, reload the page and send it again. Answers you saved before are kept.",
        code="csrf",
    )


async def too_many(request: Request, exc: TooManyAttemptsError) -> Response:
    response = error_response(request, 429, exc.user_message, exc.hint, code="too_many_attempts")
    response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


async def backmech_error(request: Request, exc: BackmechError) -> Response:
    return error_response(request, 400, exc.user_message, exc.hint, code="invalid")


async def invalid(request: Request, exc: RequestValidationError) -> Response:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
        problems.append(f"{where or 'input'}: {error.get('msg', 'invalid')}")
    if _is_api(request):
        return JSONResponse(
            {
                "error": "invalid",
                "message": "Some fields are missing or invalid.",
                "hint": "Correct the fields listed in problems and send the request again.",
                "problems": problems,
            },
            status_code=422,
        )
    return error_response(
        request,
        422,
        "Some fields are missing or invalid: " + "; ".join(problems),
        "Go back and check them.",
    )


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    message = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
    if exc.status_code == 404 and message == "Not Found":
        message = "There is no page at this address."
    return error_response(request, exc.status_code, message, code="http_error")


async def crash(request: Request, exc: Exception) -> Response:
    reference = new_reference()
    log_incident(log, reference, f"unhandled error on {request.method} {request.url.path}")
    return error_response(
        request,
        500,
        f"Something went wrong on our side (reference {reference}). Your saved answers are safe.",
        "Try again in a minute; if it keeps happening, tell your clinic this reference.",
        code="server_error",
    )


HANDLERS: tuple[tuple[type[Exception], Callable[..., Awaitable[Response]]], ...] = (
    (NotSignedInError, not_signed_in),
    (ForbiddenError, forbidden),
    (AuthorisationError, not_yours),
    (PatientNotFoundError, no_patient),
    (CsrfError, csrf),
    (TooManyAttemptsError, too_many),
    (BackmechError, backmech_error),
    (RequestValidationError, invalid),
    (StarletteHTTPException, http_error),
    (Exception, crash),
)


def install_error_handlers(app: FastAPI) -> None:
    """Every handler of :data:`HANDLERS` (most specific first; ``Exception`` last, as a crash page)."""
    for kind, handler in HANDLERS:
        app.exception_handler(kind)(handler)
