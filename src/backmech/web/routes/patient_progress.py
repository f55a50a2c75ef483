"""The Progress page: the patient's own numbers as charts, each with a table of the same numbers.

Questionnaire charts shade the minimal important change only where the knowledge
base gives one with a source (``knowledge/questionnaires/*.yaml``, ``mcid``); where
it gives none, nothing is drawn. Exercise level over the course and movement tests
first-versus-latest come from ``services/course_charts.py``, drawn as in the reports.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from backmech.reports.report_charts import level_chart, movement_charts, questionnaire_chart
from backmech.services.course import course_so_far
from backmech.services.course_charts import exercise_levels
from backmech.services.daily_log import kind_of, patient_logs
from backmech.services.ports import MovementAnalysis
from backmech.services.progress import session_days
from backmech.web.charts import Series, calendar_chart, line_chart
from backmech.web.routes.movement_access import retry_when_locked
from backmech.web.routes.patient_common import PatientView, citation, load_patient_view
from backmech.web.security import app_state
from backmech.web.templating import render

router = APIRouter()

CALENDAR_WEEKS = 6
CHARTED = (
    ("odi", "percent", "How much back pain gets in the way of daily life (Oswestry)"),
    ("rmdq", "total", "Everyday activities limited by your back (Roland-Morris)"),
    ("nprs", "average", "Average pain over a day (0-10)"),
)
"""Questionnaire outputs charted over assessments (the primary disability and pain scores)."""


def _own_analyses(request: Request, view: PatientView) -> list[MovementAnalysis]:
    """The patient's movement analyses, oldest first (an audited read, as on the Movement page)."""

    def read() -> list[MovementAnalysis]:
        with app_state(request).uow_factory(actor=view.viewer.user.id) as uow:
            found = list(uow.movement_analyses.for_patient(view.patient.clinic_id, view.patient.id))
            uow.commit()  # keep the audit event of the read
        return found

    return retry_when_locked(read)


@router.get("/me/progress", include_in_schema=False)
def progress_page(request: Request) -> Response:
    view = load_patient_view(request)
    state = app_state(request)
    logs = list(patient_logs(state.uow_factory, view.viewer.user, view.patient))
    today = dt.date.today()
    before = [(log.session_date, float(log.pain_before)) for log in logs]
    after = [(log.session_date, float(log.pain_after)) for log in logs]
    morning = [
        (log.session_date, float(log.next_morning_pain)) for log in logs if log.next_morning_pain is not None
    ]
    pain_svg = line_chart(
        "chart-session-pain",
        "Pain before and after each session",
        f"{len(logs)} logged session(s), pain from 0 (none) to 10 (worst imaginable).",
        [Series("Before", before), Series("After", after)],
        y_label="Pain 0-10",
    )
    morning_svg = line_chart(
        "chart-morning-pain",
        "Pain the morning after a session",
        f"{len(morning)} next-morning answer(s), pain from 0 to 10.",
        [Series("Next morning", morning)],
        y_label="Pain 0-10",
    )
    calendar_svg = calendar_chart(
        "chart-calendar",
        f"Days with a session, last {CALENDAR_WEEKS} weeks",
        session_days(logs),
        today,
        CALENDAR_WEEKS,
    )
    assessments = list(view.assessments)
    charts = [
        c
        for q, o, t in CHARTED
        if (
            c := questionnaire_chart(
                state.knowledge,
                assessments,
                q,
                o,
                t,
                cite=lambda sid: citation(state.knowledge, sid),
                whose="your",
                series="Your score",
            )
        )
    ]
    course = (
        course_so_far(state.knowledge, assessments, view.current, logs, today)
        if view.plan is not None
        else None
    )
    levels = level_chart(exercise_levels(course, state.knowledge)) if course is not None else None
    return render(
        request,
        "patient/progress.html",
        {
            "logs": [(log, kind_of(log)) for log in reversed(logs)],
            "pain_svg": pain_svg,
            "morning_svg": morning_svg,
            "calendar_svg": calendar_svg,
            "score_charts": charts,
            "days_active": len({d for d in session_days(logs) if (today - d).days < CALENDAR_WEEKS * 7}),
            "has_assessment": bool(view.assessments),
            "level_chart": levels,
            "has_plan": view.plan is not None,
            "movement_charts": movement_charts(_own_analyses(request, view)),
        },
    )
