"""Foreign keys are enforced by both databases (SQLite only with ``PRAGMA foreign_keys=ON``)."""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backmech.services.ports import Clinic, IntegrityViolation, Patient, Role, User
from backmech.storage.tables import ClinicRow, PatientRow, SessionLogRow
from backmech.storage.unit_of_work import SqlUnitOfWorkFactory

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_a_row_pointing_at_a_missing_patient_is_refused(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(
            SessionLogRow(
                id=uuid4(),
                patient_id=uuid4(),
                session_date=dt.date(2026, 1, 1),
                pain_before=1,
                pain_after=1,
                effort=1,
                notes="",
                idempotency_key="orphan",
                created_at=NOW,
            )
        )
        with pytest.raises(IntegrityError):
            session.flush()


def test_a_user_in_a_missing_clinic_is_an_integrity_violation(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow, pytest.raises(IntegrityViolation):
        uow.users.add(User(email="a@b.c", password_hash="h", role=Role.ADMIN, clinic_id=uuid4()))


def test_a_clinic_with_patients_cannot_be_deleted(engine: Engine, uow_factory: SqlUnitOfWorkFactory) -> None:
    clinic = Clinic(name="Kept")
    with uow_factory() as uow:
        uow.clinics.add(clinic)
        uow.patients.add(Patient(clinic_id=clinic.id, display_name="P"))
        uow.commit()
    with engine.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(sa.delete(ClinicRow).where(ClinicRow.id == clinic.id))
    with Session(engine) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(PatientRow)) == 1
