"""Rendering pages: one Jinja2 environment (autoescaped), a ``render`` helper that sets the CSRF cookie.

Templates get ``viewer`` (or None), ``csrf_token`` and ``request`` without each
route passing them. Filters for dates and the plain-language labels used across
pages live here so every page says things the same way.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from backmech.web.security import CSRF_COOKIE, cookie_secure, csrf_token_for, load_viewer

TEMPLATES_DIR = Path(__file__).parent / "templates"

DISCLAIMER = (
    "backmech supports decisions about back pain; it does not replace an examination by a clinician. "
    "If your symptoms change suddenly, stop and seek care."
)


def _date(value: dt.date | dt.datetime | None, style: str = "%d %b %Y") -> str:
    return "" if value is None else value.strftime(style)


def _label(value: object) -> str:
    """``flexion_intolerance`` → ``Flexion intolerance``."""
    text = str(value).replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.filters["date"] = _date
    env.filters["label"] = _label
    env.globals["disclaimer"] = DISCLAIMER
    env.auto_reload = False  # templates ship with the package: no stat() of every file on every page
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """A page, with the viewer and CSRF token in its context (and the pre-sign-in CSRF cookie if new)."""
    from backmech.web.security import app_state

    values: dict[str, Any] = {"viewer": load_viewer(request), "csrf_token": csrf_token_for(request)}
    if context:
        values.update(context)
    response = app_state(request).templates.TemplateResponse(
        request, template, values, status_code=status_code
    )
    fresh = getattr(request.state, "new_csrf_cookie", None)
    if fresh:
        response.set_cookie(
            CSRF_COOKIE, fresh, httponly=True, samesite="lax", secure=cookie_secure(request), path="/"
        )
    return response
