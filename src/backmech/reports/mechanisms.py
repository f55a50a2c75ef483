"""Mechanism findings from the stored result, with their evidence in words and the rules' sources.

Each rule's facts are kept as structured hits; ``services.readable`` turns them into
phrases named by the fact vocabulary ("Sitting slumped makes the pain worse"), the same
words the CLI's HTML report uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from backmech.domain.conditions import LeafHit
from backmech.domain.evidence import RuleFiring
from backmech.domain.facts import Vocabulary
from backmech.domain.results.model import AssessmentResult
from backmech.services.readable import readable_evidence, readable_hit, readable_missing


@dataclass(frozen=True)
class EvidenceLine:
    rule_id: str
    rationale: str
    facts: str
    """The facts in words, for patients and letters."""
    conditions: tuple[str, ...]
    """The same facts as ``fact op value`` strings, for the clinician tracing a rule."""
    source: str
    weight: float | None


@dataclass(frozen=True)
class MechanismView:
    id: str
    name: str
    kind: str
    confidence: float | None
    confidence_label: str
    explanation: str
    clinician_note: str
    source: str
    dominant: bool
    evidence: list[EvidenceLine]
    against: list[EvidenceLine]
    missing: str
    score: float | None = None
    contributing: bool = False
    """A contributing factor (hips, glutes, fear of movement…) rather than a mechanism."""


def _line(vocab: Vocabulary, firing: RuleFiring) -> EvidenceLine:
    return EvidenceLine(
        rule_id=firing.rule_id,
        rationale=firing.rationale,
        facts=readable_evidence(vocab, firing.hits, firing.facts),
        conditions=firing.facts,
        source=firing.source,
        weight=firing.weight,
    )


def mechanism_views(
    result: AssessmentResult | None, vocab: Vocabulary, *, contributing: bool = False
) -> list[MechanismView]:
    """The reported mechanisms, dominant first, as the result ranked them (then the contributing factors).

    The one rendering of a mechanism and its evidence in words, for the reports and the
    clinician's pages alike.
    """
    if result is None:
        return []
    dominant = result.classification.dominant
    found = [(m, False) for m in result.mechanisms]
    if contributing:
        found += [(m, True) for m in result.contributing_factors]
    views = [
        MechanismView(
            id=m.id,
            name=m.name or m.id,
            kind=str(m.kind),
            confidence=m.confidence,
            confidence_label=m.confidence_label,
            explanation=m.explanation,
            clinician_note=m.clinician_note,
            source=m.source,
            dominant=m.id == dominant,
            evidence=[_line(vocab, e) for e in m.evidence],
            against=[_line(vocab, e) for e in m.against],
            missing=readable_missing(vocab, m.missing_evidence),
            score=m.score,
            contributing=is_contributing,
        )
        for m, is_contributing in found
    ]
    return sorted(views, key=lambda v: (v.contributing, not v.dominant))


def mechanisms(result: AssessmentResult | None, vocab: Vocabulary) -> list[MechanismView]:
    """The reported mechanisms (no contributing factors), dominant first."""
    return mechanism_views(result, vocab)


def finding_lines(findings: Mapping[str, object], vocab: Vocabulary) -> list[str]:
    """Examination or video findings (fact id → value) in words."""
    lines = []
    for fact, value in findings.items():
        if isinstance(value, bool | int | float | str):
            lines.append(readable_hit(vocab, LeafHit(fact=fact, op="eq", expected=value, actual=value)))
    return lines
