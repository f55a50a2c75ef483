"""Plan edits in words: one wording for the clinic pages, the reports and the FHIR export.

Why here: a clinician reads the same change in the plan editor, in the letter and in
another system's record, so all three describe it with this one function.
"""

from __future__ import annotations

from collections.abc import Mapping

from backmech.domain.plans.edits import (
    EDITABLE_LISTS,
    AddExercise,
    PlanChange,
    RecordCare,
    RemoveExercise,
    SwapExercise,
)

CARE_LABELS = {
    "manual_therapy": "Manual therapy",
    "dry_needling": "Dry needling",
    "neurological_examination": "Neurological examination",
    "other": "Other care",
}
"""Care delivered in clinic, as recorded with a plan edit."""
LIST_LABELS = {
    "exercises": "Session exercises",
    "daily_routine": "Daily routine",
    "walking": "Walking",
    "relief": "Relief",
}
"""Headings of the plan's editable lists."""
LIST_NAMES = {
    "exercises": "the session exercises",
    "daily_routine": "the daily routine",
    "walking": "walking",
    "relief": "relief positions",
}
"""The same lists inside a sentence."""
assert set(LIST_LABELS) == set(LIST_NAMES) == set(EDITABLE_LISTS)


def describe_change(change: PlanChange, names: Mapping[str, str] | None = None) -> str:
    """One stored plan change in a line, e.g. "Removed Bird dog from the daily routine".

    ``names`` maps exercise slugs to names (a removal stored long ago may carry only the slug).
    """
    if isinstance(change, RecordCare):
        care = CARE_LABELS.get(change.care, change.care)
        notes = change.notes.strip()
        return f"{care} on {change.date}" + (f": {notes}" if notes else "")
    where = LIST_NAMES.get(change.list, change.list)
    if isinstance(change, AddExercise):
        return f"Added {change.item.name or change.item.slug} to {where}"
    old_name = change.name or (names or {}).get(change.slug) or change.slug
    if isinstance(change, RemoveExercise):
        return f"Removed {old_name} from {where}"
    if isinstance(change, SwapExercise):
        return f"Swapped {old_name} for {change.item.name or change.item.slug} in {where}"
    minutes = f" ({change.minutes:g} min)" if change.minutes is not None else ""
    return f"Changed the dose of {old_name} in {where} to “{change.dose_text}”{minutes}"
