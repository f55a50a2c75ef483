"""``plan.yaml`` and ``rules/*.yaml``: each broken edit is rejected at its exact file and key.

The locations and messages are pinned so that restructuring the loaders cannot move them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from backmech.domain.errors import KnowledgeError
from backmech.domain.evidence import EvidenceLevel
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.knowledge.files import KNOWLEDGE_ROOT
from backmech.knowledge.loader import load_knowledge

Doc = dict[str, Any]


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_ROOT, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


def _edit(path: Path, change: Callable[[Doc], object]) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _rejected(root: Path) -> KnowledgeError:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(root)
    return info.value


def _long_when(d: Doc) -> Doc:
    rule: Doc = d["programme"]["long_when"]
    return rule


def _neither_trigger(d: Doc) -> None:
    _long_when(d).pop("when")
    _long_when(d)["or_found"] = []


def _new_mechanism_without_rules(d: Doc) -> None:
    d["mechanisms"].append({**d["mechanisms"][0], "id": "new-one"})


UNKNOWN_FACT = {"fact": "aggravated_by.sittin"}

PLAN_CASES: list[tuple[Callable[[Doc], object], str, str]] = [
    (
        lambda d: d["programme"].update(source="nobody-2099"),
        "plan.yaml: programme.source",
        "names unknown source 'nobody-2099'",
    ),
    (
        lambda d: d["phase_start_weeks"].pop(8),
        "plan.yaml: phase_start_weeks.8",
        "needs four increasing start weeks beginning at week 1",
    ),
    (lambda d: d["phases"][1].update(number=3), "plan.yaml: phases[1].number", "expected 2"),
    (
        lambda d: d["phases"][0].update(source="nobody-2099"),
        "plan.yaml: phases[0].source",
        "names unknown source 'nobody-2099'",
    ),
    (
        lambda d: d["sessions"]["mechanism_slots"].update({"back-ache": {"neural": 1}}),
        "plan.yaml: sessions.mechanism_slots.back-ache",
        "unknown mechanism",
    ),
    (
        lambda d: d["sessions"]["key_exercises"].update({"back-ache": ["hip-hinge"]}),
        "plan.yaml: sessions.key_exercises.back-ache",
        "unknown mechanism",
    ),
    (
        lambda d: d["sessions"]["key_exercises"].update(radicular=["no-such-exercise"]),
        "plan.yaml: sessions.key_exercises.radicular",
        "unknown exercise 'no-such-exercise'",
    ),
    (
        lambda d: d["daily_routines"]["routines"].update({"back-ache": []}),
        "plan.yaml: daily_routines.routines.back-ache",
        "unknown mechanism",
    ),
    (
        lambda d: d["lifestyle"]["rules"][1].update(source="nobody-2099"),
        "plan.yaml: lifestyle.rules[1].source",
        "names unknown source 'nobody-2099'",
    ),
    (
        lambda d: d["lifestyle"]["rules"][0].update(when=UNKNOWN_FACT),
        "plan.yaml: lifestyle.rules[0].when",
        "unknown fact 'aggravated_by.sittin'",
    ),
    (
        lambda d: d["clinician_care"][0].update(when_mechanism="back-ache"),
        "plan.yaml: clinician_care[0].when_mechanism",
        "unknown mechanism 'back-ache'",
    ),
    (
        lambda d: d["care_stage"].update(movement_control=UNKNOWN_FACT),
        "plan.yaml: care_stage.movement_control",
        "unknown fact 'aggravated_by.sittin'",
    ),
    (
        lambda d: _long_when(d).update(or_found=["back-ache"]),
        "plan.yaml: programme.long_when.or_found",
        "unknown mechanism 'back-ache'",
    ),
    (
        lambda d: _long_when(d).update(when=UNKNOWN_FACT),
        "plan.yaml: programme.long_when.when",
        "unknown fact 'aggravated_by.sittin'",
    ),
    (
        _neither_trigger,
        "plan.yaml: programme.long_when",
        "needs a `when` condition or `or_found` mechanisms",
    ),
    (
        lambda d: _long_when(d).update(source="nobody-2099"),
        "plan.yaml: programme.long_when.source",
        "names unknown source 'nobody-2099'",
    ),
    (
        lambda d: d["household_equipment"]["items"].append("sofa"),
        "plan.yaml: household_equipment.items",
        "unknown equipment 'sofa'; use one of mat, chair, wall, dowel, band, kettlebell, step, bar",
    ),
    (
        lambda d: d["household_equipment"].update(source="nobody-2099"),
        "plan.yaml: household_equipment.source",
        "names unknown source 'nobody-2099'",
    ),
    (
        lambda d: d["sessions"].update(loading_takes_from={"stability": -1}),
        "plan.yaml: sessions.loading_takes_from.stability",
        "Input should be greater than or equal to 0",
    ),
]

RULE_CASES: list[tuple[str, Callable[[Doc], object], str, str]] = [
    (
        "rules/mechanisms.yaml",
        lambda d: d["dominance"].update(source="nobody-2099"),
        "rules/mechanisms.yaml: dominance.source",
        "names unknown source 'nobody-2099'",
    ),
    (
        "rules/mechanisms.yaml",
        lambda d: d["confidence"].update(thresholds_source="nobody-2099"),
        "rules/mechanisms.yaml: confidence.thresholds_source",
        "names unknown source 'nobody-2099'",
    ),
    (
        "rules/mechanisms.yaml",
        lambda d: d["confidence"]["labels"].update(moderate=0.8),
        "rules/mechanisms.yaml: confidence.labels",
        "moderate must be below high",
    ),
    (
        "rules/mechanisms.yaml",
        lambda d: d["mechanisms"][1].update(id=d["mechanisms"][0]["id"]),
        "rules/mechanisms.yaml: flexion-intolerance",
        "duplicate mechanism id",
    ),
    (
        "rules/mechanisms.yaml",
        lambda d: d["mechanisms"][0]["avoid"][2].update(source="nobody-2099"),
        "rules/mechanisms.yaml: flexion-intolerance.avoid[2].source",
        "names unknown source 'nobody-2099'",
    ),
    (
        "rules/mechanisms.yaml",
        lambda d: d["mechanisms"][7]["overrides_avoid"].append("back-ache"),
        "rules/mechanisms.yaml: multidirectional.overrides_avoid",
        "unknown mechanism 'back-ache'",
    ),
    (
        "rules/mechanisms.yaml",
        _new_mechanism_without_rules,
        "rules/",
        "mechanisms without any rule: new-one",
    ),
    (
        "rules/evidence.yaml",
        lambda d: d["rules"][0].update(weight=0),
        "rules/evidence.yaml: flex-sitting-slumped.weight",
        "a weight of 0 has no effect",
    ),
    (
        "rules/evidence.yaml",
        lambda d: d["prediction_rules"][0].update(at_least=99),
        "rules/evidence.yaml: prediction_rules.manipulation-cpr.at_least",
        "is larger than the number of criteria",
    ),
    (
        "rules/evidence.yaml",
        lambda d: d["prediction_rules"][0].update(id="flexion-intolerance"),
        "rules/evidence.yaml: prediction_rules.flexion-intolerance",
        "needs a mechanism of kind prediction_rule with the same id",
    ),
    (
        "rules/evidence.yaml",
        lambda d: d["prediction_rules"][0]["criteria"][1].update(when=UNKNOWN_FACT),
        "rules/evidence.yaml: prediction_rules.manipulation-cpr.criteria[1].when",
        "unknown fact 'aggravated_by.sittin'",
    ),
]


@pytest.mark.parametrize(("change", "location", "problem"), PLAN_CASES, ids=[c[1] for c in PLAN_CASES])
def test_broken_plan_file_names_file_and_key(
    kb_copy: Path, change: Callable[[Doc], object], location: str, problem: str
) -> None:
    _edit(kb_copy / "plan.yaml", change)
    error = _rejected(kb_copy)
    assert (error.location, error.problem) == (location, problem)


@pytest.mark.parametrize(
    ("file", "change", "location", "problem"), RULE_CASES, ids=[c[2] for c in RULE_CASES]
)
def test_broken_rule_file_names_file_and_key(
    kb_copy: Path, file: str, change: Callable[[Doc], object], location: str, problem: str
) -> None:
    _edit(kb_copy / file, change)
    error = _rejected(kb_copy)
    assert (error.location, error.problem) == (location, problem)


def test_plan_decisions_are_data_with_known_sources(kb: KnowledgeBase) -> None:
    plan = kb.plan
    assert plan.long_programme_when is not None
    assert plan.long_programme_when.fact_ids() == {"derived.chronic"}
    assert plan.long_programme_mechanisms == {"psychosocial-risk"}
    assert plan.household_equipment == {"mat", "chair", "wall", "step"}
    assert plan.loading_takes_from == {"stability": 1} and plan.loading_keeps_at_least == 1
    for source in (plan.long_programme_source, plan.household_equipment_source):
        assert source in kb.sources
    assert kb.sources[plan.household_equipment_source].level is EvidenceLevel.HEURISTIC
