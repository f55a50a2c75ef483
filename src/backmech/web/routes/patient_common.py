"""What every daily page needs about the signed-in patient: their assessments, plan and exercises.

Why one loader: Today, Plan, the player and Progress must agree on one rule. The
*latest* assessment decides: if its triage stopped the programme (or the safety
screen was incomplete) no exercises are shown anywhere, even if an older
assessment had a plan. Otherwise the plan is ``services.care_plan.current_plan``,
which replays the clinician's edits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.services.care_plan import CurrentPlan, assessments_and_plan
from backmech.services.ports import Assessment, Patient
from backmech.web.illustrations import exercise_svg
from backmech.web.security import Viewer, app_state, require_patient


@dataclass(frozen=True)
class PatientView:
    viewer: Viewer
    patient: Patient
    assessments: Sequence[Assessment]
    current: CurrentPlan | None

    @property
    def latest(self) -> Assessment | None:
        return self.assessments[-1] if self.assessments else None

    @property
    def blocked(self) -> str:
        """``""`` when a plan may be followed; else the latest assessment's plan status."""
        latest = self.latest
        if latest is None or isinstance(latest.result.get("plan"), Mapping):
            return ""
        return latest.plan_status or "withheld"

    @property
    def plan(self) -> dict[str, Any] | None:
        if self.blocked or self.current is None:
            return None
        return self.current.plan

    @property
    def triage(self) -> Mapping[str, Any]:
        latest = self.latest
        triage = latest.result.get("triage") if latest is not None else None
        return triage if isinstance(triage, Mapping) else {}

    @property
    def assessed_on(self) -> dt.date | None:
        return self.current.assessment.created_at.date() if self.current is not None else None


def load_patient_view(request: Request) -> PatientView:
    """The signed-in patient's own record (403 for staff, via ``require_patient``)."""
    viewer, patient = require_patient(request)
    uow_factory = app_state(request).uow_factory
    assessments, current = assessments_and_plan(uow_factory, viewer.user, patient.id, patient.clinic_id)
    return PatientView(viewer=viewer, patient=patient, assessments=assessments, current=current)


def edited_slugs(current: CurrentPlan | None) -> set[str]:
    """Exercises a clinician added, swapped in or re-dosed (to mark them 'changed by your clinician')."""
    slugs: set[str] = set()
    for edit in current.edits if current is not None else []:
        change = edit.change
        item = change.get("item")
        if isinstance(item, Mapping) and item.get("slug"):
            slugs.add(str(item["slug"]))
        elif change.get("kind") == "dose" and change.get("slug"):
            slugs.add(str(change["slug"]))
    return slugs


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def exercise_steps(kb: KnowledgeBase, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Plan items joined with the knowledge base's instructions, ready for the player.

    An item a clinician added that the library does not know still gets a step,
    with its name and dose only.
    """
    steps: list[dict[str, Any]] = []
    for item in items:
        slug = str(item.get("slug", ""))
        known = kb.exercises.get(slug)
        dose = item.get("dose") if isinstance(item.get("dose"), Mapping) else {}
        assert isinstance(dose, Mapping)
        category = str(item.get("category") or (known.category if known else ""))
        position = known.position if known else ""
        name = str(item.get("name") or (known.name if known else slug))
        hold = _number(dose.get("hold_seconds"))
        reps = _number(dose.get("reps"))
        sets = _number(dose.get("sets"))
        minutes = _number(dose.get("minutes"))
        pyramid = [int(n) for n in dose.get("pyramid") or [] if _number(n)]
        steps.append(
            {
                "slug": slug,
                "name": name,
                "category": category,
                "dose_text": str(dose.get("text") or ""),
                "hold_seconds": int(hold) if hold else None,
                "reps": int(reps) if reps else (pyramid[0] if pyramid else None),
                "sets": int(sets) if sets else (len(pyramid) or None),
                "pyramid": pyramid,
                "per_side": bool(dose.get("per_side")),
                "rest_seconds": int(r) if (r := _number(dose.get("rest_seconds"))) else None,
                "breathing_seconds": int(minutes * 60) if minutes and category == "breathing" else None,
                "minutes": _number(item.get("minutes")),
                "reason": str(item.get("reason") or ""),
                "purpose": known.purpose if known else "",
                "position": position,
                "equipment": list(known.equipment) if known else [],
                "instructions": list(known.instructions) if known else [],
                "cues": list(known.cues) if known else [],
                "stop_if": list(known.stop_if) if known else [],
                "illustration": exercise_svg(slug, name, position, category),
                "by_clinician": dose.get("source") == "clinician",
            }
        )
    return steps


def citation(kb: KnowledgeBase, source_id: str) -> str:
    """A source id as its citation (the id itself if unknown, e.g. 'clinician')."""
    source = kb.sources.get(source_id)
    return source.citation if source is not None else source_id
