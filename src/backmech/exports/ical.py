"""An iCalendar (RFC 5545) feed of a plan: the daily routine, the sessions and the reassessments.

Why a calendar: a plan is followed on days, and people keep their days in a calendar
app. The feed holds, as all-day events that do not block time (the plan does not say
at what hour):

* the daily routine, every day for the plan's weeks (one recurring event);
* the ~20-minute session on the planned weekdays, one recurring event per phase
  (each phase has its own exercises) over the weeks the course gives the phase: the
  weeks the person spent in it, then the earliest weeks of the phases to come;
* a questionnaire reassessment every ``questionnaires_every_days`` days;
* a movement retest at the end of each week in ``movement_retest_weeks``;
* the reminders the person asked for (``services.reminders``): a short event at the
  time they chose with an alert, on the days the cadence allows from today on. These
  are the only events with an alert; everything else is quiet.

Every event has a UID made from the patient id and what the event is (not from the
assessment or the date), so importing a newer feed updates the events already in the
calendar instead of adding copies; ``SEQUENCE`` grows with every new plan or plan edit
so that calendar apps take the newer version. Descriptions list what to do and say
that the plan supports decisions and does not replace a clinician. No name or other
identifying detail is written: calendars are often synced to third-party services.

Example::

    record = read_patient_record(uow_factory, clinician, patient_id, clinic_id)
    Path("plan.ics").write_bytes(patient_calendar(record, kb=kb, today=dt.date.today()))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid5

from icalendar import Alarm, Calendar, Event

from backmech.domain.errors import BackmechError
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.plans.model import Phase, Plan, PlannedExercise, SessionEntry
from backmech.services.course import PhaseWeeks, course_so_far, nominal_schedule, plan_decision_points
from backmech.services.patient_data import plan_of
from backmech.services.patient_record import PatientRecord
from backmech.services.reminders import NO_REMINDERS, preference_of, reminder_days

UID_NAMESPACE = UUID("6f1c3b0e-5a7d-4c1e-9a63-0b6d2f1e8c42")
"""Fixed forever: changing it would change every UID and duplicate every event in people's calendars."""

DISCLAIMER = (
    "backmech supports decisions; it does not replace a clinician. "
    "If your symptoms change or new ones appear, contact your clinician."
)

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

SPREAD_WEEKDAYS: Mapping[int, frozenset[int]] = {
    1: frozenset({2}),
    2: frozenset({0, 3}),
    3: frozenset({0, 2, 4}),
    4: frozenset({0, 1, 3, 4}),
    5: frozenset({0, 1, 2, 3, 4}),
    6: frozenset({0, 1, 2, 3, 4, 5}),
    7: frozenset(range(7)),
}
"""Session weekdays (``date.weekday()``, Monday 0) for a number of days a week, spread with rest days."""


@dataclass(frozen=True, slots=True)
class CalendarOptions:
    """What a plan alone does not say: who it is for, when it starts, on which days, which revision."""

    feed_id: UUID
    """The patient's id: with each event's kind it makes the stable UID."""
    start: dt.date
    """Day 1 of the plan."""
    session_weekdays: Collection[int]
    made_at: dt.datetime
    """When this version of the plan was made (DTSTAMP): the same plan gives the same bytes."""
    sequence: int = 0
    reminder_days: Sequence[dt.date] = ()
    """Days with a reminder (with an alert at ``reminder_time``); none unless the person asked."""
    reminder_time: dt.time = dt.time(18, 0)
    schedule: tuple[PhaseWeeks, ...] | None = None
    """The phases' weeks in the person's course (``None``: each phase from its earliest start week)."""


REMINDER_MINUTES = 10
"""How long a reminder event lasts in the calendar: long enough to see, short enough not to block a day."""


def patient_calendar(
    record: PatientRecord,
    *,
    kb: KnowledgeBase,
    today: dt.date,
) -> bytes:
    """The feed of the plan the patient follows now (the latest plan with the clinician's edits).

    Refuses when there is no plan to follow: none made yet, or the newest assessment
    withheld it (a red flag): an older plan must not go back into someone's calendar.
    Day 1 is the course's first day and each phase sits in the weeks the course replay
    gives it (:meth:`~backmech.services.course.Course.schedule`), so the calendar agrees
    with the pages and documents. The session days come from the intake's
    ``preferences.days_per_week`` (5 if not given); the reminders the person asked for
    are added from ``today`` on.
    """
    current = plan_of(record)
    asked = preference_of(record.reminders) if record.reminders is not None else NO_REMINDERS
    course = (
        course_so_far(kb, record.assessments, current, record.session_logs, today, reminders=asked)
        if current is not None
        else None
    )
    if current is None or course is None:
        raise BackmechError(
            "There is no plan to put in a calendar: no assessment has made one, or the newest withheld it.",
            hint="A plan is withheld after a red flag or an unfinished safety screen; see a clinician first.",
        )
    plans_made = sum(1 for a in record.assessments if a.result.plan is not None)
    made_at = max([current.assessment.created_at, *(edit.at for edit in current.edits)])
    reminders: tuple[dt.date, ...] = ()
    if record.reminders is not None:
        reminders = reminder_days(kb, course.plan, record.session_logs, record.reminders, today)
    options = CalendarOptions(
        feed_id=record.patient.id,
        start=course.plan.start,
        session_weekdays=SPREAD_WEEKDAYS[_days_per_week(current.assessment.intake)],
        made_at=made_at,
        sequence=plans_made - 1 + len(record.plan_edits),
        reminder_days=reminders,
        reminder_time=record.reminders.time_of_day if record.reminders is not None else dt.time(18, 0),
        schedule=course.schedule(current.plan),
    )
    return plan_calendar(current.plan, options)


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//backmech//recovery plan//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Back recovery plan")
    return calendar


def empty_calendar() -> bytes:
    """A feed with no events: what a subscribed calendar gets while no plan may be followed.

    An error would make calendar apps keep the old events; an empty feed removes them.
    """
    feed: bytes = _calendar().to_ical()
    return feed


def plan_calendar(plan: Plan, options: CalendarOptions) -> bytes:
    """The feed of one plan (with the clinician's edits), as RFC 5545 bytes."""
    weeks = plan.weeks
    if weeks < 1:
        raise BackmechError("The plan has no weeks to put in a calendar.", hint="Check the plan's length.")
    calendar = _calendar()
    events = [
        *_routine(plan, weeks, options),
        *_sessions(plan, weeks, options),
        *_questionnaires(plan, weeks, options),
        *_movement_retests(plan, options),
        *_reminders(options),
    ]
    for event in events:
        calendar.add_component(event)
    feed: bytes = calendar.to_ical()
    return feed


def _routine(plan: Plan, weeks: int, options: CalendarOptions) -> list[Event]:
    if not plan.daily_routine:
        return []
    minutes = plan.daily_routine_minutes
    summary = "Daily back routine" + (f" (about {_minutes(minutes)} minutes)" if minutes else "")
    lines = ["Every day, a short routine:", *(_exercise_line(item) for item in plan.daily_routine)]
    event = _event(options, "routine", options.start, summary, lines)
    event.add("rrule", {"freq": "daily", "count": weeks * 7})
    return [event]


def _sessions(plan: Plan, weeks: int, options: CalendarOptions) -> list[Event]:
    days = sorted({day for day in options.session_weekdays if 0 <= day <= 6})
    if not days:
        return []
    by_slug = {item.slug: item for item in plan.exercises}
    name = plan.session_name or "Exercise"
    schedule = options.schedule if options.schedule is not None else nominal_schedule(plan)
    rows = schedule or (PhaseWeeks(_whole_plan_phase(plan), 1, None, False, weeks),)
    events = []
    for row in rows:
        if row.first_week is None:
            continue  # not within the plan's weeks
        phase = row.phase
        first_week = max(1, row.first_week)
        last_week = min(weeks, row.last_week or weeks)
        begin = options.start + dt.timedelta(weeks=first_week - 1)
        end = options.start + dt.timedelta(weeks=last_week, days=-1)
        first = next(
            (begin + dt.timedelta(d) for d in range(7) if (begin + dt.timedelta(d)).weekday() in days), None
        )
        if first is None or first > end:
            continue
        minutes = phase.session_minutes
        title = f"{name} session" + (f": {phase.name}" if phase.name else "")
        summary = title + (f" (about {_minutes(minutes)} minutes)" if minutes else "")
        lines = [phase.goal] if phase.goal else []
        lines += [_exercise_line(by_slug.get(entry.slug, entry)) for entry in phase.session]
        lines += [f"Move on when: {step}" for step in phase.move_on_when]
        event = _event(options, f"session/{phase.id or phase.number}", first, summary, lines)
        event.add("rrule", {"freq": "weekly", "byday": [WEEKDAY_CODES[d] for d in days], "until": end})
        events.append(event)
    return events


def _whole_plan_phase(plan: Plan) -> Phase:
    """A plan without phases (imported from another system): its whole session for its whole length."""
    session = tuple(SessionEntry(e.slug, e.name, e.category, e.minutes) for e in plan.exercises)
    return Phase(
        number=1,
        id="plan",
        name="",
        start_week=1,
        end_week=plan.weeks,
        goal="",
        move_on_when=(),
        session=session,
        session_minutes=plan.session_minutes,
        source="",
    )


def _questionnaires(plan: Plan, weeks: int, options: CalendarOptions) -> list[Event]:
    every = plan.reassess_after_days
    if every < 1:
        return []
    checks = _decision_points(plan)
    events = []
    for day in range(every, weeks * 7 + 1, every):
        lines = ["Fill in the questionnaires again, so that your progress is measured, not guessed."]
        lines += checks.get(-(-day // 7), [])
        summary = f"Reassessment: questionnaires ({day} days in)"
        when = options.start + dt.timedelta(day - 1)  # day 14 is the last day of week 2, as in due_on
        events.append(_event(options, f"questionnaires/day-{day}", when, summary, lines))
    return events


def _movement_retests(plan: Plan, options: CalendarOptions) -> list[Event]:
    checks = _decision_points(plan)
    events = []
    for week in plan.movement_retest_weeks:
        if week < 1:
            continue
        lines = ["Film the movement tests again, as at the start, for your clinician to compare."]
        lines += checks.get(week, [])
        when = options.start + dt.timedelta(weeks=week, days=-1)  # the last day of that week
        events.append(
            _event(options, f"movement-retest/week-{week}", when, f"Movement retest (week {week})", lines)
        )
    return events


def _reminders(options: CalendarOptions) -> list[Event]:
    """One short timed event per reminder day, with an alert when it starts.

    The time is floating (no time zone): calendar apps show it at that clock time
    wherever the phone is, which is what "remind me at 18:00" means.
    """
    events = []
    for day in options.reminder_days:
        event = _event(
            options,
            f"reminder/{day.isoformat()}",
            dt.datetime.combine(day, options.reminder_time),
            "Back routine: a few minutes today",
            [
                "Your reminder, as you asked for it. Play today's routine or session and log how it went.",
                "If today's session is already done, ignore this one; you can change reminders in backmech.",
            ],
        )
        event.add("duration", dt.timedelta(minutes=REMINDER_MINUTES))
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", "Back routine: a few minutes today")
        alarm.add("trigger", dt.timedelta(0))
        event.add_component(alarm)
        events.append(event)
    return events


def _event(
    options: CalendarOptions, key: str, day: dt.date | dt.datetime, summary: str, lines: Sequence[str]
) -> Event:
    event = Event()
    event.add("uid", event_uid(options.feed_id, key))
    event.add("dtstamp", options.made_at.astimezone(dt.UTC))
    event.add("sequence", options.sequence)
    event.add("dtstart", day)
    event.add("summary", summary)
    event.add("description", "\n".join([*lines, "", DISCLAIMER]))
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["backmech"])
    return event


def event_uid(feed_id: UUID, key: str) -> str:
    """The UID of one event: the same for the same patient and kind of event, across exports and plans."""
    return f"{uuid5(UID_NAMESPACE, f'{feed_id}/{key}')}@backmech"


def _decision_points(plan: Plan) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for week, check in plan_decision_points(plan):
        found.setdefault(week, []).append(f"Week {week} check: {check}")
    return found


def _exercise_line(item: PlannedExercise | SessionEntry) -> str:
    text = item.dose.text if isinstance(item, PlannedExercise) else ""
    return f"- {item.name or item.slug}" + (f": {text}" if text else "")


def _days_per_week(intake: Mapping[str, Any]) -> int:
    preferences = intake.get("preferences")
    days = preferences.get("days_per_week") if isinstance(preferences, Mapping) else None
    return days if isinstance(days, int) and days in SPREAD_WEEKDAYS else 5


def _minutes(value: object) -> str:
    return f"{round(float(value))}" if isinstance(value, int | float) else str(value)
