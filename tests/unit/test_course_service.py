"""The stored plan and logs replayed as a course: what Today and the clinic pages show.

Built from real engine output (the flexion-intolerant example), with logs shaped as
the web form stores them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from uuid import uuid4

import pytest

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.progression.alerts import AlertKind
from backmech.domain.progression.ladder import Step
from backmech.domain.progression.pain_monitoring import Colour
from backmech.services.assessment import AssessmentService
from backmech.services.care_plan import CurrentPlan, current_from
from backmech.services.codec import result_from_json, to_json_object
from backmech.services.course import course_so_far
from backmech.services.ports import Assessment, SessionLog

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "flexion-intolerant-desk-worker.json"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def first(service: AssessmentService) -> Assessment:
    intake = json.loads(EXAMPLE.read_text())
    result = service.assess(intake)
    return Assessment(
        patient_id=uuid4(),
        intake=intake,
        result=result,
        triage_level="none",
        plan_status="plan",
        engine_version="test",
        created_at=START,
    )


def _current(first: Assessment) -> CurrentPlan:
    current = current_from([first], [])
    assert current is not None
    return current


def _log(
    first: Assessment,
    day: int,
    before: int,
    during: int | None,
    after: int,
    morning: int | None,
    kind: str = "full",
) -> SessionLog:
    return SessionLog(
        patient_id=first.patient_id,
        session_date=START.date() + dt.timedelta(days=day),
        pain_before=before,
        pain_during=during,
        pain_after=after,
        next_morning_pain=morning,
        effort=5,
        kind=kind,
        idempotency_key=f"{kind}:{day}",
    )


def test_no_plan_no_course(kb: KnowledgeBase, first: Assessment) -> None:
    assert course_so_far(kb, [first], None, [], START.date()) is None


def test_comfortable_sessions_step_the_doses_up(kb: KnowledgeBase, first: Assessment) -> None:
    logs = [_log(first, d, 4, 2, 2, 3) for d in range(6)]
    course = course_so_far(kb, [first], _current(first), logs, START.date() + dt.timedelta(days=5))
    assert course is not None
    assert first.result.plan is not None and course.plan.weeks == first.result.plan.weeks
    assert course.plan.start == START.date()
    found = course.last_signal
    assert found is not None and found[1].colour is Colour.GREEN
    assert any(d.step is Step.PROGRESS for d in course.last_decisions)
    assert not course.open_alerts and course.flare is None


def test_a_painful_session_starts_the_flare_plan(kb: KnowledgeBase, first: Assessment) -> None:
    logs = [_log(first, d, 4, 2, 3, 3) for d in range(3)] + [_log(first, 3, 4, 8, 8, 8)]
    course = course_so_far(kb, [first], _current(first), logs, START.date() + dt.timedelta(days=3))
    assert course is not None
    found = course.last_signal
    assert found is not None and found[1].colour is Colour.RED
    assert course.flare is not None and course.flare.steps


def test_silence_raises_the_inactivity_alert_and_only_up_to_today(
    kb: KnowledgeBase, first: Assessment
) -> None:
    logs = [_log(first, 0, 4, 2, 3, 3)]
    early = course_so_far(kb, [first], _current(first), logs, START.date() + dt.timedelta(days=1))
    late = course_so_far(kb, [first], _current(first), logs, START.date() + dt.timedelta(days=6))
    assert early is not None and late is not None
    assert not [a for a in early.open_alerts if a.kind is AlertKind.INACTIVE]
    assert [a for a in late.open_alerts if a.kind is AlertKind.INACTIVE]


def test_the_full_session_counts_over_the_routine_on_the_same_day(
    kb: KnowledgeBase, first: Assessment
) -> None:
    logs = [_log(first, 0, 4, 1, 2, 2, kind="routine"), _log(first, 0, 4, 9, 9, 9, kind="full")]
    course = course_so_far(kb, [first], _current(first), logs, START.date())
    assert course is not None
    found = course.last_signal
    assert found is not None and found[1].colour is Colour.RED


def test_a_later_assessment_is_the_reassessment(kb: KnowledgeBase, first: Assessment) -> None:
    result = to_json_object(first.result)
    result["scores"]["odi"]["percent"] -= 14  # type: ignore[index, operator]
    later = Assessment(
        patient_id=first.patient_id,
        intake=first.intake,
        result=result_from_json(result),
        triage_level="none",
        plan_status="plan",
        engine_version="test",
        created_at=START + dt.timedelta(days=13),
    )
    day = START.date() + dt.timedelta(days=13)
    course = course_so_far(kb, [first, later], _current(first), [], day)
    assert course is not None
    changes = course.replay.day(day).changes
    odi = [c for c in changes if c.measure == "odi"]
    assert odi and odi[0].status.value == "improved" and odi[0].improvement == 14
    assert course.next_due() is not None


def _again(first: Assessment, days: int, *, plan: bool = True) -> Assessment:
    result = first.result if plan else dataclasses.replace(first.result, plan=None)
    return Assessment(
        patient_id=first.patient_id,
        intake=first.intake,
        result=result,
        triage_level="none" if plan else "urgent",
        plan_status="plan" if plan else "withheld",
        engine_version="test",
        created_at=START + dt.timedelta(days=days),
    )


def test_reassessments_continue_the_course_and_a_red_flag_ends_it(
    kb: KnowledgeBase, first: Assessment
) -> None:
    """Questionnaires every two weeks give new results (each with a plan): the course goes on."""
    assert first.result.plan is not None
    weeks = first.result.plan.weeks
    again = [_again(first, 13), _again(first, 27)]
    history = [first, *again]
    current = _current(again[-1])
    course = course_so_far(kb, history, current, [], START.date() + dt.timedelta(days=30))
    assert course is not None and course.plan.start == START.date() and course.week == 5
    # After the course's last week a new assessment starts a new course.
    late = _again(first, 7 * weeks + 3)
    current = _current(late)
    course = course_so_far(kb, [*history, late], current, [], late.created_at.date())
    assert course is not None and course.plan.start == late.created_at.date()
    # A withheld assessment (a red flag) in between: the next plan starts afresh.
    stop, resumed = _again(first, 20, plan=False), _again(first, 34)
    current = _current(resumed)
    course = course_so_far(kb, [first, stop, resumed], current, [], resumed.created_at.date())
    assert course is not None and course.plan.start == resumed.created_at.date()


def test_the_questionnaires_are_waiting_from_their_day_until_answered(
    kb: KnowledgeBase, first: Assessment
) -> None:
    every = kb.progression.reassessment.questionnaires_every_days
    due_day = START.date() + dt.timedelta(days=every - 1)  # day 14 of the course
    before = course_so_far(kb, [first], _current(first), [], due_day - dt.timedelta(days=1))
    assert before is not None and before.questionnaires_due is None
    waiting = course_so_far(kb, [first], _current(first), [], due_day + dt.timedelta(days=2))
    assert waiting is not None and waiting.questionnaires_due == due_day

    def answered(days: int) -> Assessment:
        return dataclasses.replace(first, id=uuid4(), created_at=START + dt.timedelta(days=days))

    early = answered(every - 4)  # a few days early still counts
    course = course_so_far(kb, [first, early], _current(first), [], due_day + dt.timedelta(days=2))
    assert course is not None and course.questionnaires_due is None
    too_early = answered(every - 7)
    course = course_so_far(kb, [first, too_early], _current(first), [], due_day + dt.timedelta(days=2))
    assert course is not None and course.questionnaires_due == due_day
