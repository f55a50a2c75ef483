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
from dataclasses import dataclass, field, replace
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
    walk = _Walk.begin(plan, entries, exercises, settings)
    days = 7 * plan.weeks if until is None else max(0, min(7 * plan.weeks, (until - plan.start).days + 1))
    for offset in range(days):
        walk.outcomes.append(_replay_day(walk, offset))
    return walk.result()


@dataclass
class _Walk:
    """What the replay carries from one day to the next (local to one :func:`replay`)."""

    plan: CoursePlan
    exercises: Mapping[Slug, Exercise]
    settings: ProgressionSettings
    by_day: dict[date, DayEntry]
    baseline_scores: dict[str, float]
    states: dict[Slug, LadderState]
    walking: float
    pain_history: dict[date, int] = field(default_factory=dict)
    latest_changes: dict[str, MeasureChange] = field(default_factory=dict)
    episodes: list[flares.FlareEpisode] = field(default_factory=list)
    flare_greens: int = 0
    flare_rest: set[date] = field(default_factory=set)
    planned_days: list[date] = field(default_factory=list)
    done_days: set[date] = field(default_factory=set)
    active: set[date] = field(default_factory=set)
    sent: list[date] = field(default_factory=list)
    week_signals: list[PainSignal] = field(default_factory=list)
    week_reports: list[WeekReport] = field(default_factory=list)
    phase: int = 1
    stopped_on: date | None = None
    outcomes: list[DayOutcome] = field(default_factory=list)

    @classmethod
    def begin(
        cls,
        plan: CoursePlan,
        entries: Sequence[DayEntry],
        exercises: Mapping[Slug, Exercise],
        settings: ProgressionSettings,
    ) -> _Walk:
        for slug in plan.exercises:
            if slug not in exercises:
                raise ValueError(f"unknown exercise {slug!r}")
        return cls(
            plan=plan,
            exercises=exercises,
            settings=settings,
            by_day=_index(plan, entries, settings),
            baseline_scores={s.measure: s.value for s in plan.baseline_scores},
            states={slug: LadderState(start_rung(exercises[slug])) for slug in plan.exercises},
            walking=plan.walking_minutes,
        )

    def open_flare(self) -> flares.FlareEpisode | None:
        return self.episodes[-1] if self.episodes and self.episodes[-1].settled is None else None

    def result(self) -> CourseReplay:
        return CourseReplay(
            days=tuple(self.outcomes),
            weeks=tuple(self.week_reports),
            rungs=tuple(st.rung for st in self.states.values()),
            flares=tuple(self.episodes),
            stopped_on=self.stopped_on,
            phase=self.phase,
        )


@dataclass(frozen=True)
class _FlareDay:
    started: flares.FlareProtocol | None = None
    settled: bool = False
    decisions: tuple[LadderDecision, ...] = ()
    in_flare: bool = False


def _replay_day(walk: _Walk, offset: int) -> DayOutcome:
    """One day, in the pipeline's order: safety, scores, the session's pain, flare and ladder,
    adherence, what is due, and on the week's last day the week's review."""
    day = walk.plan.start + timedelta(days=offset)
    week = offset // 7 + 1
    entry = walk.by_day.get(day, DayEntry(day))
    if walk.stopped_on is not None:
        return DayOutcome(day, week, walk.phase, stopped=True)
    stop = alerting.red_flag(day, entry.red_flags, walk.settings)
    if stop is not None:
        walk.stopped_on = day
        return DayOutcome(day, week, walk.phase, alerts=(stop,), stopped=True)
    alerts: list[Alert] = []
    changes = _score_changes(walk, entry, alerts)
    pain, signal = _session_pain(walk, entry, alerts)
    flare = _flare_and_ladder(walk, entry, pain, signal, alerts)
    remind = _adherence_day(walk, entry, alerts)
    due = due_on(day, walk.plan.start, walk.plan.weeks, walk.settings.reassessment)
    phase_change = _end_of_week(walk, week, day, flare.in_flare, alerts) if offset % 7 == 6 else None
    return DayOutcome(
        day=day,
        week=week,
        phase=walk.phase,
        signal=signal,
        decisions=flare.decisions,
        flare_started=flare.started,
        flare_settled=flare.settled,
        in_flare=flare.in_flare,
        alerts=tuple(alerts),
        reminder=remind,
        due=due if due.anything else None,
        changes=changes,
        phase_change=phase_change,
    )


def _score_changes(walk: _Walk, entry: DayEntry, alerts: list[Alert]) -> tuple[MeasureChange, ...]:
    """Today's questionnaire scores against the baseline; a deterioration alerts."""
    reassessment = walk.settings.reassessment
    changes = tuple(
        measure_change(
            reassessment.measures[s.measure],
            walk.baseline_scores[s.measure],
            s.value,
            reassessment.responder_source,
        )
        for s in entry.scores
        if s.measure in walk.baseline_scores
    )
    walk.latest_changes.update((c.measure, c) for c in changes)
    _add(alerts, alerting.deteriorated(entry.day, changes))
    return changes


def _session_pain(
    walk: _Walk, entry: DayEntry, alerts: list[Alert]
) -> tuple[SessionPain | None, PainSignal | None]:
    """The pain colour of today's session (none without one); new neurology asks for a re-screen."""
    day, session = entry.day, entry.session
    if session is None or not session.done:
        if entry.new_neurology:
            _add(alerts, alerting.rescreen(day, False, True, walk.settings, after_session=False))
        return None, None
    walk.done_days.add(day)
    if session.pain_before is not None:
        walk.pain_history[day] = session.pain_before
    pain = SessionPain(
        during=session.pain_during,
        after=session.pain_after,
        baseline=session.pain_before if session.pain_before is not None else walk.plan.baseline_pain,
        next_morning=session.next_morning_pain,
        weekly_change=_weekly_change(walk.pain_history, day),
        peripheralisation=session.peripheralisation,
        new_neurology=session.new_neurology,
    )
    signal = classify(pain, walk.settings.pain)
    walk.week_signals.append(signal)
    _add(alerts, alerting.rescreen(day, session.peripheralisation, session.new_neurology, walk.settings))
    return pain, signal


def _flare_and_ladder(
    walk: _Walk, entry: DayEntry, pain: SessionPain | None, signal: PainSignal | None, alerts: list[Alert]
) -> _FlareDay:
    """A flare starts (every exercise cut back), or the ladder steps on today's colour while
    an open flare counts its green sessions; a flare not settling alerts every day."""
    day = entry.day
    reported = entry.reported_flare or (entry.session is not None and entry.session.reported_flare)
    current = walk.open_flare()
    started: flares.FlareProtocol | None = None
    settled = False
    decisions: tuple[LadderDecision, ...] = ()
    if current is None and (trigger := flares.detect(pain, signal, reported, walk.settings.flare)):
        current, started = _start_flare(walk, day, trigger, alerts)
    elif signal is not None:
        decisions = _climb(walk, signal)
        settled = current is not None and _settles(walk, day, current, signal)
    in_flare = current is not None and not settled
    if current is not None and in_flare:
        _add(alerts, alerting.flare_not_settling(day, current, walk.settings))
        if day not in walk.done_days:
            walk.flare_rest.add(day)
    return _FlareDay(started, settled, decisions, in_flare)


def _start_flare(
    walk: _Walk, day: date, trigger: flares.FlareTrigger, alerts: list[Alert]
) -> tuple[flares.FlareEpisode, flares.FlareProtocol]:
    episode = flares.FlareEpisode(day)
    walk.episodes.append(episode)
    walk.flare_greens = 0
    settings = walk.settings
    walk.states = {
        slug: flare_cut(st, walk.exercises, settings.flare, settings.ladder.reps_increment)
        for slug, st in walk.states.items()
    }
    _add(alerts, alerting.repeated_flares(day, walk.episodes, settings))
    return episode, flares.protocol(day, trigger, settings.flare)


def _climb(walk: _Walk, signal: PainSignal) -> tuple[LadderDecision, ...]:
    """Every exercise's ladder step for today's colour."""
    settings, decisions = walk.settings, []
    for slug, st in walk.states.items():
        walk.states[slug], decision = decide(
            st, signal, walk.exercises, settings.ladder, settings.flare, walk.plan.blocked_exercises
        )
        decisions.append(decision)
    return tuple(decisions)


def _settles(walk: _Walk, day: date, current: flares.FlareEpisode, signal: PainSignal) -> bool:
    """Count the open flare's green sessions (a provisional green neither counts nor resets)."""
    if signal.confirmed_green:
        walk.flare_greens += 1
    elif not (signal.colour is Colour.GREEN and signal.provisional):
        walk.flare_greens = 0
    if walk.flare_greens < walk.settings.flare.resume_after_green:
        return False
    walk.episodes[-1] = replace(current, settled=day)
    return True


def _adherence_day(walk: _Walk, entry: DayEntry, alerts: list[Alert]) -> bool:
    """Planned and active days; inactivity alerts; whether today's reminder goes out."""
    day, plan = entry.day, walk.plan
    planned = day.weekday() in plan.session_weekdays
    if planned:
        walk.planned_days.append(day)
    if entry.active:
        walk.active.add(day)
    _add(alerts, alerting.inactive(day, inactive_run(walk.active, plan.start, day), walk.settings))
    remind = should_remind(
        day, planned, day in walk.done_days, walk.sent, plan.reminders, walk.settings.adherence
    )
    if remind:
        walk.sent.append(day)
    return remind


def _end_of_week(
    walk: _Walk, week: int, day: date, in_flare: bool, alerts: list[Alert]
) -> PhaseDecision | None:
    """The week's report, next week's walking, the decision point and the phase criteria."""
    settings = walk.settings
    walk.week_reports.append(_week_report(walk, week))
    worst = max(walk.week_signals, key=lambda s: s.colour.rank).colour if walk.week_signals else None
    walk.walking = next_walking_minutes(walk.walking, worst, settings.ladder)
    walk.week_signals = []
    planned_so_far = sum(r.adherence.planned for r in walk.week_reports)
    done_so_far = sum(r.adherence.done for r in walk.week_reports)
    changes = tuple(walk.latest_changes.values())
    _add(
        alerts,
        alerting.decision_point(
            day,
            week,
            changes,
            100 * done_so_far / planned_so_far if planned_so_far else None,
            settings,
            walk.plan.decision_points,
        ),
    )
    pains = [r.pain for r in walk.week_reports]
    change = next_phase(walk.phase, week, pains, changes, walk.plan.phase_start_weeks, in_flare, settings)
    if change is not None:
        walk.phase = change.to_phase
    return change


def _week_report(walk: _Walk, week: int) -> WeekReport:
    plan = walk.plan
    adherence = week_adherence(
        week,
        [d for d in walk.planned_days if (d - plan.start).days // 7 + 1 == week],
        walk.done_days,
        walk.flare_rest,
        walk.settings.adherence,
    )
    so_far = [r.adherence for r in walk.week_reports] + [adherence]
    return WeekReport(
        adherence=adherence,
        pain=week_pain(week, walk.week_signals),
        streak=weekly_streak(so_far),
        drop_off_risk=drop_off_risk(so_far),
        walking_minutes=walk.walking,
    )


def _add(alerts: list[Alert], alert: Alert | None) -> None:
    if alert is not None:
        alerts.append(alert)
