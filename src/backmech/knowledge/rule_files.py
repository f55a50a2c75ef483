"""Mechanism catalogue and evidence rules: ``rules/mechanisms.yaml``, ``rules/evidence.yaml``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from backmech.domain.errors import KnowledgeError
from backmech.domain.facts import Vocabulary
from backmech.domain.mechanism.model import (
    AvoidAdvice,
    EvidenceRule,
    Mechanism,
    MechanismCatalogue,
    MechanismKind,
    PredictionRule,
)
from backmech.knowledge.exercise_files import SlugStr
from backmech.knowledge.files import (
    SourceChecker,
    StrictModel,
    parse,
    read_yaml,
    relative,
    rule_condition,
)


class AvoidEntry(StrictModel):
    what: str
    instead: str
    why: str
    source: str


class MechanismEntry(StrictModel):
    id: SlugStr
    kind: MechanismKind
    name: str
    explanation: str
    clinician_note: str
    report_threshold: float = Field(gt=0)
    full_confidence_score: float = Field(gt=0)
    source: str
    emphasis: str = Field(default="", pattern=r"^(|stable|mobile)$")
    avoid: list[AvoidEntry] = Field(default_factory=list)
    discriminating_test: str = ""
    overrides_avoid: list[str] = Field(default_factory=list)


class Dominance(StrictModel):
    margin: float = Field(gt=0)
    source: str


class ConfidenceLabels(StrictModel):
    high: float = Field(gt=0, le=1)
    moderate: float = Field(gt=0, le=1)


class Confidence(StrictModel):
    labels: ConfidenceLabels
    source: str
    thresholds_source: str


class MechanismFile(StrictModel):
    dominance: Dominance
    confidence: Confidence
    mechanisms: list[MechanismEntry]


class RuleEntry(StrictModel):
    id: SlugStr
    mechanism: str
    weight: float
    when: dict[str, Any]
    rationale: str
    source: str
    decisive: bool = False


class CriterionEntry(StrictModel):
    label: str
    when: dict[str, Any]


class PredictionRuleEntry(StrictModel):
    id: SlugStr
    name: str
    at_least: int = Field(ge=1)
    criteria: list[CriterionEntry] = Field(min_length=1)
    interpretation: str
    source: str


class EvidenceFile(StrictModel):
    rules: list[RuleEntry]
    prediction_rules: list[PredictionRuleEntry] = Field(default_factory=list)


def load_mechanisms(
    mechanisms_path: Path,
    evidence_paths: list[Path],
    root: Path,
    sources: SourceChecker,
    vocabulary: Vocabulary,
) -> MechanismCatalogue:
    """Mechanisms plus the rules of every evidence file, every fact and source checked."""
    mwhere = relative(mechanisms_path, root)
    mdoc = parse(MechanismFile, read_yaml(mechanisms_path, root), mwhere)
    sources.check(mdoc.dominance.source, f"{mwhere}: dominance.source")
    sources.check(mdoc.confidence.source, f"{mwhere}: confidence.source")
    sources.check(mdoc.confidence.thresholds_source, f"{mwhere}: confidence.thresholds_source")
    labels = mdoc.confidence.labels
    if labels.moderate >= labels.high:
        raise KnowledgeError(f"{mwhere}: confidence.labels", "moderate must be below high")
    mechanisms: dict[str, Mechanism] = {}
    for entry in mdoc.mechanisms:
        loc = f"{mwhere}: {entry.id}"
        if entry.id in mechanisms:
            raise KnowledgeError(loc, "duplicate mechanism id")
        sources.check(entry.source, f"{loc}.source")
        avoid = []
        for i, a in enumerate(entry.avoid):
            sources.check(a.source, f"{loc}.avoid[{i}].source")
            avoid.append(AvoidAdvice(a.what, a.instead, a.why, a.source))
        mechanisms[entry.id] = Mechanism(
            id=entry.id,
            kind=entry.kind,
            name=entry.name,
            explanation=entry.explanation,
            clinician_note=entry.clinician_note,
            report_threshold=entry.report_threshold,
            full_confidence_score=entry.full_confidence_score,
            source=entry.source,
            emphasis=entry.emphasis,
            avoid=tuple(avoid),
            discriminating_test=entry.discriminating_test,
            overrides_avoid=tuple(entry.overrides_avoid),
        )

    for mech in mechanisms.values():
        for other in mech.overrides_avoid:
            if other not in mechanisms:
                raise KnowledgeError(f"{mwhere}: {mech.id}.overrides_avoid", f"unknown mechanism {other!r}")
    rules: list[EvidenceRule] = []
    prediction_rules: list[PredictionRule] = []
    seen: set[str] = set()
    for evidence_path in evidence_paths:
        ewhere = relative(evidence_path, root)
        edoc = parse(EvidenceFile, read_yaml(evidence_path, root), ewhere)
        for rule_entry in edoc.rules:
            loc = f"{ewhere}: {rule_entry.id}"
            if rule_entry.id in seen:
                raise KnowledgeError(loc, "duplicate rule id")
            seen.add(rule_entry.id)
            if rule_entry.mechanism not in mechanisms:
                raise KnowledgeError(f"{loc}.mechanism", f"unknown mechanism {rule_entry.mechanism!r}")
            if rule_entry.weight == 0:
                raise KnowledgeError(f"{loc}.weight", "a weight of 0 has no effect")
            sources.check(rule_entry.source, f"{loc}.source")
            rules.append(
                EvidenceRule(
                    id=rule_entry.id,
                    mechanism=rule_entry.mechanism,
                    weight=rule_entry.weight,
                    when=(when := rule_condition(rule_entry.when, f"{loc}.when", vocabulary)),
                    fact_ids=tuple(sorted(when.fact_ids())),
                    rationale=rule_entry.rationale,
                    source=rule_entry.source,
                    decisive=rule_entry.decisive,
                )
            )
        for pr_entry in edoc.prediction_rules:
            loc = f"{ewhere}: prediction_rules.{pr_entry.id}"
            if (
                pr_entry.id not in mechanisms
                or mechanisms[pr_entry.id].kind is not MechanismKind.PREDICTION_RULE
            ):
                raise KnowledgeError(loc, "needs a mechanism of kind prediction_rule with the same id")
            if pr_entry.at_least > len(pr_entry.criteria):
                raise KnowledgeError(f"{loc}.at_least", "is larger than the number of criteria")
            sources.check(pr_entry.source, f"{loc}.source")
            prediction_rules.append(
                PredictionRule(
                    id=pr_entry.id,
                    name=pr_entry.name,
                    at_least=pr_entry.at_least,
                    criteria=tuple(
                        (c.label, rule_condition(c.when, f"{loc}.criteria[{i}].when", vocabulary))
                        for i, c in enumerate(pr_entry.criteria)
                    ),
                    interpretation=pr_entry.interpretation,
                    source=pr_entry.source,
                )
            )
    ruled = {r.mechanism for r in rules} | {p.id for p in prediction_rules}
    unruled = sorted(set(mechanisms) - ruled)
    if unruled:
        raise KnowledgeError("rules/", f"mechanisms without any rule: {', '.join(unruled)}")
    return MechanismCatalogue(
        mechanisms=mechanisms,
        rules=tuple(rules),
        prediction_rules=tuple(prediction_rules),
        confidence_labels=((labels.high, "high"), (labels.moderate, "moderate"), (0.0, "low")),
        confidence_source=mdoc.confidence.source,
        dominance_margin=mdoc.dominance.margin,
        dominance_source=mdoc.dominance.source,
    )
