"""A realistic patient record in memory: two assessments, six weeks of logs, a clinician's plan edit.

Shared by the report tests (``conftest.py`` makes fixtures of it).

Built from ``examples/`` through the real assessment engine and stored the way the
web stores it (the result JSON decoded), so the reports read what they would read
from a database.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any
from uuid import uuid4

from backmech.domain.plans.edits import RemoveExercise
from backmech.services.assessment import AssessmentService
from backmech.services.patient_record import PatientRecord
from backmech.services.ports import Assessment, Clinic, Patient, PlanEdit, SessionLog

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
START = dt.date(2026, 10, 5)  # a Monday: the first assessment
TODAY = START + dt.timedelta(days=44)  # week 7 of the plan
EDITOR = uuid4()


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def stored(service: AssessmentService, patient: Patient, intake: dict[str, Any], day: dt.date) -> Assessment:
    """One assessment as the web stores it: the engine's result JSON, decoded."""
    result = service.assess(intake)
    return Assessment(
        patient_id=patient.id,
        intake=intake,
        result=result,
        triage_level=str(result.triage.level),
        plan_status=result.plan_status,
        engine_version=result.backmech_version,
        created_at=at(day),
    )


def better(intake: dict[str, Any]) -> dict[str, Any]:
    """The same person weeks later: less pain, less disability."""
    later = copy.deepcopy(intake)
    q = later["questionnaires"]
    q["nprs"]["answers"] = {"current": 2, "worst_24h": 4, "best_24h": 1}
    q["odi"]["answers"] = dict.fromkeys(q["odi"]["answers"], 0) | {"sitting": 1, "travelling": 1}
    return later


def session_logs(patient: Patient) -> list[SessionLog]:
    """Six weeks of sessions on five days a week, pain easing; one session flares the next morning."""
    logs = []
    for offset in range(42):
        day = START + dt.timedelta(days=offset)
        if day.weekday() in (2, 6):  # rest days: Wednesday and Sunday
            continue
        week = offset // 7
        before = max(1, 5 - week // 2)
        flare = offset == 15  # a Tuesday in week 3
        logs.append(
            SessionLog(
                patient_id=patient.id,
                session_date=day,
                pain_before=before,
                pain_during=min(10, before + (3 if flare else 1)),
                pain_after=max(0, before - 1),
                next_morning_pain=before + 2 if flare else max(0, before - 1),
                effort=5,
                kind="full" if offset % 2 else "routine",
                idempotency_key=f"full:{patient.id.hex}:{offset:04d}",
                created_at=at(day, 18),
            )
        )
    return logs


def build_record(engine: AssessmentService) -> PatientRecord:
    """The desk worker, assessed twice four weeks apart, with logs and one plan edit."""
    clinic = Clinic(name="Riverside Physiotherapy", created_at=at(START - dt.timedelta(days=30)))
    patient = Patient(clinic_id=clinic.id, display_name="Sam Example", created_at=at(START))
    intake = example("flexion-intolerant-desk-worker.json")
    first = stored(engine, patient, intake, START)
    second = stored(engine, patient, better(intake), START + dt.timedelta(days=28))
    edit = PlanEdit(
        patient_id=patient.id,
        editor_id=EDITOR,
        reason="Bird dog provokes pain when kneeling; kneeling is sore after a knee arthroscopy.",
        change=RemoveExercise("exercises", "bird-dog"),
        at=at(START + dt.timedelta(days=30), 11),
    )
    return PatientRecord(
        clinic=clinic,
        patient=patient,
        assessments=[first, second],
        movement_analyses=[],
        session_logs=session_logs(patient),
        plan_edits=[edit],
    )


def build_red_flag_record(engine: AssessmentService) -> PatientRecord:
    """Someone whose answers point to cauda equina syndrome: the triage stops the programme."""
    clinic = Clinic(name="Riverside Physiotherapy")
    patient = Patient(clinic_id=clinic.id, display_name="Alex Urgent", created_at=at(START))
    assessment = stored(engine, patient, example("red-flag-cauda-equina.json"), START)
    return PatientRecord(
        clinic=clinic,
        patient=patient,
        assessments=[assessment],
        movement_analyses=[],
        session_logs=[],
        plan_edits=[],
    )
