"""The patient's daily pages: Today, the plan and the education library.

The session player and the daily log live in ``patient_session``, the charts in
``patient_progress``; their routers are included here so ``app.py`` needs one
name. Every route acts only on the signed-in patient's own record
(``require_patient`` inside :func:`load_patient_view`, and the services'
``authorise_patient_access``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from backmech.services.check_ins import patient_check_ins
from backmech.services.course import course_so_far
from backmech.services.daily_log import kind_of, new_token, patient_logs
from backmech.services.progress import (
    awaiting_morning_check,
    logged_today,
    minutes_of,
    phase_session,
    plan_position,
    streak,
    week_summary,
)
from backmech.services.reminders import describe as describe_reminders
from backmech.services.reminders import preference_of, read_reminders
from backmech.web.errors import error_response
from backmech.web.routes import (
    documents,
    patient_check_in,
    patient_progress,
    patient_reminders,
    patient_session,
)
from backmech.web.routes.patient_common import citation, edited_slugs, load_patient_view
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
        logs = patient_logs(app_state(request).uow_factory, view.viewer.user, view.patient)
        check_ins = patient_check_ins(app_state(request).uow_factory, view.viewer.user, view.patient)
        reminders = read_reminders(app_state(request).uow_factory, view.viewer.user, view.patient)
        position = plan_position(plan, view.assessed_on, today)
        session = phase_session(plan, position.phase)
        kb = app_state(request).knowledge
        context.update(
            course=course_so_far(
                kb,
                view.assessments,
                view.current,
                logs,
                today,
                reminders=preference_of(reminders),
                check_ins=check_ins,
            ),
            reminders=describe_reminders(reminders),
            reminders_chosen=reminders is not None,
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
        position = plan_position(plan, view.assessed_on, dt.date.today())
        session = phase_session(plan, position.phase)
        context.update(
            position=position,
            session=session,
            session_minutes=minutes_of(session),
            edits=view.current.edits,
            edited=edited_slugs(view.current),
            sources=[(sid, citation(kb, sid)) for sid in plan.get("sources") or []],
        )
        key = (
            "plan",
            view.current.assessment.id,
            tuple(edit.id for edit in view.current.edits),
            position.week,  # the phase follows from the week and the plan
            dt.date.today(),
        )
        context["plan_body"] = app_state(request).fragments.get_or_render(
            key, "patient/_plan_body.html", context
        )
    return render(request, "patient/plan.html", context)


def _recommended(plan: Mapping[str, Any] | None) -> dict[str, str]:
    """Education slugs the plan chose, in the plan's order, with the reason given."""
    chosen: dict[str, str] = {}
    for entry in (plan or {}).get("education") or []:
        if isinstance(entry, Mapping) and entry.get("slug"):
            chosen[str(entry["slug"])] = str(entry.get("reason") or "")
    return chosen


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
