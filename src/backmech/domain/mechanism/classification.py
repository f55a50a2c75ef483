"""Classify the mechanism of pain from facts, with the evidence trace behind each conclusion.

Each mechanism collects the weights of its rules that hold. A mechanism is
reported when its score reaches its threshold; the dominant one must lead the
runner-up by the dominance margin, otherwise the picture is called *mixed* and
the tests that would separate the candidates are named (clinical reference 6.2).
Rules that could not be decided because a fact was missing are listed as missing
evidence, and lower the confidence: honest about what was not asked.
"""

from __future__ import annotations

from backmech.domain.conditions import AtLeast, LeafHit, Truth
from backmech.domain.evidence import RuleFiring
from backmech.domain.mechanism.model import (
    EvidenceRule,
    Mechanism,
    MechanismCatalogue,
    MechanismKind,
    PredictionRule,
)
from backmech.domain.records import record
from backmech.domain.types import Facts


@record
class MechanismFinding:
    """One reported mechanism: score, confidence, and the rules that support it."""

    id: str
    kind: MechanismKind
    name: str
    score: float
    confidence: float
    confidence_label: str
    explanation: str
    clinician_note: str
    evidence: tuple[RuleFiring, ...]
    against: tuple[RuleFiring, ...]
    missing_evidence: tuple[str, ...]
    """Facts that were unknown and could have added to (or taken from) the score."""
    source: str
    decisive: bool = False


@record
class PredictionRuleResult:
    """A clinical prediction rule: how many criteria held, and whether it is positive."""

    id: str
    name: str
    status: str
    """``positive``, ``negative`` or ``indeterminate`` (too many criteria unknown)."""
    criteria_met: tuple[str, ...]
    criteria_unknown: tuple[str, ...]
    at_least: int
    total: int
    interpretation: str
    source: str


@record
class Classification:
    """The whole conclusion: ranked mechanisms, contributing factors and prediction rules."""

    mechanisms: tuple[MechanismFinding, ...]
    """Primary, deficit and psychosocial conclusions, strongest first."""
    contributing: tuple[MechanismFinding, ...]
    prediction_rules: tuple[PredictionRuleResult, ...]
    dominant: str | None
    """Id of the dominant primary mechanism, or None when mixed or unclear."""
    status: str
    """``clear``, ``mixed`` or ``insufficient`` (nothing reached its threshold)."""
    candidates: tuple[str, ...]
    """When mixed: the primary mechanisms within the margin of the leader."""
    discriminating_tests: tuple[str, ...]
    emphasis: str
    """Session emphasis: ``stable``, ``mobile`` or ``balanced``."""
    margin_source: str

    def found_ids(self) -> frozenset[str]:
        """Every reported mechanism and contributing factor (for contraindication filters)."""
        ids = {m.id for m in self.mechanisms} | {c.id for c in self.contributing}
        ids |= {p.id for p in self.prediction_rules if p.status == "positive"}
        return frozenset(ids)


def _firing(rule: EvidenceRule, held: tuple[LeafHit, ...]) -> RuleFiring:
    return RuleFiring(
        rule.id, rule.weight, rule.rationale, rule.source, tuple(h.describe() for h in held), held
    )


def _score(rules: list[EvidenceRule], facts: Facts) -> tuple[float, bool, list[Truth]]:
    """Fast pass: the score, whether a decisive rule held, and each rule's truth."""
    score = 0.0
    decisive = False
    truths: list[Truth] = []
    for rule in rules:
        value = rule.when.truth(facts)
        truths.append(value)
        if value is True:
            score += rule.weight
            decisive = decisive or rule.decisive
    return score, decisive, truths


def _assess(
    mech: Mechanism,
    rules: list[EvidenceRule],
    truths: list[Truth],
    facts: Facts,
    labels: tuple[tuple[float, str], ...],
) -> MechanismFinding:
    """Full pass for a reported mechanism: evidence for and against, and what was unknown."""
    support: list[RuleFiring] = []
    against: list[RuleFiring] = []
    missing: list[str] = []
    score = 0.0
    decided = 0
    decisive = False
    for rule, value in zip(rules, truths, strict=True):
        if value is None:
            missing.extend(f for f in rule.fact_ids if f not in facts and f not in missing)
            continue
        decided += 1
        if value:
            outcome = rule.when.evaluate(facts)
            score += rule.weight
            firing = _firing(rule, outcome.held)
            (support if rule.weight > 0 else against).append(firing)
            decisive = decisive or rule.decisive
    coverage = decided / len(rules) if rules else 0.0
    strength = max(0.0, min(1.0, score / mech.full_confidence_score))
    confidence = round(strength * (0.5 + 0.5 * coverage), 2)
    label = next((name for floor, name in labels if confidence >= floor), labels[-1][1])
    return MechanismFinding(
        id=mech.id,
        kind=mech.kind,
        name=mech.name,
        score=score,
        confidence=confidence,
        confidence_label=label,
        explanation=mech.explanation,
        clinician_note=mech.clinician_note,
        evidence=tuple(support),
        against=tuple(against),
        missing_evidence=tuple(missing),
        source=mech.source,
        decisive=decisive,
    )


def _prediction(rule: PredictionRule, facts: Facts) -> PredictionRuleResult:
    met: list[str] = []
    unknown: list[str] = []
    for label, condition in rule.criteria:
        value = condition.evaluate(facts).value
        if value is True:
            met.append(label)
        elif value is None:
            unknown.append(label)
    combined = AtLeast(rule.at_least, tuple(c for _, c in rule.criteria))
    value = combined.evaluate(facts).value
    status = {True: "positive", False: "negative", None: "indeterminate"}[value]
    return PredictionRuleResult(
        id=rule.id,
        name=rule.name,
        status=status,
        criteria_met=tuple(met),
        criteria_unknown=tuple(unknown),
        at_least=rule.at_least,
        total=len(rule.criteria),
        interpretation=rule.interpretation,
        source=rule.source,
    )


def _rank_key(f: MechanismFinding) -> tuple[int, float, float, str]:
    return (0 if f.decisive else 1, -f.score, -f.confidence, f.id)


def classify(catalogue: MechanismCatalogue, facts: Facts) -> Classification:
    """Evaluate every rule against ``facts`` and rank what was found. Deterministic."""
    by_mechanism = catalogue.rules_by_mechanism()

    reported: list[MechanismFinding] = []
    contributing: list[MechanismFinding] = []
    for mech_id, mech in catalogue.mechanisms.items():
        if mech.kind is MechanismKind.PREDICTION_RULE:
            continue
        rules = by_mechanism.get(mech_id, [])
        score, decisive, truths = _score(rules, facts)
        if score < mech.report_threshold and not decisive:
            continue
        finding = _assess(mech, rules, truths, facts, catalogue.confidence_labels)
        (contributing if mech.kind is MechanismKind.CONTRIBUTING else reported).append(finding)
    reported.sort(key=_rank_key)
    contributing.sort(key=_rank_key)

    primary = [f for f in reported if f.kind is MechanismKind.PRIMARY]
    dominant: str | None = None
    candidates: tuple[str, ...] = ()
    if not primary:
        status = "insufficient"
    elif (
        primary[0].decisive
        or len(primary) == 1
        or (primary[0].score - primary[1].score >= catalogue.dominance_margin)
    ):
        status = "clear"
        dominant = primary[0].id
    else:
        status = "mixed"
        candidates = tuple(f.id for f in primary if primary[0].score - f.score < catalogue.dominance_margin)
    tests: list[str] = []
    for mech_id in candidates or ((dominant,) if dominant else ()):
        finding = next(f for f in primary if f.id == mech_id)
        test = catalogue.mechanisms[mech_id].discriminating_test
        if test and (status == "mixed" or finding.confidence_label == "low") and test not in tests:
            tests.append(test)

    emphasis = _emphasis(catalogue, reported, dominant)

    return Classification(
        mechanisms=tuple(reported),
        contributing=tuple(contributing),
        prediction_rules=tuple(_prediction(r, facts) for r in catalogue.prediction_rules),
        dominant=dominant,
        status=status,
        candidates=candidates,
        discriminating_tests=tuple(tests),
        emphasis=emphasis,
        margin_source=catalogue.dominance_source,
    )


def _emphasis(catalogue: MechanismCatalogue, reported: list[MechanismFinding], dominant: str | None) -> str:
    """Stable, mobile or balanced sessions (source article D).

    A mobility/stability deficit that is at least moderately certain decides; a
    tie between the two deficits gives a balanced session. Otherwise the dominant
    mechanism's usual emphasis applies (e.g. stable for flexion intolerance).
    """
    deficits = [
        f for f in reported if f.kind is MechanismKind.DEFICIT and f.confidence_label in ("moderate", "high")
    ]
    if deficits:
        if len(deficits) > 1 and deficits[0].score == deficits[1].score:
            return "balanced"
        return catalogue.mechanisms[deficits[0].id].emphasis or "balanced"
    if dominant:
        return catalogue.mechanisms[dominant].emphasis or "balanced"
    return "balanced"
