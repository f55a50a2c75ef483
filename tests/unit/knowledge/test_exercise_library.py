"""The exercise library: what the source articles and the clinical reference require of it.

Checks the bundled ``knowledge/exercises/*.yaml`` against the mechanism filter of the
clinical reference (section 5.2), the McGill Big 3 dosing (5.3), the ladder rules, and
that the loader rejects broken files with a message naming the file and the key.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from backmech.domain.errors import KnowledgeError
from backmech.domain.exercises.model import Exercise, ExerciseCategory
from backmech.knowledge.exercise_files import load_exercises
from backmech.knowledge.files import KNOWLEDGE_ROOT, SourceChecker
from backmech.knowledge.source_files import load_sources

AVOID = ExerciseCategory.AVOID


def _mechanism_kinds() -> dict[str, str]:
    doc = yaml.safe_load((KNOWLEDGE_ROOT / "rules" / "mechanisms.yaml").read_text(encoding="utf-8"))
    return {m["id"]: m["kind"] for m in doc["mechanisms"]}


MECHANISM_KINDS = _mechanism_kinds()
MECHANISMS = set(MECHANISM_KINDS)


@pytest.fixture(scope="module")
def checker() -> SourceChecker:
    return SourceChecker(set(load_sources(KNOWLEDGE_ROOT / "sources", KNOWLEDGE_ROOT)))


@pytest.fixture(scope="module")
def library(checker: SourceChecker) -> dict[str, Exercise]:
    return load_exercises(KNOWLEDGE_ROOT / "exercises", KNOWLEDGE_ROOT, checker, MECHANISMS)


def _prescribable(library: Mapping[str, Exercise]) -> list[Exercise]:
    return [ex for ex in library.values() if ex.category is not AVOID]


# --- coverage of the source articles and the brief -------------------------------------

# Named by source articles B ("5-step guide") and E ("#1 reason") and C (hip hinge).
SOURCE_ARTICLE_EXERCISES = [
    "heel-on-toe-crunch",
    "core-90-90-breathing",
    "pelvic-tilt",
    "bird-dog",
    "glute-bridge",
    "childs-pose",
    "hanging-decompression",
    "half-kneeling-glute-activation",
    "lumbar-extension",
    "hip-hinge",
]

OTHER_REQUIRED = [
    "mcgill-curl-up",
    "side-bridge",
    "walking-programme",
    "walking-intervals-flexed",
    "diaphragmatic-breathing",
    "breathing-with-movement",
    "cat-camel",
    "hip-90-90-mobility",
    "ankle-dorsiflexion-rocks",
    "standing-back-extension",
    "sciatic-nerve-slider",
    "single-leg-balance",
    "pallof-press",
    "side-lying-hip-abduction",
    "box-squat",
    "hip-hinge-light-load",
    "kettlebell-deadlift",
    "goblet-squat",
    "suitcase-carry",
    "farmer-carry",
    "armrest-unloading",
    "knee-to-chest",
    "stationary-cycling",
    "graded-exposure-tasks",
]

AVOID_REQUIRED = [
    "sit-up-crunch",
    "toe-touch-stretch",
    "seated-flexion-stretch",
    "russian-twist",
    "lumbar-rotation-stretch",
    "superman-prone-extension",
    "cobra",
    "hamstring-static-stretch",
    "slump-stretch",
    "jumping-running",
    "heavy-overhead-press",
]


@pytest.mark.parametrize("slug", SOURCE_ARTICLE_EXERCISES)
def test_every_exercise_named_by_the_source_articles_exists_and_is_marked(
    library: dict[str, Exercise], slug: str
) -> None:
    assert slug in library
    assert library[slug].from_source_articles is True


@pytest.mark.parametrize("slug", OTHER_REQUIRED)
def test_required_library_exercises_exist_and_are_prescribable(
    library: dict[str, Exercise], slug: str
) -> None:
    assert slug in library
    assert library[slug].category is not AVOID


@pytest.mark.parametrize("slug", AVOID_REQUIRED)
def test_avoid_list_entries_exist_and_are_never_prescribable(library: dict[str, Exercise], slug: str) -> None:
    ex = library[slug]
    assert ex.category is AVOID
    assert ex.phases == ()
    assert ex.suits == ()
    assert ex.contraindicated, "an avoid entry must say for whom it is avoided"


def test_heel_on_toe_crunch_is_treated_as_a_crunch_with_a_note(library: dict[str, Exercise]) -> None:
    ex = library["heel-on-toe-crunch"]
    assert ex.category is AVOID
    assert {"flexion-intolerance", "radicular"} <= set(ex.contraindicated)
    assert "not standardised" in ex.note


def test_hanging_is_relief_only_with_the_nice_caveat(library: dict[str, Exercise]) -> None:
    ex = library["hanging-decompression"]
    assert ex.category is ExerciseCategory.RELIEF
    assert "stability-deficit" in ex.contraindicated
    assert ex.suits == ()  # never chosen as the treatment for any mechanism
    assert "NICE NG59" in ex.note
    assert ex.dose.hold_seconds is not None and ex.dose.hold_seconds <= 20


# --- the mechanism filter (clinical reference 5.2) --------------------------------------

KEY_CONTRAINDICATIONS = [
    ("childs-pose", "flexion-intolerance"),
    ("childs-pose", "stability-deficit"),
    ("childs-pose", "radicular"),
    ("knee-to-chest", "flexion-intolerance"),
    ("lumbar-extension", "extension-intolerance"),
    ("lumbar-extension", "neurogenic-claudication"),
    ("standing-back-extension", "extension-intolerance"),
    ("hanging-decompression", "stability-deficit"),
    ("russian-twist", "rotation-motor-control"),
    ("russian-twist", "stability-deficit"),
    ("lumbar-rotation-stretch", "rotation-motor-control"),
    ("sit-up-crunch", "flexion-intolerance"),
    ("sit-up-crunch", "radicular"),
    ("heel-on-toe-crunch", "flexion-intolerance"),
    ("heel-on-toe-crunch", "radicular"),
    ("toe-touch-stretch", "flexion-intolerance"),
    ("cobra", "extension-intolerance"),
    ("superman-prone-extension", "extension-intolerance"),
    ("hamstring-static-stretch", "radicular"),
    ("slump-stretch", "radicular"),
    ("jumping-running", "compression-intolerance"),
    ("heavy-overhead-press", "extension-intolerance"),
    ("walking-programme", "neurogenic-claudication"),
]


@pytest.mark.parametrize(("slug", "mechanism"), KEY_CONTRAINDICATIONS)
def test_key_contraindications_of_the_filter_table_hold(
    library: dict[str, Exercise], slug: str, mechanism: str
) -> None:
    assert mechanism in library[slug].contraindicated


def test_lumbar_extension_only_suits_an_extension_directional_preference(
    library: dict[str, Exercise],
) -> None:
    assert library["lumbar-extension"].suits == ("directional-preference-extension",)


def test_no_exercise_suits_and_is_contraindicated_for_the_same_mechanism(
    library: dict[str, Exercise],
) -> None:
    for ex in library.values():
        assert not set(ex.suits) & set(ex.contraindicated), ex.slug


def test_every_mechanism_is_suited_by_at_least_two_prescribable_exercises(
    library: dict[str, Exercise],
) -> None:
    for mech, kind in MECHANISM_KINDS.items():
        if kind == "prediction_rule":
            continue
        suited = [ex.slug for ex in _prescribable(library) if mech in ex.suits]
        assert len(suited) >= 2, f"{mech} is suited by {suited}"


def test_fear_and_psychosocial_risk_are_served_by_breathing_walking_and_exposure(
    library: dict[str, Exercise],
) -> None:
    for mech in ("fear-avoidance", "psychosocial-risk"):
        categories = {ex.category for ex in _prescribable(library) if mech in ex.suits}
        assert {
            ExerciseCategory.BREATHING,
            ExerciseCategory.WALKING,
            ExerciseCategory.GRADED_EXPOSURE,
        } <= categories


@settings(max_examples=200, deadline=None)
@given(st.sets(st.sampled_from(sorted(MECHANISMS)), min_size=1, max_size=4))
def test_any_combination_of_mechanisms_leaves_a_usable_programme(found: set[str]) -> None:
    """Whatever is found, the filter never empties the library: a plan can always be built."""
    library = _bundled_library()
    allowed = [ex for ex in _prescribable(library) if not set(ex.contraindicated) & found]
    categories = {ex.category for ex in allowed}
    assert len(allowed) >= 15
    assert {ExerciseCategory.BREATHING, ExerciseCategory.STABILITY} <= categories
    assert any(ex.daily_routine and 1 in ex.phases for ex in allowed)


@functools.cache
def _bundled_library() -> dict[str, Exercise]:
    """Loaded once for the property test (hypothesis does not mix with pytest fixtures)."""
    checker = SourceChecker(set(load_sources(KNOWLEDGE_ROOT / "sources", KNOWLEDGE_ROOT)))
    return load_exercises(KNOWLEDGE_ROOT / "exercises", KNOWLEDGE_ROOT, checker, MECHANISMS)


# --- doses -------------------------------------------------------------------------------

BIG_THREE = ["mcgill-curl-up", "side-bridge", "bird-dog"]


@pytest.mark.parametrize("slug", BIG_THREE)
def test_big_three_use_ten_second_holds_in_a_6_4_2_reverse_pyramid(
    library: dict[str, Exercise], slug: str
) -> None:
    dose = library[slug].dose
    assert dose.hold_seconds == 10
    assert dose.pyramid == (6, 4, 2)
    assert dose.source == "mcgill-2015"
    assert library[slug].source == "mcgill-2015"


def test_big_three_variants_keep_short_holds(library: dict[str, Exercise]) -> None:
    for slug in BIG_THREE:
        step = library[slug].progression
        while step is not None:
            assert library[step].dose.hold_seconds == 10, step
            step = library[step].progression


def test_big_three_fit_the_published_four_to_six_minutes(library: dict[str, Exercise]) -> None:
    # Curl-up once plus side bridge and bird dog each side (clinical reference 5.3).
    total = sum(library[s].minutes for s in BIG_THREE)
    assert 4 <= total <= 8


def test_loaded_exercises_follow_the_acsm_frequency(library: dict[str, Exercise]) -> None:
    for slug in ("kettlebell-deadlift", "goblet-squat", "bar-deadlift"):
        dose = library[slug].dose
        assert dose.source == "ratamess-2009"
        assert dose.frequency == "2-3 days a week"


def test_walking_targets_walkback(library: dict[str, Exercise]) -> None:
    target = library["walking-30-minutes"]
    assert target.dose.minutes == 30
    assert target.dose.frequency == "5 days a week"
    assert target.dose.source == "pocovi-2024"
    assert library["walking-programme"].source == "pocovi-2024"


def test_lumbar_extension_dose_is_mckenzie(library: dict[str, Exercise]) -> None:
    dose = library["lumbar-extension"].dose
    assert dose.reps == 10
    assert dose.source == "mckenzie-2003"


# --- ladders -----------------------------------------------------------------------------

EXPECTED_LADDERS = [
    ["abdominal-bracing", "mcgill-curl-up", "mcgill-curl-up-elbows-raised", "mcgill-curl-up-pre-braced"],
    ["side-bridge-wall", "side-bridge", "side-bridge-feet", "side-bridge-rolling"],
    ["bird-dog", "bird-dog-sweeps"],
    ["glute-bridge", "single-leg-bridge"],
    [
        "pelvic-tilt",
        "standing-pelvic-tilt",
        "hip-hinge",
        "hip-hinge-light-load",
        "kettlebell-deadlift",
        "bar-deadlift",
    ],
    ["box-squat", "goblet-squat"],
    ["suitcase-carry", "farmer-carry"],
    ["walking-short-bouts", "walking-programme", "walking-30-minutes"],
    ["tandem-stance", "single-leg-balance", "single-leg-balance-eyes-closed"],
    ["pallof-press", "pallof-press-half-kneeling", "pallof-press-split-stance"],
    ["core-90-90-breathing", "core-90-90-heel-taps"],
    ["diaphragmatic-breathing", "breathing-with-movement"],
    ["clamshell", "side-lying-hip-abduction"],
]


def _walk(library: Mapping[str, Exercise], start: str, key: str) -> list[str]:
    seen = [start]
    step = getattr(library[start], key)
    while step is not None:
        assert step not in seen, f"cycle in {key} ladder: {[*seen, step]}"
        seen.append(step)
        step = getattr(library[step], key)
    return seen


@pytest.mark.parametrize("ladder", EXPECTED_LADDERS, ids=lambda lad: lad[0])
def test_expected_ladders_walk_in_both_directions(library: dict[str, Exercise], ladder: list[str]) -> None:
    assert library[ladder[0]].regression is None
    assert _walk(library, ladder[0], "progression") == ladder
    assert _walk(library, ladder[-1], "regression") == ladder[::-1]


def test_every_ladder_walks_without_cycles(library: dict[str, Exercise]) -> None:
    for slug in library:
        up = _walk(library, slug, "progression")
        down = _walk(library, slug, "regression")
        assert not set(up[1:]) & set(down[1:]), slug


def test_ladders_never_step_back_a_phase(library: dict[str, Exercise]) -> None:
    for ex in library.values():
        if ex.progression is not None:
            nxt = library[ex.progression]
            assert min(nxt.phases) >= min(ex.phases), (ex.slug, nxt.slug)


def test_avoid_entries_are_not_on_any_ladder(library: dict[str, Exercise]) -> None:
    for ex in library.values():
        if ex.category is AVOID:
            assert ex.progression is None and ex.regression is None
        for step in (ex.progression, ex.regression):
            if step is not None:
                assert library[step].category is not AVOID


# --- content quality ---------------------------------------------------------------------

EQUIPMENT = {"mat", "chair", "wall", "dowel", "band", "kettlebell", "step", "bar"}
HOUSEHOLD = {"mat", "chair", "wall", "step"}


def test_slugs_are_kebab_case(library: dict[str, Exercise]) -> None:
    for slug in library:
        assert slug == slug.lower() and "_" not in slug and " " not in slug


def test_prescribable_exercises_are_fully_described(library: dict[str, Exercise]) -> None:
    for ex in _prescribable(library):
        assert 3 <= len(ex.instructions) <= 6, ex.slug
        assert ex.cues, ex.slug
        assert ex.phases and set(ex.phases) <= {1, 2, 3, 4}, ex.slug
        assert ex.purpose and ex.targets and ex.position, ex.slug
        assert set(ex.equipment) <= EQUIPMENT, ex.slug
        assert 0 < ex.minutes <= 30, ex.slug


def test_every_prescribable_exercise_stops_when_pain_spreads_down_the_leg(
    library: dict[str, Exercise],
) -> None:
    for ex in _prescribable(library):
        assert any("peripheralis" in s and "down the leg" in s for s in ex.stop_if), ex.slug


def test_daily_routine_items_are_short_and_need_nothing_special(
    library: dict[str, Exercise],
) -> None:
    daily = [ex for ex in _prescribable(library) if ex.daily_routine]
    assert len(daily) >= 10
    for ex in daily:
        assert ex.minutes <= 3, ex.slug
        assert set(ex.equipment) <= HOUSEHOLD, ex.slug


def test_every_mechanism_with_a_daily_routine_has_short_options(
    library: dict[str, Exercise],
) -> None:
    for mech, kind in MECHANISM_KINDS.items():
        if kind == "prediction_rule":
            continue
        options = [
            ex
            for ex in _prescribable(library)
            if ex.daily_routine and mech in ex.suits and mech not in ex.contraindicated
        ]
        assert options, mech


# --- the loader rejects broken files, naming the file and the key -----------------------


def _entry(slug: str, **changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "slug": slug,
        "name": "Test exercise",
        "category": "stability",
        "purpose": "Testing.",
        "targets": ["trunk"],
        "instructions": ["One.", "Two.", "Three."],
        "stop_if": ["Pain spreads down the leg (peripheralises)"],
        "position": "supine",
        "minutes": 2,
        "dose": {"text": "10 reps", "reps": 10, "source": "mcgill-2015"},
        "phases": [1],
        "source": "mcgill-2015",
    }
    entry.update(changes)
    return entry


def _load(tmp_path: Path, entries: list[dict[str, Any]]) -> dict[str, Exercise]:
    folder = tmp_path / "exercises"
    folder.mkdir(exist_ok=True)
    (folder / "broken.yaml").write_text(
        yaml.safe_dump({"exercises": entries}, sort_keys=False), encoding="utf-8"
    )
    checker = SourceChecker({"mcgill-2015"})
    return load_exercises(folder, tmp_path, checker, MECHANISMS)


def test_a_valid_minimal_file_loads(tmp_path: Path) -> None:
    loaded = _load(tmp_path, [_entry("a-one")])
    assert set(loaded) == {"a-one"}


def test_missing_dose_names_file_and_key(tmp_path: Path) -> None:
    entry = _entry("a-one")
    del entry["dose"]
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, [entry])
    assert "exercises/broken.yaml" in err.value.location
    assert "exercises.0.dose" in err.value.location


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, [_entry("a-one", repetitions=10)])
    assert "exercises/broken.yaml" in err.value.location
    assert "repetitions" in err.value.location


def test_bad_slug_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, [_entry("Bird_Dog")])
    assert "exercises.0.slug" in err.value.location


def test_unknown_mechanism_names_slug_and_key(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, [_entry("a-one", suits=["flexion-intolerant"])])
    assert err.value.location == "exercises/broken.yaml: a-one.suits"


def test_unknown_dose_source_names_slug_and_key(tmp_path: Path) -> None:
    entry = _entry("a-one")
    entry["dose"] = {**entry["dose"], "source": "made-up-2099"}
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, [entry])
    assert err.value.location == "exercises/broken.yaml: a-one.dose.source"


def test_suits_and_contraindicated_overlap_is_rejected(tmp_path: Path) -> None:
    entry = _entry("a-one", suits=["radicular"], contraindicated=["radicular"])
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, [entry])
    assert "a-one" in err.value.location
    assert "radicular" in err.value.problem


def test_one_way_ladder_is_rejected(tmp_path: Path) -> None:
    entries = [_entry("a-one", progression="a-two"), _entry("a-two")]
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, entries)
    assert err.value.location == "exercises/broken.yaml: a-one.progression"
    assert "two-way" in err.value.problem


def test_ladder_to_unknown_slug_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, [_entry("a-one", regression="a-zero")])
    assert err.value.location == "exercises/broken.yaml: a-one.regression"


def test_prescribable_exercise_without_phases_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, [_entry("a-one", phases=[])])
    assert err.value.location == "exercises/broken.yaml: a-one"


def test_duplicate_slug_across_files_is_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "exercises"
    folder.mkdir()
    for name in ("a.yaml", "b.yaml"):
        (folder / name).write_text(yaml.safe_dump({"exercises": [_entry("same-slug")]}), encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        load_exercises(folder, tmp_path, SourceChecker({"mcgill-2015"}), MECHANISMS)
    assert err.value.location == "exercises/b.yaml: same-slug"
    assert "exercises/a.yaml" in err.value.problem


def test_a_bundled_file_broken_in_one_place_is_reported_there(tmp_path: Path) -> None:
    """Break one real entry (bird dog's dose source) and check the message points at it."""
    doc = yaml.safe_load((KNOWLEDGE_ROOT / "exercises" / "core.yaml").read_text(encoding="utf-8"))
    broken = copy.deepcopy(doc)
    for entry in broken["exercises"]:
        if entry["slug"] == "bird-dog":
            entry["dose"]["source"] = "nobody-2000"
    # core.yaml alone has a ladder into loading.yaml (hip-hinge); cut it so only the
    # planted error remains.
    for entry in broken["exercises"]:
        if entry.get("progression") == "hip-hinge":
            del entry["progression"]
    folder = tmp_path / "exercises"
    folder.mkdir()
    (folder / "core.yaml").write_text(yaml.safe_dump(broken, sort_keys=False), encoding="utf-8")
    checker = SourceChecker(set(load_sources(KNOWLEDGE_ROOT / "sources", KNOWLEDGE_ROOT)))
    with pytest.raises(KnowledgeError) as err:
        load_exercises(folder, tmp_path, checker, MECHANISMS)
    assert err.value.location == "exercises/core.yaml: bird-dog.dose.source"
