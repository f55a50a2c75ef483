"""A patient's assessments and the clinician's plan edits: the records every patient page reads together.

Both are clinic-scoped through the patient and audited like the other repositories
(:mod:`backmech.storage.repositories`). The assessment's two JSON documents (~50 KB)
never change once stored, so they are decoded once per process
(:data:`~backmech.storage.document_cache.ASSESSMENT_DOCUMENTS`); the small columns
are always read from the database, so scoping and deletion stay the database's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple
from uuid import UUID

import sqlalchemy as sa

from backmech.services.codec import plan_change_from_json, result_from_json
from backmech.services.ports import Assessment, AuditAction, PlanEdit
from backmech.storage.document_cache import ASSESSMENT_DOCUMENTS
from backmech.storage.prebuilt import (
    ASSESSMENT_HEADS_OF_PATIENT,
    ASSESSMENTS_AND_PLAN_EDITS_OF_PATIENT,
    PLAN_EDITS_OF_PATIENT,
)
from backmech.storage.repositories import Auditor, _flush, _json, _Repository
from backmech.storage.tables import AssessmentRow, PatientRow, PlanEditRow


class _Head(NamedTuple):
    """An assessment's small columns, from any query that selects them in this order."""

    id: UUID
    patient_id: UUID
    created_at: dt.datetime
    triage_level: str
    plan_status: str
    engine_version: str


def _plan_edit(row: Any, patient_id: UUID) -> PlanEdit:
    """A plan edit from a row of either query that reads them (its own, or the UNION with assessments)."""
    return PlanEdit(
        id=row.id,
        patient_id=patient_id,
        editor_id=row.editor_id,
        at=row.at,
        reason=row.reason,
        change=plan_change_from_json(row.change),
    )


def _audit_reads(
    audit: Auditor, clinic_id: UUID, patient_id: UUID, entity: str, found: Sequence[object]
) -> None:
    """One read event per kind of record read for a patient (none when nothing was there)."""
    if found:
        audit(AuditAction.READ, entity, clinic_id=clinic_id, patient_id=patient_id, entity_id=None)


class SqlAssessmentRepository(_Repository):
    def add(self, clinic_id: UUID, assessment: Assessment) -> Assessment:
        self._require_patient(clinic_id, assessment.patient_id)
        self._session.add(
            AssessmentRow(
                id=assessment.id,
                patient_id=assessment.patient_id,
                created_at=assessment.created_at,
                intake=_json(assessment.intake),
                result=assessment.result,  # the column's serializer is the codec
                triage_level=assessment.triage_level,
                plan_status=assessment.plan_status,
                engine_version=assessment.engine_version,
            )
        )
        _flush(self._session)
        self._audit(
            AuditAction.CREATE,
            "assessment",
            clinic_id=clinic_id,
            patient_id=assessment.patient_id,
            entity_id=assessment.id,
        )
        return assessment

    def get(self, clinic_id: UUID, assessment_id: UUID) -> Assessment | None:
        found = self._with_documents(AssessmentRow.id == assessment_id, PatientRow.clinic_id == clinic_id)
        if not found:
            return None
        self._audit(
            AuditAction.READ,
            "assessment",
            clinic_id=clinic_id,
            patient_id=found[0].patient_id,
            entity_id=found[0].id,
        )
        return found[0]

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[Assessment]:
        heads = self._session.execute(
            ASSESSMENT_HEADS_OF_PATIENT, {"patient_id": patient_id, "clinic_id": clinic_id}
        ).all()
        found = self._joined_with_documents([_Head(*head) for head in heads])
        _audit_reads(self._audit, clinic_id, patient_id, "assessment", found)
        return found

    def with_plan_edits(self, clinic_id: UUID, patient_id: UUID) -> tuple[list[Assessment], list[PlanEdit]]:
        rows = self._session.execute(
            ASSESSMENTS_AND_PLAN_EDITS_OF_PATIENT, {"patient_id": patient_id, "clinic_id": clinic_id}
        ).all()
        assessments = self._joined_with_documents(
            [
                _Head(row.id, patient_id, row.at, row.triage_level, row.plan_status, row.engine_version)
                for row in rows
                if row.kind == "assessment"
            ]
        )
        edits = [_plan_edit(row, patient_id) for row in rows if row.kind == "plan_edit"]
        _audit_reads(self._audit, clinic_id, patient_id, "assessment", assessments)
        _audit_reads(self._audit, clinic_id, patient_id, "plan", edits)
        return assessments, edits

    def _with_documents(self, *where: sa.ColumnElement[bool]) -> list[Assessment]:
        """Assessments matching ``where`` (oldest first), their JSON documents from the cache if there.

        The small columns are always read from the database (so scoping and deletion
        are the database's); the two JSON documents of an assessment never change once
        stored, so each is decoded once per process (:data:`ASSESSMENT_DOCUMENTS`).
        """
        heads = self._session.execute(
            sa.select(
                AssessmentRow.id,
                AssessmentRow.patient_id,
                AssessmentRow.created_at,
                AssessmentRow.triage_level,
                AssessmentRow.plan_status,
                AssessmentRow.engine_version,
            )
            .join(PatientRow, PatientRow.id == AssessmentRow.patient_id)
            .where(*where)
            .order_by(AssessmentRow.created_at, AssessmentRow.id)
        ).all()
        return self._joined_with_documents([_Head(*head) for head in heads])

    def _joined_with_documents(self, heads: Sequence[_Head]) -> list[Assessment]:
        documents = ASSESSMENT_DOCUMENTS.get_many([head.id for head in heads])
        missing = [head.id for head in heads if head.id not in documents]
        if missing:
            rows = self._session.execute(
                sa.select(AssessmentRow.id, AssessmentRow.intake, AssessmentRow.result).where(
                    AssessmentRow.id.in_(missing)
                )
            ).all()
            for row in rows:
                documents[row.id] = (row.intake, result_from_json(row.result))
                ASSESSMENT_DOCUMENTS.put(row.id, documents[row.id])
        return [
            Assessment(
                id=head.id,
                patient_id=head.patient_id,
                created_at=head.created_at,
                intake=documents[head.id][0],
                result=documents[head.id][1],
                triage_level=head.triage_level,
                plan_status=head.plan_status,
                engine_version=head.engine_version,
            )
            for head in heads
        ]


class SqlPlanEditRepository(_Repository):
    def add(self, clinic_id: UUID, edit: PlanEdit) -> PlanEdit:
        self._require_patient(clinic_id, edit.patient_id)
        self._session.add(
            PlanEditRow(
                id=edit.id,
                patient_id=edit.patient_id,
                editor_id=edit.editor_id,
                at=edit.at,
                reason=edit.reason,
                change=edit.change,  # the column's serializer is the codec
            )
        )
        _flush(self._session)
        self._audit(
            AuditAction.UPDATE, "plan", clinic_id=clinic_id, patient_id=edit.patient_id, entity_id=edit.id
        )
        return edit

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[PlanEdit]:
        rows = self._session.execute(
            PLAN_EDITS_OF_PATIENT, {"patient_id": patient_id, "clinic_id": clinic_id}
        )
        found = [_plan_edit(row, patient_id) for row in rows]
        _audit_reads(self._audit, clinic_id, patient_id, "plan", found)
        return found
