"""Patients' assessment records: save a result and read a patient's history, for an authorised actor.

Who may do what (the actor as storage has it decides: re-read here, or read by this request's
session lookup when it is a :class:`~backmech.services.ports.SignedInUser`):

* admins and clinicians: any patient of their own clinic;
* a patient: only their own record (the patient whose ``user_id`` is theirs);
* anyone of another clinic: nothing. The refusal names what was refused, never the data.

Example::

    result = service.assess(intake)
    stored = save_assessment(uow_factory, clinician, patient.id, clinic.id, result, intake)
    history = patient_assessments(uow_factory, clinician, patient.id, clinic.id)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

from backmech.domain.errors import BackmechError
from backmech.domain.results import AssessmentResult
from backmech.services.accounts import AuthorisationError, require_member
from backmech.services.ports import (
    Assessment,
    Patient,
    Role,
    SignedInUser,
    UnitOfWork,
    UnitOfWorkFactory,
    User,
)


class PatientNotFoundError(BackmechError):
    def __init__(self, patient_id: UUID) -> None:
        super().__init__(
            f"No patient {patient_id} in this clinic.",
            hint="Check the patient id; it may have been deleted.",
        )
        self.patient_id = patient_id


def authorise_patient_access(
    uow: UnitOfWork, actor: User, patient_id: UUID, clinic_id: UUID, action: str
) -> None:
    """Refuse unless ``actor`` may do ``action`` for this patient (a missing patient is not-found)."""
    who: User
    own: Patient | None
    if isinstance(actor, SignedInUser):
        who, own = actor, actor.patient  # read from storage by this request's session lookup
    else:
        found = uow.users.get_with_patient(actor.id)  # as stored now, with their own record in one query
        if found is None:
            raise AuthorisationError("acting as an unknown user", reason="The account no longer exists.")
        who, own = found
    require_member(who, clinic_id, action)
    if who.role == Role.PATIENT:
        if own is None or own.id != patient_id or own.clinic_id != clinic_id:
            raise AuthorisationError(action, reason="A patient may see and change only their own record.")
        return
    if who.role not in (Role.CLINICIAN, Role.ADMIN):
        raise AuthorisationError(action, reason=f"The role {who.role!s} may not do this.")
    if uow.patients.get(clinic_id, patient_id) is None:
        raise PatientNotFoundError(patient_id)


def save_assessment(
    uow_factory: UnitOfWorkFactory,
    actor: User,
    patient_id: UUID,
    clinic_id: UUID,
    result: AssessmentResult,
    intake: Mapping[str, object],
) -> Assessment:
    """Store one assessment result with its triage level and plan status, audited for ``actor``."""
    action = "saving an assessment for this patient"
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient_id, clinic_id, action)
        assessment = Assessment(
            patient_id=patient_id,
            intake=dict(intake),
            result=result,
            triage_level=str(result.triage.level),
            plan_status=result.plan_status,
            engine_version=result.backmech_version,
        )
        stored = uow.assessments.add(clinic_id, assessment)
        uow.commit()
    return stored


def patient_assessments(
    uow_factory: UnitOfWorkFactory, actor: User, patient_id: UUID, clinic_id: UUID
) -> Sequence[Assessment]:
    """A patient's stored assessments, oldest first, if ``actor`` may read them."""
    action = "reading this patient's assessments"
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient_id, clinic_id, action)
        found = uow.assessments.for_patient(clinic_id, patient_id)
        uow.commit()  # keep the audit events of the read
    return found
