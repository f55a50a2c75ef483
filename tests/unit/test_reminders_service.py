"""The reminder service: the form, the cadence in words, and the feed's reminder days (property test)."""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.progression.course import CoursePlan
from backmech.knowledge.loader import default_knowledge
from backmech.services.ports import Patient, ReminderSettings, SessionLog
from backmech.services.reminders import (
    NO_REMINDERS,
    describe,
    parse_reminders,
    reminder_days,
)

KB: KnowledgeBase = default_knowledge()
PATIENT = Patient(clinic_id=uuid4(), user_id=uuid4(), display_name="P")
START = dt.date(2026, 1, 5)


def _plan(weeks: int = 12) -> CoursePlan:
    return CoursePlan(
        start=START,
        weeks=weeks,
        baseline_pain=5,
        exercises=(),
        session_weekdays=frozenset(range(7)),
        phase_start_weeks=(1,),
        reminders=NO_REMINDERS,
    )


def _settings(per_week: int, weekdays: frozenset[int]) -> ReminderSettings:
    return ReminderSettings(
        patient_id=PATIENT.id, per_week=per_week, weekdays=weekdays, time_of_day=dt.time(9)
    )


def _log(day: dt.date) -> SessionLog:
    return SessionLog(
        patient_id=PATIENT.id,
        session_date=day,
        pain_before=3,
        pain_after=3,
        effort=4,
        idempotency_key=str(day),
    )


def test_a_complete_form_becomes_settings() -> None:
    parsed, problems = parse_reminders(
        {"per_week": ["3"], "weekday": ["0", "2", "4"], "time": ["18:30"]}, KB, PATIENT
    )
    assert problems == {} and parsed is not None
    assert parsed.per_week == 3 and parsed.weekdays == {0, 2, 4} and parsed.time_of_day == dt.time(18, 30)
    assert describe(parsed) == "At most 3 reminders in any 7 days, on Monday, Wednesday and Friday, at 18:30."


def test_zero_means_none_and_needs_no_days() -> None:
    parsed, problems = parse_reminders({"per_week": ["0"], "time": ["08:00"]}, KB, PATIENT)
    assert problems == {} and parsed is not None and describe(parsed) == "No reminders."
    assert describe(None) == "No reminders."


def test_more_asked_than_days_allowed_is_described_as_what_can_happen() -> None:
    assert describe(_settings(5, frozenset({6}))) == "At most 1 reminder in any 7 days, on Sunday, at 09:00."
    assert "on any day" in describe(_settings(7, frozenset(range(7))))


def test_every_wrong_field_is_named() -> None:
    parsed, problems = parse_reminders(
        {"per_week": ["eight"], "weekday": ["9"], "time": ["6pm"]}, KB, PATIENT
    )
    assert parsed is None and set(problems) == {"per_week", "weekday", "time"}
    _, too_many = parse_reminders({"per_week": ["8"], "weekday": ["1"], "time": ["06:00"]}, KB, PATIENT)
    assert "from 0 (none) to 7" in too_many["per_week"]
    _, no_days = parse_reminders({"per_week": ["2"], "time": ["06:00"]}, KB, PATIENT)
    assert set(no_days) == {"weekday"}


def test_no_settings_no_reminders() -> None:
    assert reminder_days(KB, _plan(), [], None, START) == ()
    assert reminder_days(KB, _plan(), [], _settings(0, frozenset(range(7))), START) == ()


@settings(max_examples=150, deadline=None)
@given(
    per_week=st.integers(0, 7),
    weekdays=st.frozensets(st.integers(0, 6)),
    logged=st.frozensets(st.integers(0, 83)),
    today_offset=st.integers(0, 83),
)
def test_the_feed_never_reminds_more_than_asked(
    per_week: int, weekdays: frozenset[int], logged: frozenset[int], today_offset: int
) -> None:
    plan = _plan()
    logs = [_log(START + dt.timedelta(days=o)) for o in logged]
    today = START + dt.timedelta(days=today_offset)
    days = reminder_days(KB, plan, logs, _settings(per_week, weekdays), today)
    logged_days = {log.session_date for log in logs}
    assert all(today <= d <= plan.end for d in days)
    assert all(d.weekday() in weekdays and d not in logged_days for d in days)
    for day in days:
        assert sum(1 for d in days if day - dt.timedelta(days=6) <= d <= day) <= per_week
