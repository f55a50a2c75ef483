"""The session player and the daily log.

The player is one page listing every step (it works as a plain list without
JavaScript; ``static/player.js`` turns it into one exercise at a time) and ends
with the log form. The log form carries a random token made when the page was
rendered, so sending it twice stores one log. Bad values come back as a 422 page
with the person's answers kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from backmech.services.daily_log import (
    KINDS,
    MAX_NOTES,
    SessionLogNotFoundError,
    kind_of,
    new_token,
    parse_log,
    parse_scale,
    patient_logs,
    record_morning_pain,
    record_session,
)
from backmech.services.ports import SessionLog
from backmech.services.progress import minutes_of, phase_session
from backmech.web.errors import error_response
from backmech.web.routes.patient_common import exercise_steps, load_course, load_patient_view
from backmech.web.security import app_state, require_patient
from backmech.web.templating import render

router = APIRouter()

RECENT_LOGS = 30
MORNING_WINDOW_DAYS = 7
"""Sessions this recent may still get their next-morning answer (a usability limit)."""


def _blank_form(kind: str, today: dt.date) -> dict[str, str]:
    return {"kind": kind, "session_date": today.isoformat(), "idempotency_key": new_token()}


@router.get("/me/session/{kind}", include_in_schema=False)
def player(request: Request, kind: str) -> Response:
    if kind not in KINDS:
        require_patient(request)
        return error_response(
            request, 404, "There is no such session.", "Open Today and start the routine or the session."
        )
    view = load_patient_view(request)
    plan = view.plan
    context: dict[str, Any] = {"view": view, "blocked": view.blocked, "triage": view.triage, "kind": kind}
    if plan is not None:
        today = dt.date.today()
        if kind == "routine":
            items = list(plan.daily_routine)
        else:
            position = load_course(request, view, today).position(plan)
            items = phase_session(plan, position.phase if position is not None else None)
        context.update(
            plan=plan,
            steps=exercise_steps(app_state(request).knowledge, items),
            minutes=minutes_of(items),
            form=_blank_form(kind, today),
            today=today,
            max_notes=MAX_NOTES,
        )
    return render(request, "patient/player.html", context)


def _pending_morning(logs: list[SessionLog], today: dt.date) -> list[SessionLog]:
    since = today - dt.timedelta(days=MORNING_WINDOW_DAYS)
    return [log for log in logs if since <= log.session_date < today and log.next_morning_pain is None]


def _log_page(
    request: Request,
    *,
    form: dict[str, str],
    problems: list[str] | None = None,
    morning_problems: list[str] | None = None,
    morning_values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    viewer, patient = require_patient(request)
    logs = list(patient_logs(app_state(request).uow_factory, viewer.user, patient))
    today = dt.date.today()
    recent = [(log, kind_of(log)) for log in reversed(logs[-RECENT_LOGS:])]
    return render(
        request,
        "patient/log.html",
        {
            "form": form,
            "problems": problems or [],
            "recent": recent,
            "pending": list(reversed(_pending_morning(logs, today))),
            "morning_problems": morning_problems or [],
            "morning_values": morning_values or {},
            "today": today,
            "max_notes": MAX_NOTES,
        },
        status_code=status_code,
    )


@router.get("/me/log", include_in_schema=False)
def log_page(request: Request, kind: str = "full") -> Response:
    return _log_page(request, form=_blank_form(kind if kind in KINDS else "full", dt.date.today()))


Text = Annotated[str, Form(max_length=20_000)]
"""Every field arrives as text and is checked by ``parse_log`` (so errors keep the answers)."""


@router.post("/me/log", include_in_schema=False)
def log_submit(
    request: Request,
    pain_before: Text = "",
    pain_during: Text = "",
    pain_after: Text = "",
    effort: Text = "",
    notes: Text = "",
    session_date: Text = "",
    kind: Text = "",
    idempotency_key: Text = "",
) -> Response:
    viewer, patient = require_patient(request)
    form = {
        "pain_before": pain_before,
        "pain_during": pain_during,
        "pain_after": pain_after,
        "effort": effort,
        "notes": notes,
        "session_date": session_date,
        "kind": kind,
        "idempotency_key": idempotency_key,
    }
    entry, problems = parse_log(form, dt.date.today())
    if entry is None:
        return _log_page(request, form=form, problems=problems, status_code=422)
    record_session(app_state(request).uow_factory, viewer.user, patient, entry)
    return RedirectResponse("/me?saved=session", status_code=303)


@router.get("/me/log/morning", include_in_schema=False)
def morning_page(request: Request) -> Response:
    return _log_page(request, form=_blank_form("full", dt.date.today()))


@router.post("/me/log/morning", include_in_schema=False)
def morning_submit(request: Request, log_id: Text = "", next_morning_pain: Text = "") -> Response:
    viewer, patient = require_patient(request)
    values = {"log_id": log_id, "next_morning_pain": next_morning_pain}
    pain, problem = parse_scale(values["next_morning_pain"], "Pain this morning")
    try:
        log_uuid = UUID(log_id)
    except ValueError:
        return error_response(
            request, 404, "There is no such session in your log.", "Open your log and choose it again."
        )
    if problem or pain is None:
        return _log_page(
            request,
            form=_blank_form("full", dt.date.today()),
            morning_problems=[problem or "Pain this morning: choose a number."],
            morning_values={"log_id": values["log_id"], "next_morning_pain": values["next_morning_pain"]},
            status_code=422,
        )
    try:
        record_morning_pain(app_state(request).uow_factory, viewer.user, patient, log_uuid, pain)
    except SessionLogNotFoundError as exc:
        return error_response(request, 404, exc.user_message, exc.hint)
    return RedirectResponse("/me?saved=morning", status_code=303)
