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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from backmech.domain.plans.model import Phase, Plan, PlannedExercise
from backmech.services.ports import Assessment, SessionLog


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


def score_series(assessments: Sequence[Assessment], questionnaire: str, output: str) -> list[ScorePoint]:
    """One questionnaire output over the patient's assessments, oldest first (missing ones skipped)."""
    return [
        ScorePoint(on=assessment.created_at.date(), value=value)
        for assessment in assessments
        if (value := assessment.result.score(questionnaire, output)) is not None
    ]


def phase_session(plan: Plan, phase: Phase | None) -> list[PlannedExercise]:
    """The ~20-minute session for ``phase``: its exercises in the phase's order, with dose and reason.

    ``plan.exercises`` holds every session exercise once (with the clinician's edits
    applied); a phase names its session by slug. An exercise the clinician removed drops
    out; one they added or swapped in (in no phase's session) is kept, at the end. Without
    a phase, the whole exercise list is the session.
    """
    if phase is None:
        return list(plan.exercises)
    by_slug = {e.slug: e for e in plan.exercises}
    in_phases = {s.slug for p in plan.phases for s in p.session}
    chosen = [by_slug[s.slug] for s in phase.session if s.slug in by_slug]
    added = [e for e in plan.exercises if e.slug not in in_phases]
    return chosen + added


def minutes_of(items: Iterable[PlannedExercise]) -> float:
    return round(sum(i.minutes for i in items), 1)
