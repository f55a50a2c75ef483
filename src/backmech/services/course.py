"""A patient's course so far: their stored plan and logs replayed through the progression rules.

Why replay instead of storing decisions: the decisions (pain colour, dose steps,
flares, alerts, phase) follow from what the person logged and the knowledge base,
so replaying the stored logs gives the same answer on every page, for the patient
and the clinician, and a corrected log or a clinician's plan edit is reflected at
once. A course of 12 weeks is a few hundred small steps; it is not worth a cache.

How the stored records become the course (:func:`course_plan`, :func:`day_entries`):

* a course starts with an assessment that gives a plan and lasts that plan's weeks;
  later assessments inside those weeks are its reassessments (the questionnaires
  asked every two weeks), not new courses. An assessment that withheld the plan
  (a red flag) ends the course; one after the course's last week starts a new one;
* the baseline (pain, scores, weeks) is the course's first assessment; the exercises
  on the ladder are those of the plan followed now (with the clinician's edits);
* the phases' earliest start weeks come from the knowledge base;
* the daily routine is planned every day, so adherence counts days with a session;
* the exercises on the ladder are the plan's, and the plan's excluded exercises are
  never stepped onto;
* one entry per day: the day's last full session if there is one, else its last log;
* questionnaire scores of later assessments are the reassessments, compared with
  the scores of the plan's own assessment;
* reminders: none until the person chooses a cadence (never more than asked).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.plans.edits import excluded_slugs
from backmech.domain.plans.model import Phase, Plan
from backmech.domain.progression.adherence import ReminderPreference
from backmech.domain.progression.alerts import Alert, plan_edits_carried
from backmech.domain.progression.course import CoursePlan, CourseReplay, DayOutcome, replay
from backmech.domain.progression.flare import FlareProtocol
from backmech.domain.progression.ladder import LadderDecision, Step
from backmech.domain.progression.log import DayEntry, Score
from backmech.domain.progression.log import SessionLog as LoggedSession
from backmech.domain.progression.pain_monitoring import PainSignal
from backmech.domain.progression.reassessment import Due, due_on
from backmech.domain.progression.settings import ReassessmentSettings
from backmech.domain.results.model import AssessmentResult
from backmech.services.care_plan import CurrentPlan
from backmech.services.plan_text import describe_change
from backmech.services.ports import Assessment, CheckIn, SessionLog
from backmech.services.reminders import NO_REMINDERS

EVERY_DAY = frozenset(range(7))
EARLY_DAYS = dt.timedelta(days=3)
"""How early a reassessment may be and still count for the questionnaire day (an interface choice)."""
ALERT_DAYS = 14
"""Alerts of the last two weeks are shown as open; older ones are history."""


@dataclass(frozen=True, slots=True)
class PhaseWeeks:
    """One phase of the plan with the weeks it runs in this person's course.

    Phases reached so far have the weeks the course replay spent in them; the phases to
    come start no earlier than the plan's earliest start week, moved on by as much as the
    person's current phase started late (the progression rules move a person on by their
    criteria, not by the calendar).
    """

    phase: Phase
    first_week: int | None
    """``None``: not reached within the plan's weeks (or the programme was stopped)."""
    last_week: int | None
    """``None``: to the end of the plan."""
    reached: bool
    plan_weeks: int

    @property
    def weeks_text(self) -> str:
        """The weeks in words: "weeks 3-5", "from week 10", "from week 8 at the earliest"."""
        first, last = self.first_week, self.last_week
        if first is None:
            return f"not within the {self.plan_weeks} weeks of this plan"
        if not self.reached:
            return f"from week {first} at the earliest"
        if last is None:
            return f"from week {first}"
        return f"week {first}" if last == first else f"weeks {first}-{last}"


def nominal_schedule(plan: Plan) -> tuple[PhaseWeeks, ...]:
    """The phases at their earliest start weeks: a plan not yet under way (or one imported)."""
    starts = [
        (phase, phase.start_week if phase.start_week <= plan.weeks else None, False)
        for phase in sorted(plan.phases, key=lambda p: p.number)
    ]
    return _chain(starts, plan.weeks)


def _chain(starts: Sequence[tuple[Phase, int | None, bool]], weeks: int) -> tuple[PhaseWeeks, ...]:
    """Each phase runs until the week before the next phase that starts (the last: to the end)."""
    rows = []
    for index, (phase, first, reached) in enumerate(starts):
        later = [f for _, f, _ in starts[index + 1 :] if f is not None]
        last = later[0] - 1 if first is not None and later else None
        rows.append(PhaseWeeks(phase, first, last, reached, weeks))
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class PlanPosition:
    """Where the person is in their plan: week ``week`` of ``weeks`` and the phase they have reached.

    Read from the course replay (:meth:`Course.position`), the one answer every page and
    document shows: the phase is the one the progression rules moved the person to, not
    the phase the calendar would give.
    """

    week: int
    weeks: int
    phase: Phase | None
    finished: bool = False
    """The plan's weeks are over (the person keeps the last phase until a new assessment)."""
    schedule: tuple[PhaseWeeks, ...] = ()
    """Every phase with its weeks in this course (:meth:`Course.schedule`)."""


@dataclass(frozen=True)
class Course:
    """The course up to today, with what the pages show about it."""

    plan: CoursePlan
    replay: CourseReplay
    today: dt.date
    settings: ReassessmentSettings
    last_assessed: dt.date | None = None
    """The day of the person's latest assessment (a reassessment answers what is due before it)."""
    plan_alerts: tuple[Alert, ...] = ()
    """Alerts about the plan itself (edits carried to a new plan), beside the replay's."""

    @property
    def last_day(self) -> DayOutcome | None:
        return self.replay.days[-1] if self.replay.days else None

    @property
    def week(self) -> int:
        return self.last_day.week if self.last_day is not None else 1

    @property
    def phase(self) -> int:
        return self.replay.phase

    @property
    def stopped(self) -> bool:
        return self.replay.stopped_on is not None

    @property
    def last_signal(self) -> tuple[dt.date, PainSignal] | None:
        """The most recent session's pain colour, with its day."""
        for outcome in reversed(self.replay.days):
            if outcome.signal is not None:
                return outcome.day, outcome.signal
        return None

    @property
    def last_decisions(self) -> tuple[LadderDecision, ...]:
        """The dose steps after the most recent session (progress and regress first)."""
        for outcome in reversed(self.replay.days):
            if outcome.decisions:
                order = {Step.REGRESS: 0, Step.PROGRESS: 1, Step.HOLD: 2}
                return tuple(sorted(outcome.decisions, key=lambda d: order[d.step]))
        return ()

    @property
    def flare(self) -> FlareProtocol | None:
        """The plan of the flare-up under way, if there is one."""
        if self.last_day is None or not self.last_day.in_flare:
            return None
        for outcome in reversed(self.replay.days):
            if outcome.flare_started is not None:
                return outcome.flare_started
        return None

    @property
    def alerts(self) -> tuple[Alert, ...]:
        """Every alert of the course, oldest first."""
        return tuple(sorted((*self.replay.alerts, *self.plan_alerts), key=lambda a: a.day))

    @property
    def open_alerts(self) -> tuple[Alert, ...]:
        since = self.today - dt.timedelta(days=ALERT_DAYS - 1)
        return tuple(alert for alert in self.alerts if alert.day >= since)

    @property
    def finished(self) -> bool:
        return self.today > self.plan.end

    def position(self, plan: Plan) -> PlanPosition:
        """This course's week and phase in ``plan`` (the plan followed now, with its phases)."""
        phase = next((p for p in plan.phases if p.number == self.phase), None)
        return PlanPosition(
            week=self.week,
            weeks=self.plan.weeks,
            phase=phase,
            finished=self.finished,
            schedule=self.schedule(plan),
        )

    def schedule(self, plan: Plan) -> tuple[PhaseWeeks, ...]:
        """The plan's phases with the weeks this course spent in them, and when the others can start."""
        first_seen = {1: 1}  # a phase reached at the end of a week runs from the next one
        for day in self.replay.days:
            if day.phase_change is not None:
                first_week = min(day.week + 1, self.plan.weeks)
                first_seen.setdefault(day.phase_change.to_phase, first_week)
        delay, floor = 0, self.week + 1
        starts: list[tuple[Phase, int | None, bool]] = []
        for phase in sorted(plan.phases, key=lambda p: p.number):
            if phase.number <= self.phase:
                first = first_seen.get(phase.number)
                if phase.number == self.phase and first is not None:
                    delay = max(0, first - phase.start_week)
                starts.append((phase, first, first is not None))
                continue
            start = max(phase.start_week + delay, floor)
            if self.stopped or start > self.plan.weeks:
                starts.append((phase, None, False))
                continue
            starts.append((phase, start, False))
            floor = start + 1
        return _chain(starts, self.plan.weeks)

    @property
    def questionnaires_due(self) -> dt.date | None:
        """The questionnaire day, up to today, still waiting for answers; ``None`` if none is.

        An assessment up to ``EARLY_DAYS`` before the day answers it (people fill in the
        questionnaires when they have a moment, not to the day).
        """
        for offset in range(min((self.today - self.plan.start).days, 7 * self.plan.weeks - 1), 0, -1):
            day = self.plan.start + dt.timedelta(days=offset)
            if due_on(day, self.plan.start, self.plan.weeks, self.settings).questionnaires:
                answered = self.last_assessed is not None and self.last_assessed >= day - EARLY_DAYS
                return None if answered else day
        return None

    def next_questionnaires(self) -> dt.date | None:
        """The questionnaire day the person should answer next: one still waiting, else the next one."""
        waiting = self.questionnaires_due
        if waiting is not None:
            return waiting
        for offset in range(max(0, (self.today - self.plan.start).days), 7 * self.plan.weeks):
            day = self.plan.start + dt.timedelta(days=offset)
            if due_on(day, self.plan.start, self.plan.weeks, self.settings).questionnaires:
                return day
        return None

    def next_due(self) -> Due | None:
        """The next reassessment from today on (questionnaires or a movement retest)."""
        for offset in range(max(0, (self.today - self.plan.start).days), 7 * self.plan.weeks):
            due = due_on(
                self.plan.start + dt.timedelta(days=offset), self.plan.start, self.plan.weeks, self.settings
            )
            if due.anything:
                return due
        return None


def _scores(kb: KnowledgeBase, result: AssessmentResult) -> tuple[Score, ...]:
    return tuple(
        Score(measure, value)
        for measure, spec in kb.progression.reassessment.measures.items()
        if (value := result.score(spec.questionnaire, spec.output)) is not None
    )


def course_start(kb: KnowledgeBase, assessments: Sequence[Assessment], current: CurrentPlan) -> Assessment:
    """The assessment that started the course the current plan belongs to (see the module docstring)."""
    run: list[Assessment] = []
    for assessment in reversed(assessments):
        if assessment.created_at > current.assessment.created_at:
            continue
        if assessment.result.plan is None:
            break
        run.insert(0, assessment)
    if not run:
        return current.assessment
    start = run[0]
    for assessment in run[1:]:
        if assessment.created_at.date() > _end(kb, start):
            start = assessment
    return start


def _weeks(kb: KnowledgeBase, result: AssessmentResult) -> int:
    weeks = result.plan.weeks if result.plan is not None else None
    if weeks is None or weeks not in kb.plan.phase_start_weeks:
        return min(kb.plan.phase_start_weeks)
    return weeks


def _end(kb: KnowledgeBase, start: Assessment) -> dt.date:
    return start.created_at.date() + dt.timedelta(days=7 * _weeks(kb, start.result) - 1)


def course_plan(
    kb: KnowledgeBase,
    current: CurrentPlan,
    reminders: ReminderPreference = NO_REMINDERS,
    started: Assessment | None = None,
) -> CoursePlan:
    """The course of the plan being followed, begun by ``started`` (default: the plan's own assessment)."""
    plan = current.plan
    first = started if started is not None else current.assessment
    result = first.result
    weeks = _weeks(kb, result)
    pain = result.score("nprs", "current")
    slugs = tuple(item.slug for item in plan.exercises if item.slug in kb.exercises)
    return CoursePlan(
        start=first.created_at.date(),
        weeks=weeks,
        baseline_pain=round(pain) if pain is not None else 0,
        exercises=tuple(dict.fromkeys(slugs)),
        session_weekdays=EVERY_DAY,
        phase_start_weeks=tuple(kb.plan.phase_start_weeks[weeks]),
        reminders=reminders,
        baseline_scores=_scores(kb, result),
        blocked_exercises=excluded_slugs(plan),
        decision_points=plan_decision_points(plan),
    )


def plan_decision_points(plan: Plan) -> tuple[tuple[int, str], ...]:
    """The plan's own decision points, as (week, what to check)."""
    return tuple((p.week, p.check) for p in plan.decision_points)


def day_entries(
    kb: KnowledgeBase,
    plan: CoursePlan,
    logs: Sequence[SessionLog],
    later: Sequence[Assessment],
    check_ins: Sequence[CheckIn] = (),
) -> list[DayEntry]:
    """One entry per day of the course from the stored logs, check-ins and later assessments' scores."""
    sessions: dict[dt.date, SessionLog] = {}
    for log in logs:
        if not plan.start <= log.session_date <= plan.end:
            continue
        kept = sessions.get(log.session_date)
        if kept is None or kept.kind != "full" or log.kind == "full":  # logs come oldest first
            sessions[log.session_date] = log
    scores: dict[dt.date, tuple[Score, ...]] = {}
    for assessment in later:
        day = assessment.created_at.date()
        if plan.start < day <= plan.end:
            scores[day] = _scores(kb, assessment.result)  # the day's last assessment counts
    checks = {c.check_date: c for c in check_ins if plan.start <= c.check_date <= plan.end}
    entries = []
    for day in sorted(set(sessions) | set(scores) | set(checks)):
        stored = sessions.get(day)
        session = (
            None
            if stored is None
            else LoggedSession(
                pain_before=stored.pain_before,
                pain_during=stored.pain_during,
                pain_after=stored.pain_after,
                next_morning_pain=stored.next_morning_pain,
            )
        )
        check = checks.get(day)
        entries.append(
            DayEntry(
                day,
                session=session,
                scores=scores.get(day, ()),
                walking_minutes=float(check.walking_minutes or 0) if check is not None else 0.0,
                reported_flare=check.flare if check is not None else False,
                new_neurology=check.leg_symptoms if check is not None else False,
            )
        )
    return entries


def course_so_far(
    kb: KnowledgeBase,
    assessments: Sequence[Assessment],
    current: CurrentPlan | None,
    logs: Sequence[SessionLog],
    today: dt.date,
    reminders: ReminderPreference = NO_REMINDERS,
    check_ins: Sequence[CheckIn] = (),
) -> Course | None:
    """The course replayed up to ``today``; ``None`` when no plan is being followed."""
    if current is None:
        return None
    started = course_start(kb, assessments, current)
    plan = course_plan(kb, current, reminders, started)
    later = [a for a in assessments if a.created_at > started.created_at]
    entries = day_entries(kb, plan, logs, later, check_ins)
    replayed = replay(plan, entries, kb.exercises, kb.progression, until=today)
    carried = _edits_carried(current, kb)
    return Course(
        plan=plan,
        replay=replayed,
        today=today,
        settings=kb.progression.reassessment,
        last_assessed=assessments[-1].created_at.date() if assessments else None,
        plan_alerts=(carried,) if carried is not None and carried.day <= today else (),
    )


def _edits_carried(current: CurrentPlan, kb: KnowledgeBase) -> Alert | None:
    """The alert of a new plan that edits made on an earlier plan were replayed onto."""
    names = {slug: exercise.name for slug, exercise in kb.exercises.items()}
    brought = current.brought_forward
    return plan_edits_carried(
        current.assessment.created_at.date(),
        [describe_change(edit.change, names) for edit, outcome in brought if outcome.carried],
        [
            (describe_change(edit.change, names), outcome.why)
            for edit, outcome in brought
            if not outcome.carried
        ],
    )
