"""Adherence, streaks, drop-off risk, inactivity and reminders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backmech.domain.progression.adherence import (
    ReminderPreference,
    WeekAdherence,
    drop_off_risk,
    inactive_run,
    reminder_schedule,
    should_remind,
    week_adherence,
    weekly_streak,
)
from backmech.domain.progression.settings import AdherenceSettings, ProgressionSettings
from backmech.knowledge.loader import default_knowledge

MON = date(2026, 1, 5)


def days(*offsets: int) -> list[date]:
    return [MON + timedelta(days=o) for o in offsets]


@pytest.mark.parametrize(
    ("planned", "done", "flare_rest", "counted", "excused", "n_done", "met"),
    [
        ([0, 1, 2, 3, 4], [0, 1, 2, 3, 4], [], 5, 0, 5, True),
        ([0, 1, 2, 3, 4], [0, 1, 2, 3], [], 5, 0, 4, True),
        ([0, 1, 2, 3, 4], [0, 1, 2], [], 5, 0, 3, False),
        # Rest days in a flare do not count against the week.
        ([0, 1, 2, 3, 4], [0, 1, 2], [3, 4], 3, 2, 3, True),
        # A flare day on which the person still trained is not excused.
        ([0, 1, 2, 3, 4], [0, 1, 2, 3], [3, 4], 4, 1, 4, True),
        # Extra sessions on unplanned days are welcome but not counted.
        ([0, 2, 4], [5, 6], [], 3, 0, 0, False),
        ([0, 2], [], [0, 2], 0, 2, 0, None),
    ],
)
def test_week_table(
    planned: list[int],
    done: list[int],
    flare_rest: list[int],
    counted: int,
    excused: int,
    n_done: int,
    met: bool | None,
    settings: ProgressionSettings,
) -> None:
    week = week_adherence(1, days(*planned), set(days(*done)), set(days(*flare_rest)), settings.adherence)
    assert (week.planned, week.excused, week.done, week.met) == (counted, excused, n_done, met)
    assert week.source == settings.adherence.target_source


def _week(n: int, planned: int, done: int) -> WeekAdherence:
    return WeekAdherence(n, planned, 0, done, 80.0, "heuristic-consistency-target")


@pytest.mark.parametrize(
    ("weeks", "streak", "risk"),
    [
        ([(5, 5)], 1, False),
        ([(5, 5), (5, 5), (5, 4)], 3, False),
        ([(5, 5), (5, 2), (5, 5)], 1, False),
        ([(5, 5), (5, 0)], 0, True),
        ([(5, 2), (5, 1)], 0, True),
        ([(5, 2), (5, 2)], 0, False),
        ([(5, 1), (5, 3)], 0, False),
        # A week fully excused by a flare neither breaks nor extends the streak.
        ([(5, 5), (0, 0), (5, 5)], 2, False),
        ([(5, 5), (0, 0)], 1, False),
    ],
)
def test_streak_and_drop_off(weeks: list[tuple[int, int]], streak: int, risk: bool) -> None:
    reports = [_week(i + 1, p, d) for i, (p, d) in enumerate(weeks)]
    assert weekly_streak(reports) == streak
    assert drop_off_risk(reports) is risk


@pytest.mark.parametrize(
    ("active", "today", "run"),
    [([0, 1, 2], 2, 0), ([0], 3, 3), ([], 2, 3), ([0, 5], 6, 1), ([3], 9, 6), ([], 0, 1)],
)
def test_inactive_run(active: list[int], today: int, run: int) -> None:
    assert inactive_run(set(days(*active)), MON, MON + timedelta(days=today)) == run


@pytest.mark.parametrize(
    ("planned", "done", "weekdays", "sent", "expected"),
    [
        (True, False, range(7), [], True),
        (False, False, range(7), [], False),
        (True, True, range(7), [], False),
        (True, False, [1, 2], [], False),
        (True, False, range(7), [-3, -2], False),
        (True, False, range(7), [-7, -6], True),
        (True, False, range(7), [-6, -1], False),
    ],
)
def test_should_remind_table(
    planned: bool,
    done: bool,
    weekdays: range | list[int],
    sent: list[int],
    expected: bool,
    settings: ProgressionSettings,
) -> None:
    preference = ReminderPreference(2, frozenset(weekdays))
    day = MON + timedelta(days=14)
    sent_days = [day + timedelta(days=s) for s in sent]
    assert should_remind(day, planned, done, sent_days, preference, settings.adherence) is expected


def test_the_knowledge_cap_applies_even_when_the_person_asks_for_more(settings: ProgressionSettings) -> None:
    every_day = days(*range(28))
    greedy = ReminderPreference(50)
    assert len(reminder_schedule(every_day, set(every_day), set(), greedy, settings.adherence)) == 28
    strict = AdherenceSettings(80, "x", 3, 2, "y")
    assert len(reminder_schedule(every_day, set(every_day), set(), greedy, strict)) == 8


_ADHERENCE = default_knowledge().progression.adherence


@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    length=st.integers(min_value=1, max_value=84),
    planned_weekdays=st.frozensets(st.integers(0, 6)),
    allowed=st.frozensets(st.integers(0, 6)),
    per_week=st.integers(min_value=0, max_value=9),
    done_offsets=st.frozensets(st.integers(0, 83)),
)
def test_reminders_never_exceed_the_cadence(
    start: date,
    length: int,
    planned_weekdays: frozenset[int],
    allowed: frozenset[int],
    per_week: int,
    done_offsets: frozenset[int],
) -> None:
    course = [start + timedelta(days=i) for i in range(length)]
    planned = {d for d in course if d.weekday() in planned_weekdays}
    done = {start + timedelta(days=o) for o in done_offsets}
    preference = ReminderPreference(per_week, allowed)
    sent = reminder_schedule(course, planned, done, preference, _ADHERENCE)
    cap = min(per_week, _ADHERENCE.max_reminders_per_week)
    for day in sent:
        assert day in planned and day not in done and day.weekday() in allowed
    for first in course:
        window = [d for d in sent if first <= d < first + timedelta(days=7)]
        assert len(window) <= cap
    # Not silent without reason: a planned, undone, allowed day with room in the window is reminded.
    for day in course:
        room = sum(1 for d in sent if day - timedelta(days=6) <= d < day) < cap
        if day in planned and day not in done and day.weekday() in allowed and room:
            assert day in sent
