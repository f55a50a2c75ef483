"""Adherence: planned against done, a fair weekly streak, drop-off risk and reminders.

The consistency target (at least 80 % of planned sessions a week, clinical reference
5.8, heuristic) is a support, not a judgement: rest days taken during a flare are
taken out of the planned count, so following the flare plan never breaks a streak.

Reminders respect the person: only on planned days they allowed, never on a day the
session is already done, and never more than they asked for in any 7 days in a row
(a sliding window, so two calendar weeks cannot add up to a burst).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, timedelta

from backmech.domain.progression.settings import AdherenceSettings
from backmech.domain.records import record
from backmech.domain.types import SourceId


@record
class WeekAdherence:
    week: int
    """Course week, 1-based."""
    planned: int
    """Planned sessions, not counting rest days taken during a flare."""
    excused: int
    done: int
    """Sessions done on planned days (extra sessions are welcome but not counted)."""
    target_percent: float
    source: SourceId

    @property
    def percent(self) -> float | None:
        """Done as a share of planned; None when nothing was planned (or all excused)."""
        return None if self.planned == 0 else 100 * self.done / self.planned

    @property
    def met(self) -> bool | None:
        p = self.percent
        return None if p is None else p >= self.target_percent


def week_adherence(
    week: int,
    planned: Collection[date],
    done: Collection[date],
    flare_rest: Collection[date],
    settings: AdherenceSettings,
) -> WeekAdherence:
    """One week's adherence; a planned day not done during a flare is excused."""
    excused = {d for d in planned if d in flare_rest and d not in done}
    counted = [d for d in planned if d not in excused]
    return WeekAdherence(
        week=week,
        planned=len(counted),
        excused=len(excused),
        done=sum(1 for d in counted if d in done),
        target_percent=settings.target_percent,
        source=settings.target_source,
    )


def weekly_streak(weeks: Sequence[WeekAdherence]) -> int:
    """Weeks in a row meeting the target, ending with the last one.

    A week with nothing to count (all planned days excused by a flare) neither breaks
    nor extends the streak.
    """
    streak = 0
    for week in reversed(weeks):
        if week.met is None:
            continue
        if not week.met:
            break
        streak += 1
    return streak


def drop_off_risk(weeks: Sequence[WeekAdherence]) -> bool:
    """After week one: the latest week is below target and below the first week.

    People who fall away usually do so after a good start; the first week is the
    person's own reference, so no extra threshold is needed.
    """
    if len(weeks) < 2:
        return False
    first, latest = weeks[0], weeks[-1]
    if latest.percent is None or first.percent is None or latest.met:
        return False
    return latest.percent < first.percent


@record
class ReminderPreference:
    """What the person asked for: at most ``per_week`` reminders, on these weekdays only.

    ``weekdays`` uses ``date.weekday()`` numbers (Monday 0 … Sunday 6).
    """

    per_week: int
    weekdays: frozenset[int] = frozenset(range(7))


def should_remind(
    day: date,
    planned: bool,
    done: bool,
    sent: Sequence[date],
    preference: ReminderPreference,
    settings: AdherenceSettings,
) -> bool:
    """Whether to send a reminder on ``day`` given the reminders ``sent`` before it."""
    if not planned or done or day.weekday() not in preference.weekdays:
        return False
    cap = min(preference.per_week, settings.max_reminders_per_week)
    window_start = day - timedelta(days=6)
    return sum(1 for d in sent if window_start <= d < day) < cap


def reminder_schedule(
    days: Sequence[date],
    planned: Collection[date],
    done: Collection[date],
    preference: ReminderPreference,
    settings: AdherenceSettings,
) -> tuple[date, ...]:
    """Reminder days over ``days`` (in order): see :func:`should_remind`."""
    sent: list[date] = []
    for day in sorted(days):
        if should_remind(day, day in planned, day in done, sent, preference, settings):
            sent.append(day)
    return tuple(sent)


def inactive_run(active: Collection[date], start: date, today: date) -> int:
    """Calendar days in a row without any activity, ending with ``today`` (not before ``start``).

    A day with nothing logged counts as inactive: silence is what the alert is for.
    """
    run = 0
    day = today
    while day >= start and day not in active:
        run += 1
        day -= timedelta(days=1)
    return run
