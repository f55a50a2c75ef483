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
    ReminderSettings,
    SessionLog,
    UnitOfWork,
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
    reminders: ReminderSettings | None = None
    """The reminders the person asked for; ``None``: they have not chosen (no reminders)."""

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
        if patient is None:
            raise PatientNotFoundError(patient_id)
        record = _read(uow, patient)
        uow.commit()  # keep the audit events of the reads
    return record


def read_feed_record(uow_factory: UnitOfWorkFactory, token_hash: str) -> PatientRecord | None:
    """The record of the patient whose private calendar feed has this token hash; ``None`` if none has.

    The feed address is the credential (calendar apps cannot sign in), so the reads are
    audited as the patient's own, as if they had downloaded the file themselves.
    """
    with uow_factory() as uow:
        owner = uow.calendar_feeds.owner(token_hash)
    if owner is None:
        return None
    with uow_factory(actor=owner.user_id) as uow:
        patient = uow.patients.get(owner.clinic_id, owner.id)
        if patient is None:
            return None
        record = _read(uow, patient)
        uow.commit()
    return record


def _read(uow: UnitOfWork, patient: Patient) -> PatientRecord:
    clinic = uow.clinics.get(patient.clinic_id)
    if clinic is None:
        raise PatientNotFoundError(patient.id)
    assessments, edits = uow.assessments.with_plan_edits(patient.clinic_id, patient.id)
    return PatientRecord(
        clinic=clinic,
        patient=patient,
        assessments=list(assessments),
        movement_analyses=list(uow.movement_analyses.for_patient(patient.clinic_id, patient.id)),
        session_logs=list(uow.session_logs.for_patient(patient.clinic_id, patient.id)),
        plan_edits=list(edits),
        check_ins=list(uow.check_ins.for_patient(patient.clinic_id, patient.id)),
        reminders=uow.reminders.get(patient.clinic_id, patient.id),
    )
