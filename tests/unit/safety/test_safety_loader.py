"""The safety-file loader rejects broken rules, naming the file and the rule id."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from backmech.domain.conditions import All, AtLeast
from backmech.domain.errors import KnowledgeError
from backmech.domain.facts import Vocabulary
from backmech.domain.safety import CATEGORIES, SafetyScreen
from backmech.domain.types import TriageLevel
from backmech.knowledge.files import SourceChecker
from backmech.knowledge.safety_files import load_safety

FILE = "red_flags.yaml"


def _rule(rule_id: str, category: str, level: str, when: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rule_id,
        "category": category,
        "level": level,
        "when": when,
        "reason": "Why this matters.",
        "action": "What to do.",
        "where_to_go": "Where to go.",
        "timeframe": "now",
        "source": "finucane-2020",
    }


def minimal_doc() -> dict[str, Any]:
    """A small valid screen: one question and one rule per category."""
    questions = [
        {"id": f"q_{category}", "text": f"Question about {category}?", "help": "Help.", "category": category}
        for category in CATEGORIES
    ]
    rules = [
        _rule(f"r_{category}", category, "urgent", {"fact": f"red_flag.q_{category}"})
        for category in CATEGORIES
    ]
    rules.append(
        _rule(
            "r_age",
            "fracture",
            "urgent",
            {"all": [{"fact": "red_flag.q_fracture"}, {"fact": "person.age", "op": "gt", "value": 70}]},
        )
    )
    return {
        "source": "finucane-2020",
        "level_actions": {level.value: f"Do this at {level.value}." for level in TriageLevel},
        "safety_net": ["Numb saddle area: go to an emergency department now."],
        "questions": questions,
        "rules": rules,
    }


def write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / FILE
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def load(tmp_path: Path, doc: dict[str, Any], sources: SourceChecker, vocabulary: Vocabulary) -> SafetyScreen:
    return load_safety(write(tmp_path, doc), tmp_path, sources, vocabulary)


def rejects(
    tmp_path: Path, doc: dict[str, Any], sources: SourceChecker, vocabulary: Vocabulary
) -> KnowledgeError:
    with pytest.raises(KnowledgeError) as info:
        load(tmp_path, doc, sources, vocabulary)
    return info.value


def rule_named(doc: dict[str, Any], rule_id: str) -> dict[str, Any]:
    rule: dict[str, Any] = next(r for r in doc["rules"] if r["id"] == rule_id)
    return rule


def test_minimal_document_loads(
    tmp_path: Path, source_checker: SourceChecker, vocabulary: Vocabulary
) -> None:
    screen = load(tmp_path, minimal_doc(), source_checker, vocabulary)
    assert len(screen.questions) == len(CATEGORIES)
    assert screen.question("q_fracture") is not None
    assert screen.question("missing") is None
    assert [r.id for r in screen.rules][-1] == "r_age"
    assert screen.rules[0].level is TriageLevel.URGENT
    assert set(screen.level_actions) == set(TriageLevel)


def test_real_file_loads_with_conditions_parsed(safety: SafetyScreen) -> None:
    by_id = {r.id: r for r in safety.rules}
    assert len(by_id) == len(safety.rules)
    assert len({q.id for q in safety.questions}) == len(safety.questions)
    refer = by_id["inflammatory_refer_rheumatology"].when
    assert isinstance(refer, All)
    counts = [c for c in refer.children if isinstance(c, AtLeast)]
    assert [(c.count, len(c.children)) for c in counts] == [(4, 9)]  # NICE NG65: 4 of 9
    # Numbers in question wording carry a source (clinical reference 2.3: heuristics).
    for question_id in ("long_term_steroids", "weight_loss"):
        question = safety.question(question_id)
        assert question is not None
        assert question.source == "heuristic-red-flag-operationalisation"


def test_unknown_red_flag_fact_is_rejected_naming_file_and_rule(
    tmp_path: Path, source_checker: SourceChecker, vocabulary: Vocabulary
) -> None:
    doc = minimal_doc()
    rule_named(doc, "r_malignancy")["when"] = {"fact": "red_flag.q_cancr"}
    err = rejects(tmp_path, doc, source_checker, vocabulary)
    assert err.location == f"{FILE}: r_malignancy.when"
    assert "unknown fact 'red_flag.q_cancr'" in err.problem


def test_unknown_intake_fact_is_rejected(
    tmp_path: Path, source_checker: SourceChecker, vocabulary: Vocabulary
) -> None:
    doc = minimal_doc()
    rule_named(doc, "r_age")["when"]["all"][1]["fact"] = "person.agee"
    err = rejects(tmp_path, doc, source_checker, vocabulary)
    assert err.location == f"{FILE}: r_age.when"
    assert "person.agee" in err.problem


def test_value_outside_an_enumeration_is_rejected(
    tmp_path: Path, source_checker: SourceChecker, vocabulary: Vocabulary
) -> None:
    doc = minimal_doc()
    rule_named(doc, "r_cauda_equina")["when"] = {"fact": "pain.leg_pain", "op": "eq", "value": "sideways"}
    err = rejects(tmp_path, doc, source_checker, vocabulary)
    assert err.location == f"{FILE}: r_cauda_equina.when"
    assert "sideways" in err.problem


def test_numeric_operator_on_a_boolean_fact_is_rejected(
    tmp_path: Path, source_checker: SourceChecker, vocabulary: Vocabulary
) -> None:
    doc = minimal_doc()
    rule_named(doc, "r_infection")["when"] = {"fact": "red_flag.q_infection", "op": "gt", "value": 1}
    err = rejects(tmp_path, doc, source_checker, vocabulary)
    assert err.location == f"{FILE}: r_infection.when"
    assert "numeric" in err.problem


@pytest.mark.parametrize(
    ("when", "fragment"),
    [
        ({"fact": "person.age", "op": "between", "value": 3}, "unknown operator"),
        ({"all": []}, "non-empty list"),
        ({"at_least": 3, "of": [{"fact": "red_flag.q_visceral"}]}, "needs at least 3"),
        ({"fact": "red_flag.q_visceral", "value": True, "extra": 1}, "unrecognised"),
        ("red_flag.q_visceral", "must be a mapping"),
    ],
)
def test_malformed_condition_is_rejected_naming_file_and_rule(
    tmp_path: Path,
    source_checker: SourceChecker,
    vocabulary: Vocabulary,
    when: object,
    fragment: str,
) -> None:
    doc = minimal_doc()
    rule_named(doc, "r_visceral")["when"] = when
    err = rejects(tmp_path, doc, source_checker, vocabulary)
    assert err.location == f"{FILE}: r_visceral.when"
    assert "malformed condition" in err.problem
    assert fragment in err.problem


def test_unknown_rule_source_is_rejected_naming_file_and_rule(
    tmp_path: Path, source_checker: SourceChecker, vocabulary: Vocabulary
) -> None:
    doc = minimal_doc()
    rule_named(doc, "r_vascular")["source"] = "nobody-2099"
    err = rejects(tmp_path, doc, source_checker, vocabulary)
    assert err.location == f"{FILE}: r_vascular.source"
    assert "nobody-2099" in err.problem


def test_unknown_question_source_is_rejected(
    tmp_path: Path, source_checker: SourceChecker, vocabulary: Vocabulary
) -> None:
    doc = minimal_doc()
    doc["questions"][0]["source"] = "nobody-2099"
    err = rejects(tmp_path, doc, source_checker, vocabulary)
    assert err.location == f"{FILE}: q_cauda_equina.source"


def test_duplicate_ids_are_rejected(
    tmp_path: Path, source_checker: SourceChecker, vocabulary: Vocabulary
) -> None:
    doc = minimal_doc()
    doc["rules"].append(copy.deepcopy(rule_named(doc, "r_fracture")))
    err = rejects(tmp_path, doc, source_checker, vocabulary)
    assert err.location == f"{FILE}: r_fracture"
    assert "duplicate rule id" in err.problem

    doc = minimal_doc()
    doc["questions"].append(copy.deepcopy(doc["questions"][1]))
    err = rejects(tmp_path, doc, source_checker, vocabulary)
    assert err.location == f"{FILE}: q_cord_compression"
    assert "duplicate question id" in err.problem


def test_every_category_needs_a_rule(
    tmp_path: Path, source_checker: SourceChecker, vocabulary: Vocabulary
) -> None:
    doc = minimal_doc()
    doc["rules"] = [r for r in doc["rules"] if r["category"] != "visceral"]
    doc["questions"] = [q for q in doc["questions"] if q["category"] != "visceral"]
    err = rejects(tmp_path, doc, source_checker, vocabulary)
    assert err.location == f"{FILE}: rules"
    assert "visceral" in err.problem


def test_unknown_category_is_rejected(
    tmp_path: Path, source_checker: SourceChecker, vocabulary: Vocabulary
) -> None:
    doc = minimal_doc()
    rule_named(doc, "r_radicular")["category"] = "gout"
    err = rejects(tmp_path, doc, source_checker, vocabulary)
    assert err.location == f"{FILE}: r_radicular.category"


def test_a_question_no_rule_uses_is_rejected(
    tmp_path: Path, source_checker: SourceChecker, vocabulary: Vocabulary
) -> None:
    doc = minimal_doc()
    doc["questions"].append({"id": "orphan", "text": "Unused?", "help": "Help.", "category": "infection"})
    err = rejects(tmp_path, doc, source_checker, vocabulary)
    assert err.location == f"{FILE}: orphan"


def test_every_level_needs_an_action_text(
    tmp_path: Path, source_checker: SourceChecker, vocabulary: Vocabulary
) -> None:
    doc = minimal_doc()
    del doc["level_actions"]["soon"]
    err = rejects(tmp_path, doc, source_checker, vocabulary)
    assert err.location == f"{FILE}: level_actions"
    assert "soon" in err.problem


def test_schema_errors_name_the_key(
    tmp_path: Path, source_checker: SourceChecker, vocabulary: Vocabulary
) -> None:
    doc = minimal_doc()
    doc["rules"][0]["level"] = "whenever"
    err = rejects(tmp_path, doc, source_checker, vocabulary)
    assert err.location == f"{FILE}: rules.0.level"

    doc = minimal_doc()
    doc["questions"][0]["id"] = "Saddle-Numbness"
    err = rejects(tmp_path, doc, source_checker, vocabulary)
    assert err.location == f"{FILE}: questions.0.id"

    doc = minimal_doc()
    doc["safety_net"] = []
    err = rejects(tmp_path, doc, source_checker, vocabulary)
    assert err.location == f"{FILE}: safety_net"
