"""The CSV tables and the calendar feed, read back with the standard parsers.

CSV: ``csv.DictReader`` must give back exactly the values stored (quotes, commas,
line breaks, non-ASCII), with formulas neutralised. Calendar: ``icalendar`` must parse
the feed; the occurrences, expanded with ``dateutil`` (what calendar apps do), must be
the plan's days; UIDs must not change between exports.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar, Event

from backmech.domain.errors import BackmechError
from backmech.domain.plans.edits import ChangeDose
from backmech.domain.progression.reassessment import due_on
from backmech.domain.results.model import AssessmentResult
from backmech.exports.csv_export import (
    SCORE_COLUMNS,
    SESSION_LOG_COLUMNS,
    questionnaire_scores_csv,
    session_logs_csv,
)
from backmech.exports.ical import (
    CalendarOptions,
    empty_calendar,
    event_uid,
    patient_calendar,
    plan_calendar,
)
from backmech.knowledge.loader import default_knowledge
from backmech.services.assessment import AssessmentService
from backmech.services.codec import result_from_json, to_json_object
from backmech.services.patient_record import PatientRecord
from backmech.services.ports import Assessment, Clinic, Patient, PlanEdit, SessionLog

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "flexion-intolerant-desk-worker.json"
START = dt.date(2026, 1, 5)  # a Monday


@pytest.fixture(scope="module")
def result(service: AssessmentService) -> AssessmentResult:
    intake = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    result = service.assess(intake)
    assert result.plan is not None
    return result


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


# --- CSV --------------------------------------------------------------------------------------


def test_session_logs_read_back_with_every_value_and_tricky_text_intact() -> None:
    patient = uuid4()
    notes = 'Felt "better", then stiff;\nSchmerz ↓ – äöü, 頑張った'
    logs = [
        SessionLog(
            patient_id=patient,
            session_date=dt.date(2026, 1, 5),
            pain_before=4,
            pain_during=6,
            pain_after=3,
            next_morning_pain=2,
            effort=7,
            kind="full",
            notes=notes,
            idempotency_key="a",
        ),
        SessionLog(
            patient_id=patient,
            session_date=dt.date(2026, 1, 6),
            pain_before=3,
            pain_after=3,
            effort=2,
            notes='=HYPERLINK("http://x")',
            idempotency_key="b",
        ),
    ]
    text = session_logs_csv(logs)
    assert text.splitlines()[0] == ",".join(SESSION_LOG_COLUMNS)
    assert text.endswith("\r\n")
    rows = _rows(text)
    assert rows[0] == {
        "date": "2026-01-05",
        "kind": "full",
        "pain_before": "4",
        "pain_during": "6",
        "pain_after": "3",
        "next_morning_pain": "2",
        "effort": "7",
        "notes": notes,
    }
    assert (rows[1]["kind"], rows[1]["pain_during"], rows[1]["next_morning_pain"]) == ("", "", "")
    assert rows[1]["notes"] == '\'=HYPERLINK("http://x")'  # a spreadsheet shows it, never runs it
    assert text.encode("utf-8").decode("utf-8") == text
    assert session_logs_csv([]) == ",".join(SESSION_LOG_COLUMNS) + "\r\n"


def _assessed(result: AssessmentResult, intake: dict[str, Any] | None = None) -> Assessment:
    """A stored assessment of ``result`` made on Monday 5 January 2026, for a new patient."""
    return Assessment(
        patient_id=uuid4(),
        intake=intake or {},
        result=result,
        triage_level="none",
        plan_status="ready",
        engine_version="0.1.0",
        created_at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
    )


def test_questionnaire_scores_have_a_row_per_score_with_band_and_change_from_baseline(
    result: AssessmentResult,
) -> None:
    later = to_json_object(result)
    later["scores"]["odi"]["percent"] = 18.0  # type: ignore[index]
    later["scores"]["nprs"]["current"] = 2  # type: ignore[index]
    first = _assessed(result)
    second = dataclasses.replace(
        first,
        id=uuid4(),
        result=result_from_json(later),
        created_at=dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC),
    )
    rows = _rows(questionnaire_scores_csv([first, second]))
    assert list(rows[0]) == list(SCORE_COLUMNS)
    odi = [r for r in rows if (r["instrument"], r["measure"]) == ("odi", "percent")]
    assert [(r["date"], r["score"], r["change_from_baseline"]) for r in odi] == [
        ("2026-01-05", "28", "0"),
        ("2026-02-02", "18", "-10"),
    ]
    assert odi[0]["band"] == result.scores["odi"].bands["percent"].id
    assert odi[0]["instrument_name"] == "Oswestry Disability Index" and odi[0]["complete"] == "yes"
    assert [r["assessment_id"] for r in odi] == [str(first.id), str(second.id)]
    nprs = [r["change_from_baseline"] for r in rows if (r["instrument"], r["measure"]) == ("nprs", "current")]
    assert nprs == ["0", "-3"]
    risk = [r for r in rows if (r["instrument"], r["measure"]) == ("start_back", "risk")]
    assert [(r["score"], r["change_from_baseline"]) for r in risk] == [("medium", ""), ("medium", "")]
    per_assessment = len(rows) // 2
    assert per_assessment >= len(result.scores) and len(rows) == 2 * per_assessment


# --- iCalendar --------------------------------------------------------------------------------


def _options(feed: Any = None, **changes: Any) -> CalendarOptions:
    base = CalendarOptions(
        feed_id=feed or uuid4(),
        start=START,
        session_weekdays=frozenset({0, 2, 4}),
        made_at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
    )
    return dataclasses.replace(base, **changes)


def _events(feed: bytes) -> list[Event]:
    return list(Calendar.from_ical(feed).events)


def _occurrences(event: Event) -> list[dt.date]:
    start = event["dtstart"].dt
    if "rrule" not in event:
        return [start]
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=dt.datetime.combine(start, dt.time()))
    return [moment.date() for moment in rule]


def test_the_feed_parses_back_with_every_session_routine_and_reassessment(result: AssessmentResult) -> None:
    assert result.plan is not None
    plan = to_json_object(result.plan)  # the plan as its JSON contract, for the expectations
    weeks = plan["weeks"]
    assert isinstance(weeks, int)
    events = _events(plan_calendar(result.plan, _options()))

    routine = [e for e in events if str(e["summary"]).startswith("Daily back routine")]
    sessions = [e for e in events if " session" in str(e["summary"])]
    questionnaires = [e for e in events if "questionnaires" in str(e["summary"])]
    retests = [e for e in events if "Movement retest" in str(e["summary"])]
    every = plan["reassess_after_days"]
    phases = [p for p in plan["phases"] if p["start_week"] <= weeks]  # maintenance comes after the plan
    assert 1 < len(phases) < len(plan["phases"])
    assert len(routine) == 1 and len(sessions) == len(phases)
    assert len(questionnaires) == weeks * 7 // every
    assert len(retests) == len(plan["movement_retest_weeks"])
    assert len(events) == 1 + len(phases) + weeks * 7 // every + len(plan["movement_retest_weeks"])

    days = _occurrences(routine[0])
    assert days == [START + dt.timedelta(d) for d in range(weeks * 7)]
    session_days = sorted(day for event in sessions for day in _occurrences(event))
    assert len(session_days) == len(set(session_days)) == weeks * 3  # Mon, Wed, Fri for every week
    assert {day.weekday() for day in session_days} == {0, 2, 4}
    assert session_days[0] == START and session_days[-1] < START + dt.timedelta(weeks=weeks)
    # The same days as the course's own reassessment calendar (day 14 is the last day of week 2).
    reassessment = default_knowledge().progression.reassessment
    course = [START + dt.timedelta(d) for d in range(weeks * 7)]
    assert reassessment.questionnaires_every_days == every
    assert [q["dtstart"].dt for q in questionnaires] == [
        d for d in course if due_on(d, START, weeks, reassessment).questionnaires
    ]
    assert [r["dtstart"].dt for r in retests] == [
        d
        for d in course
        if due_on(d, START, weeks, reassessment).movement_retest
        and (d - START).days // 7 + 1 in plan["movement_retest_weeks"]
    ]
    for event in events:
        assert "does not replace a clinician" in str(event["description"])
        assert isinstance(event["dtstart"].dt, dt.date) and not isinstance(event["dtstart"].dt, dt.datetime)
    first_phase = plan["phases"][0]
    assert first_phase["session"][0]["name"] in str(sessions[0]["description"])


def test_uids_are_stable_across_exports_and_plans_and_unique_within_one(result: AssessmentResult) -> None:
    feed = uuid4()
    plan = result.plan
    assert plan is not None
    one = plan_calendar(plan, _options(feed))
    assert one == plan_calendar(plan, _options(feed))  # the same plan gives the same bytes
    later = plan_calendar(plan, _options(feed, start=START + dt.timedelta(days=30), sequence=1))
    uids = [str(e["uid"]) for e in _events(one)]
    assert len(set(uids)) == len(uids)
    assert [str(e["uid"]) for e in _events(later)] == uids  # a newer plan updates, never duplicates
    assert {int(e["sequence"]) for e in _events(later)} == {1}
    assert event_uid(feed, "routine") in uids
    other = [str(e["uid"]) for e in _events(plan_calendar(plan, _options()))]
    assert not set(other) & set(uids)  # another patient's events never replace these


def _record(*assessments: Assessment, edits: tuple[PlanEdit, ...] = ()) -> PatientRecord:
    clinic = Clinic(name="North")
    patient_id = assessments[0].patient_id
    return PatientRecord(
        clinic=clinic,
        patient=Patient(id=patient_id, clinic_id=clinic.id, display_name="P"),
        assessments=list(assessments),
        movement_analyses=[],
        session_logs=[],
        plan_edits=list(edits),
    )


def test_the_patient_feed_is_the_current_plan_with_edits_and_refuses_a_withheld_plan(
    result: AssessmentResult,
) -> None:
    assessed = _assessed(result, {"preferences": {"days_per_week": 2}})
    patient = assessed.patient_id
    edit = PlanEdit(
        patient_id=patient,
        editor_id=None,
        reason="flare",
        change=ChangeDose("daily_routine", "mcgill-curl-up", "1 gentle hold"),
        at=dt.datetime(2026, 1, 9, 9, tzinfo=dt.UTC),
    )
    kb, today = default_knowledge(), dt.date(2026, 1, 10)
    plain = _events(patient_calendar(_record(assessed), kb=kb, today=today))
    edited = _events(patient_calendar(_record(assessed, edits=(edit,)), kb=kb, today=today))
    routine = next(e for e in edited if str(e["summary"]).startswith("Daily back routine"))
    assert "McGill curl-up: 1 gentle hold" in str(routine["description"])
    assert [str(e["uid"]) for e in plain] == [str(e["uid"]) for e in edited]
    assert {int(e["sequence"]) for e in edited} == {int(plain[0]["sequence"]) + 1}
    sessions = [e for e in plain if " session" in str(e["summary"])]
    assert {day.weekday() for e in sessions for day in _occurrences(e)} == {0, 3}  # 2 days a week, spread
    assert plain[0]["dtstart"].dt == dt.date(2026, 1, 5)

    withheld = dataclasses.replace(
        assessed,
        id=uuid4(),
        result=dataclasses.replace(result, plan=None),
        created_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
    )
    with pytest.raises(BackmechError, match="no plan"):
        patient_calendar(_record(assessed, withheld), kb=kb, today=today)


def test_reminders_are_the_only_events_with_an_alert_and_follow_the_chosen_cadence(
    result: AssessmentResult,
) -> None:
    from backmech.services.ports import ReminderSettings, SessionLog

    assessed = _assessed(result)  # on a Monday
    patient = assessed.patient_id
    chosen = ReminderSettings(
        patient_id=patient, per_week=2, weekdays=frozenset({0, 1, 2}), time_of_day=dt.time(19, 15)
    )
    logged = SessionLog(
        patient_id=patient,
        session_date=dt.date(2026, 1, 12),
        pain_before=3,
        pain_after=3,
        effort=4,
        idempotency_key="k",
    )
    record = dataclasses.replace(_record(assessed), reminders=chosen, session_logs=[logged])
    kb = default_knowledge()
    today = dt.date(2026, 1, 10)
    without = _events(patient_calendar(dataclasses.replace(record, reminders=None), kb=kb, today=today))
    assert not any(e.walk("VALARM") for e in without)  # none asked for, none sent
    events = _events(patient_calendar(record, kb=kb, today=today))
    alerting = [e for e in events if e.walk("VALARM")]
    starts = sorted(e.decoded("dtstart") for e in alerting)
    assert starts[:4] == [
        dt.datetime(2026, 1, 13, 19, 15),  # Monday 12th was logged: Tuesday and Wednesday instead
        dt.datetime(2026, 1, 14, 19, 15),
        dt.datetime(2026, 1, 20, 19, 15),  # not Monday 19th: 13th and 14th are in its 7 days
        dt.datetime(2026, 1, 21, 19, 15),
    ]
    assert all(e.walk("VALARM")[0]["trigger"].dt == dt.timedelta(0) for e in alerting)
    assert len({str(e["uid"]) for e in events}) == len(events)
    assert len(without) == len(events) - len(alerting)
    assert not any(Calendar.from_ical(empty_calendar()).walk("VEVENT"))
