"""A clinician's changes to a generated plan, replayed in order over the plan document.

The engine's plan is never overwritten: each change is stored as a :class:`PlanEdit`
(who, when, why, what) and the plan the patient sees is the generated plan with the
edits applied. So the record shows what the engine proposed, what the clinician
changed and why, and a re-assessment can produce a fresh plan without losing history.

A change is a small JSON object with a ``kind``:

* ``remove``: ``{"kind": "remove", "list": L, "slug": S}``
* ``add``: ``{"kind": "add", "list": L, "item": {...}}`` (an item in the plan's own shape)
* ``swap``: ``{"kind": "swap", "list": L, "slug": S, "item": {...}}`` (same position)
* ``dose``: ``{"kind": "dose", "list": L, "slug": S, "dose_text": T}`` (optionally ``minutes``)
* ``care``: ``{"kind": "care", "care": C, "date": "YYYY-MM-DD", "notes": N}``: care given
  in the clinic (manual therapy, dry needling, a neurological examination...), kept in
  ``care_delivered``.

``L`` is one of :data:`EDITABLE_LISTS`. An edit naming an exercise no longer in the
list (the plan was regenerated since) is skipped and reported, never an error: the
history stays readable.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

EDITABLE_LISTS = ("exercises", "daily_routine", "walking", "relief")
EDIT_KINDS = ("remove", "add", "swap", "dose", "care")


class PlanEditInvalid(ValueError):  # noqa: N818 - reads as a noun in ``except PlanEditInvalid``
    """A change document that does not follow the shapes above."""


@dataclass(frozen=True)
class EditedPlan:
    plan: dict[str, Any]
    applied: int
    skipped: list[str] = field(default_factory=list)
    """Why an edit had no effect (e.g. the exercise it changes is no longer in the plan)."""


def check_change(change: Mapping[str, Any]) -> None:
    """Refuse a malformed change before it is stored (raises :class:`PlanEditInvalid`)."""
    kind = change.get("kind")
    if kind not in EDIT_KINDS:
        raise PlanEditInvalid(f"unknown change kind {kind!r}; expected one of {', '.join(EDIT_KINDS)}")
    if kind == "care":
        if not str(change.get("care", "")).strip():
            raise PlanEditInvalid("a care record needs the kind of care given")
        return
    if change.get("list") not in EDITABLE_LISTS:
        raise PlanEditInvalid(f"list must be one of {', '.join(EDITABLE_LISTS)}")
    if kind in ("remove", "swap", "dose") and not str(change.get("slug", "")).strip():
        raise PlanEditInvalid(f"a {kind} change needs the slug of the exercise it changes")
    if kind in ("add", "swap"):
        item = change.get("item")
        if not isinstance(item, Mapping) or not item.get("slug") or not item.get("name"):
            raise PlanEditInvalid(f"a {kind} change needs the new exercise (slug and name)")
    if kind == "dose" and not str(change.get("dose_text", "")).strip():
        raise PlanEditInvalid("a dose change needs the new dose text")


def _index(items: list[dict[str, Any]], slug: str) -> int | None:
    for i, item in enumerate(items):
        if item.get("slug") == slug:
            return i
    return None


def apply_plan_edits(plan: Mapping[str, Any], changes: Sequence[Mapping[str, Any]]) -> EditedPlan:
    """The plan with ``changes`` applied in order (the input is not modified)."""
    result: dict[str, Any] = copy.deepcopy(dict(plan))
    result.setdefault("care_delivered", [])
    applied = 0
    skipped: list[str] = []
    for number, change in enumerate(changes, start=1):
        kind = change.get("kind")
        if kind == "care":
            result["care_delivered"].append(
                {
                    "care": str(change.get("care", "")),
                    "date": str(change.get("date", "")),
                    "notes": str(change.get("notes", "")),
                }
            )
            applied += 1
            continue
        name = str(change.get("list", ""))
        items = result.get(name)
        if name not in EDITABLE_LISTS or not isinstance(items, list):
            skipped.append(f"edit {number}: the plan has no list {name!r}")
            continue
        slug = str(change.get("slug", ""))
        if kind == "add":
            item = dict(change.get("item") or {})
            if _index(items, str(item.get("slug", ""))) is not None:
                skipped.append(f"edit {number}: {item.get('slug')} is already in {name}")
                continue
            items.append(item)
            applied += 1
            continue
        at = _index(items, slug)
        if at is None:
            skipped.append(f"edit {number}: {slug} is no longer in {name}")
            continue
        if kind == "remove":
            del items[at]
        elif kind == "swap":
            items[at] = dict(change.get("item") or {})
        elif kind == "dose":
            entry = dict(items[at])
            dose = dict(entry.get("dose") or {})
            dose["text"] = str(change.get("dose_text", ""))
            dose["source"] = "clinician"
            entry["dose"] = dose
            if change.get("minutes") is not None:
                entry["minutes"] = float(change["minutes"])
            items[at] = entry
        else:
            skipped.append(f"edit {number}: unknown kind {kind!r}")
            continue
        applied += 1
    if "exercises" in result and isinstance(result["exercises"], list):
        result["session_minutes"] = round(sum(float(e.get("minutes") or 0) for e in result["exercises"]), 1)
    if "daily_routine" in result and isinstance(result["daily_routine"], list):
        result["daily_routine_minutes"] = round(
            sum(float(e.get("minutes") or 0) for e in result["daily_routine"]), 1
        )
    return EditedPlan(plan=result, applied=applied, skipped=skipped)
