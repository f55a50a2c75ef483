"""The patient's daily pages: Today, the plan and the education library.

The session player and the daily log live in ``patient_session``, the charts in
``patient_progress``; their routers are included here so ``app.py`` needs one
name. Every route acts only on the signed-in patient's own record
(``require_patient`` inside :func:`load_patient_view`, and the services'
``authorise_patient_access``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from backmech.domain.plans.model import Plan
from backmech.services.daily_log import kind_of, new_token
from backmech.services.progress import (
    awaiting_morning_check,
    logged_today,
    minutes_of,
    phase_session,
    streak,
    week_summary,
)
from backmech.services.reminders import describe as describe_reminders
from backmech.web.errors import error_response
from backmech.web.routes import (
    documents,
    patient_check_in,
    patient_progress,
    patient_reminders,
    patient_session,
)
from backmech.web.routes.patient_common import citation, edited_slugs, load_course, load_patient_view
from backmech.web.security import app_state, require_patient
from backmech.web.templating import render

router = APIRouter()
router.include_router(patient_session.router)
router.include_router(patient_check_in.router)
router.include_router(patient_reminders.router)
router.include_router(patient_progress.router)
router.include_router(documents.router)


@router.get("/me", include_in_schema=False)
def today_page(request: Request, saved: str = "") -> Response:
    view = load_patient_view(request)
    context: dict[str, Any] = {"view": view, "saved": saved, "blocked": view.blocked, "triage": view.triage}
    plan = view.plan
    if plan is not None and view.assessed_on is not None:
        today = dt.date.today()
        loaded = load_course(request, view, today)
        position = loaded.position(plan)
        session = phase_session(plan, position.phase if position is not None else None)
        kb = app_state(request).knowledge
        logs = loaded.logs
        context.update(
            course=loaded.course,
            reminders=describe_reminders(loaded.reminders),
            reminders_chosen=loaded.reminders is not None,
            exercise_names={slug: exercise.name for slug, exercise in kb.exercises.items()},
            plan=plan,
            position=position,
            session=session,
            session_minutes=minutes_of(session),
            done_today=[(log, kind_of(log)) for log in logged_today(logs, today)],
            morning=awaiting_morning_check(logs, today),
            week=week_summary(logs, today),
            streak=streak(logs, today),
            token=new_token(),
            today=today,
        )
    return render(request, "patient/today.html", context)


@router.get("/me/plan", include_in_schema=False)
def plan_page(request: Request) -> Response:
    view = load_patient_view(request)
    plan = view.plan
    context: dict[str, Any] = {"view": view, "blocked": view.blocked, "triage": view.triage, "plan": plan}
    if plan is not None and view.current is not None and view.assessed_on is not None:
        kb = app_state(request).knowledge
        today = dt.date.today()
        position = load_course(request, view, today).position(plan)
        session = phase_session(plan, position.phase if position is not None else None)
        context.update(
            position=position,
            session=session,
            session_minutes=minutes_of(session),
            edits=view.current.edits,
            edited=edited_slugs(view.current),
            sources=[(sid, citation(kb, sid)) for sid in plan.sources],
        )
        key = (
            "plan",
            view.current.assessment.id,
            tuple(edit.id for edit in view.current.edits),
            (position.week, position.phase.number if position.phase else 0) if position else None,
            today,
        )
        context["plan_body"] = app_state(request).fragments.get_or_render(
            key, "patient/_plan_body.html", context
        )
    return render(request, "patient/plan.html", context)


def _recommended(plan: Plan | None) -> dict[str, str]:
    """Education slugs the plan chose, in the plan's order, with the reason given."""
    return {entry.slug: entry.reason for entry in plan.education} if plan is not None else {}


@router.get("/me/learn", include_in_schema=False)
def learn_page(request: Request) -> Response:
    view = load_patient_view(request)
    kb = app_state(request).knowledge
    chosen = _recommended(view.plan)
    recommended = [(kb.education[slug], reason) for slug, reason in chosen.items() if slug in kb.education]
    others = sorted(
        (module for slug, module in kb.education.items() if slug not in chosen), key=lambda m: m.title
    )
    return render(request, "patient/learn.html", {"recommended": recommended, "others": others})


@router.get("/me/learn/{slug}", include_in_schema=False)
def learn_module(request: Request, slug: str) -> Response:
    require_patient(request)
    kb = app_state(request).knowledge
    module = kb.education.get(slug)
    if module is None:
        return error_response(
            request,
            404,
            "There is no reading with that name.",
            "Go back to the Learn page and choose one from the list.",
        )
    sources = [(sid, citation(kb, sid)) for sid in module.sources]
    return render(request, "patient/learn_module.html", {"module": module, "sources": sources})
