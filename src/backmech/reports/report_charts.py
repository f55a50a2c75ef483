"""The charts of the reports: session pain, questionnaire scores with the MCID band, the calendar,
exercise level over the course and movement tests first-versus-latest.

The same pictures as the web's Progress page (``web/routes/patient_progress.py``),
drawn by the same functions, with the chart stylesheet embedded in each SVG so the
PDF renderer colours them too. The MCID band is shaded only where the knowledge base
gives an MCID with a source, as on the web.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from markupsafe import Markup

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.reports.basis import ReportBasis
from backmech.reports.charts import (
    Band,
    BeforeAfter,
    Series,
    before_after_chart,
    calendar_chart,
    line_chart,
    step_chart,
)
from backmech.reports.templating import environment, stylesheet
from backmech.services.course import course_so_far
from backmech.services.course_charts import (
    ExerciseLevels,
    TestChange,
    exercise_levels,
    most_changed,
    movement_before_after,
)
from backmech.services.ports import Assessment, MovementAnalysis
from backmech.services.progress import ScorePoint, score_series, session_days
from backmech.services.reminders import preference_of

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
    unit: str = "points"


def questionnaire_chart(
    kb: KnowledgeBase,
    assessments: Sequence[Assessment],
    qid: str,
    output_id: str,
    title: str,
    *,
    cite: Callable[[str], str],
    whose: str = "the",
    series: str = "Score",
    style: str = "",
) -> ScoreChart | None:
    """One questionnaire output over the assessments, with the MCID band from the first score.

    The one builder of the Progress page's and the reports' score charts: the band is
    shaded only where the knowledge base gives an MCID in points. ``whose`` is "your"
    on the person's own page, "the" in a document a clinician also reads.
    """
    questionnaire = kb.questionnaires.get(qid)
    output = questionnaire.output(output_id) if questionnaire is not None else None
    points = score_series(list(assessments), qid, output_id)
    if questionnaire is None or output is None or not points:
        return None
    y_min = output.minimum if output.minimum is not None else 0.0
    y_max = output.maximum if output.maximum is not None else max(p.value for p in points)
    unit = "%" if output_id == "percent" else "points"
    band, note = None, ""
    mcid = output.mcid
    if mcid is not None and mcid.points is not None:
        baseline = points[0].value
        towards_better = -mcid.points if output.higher_is_worse else mcid.points
        note = (
            f"The shaded band is within {mcid.points:g} points of {whose} first score. A change that stays "
            f"inside it is smaller than the change most people notice as important "
            f"(minimal important change; source: {cite(mcid.source)})."
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
        [Series(series, [(p.on, p.value) for p in points])],
        y_min=y_min,
        y_max=y_max,
        y_label="Percent" if unit == "%" else "Points",
        band=band,
        style=style,
    )
    return ScoreChart(qid, title, points, svg, note, unit)


def score_chart(basis: ReportBasis, qid: str, output_id: str, title: str) -> ScoreChart | None:
    return questionnaire_chart(
        basis.kb, basis.record.assessments, qid, output_id, title, cite=basis.citation, style=chart_css()
    )


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


# ------------------------------------------------------------------ exercise level and movement before/after


@dataclass(frozen=True)
class LevelChart:
    """Exercise level over the course: the chart, the lines drawn, and how many were left out."""

    svg: Markup
    lines: list[ExerciseLevels]
    left_out: int
    total: int


@dataclass(frozen=True)
class MovementChart:
    """One movement test's metrics, first and latest value each."""

    change: TestChange
    svg: Markup


def level_chart(levels: Sequence[ExerciseLevels], *, style: str = "") -> LevelChart | None:
    """The step chart of exercise level, the most changed exercises only; None when no level moved."""
    if not any(line.changes for line in levels):
        return None
    lines, left_out = most_changed(levels)
    shown = (
        f"{len(lines)} of the {len(levels)} exercises are drawn: the ones whose level changed most. "
        if left_out
        else ""
    )
    latest = "; ".join(f"{line.name} {_signed(line.latest.level)}" for line in lines)
    desc = (
        f"Exercise level in ladder steps from where the plan started (0): each step up is more "
        f"repetitions or a harder exercise, each step down an easier dose. {shown}Latest: {latest}."
    )
    svg = step_chart(
        "chart-exercise-level",
        "Exercise level over the course",
        desc,
        [Series(line.name, [(p.on, p.level) for p in line.points]) for line in lines],
        y_label="Steps from the start",
        style=style,
    )
    return LevelChart(svg, lines, left_out, len(levels))


def _signed(value: float) -> str:
    text = f"{abs(value):.1f}".rstrip("0").rstrip(".")
    return "0" if text == "0" else ("+" if value > 0 else "-") + text


def movement_chart(change: TestChange, *, style: str = "") -> Markup:
    """The dumbbell chart of one test: first and latest value of each metric (no band: see the rows)."""
    first = min(m.first_on for m in change.metrics)
    latest = max(m.latest_on for m in change.metrics)
    listed = "; ".join(f"{m.name}: {m.first:g} to {m.latest:g} {m.unit}" for m in change.metrics)
    return before_after_chart(
        f"chart-movement-{change.test}",
        f"{change.name}: first and latest video",
        f"{change.analyses} videos of this test, from {first:%d %b %Y} to {latest:%d %b %Y}. {listed}.",
        [BeforeAfter(m.name, m.unit, m.first, m.latest) for m in change.metrics],
        first_label=f"First ({first:%d %b})",
        latest_label=f"Latest ({latest:%d %b})",
        style=style,
    )


def movement_charts(analyses: Sequence[MovementAnalysis], *, style: str = "") -> list[MovementChart]:
    return [MovementChart(c, movement_chart(c, style=style)) for c in movement_before_after(analyses)]


@dataclass(frozen=True)
class CourseCharts:
    levels: LevelChart | None
    movement: list[MovementChart]

    @property
    def any(self) -> bool:
        return self.levels is not None or bool(self.movement)


def course_charts(basis: ReportBasis) -> CourseCharts:
    """Both charts for a report, with the stylesheet embedded (empty parts when there is no data).

    The report templates call this through the Jinja global of the same name (registered
    below), so the report renderers need no change to show the new section.
    """
    course = (
        course_so_far(
            basis.kb,
            basis.record.assessments,
            basis.current,
            basis.logs,
            basis.today,
            reminders=preference_of(basis.record.reminders),
            check_ins=basis.record.check_ins,
        )
        if basis.plan is not None
        else None
    )
    levels = level_chart(exercise_levels(course, basis.kb), style=chart_css()) if course else None
    return CourseCharts(levels, movement_charts(basis.record.movement_analyses, style=chart_css()))


environment().globals["course_charts"] = course_charts
