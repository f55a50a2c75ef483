"""Reminders the person asked for, and the private calendar feed that delivers them.

Why a calendar: backmech sends no email or text messages (no address book of
patients to leak, no sending service to run), and people already keep their days
in a calendar app that can alert them. A reminder is an event with an alert at the
time the person chose, in the private feed their calendar app subscribes to.

The cadence is the person's: none until they choose one, never more than
``per_week`` in any 7 days in a row, only on the weekdays they allowed, and never
on a day whose session is already logged (the feed is refreshed by the calendar
app, so a reminder for today goes away once today is logged). The cap also
respects ``adherence.max_reminders_per_week`` in ``knowledge/progression.yaml``.

Example::

    settings, problems = parse_reminders(form, kb, patient.id)
    if settings is not None:
        save_reminders(uow_factory, user, patient, settings)
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from backmech.domain.errors import BackmechError
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.progression.adherence import ReminderPreference, reminder_schedule
from backmech.domain.progression.course import CoursePlan
from backmech.services.accounts import token_hash
from backmech.services.ports import (
    CalendarFeed,
    Patient,
    ReminderSettings,
    SessionLog,
    UnitOfWorkFactory,
    User,
    utc_now,
)
from backmech.services.records import authorise_patient_access

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

DEFAULT_TIME = dt.time(18, 0)
"""What the form offers first (an interface default, not clinical content): early evening."""

NO_REMINDERS = ReminderPreference(per_week=0)
"""Until the person chooses a reminder cadence, none is sent."""


class ReminderFeedError(BackmechError):
    """The calendar feed cannot be made or changed."""


def preference_of(settings: ReminderSettings | None) -> ReminderPreference:
    """The domain's view of what the person asked for (none when they never chose)."""
    if settings is None:
        return NO_REMINDERS
    return ReminderPreference(per_week=settings.per_week, weekdays=settings.weekdays)


def max_per_week(kb: KnowledgeBase) -> int:
    return min(7, kb.progression.adherence.max_reminders_per_week)


def describe(settings: ReminderSettings | None) -> str:
    """The cadence in words, as the person chose it."""
    if settings is None or settings.per_week == 0 or not settings.weekdays:
        return "No reminders."
    days = [WEEKDAY_NAMES[d] for d in sorted(settings.weekdays)]
    named = days[0] if len(days) == 1 else ", ".join(days[:-1]) + " and " + days[-1]
    if len(days) == 7:
        named = "any day"
    count = min(settings.per_week, len(days))
    times = "1 reminder" if count == 1 else f"{count} reminders"
    return f"At most {times} in any 7 days, on {named}, at {settings.time_of_day:%H:%M}."


@dataclass(frozen=True, slots=True)
class ReminderForm:
    """What the form shows: the stored choice, or what was typed into a refused form."""

    per_week: str
    weekdays: frozenset[str]
    time: str


def form_of(settings: ReminderSettings | None) -> ReminderForm:
    if settings is None:
        return ReminderForm("0", frozenset(str(d) for d in range(7)), f"{DEFAULT_TIME:%H:%M}")
    return ReminderForm(
        str(settings.per_week), frozenset(str(d) for d in settings.weekdays), f"{settings.time_of_day:%H:%M}"
    )


def parse_reminders(
    form: Mapping[str, Sequence[str]], kb: KnowledgeBase, patient: Patient, now: dt.datetime | None = None
) -> tuple[ReminderSettings | None, dict[str, str]]:
    """The settings from the form (``per_week``, ``weekday`` ticks, ``time``), or what is wrong with it."""
    problems: dict[str, str] = {}
    limit = max_per_week(kb)
    per_week_text = (form.get("per_week") or [""])[-1].strip()
    per_week = int(per_week_text) if per_week_text.isdigit() else -1
    if not 0 <= per_week <= limit:
        problems["per_week"] = f"Choose how many reminders a week you want, from 0 (none) to {limit}."
    days: set[int] = set()
    for value in form.get("weekday") or []:
        if value.isdigit() and 0 <= int(value) <= 6:
            days.add(int(value))
        else:
            problems["weekday"] = "Choose days from the list (Monday to Sunday)."
    if per_week > 0 and not days and "weekday" not in problems:
        problems["weekday"] = "Tick at least one day on which a reminder is welcome, or choose 0 reminders."
    time_text = (form.get("time") or [""])[-1].strip()
    try:
        at = dt.time.fromisoformat(time_text) if len(time_text) == 5 else None
    except ValueError:
        at = None
    if at is None:
        problems["time"] = "Give the time as hours and minutes, for example 18:30."
    if problems or at is None:
        return None, problems
    return (
        ReminderSettings(
            patient_id=patient.id,
            per_week=per_week,
            weekdays=frozenset(days),
            time_of_day=at,
            updated_at=now or utc_now(),
        ),
        {},
    )


def read_reminders(uow_factory: UnitOfWorkFactory, actor: User, patient: Patient) -> ReminderSettings | None:
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient.id, patient.clinic_id, "reading the reminder settings")
        found = uow.reminders.get(patient.clinic_id, patient.id)
        uow.commit()
    return found


def save_reminders(
    uow_factory: UnitOfWorkFactory, actor: User, patient: Patient, settings: ReminderSettings
) -> ReminderSettings:
    if settings.patient_id != patient.id:
        raise ReminderFeedError(
            "These reminder settings are for someone else.", hint="Open your own settings."
        )
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient.id, patient.clinic_id, "changing the reminder settings")
        saved = uow.reminders.save(patient.clinic_id, settings)
        uow.commit()
    return saved


def reminder_days(
    kb: KnowledgeBase,
    plan: CoursePlan,
    logs: Sequence[SessionLog],
    settings: ReminderSettings | None,
    today: dt.date,
) -> tuple[dt.date, ...]:
    """The days from ``today`` to the plan's end that get a reminder.

    The schedule runs from the plan's first day, so the sliding 7-day cap also holds
    across ``today``; days already logged get none, later days are assumed not yet done.
    """
    preference = preference_of(settings)
    if preference.per_week == 0:
        return ()
    days = [plan.start + dt.timedelta(days=n) for n in range((plan.end - plan.start).days + 1)]
    planned = {d for d in days if d.weekday() in plan.session_weekdays}
    done = {log.session_date for log in logs}
    schedule = reminder_schedule(days, planned, done, preference, kb.progression.adherence)
    return tuple(d for d in schedule if d >= today)


def feed_exists(uow_factory: UnitOfWorkFactory, actor: User, patient: Patient) -> bool:
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient.id, patient.clinic_id, "reading the calendar feed")
        found = uow.calendar_feeds.get(patient.clinic_id, patient.id)
        uow.commit()
    return found is not None


def new_feed(uow_factory: UnitOfWorkFactory, actor: User, patient: Patient) -> str:
    """A new private feed address token for the patient; any earlier address stops working.

    Only the patient makes their own feed: the address is a credential to their plan.
    """
    if actor.id != patient.user_id:
        raise ReminderFeedError(
            "Only the person themselves can make their calendar address.",
            hint="Ask the person to open Documents and choose 'Subscribe in your calendar'.",
        )
    token = secrets.token_urlsafe(32)
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient.id, patient.clinic_id, "making a calendar feed")
        uow.calendar_feeds.replace(
            patient.clinic_id, CalendarFeed(patient_id=patient.id, token_hash=token_hash(token))
        )
        uow.commit()
    return token


def stop_feed(uow_factory: UnitOfWorkFactory, actor: User, patient: Patient) -> None:
    """Turn the private address off (a lost phone, a shared calendar): the old address then finds nothing."""
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient.id, patient.clinic_id, "stopping the calendar feed")
        uow.calendar_feeds.delete(patient.clinic_id, patient.id)
        uow.commit()
