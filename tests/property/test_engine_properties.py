"""Engine invariants over random intakes built from the fact vocabulary (hypothesis).

* the plan never contains an exercise contraindicated for any mechanism found;
* a red flag that stops the programme never yields a plan;
* the same input gives byte-identical output;
* required equipment is never assumed, and the daily routine stays within 5 minutes.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backmech.cli.render import result_json
from backmech.domain.facts import FactKind, FactSpec
from backmech.knowledge.loader import default_knowledge
from backmech.services.assessment import AssessmentService

KB = default_knowledge()
SERVICE = AssessmentService(KB)
HOUSEHOLD_EQUIPMENT = KB.plan.household_equipment
ACTIVITIES = list(KB.vocabulary.enumerations["activity"])
RED_FLAGS = [q.id for q in KB.safety.questions]
EXAM_SPECS = [
    s
    for fid, s in KB.vocabulary.specs.items()
    if s.origin == "intake"
    and fid.split(".")[0] in {"examination", "neuro", "pain", "symptoms", "lifestyle", "history", "person"}
    and not fid.startswith(("examination.aberrant.", "pain.location."))
]


def _value(spec: FactSpec) -> st.SearchStrategy[Any]:
    if spec.kind is FactKind.BOOL:
        return st.booleans()
    if spec.kind is FactKind.ENUM:
        return st.sampled_from(spec.values)
    low = int(spec.minimum if spec.minimum is not None else 0)
    high = int(spec.maximum if spec.maximum is not None else 100)
    return st.integers(low, high)


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


@st.composite
def intakes(draw: st.DrawFn) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(EXAM_SPECS), max_size=25, unique_by=lambda s: s.id))
    flat = {spec.id: draw(_value(spec)) for spec in chosen}
    intake = _nest(flat)
    symptoms = intake.setdefault("symptoms", {})
    symptoms["aggravated_by"] = draw(st.lists(st.sampled_from(ACTIVITIES), unique=True, max_size=10))
    symptoms["eased_by"] = draw(st.lists(st.sampled_from(ACTIVITIES), unique=True, max_size=6))
    positives = draw(st.lists(st.sampled_from(RED_FLAGS), unique=True, max_size=2))
    if draw(st.booleans()):
        intake["red_flags"] = {q: q in positives for q in RED_FLAGS}
    intake["questionnaires"] = {
        "start_back": {
            "answers": {
                **{
                    k: draw(st.booleans())
                    for k in (
                        "leg_pain",
                        "shoulder_neck_pain",
                        "short_walks",
                        "slow_dressing",
                        "fear",
                        "anxiety",
                        "catastrophising",
                        "low_mood",
                    )
                },
                "bothersomeness": draw(st.integers(0, 4)),
            }
        },
        "fabq": {"answers": {f"item_{i}": draw(st.integers(0, 6)) for i in range(1, 6)} | {"in_work": False}},
        "nprs": {"answers": {"current": draw(st.integers(0, 10))}},
    }
    if draw(st.booleans()):
        intake["preferences"] = {
            "equipment": draw(st.lists(st.sampled_from(["dowel", "band", "kettlebell", "bar"]), unique=True))
        }
    return intake


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(intakes())
def test_engine_invariants(intake: dict[str, Any]) -> None:
    result = SERVICE.assess(intake)
    if result.triage.level.stops_programme:
        assert result.plan is None
        assert result.plan_status == "withheld_red_flag"
        assert result.mechanisms == ()
        return
    if result.plan is None:
        assert result.plan_status == "withheld_screen_incomplete"
        assert result.triage.unanswered
        return
    found = {m.id for m in result.mechanisms} | {c.id for c in result.contributing_factors}
    found |= {p.id for p in result.prediction_rules if p.status == "positive"}
    prescribed = {e.slug for e in result.plan.exercises} | {e.slug for e in result.plan.daily_routine}
    equipment = HOUSEHOLD_EQUIPMENT | set(intake.get("preferences", {}).get("equipment", []))
    for slug in prescribed:
        exercise = KB.exercises[slug]
        assert not (set(exercise.contraindicated) & found), (slug, exercise.contraindicated, found)
        assert set(exercise.equipment) <= equipment, (slug, exercise.equipment)
        assert exercise.category != "avoid"
    assert result.plan.daily_routine_minutes <= KB.plan.daily_max_minutes
    assert result_json(SERVICE.assess(intake)) == result_json(result)


@settings(max_examples=100, deadline=None)
@given(
    intakes(),
    st.sampled_from(
        ["saddle_numbness", "bladder_change", "major_trauma", "sudden_severe_pain_collapse", "foot_drop"]
    ),
)
def test_emergency_or_urgent_red_flag_never_yields_a_plan(intake: dict[str, Any], flag: str) -> None:
    intake["red_flags"] = {q: q == flag for q in RED_FLAGS}
    result = SERVICE.assess(intake)
    assert result.triage.level.stops_programme
    assert result.plan is None
