"""Whole 12-week courses replayed through ``course.replay``.

Four realistic people: a steady improver, a flare-up in week 4 that settles, someone
who stops after week one, and a red-flag answer in week 5. Expected values are worked
out from the rules by hand in the comments, not read back from the code.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, timedelta

import pytest

from backmech.domain.exercises.model import Exercise
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.progression.adherence import ReminderPreference
from backmech.domain.progression.alerts import Alert, AlertKind
from backmech.domain.progression.course import CoursePlan, replay
from backmech.domain.progression.ladder import Rung, Step
from backmech.domain.progression.log import DayEntry, Score, SessionLog
from backmech.domain.progression.pain_monitoring import Colour
from backmech.domain.progression.reassessment import Responder
from backmech.domain.progression.settings import ProgressionSettings

START = date(2026, 1, 5)  # a Monday
WEEKDAYS = frozenset(range(5))  # sessions planned Monday to Friday


def day(offset: int) -> date:
    return START + timedelta(days=offset)


@pytest.fixture
def plan(kb: KnowledgeBase) -> CoursePlan:
    return CoursePlan(
        start=START,
        weeks=12,
        baseline_pain=5,
        exercises=("bird-dog", "mcgill-curl-up", "glute-bridge"),
        session_weekdays=WEEKDAYS,
        phase_start_weeks=kb.plan.phase_start_weeks[12],
        reminders=ReminderPreference(3),
        baseline_scores=(Score("odi", 40), Score("nprs", 6), Score("psfs", 4)),
    )


def usual_pain(offset: int) -> int:
    """Pain before the session: 4 in weeks 1-3, 3 in 4-6, 2 in 7-9, 1 in 10-12 (never rising)."""
    return 4 - offset // 21


def improver_entries(skip: Callable[[int], bool] = lambda o: False) -> list[DayEntry]:
    entries = []
    for offset in range(84):
        if skip(offset):
            continue
        before = usual_pain(offset)
        session = (
            SessionLog(pain_before=before, pain_during=2, pain_after=1, next_morning_pain=before)
            if day(offset).weekday() in WEEKDAYS
            else None
        )
        scores: tuple[Score, ...] = ()
        if (offset + 1) % 14 == 0:
            k = (offset + 1) // 14  # 1..6
            scores = (Score("odi", 40 - 4 * k), Score("nprs", 6 - 0.5 * k), Score("psfs", 4 + 0.7 * k))
        entries.append(DayEntry(day(offset), session=session, walking_minutes=15, scores=scores))
    return entries


def _besides_reviews(alerts: tuple[Alert, ...]) -> tuple[Alert, ...]:
    """The alerts other than the decision-point reviews (tested on their own below)."""
    return tuple(a for a in alerts if a.kind is not AlertKind.DECISION_POINT)


def test_steady_improver(
    plan: CoursePlan, exercises: Mapping[str, Exercise], settings: ProgressionSettings
) -> None:
    result = replay(plan, improver_entries(), exercises, settings)
    assert len(result.days) == 84
    assert _besides_reviews(result.alerts) == ()
    reviews = [a for a in result.alerts if a.kind is AlertKind.DECISION_POINT]
    assert [a.day for a in reviews] == [day(13)]  # week 2, before the MCID is reached; none at 6 or 12
    assert result.flares == ()
    assert result.stopped_on is None
    assert result.reminders == ()  # every planned session was done: reminders stay quiet
    assert all(d.signal is None or d.signal.colour is Colour.GREEN for d in result.days)
    # 100 % every week: the streak grows by one each week.
    assert [w.streak for w in result.weeks] == list(range(1, 13))
    assert not any(w.drop_off_risk for w in result.weeks)
    # Phase 2 at the end of week 2 (calendar week 3, settled week); phase 3 at the end of
    # week 6 (calendar week 7, two GREEN weeks); maintenance (phase 4, calendar week 13)
    # at the end of week 12 because the ODI improved by more than the MCID.
    assert [(c.from_phase, c.to_phase) for c in result.phase_changes] == [(1, 2), (2, 3), (3, 4)]
    assert [d.week for d in result.days if d.phase_change] == [2, 6, 12]
    assert {d.day.weekday() for d in result.days if d.phase_change} == {6}  # decided on Sundays
    assert result.phase == 4
    # 60 GREEN sessions: +2 reps each, a harder variant after 12-10-8, then the top.
    assert result.rungs == (
        Rung("bird-dog-sweeps", (12, 10, 8)),
        Rung("mcgill-curl-up-pre-braced", (12, 10, 8)),
        Rung("single-leg-bridge", (12, 12)),
    )
    first = result.day(day(0))
    assert [d.step for d in first.decisions] == [Step.PROGRESS] * 3
    assert first.decisions[0].after == Rung("bird-dog", (8, 6, 4))
    # Walking: 10 min, +10 % a week up to 30.
    walking = [w.walking_minutes for w in result.weeks]
    assert walking[:3] == [10.0, 11.0, 12.1]
    assert all(b >= a for a, b in itertools.pairwise(walking))
    # The final reassessment: ODI 40 -> 16, NPRS 6 -> 3, PSFS 4 -> 8.2, all improved.
    last = result.day(day(83))
    assert last.due is not None and last.due.movement_retest and last.due.questionnaires
    assert {c.measure: c.status for c in last.changes} == {
        "odi": Responder.IMPROVED,
        "nprs": Responder.IMPROVED,
        "psfs": Responder.IMPROVED,
    }
    # Deterministic: the same entries give the same timeline.
    assert replay(plan, improver_entries(), exercises, settings) == result


def flare_entries() -> list[DayEntry]:
    """The improver, but Wednesday of week 4 (day 23) flares: 7/10 during and next morning.

    Thursday and Friday (days 24-25) are rest days with short walks; sessions start
    again on Monday of week 5 (day 28), both GREEN.
    """
    entries = {e.day: e for e in improver_entries()}
    entries[day(23)] = DayEntry(
        day(23),
        session=SessionLog(pain_before=3, pain_during=7, pain_after=7, next_morning_pain=7),
        walking_minutes=5,
    )
    for rest in (24, 25):
        entries[day(rest)] = DayEntry(day(rest), walking_minutes=10)
    return list(entries.values())


def test_flare_in_week_4_settles(
    plan: CoursePlan, exercises: Mapping[str, Exercise], settings: ProgressionSettings
) -> None:
    result = replay(plan, flare_entries(), exercises, settings)
    # One flare: started by the RED session (7 is 4 above the usual 3), settled by
    # two GREEN sessions in a row on Monday and Tuesday of week 5.
    assert len(result.flares) == 1
    assert (result.flares[0].started, result.flares[0].settled) == (day(23), day(29))
    started = result.day(day(23))
    assert started.signal is not None and started.signal.colour is Colour.RED
    assert started.flare_started is not None
    assert started.flare_started.trigger.source == settings.flare.detect_source
    assert started.flare_started.reduced_until == day(25)
    assert started.decisions == ()  # the flare plan replaces the ladder that day
    assert [result.day(day(o)).in_flare for o in range(22, 31)] == [False] + [True] * 6 + [False, False]
    # Back after the flare: half volume, first GREEN holds, second GREEN progresses.
    # 17 GREEN sessions before the flare took bird dog to the top rung at 12-10-8; the
    # flare halves it to 6-4-2.
    monday = result.day(day(28))
    assert [d.step for d in monday.decisions] == [Step.HOLD] * 3
    assert monday.decisions[0].before == Rung("bird-dog-sweeps", (6, 4, 2))
    tuesday = result.day(day(29))
    assert tuesday.flare_settled
    assert [d.step for d in tuesday.decisions] == [Step.PROGRESS] * 3
    assert tuesday.decisions[0].after == Rung("bird-dog-sweeps", (8, 6, 4))
    # A flare that settles within days raises no clinician alert.
    assert _besides_reviews(result.alerts) == ()
    # Rest days during the flare are excused: week 4 still meets the target.
    week4 = result.weeks[3]
    assert (week4.adherence.planned, week4.adherence.excused, week4.adherence.done) == (3, 2, 3)
    assert week4.adherence.met and week4.streak == 4
    assert week4.pain.red == 1
    # Walking for week 5 is cut after the RED week 4.
    assert result.weeks[4].walking_minutes < result.weeks[3].walking_minutes
    # The flare costs time, not the destination: the same top doses by week 12.
    improver = replay(plan, improver_entries(), exercises, settings)
    assert result.rungs == improver.rungs


def test_non_adherent_after_week_one(
    plan: CoursePlan, exercises: Mapping[str, Exercise], settings: ProgressionSettings
) -> None:
    entries = improver_entries(skip=lambda o: o >= 7)
    result = replay(plan, entries, exercises, settings)
    # Nothing logged from day 7: the third empty day (day 9) raises one alert.
    inactive = [a for a in result.alerts if a.kind is AlertKind.INACTIVE]
    assert [a.day for a in inactive] == [day(9)]
    assert len(_besides_reviews(result.alerts)) == 1
    # Reminders: 3 a week at most in any 7 days -> Monday to Wednesday of weeks 2-12.
    expected = [day(7 * w + d) for w in range(1, 12) for d in (0, 1, 2)]
    assert list(result.reminders) == expected
    for first in range(84):
        assert sum(1 for r in result.reminders if day(first) <= r < day(first + 7)) <= 3
    # Week 1 met the target, week 2 did not: drop-off risk from week 2 on.
    assert [w.streak for w in result.weeks[:3]] == [1, 0, 0]
    assert [w.drop_off_risk for w in result.weeks[:3]] == [False, True, True]
    # No sessions, no settled weeks: the person stays in phase 1.
    assert result.phase == 1 and result.phase_changes == ()


def test_red_flag_in_week_5_stops_the_programme(
    plan: CoursePlan, exercises: Mapping[str, Exercise], settings: ProgressionSettings, kb: KnowledgeBase
) -> None:
    flag = "saddle_numbness"
    assert flag in {q.id for q in kb.safety.questions}
    entries = {e.day: e for e in improver_entries()}
    stop_day = day(30)  # Wednesday of week 5
    entries[stop_day] = DayEntry(
        stop_day,
        session=SessionLog(pain_before=3, pain_during=1, pain_after=1, next_morning_pain=3),
        red_flags=(flag,),
    )
    result = replay(plan, list(entries.values()), exercises, settings)
    assert result.stopped_on == stop_day
    [alert] = _besides_reviews(result.alerts)
    assert alert.kind is AlertKind.RED_FLAG and alert.stops_programme and alert.day == stop_day
    stopped = result.day(stop_day)
    assert stopped.stopped and stopped.signal is None and stopped.decisions == ()
    # After the stop nothing else happens: no decisions, reminders, alerts or phase changes.
    after = [d for d in result.days if d.day >= stop_day]
    assert all(d.stopped for d in after)
    assert not any(d.decisions or d.reminder or d.phase_change or d.due for d in after[1:])
    before = [d for d in result.days if d.day < stop_day]
    assert not any(d.stopped for d in before)
    assert len(result.weeks) == 4
    assert result.phase == 2


def test_entries_outside_the_course_or_twice_are_rejected(
    plan: CoursePlan, exercises: Mapping[str, Exercise], settings: ProgressionSettings
) -> None:
    with pytest.raises(ValueError, match="outside the course"):
        replay(plan, [DayEntry(day(84))], exercises, settings)
    with pytest.raises(ValueError, match="two entries"):
        replay(plan, [DayEntry(day(3)), DayEntry(day(3))], exercises, settings)
    with pytest.raises(ValueError, match="unknown measure 'oswestry'"):
        replay(plan, [DayEntry(day(13), scores=(Score("oswestry", 30),))], exercises, settings)
    with pytest.raises(ValueError, match="unknown exercise"):
        replay(replace(plan, exercises=("no-such-move",)), [], exercises, settings)


def test_flare_that_lingers_then_recurs(
    plan: CoursePlan, exercises: Mapping[str, Exercise], settings: ProgressionSettings, kb: KnowledgeBase
) -> None:
    """An 8-week course with every clinician alert except the red flag.

    Reported flare on day 10 (no session), AMBER sessions keep it going past the
    14-day window (alert on day 25), ODI worse by 12 on day 13, two GREEN sessions
    settle it on day 29, leg symptoms spread on day 30, and a second reported flare on
    day 31 is the second within 6 weeks.
    """
    plan = replace(plan, weeks=8, phase_start_weeks=kb.plan.phase_start_weeks[8])
    green = SessionLog(pain_before=4, pain_during=2, pain_after=1, next_morning_pain=4)
    amber = SessionLog(pain_before=4, pain_during=4, pain_after=3, next_morning_pain=4)
    entries = []
    for offset in range(56):
        weekday = day(offset).weekday() in WEEKDAYS
        session = None
        if weekday and (offset < 10 or 28 <= offset <= 29 or offset >= 32):
            session = green
        elif weekday and 11 <= offset <= 27:
            session = amber
        elif offset == 30:
            session = replace(green, peripheralisation=True)
        entries.append(
            DayEntry(
                day(offset),
                session=session,
                walking_minutes=10,
                reported_flare=offset in (10, 31),
                scores=(Score("odi", 52),) if offset == 13 else (),
            )
        )
    result = replay(plan, entries, exercises, settings)
    assert [(a.day, a.kind) for a in _besides_reviews(result.alerts)] == [
        (day(13), AlertKind.DETERIORATED),
        (day(25), AlertKind.FLARE_NOT_SETTLING),
        (day(30), AlertKind.RESCREEN),
        (day(31), AlertKind.REPEATED_FLARES),
    ]
    assert [(f.started, f.settled) for f in result.flares] == [(day(10), day(29)), (day(31), day(35))]
    first = result.day(day(10)).flare_started
    assert first is not None and first.trigger.source == settings.flare.definition_source
    spreading = result.day(day(30)).signal
    assert spreading is not None and spreading.colour is Colour.RED and spreading.rescreen
    assert result.stopped_on is None


def test_a_course_under_way_is_replayed_up_to_today_only(settings: ProgressionSettings) -> None:
    """Days after ``until`` are not visited: no alerts for silence that has not happened yet."""
    from backmech.bootstrap import assessment_service

    kb = assessment_service().kb
    start = date(2026, 1, 5)
    plan = CoursePlan(
        start=start,
        weeks=8,
        baseline_pain=5,
        exercises=("bird-dog",),
        session_weekdays=frozenset(range(7)),
        phase_start_weeks=(1, 3, 5, 7),
        reminders=ReminderPreference(per_week=3),
    )
    entries = [
        DayEntry(
            start + timedelta(days=d),
            session=SessionLog(pain_before=4, pain_during=2, pain_after=3, next_morning_pain=3),
        )
        for d in range(10)
    ]
    whole = replay(plan, entries, kb.exercises, settings)
    today = start + timedelta(days=9)
    partial = replay(plan, entries, kb.exercises, settings, until=today)
    assert len(whole.days) == 56 and len(partial.days) == 10
    assert partial.days == whole.days[:10]
    assert any(a.kind.value == "inactive" for a in whole.alerts)
    assert not any(a.kind.value == "inactive" for a in partial.alerts)
    assert len(partial.weeks) == 1
    assert replay(plan, entries, kb.exercises, settings, until=start - timedelta(days=1)).days == ()
