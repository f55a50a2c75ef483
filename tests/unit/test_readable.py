"""Evidence shown to people is named by the vocabulary, not by fact ids."""

from __future__ import annotations

from backmech.domain.conditions import LeafHit
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.services.assessment import AssessmentService
from backmech.services.readable import readable_evidence, readable_hit, readable_missing


def test_hits_read_as_phrases(kb: KnowledgeBase) -> None:
    vocab = kb.vocabulary
    assert readable_hit(vocab, LeafHit("aggravated_by.sitting_slumped", "eq", True, True)) == (
        "Provoked by: sitting slumped, or in a soft couch or low car seat"
    )
    assert (
        readable_hit(vocab, LeafHit("person.age", "lt", 40, 33))
        == "Age in years (backmech is for adults): 33 years"
    )
    assert (
        readable_hit(vocab, LeafHit("pain.leg_pain", "in", {"left"}, "left")) == "Pain in a leg or legs: left"
    )
    assert readable_hit(vocab, LeafHit("pain.below_knee", "eq", False, False)).endswith(": no")
    assert readable_hit(vocab, LeafHit("no.such.fact", "eq", True, True)) == "no.such.fact eq True (was True)"
    assert readable_missing(vocab, ("examination.axial_load_provokes",)).startswith("Axial loading")


def test_every_finding_carries_structured_hits(service: AssessmentService) -> None:
    import json
    from pathlib import Path

    case = json.loads(
        (Path(__file__).resolve().parents[2] / "examples" / "rotation-control-golfer.json").read_text()
    )
    result = service.assess(case)
    for finding in (*result.mechanisms, *result.contributing_factors):
        for firing in finding.evidence:
            assert len(firing.hits) == len(firing.facts) >= 1
            text = readable_evidence(service.kb.vocabulary, firing.hits, firing.facts)
            assert "eq True" not in text
