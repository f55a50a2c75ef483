"""Mechanism classification: ranking, dominance margin, evidence traces, missing evidence."""

from __future__ import annotations

from backmech.domain.conditions import Leaf
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.mechanism.classification import classify
from backmech.domain.mechanism.model import (
    EvidenceRule,
    Mechanism,
    MechanismCatalogue,
    MechanismKind,
    PredictionRule,
)


def _mech(mid: str, kind: MechanismKind = MechanismKind.PRIMARY, emphasis: str = "") -> Mechanism:
    return Mechanism(
        id=mid,
        kind=kind,
        name=mid.title(),
        explanation="",
        clinician_note="",
        report_threshold=2,
        full_confidence_score=4,
        source="s",
        emphasis=emphasis,
        discriminating_test=f"test for {mid}",
    )


def _rule(rid: str, mech: str, weight: float, fact: str, decisive: bool = False) -> EvidenceRule:
    return EvidenceRule(
        rid, mech, weight, Leaf(fact, "eq", True), f"because {fact}", "s", decisive=decisive, fact_ids=(fact,)
    )


CATALOGUE = MechanismCatalogue(
    mechanisms={
        m.id: m
        for m in (
            _mech("a", emphasis="stable"),
            _mech("b", emphasis="mobile"),
            _mech("r"),
            _mech("mob", MechanismKind.DEFICIT, "mobile"),
            _mech("stab", MechanismKind.DEFICIT, "stable"),
            _mech("hip", MechanismKind.CONTRIBUTING),
            _mech("cpr", MechanismKind.PREDICTION_RULE),
        )
    },
    rules=(
        _rule("a1", "a", 2, "fa1"),
        _rule("a2", "a", 2, "fa2"),
        _rule("a-against", "a", -2, "fa3"),
        _rule("b1", "b", 2, "fb1"),
        _rule("b2", "b", 1, "fb2"),
        _rule("r1", "r", 2, "fr1", decisive=True),
        _rule("m1", "mob", 3, "fm1"),
        _rule("s1", "stab", 3, "fs1"),
        _rule("h1", "hip", 2, "fh1"),
    ),
    prediction_rules=(
        PredictionRule(
            "cpr",
            "CPR",
            2,
            (("x", Leaf("c1", "eq", True)), ("y", Leaf("c2", "eq", True)), ("z", Leaf("c3", "eq", True))),
            "",
            "s",
        ),
    ),
    dominance_margin=2,
    dominance_source="s",
)


def test_clear_dominant_with_evidence_trace() -> None:
    result = classify(CATALOGUE, {"fa1": True, "fa2": True, "fb1": True, "fb2": False})
    assert result.status == "clear" and result.dominant == "a"
    top = result.mechanisms[0]
    assert top.id == "a" and top.score == 4
    assert [e.rule_id for e in top.evidence] == ["a1", "a2"]
    assert top.evidence[0].facts == ("fa1 eq True (was True)",)
    assert top.missing_evidence == ("fa3",)  # unknown, could have counted against
    assert result.emphasis == "stable"


def test_within_margin_is_mixed_with_discriminating_tests() -> None:
    result = classify(CATALOGUE, {"fa1": True, "fb1": True, "fb2": True})
    assert result.status == "mixed" and result.dominant is None
    assert set(result.candidates) == {"a", "b"}
    assert set(result.discriminating_tests) == {"test for a", "test for b"}


def test_evidence_against_lowers_the_score() -> None:
    result = classify(CATALOGUE, {"fa1": True, "fa2": True, "fa3": True})
    assert result.mechanisms == () or result.mechanisms[0].score == 2
    assert result.mechanisms[0].against[0].rule_id == "a-against"


def test_decisive_rule_wins_regardless_of_scores() -> None:
    result = classify(CATALOGUE, {"fa1": True, "fa2": True, "fr1": True})
    assert result.dominant == "r" and result.mechanisms[0].id == "r"


def test_nothing_known_is_insufficient_not_a_guess() -> None:
    result = classify(CATALOGUE, {})
    assert result.status == "insufficient" and result.mechanisms == ()


def test_confidence_drops_when_evidence_is_missing() -> None:
    full = classify(CATALOGUE, {"fa1": True, "fa2": True, "fa3": False}).mechanisms[0]
    partial = classify(CATALOGUE, {"fa1": True, "fa2": True}).mechanisms[0]
    assert full.confidence > partial.confidence


def test_contributing_and_prediction_rules_reported_separately() -> None:
    result = classify(CATALOGUE, {"fh1": True, "c1": True, "c2": True})
    assert [c.id for c in result.contributing] == ["hip"]
    assert result.prediction_rules[0].status == "positive"
    assert result.prediction_rules[0].criteria_met == ("x", "y")
    assert classify(CATALOGUE, {"c1": True}).prediction_rules[0].status == "indeterminate"
    assert classify(CATALOGUE, {"c1": False, "c2": False}).prediction_rules[0].status == "negative"
    assert "cpr" in result.found_ids() and "hip" in result.found_ids()


def test_moderate_deficit_sets_session_emphasis() -> None:
    assert classify(CATALOGUE, {"fa1": True, "fa2": True, "fm1": True}).emphasis == "mobile"
    assert classify(CATALOGUE, {"fm1": True, "fs1": True}).emphasis == "balanced"


def test_bundled_rules_flexion_pattern(kb: KnowledgeBase) -> None:
    facts = {
        "aggravated_by.sitting_slumped": True,
        "aggravated_by.bending_forward": True,
        "eased_by.walking": True,
        "derived.directional_preference": "extension",
    }
    result = classify(kb.mechanisms, facts)
    assert result.dominant == "flexion-intolerance"
    assert "directional-preference-extension" in {m.id for m in result.mechanisms}
