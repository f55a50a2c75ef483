"""Check-ins between assessments: one per patient and day, clinic-scoped and audited."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import sqlalchemy as sa

from backmech.services.ports import AuditAction, CheckIn, IntegrityViolation
from backmech.storage.repositories import _Repository, integrity_errors
from backmech.storage.tables import CheckInRow, PatientRow


def _record(row: CheckInRow) -> CheckIn:
    return CheckIn(
        id=row.id,
        patient_id=row.patient_id,
        check_date=row.check_date,
        flare=row.flare,
        leg_symptoms=row.leg_symptoms,
        walking_minutes=row.walking_minutes,
        notes=row.notes,
        created_at=row.created_at,
    )


class SqlCheckInRepository(_Repository):
    def save(self, clinic_id: UUID, check_in: CheckIn) -> CheckIn:
        """Insert, or replace the same day's check-in (the person corrected it); audited as a change."""
        self._require_patient(clinic_id, check_in.patient_id)
        existing = self._session.scalar(
            sa.select(CheckInRow).where(
                CheckInRow.patient_id == check_in.patient_id, CheckInRow.check_date == check_in.check_date
            )
        )
        with integrity_errors():
            if existing is None:
                self._session.add(
                    CheckInRow(
                        id=check_in.id,
                        patient_id=check_in.patient_id,
                        check_date=check_in.check_date,
                        flare=check_in.flare,
                        leg_symptoms=check_in.leg_symptoms,
                        walking_minutes=check_in.walking_minutes,
                        notes=check_in.notes,
                        created_at=check_in.created_at,
                    )
                )
                action = AuditAction.CREATE
            else:
                existing.flare = check_in.flare
                existing.leg_symptoms = check_in.leg_symptoms
                existing.walking_minutes = check_in.walking_minutes
                existing.notes = check_in.notes
                existing.created_at = check_in.created_at
                action = AuditAction.UPDATE
            self._session.flush()
        row = self._session.scalar(
            sa.select(CheckInRow).where(
                CheckInRow.patient_id == check_in.patient_id, CheckInRow.check_date == check_in.check_date
            )
        )
        if row is None:  # pragma: no cover - just written in this transaction
            raise IntegrityViolation("the check-in was not stored")
        self._audit(action, "check_in", clinic_id=clinic_id, patient_id=row.patient_id, entity_id=row.id)
        return _record(row)

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[CheckIn]:
        rows = self._session.scalars(
            sa.select(CheckInRow)
            .join(PatientRow, PatientRow.id == CheckInRow.patient_id)
            .where(CheckInRow.patient_id == patient_id, PatientRow.clinic_id == clinic_id)
            .order_by(CheckInRow.check_date)
        )
        found = [_record(row) for row in rows]
        if found:
            self._audit(
                AuditAction.READ, "check_in", clinic_id=clinic_id, patient_id=patient_id, entity_id=None
            )
        return found
