"""Replay a whole course, day by day, into a timeline of decisions, alerts and phase changes.

The replay is the single place where the other modules meet, in the order of the
clinical reference's pipeline (6.1): the safety answer first (a red flag stops
everything, for good), then questionnaire change, then the session's pain colour,
flare detection, the exercise ladder, adherence and reminders, what is due for
reassessment, and at the end of each week the phase criteria and next week's walking.

Same entries and settings give the same timeline: no clock is read, every day of the
course is visited in order, and a day with nothing logged is simply empty (which is
what the inactivity alert and reminders are for).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

from backmech.domain.exercises.model import Exercise
from backmech.domain.progression import alerts as alerting
from backmech.domain.progression import flare as flares
from backmech.domain.progression.adherence import (
    ReminderPreference,
    WeekAdherence,
    drop_off_risk,
    inactive_run,
    should_remind,
    week_adherence,
    weekly_streak,
)
from backmech.domain.progression.alerts import Alert
from backmech.domain.progression.ladder import (
    LadderDecision,
    LadderState,
    Rung,
    decide,
    flare_cut,
    next_walking_minutes,
    start_rung,
)
from backmech.domain.progression.log import DayEntry, Score
from backmech.domain.progression.pain_monitoring import Colour, PainSignal, SessionPain, classify
from backmech.domain.progression.phases import PhaseDecision, WeekPain, next_phase, week_pain
from backmech.domain.progression.reassessment import Due, MeasureChange, due_on, measure_change
from backmech.domain.progression.settings import ProgressionSettings
from backmech.domain.records import record
from backmech.domain.types import Slug


@record
class CoursePlan:
    """How the course was set up: when, how long, the starting point and preferences."""

    start: date
    weeks: int
    baseline_pain: int
    exercises: tuple[Slug, ...]
    session_weekdays: frozenset[int]
    """Planned session days, ``date.weekday()`` numbers (Monday 0)."""
    phase_start_weeks: tuple[int, ...]
    """Earliest start week of each phase (``PlanSettings.phase_start_weeks[weeks]``)."""
    reminders: ReminderPreference
    baseline_scores: tuple[Score, ...] = ()
    """Scores at the start; a later score is compared with these (none: not compared)."""
    walking_minutes: float = 10.0
    blocked_exercises: frozenset[Slug] = frozenset()
    """Exercises the plan excluded for this person; the ladder never steps onto them."""
    decision_points: tuple[tuple[int, str], ...] | None = None
    """The person's plan's decision points (week, check); ``None``: all of plan.yaml's."""

    @property
    def end(self) -> date:
        return self.start + timedelta(days=7 * self.weeks - 1)


@record
class DayOutcome:
    day: date
    week: int
    phase: int
    signal: PainSignal | None = None
    decisions: tuple[LadderDecision, ...] = ()
    flare_started: flares.FlareProtocol | None = None
    flare_settled: bool = False
    in_flare: bool = False
    alerts: tuple[Alert, ...] = ()
    reminder: bool = False
    due: Due | None = None
    changes: tuple[MeasureChange, ...] = ()
    phase_change: PhaseDecision | None = None
    stopped: bool = False
    """The programme is stopped (a red flag today or earlier): no exercise decisions."""


@record
class WeekReport:
    adherence: WeekAdherence
    pain: WeekPain
    streak: int
    drop_off_risk: bool
    walking_minutes: float
    """The walking bout planned for this week."""


@record
class CourseReplay:
    days: tuple[DayOutcome, ...]
    weeks: tuple[WeekReport, ...]
    rungs: tuple[Rung, ...]
    """Where each exercise stands at the end."""
    flares: tuple[flares.FlareEpisode, ...]
    stopped_on: date | None
    phase: int

    @property
    def alerts(self) -> tuple[Alert, ...]:
        return tuple(a for d in self.days for a in d.alerts)

    @property
    def phase_changes(self) -> tuple[PhaseDecision, ...]:
        return tuple(d.phase_change for d in self.days if d.phase_change is not None)

    @property
    def reminders(self) -> tuple[date, ...]:
        return tuple(d.day for d in self.days if d.reminder)

    def day(self, day: date) -> DayOutcome:
        return next(d for d in self.days if d.day == day)


def _index(
    plan: CoursePlan, entries: Sequence[DayEntry], settings: ProgressionSettings
) -> dict[date, DayEntry]:
    """Entries by day; an entry outside the course, a second one for a day, or a score
    for a measure the settings do not track is an error (a typo must not vanish)."""
    by_day: dict[date, DayEntry] = {}
    measures = settings.reassessment.measures
    for score in plan.baseline_scores:
        if score.measure not in measures:
            raise ValueError(f"baseline score for unknown measure {score.measure!r}")
    for entry in entries:
        for score in entry.scores:
            if score.measure not in measures:
                raise ValueError(f"{entry.day}: score for unknown measure {score.measure!r}")
        if not plan.start <= entry.day <= plan.end:
            raise ValueError(f"entry for {entry.day} is outside the course {plan.start}..{plan.end}")
        if entry.day in by_day:
            raise ValueError(f"two entries for {entry.day}")
        by_day[entry.day] = entry
    return by_day


def _weekly_change(history: Mapping[date, int], day: date) -> float | None:
    """Average pain of the 7 days to ``day`` minus the 7 days before; None without both."""
    this = [history[d] for d in (day - timedelta(days=i) for i in range(7)) if d in history]
    last = [history[d] for d in (day - timedelta(days=i) for i in range(7, 14)) if d in history]
    if not this or not last:
        return None
    return sum(this) / len(this) - sum(last) / len(last)


def replay(
    plan: CoursePlan,
    entries: Sequence[DayEntry],
    exercises: Mapping[Slug, Exercise],
    settings: ProgressionSettings,
    *,
    until: date | None = None,
) -> CourseReplay:
    """Replay ``entries`` over the course of ``plan`` (see the module docstring for the order).

    ``until`` stops the replay after that day: a course under way is replayed up to
    today, so days that have not come yet neither raise inactivity alerts nor end weeks.
    """
    by_day = _index(plan, entries, settings)
    baseline_scores = {s.measure: s.value for s in plan.baseline_scores}
    for slug in plan.exercises:
        if slug not in exercises:
            raise ValueError(f"unknown exercise {slug!r}")
    states = {slug: LadderState(start_rung(exercises[slug])) for slug in plan.exercises}
    pain_history: dict[date, int] = {}
    latest_changes: dict[str, MeasureChange] = {}
    episodes: list[flares.FlareEpisode] = []
    flare_greens = 0
    flare_rest: set[date] = set()
    planned_days: list[date] = []
    done_days: set[date] = set()
    active: set[date] = set()
    sent: list[date] = []
    week_signals: list[PainSignal] = []
    week_reports: list[WeekReport] = []
    walking = plan.walking_minutes
    phase = 1
    stopped_on: date | None = None
    outcomes: list[DayOutcome] = []

    days = 7 * plan.weeks if until is None else max(0, min(7 * plan.weeks, (until - plan.start).days + 1))
    for offset in range(days):
        day = plan.start + timedelta(days=offset)
        week = offset // 7 + 1
        entry = by_day.get(day, DayEntry(day))
        if stopped_on is not None:
            outcomes.append(DayOutcome(day, week, phase, stopped=True))
            continue
        day_alerts: list[Alert] = []

        stop = alerting.red_flag(day, entry.red_flags, settings)
        if stop is not None:
            stopped_on = day
            outcomes.append(DayOutcome(day, week, phase, alerts=(stop,), stopped=True))
            continue

        changes = tuple(
            measure_change(
                settings.reassessment.measures[s.measure],
                baseline_scores[s.measure],
                s.value,
                settings.reassessment.responder_source,
            )
            for s in entry.scores
            if s.measure in baseline_scores
        )
        latest_changes.update((c.measure, c) for c in changes)
        _add(day_alerts, alerting.deteriorated(day, changes))

        session = entry.session
        pain: SessionPain | None = None
        signal: PainSignal | None = None
        if session is not None and session.done:
            done_days.add(day)
            if session.pain_before is not None:
                pain_history[day] = session.pain_before
            pain = SessionPain(
                during=session.pain_during,
                after=session.pain_after,
                baseline=session.pain_before if session.pain_before is not None else plan.baseline_pain,
                next_morning=session.next_morning_pain,
                weekly_change=_weekly_change(pain_history, day),
                peripheralisation=session.peripheralisation,
                new_neurology=session.new_neurology,
            )
            signal = classify(pain, settings.pain)
            week_signals.append(signal)
            _add(
                day_alerts,
                alerting.rescreen(day, session.peripheralisation, session.new_neurology, settings),
            )
        if entry.new_neurology and not (session is not None and session.done):
            _add(day_alerts, alerting.rescreen(day, False, True, settings, after_session=False))
        reported = entry.reported_flare or (session is not None and session.reported_flare)

        current = episodes[-1] if episodes and episodes[-1].settled is None else None
        started: flares.FlareProtocol | None = None
        settled = False
        decisions: list[LadderDecision] = []
        if current is None and (trigger := flares.detect(pain, signal, reported, settings.flare)):
            current = flares.FlareEpisode(day)
            episodes.append(current)
            flare_greens = 0
            started = flares.protocol(day, trigger, settings.flare)
            states = {
                slug: flare_cut(st, exercises, settings.flare, settings.ladder.reps_increment)
                for slug, st in states.items()
            }
            _add(day_alerts, alerting.repeated_flares(day, episodes, settings))
        elif signal is not None:
            for slug, st in states.items():
                states[slug], decision = decide(
                    st, signal, exercises, settings.ladder, settings.flare, plan.blocked_exercises
                )
                decisions.append(decision)
            if current is not None:
                if signal.confirmed_green:
                    flare_greens += 1
                elif not (signal.colour is Colour.GREEN and signal.provisional):
                    flare_greens = 0
                if flare_greens >= settings.flare.resume_after_green:
                    current = replace(current, settled=day)
                    episodes[-1] = current
                    settled = True
        if current is not None and not settled:
            _add(day_alerts, alerting.flare_not_settling(day, current, settings))
            if day not in done_days:
                flare_rest.add(day)
        in_flare = current is not None and not settled

        planned = day.weekday() in plan.session_weekdays
        if planned:
            planned_days.append(day)
        if entry.active:
            active.add(day)
        _add(day_alerts, alerting.inactive(day, inactive_run(active, plan.start, day), settings))
        remind = should_remind(day, planned, day in done_days, sent, plan.reminders, settings.adherence)
        if remind:
            sent.append(day)
        due = due_on(day, plan.start, plan.weeks, settings.reassessment)

        phase_change: PhaseDecision | None = None
        if offset % 7 == 6:
            adherence = week_adherence(
                week,
                [d for d in planned_days if (d - plan.start).days // 7 + 1 == week],
                done_days,
                flare_rest,
                settings.adherence,
            )
            summary = week_pain(week, week_signals)
            reports_adherence = [r.adherence for r in week_reports] + [adherence]
            week_reports.append(
                WeekReport(
                    adherence=adherence,
                    pain=summary,
                    streak=weekly_streak(reports_adherence),
                    drop_off_risk=drop_off_risk(reports_adherence),
                    walking_minutes=walking,
                )
            )
            worst = max(week_signals, key=lambda s: s.colour.rank).colour if week_signals else None
            walking = next_walking_minutes(walking, worst, settings.ladder)
            week_signals = []
            planned_so_far = sum(r.adherence.planned for r in week_reports)
            done_so_far = sum(r.adherence.done for r in week_reports)
            _add(
                day_alerts,
                alerting.decision_point(
                    day,
                    week,
                    tuple(latest_changes.values()),
                    100 * done_so_far / planned_so_far if planned_so_far else None,
                    settings,
                    plan.decision_points,
                ),
            )
            phase_change = next_phase(
                phase,
                week,
                [r.pain for r in week_reports],
                tuple(latest_changes.values()),
                plan.phase_start_weeks,
                in_flare,
                settings,
            )
            if phase_change is not None:
                phase = phase_change.to_phase

        outcomes.append(
            DayOutcome(
                day=day,
                week=week,
                phase=phase,
                signal=signal,
                decisions=tuple(decisions),
                flare_started=started,
                flare_settled=settled,
                in_flare=in_flare,
                alerts=tuple(day_alerts),
                reminder=remind,
                due=due if due.anything else None,
                changes=changes,
                phase_change=phase_change,
            )
        )

    return CourseReplay(
        days=tuple(outcomes),
        weeks=tuple(week_reports),
        rungs=tuple(st.rung for st in states.values()),
        flares=tuple(episodes),
        stopped_on=stopped_on,
        phase=phase,
    )


def _add(alerts: list[Alert], alert: Alert | None) -> None:
    if alert is not None:
        alerts.append(alert)
