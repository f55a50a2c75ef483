"""Plan generation on the bundled knowledge base: safety filters, shape, determinism."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

from backmech.cli.render import result_json
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.plans.model import Plan
from backmech.services.assessment import AssessmentService

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _example(name: str) -> dict[str, object]:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def test_flexion_plan_never_includes_flexion_provokers(service: AssessmentService) -> None:
    result = service.assess(_example("flexion-intolerant-desk-worker"))
    plan = result.plan
    assert plan is not None
    slugs = {e.slug for e in plan.exercises} | {e.slug for e in plan.daily_routine}
    assert not slugs & {
        "childs-pose",
        "knee-to-chest",
        "sit-up-crunch",
        "heel-on-toe-crunch",
        "toe-touch-stretch",
        "seated-flexion-stretch",
    }
    excluded = {e.slug for e in plan.excluded_exercises}
    assert {"childs-pose", "sit-up-crunch", "heel-on-toe-crunch"} <= excluded
    assert any("rounding the back" in a.what for a in plan.avoid)
    assert all(e.reason for e in plan.exercises)


def test_plan_shape(service: AssessmentService) -> None:
    plan = service.assess(_example("rotation-control-golfer")).plan
    assert plan is not None
    assert [p.number for p in plan.phases] == [1, 2, 3, 4]
    assert plan.phases[0].start_week == 1 and plan.phases[-1].end_week is None
    assert all(p.session_minutes <= 20 for p in plan.phases)
    assert 2 <= plan.daily_routine_minutes <= 5
    assert plan.walking, "walking is part of every plan that allows it"
    assert 6 <= plan.weeks <= 12
    assert plan.reassess_after_days == 14
    assert any(e.slug == "pain-is-a-signal" for e in plan.education)
    loading = [e.slug for p in plan.phases if p.number >= 3 for e in p.session if e.category == "loading"]
    assert loading, "graded loading appears from phase 3"


def test_equipment_is_never_assumed(service: AssessmentService) -> None:
    case = _example("flexion-intolerant-desk-worker")
    case["preferences"] = {"equipment": []}
    plan = service.assess(case).plan
    assert plan is not None
    for ex in (*plan.exercises, *plan.daily_routine):
        assert set(service.kb.exercises[ex.slug].equipment) <= {"mat", "chair", "wall", "step"}


def test_same_input_same_plan(service: AssessmentService) -> None:
    case = _example("high-risk-widespread-pain")
    assert result_json(service.assess(case)) == result_json(service.assess(copy.deepcopy(case)))


def test_session_length_follows_preference(service: AssessmentService) -> None:
    case = _example("rotation-control-golfer")
    case["preferences"] = {"session_minutes": 10}
    plan = service.assess(case).plan
    assert plan is not None
    assert all(p.session_minutes <= 10 for p in plan.phases)


def test_the_week_2_decision_point_is_only_in_plans_with_a_directional_preference(
    service: AssessmentService,
) -> None:
    def weeks(example: dict[str, object]) -> list[int]:
        plan = json.loads(result_json(service.assess(example)))["plan"]
        points = (
            plan["reassessment"]["decision_points"] if "reassessment" in plan else plan["decision_points"]
        )
        return [p["week"] for p in points]

    with_preference = _example("flexion-intolerant-desk-worker")
    repeated = with_preference["examination"]["repeated_movements"]  # type: ignore[index]
    assert any(v in ("centralises", "decreases", "abolishes", "better") for v in repeated.values())
    assert weeks(with_preference) == [2, 6, 12]
    without = copy.deepcopy(with_preference)
    without["examination"]["repeated_movements"] = {  # type: ignore[index]
        "extension": "no_effect",
        "flexion": "no_effect",
    }
    assert weeks(without) == [6, 12]


def _with_plan_settings(kb: KnowledgeBase, **changes: object) -> AssessmentService:
    return AssessmentService(dataclasses.replace(kb, plan=dataclasses.replace(kb.plan, **changes)))


def test_the_long_programme_follows_the_plan_file(kb: KnowledgeBase, service: AssessmentService) -> None:
    # High psychosocial risk on a recent episode: the mechanism alone calls for 12 weeks.
    case = _example("high-risk-widespread-pain")
    case["history"]["duration_days"] = 30  # type: ignore[index]
    plan = service.assess(case).plan
    assert plan is not None and "psychosocial-risk" in kb.plan.long_programme_mechanisms
    assert (plan.weeks, plan.weeks_reason) == (kb.plan.long_weeks, kb.plan.long_programme_reason)
    assert kb.plan.long_programme_source in plan.sources

    without = _with_plan_settings(kb, long_programme_mechanisms=frozenset()).assess(case).plan
    assert without is not None and without.weeks != kb.plan.long_weeks

    # A chronic episode without the mechanism: the fact condition alone is enough.
    chronic = _example("flexion-intolerant-desk-worker")
    plan = service.assess(chronic).plan
    assert plan is not None and plan.weeks == kb.plan.long_weeks
    no_condition = _with_plan_settings(kb, long_programme_when=None).assess(chronic).plan
    assert no_condition is not None and no_condition.weeks != kb.plan.long_weeks


def test_household_equipment_comes_from_the_plan_file(kb: KnowledgeBase, service: AssessmentService) -> None:
    assert kb.plan.household_equipment == {"mat", "chair", "wall", "step"}
    assert kb.plan.household_equipment_source in kb.sources
    declared = _example("rotation-control-golfer")
    declared["preferences"] = {"equipment": ["band"]}
    undeclared = copy.deepcopy(declared)
    undeclared["preferences"] = {"equipment": []}
    at_home = _with_plan_settings(kb, household_equipment=kb.plan.household_equipment | {"band"})
    assert result_json(at_home.assess(undeclared)) == result_json(service.assess(declared))

    # Nothing assumed at home: exercises needing a chair or a wall drop out.
    desk = _example("flexion-intolerant-desk-worker")
    desk["preferences"] = {"equipment": []}

    def needs(plan: Plan | None) -> set[str]:
        assert plan is not None
        lists = (plan.exercises, plan.daily_routine, plan.walking, plan.relief)
        return {item for listed in lists for ex in listed for item in kb.exercises[ex.slug].equipment}

    assert needs(service.assess(desk).plan) & kb.plan.household_equipment
    assert not needs(_with_plan_settings(kb, household_equipment=frozenset()).assess(desk).plan)
