"""The plan a patient follows now: the latest assessment's plan with every clinician edit replayed.

Also the one way to change it (:func:`edit_plan`): every change is checked (its shape,
then against the plan as it stands now, so a contraindicated exercise cannot be added),
stored with who/when/why as a :class:`PlanEdit`, and audited. A form may send a
``request_id``: sending the same change twice (a double click, a retried request)
stores it once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from uuid import NAMESPACE_URL, UUID, uuid5

from backmech.domain.errors import BackmechError
from backmech.domain.exercises.model import Exercise
from backmech.domain.plans.edits import (
    CarriedEdit,
    CarriedPlan,
    PlanChange,
    PlanEditInvalid,
    carry_forward,
    check_against_plan,
    check_change,
)
from backmech.domain.plans.model import Plan
from backmech.services.ports import Assessment, PlanEdit, UnitOfWork, UnitOfWorkFactory, User
from backmech.services.records import authorise_patient_access


@dataclass(frozen=True)
class EditStanding:
    """One stored edit and what it does to the current plan (for the edit history)."""

    edit: PlanEdit
    earlier_plan: bool
    """Made on a plan before the current one (and brought forward to it)."""
    applies: bool
    why: str
    """Why it does not apply to the current plan; empty when it does."""
    plan_made: dt.date
    """The day of the assessment that made the current plan."""

    @property
    def note(self) -> str:
        """How the edit stands on the current plan in words; empty for a change made on it."""
        since = self.plan_made.strftime("%d %b %Y")
        if not self.applies:
            return f"Not applied to the plan of {since}: {self.why}."
        if self.earlier_plan:
            return f"Made on an earlier plan; carried over to the plan of {since}."
        return ""


@dataclass(frozen=True)
class CurrentPlan:
    assessment: Assessment
    """The assessment whose plan this is (the latest one with a plan)."""
    edits: list[PlanEdit]
    """Every plan edit of the patient, oldest first: all of them are replayed over this plan."""
    carried: CarriedPlan
    """The plan with the edits replayed, and what became of each edit."""

    @property
    def plan(self) -> Plan:
        return self.carried.plan

    @property
    def generated(self) -> Plan:
        """The plan as the engine made it, before the clinician's edits."""
        plan = self.assessment.result.plan
        assert plan is not None  # a current plan's assessment always has one
        return plan

    @property
    def brought_forward(self) -> list[tuple[PlanEdit, CarriedEdit]]:
        """Edits made on an earlier plan, with what became of each on this one (oldest first)."""
        return [
            (edit, outcome)
            for edit, outcome in zip(self.edits, self.carried.outcomes, strict=True)
            if edit.at < self.assessment.created_at
        ]

    def history(self) -> list[EditStanding]:
        """Every edit, newest first, with whether it applies to this plan (and why not)."""
        paired = zip(self.edits, self.carried.outcomes, strict=True)
        return [
            EditStanding(
                edit,
                edit.at < self.assessment.created_at,
                outcome.carried,
                outcome.why,
                self.assessment.created_at.date(),
            )
            for edit, outcome in reversed(list(paired))
        ]

    @property
    def dropped(self) -> list[tuple[PlanEdit, str]]:
        """Edits that could not be carried to this plan, with why."""
        return [(edit, outcome.why) for edit, outcome in self.brought_forward if not outcome.carried]


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
        found = current_from(assessments, edits)
        uow.commit()  # keep the audit events of the reads
    return assessments, found


def _load_current(uow: UnitOfWork, patient_id: UUID, clinic_id: UUID) -> CurrentPlan | None:
    """The current plan read inside an open (already authorised) unit of work."""
    assessments = list(uow.assessments.for_patient(clinic_id, patient_id))
    if not assessments or assessments[-1].result.plan is None:
        return None
    return current_from(assessments, uow.plan_edits.for_patient(clinic_id, patient_id))


def current_from(assessments: Sequence[Assessment], edits: Sequence[PlanEdit]) -> CurrentPlan | None:
    """The plan of the latest assessment, with every plan edit replayed (oldest first).

    ``None`` when there is no plan, and when the newest assessment withheld it (a red flag,
    an unfinished safety screen): an older plan must not be followed until a clinician has
    seen the person. Edits made on an earlier plan are carried to the new one where they
    still make sense (:func:`~backmech.domain.plans.edits.carry_forward`); the others are
    dropped, with the reason, and the course raises an alert listing both.
    """
    latest = assessments[-1] if assessments else None
    plan = latest.result.plan if latest is not None else None
    if latest is None or plan is None:
        return None
    ordered = sorted(edits, key=lambda e: e.at)
    carried = carry_forward(plan, [e.change for e in ordered], found=latest.result.found())
    return CurrentPlan(assessment=latest, edits=ordered, carried=carried)


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
    change: PlanChange,
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
        found = now.assessment.result.found() if now is not None else frozenset()
        try:
            check_against_plan(now.plan if now else None, change, found=found, library=library)
        except PlanEditInvalid as exc:
            raise PlanChangeError(str(exc)) from exc
        edit = PlanEdit(patient_id=patient_id, editor_id=actor.id, reason=reason.strip(), change=change)
        if new_id is not None:
            edit = replace(edit, id=new_id)
        stored = uow.plan_edits.add(clinic_id, edit)
        uow.commit()
    return stored
