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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.progression.adherence import ReminderPreference
from backmech.domain.progression.alerts import Alert
from backmech.domain.progression.course import CoursePlan, CourseReplay, DayOutcome, replay
from backmech.domain.progression.flare import FlareProtocol
from backmech.domain.progression.ladder import LadderDecision, Step
from backmech.domain.progression.log import DayEntry, Score
from backmech.domain.progression.log import SessionLog as LoggedSession
from backmech.domain.progression.pain_monitoring import PainSignal
from backmech.domain.progression.reassessment import Due, due_on
from backmech.domain.progression.settings import ReassessmentSettings
from backmech.services.care_plan import CurrentPlan
from backmech.services.ports import Assessment, CheckIn, SessionLog
from backmech.services.progress import result_score
from backmech.services.reminders import NO_REMINDERS

EVERY_DAY = frozenset(range(7))
EARLY_DAYS = dt.timedelta(days=3)
"""How early a reassessment may be and still count for the questionnaire day (an interface choice)."""
ALERT_DAYS = 14
"""Alerts of the last two weeks are shown as open; older ones are history."""


@dataclass(frozen=True)
class Course:
    """The course up to today, with what the pages show about it."""

    plan: CoursePlan
    replay: CourseReplay
    today: dt.date
    settings: ReassessmentSettings
    last_assessed: dt.date | None = None
    """The day of the person's latest assessment (a reassessment answers what is due before it)."""

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
    def open_alerts(self) -> tuple[Alert, ...]:
        since = self.today - dt.timedelta(days=ALERT_DAYS - 1)
        return tuple(alert for alert in self.replay.alerts if alert.day >= since)

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

    def next_due(self) -> Due | None:
        """The next reassessment from today on (questionnaires or a movement retest)."""
        for offset in range(max(0, (self.today - self.plan.start).days), 7 * self.plan.weeks):
            due = due_on(
                self.plan.start + dt.timedelta(days=offset), self.plan.start, self.plan.weeks, self.settings
            )
            if due.anything:
                return due
        return None


def _scores(kb: KnowledgeBase, result: Mapping[str, Any]) -> tuple[Score, ...]:
    return tuple(
        Score(measure, value)
        for measure, spec in kb.progression.reassessment.measures.items()
        if (value := result_score(result, spec.questionnaire, spec.output)) is not None
    )


def course_start(kb: KnowledgeBase, assessments: Sequence[Assessment], current: CurrentPlan) -> Assessment:
    """The assessment that started the course the current plan belongs to (see the module docstring)."""
    run: list[Assessment] = []
    for assessment in reversed(assessments):
        if assessment.created_at > current.assessment.created_at:
            continue
        if not isinstance(assessment.result.get("plan"), Mapping):
            break
        run.insert(0, assessment)
    if not run:
        return current.assessment
    start = run[0]
    for assessment in run[1:]:
        if assessment.created_at.date() > _end(kb, start):
            start = assessment
    return start


def _weeks(kb: KnowledgeBase, result: Mapping[str, Any]) -> int:
    plan = result.get("plan")
    weeks = plan.get("weeks") if isinstance(plan, Mapping) else None
    if not isinstance(weeks, int) or weeks not in kb.plan.phase_start_weeks:
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
    pain = result_score(result, "nprs", "current")
    slugs = tuple(
        str(item["slug"])
        for item in plan.get("exercises") or []
        if isinstance(item, Mapping) and str(item.get("slug")) in kb.exercises
    )
    excluded = frozenset(
        str(item["slug"]) for item in plan.get("excluded_exercises") or [] if isinstance(item, Mapping)
    )
    return CoursePlan(
        start=first.created_at.date(),
        weeks=weeks,
        baseline_pain=round(pain) if pain is not None else 0,
        exercises=tuple(dict.fromkeys(slugs)),
        session_weekdays=EVERY_DAY,
        phase_start_weeks=tuple(kb.plan.phase_start_weeks[weeks]),
        reminders=reminders,
        baseline_scores=_scores(kb, result),
        blocked_exercises=excluded,
        decision_points=plan_decision_points(plan),
    )


def plan_decision_points(plan: Mapping[str, Any]) -> tuple[tuple[int, str], ...] | None:
    """The plan's own decision points (in ``plan.reassessment`` or, in older results, the plan)."""
    nested = plan.get("reassessment")
    points = nested.get("decision_points") if isinstance(nested, Mapping) else plan.get("decision_points")
    if not isinstance(points, list):
        return None
    return tuple(
        (int(p["week"]), str(p["check"]))
        for p in points
        if isinstance(p, Mapping) and isinstance(p.get("week"), int) and p.get("check")
    )


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
    return Course(
        plan=plan,
        replay=replayed,
        today=today,
        settings=kb.progression.reassessment,
        last_assessed=assessments[-1].created_at.date() if assessments else None,
    )
