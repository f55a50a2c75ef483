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

import orjson

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
from backmech.services.plan_text import describe_change
from backmech.services.ports import Assessment, PlanEdit

PLAN_SECTIONS = ("exercises", "daily_routine", "walking", "relief")
"""The plan's lists of things to do, each item with a slug, name, dose and reason."""
EXCLUDED = "excluded_exercises"
"""Exercises left out as unsuitable: exported as activities with ``doNotPerform``."""


def plan_date(assessment: Assessment) -> dt.date:
    """The clinical date of an assessment: ``assessed_on`` when the intake gave one."""
    assessed_on = assessment.result.get("assessed_on")
    if isinstance(assessed_on, str):
        try:
            return dt.date.fromisoformat(assessed_on)
        except ValueError:
            pass
    return assessment.created_at.date()


def build_care_plan(
    assessment: Assessment, newest: Assessment, edits: Sequence[PlanEdit], patient_id: UUID
) -> Json:
    """The plan of ``assessment`` (the latest with a plan); ``newest`` decides whether it is still active."""
    plan = assessment.result["plan"]
    assert isinstance(plan, Mapping)
    start = plan_date(assessment)
    weeks = int(plan.get("weeks") or 0)
    activities: list[Json] = []
    for section in (*PLAN_SECTIONS, EXCLUDED):
        for item in plan.get(section) or ():
            if isinstance(item, Mapping) and item.get("slug"):
                activities.append({"detail": _detail(section, item)})
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
        "title": str(plan.get("session_name") or "Exercise plan"),
        "subject": ref(patient_id),
        "period": {"start": start.isoformat(), "end": (start + dt.timedelta(weeks=weeks)).isoformat()},
        "created": instant(assessment.created_at),
        "supportingInfo": [ref(assessment.id)],
        "activity": activities,
    }
    if plan.get("approach"):
        resource["description"] = str(plan["approach"])
    if notes:
        resource["note"] = notes
    return resource


def care_plan_id(assessment_id: UUID) -> str:
    return derived_id(assessment_id, "care-plan")


def _detail(section: str, item: Mapping[str, Any]) -> Json:
    name = str(item.get("name") or item["slug"])
    detail: Json = {
        "extension": [string_extension(EXT_PLAN_SECTION, section)],
        "code": concept(coding(CS_EXERCISE, str(item["slug"]), name), text=name),
        "status": "scheduled",
    }
    if section == EXCLUDED:
        because = [str(b) for b in item.get("because") or ()]
        detail["doNotPerform"] = True
        detail["reasonCode"] = [{"text": b} for b in because]
        detail["description"] = "Left out of the plan as unsuitable for: " + ", ".join(because)
        return detail
    dose = item.get("dose")
    if isinstance(dose, Mapping):
        if dose.get("frequency"):
            detail["scheduledString"] = str(dose["frequency"])
        if dose.get("text"):
            detail["description"] = str(dose["text"])
    if item.get("reason"):
        detail["reasonCode"] = [{"text": str(item["reason"])}]
    return detail


def edit_note(edit: PlanEdit, plan_made: dt.datetime | None) -> Json:
    """A clinician's change as an Annotation; ``plan_made`` marks edits older than the plan they sit on."""
    parts = [string_extension("change", _json(edit.change))]
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


def _json(change: Mapping[str, object]) -> str:
    return orjson.dumps(change, option=orjson.OPT_SORT_KEYS).decode()


def read_care_plan(
    care_plan: Mapping[str, Any], patient_id: UUID
) -> tuple[dict[str, object], list[PlanEdit]]:
    """The plan document (the exported parts) and the clinician's edits, oldest first."""
    period = care_plan.get("period") or {}
    plan: dict[str, object] = {"session_name": care_plan.get("title", "")}
    if period.get("start") and period.get("end"):
        span = dt.date.fromisoformat(period["end"]) - dt.date.fromisoformat(period["start"])
        plan["weeks"] = span.days // 7
    if care_plan.get("description"):
        plan["approach"] = care_plan["description"]
    for activity in care_plan.get("activity", ()):
        detail = activity.get("detail") or {}
        section = extension_value(detail, EXT_PLAN_SECTION)
        if section not in (*PLAN_SECTIONS, EXCLUDED):
            continue
        items = plan.setdefault(section, [])
        assert isinstance(items, list)
        items.append(_read_item(section, detail))
    return plan, read_edits(care_plan, patient_id)


def read_edits(resource: Mapping[str, Any], patient_id: UUID) -> list[PlanEdit]:
    """The clinician's changes kept as notes on a CarePlan (or, with no plan, on a ClinicalImpression)."""
    return [_read_edit(note, patient_id) for note in resource.get("note", ()) if _is_edit(note)]


def _read_item(section: str, detail: Mapping[str, Any]) -> dict[str, object]:
    item: dict[str, object] = {
        "slug": code_in(detail.get("code"), CS_EXERCISE),
        "name": detail.get("code", {}).get("text", ""),
    }
    reasons = [str(r.get("text", "")) for r in detail.get("reasonCode", ())]
    if section == EXCLUDED:
        item["because"] = reasons
        return item
    dose: dict[str, object] = {}
    if detail.get("description"):
        dose["text"] = detail["description"]
    if detail.get("scheduledString"):
        dose["frequency"] = detail["scheduledString"]
    item["dose"] = dose
    if reasons:
        item["reason"] = reasons[0]
    return item


def _is_edit(note: Mapping[str, Any]) -> bool:
    return any(ext.get("url") == EXT_PLAN_EDIT for ext in note.get("extension", ()))


def _read_edit(note: Mapping[str, Any], patient_id: UUID) -> PlanEdit:
    parts: dict[str, str] = {}
    for ext in note["extension"]:
        if ext.get("url") == EXT_PLAN_EDIT:
            parts = {str(p["url"]): str(p["valueString"]) for p in ext.get("extension", ())}
    change = orjson.loads(parts["change"])
    if not isinstance(change, dict):
        raise ValueError("a plan-edit change must be a JSON object")
    return PlanEdit(
        patient_id=patient_id,
        editor_id=UUID(parts["editor"]) if "editor" in parts else None,
        reason=parts.get("reason", ""),
        change=change,
        id=UUID(str(note["id"])),
        at=dt.datetime.fromisoformat(str(note["time"])),
    )
