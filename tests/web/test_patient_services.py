"""The pure parts behind the daily pages: week summary, phase session, log parsing (position: the course)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from uuid import uuid4

import pytest

from backmech.services.daily_log import MAX_DAYS_BACK, idempotency_key, kind_of, parse_log
from backmech.services.ports import SessionLog
from backmech.services.progress import awaiting_morning_check, phase_session, streak, week_summary
from builders import item, phase, plan

TODAY = dt.date(2026, 3, 11)
A, B, C = item("a", 2), item("b", 3), item("c", 4)
PLAN = plan([A, B, C], weeks=6, phases=(phase(1, [A, B]), phase(2, [B, C])))


def _log(days_ago: int, morning: int | None = None) -> SessionLog:
    return SessionLog(
        patient_id=uuid4(),
        session_date=TODAY - dt.timedelta(days=days_ago),
        pain_before=3,
        pain_after=2,
        effort=5,
        next_morning_pain=morning,
        idempotency_key=str(uuid4()),
    )


def test_the_phase_session_follows_the_phase_and_keeps_clinician_changes() -> None:
    assert [e.slug for e in phase_session(PLAN, PLAN.phases[1])] == ["b", "c"]
    edited = dataclasses.replace(PLAN, exercises=(B, C, item("z")))  # a removed, z added
    assert [e.slug for e in phase_session(edited, edited.phases[0])] == ["b", "z"]
    assert [e.slug for e in phase_session(PLAN, None)] == ["a", "b", "c"]


def test_week_summary_streak_and_the_morning_check() -> None:
    logs = [_log(9), _log(3), _log(2), _log(1), _log(1, morning=2), _log(0)]
    week = week_summary(logs, TODAY)
    assert [done for _, done in week.days] == [False, False, False, True, True, True, True]
    assert week.active_days == 4 and week.sessions == 5
    assert streak(logs, TODAY) == 4
    assert streak(logs[:-1], TODAY) == 3  # today not logged yet: the run up to yesterday counts
    assert streak([_log(2)], TODAY) == 0
    waiting = awaiting_morning_check(logs, TODAY)
    assert waiting is logs[3]
    assert awaiting_morning_check([_log(1, morning=0), _log(2)], TODAY) is None


def _form(**values: str) -> dict[str, str]:
    form = {
        "pain_before": "4",
        "pain_after": "2",
        "effort": "7",
        "notes": "  fine  ",
        "session_date": "",
        "kind": "routine",
        "idempotency_key": "A" * 22,
    }
    form.update(values)
    return form


def test_parse_log_accepts_a_good_form_and_defaults_the_date() -> None:
    entry, problems = parse_log(_form(), TODAY)
    assert problems == [] and entry is not None
    assert (entry.pain_before, entry.pain_after, entry.effort, entry.notes) == (4, 2, 7, "fine")
    assert entry.session_date == TODAY and entry.kind == "routine" and entry.token == "A" * 22
    patient = uuid4()
    log = SessionLog(
        patient_id=patient,
        session_date=TODAY,
        pain_before=1,
        pain_after=1,
        effort=1,
        idempotency_key=idempotency_key(entry.kind, patient, entry.token),
    )
    assert kind_of(log) == "routine"
    assert kind_of(_log(0)) == ""


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("pain_before", "11", "outside the scale"),
        ("pain_after", "-1", "outside the scale"),
        ("effort", "5.5", "not a whole number"),
        ("effort", "", "choose a number"),
        ("session_date", "2026-03-12", "has not come yet"),
        ("session_date", (TODAY - dt.timedelta(days=MAX_DAYS_BACK + 1)).isoformat(), "last 30 days"),
        ("session_date", "11/03/2026", "YYYY-MM-DD"),
        ("notes", "x" * 2001, "2000 characters"),
        ("kind", "jog", "daily routine or the full session"),
    ],
)
def test_parse_log_names_each_problem(field: str, value: str, problem: str) -> None:
    entry, problems = parse_log(_form(**{field: value}), TODAY)
    assert entry is None
    assert len(problems) == 1 and problem in problems[0]


def test_a_missing_or_odd_token_is_replaced() -> None:
    entry, _ = parse_log(_form(idempotency_key="x:y"), TODAY)
    assert entry is not None and entry.token != "x:y" and len(entry.token) >= 16
