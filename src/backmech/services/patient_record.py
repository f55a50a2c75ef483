"""Everything stored about one patient, read in one authorised transaction.

Why one snapshot: the reports, the FHIR and CSV exports, the full export and the
erasure must all agree on what "this person's data" is. Reading it in one
transaction gives a consistent picture (no log added between reading the logs and
the plan), and one audit event per kind of record read.

Example::

    record = read_patient_record(uow_factory, clinician, patient_id, clinic_id)
    record.assessments[-1].result["plan"]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from backmech.services.ports import (
    Assessment,
    CheckIn,
    Clinic,
    MovementAnalysis,
    Patient,
    PlanEdit,
    SessionLog,
    UnitOfWorkFactory,
    User,
)
from backmech.services.records import PatientNotFoundError, authorise_patient_access


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """One patient's stored data, each list oldest first."""

    clinic: Clinic
    patient: Patient
    assessments: Sequence[Assessment]
    """Intake answers and engine results (questionnaire scores, mechanism evidence, plan)."""
    movement_analyses: Sequence[MovementAnalysis]
    session_logs: Sequence[SessionLog]
    plan_edits: Sequence[PlanEdit]
    """The clinician's changes to the plan, with who, when and why."""
    check_ins: Sequence[CheckIn] = ()
    """Check-ins between assessments (flare-ups, leg symptoms, walking)."""

    @property
    def latest(self) -> Assessment | None:
        return self.assessments[-1] if self.assessments else None


def read_patient_record(
    uow_factory: UnitOfWorkFactory, actor: User, patient_id: UUID, clinic_id: UUID
) -> PatientRecord:
    """The patient's whole record, for an actor allowed to read it (refused or not-found otherwise)."""
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient_id, clinic_id, "reading this patient's whole record")
        patient = uow.patients.get(clinic_id, patient_id)
        clinic = uow.clinics.get(clinic_id)
        if patient is None or clinic is None:
            raise PatientNotFoundError(patient_id)
        assessments, edits = uow.assessments.with_plan_edits(clinic_id, patient_id)
        record = PatientRecord(
            clinic=clinic,
            patient=patient,
            assessments=list(assessments),
            movement_analyses=list(uow.movement_analyses.for_patient(clinic_id, patient_id)),
            session_logs=list(uow.session_logs.for_patient(clinic_id, patient_id)),
            plan_edits=list(edits),
            check_ins=list(uow.check_ins.for_patient(clinic_id, patient_id)),
        )
        uow.commit()  # keep the audit events of the reads
    return record
