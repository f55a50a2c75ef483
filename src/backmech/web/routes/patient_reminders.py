"""Reminders and the private calendar feed: the person chooses how often, on which days and when.

The reminders reach the person through their own calendar app (a private feed
address it subscribes to, see ``services.reminders``); backmech sends no messages.
The feed address is shown once, right after it is made (only its hash is stored):
making a new one, or stopping it, ends the old address at once.

``GET /calendar/{token}.ics`` is public on purpose: a calendar app cannot sign in,
so the address itself is the credential, like an invitation link. An unknown
address is a plain 404; a plan withheld after a red flag gives an empty calendar,
so the events leave the person's calendar at its next refresh.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from backmech.exports.ical import empty_calendar, patient_calendar
from backmech.services.accounts import token_hash
from backmech.services.patient_data import plan_of
from backmech.services.patient_record import read_feed_record
from backmech.services.reminders import (
    WEEKDAY_NAMES,
    ReminderForm,
    describe,
    feed_exists,
    form_of,
    max_per_week,
    new_feed,
    parse_reminders,
    read_reminders,
    save_reminders,
    stop_feed,
)
from backmech.web.errors import error_response
from backmech.web.routes.documents import ICS
from backmech.web.security import app_state, require_patient
from backmech.web.templating import render

router = APIRouter()


def _page(
    request: Request,
    *,
    form: Any = None,
    problems: dict[str, str] | None = None,
    feed_url: str = "",
    saved: str = "",
    status_code: int = 200,
) -> Response:
    viewer, patient = require_patient(request)
    state = app_state(request)
    settings = read_reminders(state.uow_factory, viewer.user, patient)
    context: dict[str, Any] = {
        "form": form if form is not None else form_of(settings),
        "problems": list((problems or {}).values()),
        "errors": problems or {},
        "weekday_names": WEEKDAY_NAMES,
        "max_per_week": max_per_week(state.knowledge),
        "current": describe(settings),
        "chosen": settings is not None,
        "has_feed": feed_exists(state.uow_factory, viewer.user, patient),
        "feed_url": feed_url,
        "saved": saved,
    }
    return render(request, "patient/reminders.html", context, status_code=status_code)


@router.get("/me/reminders", include_in_schema=False)
def reminders_page(request: Request, saved: str = "") -> Response:
    return _page(request, saved=saved if saved in {"reminders", "stopped"} else "")


@router.post("/me/reminders", include_in_schema=False)
async def reminders_submit(request: Request) -> Response:
    submitted = await request.form()
    form: dict[str, list[str]] = {}
    for key, value in submitted.multi_items():
        form.setdefault(key, []).append(value if isinstance(value, str) else "")
    return await run_in_threadpool(_store, request, form)


def _store(request: Request, form: dict[str, list[str]]) -> Response:
    viewer, patient = require_patient(request)
    state = app_state(request)
    settings, problems = parse_reminders(form, state.knowledge, patient)
    if settings is None:
        shown = ReminderForm(
            per_week=(form.get("per_week") or [""])[-1],
            weekdays=frozenset(form.get("weekday") or []),
            time=(form.get("time") or [""])[-1],
        )
        return _page(request, form=shown, problems=problems, status_code=422)
    save_reminders(state.uow_factory, viewer.user, patient, settings)
    return RedirectResponse("/me/reminders?saved=reminders", status_code=303)


@router.post("/me/reminders/feed", include_in_schema=False)
def feed_create(request: Request) -> Response:
    """Make (or remake) the private address and show it once; the old address stops working."""
    viewer, patient = require_patient(request)
    token = new_feed(app_state(request).uow_factory, viewer.user, patient)
    url = str(request.url_for("calendar_feed", token=token))
    return _page(request, feed_url=url)


@router.post("/me/reminders/feed/stop", include_in_schema=False)
def feed_stop(request: Request) -> Response:
    viewer, patient = require_patient(request)
    stop_feed(app_state(request).uow_factory, viewer.user, patient)
    return RedirectResponse("/me/reminders?saved=stopped", status_code=303)


@router.get("/calendar/{token}.ics", include_in_schema=False, name="calendar_feed")
def calendar_feed(request: Request, token: str) -> Response:
    state = app_state(request)
    record = read_feed_record(state.uow_factory, token_hash(token)) if len(token) <= 100 else None
    if record is None:
        return error_response(
            request,
            404,
            "There is no calendar at this address.",
            "The address may have been replaced or stopped. Make a new one under Reminders in backmech.",
            code="no_feed",
        )
    today = dt.datetime.now(dt.UTC).date()
    feed = (
        patient_calendar(record, kb=state.knowledge, today=today)
        if plan_of(record) is not None
        else empty_calendar()
    )
    return Response(feed, media_type=ICS)
