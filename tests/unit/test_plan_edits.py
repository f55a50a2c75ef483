"""Clinician plan edits replayed over a plan: each kind, skipped edits, checks, and an untouched input."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from backmech.domain.exercises.model import Dose, Exercise, ExerciseCategory
from backmech.domain.plans.edits import (
    PlanEditInvalid,
    addable_exercises,
    apply_plan_edits,
    check_against_plan,
    check_change,
    excluded_slugs,
    found_mechanisms,
    planned_item,
)


def _item(slug: str, minutes: float = 2.0) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": slug.replace("-", " ").title(),
        "category": "stability",
        "dose": {"text": "3 x 10 s", "source": "kb"},
        "minutes": minutes,
    }


def _plan() -> dict[str, Any]:
    session = [_item("bird-dog", 3.0), _item("side-plank", 2.0)]
    return {
        "exercises": copy.deepcopy(session),
        "daily_routine": [_item("cat-camel", 1.0)],
        "walking": [_item("short-walks", 5.0)],
        "relief": [],
        "phases": [
            {"number": 1, "session": [{"slug": "bird-dog", "name": "Bird Dog", "minutes": 3.0}]},
            {"number": 2, "session": [{"slug": s["slug"], "minutes": s["minutes"]} for s in session]},
        ],
        "excluded_exercises": [
            {"slug": "sit-up-crunch", "name": "Sit-up", "because": ["flexion-intolerance"]}
        ],
    }


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


def _slugs(items: list[dict[str, Any]]) -> list[str]:
    return [i["slug"] for i in items]


def test_remove_takes_the_exercise_out_of_the_list_and_every_phase() -> None:
    edited = apply_plan_edits(_plan(), [{"kind": "remove", "list": "exercises", "slug": "bird-dog"}])
    assert _slugs(edited.plan["exercises"]) == ["side-plank"]
    assert [_slugs(p["session"]) for p in edited.plan["phases"]] == [[], ["side-plank"]]
    assert edited.plan["phases"][1]["session_minutes"] == 2.0
    assert edited.plan["session_minutes"] == 2.0
    assert edited.applied == 1 and edited.skipped == []


def test_add_appends_to_the_list_and_to_every_phase_session() -> None:
    change = {"kind": "add", "list": "exercises", "item": _item("glute-bridge", 4.0)}
    edited = apply_plan_edits(_plan(), [change])
    assert _slugs(edited.plan["exercises"]) == ["bird-dog", "side-plank", "glute-bridge"]
    assert all(p["session"][-1]["slug"] == "glute-bridge" for p in edited.plan["phases"])
    assert edited.plan["session_minutes"] == 9.0


def test_add_to_the_daily_routine_leaves_the_phases_alone() -> None:
    edited = apply_plan_edits(
        _plan(), [{"kind": "add", "list": "daily_routine", "item": _item("press-up", 1.5)}]
    )
    assert _slugs(edited.plan["daily_routine"]) == ["cat-camel", "press-up"]
    assert edited.plan["daily_routine_minutes"] == 2.5
    assert _slugs(edited.plan["phases"][0]["session"]) == ["bird-dog"]


def test_swap_keeps_the_position_in_the_list_and_phases() -> None:
    change = {"kind": "swap", "list": "exercises", "slug": "bird-dog", "item": _item("dead-bug", 2.0)}
    edited = apply_plan_edits(_plan(), [change])
    assert _slugs(edited.plan["exercises"]) == ["dead-bug", "side-plank"]
    assert _slugs(edited.plan["phases"][1]["session"]) == ["dead-bug", "side-plank"]


def test_dose_changes_text_and_minutes_and_marks_the_clinician_as_source() -> None:
    change = {"kind": "dose", "list": "exercises", "slug": "side-plank", "dose_text": "2 x 5 s", "minutes": 1}
    edited = apply_plan_edits(_plan(), [change])
    entry = edited.plan["exercises"][1]
    assert entry["dose"] == {"text": "2 x 5 s", "source": "clinician"}
    assert entry["minutes"] == 1.0
    assert edited.plan["phases"][1]["session"][1]["minutes"] == 1.0
    assert edited.plan["session_minutes"] == 4.0


def test_care_is_kept_in_care_delivered() -> None:
    change = {"kind": "care", "care": "dry_needling", "date": "2026-11-20", "notes": "L gluteus medius"}
    edited = apply_plan_edits(_plan(), [change])
    assert edited.plan["care_delivered"] == [
        {"care": "dry_needling", "date": "2026-11-20", "notes": "L gluteus medius"}
    ]


def test_edits_that_no_longer_apply_are_skipped_and_reported() -> None:
    changes: list[dict[str, Any]] = [
        {"kind": "remove", "list": "exercises", "slug": "bird-dog"},
        {"kind": "remove", "list": "exercises", "slug": "bird-dog"},
        {"kind": "add", "list": "walking", "item": _item("short-walks")},
        {"kind": "dose", "list": "nowhere", "slug": "x", "dose_text": "y"},
        {"kind": "swap", "list": "exercises", "slug": "side-plank", "item": _item("side-plank")},
    ]
    edited = apply_plan_edits(_plan(), changes)
    assert edited.applied == 1
    assert len(edited.skipped) == 4
    assert "edit 2: bird-dog is no longer in exercises" in edited.skipped
    assert any("edit 4" in s and "nowhere" in s for s in edited.skipped)


def test_the_input_plan_and_changes_are_not_modified() -> None:
    plan = _plan()
    before = copy.deepcopy(plan)
    changes: list[dict[str, Any]] = [
        {"kind": "dose", "list": "exercises", "slug": "bird-dog", "dose_text": "less", "minutes": 1},
        {"kind": "swap", "list": "exercises", "slug": "side-plank", "item": _item("dead-bug")},
        {"kind": "add", "list": "relief", "item": _item("armrest")},
        {"kind": "care", "care": "other", "date": "2026-11-01", "notes": ""},
    ]
    changes_before = copy.deepcopy(changes)
    edited = apply_plan_edits(plan, changes)
    assert plan == before
    assert changes == changes_before
    edited.plan["relief"][0]["name"] = "changed"
    assert changes[2]["item"]["name"] == "Armrest"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"kind": "rename"}, "unknown change kind"),
        ({"kind": "care", "care": " "}, "kind of care"),
        ({"kind": "remove", "list": "avoid", "slug": "x"}, "list must be"),
        ({"kind": "remove", "list": "exercises"}, "needs the slug"),
        ({"kind": "add", "list": "exercises", "item": {"slug": "x"}}, "slug and name"),
        ({"kind": "dose", "list": "exercises", "slug": "x", "dose_text": ""}, "dose text"),
    ],
)
def test_malformed_changes_are_refused(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(PlanEditInvalid, match=problem):
        check_change(change)


def test_check_against_plan_refuses_what_cannot_apply_now() -> None:
    plan = _plan()
    check_against_plan(plan, {"kind": "remove", "list": "exercises", "slug": "bird-dog"})
    check_against_plan(None, {"kind": "care", "care": "other"})
    with pytest.raises(PlanEditInvalid, match="no plan yet"):
        check_against_plan(None, {"kind": "remove", "list": "exercises", "slug": "bird-dog"})
    with pytest.raises(PlanEditInvalid, match="not in the"):
        check_against_plan(plan, {"kind": "dose", "list": "walking", "slug": "bird-dog", "dose_text": "x"})
    with pytest.raises(PlanEditInvalid, match="already in"):
        check_against_plan(plan, {"kind": "add", "list": "exercises", "item": _item("side-plank")})
    with pytest.raises(PlanEditInvalid, match="contraindicated"):
        check_against_plan(plan, {"kind": "add", "list": "exercises", "item": _item("sit-up-crunch")})


def test_check_against_plan_uses_the_library_contraindications() -> None:
    library = {
        "dead-bug": _exercise("dead-bug"),
        "jefferson-curl": _exercise("jefferson-curl", contra=("flexion-intolerance",)),
    }
    found = frozenset({"flexion-intolerance"})
    swap = {"kind": "swap", "list": "exercises", "slug": "bird-dog", "item": _item("dead-bug")}
    check_against_plan(_plan(), swap, found=found, library=library)
    with pytest.raises(PlanEditInvalid, match="contraindicated"):
        check_against_plan(
            _plan(),
            {"kind": "add", "list": "exercises", "item": _item("jefferson-curl")},
            found=found,
            library=library,
        )
    with pytest.raises(PlanEditInvalid, match="not an exercise of the knowledge base"):
        check_against_plan(
            _plan(), {"kind": "add", "list": "exercises", "item": _item("made-up")}, library=library
        )


def test_addable_exercises_drop_avoid_excluded_and_contraindicated() -> None:
    library = [
        _exercise("dead-bug"),
        _exercise("sit-up-crunch", ExerciseCategory.AVOID),
        _exercise("jefferson-curl", contra=("flexion-intolerance",)),
        _exercise("farmer-carry"),
    ]
    allowed = addable_exercises(library, frozenset({"flexion-intolerance"}), frozenset({"farmer-carry"}))
    assert [e.slug for e in allowed] == ["dead-bug"]


def test_found_mechanisms_and_excluded_slugs_read_the_result() -> None:
    result = {"mechanisms": [{"id": "flexion-intolerance"}], "contributing_factors": [{"id": "weak-glutes"}]}
    assert found_mechanisms(result) == {"flexion-intolerance", "weak-glutes"}
    assert excluded_slugs(_plan()) == {"sit-up-crunch"}


def test_planned_item_has_the_plan_item_shape() -> None:
    item = planned_item(_exercise("dead-bug"), "Added by your clinician.")
    assert item["slug"] == "dead-bug" and item["minutes"] == 2.5
    assert item["dose"]["pyramid"] == [6, 4, 2] and item["dose"]["text"] == "8 each side"
    assert item["reason"] == "Added by your clinician."
    check_change({"kind": "add", "list": "exercises", "item": item})
