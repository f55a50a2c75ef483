"""The plan a patient follows now: the latest assessment's plan with the clinician's edits replayed.

Also the one way to change it (:func:`edit_plan`): every change is checked (its shape,
then against the plan as it stands now, so a contraindicated exercise cannot be added),
stored with who/when/why as a :class:`PlanEdit`, and audited. A form may send a
``request_id``: sending the same change twice (a double click, a retried request)
stores it once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from backmech.domain.errors import BackmechError
from backmech.domain.exercises.model import Exercise
from backmech.domain.plans.edits import (
    EditedPlan,
    PlanEditInvalid,
    apply_plan_edits,
    check_against_plan,
    check_change,
    found_mechanisms,
)
from backmech.services.ports import Assessment, PlanEdit, UnitOfWork, UnitOfWorkFactory, User
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
        found = _load_current(uow, patient_id, clinic_id)
        uow.commit()  # keep the audit events of the reads
    return found


def assessments_and_plan(
    uow_factory: UnitOfWorkFactory, actor: User, patient_id: UUID, clinic_id: UUID
) -> tuple[list[Assessment], CurrentPlan | None]:
    """The patient's assessments (oldest first) and current plan, read in one transaction.

    What a patient's pages need on every view; one authorisation, one read of the
    assessments with the plan edits and one commit of the audit events, rather than one
    of each per question.
    """
    with uow_factory(actor=actor.id) as uow:
        authorise_patient_access(uow, actor, patient_id, clinic_id, "reading this patient's plan")
        read, edits = uow.assessments.with_plan_edits(clinic_id, patient_id)
        assessments = list(read)
        found = _current_from(assessments, lambda: edits)
        uow.commit()  # keep the audit events of the reads
    return assessments, found


def _load_current(uow: UnitOfWork, patient_id: UUID, clinic_id: UUID) -> CurrentPlan | None:
    """The current plan read inside an open (already authorised) unit of work."""
    return _current_from(
        list(uow.assessments.for_patient(clinic_id, patient_id)),
        lambda: uow.plan_edits.for_patient(clinic_id, patient_id),
    )


def current_from(assessments: Sequence[Assessment], edits: Sequence[PlanEdit]) -> CurrentPlan | None:
    """The current plan from a patient's assessments and plan edits already read (oldest first)."""
    return _current_from(list(assessments), lambda: edits)


def _current_from(
    assessments: list[Assessment], plan_edits: Callable[[], Sequence[PlanEdit]]
) -> CurrentPlan | None:
    """The plan of the latest assessment that has one, with ``plan_edits()`` made since then replayed."""
    if assessments and not isinstance(assessments[-1].result.get("plan"), Mapping):
        # The newest assessment withheld the plan (a red flag, an unfinished safety screen):
        # an older plan must not be followed until a clinician has seen the person.
        return None
    with_plan = [a for a in assessments if isinstance(a.result.get("plan"), Mapping)]
    if not with_plan:
        return None
    latest = with_plan[-1]
    edits = [e for e in plan_edits() if e.at >= latest.created_at]
    plan = latest.result["plan"]
    assert isinstance(plan, Mapping)
    return CurrentPlan(
        assessment=latest, edits=edits, edited=apply_plan_edits(plan, [dict(e.change) for e in edits])
    )


def edit_id(patient_id: UUID, request_id: str) -> UUID:
    """The id an edit sent with ``request_id`` is stored under (the same for a repeat)."""
    return uuid5(NAMESPACE_URL, f"backmech:plan-edit:{patient_id}:{request_id}")


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
    *,
    request_id: str | None = None,
    library: Mapping[str, Exercise] | None = None,
) -> PlanEdit:
    """Store one change to the patient's plan with its reason; staff only (patients cannot edit plans).

    The change must apply to the current plan (:func:`check_against_plan`); with
    ``library`` (the knowledge base's exercises) an added exercise is also checked
    against its own contraindications. A repeat of ``request_id`` returns the edit
    stored the first time and stores nothing.
    """
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
        new_id = edit_id(patient_id, request_id) if request_id else None
        if new_id is not None:
            for earlier in uow.plan_edits.for_patient(clinic_id, patient_id):
                if earlier.id == new_id:
                    uow.commit()
                    return earlier
        now = _load_current(uow, patient_id, clinic_id)
        found = found_mechanisms(now.assessment.result) if now is not None else frozenset()
        try:
            check_against_plan(now.plan if now else None, change, found=found, library=library)
        except PlanEditInvalid as exc:
            raise PlanChangeError(str(exc)) from exc
        edit = PlanEdit(patient_id=patient_id, editor_id=actor.id, reason=reason.strip(), change=dict(change))
        if new_id is not None:
            edit = replace(edit, id=new_id)
        stored = uow.plan_edits.add(clinic_id, edit)
        uow.commit()
    return stored
