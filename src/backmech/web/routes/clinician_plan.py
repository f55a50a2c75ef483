"""The plan editor: remove, add, swap, re-dose an exercise, or record care given in the clinic.

Each change is one small form with a required reason, stored through
:func:`backmech.services.care_plan.edit_plan` (who, when and why are kept; the
generated plan is never overwritten). Only exercises that are not contraindicated
for what the assessment found can be added: the list offered is filtered, and the
service checks again, so a hand-made request cannot slip one in. A form carries a
``request_id`` so a double submission stores the change once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from backmech.domain.exercises.model import Exercise
from backmech.domain.plans.edits import (
    CARE_KINDS,
    EDITABLE_LISTS,
    AddExercise,
    ChangeDose,
    PlanChange,
    RecordCare,
    RemoveExercise,
    SwapExercise,
    addable_exercises,
    excluded_slugs,
    planned_item,
)
from backmech.domain.plans.model import PlannedExercise
from backmech.services.care_plan import CurrentPlan, PlanChangeError, current_plan, edit_plan
from backmech.services.plan_text import CARE_LABELS, LIST_LABELS, describe_change
from backmech.web.routes.clinician_views import NOT_FOUND, edit_history, parse_patient_id
from backmech.web.security import Viewer, app_state, require_staff
from backmech.web.state import AppState
from backmech.web.templating import render

router = APIRouter()

KINDS = ("remove", "add", "swap", "dose", "care")
MAX_MINUTES = 120.0
"""Upper bound of the minutes field: catches typing slips, not a clinical limit."""
SAVED = {
    "remove": "The exercise was removed.",
    "add": "The exercise was added.",
    "swap": "The exercise was swapped.",
    "dose": "The dose was changed.",
    "care": "The care was recorded.",
}


def _load(state: AppState, viewer: Viewer, pid: UUID) -> tuple[Any, CurrentPlan | None, dict[UUID, str]]:
    """The patient (404 if not in the viewer's clinic), the current plan and the editors' emails."""
    clinic_id = viewer.user.clinic_id
    with state.uow_factory(actor=viewer.user.id) as uow:
        patient = uow.patients.get(clinic_id, pid)
        uow.commit()
    if patient is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    plan = current_plan(state.uow_factory, viewer.user, pid, clinic_id)
    people: dict[UUID, str] = {}
    if plan is not None:
        with state.uow_factory(actor=viewer.user.id) as uow:
            for edit in plan.edits:
                if edit.editor_id is not None and edit.editor_id not in people:
                    user = uow.users.get(edit.editor_id)
                    people[edit.editor_id] = user.email if user else "a former member of staff"
    return patient, plan, people


def _addable(state: AppState, plan: CurrentPlan | None) -> list[Exercise]:
    if plan is None:
        return []
    return addable_exercises(
        state.knowledge.exercises.values(), plan.assessment.result.found(), excluded_slugs(plan.plan)
    )


def _page(
    request: Request,
    state: AppState,
    viewer: Viewer,
    pid: UUID,
    *,
    problems: list[str] | None = None,
    open_form: str = "",
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    patient, plan, people = _load(state, viewer, pid)
    lists = []
    if plan is not None:
        for name in EDITABLE_LISTS:
            lists.append((name, LIST_LABELS[name], list(getattr(plan.plan, name))))
    return render(
        request,
        "clinic/plan.html",
        {
            "patient": patient,
            "plan": plan,
            "lists": lists,
            "addable": _addable(state, plan),
            "edits": edit_history(plan.edits, plan) if plan else [],
            "describe": describe_change,
            "people": people,
            "care_kinds": [(kind, CARE_LABELS[kind]) for kind in CARE_KINDS],
            "care_labels": CARE_LABELS,
            "list_labels": LIST_LABELS,
            "problems": problems or [],
            "open_form": open_form,
            "values": values or {},
            "request_id": uuid.uuid4().hex,
            "saved": SAVED.get(request.query_params.get("saved", ""), ""),
            "today": dt.datetime.now(dt.UTC).date().isoformat(),
        },
        status_code=status_code,
    )


@router.get("/clinic/patients/{patient_id}/plan", include_in_schema=False)
def plan_editor(request: Request, patient_id: str) -> Response:
    viewer = require_staff(request)
    return _page(request, app_state(request), viewer, parse_patient_id(patient_id))


def _target(
    plan: CurrentPlan | None, value: str, problems: list[str]
) -> tuple[str, str, PlannedExercise | None]:
    """(list, slug, item) named by a ``list:slug`` choice, or a problem saying what to do."""
    name, _, slug = value.partition(":")
    items: tuple[PlannedExercise, ...] = (
        getattr(plan.plan, name) if plan is not None and name in EDITABLE_LISTS else ()
    )
    found = [i for i in items if i.slug == slug]
    if not value:
        problems.append("Choose the exercise to change.")
        return name, slug, None
    if not found:
        problems.append(
            "Choose an exercise that is in the plan now (the plan may have changed; reload the page)."
        )
        return name, slug, None
    return name, slug, found[0]


def _new_item(
    state: AppState, plan: CurrentPlan | None, slug: str, reason: str, problems: list[str]
) -> PlannedExercise | None:
    """The plan item for a library exercise that may be added, else ``None`` with a problem."""
    if not slug:
        problems.append("Choose the exercise to add.")
        return None
    allowed = {ex.slug: ex for ex in _addable(state, plan)}
    if slug not in allowed:
        exercise = state.knowledge.exercises.get(slug)
        name = exercise.name if exercise else slug
        problems.append(
            f"{name} cannot be added: it is contraindicated for what this patient's assessment found, "
            "or not in the exercise library. Choose one from the list."
        )
        return None
    return planned_item(allowed[slug], reason)


def _minutes(text: str, problems: list[str]) -> float | None:
    if not text.strip():
        return None
    try:
        minutes = float(text)
    except ValueError:
        problems.append("Minutes must be a number, such as 3 or 2.5 (or leave it empty).")
        return None
    if not 0 < minutes <= MAX_MINUTES:
        problems.append(f"Minutes must be more than 0 and at most {MAX_MINUTES:g}.")
        return None
    return minutes


def _care_date(text: str, problems: list[str]) -> str:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        problems.append("Give the date the care was given (YYYY-MM-DD).")
        return ""
    if day > dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1):
        problems.append("The date of care given cannot be in the future.")
    return day.isoformat()


def build_change(
    state: AppState, plan: CurrentPlan | None, kind: str, form: dict[str, str], problems: list[str]
) -> PlanChange | None:
    """The change a form describes; problems are appended for anything wrong (then None)."""
    if kind == "care":
        care = form.get("care", "")
        if care not in CARE_KINDS:
            problems.append("Choose the kind of care given.")
        date = _care_date(form.get("date", ""), problems)
        return RecordCare(care=care, date=date, notes=form.get("notes", "").strip()[:4000])
    if plan is None:
        problems.append("This patient has no plan yet; an assessment makes one. You can still record care.")
        return None
    if kind == "add":
        name = form.get("list", "")
        if name not in EDITABLE_LISTS:
            problems.append("Choose the part of the plan to add the exercise to.")
        item = _new_item(state, plan, form.get("exercise", ""), "Added by your clinician.", problems)
        return AddExercise(list=name, item=item) if item is not None else None
    name, slug, old = _target(plan, form.get("target", ""), problems)
    old_name = old.name if old is not None else slug
    if kind == "swap":
        reason = f"Chosen by your clinician in place of {old_name}."
        new = _new_item(state, plan, form.get("exercise", ""), reason, problems)
        return SwapExercise(list=name, slug=slug, item=new, name=old_name) if new is not None else None
    if kind == "dose":
        dose_text = form.get("dose_text", "").strip()[:500]
        if not dose_text:
            problems.append("Write the new dose, such as “2 sets of 8, slowly”.")
        minutes = _minutes(form.get("minutes", ""), problems)
        return ChangeDose(list=name, slug=slug, dose_text=dose_text, minutes=minutes, name=old_name)
    return RemoveExercise(list=name, slug=slug, name=old_name)


@router.post("/clinic/patients/{patient_id}/plan/{kind}", include_in_schema=False)
async def plan_change(request: Request, patient_id: str, kind: str) -> Response:
    viewer = require_staff(request)
    state = app_state(request)
    pid = parse_patient_id(patient_id)
    if kind not in KINDS:
        raise HTTPException(status_code=404, detail="There is no such kind of plan change.")
    raw = await request.form()
    form = {key: value for key, value in raw.items() if isinstance(value, str) and key != "csrf_token"}
    _, plan, _ = _load(state, viewer, pid)
    problems: list[str] = []
    reason = form.get("reason", "").strip()[:2000]
    change = build_change(state, plan, kind, form, problems)
    if not reason:
        problems.append("Say why you are making this change. The reason is kept in the patient's record.")
    if not problems and change is not None:
        try:
            edit_plan(
                state.uow_factory,
                viewer.user,
                pid,
                viewer.user.clinic_id,
                change,
                reason,
                request_id=form.get("request_id") or None,
                library=state.knowledge.exercises,
            )
        except PlanChangeError as exc:
            problems.append(exc.user_message)
    if problems:
        return _page(
            request, state, viewer, pid, problems=problems, open_form=kind, values=form, status_code=422
        )
    return RedirectResponse(f"/clinic/patients/{pid}/plan?saved={kind}", status_code=303)
