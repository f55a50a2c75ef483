"""A clinician's changes to a generated plan, replayed in order over the typed plan.

The engine's plan is never overwritten: each change is stored as a plan edit (who, when,
why, what) and the plan the patient sees is the generated plan with the edits applied
(:func:`apply_plan_edits`). So the record shows what the engine proposed, what the
clinician changed and why, and a re-assessment can produce a fresh plan without losing
history: the edits are replayed over the new plan too (:func:`carry_forward`), and each
one that no longer fits is reported with the reason.

A change is one of five typed values (:data:`PlanChange`); in JSON it carries its
``kind`` (``remove``, ``add``, ``swap``, ``dose``, ``care``):

* :class:`RemoveExercise` — take ``slug`` out of ``list``;
* :class:`AddExercise` — put ``item`` at the end of ``list``;
* :class:`SwapExercise` — put ``item`` where ``slug`` was;
* :class:`ChangeDose` — new dose text (and optionally minutes) for ``slug``;
* :class:`RecordCare` — care given in the clinic (manual therapy, dry needling, a
  neurological examination…), kept in the plan's ``care_delivered``.

``list`` is one of :data:`EDITABLE_LISTS`. Changes to ``exercises`` (the session) also
update the phases' ``session`` lists, which name the same exercises by slug: a removed
exercise leaves every phase, a swap replaces it in place, an added one joins every
phase, and a dose change updates the minutes; each phase's ``session_minutes`` is summed
again. So whichever view a page shows (the whole session list or this week's phase),
it is the edited plan.

Before storing, :func:`check_against_plan` refuses a change that cannot apply to the
plan as it stands now (a slug not in the list, an exercise the assessment excluded as
contraindicated), and :func:`addable_exercises` lists what a clinician may add.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from backmech.domain.exercises.model import Exercise, ExerciseCategory
from backmech.domain.plans.model import CareDelivered, Plan, PlannedExercise, SessionEntry
from backmech.domain.records import record

EDITABLE_LISTS = ("exercises", "daily_routine", "walking", "relief")
EDIT_KINDS = ("remove", "add", "swap", "dose", "care")
CARE_KINDS = ("manual_therapy", "dry_needling", "neurological_examination", "other")
"""Kinds of clinic-delivered care a clinician records (free text is kept in ``notes``)."""

ListName = Literal["exercises", "daily_routine", "walking", "relief"]


class PlanEditInvalid(ValueError):  # noqa: N818 - reads as a noun in ``except PlanEditInvalid``
    """A change that does not make sense (or no longer fits the plan)."""


@record
class RemoveExercise:
    list: str
    slug: str
    name: str = ""
    """The exercise's name when removed (so the record reads well after the plan changed)."""
    kind: Literal["remove"] = "remove"


@record
class AddExercise:
    list: str
    item: PlannedExercise
    kind: Literal["add"] = "add"


@record
class SwapExercise:
    list: str
    slug: str
    item: PlannedExercise
    name: str = ""
    kind: Literal["swap"] = "swap"


@record
class ChangeDose:
    list: str
    slug: str
    dose_text: str
    minutes: float | None = None
    name: str = ""
    kind: Literal["dose"] = "dose"


@record
class RecordCare:
    care: str
    date: str
    notes: str = ""
    kind: Literal["care"] = "care"


PlanChange = RemoveExercise | AddExercise | SwapExercise | ChangeDose | RecordCare
"""One clinician change to a plan."""
CHANGE_TYPES: Mapping[str, type[PlanChange]] = {
    "remove": RemoveExercise,
    "add": AddExercise,
    "swap": SwapExercise,
    "dose": ChangeDose,
    "care": RecordCare,
}


@dataclass(frozen=True)
class EditedPlan:
    plan: Plan
    applied: int
    skipped: list[str] = field(default_factory=list)
    """Why an edit had no effect (e.g. the exercise it changes is no longer in the plan)."""


def check_change(change: PlanChange) -> None:
    """Refuse a change that says too little to be applied (raises :class:`PlanEditInvalid`)."""
    if isinstance(change, RecordCare):
        if not change.care.strip():
            raise PlanEditInvalid("a care record needs the kind of care given")
        return
    if change.list not in EDITABLE_LISTS:
        raise PlanEditInvalid(f"list must be one of {', '.join(EDITABLE_LISTS)}")
    if isinstance(change, RemoveExercise | SwapExercise | ChangeDose) and not change.slug.strip():
        raise PlanEditInvalid(f"a {change.kind} change needs the slug of the exercise it changes")
    if isinstance(change, AddExercise | SwapExercise) and not (change.item.slug and change.item.name):
        raise PlanEditInvalid(f"a {change.kind} change needs the new exercise (slug and name)")
    if isinstance(change, ChangeDose) and not change.dose_text.strip():
        raise PlanEditInvalid("a dose change needs the new dose text")


# --------------------------------------------------------------------------- applying


@dataclass
class _Draft:
    """The editable parts of a plan while changes are replayed (turned back into a Plan at the end)."""

    lists: dict[str, list[PlannedExercise]]
    phases: list[list[SessionEntry]]
    care: list[CareDelivered]

    @classmethod
    def of(cls, plan: Plan) -> _Draft:
        return cls(
            lists={name: list(_items(plan, name)) for name in EDITABLE_LISTS},
            phases=[list(phase.session) for phase in plan.phases],
            care=list(plan.care_delivered),
        )

    def plan(self, base: Plan) -> Plan:
        phases = tuple(
            dataclasses.replace(
                phase, session=tuple(session), session_minutes=round(sum(e.minutes for e in session), 1)
            )
            for phase, session in zip(base.phases, self.phases, strict=True)
        )
        return dataclasses.replace(
            base,
            exercises=tuple(self.lists["exercises"]),
            daily_routine=tuple(self.lists["daily_routine"]),
            daily_routine_minutes=round(sum(e.minutes for e in self.lists["daily_routine"]), 1),
            walking=tuple(self.lists["walking"]),
            relief=tuple(self.lists["relief"]),
            phases=phases,
            care_delivered=tuple(self.care),
        )


def _items(plan: Plan, name: str) -> tuple[PlannedExercise, ...]:
    items: tuple[PlannedExercise, ...] = getattr(plan, name)
    return items


def _index(items: Sequence[PlannedExercise | SessionEntry], slug: str) -> int | None:
    return next((i for i, item in enumerate(items) if item.slug == slug), None)


def _entry(item: PlannedExercise) -> SessionEntry:
    return SessionEntry(item.slug, item.name, item.category, item.minutes)


@dataclass(frozen=True)
class _Outcome:
    """How one change went: applied, already so (nothing to do), or impossible (with why)."""

    applied: bool
    why: str = ""
    moot: bool = False
    """The plan already is as the change wants it (the exercise added is there, the one removed is not)."""


_APPLIED = _Outcome(True)


def _apply(draft: _Draft, change: PlanChange) -> _Outcome:
    """Apply one change to ``draft``."""
    if isinstance(change, RecordCare):
        draft.care.append(CareDelivered(change.care, change.date, change.notes))
        return _APPLIED
    items = draft.lists.get(change.list)
    if items is None:
        return _Outcome(False, f"the plan has no list {change.list!r}")
    if isinstance(change, AddExercise):
        return _add(draft, items, change)
    at = _index(items, change.slug)
    if at is None:
        gone = f"{change.name or change.slug} is no longer in {change.list}"
        return _Outcome(False, gone, moot=isinstance(change, RemoveExercise))
    if isinstance(change, SwapExercise) and _index(items, change.item.slug) is not None:
        return _Outcome(False, f"{change.item.name or change.item.slug} is already in {change.list}")
    new = _replacement(items[at], change)
    if new is None:
        del items[at]
    else:
        items[at] = new
    for session in draft.phases if change.list == "exercises" else []:
        where = _index(session, change.slug)
        if where is not None and new is None:
            del session[where]
        elif where is not None and new is not None:
            session[where] = _entry(new)
    return _APPLIED


def _add(draft: _Draft, items: list[PlannedExercise], change: AddExercise) -> _Outcome:
    if _index(items, change.item.slug) is not None:
        there = f"{change.item.name or change.item.slug} is already in {change.list}"
        return _Outcome(False, there, moot=True)
    items.append(change.item)
    if change.list == "exercises":
        for session in draft.phases:
            if _index(session, change.item.slug) is None:
                session.append(_entry(change.item))
    return _APPLIED


def _replacement(
    old: PlannedExercise, change: RemoveExercise | SwapExercise | ChangeDose
) -> PlannedExercise | None:
    """What takes the place of ``old``: nothing (removed), the new exercise, or ``old`` re-dosed."""
    if isinstance(change, RemoveExercise):
        return None
    if isinstance(change, SwapExercise):
        return change.item
    dose = dataclasses.replace(old.dose, text=change.dose_text, source="clinician")
    minutes = old.minutes if change.minutes is None else float(change.minutes)
    return dataclasses.replace(old, dose=dose, minutes=minutes)


def apply_plan_edits(plan: Plan, changes: Sequence[PlanChange]) -> EditedPlan:
    """The plan with ``changes`` applied in order (the input is not modified)."""
    draft = _Draft.of(plan)
    skipped: list[str] = []
    for number, change in enumerate(changes, start=1):
        outcome = _apply(draft, change)
        if not outcome.applied:
            skipped.append(f"edit {number}: {outcome.why}")
    return EditedPlan(plan=draft.plan(plan), applied=len(changes) - len(skipped), skipped=skipped)


# --------------------------------------------------------------------------- carrying edits to a new plan


@record
class CarriedEdit:
    """What became of one earlier edit when a new assessment made a new plan."""

    index: int
    """Position of the edit in the patient's edits, oldest first (0-based)."""
    carried: bool
    why: str
    """For a dropped edit: why it cannot apply to the new plan; empty when carried."""


@dataclass(frozen=True)
class CarriedPlan:
    plan: Plan
    outcomes: tuple[CarriedEdit, ...]

    @property
    def dropped(self) -> tuple[CarriedEdit, ...]:
        return tuple(o for o in self.outcomes if not o.carried)


def carry_forward(
    plan: Plan,
    changes: Sequence[PlanChange],
    *,
    found: frozenset[str],
    library: Mapping[str, Exercise] | None = None,
) -> CarriedPlan:
    """Edits made on earlier plans, replayed over a new plan: each one that still makes sense applies.

    An exercise removed stays removed, a dose change stays where the exercise remains, recorded
    clinic care stays. An edit is dropped, with the reason, when the new plan makes it
    impossible (the exercise it changes is no longer in the plan) or unsafe (an exercise it
    adds is now excluded, or contraindicated for what the new assessment found).
    """
    draft = _Draft.of(plan)
    outcomes: list[CarriedEdit] = []
    excluded = excluded_slugs(plan)
    for index, change in enumerate(changes):
        unsafe = _unsafe_now(change, excluded, found, library)
        outcome = _Outcome(False, unsafe) if unsafe is not None else _apply(draft, change)
        carried = outcome.applied or outcome.moot
        outcomes.append(CarriedEdit(index, carried, "" if carried else outcome.why))
    return CarriedPlan(draft.plan(plan), tuple(outcomes))


def _unsafe_now(
    change: PlanChange,
    excluded: frozenset[str],
    found: frozenset[str],
    library: Mapping[str, Exercise] | None,
) -> str | None:
    if not isinstance(change, AddExercise | SwapExercise):
        return None
    item = change.item
    exercise = library.get(item.slug) if library is not None else None
    if item.slug in excluded or (exercise is not None and not found.isdisjoint(exercise.contraindicated)):
        return f"{item.name} is contraindicated for what the new assessment found"
    return None


# --------------------------------------------------------------------------- checks and choices


def excluded_slugs(plan: Plan) -> frozenset[str]:
    """Slugs the plan lists as contraindicated for this person (``excluded_exercises``)."""
    return frozenset(entry.slug for entry in plan.excluded_exercises)


def addable_exercises(
    library: Iterable[Exercise], found: frozenset[str], excluded: frozenset[str]
) -> list[Exercise]:
    """Library exercises a clinician may add: prescribable, not excluded, not contraindicated.

    ``found`` holds the mechanism ids of the assessment, ``excluded`` the plan's excluded
    slugs; an exercise's own ``contraindicated`` list is checked against ``found`` too, so a
    library change cannot slip one in.
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


def planned_item(exercise: Exercise, reason: str) -> PlannedExercise:
    """A library exercise as a plan item (as the generator writes it)."""
    return PlannedExercise(
        slug=exercise.slug,
        name=exercise.name,
        category=str(exercise.category),
        dose=exercise.dose,
        minutes=exercise.minutes,
        reason=reason,
        progression=exercise.progression,
        regression=exercise.regression,
        source=exercise.source,
    )


def check_against_plan(
    plan: Plan | None,
    change: PlanChange,
    *,
    found: frozenset[str] = frozenset(),
    library: Mapping[str, Exercise] | None = None,
) -> None:
    """Refuse a (well-formed) change that cannot apply to ``plan`` as it stands now.

    ``plan`` is the current plan (edits replayed), ``None`` before any plan exists: then
    only a care record can be stored. An added or swapped-in exercise must not be in the
    plan's ``excluded_exercises`` and, when ``library`` is given, must be a prescribable
    library exercise not contraindicated for anything in ``found``.
    """
    if isinstance(change, RecordCare):
        return
    if plan is None:
        raise PlanEditInvalid("there is no plan yet; an assessment makes one")
    if change.list not in EDITABLE_LISTS:
        raise PlanEditInvalid(f"the plan has no list {change.list!r}")
    items = _items(plan, change.list)
    where = change.list.replace("_", " ")
    if isinstance(change, RemoveExercise | SwapExercise | ChangeDose) and _index(items, change.slug) is None:
        raise PlanEditInvalid(f"{change.slug!r} is not in the {where} list now")
    if not isinstance(change, AddExercise | SwapExercise):
        return
    new = change.item.slug
    if _index(items, new) is not None:
        raise PlanEditInvalid(f"{new!r} is already in the {where} list")
    if new in excluded_slugs(plan):
        raise PlanEditInvalid(f"{new!r} is contraindicated for what the assessment found")
    if library is not None:
        exercise = library.get(new)
        if exercise is None:
            raise PlanEditInvalid(f"{new!r} is not an exercise of the knowledge base")
        if not addable_exercises([exercise], found, frozenset()):
            raise PlanEditInvalid(f"{new!r} is contraindicated for what the assessment found")
