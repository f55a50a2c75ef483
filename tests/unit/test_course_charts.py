"""Exercise level over a course and movement tests first/latest: the numbers and their charts.

The course is built from real engine output (the flexion-intolerant example) with logs
shaped as the web form stores them, as in ``test_course_service.py``. The movement
results copy the shape and metric ids of ``services.movement.outcome_view`` output for
the synthetic knee-to-wall and forward-bend recordings of ``tests/motion``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.reports.charts import Band, BeforeAfter, Series, before_after_chart, step_chart
from backmech.reports.clinician_letter import render_clinician_letter
from backmech.reports.patient_report import render_patient_report
from backmech.reports.report_charts import level_chart, movement_chart
from backmech.services.assessment import AssessmentService
from backmech.services.care_plan import current_from
from backmech.services.codec import analysis_result_from_json
from backmech.services.course import Course, course_so_far
from backmech.services.course_charts import (
    ExerciseLevels,
    dose_text,
    exercise_levels,
    most_changed,
    movement_before_after,
)
from backmech.services.patient_record import PatientRecord
from backmech.services.ports import (
    AnalysisStatus,
    Assessment,
    Clinic,
    MovementAnalysis,
    Patient,
    SessionLog,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "flexion-intolerant-desk-worker.json"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
COMFORTABLE = (4, 2, 2, 3)  # before, worst during, after, next morning: GREEN, confirmed
PAINFUL = (4, 6, 6, 5)  # RED, but only 2 points above the usual 4: a step back, not a flare-up
FLARE = (4, 8, 8, 8)  # RED and 4 points above the usual: the flare plan's cut


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


def _course(kb: KnowledgeBase, first: Assessment, days: list[tuple[int, int, int, int]]) -> Course:
    logs = [
        SessionLog(
            patient_id=first.patient_id,
            session_date=START.date() + dt.timedelta(days=day),
            pain_before=before,
            pain_during=during,
            pain_after=after,
            next_morning_pain=morning,
            effort=5,
            kind="full",
            idempotency_key=f"full:{day}",
        )
        for day, (before, during, after, morning) in enumerate(days)
    ]
    current = current_from([first], [])
    course = course_so_far(kb, [first], current, logs, START.date() + dt.timedelta(days=len(days)))
    assert course is not None
    return course


def _line(levels: list[ExerciseLevels], slug: str) -> ExerciseLevels:
    return next(line for line in levels if line.slug == slug)


def _by_day(line: ExerciseLevels) -> dict[int, float]:
    """The level at the end of each day of the course (day 0 = the plan's first day)."""
    return {(p.on - START.date()).days: p.level for p in line.points}


def test_levels_rise_after_comfortable_sessions_and_fall_after_a_painful_one(
    kb: KnowledgeBase, first: Assessment
) -> None:
    course = _course(kb, first, [COMFORTABLE] * 5 + [PAINFUL])
    levels = exercise_levels(course, kb)
    assert [line.slug for line in levels] == list(course.plan.exercises)
    bird = _by_day(_line(levels, "bird-dog"))
    # 6-4-2 -> 8-6-4 -> 10-8-6 -> 12-10-8 -> bird dog sweeps 6-4-2 -> 8-6-4, one step a session...
    assert [bird[d] for d in range(5)] == [1, 2, 3, 4, 5]
    # ...and the painful session steps back to the earlier dose.
    assert bird[5] == 4
    bird_points = _line(levels, "bird-dog").points
    assert bird_points[0].change == "start" and bird_points[0].level == 0
    assert [p.exercise for p in bird_points if p.change == "up"][-1] == kb.exercises["bird-dog-sweeps"].name
    assert bird_points[-2].change == "down" and bird_points[-2].dose == "6-4-2"
    assert bird_points[-1].change == "now" and bird_points[-1].level == 4  # held until today
    # An exercise that reaches a harder one and then the cap of that one keeps climbing.
    squat = _by_day(_line(levels, "box-squat"))
    assert squat[2] == 3 and squat[3] > squat[2] and squat[5] < squat[4]
    for line in levels:
        for before, after in zip(line.points, line.points[1:], strict=False):
            if after.change == "up":
                assert after.level > before.level, (line.slug, after)
            if after.change == "down":
                assert after.level < before.level, (line.slug, after)


def test_the_levels_end_where_the_replay_ends(kb: KnowledgeBase, first: Assessment) -> None:
    """Decisions are matched to plan exercises by position: two plan exercises may reach the same one."""
    course = _course(kb, first, [COMFORTABLE] * 4 + [PAINFUL, COMFORTABLE, FLARE])
    levels = exercise_levels(course, kb)
    for line, rung in zip(levels, course.replay.rungs, strict=True):
        assert line.latest.exercise == kb.exercises[rung.slug].name
        assert line.latest.dose == dose_text(rung)
    glute = _line(levels, "glute-bridge").points
    cut = [p for p in glute if p.change == "flare-up"]
    assert len(cut) == 1 and cut[0].on == START.date() + dt.timedelta(days=6)
    before_cut = glute[glute.index(cut[0]) - 1]
    assert cut[0].level < before_cut.level
    # Single-leg bridge 2 x 10, then 2 x 7 after the painful session (30 % less, below its start dose
    # of 2 x 8: part of a step down), back to 2 x 8 after a comfortable one, and half that in the flare-up.
    assert [(p.dose, p.level) for p in glute[-4:]] == [
        ("2 x 7", 2.88),
        ("2 x 8", 3),
        ("2 x 4", 2.5),
        ("2 x 4", 2.5),
    ]
    assert glute[-1].change == "now"


def test_no_rated_session_no_level_chart(kb: KnowledgeBase, first: Assessment) -> None:
    course = _course(kb, first, [])
    levels = exercise_levels(course, kb)
    assert all(len(line.points) == 1 and line.points[0].level == 0 for line in levels)
    assert level_chart(levels) is None


def test_the_level_chart_draws_the_six_that_changed_most(kb: KnowledgeBase, first: Assessment) -> None:
    course = _course(kb, first, [COMFORTABLE] * 5 + [PAINFUL])
    levels = exercise_levels(course, kb)
    chosen, left_out = most_changed(levels)
    assert len(chosen) == 6 and left_out == len(levels) - 6
    assert "sitting-posture-reset" not in {line.slug for line in chosen}  # never more than 0.3 of a step
    chart = level_chart(levels)
    assert chart is not None
    svg = str(chart.svg)
    assert '<title id="chart-exercise-level-title">Exercise level over the course</title>' in svg
    desc = re.search(r'<desc id="chart-exercise-level-desc">(.*?)</desc>', svg)
    assert desc is not None
    assert f"6 of the {len(levels)} exercises are drawn: the ones whose level changed most" in desc.group(1)
    assert svg.count("<polyline") == 6
    for line in chosen:
        assert f">{line.name}</text>" in svg.replace("&#39;", "'")
    dashes = set(re.findall(r'<polyline[^>]*?(stroke-dasharray="[^"]+")?/>', svg))
    assert len(dashes) >= 5  # five dashed and one solid line
    assert "Bird dog, 07 Mar 2026: 4" in svg  # each point says its value


def test_step_chart_holds_a_level_until_it_changes() -> None:
    day = dt.date(2026, 3, 2)
    svg = str(
        step_chart(
            "c",
            "T",
            "D",
            [Series("One", [(day, 0), (day + dt.timedelta(days=10), 2)])],
            style=".x{}",
        )
    )
    points = re.search(r'<polyline[^>]*points="([^"]+)"', svg)
    assert points is not None
    (x0, y0), (x1, y1), (x2, y2) = (tuple(map(float, p.split(","))) for p in points.group(1).split())
    assert y1 == y0 and x0 < x1 == x2 and y2 < y0  # flat, then straight up on the day of the change
    assert "<style>.x{}</style>" in svg
    assert "Nothing recorded yet" in str(step_chart("e", "T", "D", []))


# ------------------------------------------------------------------ movement before/after


def _knee_to_wall(left: float, right: float) -> dict[str, Any]:
    """A stored knee-to-wall result (shape and wording of a real ``outcome_view``)."""
    return {
        "test": "knee-to-wall",
        "estimator": "blazepose-full",
        "video": None,
        "frames_analysed": 540,
        "detection_rate": 1.0,
        "view": {"ok": True, "view": "side", "problems": []},
        "repetitions": 6,
        "metrics": {
            "left_deg": {
                "name": "Left ankle, tibial angle",
                "value": left,
                "unit": "deg",
                "confidence": 0.88,
                "normal": "Shin against vertical with the heel down. 35 to 38 degrees or more is usually "
                "taken as normal (a sports-practice convention, not a population norm); 1 cm of "
                "knee-to-wall distance is about 3.6 degrees.",
                "source": "bennell-1998",
            },
            "right_deg": {
                "name": "Right ankle, tibial angle",
                "value": right,
                "unit": "deg",
                "confidence": 0.88,
                "normal": "35 to 38 degrees or more is usually taken as normal "
                "(a sports-practice convention).",
                "source": "bennell-1998",
            },
            "asymmetry_deg": {
                "name": "Left-right difference",
                "value": round(abs(left - right), 2),
                "unit": "deg",
                "confidence": 0.88,
                "normal": "Differences up to about 5 degrees are within the measurement error; healthy "
                "people may differ a little.",
                "source": "powden-2015",
            },
        },
        "findings": {
            "movement.knee_to_wall_angle_deg.left": round(left, 1),
            "movement.knee_to_wall_angle_deg.right": round(right, 1),
            "movement.knee_to_wall_asymmetry_deg": round(abs(left - right), 1),
        },
        "finding_reasons": [],
        "phases": [],
        "events": [],
        "notes": [],
    }


def _forward_bend(flexion: float, early: float | None) -> dict[str, Any]:
    def metric(name: str, value: float | None, unit: str, source: str) -> dict[str, Any]:
        normal = "Compare with your own earlier videos."
        return {
            "name": name,
            "value": value,
            "unit": unit,
            "confidence": 0.88,
            "normal": normal,
            "source": source,
        }

    return {
        "test": "forward-bend",
        "estimator": "blazepose-full",
        "video": None,
        "frames_analysed": 300,
        "detection_rate": 0.97,
        "view": {"ok": True, "view": "side", "problems": []},
        "repetitions": 5,
        "metrics": {
            "max_trunk_flexion_deg": metric("Largest trunk flexion", flexion, "deg", "esola-1996"),
            "trunk_share_early_pct": metric(
                "Trunk-on-thigh share of the bend, first 30 degrees", early, "%", "esola-1996"
            ),
            "descent_speed_deg_s": metric("Top speed on the way down", 117.32, "deg/s", "laird-2014"),
        },
        "findings": {"movement.forward_bend_max_trunk_flexion_deg": round(flexion, 1)},
        "finding_reasons": [],
        "phases": [],
        "events": [],
        "notes": [],
    }


def _analysis(
    patient: UUID,
    test: str,
    days: int,
    result: dict[str, Any] | None,
    status: AnalysisStatus = AnalysisStatus.DONE,
) -> MovementAnalysis:
    at = START + dt.timedelta(days=days)
    return MovementAnalysis(
        patient_id=patient,
        test=test,
        media_path=f"{patient}/{test}-{days}.mp4",
        status=status,
        result=analysis_result_from_json(result),  # the stored shape, read as storage reads it
        created_at=at,
        updated_at=at,
    )


def _analyses() -> list[MovementAnalysis]:
    patient = uuid4()
    failed = {"error": {"message": "No person was found", "hint": "Step back", "code": "input"}}
    return [
        _analysis(patient, "knee-to-wall", 0, _knee_to_wall(40.07, 30.05)),
        _analysis(patient, "forward-bend", 1, _forward_bend(82.4, 91.0)),
        _analysis(patient, "rotation", 2, {"test": "rotation", "metrics": {}}),  # done once only
        _analysis(patient, "knee-to-wall", 20, _knee_to_wall(41.2, 35.6)),
        _analysis(patient, "forward-bend", 21, _forward_bend(97.97, None)),  # early share not measured
        _analysis(patient, "knee-to-wall", 40, failed, AnalysisStatus.FAILED),
        _analysis(patient, "knee-to-wall", 41, None, AnalysisStatus.QUEUED),
        _analysis(patient, "forward-bend", 42, {"progress": 0.4}, AnalysisStatus.RUNNING),
    ]


def test_first_and_latest_value_of_each_metric_of_a_repeated_test() -> None:
    found = movement_before_after(reversed(_analyses()))  # stored order does not matter
    assert [c.test for c in found] == ["knee-to-wall", "forward-bend"]
    knee = found[0]
    assert knee.name == "Knee to wall" and knee.analyses == 2  # the failed and queued ones do not count
    assert [m.metric for m in knee.metrics] == ["left_deg", "right_deg", "asymmetry_deg"]
    right = knee.metrics[1]
    assert (right.first, right.latest, right.change) == (30.05, 35.6, 5.55)
    assert right.first_on == START.date() and right.latest_on == START.date() + dt.timedelta(days=20)
    assert right.unit == "deg" and right.normal.startswith("35 to 38 degrees or more")
    assert right.source == "bennell-1998"
    assert knee.metrics[2].latest == 5.6
    bend = found[1]
    # Headline metrics only; the early share was measured once, so it has nothing to compare.
    assert [m.metric for m in bend.metrics] == ["max_trunk_flexion_deg"]
    assert (bend.metrics[0].first, bend.metrics[0].latest) == (82.4, 97.97)


def test_only_the_tests_asked_for() -> None:
    found = movement_before_after(_analyses(), ["forward-bend", "rotation"])
    assert [c.test for c in found] == ["forward-bend"]
    assert movement_before_after(_analyses()[:3]) == []


def test_the_before_after_chart_shows_both_values_of_each_metric() -> None:
    knee = movement_before_after(_analyses())[0]
    svg = str(movement_chart(knee, style=".x{}"))
    assert '<title id="chart-movement-knee-to-wall-title">Knee to wall: first and latest video</title>' in svg
    assert "2 videos of this test, from 02 Mar 2026 to 22 Mar 2026." in svg
    assert "Right ankle, tibial angle: 30.05 to 35.6 deg" in svg
    assert "Right ankle, tibial angle, First (02 Mar): 30.1 deg" in svg
    assert "Right ankle, tibial angle, Latest (22 Mar): 35.6 deg" in svg
    assert svg.count("<circle") == 1 + 3 and svg.count("<rect") == 1 + 3  # legend plus one pair a row
    assert "chart-band" not in svg  # the stored normal range is words: nothing is shaded
    assert "<style>.x{}</style>" in svg


def test_a_normal_range_given_as_numbers_is_shaded() -> None:
    row = BeforeAfter("Left ankle", "deg", 30.0, 36.0, Band(35, 50, "35 degrees or more"))
    svg = str(before_after_chart("k", "T", "D", [row]))
    band = re.search(r'<rect class="chart-band" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    assert band is not None and "<title>35 degrees or more</title>" in svg
    first = re.search(
        r'<circle class="series series-0 chart-point" cx="([\d.]+)" cy="([\d.]+)"', svg.split("</text>", 2)[2]
    )
    assert first is not None
    # The first value (30) lies left of the band (35 and up); the band ends at 50.
    assert float(first.group(1)) < float(band.group(1))


# ------------------------------------------------------------------ in the reports


def _record(first: Assessment, days: int, analyses: list[MovementAnalysis]) -> PatientRecord:
    clinic = Clinic(name="Riverside Physiotherapy")
    patient = Patient(clinic_id=clinic.id, display_name="Sam Example", id=first.patient_id)
    logs = [
        SessionLog(
            patient_id=first.patient_id,
            session_date=START.date() + dt.timedelta(days=day),
            pain_before=4,
            pain_during=2,
            pain_after=2,
            next_morning_pain=3,
            effort=5,
            kind="full",
            idempotency_key=f"full:{day}",
        )
        for day in range(days)
    ]
    return PatientRecord(
        clinic=clinic,
        patient=patient,
        assessments=[first],
        movement_analyses=analyses,
        session_logs=logs,
        plan_edits=[],
    )


def test_the_reports_show_both_charts_with_their_numbers(kb: KnowledgeBase, first: Assessment) -> None:
    record = _record(first, 5, _analyses())
    today = START.date() + dt.timedelta(days=45)
    for html in (
        render_patient_report(record, kb, today),
        render_clinician_letter(record, kb, today, "Dr Example"),
    ):
        section = html.split('<section id="course-charts"', 1)[1].split("</section>", 1)[0]
        assert 'id="chart-exercise-level"' in section and "<style>" in section
        assert 'id="chart-movement-knee-to-wall"' in section and 'id="chart-movement-forward-bend"' in section
        assert "Right ankle, tibial angle" in section and "35.6 deg" in section
        assert 'id="level-table"' in section and "Bird dog" in section


def test_the_reports_leave_the_section_out_without_data(kb: KnowledgeBase, first: Assessment) -> None:
    record = _record(first, 0, _analyses()[:3])  # no session, and no test done twice
    today = START.date() + dt.timedelta(days=3)
    assert 'id="course-charts"' not in render_patient_report(record, kb, today)
    assert 'id="course-charts"' not in render_clinician_letter(record, kb, today, "Dr Example")
