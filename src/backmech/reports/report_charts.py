"""The charts of the reports: session pain, questionnaire scores with the MCID band, the calendar.

The same pictures as the web's Progress page (``web/routes/patient_progress.py``),
drawn by the same functions, with the chart stylesheet embedded in each SVG so the
PDF renderer colours them too. The MCID band is shaded only where the knowledge base
gives an MCID with a source, as on the web.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cache

from markupsafe import Markup

from backmech.reports.basis import ReportBasis
from backmech.reports.charts import Band, Series, calendar_chart, line_chart
from backmech.reports.templating import stylesheet
from backmech.services.progress import ScorePoint, score_series, session_days

CHARTED = (
    ("odi", "percent", "How much back pain gets in the way of daily life (Oswestry)"),
    ("nprs", "average", "Average pain over a day (0-10)"),
    ("rmdq", "total", "Everyday activities limited by your back (Roland-Morris)"),
)
"""Questionnaire outputs charted over assessments (the primary disability and pain scores)."""
MAX_CALENDAR_WEEKS = 12
"""The calendar shows at most this many weeks (a page layout limit, not a clinical number)."""


@cache
def chart_css() -> str:
    return stylesheet("charts.css")


@dataclass(frozen=True)
class ScoreChart:
    questionnaire: str
    title: str
    points: list[ScorePoint]
    svg: Markup
    mcid_note: str


def score_chart(basis: ReportBasis, qid: str, output_id: str, title: str) -> ScoreChart | None:
    """One questionnaire output over the assessments, with the MCID band from the first score."""
    questionnaire = basis.kb.questionnaires.get(qid)
    output = questionnaire.output(output_id) if questionnaire is not None else None
    points = score_series(list(basis.record.assessments), qid, output_id)
    if questionnaire is None or output is None or not points:
        return None
    y_min = output.minimum if output.minimum is not None else 0.0
    y_max = output.maximum if output.maximum is not None else max(p.value for p in points)
    band, note = None, ""
    mcid = output.mcid
    if mcid is not None and mcid.points is not None:
        baseline = points[0].value
        towards_better = -mcid.points if output.higher_is_worse else mcid.points
        note = (
            f"The shaded band is within {mcid.points:g} points of the first score. A change that stays "
            f"inside it is smaller than the change most people notice as important "
            f"(minimal important change; source: {basis.citation(mcid.source)})."
        )
        band = Band(low=baseline, high=baseline + towards_better, label=note)
    direction = "Lower is better." if output.higher_is_worse else "Higher is better."
    desc = (
        f"{len(points)} assessment(s). Latest {points[-1].value:g} on {points[-1].on:%d %b %Y}. {direction}"
    )
    svg = line_chart(
        f"chart-{qid}",
        title,
        desc,
        [Series("Score", [(p.on, p.value) for p in points])],
        y_min=y_min,
        y_max=y_max,
        y_label="Percent" if output_id == "percent" else "Points",
        band=band,
        style=chart_css(),
    )
    return ScoreChart(qid, title, points, svg, note)


def score_charts(basis: ReportBasis) -> list[ScoreChart]:
    return [c for q, o, t in CHARTED if (c := score_chart(basis, q, o, t)) is not None]


def session_pain_chart(basis: ReportBasis, *, during: bool) -> Markup:
    """Pain before and after each logged session (and the worst during it, for the clinician)."""
    logs = basis.logs
    series = [Series("Before", [(log.session_date, float(log.pain_before)) for log in logs])]
    if during:
        series.append(
            Series(
                "Worst during",
                [(log.session_date, float(log.pain_during)) for log in logs if log.pain_during is not None],
            )
        )
    series.append(Series("After", [(log.session_date, float(log.pain_after)) for log in logs]))
    return line_chart(
        "chart-session-pain",
        "Pain before and after each session" + (", and the worst during it" if during else ""),
        f"{len(logs)} logged session(s), pain from 0 (none) to 10 (worst imaginable).",
        series,
        y_label="Pain 0-10",
        style=chart_css(),
    )


def morning_pain_chart(basis: ReportBasis) -> Markup:
    mornings = [
        (log.session_date, float(log.next_morning_pain))
        for log in basis.logs
        if log.next_morning_pain is not None
    ]
    return line_chart(
        "chart-morning-pain",
        "Pain the morning after a session",
        f"{len(mornings)} next-morning answer(s), pain from 0 to 10, by the day of the session.",
        [Series("Next morning", mornings)],
        y_label="Pain 0-10",
        style=chart_css(),
    )


def calendar_weeks(start: dt.date | None, today: dt.date) -> int:
    """Weeks from the plan's start (or one week) to today, at most :data:`MAX_CALENDAR_WEEKS`."""
    if start is None or start > today:
        return 1
    first_monday = start - dt.timedelta(days=start.weekday())
    return max(1, min(MAX_CALENDAR_WEEKS, math.ceil(((today - first_monday).days + 1) / 7)))


def adherence_calendar(basis: ReportBasis) -> Markup:
    weeks = calendar_weeks(basis.programme_start or basis.period[0], basis.today)
    return calendar_chart(
        "chart-calendar",
        f"Days with a session, last {weeks} week(s)",
        session_days(basis.logs),
        basis.today,
        weeks,
        style=chart_css(),
    )
