"""The assessment result explained (``/me/assessment``) and the referral page after a safety stop.

Both read only the signed-in patient's own latest assessment, through
``patient_assessments`` (authorised and audited). A result whose triage stops the
programme shows the referral, never a plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from backmech.services.intake_explain import explain
from backmech.services.intake_forms import answer_text, shown_values
from backmech.services.intake_model import Wizard
from backmech.services.ports import Assessment
from backmech.services.records import patient_assessments
from backmech.web.routes.intake_common import load_draft, wizard_for
from backmech.web.security import app_state, require_patient
from backmech.web.templating import render

router = APIRouter()


def review_groups(wizard: Wizard, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Saved answers by screen, for the review page (each with a link to change it)."""
    groups = []
    for step in wizard.applicable(data):
        if not step.questions:
            continue
        shown = shown_values(data, step)
        groups.append(
            {
                "step": step,
                "rows": [(q.label, answer_text(step, q, shown)) for q in step.questions],
            }
        )
    return groups


def _latest(request: Request) -> Assessment | None:
    viewer, patient = require_patient(request)
    state = app_state(request)
    history = patient_assessments(state.uow_factory, viewer.user, patient.id, patient.clinic_id)
    return history[-1] if history else None


@router.get("/me/intake/referral", include_in_schema=False)
def referral(request: Request) -> Response:
    latest = _latest(request)
    if latest is None:
        return RedirectResponse("/me/intake", status_code=303)
    result = explain(app_state(request).knowledge, latest.result)
    if not result.stops:
        return RedirectResponse("/me/assessment", status_code=303)
    return render(request, "intake/referral.html", {"result": result, "assessment": latest})


@router.get("/me/assessment", include_in_schema=False)
def assessment(request: Request) -> Response:
    viewer, patient = require_patient(request)
    state = app_state(request)
    latest = _latest(request)
    draft = load_draft(state, viewer, patient)
    resume = wizard_for(state.assessment).first_open(draft).id if draft is not None else ""
    if latest is None:
        return render(request, "intake/assessment.html", {"result": None, "resume": resume})
    return render(
        request,
        "intake/assessment.html",
        {"result": explain(state.knowledge, latest.result), "assessment": latest, "resume": resume},
    )
