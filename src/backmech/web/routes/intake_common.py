"""What the intake pages share: the wizard for this process's knowledge base, and the patient's draft.

The draft is always read and written for the signed-in patient's own record
(clinic-scoped repository calls, audited for the patient as actor).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from backmech.services.assessment import AssessmentService
from backmech.services.intake_model import Wizard
from backmech.services.intake_wizard import build_wizard
from backmech.services.ports import IntakeDraft, Patient
from backmech.web.security import Viewer
from backmech.web.state import AppState

_wizards: dict[int, tuple[AssessmentService, Wizard]] = {}
_lock = threading.Lock()


def wizard_for(service: AssessmentService) -> Wizard:
    """The screens for this knowledge base, built once per process."""
    with _lock:
        cached = _wizards.get(id(service))
        if cached is None or cached[0] is not service:
            cached = (service, build_wizard(service))
            _wizards[id(service)] = cached
        return cached[1]


def load_draft(state: AppState, viewer: Viewer, patient: Patient) -> dict[str, Any] | None:
    with state.uow_factory(actor=viewer.user.id) as uow:
        draft = uow.intake_drafts.get(patient.clinic_id, patient.id)
        uow.commit()
    return dict(draft.data) if draft is not None else None


def save_draft(state: AppState, viewer: Viewer, patient: Patient, data: Mapping[str, Any]) -> None:
    with state.uow_factory(actor=viewer.user.id) as uow:
        uow.intake_drafts.save(patient.clinic_id, IntakeDraft(patient_id=patient.id, data=data))
        uow.commit()


def delete_draft(state: AppState, viewer: Viewer, patient: Patient) -> None:
    with state.uow_factory(actor=viewer.user.id) as uow:
        uow.intake_drafts.delete(patient.clinic_id, patient.id)
        uow.commit()
