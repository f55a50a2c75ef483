"""Clinician plan edits over a typed plan: each kind, skipped edits, checks, carrying to a new plan."""

from __future__ import annotations

import dataclasses

import pytest

from backmech.domain.exercises.model import Dose, Exercise, ExerciseCategory
from backmech.domain.plans.edits import (
    AddExercise,
    ChangeDose,
    PlanChange,
    PlanEditInvalid,
    RecordCare,
    RemoveExercise,
    SwapExercise,
    addable_exercises,
    apply_plan_edits,
    carry_forward,
    check_against_plan,
    check_change,
    excluded_slugs,
    planned_item,
)
from backmech.domain.plans.model import CareDelivered, PlannedExercise, SessionEntry
from builders import item as make_item
from builders import plan as make_plan


def _exercise(
    slug: str, category: ExerciseCategory = ExerciseCategory.STABILITY, contra: tuple[str, ...] = ()
) -> Exercise:
    return Exercise(
        slug=slug,
        name=slug.replace("-", " ").title(),
        category=category,
        purpose="",
        targets=(),
        instructions=(),
        cues=(),
        stop_if=(),
        equipment=(),
        position="",
        minutes=2.5,
        dose=Dose(text="8 each side", reps=8, per_side=True, pyramid=(6, 4, 2), source="kb"),
        progression=None,
        regression=None,
        suits=(),
        contraindicated=contra,
        phases=(1,),
        source="src",
    )


def _slugs(items: tuple[PlannedExercise, ...] | tuple[SessionEntry, ...]) -> list[str]:
    return [i.slug for i in items]


def test_remove_takes_the_exercise_out_of_the_list_and_every_phase() -> None:
    edited = apply_plan_edits(make_plan(), [RemoveExercise("exercises", "bird-dog")])
    assert _slugs(edited.plan.exercises) == ["side-plank"]
    assert [_slugs(p.session) for p in edited.plan.phases] == [[], ["side-plank"]]
    assert edited.plan.phases[1].session_minutes == 2.0
    assert edited.plan.session_minutes == 2.0
    assert edited.applied == 1 and edited.skipped == []


def test_add_appends_to_the_list_and_to_every_phase_session() -> None:
    edited = apply_plan_edits(make_plan(), [AddExercise("exercises", make_item("glute-bridge", 4.0))])
    assert _slugs(edited.plan.exercises) == ["bird-dog", "side-plank", "glute-bridge"]
    assert all(p.session[-1].slug == "glute-bridge" for p in edited.plan.phases)
    assert edited.plan.session_minutes == 9.0


def test_add_to_the_daily_routine_leaves_the_phases_alone() -> None:
    edited = apply_plan_edits(make_plan(), [AddExercise("daily_routine", make_item("press-up", 1.5))])
    assert _slugs(edited.plan.daily_routine) == ["cat-camel", "press-up"]
    assert edited.plan.daily_routine_minutes == 2.5
    assert _slugs(edited.plan.phases[0].session) == ["bird-dog"]


def test_swap_keeps_the_position_in_the_list_and_phases() -> None:
    edited = apply_plan_edits(
        make_plan(), [SwapExercise("exercises", "bird-dog", make_item("dead-bug", 2.0))]
    )
    assert _slugs(edited.plan.exercises) == ["dead-bug", "side-plank"]
    assert _slugs(edited.plan.phases[1].session) == ["dead-bug", "side-plank"]


def test_dose_changes_text_and_minutes_and_marks_the_clinician_as_source() -> None:
    edited = apply_plan_edits(make_plan(), [ChangeDose("exercises", "side-plank", "2 x 5 s", minutes=1)])
    entry = edited.plan.exercises[1]
    assert (entry.dose.text, entry.dose.source) == ("2 x 5 s", "clinician")
    assert entry.minutes == 1.0
    assert edited.plan.phases[1].session[1].minutes == 1.0
    assert edited.plan.session_minutes == 4.0


def test_care_is_kept_in_care_delivered() -> None:
    edited = apply_plan_edits(make_plan(), [RecordCare("dry_needling", "2026-11-20", "L gluteus medius")])
    assert edited.plan.care_delivered == (CareDelivered("dry_needling", "2026-11-20", "L gluteus medius"),)


def test_edits_that_no_longer_apply_are_skipped_and_reported() -> None:
    changes: list[PlanChange] = [
        RemoveExercise("exercises", "bird-dog"),
        RemoveExercise("exercises", "bird-dog"),
        AddExercise("walking", make_item("short-walks")),
        ChangeDose("nowhere", "x", "y"),
        SwapExercise("exercises", "side-plank", make_item("side-plank")),
    ]
    edited = apply_plan_edits(make_plan(), changes)
    assert edited.applied == 1
    assert len(edited.skipped) == 4
    assert "edit 2: bird-dog is no longer in exercises" in edited.skipped
    assert any("edit 4" in s and "nowhere" in s for s in edited.skipped)


def test_the_input_plan_is_not_modified() -> None:
    plan = make_plan()
    before = dataclasses.replace(plan)
    changes: list[PlanChange] = [
        ChangeDose("exercises", "bird-dog", "less", minutes=1),
        SwapExercise("exercises", "side-plank", make_item("dead-bug")),
        AddExercise("relief", make_item("armrest")),
        RecordCare("other", "2026-11-01"),
    ]
    edited = apply_plan_edits(plan, changes)
    assert plan == before
    assert edited.plan != plan and edited.applied == 4


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (RecordCare(" ", "2026-11-01"), "kind of care"),
        (RemoveExercise("avoid", "x"), "list must be"),
        (RemoveExercise("exercises", " "), "needs the slug"),
        (AddExercise("exercises", dataclasses.replace(make_item("x"), name="")), "slug and name"),
        (ChangeDose("exercises", "x", ""), "dose text"),
    ],
)
def test_malformed_changes_are_refused(change: PlanChange, problem: str) -> None:
    with pytest.raises(PlanEditInvalid, match=problem):
        check_change(change)


def test_check_against_plan_refuses_what_cannot_apply_now() -> None:
    plan = make_plan()
    check_against_plan(plan, RemoveExercise("exercises", "bird-dog"))
    check_against_plan(None, RecordCare("other", "2026-11-01"))
    with pytest.raises(PlanEditInvalid, match="no plan yet"):
        check_against_plan(None, RemoveExercise("exercises", "bird-dog"))
    with pytest.raises(PlanEditInvalid, match="not in the"):
        check_against_plan(plan, ChangeDose("walking", "bird-dog", "x"))
    with pytest.raises(PlanEditInvalid, match="already in"):
        check_against_plan(plan, AddExercise("exercises", make_item("side-plank")))
    with pytest.raises(PlanEditInvalid, match="contraindicated"):
        check_against_plan(plan, AddExercise("exercises", make_item("sit-up-crunch")))


def test_check_against_plan_uses_the_library_contraindications() -> None:
    library = {
        "dead-bug": _exercise("dead-bug"),
        "jefferson-curl": _exercise("jefferson-curl", contra=("flexion-intolerance",)),
    }
    found = frozenset({"flexion-intolerance"})
    check_against_plan(
        make_plan(),
        SwapExercise("exercises", "bird-dog", make_item("dead-bug")),
        found=found,
        library=library,
    )
    with pytest.raises(PlanEditInvalid, match="contraindicated"):
        check_against_plan(
            make_plan(), AddExercise("exercises", make_item("jefferson-curl")), found=found, library=library
        )
    with pytest.raises(PlanEditInvalid, match="not an exercise of the knowledge base"):
        check_against_plan(make_plan(), AddExercise("exercises", make_item("made-up")), library=library)


def test_addable_exercises_drop_avoid_excluded_and_contraindicated() -> None:
    library = [
        _exercise("dead-bug"),
        _exercise("sit-up-crunch", ExerciseCategory.AVOID),
        _exercise("jefferson-curl", contra=("flexion-intolerance",)),
        _exercise("farmer-carry"),
    ]
    allowed = addable_exercises(library, frozenset({"flexion-intolerance"}), frozenset({"farmer-carry"}))
    assert [e.slug for e in allowed] == ["dead-bug"]
    assert excluded_slugs(make_plan()) == {"sit-up-crunch"}


def test_planned_item_has_the_plan_item_shape() -> None:
    item = planned_item(_exercise("dead-bug"), "Added by your clinician.")
    assert item.slug == "dead-bug" and item.minutes == 2.5
    assert item.dose.pyramid == (6, 4, 2) and item.dose.text == "8 each side"
    assert item.reason == "Added by your clinician."
    check_change(AddExercise("exercises", item))


# --------------------------------------------------------------------------- carried to a new plan


def test_edits_made_on_an_earlier_plan_carry_to_a_new_one_where_they_still_make_sense() -> None:
    """A new assessment's plan keeps the clinician's work: removals, doses and care stay."""
    new_plan = make_plan(
        [make_item("bird-dog", 3.0), make_item("side-plank", 2.0), make_item("dead-bug", 2.0)]
    )
    changes: list[PlanChange] = [
        RemoveExercise("exercises", "side-plank", name="Side Plank"),
        ChangeDose("exercises", "bird-dog", "2 x 6, slowly", minutes=4),
        RecordCare("manual_therapy", "2026-11-20", "L4/5 mobilisation"),
        ChangeDose("exercises", "mckenzie-extension", "10 reps", name="Press-up"),  # not in the new plan
        AddExercise("exercises", make_item("sit-up-crunch")),  # now excluded for this person
        AddExercise("daily_routine", make_item("cat-camel")),  # already there: nothing to do
        RemoveExercise("walking", "long-walks"),  # already gone: nothing to do
    ]
    carried = carry_forward(new_plan, changes, found=frozenset({"flexion-intolerance"}))
    plan = carried.plan
    assert _slugs(plan.exercises) == ["bird-dog", "dead-bug"]
    assert plan.exercises[0].dose.text == "2 x 6, slowly" and plan.exercises[0].minutes == 4.0
    assert all("side-plank" not in _slugs(p.session) for p in plan.phases)
    assert plan.care_delivered == (CareDelivered("manual_therapy", "2026-11-20", "L4/5 mobilisation"),)
    assert [o.carried for o in carried.outcomes] == [True, True, True, False, False, True, True]
    assert [o.index for o in carried.dropped] == [3, 4]
    assert "Press-up is no longer in exercises" in carried.dropped[0].why
    assert "contraindicated for what the new assessment found" in carried.dropped[1].why


def test_an_added_exercise_contraindicated_by_the_library_for_a_new_finding_is_dropped() -> None:
    library = {"jefferson-curl": _exercise("jefferson-curl", contra=("flexion-intolerance",))}
    change = AddExercise("exercises", make_item("jefferson-curl"))
    before = carry_forward(make_plan(excluded=()), [change], found=frozenset(), library=library)
    assert before.dropped == () and "jefferson-curl" in _slugs(before.plan.exercises)
    after = carry_forward(
        make_plan(excluded=()), [change], found=frozenset({"flexion-intolerance"}), library=library
    )
    assert len(after.dropped) == 1 and "jefferson-curl" not in _slugs(after.plan.exercises)
