"""The SQL repository of movement analyses (video jobs and their results), clinic-scoped and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from backmech.services.codec import analysis_json
from backmech.services.ports import (
    AnalysisProgress,
    AnalysisResult,
    AnalysisStatus,
    AuditAction,
    MovementAnalysis,
    utc_now,
)
from backmech.storage.conversions import (
    analysis_record,
)
from backmech.storage.repositories import _flush, _Repository
from backmech.storage.tables import (
    MovementAnalysisRow,
    PatientRow,
)


class SqlMovementAnalysisRepository(_Repository):
    def add(self, clinic_id: UUID, analysis: MovementAnalysis) -> MovementAnalysis:
        self._require_patient(clinic_id, analysis.patient_id)
        self._session.add(
            MovementAnalysisRow(
                id=analysis.id,
                patient_id=analysis.patient_id,
                assessment_id=analysis.assessment_id,
                test=analysis.test,
                media_path=analysis.media_path,
                status=analysis.status,
                result=analysis_json(analysis.result),
                error=analysis.error,
                created_at=analysis.created_at,
                updated_at=analysis.updated_at,
            )
        )
        _flush(self._session)
        self._audit(
            AuditAction.CREATE,
            "movement_analysis",
            clinic_id=clinic_id,
            patient_id=analysis.patient_id,
            entity_id=analysis.id,
        )
        return analysis

    def get(self, clinic_id: UUID, analysis_id: UUID) -> MovementAnalysis | None:
        row = self._session.scalar(
            sa.select(MovementAnalysisRow)
            .join(PatientRow, PatientRow.id == MovementAnalysisRow.patient_id)
            .where(MovementAnalysisRow.id == analysis_id, PatientRow.clinic_id == clinic_id)
        )
        if row is None:
            return None
        self._audit(
            AuditAction.READ,
            "movement_analysis",
            clinic_id=clinic_id,
            patient_id=row.patient_id,
            entity_id=row.id,
        )
        return analysis_record(row)

    def set_status(
        self,
        analysis_id: UUID,
        status: AnalysisStatus,
        *,
        result: AnalysisResult | None = None,
        error: str | None = None,
    ) -> MovementAnalysis | None:
        """Move a job along (for workers, which act for the system, not for one clinic)."""
        row = self._session.get(MovementAnalysisRow, analysis_id)
        if row is None:
            return None
        row.status = status
        if result is not None:
            row.result = analysis_json(result)
        if error is not None:
            row.error = error
        row.updated_at = utc_now()
        _flush(self._session)
        clinic_id = self._session.get_one(PatientRow, row.patient_id).clinic_id
        self._audit(
            AuditAction.UPDATE,
            "movement_analysis",
            clinic_id=clinic_id,
            patient_id=row.patient_id,
            entity_id=row.id,
        )
        return analysis_record(row)

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[MovementAnalysis]:
        rows = self._session.scalars(
            sa.select(MovementAnalysisRow)
            .join(PatientRow, PatientRow.id == MovementAnalysisRow.patient_id)
            .where(MovementAnalysisRow.patient_id == patient_id, PatientRow.clinic_id == clinic_id)
            .order_by(MovementAnalysisRow.created_at, MovementAnalysisRow.id)
        )
        found = [analysis_record(row) for row in rows]
        if found:
            self._audit(
                AuditAction.READ,
                "movement_analysis",
                clinic_id=clinic_id,
                patient_id=patient_id,
                entity_id=None,
            )
        return found

    def _clinic_of(self, row: MovementAnalysisRow) -> UUID:
        return self._session.get_one(PatientRow, row.patient_id).clinic_id

    def _audit_update(self, row: MovementAnalysisRow) -> None:
        self._audit(
            AuditAction.UPDATE,
            "movement_analysis",
            clinic_id=self._clinic_of(row),
            patient_id=row.patient_id,
            entity_id=row.id,
        )

    def claim(self, analysis_id: UUID, *, stale_before: dt.datetime | None = None) -> MovementAnalysis | None:
        """A conditional UPDATE, so two workers racing for one job cannot both see it as theirs to start."""
        abandoned = MovementAnalysisRow.status == AnalysisStatus.RUNNING
        if stale_before is not None:
            abandoned = sa.and_(abandoned, MovementAnalysisRow.updated_at < stale_before)
        changed = self._session.execute(
            sa.update(MovementAnalysisRow)
            .where(
                MovementAnalysisRow.id == analysis_id,
                sa.or_(MovementAnalysisRow.status == AnalysisStatus.QUEUED, abandoned),
            )
            .values(status=AnalysisStatus.RUNNING, result=None, error=None, updated_at=utc_now())
            .execution_options(synchronize_session=False)
        )
        if _rowcount(changed) == 0:
            return None
        self._session.expire_all()
        row = self._session.get_one(MovementAnalysisRow, analysis_id)
        self._audit_update(row)
        return analysis_record(row)

    def report_progress(self, analysis_id: UUID, progress: AnalysisProgress) -> None:
        self._session.execute(
            sa.update(MovementAnalysisRow)
            .where(
                MovementAnalysisRow.id == analysis_id, MovementAnalysisRow.status == AnalysisStatus.RUNNING
            )
            .values(result=analysis_json(progress), updated_at=utc_now())
            .execution_options(synchronize_session=False)
        )

    def finish(
        self,
        analysis_id: UUID,
        status: AnalysisStatus,
        *,
        result: AnalysisResult | None,
        error: str | None,
        assessment_id: UUID | None = None,
    ) -> bool:
        if status not in (AnalysisStatus.DONE, AnalysisStatus.FAILED):
            raise ValueError(f"finish() ends a job as done or failed, not {status}")
        changed = self._session.execute(
            sa.update(MovementAnalysisRow)
            .where(
                MovementAnalysisRow.id == analysis_id, MovementAnalysisRow.status == AnalysisStatus.RUNNING
            )
            .values(
                status=status,
                result=analysis_json(result),
                error=error,
                assessment_id=assessment_id,
                updated_at=utc_now(),
            )
            .execution_options(synchronize_session=False)
        )
        if _rowcount(changed) == 0:
            return False
        self._session.expire_all()
        self._audit_update(self._session.get_one(MovementAnalysisRow, analysis_id))
        return True

    def unfinished(self) -> Sequence[tuple[UUID, UUID]]:
        rows = self._session.execute(
            sa.select(PatientRow.clinic_id, MovementAnalysisRow.id)
            .join(PatientRow, PatientRow.id == MovementAnalysisRow.patient_id)
            .where(MovementAnalysisRow.status.in_((AnalysisStatus.QUEUED, AnalysisStatus.RUNNING)))
            .order_by(MovementAnalysisRow.created_at, MovementAnalysisRow.id)
        )
        return [(clinic_id, analysis_id) for clinic_id, analysis_id in rows]


def _rowcount(result: sa.Result[Any]) -> int:
    """Rows an UPDATE changed (``CursorResult.rowcount``; typed loosely by SQLAlchemy)."""
    count: int = getattr(result, "rowcount", 0)
    return count
