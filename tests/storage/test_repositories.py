"""Records round-trip through the SQL unit of work on both databases, scoped to a clinic and audited."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from uuid import uuid4

import pytest

from backmech.domain.plans.edits import RecordCare, RemoveExercise
from backmech.services.assessment import AssessmentService
from backmech.services.ports import (
    AnalysisStatus,
    Assessment,
    AuditAction,
    Clinic,
    IntegrityViolation,
    MovementAnalysis,
    Patient,
    PlanEdit,
    Role,
    SessionLog,
    UnitOfWorkFactory,
    User,
)
from backmech.storage.unit_of_work import SqlUnitOfWorkFactory
from builders import report

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WHEN = dt.datetime(2026, 3, 4, 9, 30, 15, 123456, tzinfo=dt.UTC)


def _clinic_with_patient(
    uow_factory: SqlUnitOfWorkFactory, name: str = "North"
) -> tuple[Clinic, User, Patient]:
    clinic = Clinic(name=f"{name} Physio", created_at=WHEN)
    clinician = User(
        email=f"{name.lower()}@example.org",
        password_hash="argon2$x",
        role=Role.CLINICIAN,
        clinic_id=clinic.id,
        created_at=WHEN,
    )
    patient = Patient(clinic_id=clinic.id, display_name=f"{name} Patient", created_at=WHEN)
    with uow_factory() as uow:
        uow.clinics.add(clinic)
        uow.users.add(clinician)
        uow.patients.add(patient)
        uow.commit()
    return clinic, clinician, patient


def _log(patient: Patient, key: str, **changes: object) -> SessionLog:
    values: dict[str, object] = {
        "patient_id": patient.id,
        "session_date": dt.date(2026, 3, 4),
        "pain_before": 5,
        "pain_after": 3,
        "effort": 6,
        "idempotency_key": key,
        "notes": "felt fine",
        "created_at": WHEN,
    }
    values.update(changes)
    return SessionLog(**values)  # type: ignore[arg-type]


def test_the_sql_factory_satisfies_the_port(uow_factory: SqlUnitOfWorkFactory) -> None:
    port: UnitOfWorkFactory = uow_factory
    with port() as uow:
        assert list(uow.clinics.list()) == []


def test_clinic_user_and_patient_round_trip(uow_factory: SqlUnitOfWorkFactory) -> None:
    clinic, clinician, patient = _clinic_with_patient(uow_factory)
    patient_login = User(
        email="  Pat@Example.ORG ", password_hash="h", role=Role.PATIENT, clinic_id=clinic.id, created_at=WHEN
    )
    with uow_factory() as uow:
        stored_login = uow.users.add(patient_login)
        linked = Patient(
            clinic_id=clinic.id, display_name="Linked", user_id=patient_login.id, created_at=WHEN
        )
        uow.patients.add(linked)
        uow.commit()

    with uow_factory() as uow:
        assert uow.clinics.get(clinic.id) == clinic
        assert uow.clinics.list() == [clinic]
        assert uow.users.get(clinician.id) == clinician
        assert uow.users.by_email("NORTH@example.org ") == clinician
        assert stored_login.email == "pat@example.org"
        assert uow.users.get(patient_login.id) == stored_login
        assert {u.id for u in uow.users.for_clinic(clinic.id)} == {clinician.id, patient_login.id}
        assert uow.patients.get(clinic.id, patient.id) == patient
        assert uow.patients.for_user(patient_login.id) == linked
        got = uow.users.get(clinician.id)
        assert got is not None and got.role is Role.CLINICIAN
        assert got.created_at == WHEN and got.created_at.tzinfo is not None


def test_assessment_result_round_trips_as_json(
    uow_factory: SqlUnitOfWorkFactory, service: AssessmentService
) -> None:
    clinic, _, patient = _clinic_with_patient(uow_factory)
    intake = json.loads((EXAMPLES / "flexion-intolerant-desk-worker.json").read_text())
    result = service.assess(intake)
    assessment = Assessment(
        patient_id=patient.id,
        intake=intake,
        result=result,
        triage_level=str(result.triage.level),
        plan_status=result.plan_status,
        engine_version=result.backmech_version,
        created_at=WHEN,
    )
    with uow_factory() as uow:
        uow.assessments.add(clinic.id, assessment)
        uow.commit()
    with uow_factory() as uow:
        stored = uow.assessments.get(clinic.id, assessment.id)
        assert stored == assessment
        assert stored.result == result  # typed again: the codec read back what it wrote
        assert uow.assessments.for_patient(clinic.id, patient.id) == [assessment]


def test_movement_analysis_round_trip_and_status(uow_factory: SqlUnitOfWorkFactory) -> None:
    clinic, _, patient = _clinic_with_patient(uow_factory)
    analysis = MovementAnalysis(
        patient_id=patient.id,
        test="forward_bend",
        media_path="media/a/b.mp4",
        created_at=WHEN,
        updated_at=WHEN,
    )
    with uow_factory() as uow:
        uow.movement_analyses.add(clinic.id, analysis)
        uow.commit()
    with uow_factory() as uow:
        assert uow.movement_analyses.get(clinic.id, analysis.id) == analysis
        done = uow.movement_analyses.set_status(
            analysis.id, AnalysisStatus.DONE, result=report("forward_bend", {"max_trunk_flexion_deg": 41.5})
        )
        assert done is not None and done.updated_at > WHEN
        failed_missing = uow.movement_analyses.set_status(uuid4(), AnalysisStatus.FAILED, error="x")
        assert failed_missing is None
        uow.commit()
    with uow_factory() as uow:
        stored = uow.movement_analyses.get(clinic.id, analysis.id)
        assert stored is not None
        assert stored.status is AnalysisStatus.DONE
        assert stored.result == report("forward_bend", {"max_trunk_flexion_deg": 41.5})


def test_session_log_and_plan_edit_round_trip(uow_factory: SqlUnitOfWorkFactory) -> None:
    clinic, clinician, patient = _clinic_with_patient(uow_factory)
    log = _log(patient, "phone-1:2026-03-04:1")
    edit = PlanEdit(
        patient_id=patient.id,
        editor_id=clinician.id,
        reason="Flare-up: back to phase 1",
        change=RemoveExercise("exercises", "deadlift", name="Deadlift"),
        at=WHEN,
    )
    with uow_factory() as uow:
        assert uow.session_logs.add(clinic.id, log) == log
        uow.plan_edits.add(clinic.id, edit)
        uow.commit()
    with uow_factory() as uow:
        updated = uow.session_logs.set_next_morning_pain(clinic.id, log.id, 2)
        assert updated is not None and updated.next_morning_pain == 2
        uow.commit()
    with uow_factory() as uow:
        assert uow.session_logs.for_patient(clinic.id, patient.id) == [
            _log(patient, log.idempotency_key, id=log.id, next_morning_pain=2)
        ]
        assert uow.plan_edits.for_patient(clinic.id, patient.id) == [edit]


def test_assessments_with_plan_edits_is_the_two_reads_in_one(
    uow_factory: SqlUnitOfWorkFactory, service: AssessmentService
) -> None:
    """The patient pages' one query returns what the two separate reads return, scoped and audited."""
    clinic, clinician, patient = _clinic_with_patient(uow_factory)
    other_clinic, _, _ = _clinic_with_patient(uow_factory, "South")
    intake = json.loads((EXAMPLES / "flexion-intolerant-desk-worker.json").read_text())
    document = service.assess(intake)
    assessments = [
        Assessment(
            patient_id=patient.id,
            intake=intake,
            result=document,
            triage_level="none",
            plan_status="plan" if n else "withheld",
            engine_version="1.0",
            created_at=WHEN + dt.timedelta(days=n),
        )
        for n in (1, 0)  # stored newest first: the read must sort them
    ]
    edits = [
        PlanEdit(
            patient_id=patient.id,
            editor_id=clinician.id if n else None,
            reason=f"edit {n}",
            change=RecordCare("manual therapy", f"2026-03-0{n + 5}"),
            at=WHEN + dt.timedelta(hours=5 - n),
        )
        for n in (0, 1, 2)
    ]
    with uow_factory() as uow:
        for assessment in assessments:
            uow.assessments.add(clinic.id, assessment)
        for edit in edits:
            uow.plan_edits.add(clinic.id, edit)
        uow.commit()
    with uow_factory(actor=clinician.id) as uow:
        together = uow.assessments.with_plan_edits(clinic.id, patient.id)
        assert together == (
            uow.assessments.for_patient(clinic.id, patient.id),
            uow.plan_edits.for_patient(clinic.id, patient.id),
        )
        assert [a.created_at for a in together[0]] == [WHEN, WHEN + dt.timedelta(days=1)]
        assert [e.reason for e in together[1]] == ["edit 2", "edit 1", "edit 0"]
        assert together[1][0].change == RecordCare("manual therapy", "2026-03-07")
        assert together[1][2].editor_id is None
        assert uow.assessments.with_plan_edits(other_clinic.id, patient.id) == ([], [])
        uow.commit()
    with uow_factory() as uow:
        events = [(e.action, e.entity) for e in uow.audit.for_patient(clinic.id, patient.id)]
    assert events.count((AuditAction.READ, "assessment")) == 2
    assert events.count((AuditAction.READ, "plan")) == 2


def test_a_clinic_sees_only_its_own_patients(uow_factory: SqlUnitOfWorkFactory) -> None:
    north, _, north_patient = _clinic_with_patient(uow_factory, "North")
    south, _, south_patient = _clinic_with_patient(uow_factory, "South")
    with uow_factory() as uow:
        uow.session_logs.add(south.id, _log(south_patient, "south-1"))
        uow.commit()

    with uow_factory() as uow:
        assert uow.patients.for_clinic(north.id) == [north_patient]
        assert uow.patients.for_clinic(south.id) == [south_patient]
        assert uow.patients.get(north.id, south_patient.id) is None
        assert uow.session_logs.for_patient(north.id, south_patient.id) == []
        assert uow.assessments.for_patient(north.id, south_patient.id) == []
        assert uow.patients.delete(north.id, south_patient.id) is False

    # Writing into another clinic's patient fails as if the patient did not exist.
    with uow_factory() as uow, pytest.raises(IntegrityViolation) as raised:
        uow.session_logs.add(north.id, _log(south_patient, "north-into-south"))
    assert "not found in clinic" in raised.value.detail


def test_session_log_insert_is_idempotent(uow_factory: SqlUnitOfWorkFactory) -> None:
    clinic, _, patient = _clinic_with_patient(uow_factory)
    first = _log(patient, "retry-me")
    with uow_factory() as uow:
        assert uow.session_logs.add(clinic.id, first) == first
        # A retry in the same transaction and, below, in a later one: same row back, no error.
        assert uow.session_logs.add(clinic.id, _log(patient, "retry-me", pain_after=1)) == first
        uow.commit()
    with uow_factory() as uow:
        assert uow.session_logs.add(clinic.id, _log(patient, "retry-me", effort=9)) == first
        uow.commit()
    with uow_factory() as uow:
        assert uow.session_logs.for_patient(clinic.id, patient.id) == [first]
        events = [e for e in uow.audit.for_patient(clinic.id, patient.id) if e.entity == "session_log"]
        assert [(e.action, e.entity_id) for e in events] == [
            (AuditAction.CREATE, first.id),
            (AuditAction.READ, None),
        ]


def test_an_idempotency_key_cannot_be_reused_for_another_patient(uow_factory: SqlUnitOfWorkFactory) -> None:
    clinic, _, patient = _clinic_with_patient(uow_factory)
    other = Patient(clinic_id=clinic.id, display_name="Other")
    with uow_factory() as uow:
        uow.patients.add(other)
        uow.session_logs.add(clinic.id, _log(patient, "shared"))
        with pytest.raises(IntegrityViolation) as raised:
            uow.session_logs.add(clinic.id, _log(other, "shared"))
    assert "another patient" in raised.value.detail


def test_reads_and_changes_of_patient_records_are_audited(uow_factory: SqlUnitOfWorkFactory) -> None:
    clinic, clinician, patient = _clinic_with_patient(uow_factory)
    with uow_factory(actor=clinician.id) as uow:
        uow.patients.get(clinic.id, patient.id)
        uow.session_logs.add(clinic.id, _log(patient, "k1"))
        uow.session_logs.for_patient(clinic.id, patient.id)
        uow.patients.for_clinic(clinic.id)
        uow.commit()
    with uow_factory() as uow:
        events = uow.audit.for_clinic(clinic.id)
    by_clinician = [(e.action, e.entity, e.patient_id) for e in events if e.actor_id == clinician.id]
    assert by_clinician == [
        (AuditAction.READ, "patient", patient.id),
        (AuditAction.CREATE, "session_log", patient.id),
        (AuditAction.READ, "session_log", patient.id),
        (AuditAction.READ, "patient", None),
    ]
    # The set-up ran as the system (no actor) and was audited too.
    assert (None, AuditAction.CREATE, "patient") in {(e.actor_id, e.action, e.entity) for e in events}
    assert all(e.at.tzinfo is not None and e.clinic_id == clinic.id for e in events)
    assert [e.id for e in events] == sorted(e.id for e in events if e.id is not None)


def test_uncommitted_work_and_its_audit_are_rolled_back(uow_factory: SqlUnitOfWorkFactory) -> None:
    clinic, _, _ = _clinic_with_patient(uow_factory)
    ghost = Patient(clinic_id=clinic.id, display_name="Ghost")
    with uow_factory(actor=uuid4()) as uow:
        uow.patients.add(ghost)
    with uow_factory() as uow:
        assert uow.patients.get(clinic.id, ghost.id) is None
        assert all(e.entity_id != ghost.id for e in uow.audit.for_clinic(clinic.id))


def test_deleting_a_patient_cascades_but_the_audit_log_stays(uow_factory: SqlUnitOfWorkFactory) -> None:
    clinic, clinician, patient = _clinic_with_patient(uow_factory)
    with uow_factory(actor=clinician.id) as uow:
        uow.session_logs.add(clinic.id, _log(patient, "gone"))
        assert uow.patients.delete(clinic.id, patient.id) is True
        uow.commit()
    with uow_factory() as uow:
        assert uow.patients.get(clinic.id, patient.id) is None
        assert uow.session_logs.for_patient(clinic.id, patient.id) == []
        actions = [(e.action, e.entity) for e in uow.audit.for_patient(clinic.id, patient.id)]
        assert actions[-1] == (AuditAction.DELETE, "patient")
        assert (AuditAction.CREATE, "session_log") in actions


def test_duplicate_email_is_an_integrity_violation(uow_factory: SqlUnitOfWorkFactory) -> None:
    clinic, clinician, _ = _clinic_with_patient(uow_factory)
    twin = User(email=clinician.email.upper(), password_hash="h", role=Role.ADMIN, clinic_id=clinic.id)
    with uow_factory() as uow, pytest.raises(IntegrityViolation) as raised:
        uow.users.add(twin)
    assert raised.value.user_message.startswith("The change could not be saved")


def test_out_of_range_pain_is_refused_by_the_database(uow_factory: SqlUnitOfWorkFactory) -> None:
    clinic, _, patient = _clinic_with_patient(uow_factory)
    with uow_factory() as uow, pytest.raises(IntegrityViolation):
        uow.session_logs.add(clinic.id, _log(patient, "too-much", pain_after=11))


def test_naive_timestamps_are_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow, pytest.raises(Exception, match="naive datetime"):
        uow.clinics.add(Clinic(name="Naive", created_at=dt.datetime(2026, 1, 1)))
