"""A person's data on both databases: full export, lossless import, complete erasure.

The world: clinic North with an admin, a clinician and patient P1 (a login with a
web session, an invitation to that login's email, two assessments from a real
engine result, a movement analysis, three session logs, a plan edit and an intake
draft), patient P2 of North (must be untouched), and clinic South with an admin.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import orjson
import pytest
import sqlalchemy as sa

from backmech.domain.errors import BackmechError
from backmech.domain.plans.edits import ChangeDose
from backmech.services.accounts import AuthorisationError
from backmech.services.assessment import AssessmentService
from backmech.services.patient_data import (
    NO_PASSWORD,
    AlreadyStoredError,
    ExportDocumentError,
    PatientExport,
    export_patient,
    import_patient,
    read_export,
)
from backmech.services.patient_erasure import erase_patient
from backmech.services.ports import (
    AnalysisStatus,
    Assessment,
    AuditAction,
    CalendarFeed,
    CheckIn,
    Clinic,
    IntakeDraft,
    Invitation,
    MovementAnalysis,
    Patient,
    PlanEdit,
    ReminderSettings,
    Role,
    SessionLog,
    User,
    WebSession,
    utc_now,
)
from backmech.services.records import PatientNotFoundError
from backmech.storage import assessment_repository
from backmech.storage.document_cache import LruCache
from backmech.storage.tables import (
    AssessmentRow,
    AuditEventRow,
    CalendarFeedRow,
    CheckInRow,
    IntakeDraftRow,
    InvitationRow,
    MovementAnalysisRow,
    PatientRow,
    PlanEditRow,
    ReminderSettingsRow,
    SessionLogRow,
    UserRow,
    WebSessionRow,
)
from backmech.storage.unit_of_work import SqlUnitOfWorkFactory
from builders import report

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "flexion-intolerant-desk-worker.json"
NOTES = 'Felt "better", then stiff;\nSchmerz ↓ – äöü'


@dataclass(frozen=True)
class World:
    north: Clinic
    south: Clinic
    admin: User
    clinician: User
    p1_user: User
    p1: Patient
    p2_user: User
    p2: Patient
    south_admin: User


def build_world(uow_factory: SqlUnitOfWorkFactory, service: AssessmentService) -> World:
    """The world of this module's docstring, stored; P1's records spread over the last ten days."""
    intake = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    result = service.assess(intake)
    now = utc_now()
    north, south = Clinic(name="North Physio"), Clinic(name="South Physio")

    def user(name: str, role: Role, clinic: Clinic) -> User:
        return User(email=f"{name}@example.org", password_hash="$argon2id$x", role=role, clinic_id=clinic.id)

    admin, clinician = user("admin", Role.ADMIN, north), user("clinician", Role.CLINICIAN, north)
    p1_user, p2_user = user("p1", Role.PATIENT, north), user("p2", Role.PATIENT, north)
    south_admin = user("south-admin", Role.ADMIN, south)
    p1 = Patient(
        clinic_id=north.id, display_name="Pat One", user_id=p1_user.id, created_at=now - dt.timedelta(11)
    )
    p2 = Patient(clinic_id=north.id, display_name="Pat Two", user_id=p2_user.id)
    first = Assessment(
        patient_id=p1.id,
        intake=intake,
        result=result,
        triage_level="none",
        plan_status="ready",
        engine_version="0.1.0",
        created_at=now - dt.timedelta(days=10),
    )
    second = dataclasses.replace(first, id=uuid4(), created_at=now - dt.timedelta(days=3))
    with uow_factory(actor=admin.id) as uow:
        for clinic in (north, south):
            uow.clinics.add(clinic)
        for account in (admin, clinician, p1_user, p2_user, south_admin):
            uow.users.add(account)
        uow.patients.add(p1)
        uow.patients.add(p2)
        uow.assessments.add(north.id, first)
        uow.assessments.add(north.id, second)
        uow.movement_analyses.add(
            north.id,
            MovementAnalysis(
                patient_id=p1.id,
                test="forward-bend",
                media_path=f"{north.id}/{p1.id}/clip.mp4",
                status=AnalysisStatus.DONE,
                assessment_id=first.id,
                result=report("forward-bend", {"flexion_deg": 61.5}),
                created_at=now - dt.timedelta(days=10),
                updated_at=now - dt.timedelta(days=10, minutes=-5),
            ),
        )
        for day, key in ((9, "a"), (8, "b"), (2, "c")):
            uow.session_logs.add(
                north.id,
                SessionLog(
                    patient_id=p1.id,
                    session_date=(now - dt.timedelta(days=day)).date(),
                    pain_before=4,
                    pain_during=5 if key != "b" else None,
                    pain_after=3,
                    next_morning_pain=2 if key == "a" else None,
                    effort=6,
                    kind="full" if key != "c" else "routine",
                    notes=NOTES if key == "a" else ("=HYPERLINK(1)" if key == "b" else ""),
                    idempotency_key=f"p1-{key}",
                ),
            )
        uow.plan_edits.add(
            north.id,
            PlanEdit(
                patient_id=p1.id,
                editor_id=clinician.id,
                reason="shorter holds while the flare settles",
                change=ChangeDose("daily_routine", "mcgill-curl-up", "5 holds"),
                at=now - dt.timedelta(days=1),
            ),
        )
        uow.check_ins.save(
            north.id,
            CheckIn(
                patient_id=p1.id,
                check_date=(now - dt.timedelta(days=3)).date(),
                flare=True,
                leg_symptoms=False,
                walking_minutes=25,
                notes="stiff after the drive",
                created_at=now - dt.timedelta(days=3),
            ),
        )
        uow.reminders.save(
            north.id,
            ReminderSettings(
                patient_id=p1.id,
                per_week=3,
                weekdays=frozenset({0, 2, 4}),
                time_of_day=dt.time(7, 30),
                updated_at=now - dt.timedelta(days=2),
            ),
        )
        uow.calendar_feeds.replace(north.id, CalendarFeed(patient_id=p1.id, token_hash="e" * 64))
        uow.intake_drafts.save(north.id, IntakeDraft(patient_id=p1.id, data={"facts": {"age": 41}}))
        uow.web_sessions.add(
            WebSession(id="a" * 64, user_id=p1_user.id, csrf_token="c" * 64, expires_at=now + dt.timedelta(1))
        )
        uow.invitations.add(
            Invitation(
                clinic_id=north.id,
                email=p1_user.email,
                role=Role.PATIENT,
                token_hash="f" * 64,
                invited_by=clinician.id,
                expires_at=now + dt.timedelta(days=7),
            )
        )
        uow.commit()
    return World(north, south, admin, clinician, p1_user, p1, p2_user, p2, south_admin)


@pytest.fixture
def world(uow_factory: SqlUnitOfWorkFactory, service: AssessmentService) -> World:
    return build_world(uow_factory, service)


@pytest.fixture
def fresh_document_cache(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Forget the process's cached assessment documents, so the next read comes from the database."""

    def forget() -> None:
        monkeypatch.setattr(assessment_repository, "ASSESSMENT_DOCUMENTS", LruCache(size=1024))

    return forget


def _counts(uow_factory: SqlUnitOfWorkFactory, world: World) -> dict[str, int]:
    """Rows about P1 in every table that holds any (its login, sessions and invitations included)."""
    pid, uid = world.p1.id, world.p1_user.id
    queries: dict[str, Any] = {
        "patients": sa.select(sa.func.count()).select_from(PatientRow).where(PatientRow.id == pid),
        "users": sa.select(sa.func.count()).select_from(UserRow).where(UserRow.id == uid),
        "web_sessions": sa.select(sa.func.count())
        .select_from(WebSessionRow)
        .where(WebSessionRow.user_id == uid),
        "invitations": sa.select(sa.func.count())
        .select_from(InvitationRow)
        .where(InvitationRow.email == world.p1_user.email),
    }
    for name, row in (
        ("assessments", AssessmentRow),
        ("movement_analyses", MovementAnalysisRow),
        ("session_logs", SessionLogRow),
        ("plan_edits", PlanEditRow),
        ("intake_drafts", IntakeDraftRow),
        ("check_ins", CheckInRow),
        ("reminder_settings", ReminderSettingsRow),
        ("calendar_feeds", CalendarFeedRow),
    ):
        queries[name] = sa.select(sa.func.count()).select_from(row).where(row.patient_id == pid)
    with uow_factory.engine.connect() as connection:
        return {name: int(connection.scalar(query) or 0) for name, query in queries.items()}


def _all_rows(uow_factory: SqlUnitOfWorkFactory) -> dict[str, int]:
    """Rows in every table (the audit log included): "nothing was written" means these do not change."""
    with uow_factory.engine.connect() as connection:
        names = sa.inspect(connection).get_table_names()
        return {
            name: int(
                connection.scalar(sa.text(f'SELECT count(*) FROM "{name}"')) or 0
            )  # names from the schema
            for name in names
        }


def _snapshot(uow_factory: SqlUnitOfWorkFactory, world: World) -> PatientExport:
    return read_export(uow_factory, world.clinician, world.p1.id, world.north.id)


def _without_password(export: PatientExport) -> PatientExport:
    account = export.account
    assert account is not None
    return dataclasses.replace(export, account=dataclasses.replace(account, password_hash=NO_PASSWORD))


# --- the round trip -------------------------------------------------------------------------


def test_export_erase_import_restores_every_record_exactly(
    uow_factory: SqlUnitOfWorkFactory, world: World, fresh_document_cache: Callable[[], None]
) -> None:
    before = _snapshot(uow_factory, world)
    assert len(before.record.assessments) == 2 and len(before.record.session_logs) == 3
    document = export_patient(uow_factory, world.clinician, world.p1.id, world.north.id)
    erase_patient(uow_factory, world.admin, world.p1.id, world.north.id, "the patient's request")
    restored = import_patient(uow_factory, world.clinician, world.north.id, document)
    fresh_document_cache()
    after = _snapshot(uow_factory, world)

    assert restored == world.p1
    assert after.record == before.record
    assert after.intake_draft == before.intake_draft
    assert after == _without_password(before)  # the login comes back, without a usable password
    again = orjson.loads(export_patient(uow_factory, world.clinician, world.p1.id, world.north.id))
    first = orjson.loads(document)
    assert {k: v for k, v in again.items() if k != "exported_at"} == {
        k: v for k, v in first.items() if k != "exported_at"
    }


def test_the_document_holds_every_field_ids_and_timestamps_but_no_password_or_video(
    uow_factory: SqlUnitOfWorkFactory, world: World
) -> None:
    document = export_patient(uow_factory, world.clinician, world.p1.id, world.north.id)
    data = orjson.loads(document)
    assert list(data)[:2] == ["format", "version"]
    assert (data["format"], data["version"]) == ("backmech-patient-export", 1)
    for key, kind in (
        ("assessments", Assessment),
        ("movement_analyses", MovementAnalysis),
        ("session_logs", SessionLog),
        ("plan_edits", PlanEdit),
    ):
        assert data[key], key
        for item in data[key]:
            assert set(item) == {f.name for f in dataclasses.fields(kind)}, key
    log = data["session_logs"][0]
    assert log["notes"] == NOTES and log["pain_during"] == 5 and log["kind"] == "full"
    assert UUID(log["id"]) and dt.datetime.fromisoformat(log["created_at"]).tzinfo is not None
    assert data["patient"]["id"] == str(world.p1.id)
    assert data["account"]["email"] == "p1@example.org" and "password_hash" not in data["account"]
    assert b"$argon2id$x" not in document
    assert data["media_paths"] == [f"{world.north.id}/{world.p1.id}/clip.mp4"]
    assert any("not embedded" in note for note in data["notes"])
    assert data["intake_draft"]["data"] == {"facts": {"age": 41}}
    assert data["reminders"]["weekdays"] == [0, 2, 4] and data["reminders"]["time_of_day"] == "07:30:00"


def test_the_patient_may_export_their_own_data(uow_factory: SqlUnitOfWorkFactory, world: World) -> None:
    data = orjson.loads(export_patient(uow_factory, world.p1_user, world.p1.id, world.north.id))
    assert data["patient"]["id"] == str(world.p1.id)


# --- import refusals --------------------------------------------------------------------------


def test_importing_a_patient_who_is_stored_is_refused_and_writes_nothing(
    uow_factory: SqlUnitOfWorkFactory, world: World
) -> None:
    document = export_patient(uow_factory, world.clinician, world.p1.id, world.north.id)
    rows = _all_rows(uow_factory)
    with pytest.raises(AlreadyStoredError, match=str(world.p1.id)):
        import_patient(uow_factory, world.clinician, world.north.id, document)
    assert _all_rows(uow_factory) == rows


def test_the_same_export_imported_twice_is_refused_the_second_time(
    uow_factory: SqlUnitOfWorkFactory, world: World
) -> None:
    document = export_patient(uow_factory, world.clinician, world.p1.id, world.north.id)
    erase_patient(uow_factory, world.admin, world.p1.id, world.north.id, "moving clinic")
    import_patient(uow_factory, world.clinician, world.north.id, document)
    rows = _all_rows(uow_factory)
    with pytest.raises(AlreadyStoredError):
        import_patient(uow_factory, world.clinician, world.north.id, document)
    assert _all_rows(uow_factory) == rows


def test_a_clash_halfway_through_leaves_nothing_half_written(
    uow_factory: SqlUnitOfWorkFactory, world: World
) -> None:
    """P1's session key taken by P2 meanwhile: the patient, login and assessments inserted roll back."""
    document = export_patient(uow_factory, world.clinician, world.p1.id, world.north.id)
    erase_patient(uow_factory, world.admin, world.p1.id, world.north.id, "the patient's request")
    with uow_factory(actor=world.admin.id) as uow:
        uow.session_logs.add(
            world.north.id,
            SessionLog(
                patient_id=world.p2.id,
                session_date=dt.date(2026, 1, 1),
                pain_before=1,
                pain_after=1,
                effort=1,
                idempotency_key="p1-c",
            ),
        )
        uow.commit()
    rows = _all_rows(uow_factory)
    with pytest.raises(BackmechError, match="session key") as refused:
        import_patient(uow_factory, world.clinician, world.north.id, document)
    assert "Nothing was saved" in str(refused.value)
    assert _all_rows(uow_factory) == rows
    assert _counts(uow_factory, world)["patients"] == 0


def _mutate(data: dict[str, Any], path: str, value: object) -> None:
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value


BAD_DOCUMENTS: dict[str, tuple[str, object, str]] = {
    "another format": ("format", "fhir-bundle", "not a backmech patient export"),
    "a newer version": ("version", 2, "newer than this installation reads"),
    "a version that is not a number": ("version", "1", "not a version number"),
    "no patient": ("patient", KeyError, "patient"),
    "an unknown field": ("surprise", {"a": 1}, "surprise"),
    "an unknown record field": ("session_logs.0.mood", "fine", "session_logs[0].mood"),
    "a missing record field": ("session_logs.0.pain_before", KeyError, "session_logs[0].pain_before"),
    "a pain as text": ("session_logs.0.pain_before", "4", "not a whole number"),
    "a pain out of range": ("session_logs.0.pain_after", 11, "outside 0-10"),
    "an unknown session kind": ("session_logs.0.kind", "marathon", "not routine or full"),
    "a bad date": ("session_logs.0.session_date", "2026-13-40", "session_logs[0].session_date"),
    "a time without a zone": ("assessments.0.created_at", "2026-01-01T10:00:00", "no time zone"),
    "an unknown status": ("movement_analyses.0.status", "exploded", "movement_analyses[0].status"),
    "a record of another patient": (
        "plan_edits.0.patient_id",
        "00000000-0000-4000-8000-000000000000",
        "another patient",
    ),
    "a staff login": ("account.role", "admin", "only a patient's login"),
    "two records with one id": ("session_logs.1.id", "SAME_AS_FIRST", "appears twice"),
}


@pytest.mark.parametrize("case", list(BAD_DOCUMENTS))
def test_a_malformed_foreign_or_newer_document_is_refused_before_anything_is_written(
    uow_factory: SqlUnitOfWorkFactory, world: World, case: str
) -> None:
    document = export_patient(uow_factory, world.clinician, world.p1.id, world.north.id)
    erase_patient(uow_factory, world.admin, world.p1.id, world.north.id, "the patient's request")
    data = orjson.loads(document)
    path, value, message = BAD_DOCUMENTS[case]
    if value == "SAME_AS_FIRST":
        value = data["session_logs"][0]["id"]
    _mutate(data, path, value)
    rows = _all_rows(uow_factory)
    with pytest.raises(ExportDocumentError) as refused:
        import_patient(uow_factory, world.clinician, world.north.id, orjson.dumps(data))
    assert message in str(refused.value)
    assert refused.value.hint
    assert _all_rows(uow_factory) == rows


@pytest.mark.parametrize(
    "damage",
    [
        lambda document: document[: len(document) // 2],
        lambda document: document[:-3],
        lambda _document: b"",
        lambda _document: b"\x89PNG\r\n\x1a\n not json",
        lambda _document: b"[1, 2, 3]",
    ],
    ids=["half", "last-bytes-lost", "empty", "binary", "a-list"],
)
def test_a_truncated_or_corrupt_file_is_refused(
    uow_factory: SqlUnitOfWorkFactory, world: World, damage: Callable[[bytes], bytes]
) -> None:
    document = export_patient(uow_factory, world.clinician, world.p1.id, world.north.id)
    erase_patient(uow_factory, world.admin, world.p1.id, world.north.id, "the patient's request")
    rows = _all_rows(uow_factory)
    with pytest.raises(ExportDocumentError, match="file"):
        import_patient(uow_factory, world.clinician, world.north.id, damage(document))
    assert _all_rows(uow_factory) == rows


def test_only_staff_of_the_clinic_may_import(uow_factory: SqlUnitOfWorkFactory, world: World) -> None:
    document = export_patient(uow_factory, world.clinician, world.p1.id, world.north.id)
    erase_patient(uow_factory, world.admin, world.p1.id, world.north.id, "the patient's request")
    for actor, clinic in (
        (world.south_admin, world.north),
        (world.clinician, world.south),
        (world.p2_user, world.north),
    ):
        with pytest.raises(AuthorisationError):
            import_patient(uow_factory, actor, clinic.id, document)
    assert _counts(uow_factory, world)["patients"] == 0


def test_an_import_into_another_clinic_forgets_editors_it_does_not_know(
    uow_factory: SqlUnitOfWorkFactory, world: World
) -> None:
    document = export_patient(uow_factory, world.clinician, world.p1.id, world.north.id)
    erase_patient(uow_factory, world.admin, world.p1.id, world.north.id, "moving to South")
    moved = import_patient(uow_factory, world.south_admin, world.south.id, document)
    assert moved.clinic_id == world.south.id
    record = read_export(uow_factory, world.south_admin, moved.id, world.south.id).record
    assert [edit.editor_id for edit in record.plan_edits] == [None]
    assert [edit.reason for edit in record.plan_edits] == ["shorter holds while the flare settles"]


# --- erasure ----------------------------------------------------------------------------------


def test_erasure_removes_everything_about_the_person_and_keeps_the_audit_trail(
    uow_factory: SqlUnitOfWorkFactory, world: World
) -> None:
    assert all(_counts(uow_factory, world).values())
    receipt = erase_patient(
        uow_factory, world.clinician, world.p1.id, world.north.id, "  the patient's request "
    )
    assert _counts(uow_factory, world) == dict.fromkeys(_counts(uow_factory, world), 0)
    assert (receipt.assessments, receipt.movement_analyses, receipt.session_logs, receipt.plan_edits) == (
        2,
        1,
        3,
        1,
    )
    assert (receipt.intake_drafts, receipt.accounts, receipt.web_sessions, receipt.invitations) == (
        1,
        1,
        1,
        1,
    )
    assert receipt.reason == "the patient's request" and receipt.erased_by == world.clinician.id
    clip = f"{world.north.id}/{world.p1.id}/clip.mp4"
    assert clip in receipt.media_paths and any(p.endswith(".overlay.mp4") for p in receipt.media_paths)
    with uow_factory() as uow:
        events = uow.audit.for_patient(world.north.id, world.p1.id)
        assert uow.patients.get(world.north.id, world.p2.id) is not None  # the other patient is untouched
    assert any(e.action == AuditAction.CREATE and e.entity == "session_log" for e in events)  # history kept
    erasures = [e for e in events if e.entity == "patient_erasure"]
    assert len(erasures) == 1
    assert (erasures[0].action, erasures[0].actor_id, erasures[0].entity_id) == (
        AuditAction.DELETE,
        world.clinician.id,
        world.p1.id,
    )
    assert erasures[0].detail == "Erased on request. Reason given: the patient's request"
    with uow_factory.engine.connect() as connection:
        kept = connection.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEventRow)
            .where(AuditEventRow.patient_id == world.p1.id)
        )
    assert kept == len(events)


def test_erasure_needs_a_reason(uow_factory: SqlUnitOfWorkFactory, world: World) -> None:
    with pytest.raises(Exception, match="needs a reason"):
        erase_patient(uow_factory, world.admin, world.p1.id, world.north.id, "   ")
    assert _counts(uow_factory, world)["patients"] == 1


def test_a_patient_may_not_erase_themself(uow_factory: SqlUnitOfWorkFactory, world: World) -> None:
    with pytest.raises(AuthorisationError, match="clinicians and administrators"):
        erase_patient(uow_factory, world.p1_user, world.p1.id, world.north.id, "I want to leave")
    assert all(_counts(uow_factory, world).values())


def test_a_patient_of_another_clinic_cannot_be_exported_or_erased(
    uow_factory: SqlUnitOfWorkFactory, world: World
) -> None:
    with pytest.raises(PatientNotFoundError):
        export_patient(uow_factory, world.south_admin, world.p1.id, world.south.id)
    with pytest.raises(PatientNotFoundError):
        erase_patient(uow_factory, world.south_admin, world.p1.id, world.south.id, "not theirs")
    with pytest.raises(AuthorisationError):
        erase_patient(uow_factory, world.south_admin, world.p1.id, world.north.id, "not theirs")
    assert all(_counts(uow_factory, world).values())


def test_an_unknown_patient_is_not_found(uow_factory: SqlUnitOfWorkFactory, world: World) -> None:
    unknown = UUID("00000000-0000-4000-8000-000000000001")
    with pytest.raises(PatientNotFoundError):
        erase_patient(uow_factory, world.admin, unknown, world.north.id, "typo")
    with pytest.raises(PatientNotFoundError):
        export_patient(uow_factory, world.admin, unknown, world.north.id)
