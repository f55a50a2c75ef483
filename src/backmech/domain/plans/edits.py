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

Changes to ``exercises`` (the session) also update the phases' ``session`` lists,
which name the same exercises by slug: a removed exercise leaves every phase, a swap
replaces it in place, an added one joins every phase, and a dose change updates the
minutes; each phase's ``session_minutes`` is summed again. So whichever view a page
shows (the whole session list or this week's phase), it is the edited plan.

Before storing, :func:`check_against_plan` refuses a change that cannot apply to the
plan as it stands now (a slug not in the list, an exercise the assessment excluded as
contraindicated), and :func:`addable_exercises` lists what a clinician may add.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from backmech.domain.exercises.model import Exercise, ExerciseCategory

EDITABLE_LISTS = ("exercises", "daily_routine", "walking", "relief")
EDIT_KINDS = ("remove", "add", "swap", "dose", "care")
CARE_KINDS = ("manual_therapy", "dry_needling", "neurological_examination", "other")
"""Kinds of clinic-delivered care a clinician records (free text is kept in ``notes``)."""


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
    result = _copy_for_edit(plan)
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
            if name == "exercises":
                _sync_phases(result, "add", slug, item)
            applied += 1
            continue
        at = _index(items, slug)
        if at is None:
            skipped.append(f"edit {number}: {slug} is no longer in {name}")
            continue
        if kind == "remove":
            del items[at]
            if name == "exercises":
                _sync_phases(result, "remove", slug, None)
        elif kind == "swap":
            item = dict(change.get("item") or {})
            if _index(items, str(item.get("slug", ""))) is not None:
                skipped.append(f"edit {number}: {item.get('slug')} is already in {name}")
                continue
            items[at] = item
            if name == "exercises":
                _sync_phases(result, "swap", slug, item)
        elif kind == "dose":
            entry = dict(items[at])
            dose = dict(entry.get("dose") or {})
            dose["text"] = str(change.get("dose_text", ""))
            dose["source"] = "clinician"
            entry["dose"] = dose
            if change.get("minutes") is not None:
                entry["minutes"] = float(change["minutes"])
            items[at] = entry
            if name == "exercises":
                _sync_phases(result, "dose", slug, entry)
        else:
            skipped.append(f"edit {number}: unknown kind {kind!r}")
            continue
        applied += 1
    for phase in result.get("phases") or []:
        if isinstance(phase, dict) and isinstance(phase.get("session"), list):
            phase["session_minutes"] = round(sum(float(e.get("minutes") or 0) for e in phase["session"]), 1)
    if "exercises" in result and isinstance(result["exercises"], list):
        result["session_minutes"] = round(sum(float(e.get("minutes") or 0) for e in result["exercises"]), 1)
    if "daily_routine" in result and isinstance(result["daily_routine"], list):
        result["daily_routine_minutes"] = round(
            sum(float(e.get("minutes") or 0) for e in result["daily_routine"]), 1
        )
    return EditedPlan(plan=result, applied=applied, skipped=skipped)


def _copy_for_edit(plan: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``plan`` deep only where edits write: the editable lists, the phases and their sessions.

    Edits replace list entries (never change one in place) and write phases' session
    lists and minutes, so copying those containers leaves the stored plan untouched;
    a full deep copy cost more than the rest of a plan page (profiled: 1.5 ms).
    """
    result = dict(plan)
    result["care_delivered"] = list(plan.get("care_delivered") or [])
    for name in EDITABLE_LISTS:
        if isinstance(plan.get(name), list):
            result[name] = list(plan[name])
    phases = plan.get("phases")
    if isinstance(phases, list):
        result["phases"] = [
            {**phase, "session": list(phase["session"])}
            if isinstance(phase, Mapping) and isinstance(phase.get("session"), list)
            else dict(phase)
            if isinstance(phase, Mapping)
            else phase
            for phase in phases
        ]
    return result


def _session_entry(item: Mapping[str, Any]) -> dict[str, Any]:
    """A phase's session entry for a plan item (the shape the generator writes)."""
    return {
        "slug": item.get("slug"),
        "name": item.get("name"),
        "category": item.get("category"),
        "minutes": item.get("minutes"),
    }


def _sync_phases(plan: dict[str, Any], kind: str, slug: str, item: Mapping[str, Any] | None) -> None:
    """Mirror a change to the session list in every phase's ``session`` (see the module doc)."""
    for phase in plan.get("phases") or []:
        session = phase.get("session") if isinstance(phase, dict) else None
        if not isinstance(session, list):
            continue
        at = _index(session, slug) if kind != "add" else None
        if kind == "add" and item is not None and _index(session, str(item.get("slug"))) is None:
            session.append(_session_entry(item))
        elif at is not None and kind == "remove":
            del session[at]
        elif at is not None and item is not None and kind in ("swap", "dose"):
            session[at] = _session_entry(item)


def found_mechanisms(result: Mapping[str, Any]) -> frozenset[str]:
    """Ids of the mechanisms and contributing factors an assessment result reported."""
    found: set[str] = set()
    for key in ("mechanisms", "contributing_factors"):
        for entry in result.get(key) or []:
            if isinstance(entry, Mapping) and entry.get("id"):
                found.add(str(entry["id"]))
    return frozenset(found)


def excluded_slugs(plan: Mapping[str, Any]) -> frozenset[str]:
    """Slugs the plan lists as contraindicated for this person (``excluded_exercises``)."""
    return frozenset(
        str(entry.get("slug"))
        for entry in plan.get("excluded_exercises") or []
        if isinstance(entry, Mapping) and entry.get("slug")
    )


def addable_exercises(
    library: Iterable[Exercise], found: frozenset[str], excluded: frozenset[str]
) -> list[Exercise]:
    """Library exercises a clinician may add: prescribable, not excluded, not contraindicated.

    ``found`` holds the mechanism ids of the assessment (:func:`found_mechanisms`),
    ``excluded`` the plan's excluded slugs; an exercise's own ``contraindicated``
    list is checked against ``found`` too, so a library change cannot slip one in.
    """
    return sorted(
        (
            ex
            for ex in library
            if ex.category is not ExerciseCategory.AVOID
            and ex.slug not in excluded
            and found.isdisjoint(ex.contraindicated)
        ),
        key=lambda ex: ex.name.lower(),
    )


def planned_item(exercise: Exercise, reason: str) -> dict[str, Any]:
    """A library exercise in the plan's own item shape (as the generator writes it)."""
    dose = dataclasses.asdict(exercise.dose)
    dose["pyramid"] = list(exercise.dose.pyramid)
    return {
        "slug": exercise.slug,
        "name": exercise.name,
        "category": str(exercise.category),
        "dose": dose,
        "minutes": exercise.minutes,
        "reason": reason,
        "progression": exercise.progression,
        "regression": exercise.regression,
        "source": exercise.source,
    }


def check_against_plan(
    plan: Mapping[str, Any] | None,
    change: Mapping[str, Any],
    *,
    found: frozenset[str] = frozenset(),
    library: Mapping[str, Exercise] | None = None,
) -> None:
    """Refuse a (well-formed) change that cannot apply to ``plan`` as it stands now.

    ``plan`` is the current plan (edits replayed), ``None`` before any plan exists:
    then only a care record can be stored. An added or swapped-in exercise must not be
    in the plan's ``excluded_exercises`` and, when ``library`` is given, must be a
    prescribable library exercise not contraindicated for anything in ``found``.
    """
    kind = change.get("kind")
    if kind == "care":
        return
    if plan is None:
        raise PlanEditInvalid("there is no plan yet; an assessment makes one")
    name = str(change.get("list"))
    items = plan.get(name)
    if not isinstance(items, list):
        raise PlanEditInvalid(f"the plan has no list {name!r}")
    slug = str(change.get("slug", ""))
    if kind in ("remove", "swap", "dose") and _index(items, slug) is None:
        raise PlanEditInvalid(f"{slug!r} is not in the {name.replace('_', ' ')} list now")
    if kind not in ("add", "swap"):
        return
    item = change.get("item")
    assert isinstance(item, Mapping)  # check_change ran first
    new = str(item.get("slug"))
    if _index(items, new) is not None:
        raise PlanEditInvalid(f"{new!r} is already in the {name.replace('_', ' ')} list")
    if new in excluded_slugs(plan):
        raise PlanEditInvalid(f"{new!r} is contraindicated for what the assessment found")
    if library is not None:
        exercise = library.get(new)
        if exercise is None:
            raise PlanEditInvalid(f"{new!r} is not an exercise of the knowledge base")
        if not addable_exercises([exercise], found, frozenset()):
            raise PlanEditInvalid(f"{new!r} is contraindicated for what the assessment found")
