"""The plan as the reports show it: where the person is, this phase's session, and the clinician's edits.

Why a separate module: both documents need the same reading of the stored plan
(``services.progress`` for the position and the session of the phase), and the
letter lists every edit with who made it, when and why. Edits are described in
words here (the web has its own wording; the reports may not import the web).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from backmech.domain.plans.edits import EDITABLE_LISTS
from backmech.reports.basis import ReportBasis
from backmech.services.progress import minutes_of, phase_session

LIST_NAMES = {
    "exercises": "the session exercises",
    "daily_routine": "the daily routine",
    "walking": "walking",
    "relief": "relief positions",
}
CARE_NAMES = {
    "manual_therapy": "Manual therapy",
    "dry_needling": "Dry needling",
    "neurological_examination": "Neurological examination",
    "other": "Other care",
}
assert set(LIST_NAMES) == set(EDITABLE_LISTS)


def describe_change(change: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """One stored plan change in a line, e.g. "Removed Bird dog from the daily routine".

    ``names`` maps exercise slugs to names (a stored removal may carry only the slug).
    """
    kind = change.get("kind")
    where = LIST_NAMES.get(str(change.get("list")), str(change.get("list", "")))
    raw_item = change.get("item")
    item: Mapping[str, Any] = raw_item if isinstance(raw_item, Mapping) else {}
    new_name = str(item.get("name") or item.get("slug") or "")
    slug = str(change.get("slug") or "")
    old_name = str(change.get("name") or (names or {}).get(slug) or slug)
    if kind == "remove":
        return f"Removed {old_name} from {where}"
    if kind == "add":
        return f"Added {new_name} to {where}"
    if kind == "swap":
        return f"Swapped {old_name} for {new_name} in {where}"
    if kind == "dose":
        minutes = change.get("minutes")
        extra = f" ({minutes:g} min)" if isinstance(minutes, int | float) else ""
        return f"Changed the dose of {old_name} in {where} to “{change.get('dose_text', '')}”{extra}"
    if kind == "care":
        care = CARE_NAMES.get(str(change.get("care")), str(change.get("care", "")))
        notes = str(change.get("notes") or "").strip()
        return f"{care} on {change.get('date', '')}" + (f": {notes}" if notes else "")
    return f"Change of kind {kind!r}"


@dataclass(frozen=True)
class EditLine:
    at: dt.datetime
    who: str
    what: str
    why: str
    in_current_plan: bool
    """Made since the plan now followed was generated (older edits belong to an earlier plan)."""


def edit_lines(basis: ReportBasis, people: Mapping[UUID, str]) -> list[EditLine]:
    start = basis.current.assessment.created_at if basis.current is not None else None
    names = {slug: exercise.name for slug, exercise in basis.kb.exercises.items()}
    lines = []
    for edit in basis.edits:
        if edit.editor_id is None:
            who = "system"
        else:
            who = people.get(edit.editor_id) or f"clinician {str(edit.editor_id)[:8]}"
        lines.append(
            EditLine(
                at=edit.at,
                who=who,
                what=describe_change(edit.change, names),
                why=edit.reason,
                in_current_plan=start is not None and edit.at >= start,
            )
        )
    return lines


@dataclass(frozen=True)
class PlanView:
    """The followed plan: its phases with the current one marked, this phase's session and the routines."""

    plan: Mapping[str, Any]
    week: int
    weeks: int
    finished: bool
    phase: Mapping[str, Any] | None
    session: list[Mapping[str, Any]]
    session_minutes: float
    reassess_on: dt.date | None
    """The latest assessment's date plus the plan's ``reassess_after_days`` (from the stored plan)."""
    skipped_edits: list[str]

    def items(self, key: str) -> list[Mapping[str, Any]]:
        return [i for i in self.plan.get(key) or [] if isinstance(i, Mapping)]

    @property
    def phases(self) -> list[Mapping[str, Any]]:
        return self.items("phases")


def plan_view(basis: ReportBasis) -> PlanView | None:
    plan, position, current = basis.plan, basis.position, basis.current
    if plan is None or position is None or current is None:
        return None
    session = phase_session(plan, position.phase)
    reassess_days = plan.get("reassess_after_days")
    latest = basis.latest
    reassess_on = (
        latest.created_at.date() + dt.timedelta(days=int(reassess_days))
        if isinstance(reassess_days, int) and latest is not None
        else None
    )
    return PlanView(
        plan=plan,
        week=position.week,
        weeks=position.weeks,
        finished=position.finished,
        phase=position.phase,
        session=session,
        session_minutes=minutes_of(session),
        reassess_on=reassess_on,
        skipped_edits=list(current.edited.skipped),
    )
