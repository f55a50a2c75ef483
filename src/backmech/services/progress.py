"""Where a patient is in their plan and how it is going: pure summaries over stored records.

Why pure functions: the Today and Progress pages, and their tests, need the same
answers (which week of the plan, which phase, how many sessions this week, which
session still waits for its next-morning check) without a database or a clock
(``today`` is always passed in).

Nothing here judges adherence: counts are reported as they are, for the person to
read without being nagged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backmech.services.ports import Assessment, SessionLog


@dataclass(frozen=True, slots=True)
class PlanPosition:
    """Week ``week`` of a ``weeks``-week plan (``week`` may pass ``weeks`` once it is finished)."""

    week: int
    weeks: int
    phase: Mapping[str, Any] | None

    @property
    def finished(self) -> bool:
        return self.week > self.weeks


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """The last seven days ending today: which had a logged session."""

    days: tuple[tuple[dt.date, bool], ...]
    sessions: int
    """Logged sessions in those days (two on one day count twice)."""

    @property
    def active_days(self) -> int:
        return sum(1 for _, done in self.days if done)


@dataclass(frozen=True, slots=True)
class ScorePoint:
    on: dt.date
    value: float


def plan_position(plan: Mapping[str, Any], assessed_on: dt.date, today: dt.date) -> PlanPosition:
    """Week N of the plan counted from the assessment day (day 0-6 is week 1), and its phase."""
    weeks = int(plan.get("weeks") or 0)
    week = max(0, (today - assessed_on).days) // 7 + 1
    phase: Mapping[str, Any] | None = None
    for candidate in plan.get("phases") or []:
        if not isinstance(candidate, Mapping):
            continue
        start, end = int(candidate.get("start_week") or 0), int(candidate.get("end_week") or 0)
        if start <= min(week, weeks or week) <= end:
            phase = candidate
            break
    return PlanPosition(week=week, weeks=weeks, phase=phase)


def session_days(logs: Iterable[SessionLog]) -> set[dt.date]:
    return {log.session_date for log in logs}


def week_summary(logs: Sequence[SessionLog], today: dt.date) -> WeekSummary:
    start = today - dt.timedelta(days=6)
    days = session_days(logs)
    window = tuple((start + dt.timedelta(days=i), start + dt.timedelta(days=i) in days) for i in range(7))
    sessions = sum(1 for log in logs if start <= log.session_date <= today)
    return WeekSummary(days=window, sessions=sessions)


def streak(logs: Iterable[SessionLog], today: dt.date) -> int:
    """Consecutive days with a session, ending today (or yesterday, if today is not logged yet)."""
    days = session_days(logs)
    day = today if today in days else today - dt.timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= dt.timedelta(days=1)
    return count


def logged_today(logs: Iterable[SessionLog], today: dt.date) -> list[SessionLog]:
    """Sessions logged for ``today`` (the Today page shows a done state instead of the form)."""
    return [log for log in logs if log.session_date == today]


def awaiting_morning_check(logs: Sequence[SessionLog], today: dt.date) -> SessionLog | None:
    """Yesterday's latest session if its next-morning pain is not recorded yet."""
    yesterday = today - dt.timedelta(days=1)
    waiting = [log for log in logs if log.session_date == yesterday and log.next_morning_pain is None]
    return waiting[-1] if waiting else None


def result_score(result: Mapping[str, Any], questionnaire: str, output: str) -> float | None:
    """One questionnaire output of a stored result (``None`` when it was not scored)."""
    scores = result.get("scores")
    score = scores.get(questionnaire) if isinstance(scores, Mapping) else None
    value = score.get(output) if isinstance(score, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def score_series(assessments: Sequence[Assessment], questionnaire: str, output: str) -> list[ScorePoint]:
    """One questionnaire output over the patient's assessments, oldest first (missing ones skipped)."""
    return [
        ScorePoint(on=assessment.created_at.date(), value=value)
        for assessment in assessments
        if (value := result_score(assessment.result, questionnaire, output)) is not None
    ]


def phase_session(plan: Mapping[str, Any], phase: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """The ~20-minute session for ``phase``: its exercises in the phase's order, with dose and reason.

    ``plan["exercises"]`` holds every session exercise once (with the clinician's
    edits applied); a phase names its session by slug. An exercise the clinician
    removed drops out; one they added or swapped in (in no phase's session) is
    kept, at the end. Without phases, the whole exercise list is the session.
    """
    exercises = [e for e in plan.get("exercises") or [] if isinstance(e, Mapping)]
    if phase is None:
        return exercises
    by_slug = {str(e.get("slug")): e for e in exercises}
    in_phases = {
        str(s.get("slug"))
        for p in plan.get("phases") or []
        if isinstance(p, Mapping)
        for s in p.get("session") or []
        if isinstance(s, Mapping)
    }
    chosen = [by_slug[slug] for s in phase.get("session") or [] if (slug := str(s.get("slug"))) in by_slug]
    added = [e for e in exercises if str(e.get("slug")) not in in_phases]
    return chosen + added


def minutes_of(items: Iterable[Mapping[str, Any]]) -> float:
    return round(sum(float(i.get("minutes") or 0) for i in items), 1)
