"""Assessment records on both databases: a real result round-trips, and only the right people see it.

The authorisation matrix: patient P1 of clinic North is the subject; seven actors
each try to save and to read (7 x 2 = 14 cases per database). Allowed: North's
admin, North's clinician and P1 themself. Refused: P2 (another patient of North),
South's admin, South's clinician and South's patient.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from backmech.domain.results import AssessmentResult
from backmech.services.accounts import AuthorisationError
from backmech.services.assessment import AssessmentService
from backmech.services.ports import AuditAction, Clinic, Patient, Role, SignedInUser, User, utc_now
from backmech.services.records import PatientNotFoundError, patient_assessments, save_assessment
from backmech.services.web_sessions import SessionPolicy, resolve_session, start_session
from backmech.storage.unit_of_work import SqlUnitOfWorkFactory

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "flexion-intolerant-desk-worker.json"


@dataclass(frozen=True)
class World:
    north: Clinic
    south: Clinic
    p1: Patient
    p2: Patient
    pb: Patient
    actors: dict[str, User]


def _build(uow_factory: SqlUnitOfWorkFactory) -> World:
    north, south = Clinic(name="North Physio"), Clinic(name="South Physio")
    actors: dict[str, User] = {}
    patients: dict[str, Patient] = {}
    specs = [
        ("north_admin", Role.ADMIN, north),
        ("north_clinician", Role.CLINICIAN, north),
        ("p1", Role.PATIENT, north),
        ("p2", Role.PATIENT, north),
        ("south_admin", Role.ADMIN, south),
        ("south_clinician", Role.CLINICIAN, south),
        ("south_patient", Role.PATIENT, south),
    ]
    with uow_factory() as uow:
        uow.clinics.add(north)
        uow.clinics.add(south)
        for name, role, clinic in specs:
            user = uow.users.add(
                User(email=f"{name}@example.org", password_hash="$argon2id$x", role=role, clinic_id=clinic.id)
            )
            actors[name] = user
            if role == Role.PATIENT:
                patients[name] = uow.patients.add(
                    Patient(clinic_id=clinic.id, display_name=name, user_id=user.id)
                )
        uow.commit()
    return World(north, south, patients["p1"], patients["p2"], patients["south_patient"], actors)


@pytest.fixture
def world(uow_factory: SqlUnitOfWorkFactory) -> World:
    return _build(uow_factory)


@pytest.fixture
def assessed(service: AssessmentService) -> tuple[dict[str, object], AssessmentResult]:
    intake = json.loads(EXAMPLE.read_text())
    return intake, service.assess(intake)


ALLOWED = ("north_admin", "north_clinician", "p1")
REFUSED = ("p2", "south_admin", "south_clinician", "south_patient")


def test_the_matrix_covers_every_actor_once() -> None:
    assert len(ALLOWED) + len(REFUSED) == 7
    assert not set(ALLOWED) & set(REFUSED)


def test_a_real_assessment_round_trips(
    uow_factory: SqlUnitOfWorkFactory, world: World, assessed: tuple[dict[str, object], AssessmentResult]
) -> None:
    intake, result = assessed
    clinician = world.actors["north_clinician"]
    stored = save_assessment(uow_factory, clinician, world.p1.id, world.north.id, result, intake)
    assert stored.triage_level == str(result.triage.level)
    assert stored.plan_status == result.plan_status == "ready"
    assert stored.engine_version == result.backmech_version
    [read] = patient_assessments(uow_factory, clinician, world.p1.id, world.north.id)
    assert read == stored
    assert read.result == result
    assert read.intake == intake
    with uow_factory() as uow:
        events = uow.audit.for_patient(world.north.id, world.p1.id)
    assert any(e.action == AuditAction.CREATE and e.entity == "assessment" for e in events)
    assert any(e.action == AuditAction.READ and e.entity == "assessment" for e in events)
    assert {e.actor_id for e in events if e.entity == "assessment"} == {clinician.id}


@pytest.mark.parametrize("actor", ALLOWED)
def test_allowed_actors_may_save_and_read(
    uow_factory: SqlUnitOfWorkFactory,
    world: World,
    assessed: tuple[dict[str, object], AssessmentResult],
    actor: str,
) -> None:
    intake, result = assessed
    who = world.actors[actor]
    stored = save_assessment(uow_factory, who, world.p1.id, world.north.id, result, intake)
    assert patient_assessments(uow_factory, who, world.p1.id, world.north.id) == [stored]


@pytest.mark.parametrize("actor", REFUSED)
def test_refused_actors_may_neither_save_nor_read(
    uow_factory: SqlUnitOfWorkFactory,
    world: World,
    assessed: tuple[dict[str, object], AssessmentResult],
    actor: str,
) -> None:
    intake, result = assessed
    who = world.actors[actor]
    stored = save_assessment(
        uow_factory, world.actors["north_clinician"], world.p1.id, world.north.id, result, intake
    )
    with pytest.raises(AuthorisationError, match="saving an assessment") as saving:
        save_assessment(uow_factory, who, world.p1.id, world.north.id, result, intake)
    with pytest.raises(AuthorisationError, match="reading this patient's assessments") as reading:
        patient_assessments(uow_factory, who, world.p1.id, world.north.id)
    for refused in (saving.value, reading.value):
        assert world.p1.display_name not in str(refused)
        assert "desk" not in str(refused).lower()
    # Nothing was added, and nothing about the refused actor reached the audit log.
    north_clinician = world.actors["north_clinician"]
    assert patient_assessments(uow_factory, north_clinician, world.p1.id, world.north.id) == [stored]
    with uow_factory() as uow:
        assert who.id not in {e.actor_id for e in uow.audit.for_patient(world.north.id, world.p1.id)}


def test_another_clinic_naming_its_own_clinic_finds_no_such_patient(
    uow_factory: SqlUnitOfWorkFactory, world: World, assessed: tuple[dict[str, object], AssessmentResult]
) -> None:
    intake, result = assessed
    south = world.actors["south_clinician"]
    with pytest.raises(PatientNotFoundError):
        save_assessment(uow_factory, south, world.p1.id, world.south.id, result, intake)
    with pytest.raises(PatientNotFoundError):
        patient_assessments(uow_factory, south, world.p1.id, world.south.id)


def test_the_actor_is_taken_from_storage_not_from_the_caller(
    uow_factory: SqlUnitOfWorkFactory, world: World, assessed: tuple[dict[str, object], AssessmentResult]
) -> None:
    intake, result = assessed
    forged = replace(world.actors["south_patient"], clinic_id=world.north.id, role=Role.ADMIN)
    with pytest.raises(AuthorisationError, match="not a member"):
        save_assessment(uow_factory, forged, world.p1.id, world.north.id, result, intake)
    ghost = replace(forged, id=world.north.id)
    with pytest.raises(AuthorisationError, match="unknown user"):
        patient_assessments(uow_factory, ghost, world.p1.id, world.north.id)


def _signed_in(uow_factory: SqlUnitOfWorkFactory, user: User) -> SignedInUser:
    """The user as a session lookup reads them (the only way the web layer gets one)."""
    token, _ = start_session(uow_factory, user, utc_now(), SessionPolicy())
    found = resolve_session(uow_factory, token, utc_now(), SessionPolicy())
    assert found is not None
    return found[1]


@pytest.mark.parametrize("actor", ALLOWED + REFUSED)
def test_a_signed_in_user_is_authorised_as_their_session_read_them(
    uow_factory: SqlUnitOfWorkFactory, world: World, actor: str
) -> None:
    """The session lookup's read stands in for the re-read, with the same answers as the matrix."""
    signed_in = _signed_in(uow_factory, world.actors[actor])
    assert signed_in.role == world.actors[actor].role
    assert (signed_in.patient is not None) == (signed_in.role == Role.PATIENT)
    if actor in ALLOWED:
        assert patient_assessments(uow_factory, signed_in, world.p1.id, world.north.id) == []
    else:
        with pytest.raises((AuthorisationError, PatientNotFoundError)):
            patient_assessments(uow_factory, signed_in, world.p1.id, world.north.id)


def test_a_signed_in_patient_is_held_to_the_record_their_session_read(
    uow_factory: SqlUnitOfWorkFactory, world: World
) -> None:
    """Only the patient record read with the session counts: naming another patient's id fails."""
    p2 = _signed_in(uow_factory, world.actors["p2"])
    assert p2.patient is not None and p2.patient.id == world.p2.id
    with pytest.raises(AuthorisationError, match="only their own record"):
        patient_assessments(uow_factory, p2, world.p1.id, world.north.id)
    assert patient_assessments(uow_factory, p2, world.p2.id, world.north.id) == []
