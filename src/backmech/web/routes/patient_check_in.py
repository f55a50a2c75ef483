"""The check-in between assessments: safety questions first, then a flare-up, leg symptoms and walking.

A yes to a safety question ends on the referral page (the programme stops; see
``services.check_ins``). Every answer is checked at once and a refused form keeps
what was typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from backmech.services.check_ins import (
    MAX_NOTES,
    parse_check_in,
    patient_check_ins,
    record_check_in,
    safety_questions,
)
from backmech.web.routes.patient_common import load_patient_view
from backmech.web.security import app_state
from backmech.web.templating import render

router = APIRouter()


def _page(request: Request, form: dict[str, str], problems: list[str], status_code: int = 200) -> Response:
    view = load_patient_view(request)
    state = app_state(request)
    recent = list(patient_check_ins(state.uow_factory, view.viewer.user, view.patient))[-7:]
    context: dict[str, Any] = {
        "view": view,
        "blocked": view.blocked,
        "triage": view.triage,
        "questions": safety_questions(state.knowledge),
        "form": form,
        "problems": problems,
        "recent": list(reversed(recent)),
        "max_notes": MAX_NOTES,
    }
    return render(request, "patient/check_in.html", context, status_code=status_code)


@router.get("/me/check-in", include_in_schema=False)
def check_in_page(request: Request) -> Response:
    return _page(request, {}, [])


@router.post("/me/check-in", include_in_schema=False)
async def check_in_submit(request: Request) -> Response:
    """Async only to read a form whose field names come from the knowledge base; storage runs in a thread."""
    submitted = await request.form()
    form = {key: value for key, value in submitted.items() if isinstance(value, str)}
    return await run_in_threadpool(_store, request, form)


def _store(request: Request, form: dict[str, str]) -> Response:
    view = load_patient_view(request)
    state = app_state(request)
    if view.blocked:
        return RedirectResponse("/me", status_code=303)
    answers, problems = parse_check_in(form, state.knowledge, dt.date.today())
    if answers is None:
        return _page(request, form, problems, status_code=422)
    outcome = record_check_in(state.uow_factory, state.assessment, view.viewer.user, view.patient, answers)
    if outcome.stopped_by is not None:
        return RedirectResponse("/me/intake/referral", status_code=303)
    return RedirectResponse("/me?saved=check-in", status_code=303)
