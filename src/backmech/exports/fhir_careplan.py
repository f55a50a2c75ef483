"""The latest exercise plan as a FHIR R4 CarePlan, with the clinician's changes as notes.

Why the activities are the plan *as generated* and the edits are notes (not applied): the
record keeps what the engine proposed and what a clinician changed and why, in that order
(``domain/plans/edits.py``); applying the edits in the export would hide that history and
make an import apply them twice. Each note carries its change losslessly (a ``plan-edit``
extension), so :func:`backmech.domain.plans.edits.apply_plan_edits` gives the plan the
patient follows after an import, exactly as it does in backmech.

Safety: a plan that a newer assessment withheld (a red flag, an unfinished safety screen)
is exported ``on-hold`` with a note saying so, never ``active``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from backmech.domain.exercises.model import Dose
from backmech.domain.plans.model import ExcludedExercise, Plan, PlannedExercise
from backmech.exports.fhir_codes import (
    CS_EXERCISE,
    EXT_PLAN_EDIT,
    EXT_PLAN_SECTION,
    Json,
    code_in,
    coding,
    concept,
    derived_id,
    extension_value,
    instant,
    ref,
    string_extension,
)
from backmech.services.codec import dumps, loads, plan_change_from_json
from backmech.services.plan_text import describe_change
from backmech.services.ports import Assessment, PlanEdit

PLAN_SECTIONS = ("exercises", "daily_routine", "walking", "relief")
"""The plan's lists of things to do, each item with a slug, name, dose and reason."""
EXCLUDED = "excluded_exercises"
"""Exercises left out as unsuitable: exported as activities with ``doNotPerform``."""


def plan_date(assessment: Assessment) -> dt.date:
    """The clinical date of an assessment: ``assessed_on`` when the intake gave one."""
    assessed_on = assessment.result.assessed_on
    if assessed_on:
        try:
            return dt.date.fromisoformat(assessed_on)
        except ValueError:
            pass
    return assessment.created_at.date()


def build_care_plan(
    assessment: Assessment, newest: Assessment, edits: Sequence[PlanEdit], patient_id: UUID
) -> Json:
    """The plan of ``assessment`` (the latest with a plan); ``newest`` decides whether it is still active."""
    plan = assessment.result.plan
    assert plan is not None
    start = plan_date(assessment)
    activities: list[Json] = [
        {"detail": _detail(section, item)} for section in PLAN_SECTIONS for item in getattr(plan, section)
    ]
    activities.extend({"detail": _excluded_detail(item)} for item in plan.excluded_exercises)
    notes = [edit_note(edit, assessment.created_at) for edit in edits]
    withheld = newest.id != assessment.id
    if withheld:
        notes.insert(
            0,
            {
                "text": (
                    f"On hold: a later assessment ({plan_date(newest).isoformat()}) withheld the plan "
                    f"({newest.plan_status}). Do not follow it until a clinician has reviewed the person."
                )
            },
        )
    resource: Json = {
        "resourceType": "CarePlan",
        "id": care_plan_id(assessment.id),
        "status": "on-hold" if withheld else "active",
        "intent": "plan",
        "title": plan.session_name or "Exercise plan",
        "subject": ref(patient_id),
        "period": {"start": start.isoformat(), "end": (start + dt.timedelta(weeks=plan.weeks)).isoformat()},
        "created": instant(assessment.created_at),
        "supportingInfo": [ref(assessment.id)],
        "activity": activities,
    }
    if plan.approach:
        resource["description"] = plan.approach
    if notes:
        resource["note"] = notes
    return resource


def care_plan_id(assessment_id: UUID) -> str:
    return derived_id(assessment_id, "care-plan")


def _detail(section: str, item: PlannedExercise) -> Json:
    name = item.name or item.slug
    detail: Json = {
        "extension": [string_extension(EXT_PLAN_SECTION, section)],
        "code": concept(coding(CS_EXERCISE, item.slug, name), text=name),
        "status": "scheduled",
    }
    if item.dose.frequency:
        detail["scheduledString"] = item.dose.frequency
    if item.dose.text:
        detail["description"] = item.dose.text
    if item.reason:
        detail["reasonCode"] = [{"text": item.reason}]
    return detail


def _excluded_detail(item: ExcludedExercise) -> Json:
    name = item.name or item.slug
    return {
        "extension": [string_extension(EXT_PLAN_SECTION, EXCLUDED)],
        "code": concept(coding(CS_EXERCISE, item.slug, name), text=name),
        "status": "scheduled",
        "doNotPerform": True,
        "reasonCode": [{"text": b} for b in item.because],
        "description": "Left out of the plan as unsuitable for: " + ", ".join(item.because),
    }


def edit_note(edit: PlanEdit, plan_made: dt.datetime | None) -> Json:
    """A clinician's change as an Annotation; ``plan_made`` marks edits older than the plan they sit on."""
    parts = [string_extension("change", dumps(edit.change).decode())]
    if edit.reason:
        parts.insert(0, string_extension("reason", edit.reason))
    if edit.editor_id is not None:
        parts.append(string_extension("editor", str(edit.editor_id)))
    earlier = " (made to an earlier plan)" if plan_made is not None and edit.at < plan_made else ""
    return {
        "id": str(edit.id),
        "extension": [{"url": EXT_PLAN_EDIT, "extension": parts}],
        "time": instant(edit.at),
        "text": f"Clinician's change{earlier}: {describe_change(edit.change)}. Reason: {edit.reason}",
    }


def read_care_plan(care_plan: Mapping[str, Any], patient_id: UUID) -> tuple[Plan, list[PlanEdit]]:
    """The plan (the parts the CarePlan carries; the rest empty) and the clinician's edits, oldest first."""
    period = care_plan.get("period") or {}
    weeks = 0
    if period.get("start") and period.get("end"):
        span = dt.date.fromisoformat(period["end"]) - dt.date.fromisoformat(period["start"])
        weeks = span.days // 7
    sections: dict[str, list[PlannedExercise]] = {section: [] for section in PLAN_SECTIONS}
    excluded: list[ExcludedExercise] = []
    for activity in care_plan.get("activity", ()):
        detail = activity.get("detail") or {}
        section = extension_value(detail, EXT_PLAN_SECTION)
        reasons = tuple(str(r.get("text", "")) for r in detail.get("reasonCode", ()))
        slug = code_in(detail.get("code"), CS_EXERCISE) or ""
        name = str(detail.get("code", {}).get("text", ""))
        if section == EXCLUDED:
            excluded.append(ExcludedExercise(slug, name, reasons))
        elif section in sections:
            sections[section].append(_read_item(slug, name, detail, reasons))
    plan = imported_plan(
        weeks=weeks,
        session_name=str(care_plan.get("title", "")),
        approach=str(care_plan.get("description", "")),
        sections=sections,
        excluded=excluded,
    )
    return plan, read_edits(care_plan, patient_id)


def imported_plan(
    *,
    weeks: int,
    session_name: str,
    approach: str,
    sections: Mapping[str, list[PlannedExercise]],
    excluded: list[ExcludedExercise],
) -> Plan:
    """A plan as another system's record carries it: the lists and their doses, nothing the engine derived."""
    return Plan(
        weeks=weeks,
        weeks_reason="",
        emphasis="",
        session_name=session_name,
        approach=approach,
        care_stage=None,
        phases=(),
        exercises=tuple(sections.get("exercises", ())),
        daily_routine=tuple(sections.get("daily_routine", ())),
        daily_routine_minutes=0.0,
        walking=tuple(sections.get("walking", ())),
        relief=tuple(sections.get("relief", ())),
        avoid=(),
        excluded_exercises=tuple(excluded),
        lifestyle=(),
        education=(),
        clinician_care=(),
        safety_rules=(),
        reassess_after_days=0,
        movement_retest_weeks=(),
        decision_points=(),
        sources=(),
    )


def read_edits(resource: Mapping[str, Any], patient_id: UUID) -> list[PlanEdit]:
    """The clinician's changes kept as notes on a CarePlan (or, with no plan, on a ClinicalImpression)."""
    return [_read_edit(note, patient_id) for note in resource.get("note", ()) if _is_edit(note)]


def _read_item(slug: str, name: str, detail: Mapping[str, Any], reasons: tuple[str, ...]) -> PlannedExercise:
    dose = Dose(
        text=str(detail.get("description", "")), frequency=str(detail.get("scheduledString", "") or "daily")
    )
    return PlannedExercise(
        slug=slug,
        name=name,
        category="",
        dose=dose,
        minutes=0.0,
        reason=reasons[0] if reasons else "",
        progression=None,
        regression=None,
        source="",
    )


def _is_edit(note: Mapping[str, Any]) -> bool:
    return any(ext.get("url") == EXT_PLAN_EDIT for ext in note.get("extension", ()))


def _read_edit(note: Mapping[str, Any], patient_id: UUID) -> PlanEdit:
    parts: dict[str, str] = {}
    for ext in note["extension"]:
        if ext.get("url") == EXT_PLAN_EDIT:
            parts = {str(p["url"]): str(p["valueString"]) for p in ext.get("extension", ())}
    change = plan_change_from_json(loads(parts["change"]))
    return PlanEdit(
        patient_id=patient_id,
        editor_id=UUID(parts["editor"]) if "editor" in parts else None,
        reason=parts.get("reason", ""),
        change=change,
        id=UUID(str(note["id"])),
        at=dt.datetime.fromisoformat(str(note["time"])),
    )
