"""Mechanism findings from the stored result, with their evidence in words and the rules' sources.

Why rebuild the evidence here: the stored result keeps each rule's facts as
structured hits; ``services.readable`` turns them into phrases named by the fact
vocabulary ("Sitting slumped makes the pain worse"), the same words the CLI's HTML
report uses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backmech.domain.conditions import LeafHit
from backmech.domain.facts import Vocabulary
from backmech.services.readable import readable_evidence, readable_hit, readable_missing


@dataclass(frozen=True)
class EvidenceLine:
    rationale: str
    facts: str
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


def _hits(raw: object) -> tuple[LeafHit, ...]:
    """The stored hits (JSON) as the domain's ``LeafHit`` again; one with no plain value is left out."""
    if not isinstance(raw, Sequence):
        return ()
    return tuple(
        LeafHit(fact=str(h.get("fact")), op=str(h.get("op")), expected=h.get("expected"), actual=actual)
        for h in raw
        if isinstance(h, Mapping) and isinstance(actual := h.get("actual"), bool | int | float | str)
    )


def _line(vocab: Vocabulary, firing: Mapping[str, Any]) -> EvidenceLine:
    facts = tuple(str(f) for f in firing.get("facts") or [])
    weight = firing.get("weight")
    return EvidenceLine(
        rationale=str(firing.get("rationale") or ""),
        facts=readable_evidence(vocab, _hits(firing.get("hits")), facts),
        source=str(firing.get("source") or ""),
        weight=float(weight) if isinstance(weight, int | float) else None,
    )


def mechanisms(result: Mapping[str, Any], vocab: Vocabulary) -> list[MechanismView]:
    """The reported mechanisms, dominant first, as the stored result ranked them."""
    classification = result.get("classification")
    dominant = classification.get("dominant") if isinstance(classification, Mapping) else None
    views = []
    for m in result.get("mechanisms") or []:
        if not isinstance(m, Mapping):
            continue
        confidence = m.get("confidence")
        views.append(
            MechanismView(
                id=str(m.get("id")),
                name=str(m.get("name") or m.get("id")),
                kind=str(m.get("kind") or ""),
                confidence=float(confidence) if isinstance(confidence, int | float) else None,
                confidence_label=str(m.get("confidence_label") or ""),
                explanation=str(m.get("explanation") or ""),
                clinician_note=str(m.get("clinician_note") or ""),
                source=str(m.get("source") or ""),
                dominant=m.get("id") == dominant,
                evidence=[_line(vocab, e) for e in m.get("evidence") or [] if isinstance(e, Mapping)],
                against=[_line(vocab, e) for e in m.get("against") or [] if isinstance(e, Mapping)],
                missing=readable_missing(vocab, tuple(str(f) for f in m.get("missing_evidence") or [])),
            )
        )
    return sorted(views, key=lambda v: not v.dominant)


def finding_lines(findings: Mapping[str, Any], vocab: Vocabulary) -> list[str]:
    """Examination or video findings (fact id → value) in words."""
    lines = []
    for fact, value in findings.items():
        if isinstance(value, bool | int | float | str):
            lines.append(readable_hit(vocab, LeafHit(fact=fact, op="eq", expected=value, actual=value)))
    return lines
