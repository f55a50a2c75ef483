"""Mechanism catalogue and evidence rules: ``rules/mechanisms.yaml``, ``rules/evidence.yaml``."""

from __future__ import annotations

from collections.abc import Mapping
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
    _check_catalogue_settings(mdoc, mwhere, sources)
    mechanisms = _mechanisms(mdoc.mechanisms, mwhere, sources)
    _check_overrides(mechanisms, mwhere)
    rules: list[EvidenceRule] = []
    prediction_rules: list[PredictionRule] = []
    seen: set[str] = set()
    for evidence_path in evidence_paths:
        file_rules, file_prediction_rules = _evidence_file(
            evidence_path, root, sources, vocabulary, mechanisms, seen
        )
        rules.extend(file_rules)
        prediction_rules.extend(file_prediction_rules)
    _check_every_mechanism_ruled(mechanisms, rules, prediction_rules)
    labels = mdoc.confidence.labels
    return MechanismCatalogue(
        mechanisms=mechanisms,
        rules=tuple(rules),
        prediction_rules=tuple(prediction_rules),
        confidence_labels=((labels.high, "high"), (labels.moderate, "moderate"), (0.0, "low")),
        confidence_source=mdoc.confidence.source,
        dominance_margin=mdoc.dominance.margin,
        dominance_source=mdoc.dominance.source,
    )


def _check_catalogue_settings(mdoc: MechanismFile, mwhere: str, sources: SourceChecker) -> None:
    """Dominance and confidence labels are shown to people, so they need sources and a sane order."""
    sources.check(mdoc.dominance.source, f"{mwhere}: dominance.source")
    sources.check(mdoc.confidence.source, f"{mwhere}: confidence.source")
    sources.check(mdoc.confidence.thresholds_source, f"{mwhere}: confidence.thresholds_source")
    labels = mdoc.confidence.labels
    if labels.moderate >= labels.high:
        raise KnowledgeError(f"{mwhere}: confidence.labels", "moderate must be below high")


def _mechanism(entry: MechanismEntry, loc: str, sources: SourceChecker) -> Mechanism:
    """A mechanism and each piece of its avoid advice reach the person, so each is cited."""
    sources.check(entry.source, f"{loc}.source")
    avoid = []
    for i, a in enumerate(entry.avoid):
        sources.check(a.source, f"{loc}.avoid[{i}].source")
        avoid.append(AvoidAdvice(a.what, a.instead, a.why, a.source))
    return Mechanism(
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


def _mechanisms(entries: list[MechanismEntry], mwhere: str, sources: SourceChecker) -> dict[str, Mechanism]:
    """Rules and exercises refer to mechanisms by id, so a repeated id would be ambiguous."""
    mechanisms: dict[str, Mechanism] = {}
    for entry in entries:
        loc = f"{mwhere}: {entry.id}"
        if entry.id in mechanisms:
            raise KnowledgeError(loc, "duplicate mechanism id")
        mechanisms[entry.id] = _mechanism(entry, loc, sources)
    return mechanisms


def _check_overrides(mechanisms: Mapping[str, Mechanism], mwhere: str) -> None:
    """An override naming no mechanism would silently keep advice the author meant to drop."""
    for mech in mechanisms.values():
        for other in mech.overrides_avoid:
            if other not in mechanisms:
                raise KnowledgeError(f"{mwhere}: {mech.id}.overrides_avoid", f"unknown mechanism {other!r}")


def _evidence_file(
    path: Path,
    root: Path,
    sources: SourceChecker,
    vocabulary: Vocabulary,
    mechanisms: Mapping[str, Mechanism],
    seen: set[str],
) -> tuple[list[EvidenceRule], list[PredictionRule]]:
    """One evidence file; ``seen`` spans all files because traces name a rule by its id alone."""
    ewhere = relative(path, root)
    edoc = parse(EvidenceFile, read_yaml(path, root), ewhere)
    rules = []
    for rule_entry in edoc.rules:
        loc = f"{ewhere}: {rule_entry.id}"
        if rule_entry.id in seen:
            raise KnowledgeError(loc, "duplicate rule id")
        seen.add(rule_entry.id)
        rules.append(_evidence_rule(rule_entry, loc, sources, vocabulary, mechanisms))
    prediction_rules = [
        _prediction_rule(
            pr_entry, f"{ewhere}: prediction_rules.{pr_entry.id}", sources, vocabulary, mechanisms
        )
        for pr_entry in edoc.prediction_rules
    ]
    return rules, prediction_rules


def _evidence_rule(
    entry: RuleEntry,
    loc: str,
    sources: SourceChecker,
    vocabulary: Vocabulary,
    mechanisms: Mapping[str, Mechanism],
) -> EvidenceRule:
    """A rule for an unknown mechanism or with no weight would never change a conclusion."""
    if entry.mechanism not in mechanisms:
        raise KnowledgeError(f"{loc}.mechanism", f"unknown mechanism {entry.mechanism!r}")
    if entry.weight == 0:
        raise KnowledgeError(f"{loc}.weight", "a weight of 0 has no effect")
    sources.check(entry.source, f"{loc}.source")
    when = rule_condition(entry.when, f"{loc}.when", vocabulary)
    return EvidenceRule(
        id=entry.id,
        mechanism=entry.mechanism,
        weight=entry.weight,
        when=when,
        fact_ids=tuple(sorted(when.fact_ids())),
        rationale=entry.rationale,
        source=entry.source,
        decisive=entry.decisive,
    )


def _prediction_rule(
    entry: PredictionRuleEntry,
    loc: str,
    sources: SourceChecker,
    vocabulary: Vocabulary,
    mechanisms: Mapping[str, Mechanism],
) -> PredictionRule:
    """A prediction rule is reported as a mechanism, so it needs one of its kind to report as.

    A threshold above the number of criteria could never be met.
    """
    if entry.id not in mechanisms or mechanisms[entry.id].kind is not MechanismKind.PREDICTION_RULE:
        raise KnowledgeError(loc, "needs a mechanism of kind prediction_rule with the same id")
    if entry.at_least > len(entry.criteria):
        raise KnowledgeError(f"{loc}.at_least", "is larger than the number of criteria")
    sources.check(entry.source, f"{loc}.source")
    return PredictionRule(
        id=entry.id,
        name=entry.name,
        at_least=entry.at_least,
        criteria=tuple(
            (c.label, rule_condition(c.when, f"{loc}.criteria[{i}].when", vocabulary))
            for i, c in enumerate(entry.criteria)
        ),
        interpretation=entry.interpretation,
        source=entry.source,
    )


def _check_every_mechanism_ruled(
    mechanisms: Mapping[str, Mechanism], rules: list[EvidenceRule], prediction_rules: list[PredictionRule]
) -> None:
    """A mechanism no rule can score could never be found, which is a gap, not a choice."""
    ruled = {r.mechanism for r in rules} | {p.id for p in prediction_rules}
    unruled = sorted(set(mechanisms) - ruled)
    if unruled:
        raise KnowledgeError("rules/", f"mechanisms without any rule: {', '.join(unruled)}")
