"""Plan edits in words: one wording for the clinic pages, the reports and the FHIR export.

Why here: a clinician reads the same change in the plan editor, in the letter and in
another system's record, so all three describe it with this one function.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backmech.domain.plans.edits import EDITABLE_LISTS

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


def _minutes(value: object) -> str:
    return f" ({value:g} min)" if isinstance(value, int | float) and not isinstance(value, bool) else ""


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
        return f"Changed the dose of {old_name} in {where} to “{change.get('dose_text', '')}”" + _minutes(
            change.get("minutes")
        )
    if kind == "care":
        care = CARE_LABELS.get(str(change.get("care")), str(change.get("care", "")))
        notes = str(change.get("notes") or "").strip()
        return f"{care} on {change.get('date', '')}" + (f": {notes}" if notes else "")
    return f"Change of kind {kind!r}"
