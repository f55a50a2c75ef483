"""The plan a patient follows now: the latest assessment's plan with the clinician's edits replayed.

Also the one way to change it (:func:`edit_plan`): every change is checked, stored
with who/when/why as a :class:`PlanEdit`, and audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from backmech.domain.errors import BackmechError
from backmech.domain.plans.edits import EditedPlan, PlanEditInvalid, apply_plan_edits, check_change
from backmech.services.ports import Assessment, PlanEdit, UnitOfWorkFactory, User
from backmech.services.records import authorise_patient_access


@dataclass(frozen=True)
class CurrentPlan:
    assessment: Assessment
    """The assessment whose plan this is (the latest one with a plan)."""
    edits: list[PlanEdit]
    """The edits made since that assessment, oldest first."""
    edited: EditedPlan

    @property
    def plan(self) -> dict[str, Any]:
        return self.edited.plan


def current_plan(
    uow_factory: UnitOfWorkFactory, actor: User, patient_id: UUID, clinic_id: UUID
) -> CurrentPlan | None:
    """The patient's current plan, or ``None`` before any assessment produced one."""
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient_id, clinic_id, "reading this patient's plan")
        assessments = uow.assessments.for_patient(clinic_id, patient_id)
        with_plan = [a for a in assessments if isinstance(a.result.get("plan"), Mapping)]
        if not with_plan:
            uow.commit()
            return None
        latest = with_plan[-1]
        edits = [e for e in uow.plan_edits.for_patient(clinic_id, patient_id) if e.at >= latest.created_at]
        uow.commit()  # keep the audit events of the reads
    plan = latest.result["plan"]
    assert isinstance(plan, Mapping)
    return CurrentPlan(
        assessment=latest, edits=edits, edited=apply_plan_edits(plan, [dict(e.change) for e in edits])
    )


class PlanChangeError(BackmechError):
    def __init__(self, problem: str) -> None:
        super().__init__(f"This change cannot be made: {problem}.", hint="Check the form and try again.")


def edit_plan(
    uow_factory: UnitOfWorkFactory,
    actor: User,
    patient_id: UUID,
    clinic_id: UUID,
    change: Mapping[str, Any],
    reason: str,
) -> PlanEdit:
    """Store one change to the patient's plan with its reason; staff only (patients cannot edit plans)."""
    from backmech.services.accounts import AuthorisationError
    from backmech.services.ports import Role

    if not reason.strip():
        raise PlanChangeError("say why you made it (the reason is kept in the record)")
    try:
        check_change(change)
    except PlanEditInvalid as exc:
        raise PlanChangeError(str(exc)) from exc
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient_id, clinic_id, "changing this patient's plan")
        stored_actor = uow.users.get(actor.id)
        if stored_actor is None or stored_actor.role not in (Role.CLINICIAN, Role.ADMIN):
            raise AuthorisationError("changing a plan", reason="Only clinic staff may change a plan.")
        edit = uow.plan_edits.add(
            clinic_id,
            PlanEdit(patient_id=patient_id, editor_id=actor.id, reason=reason.strip(), change=dict(change)),
        )
        uow.commit()
    return edit
