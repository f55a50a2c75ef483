"""Mechanisms (what provokes the pain) and the weighted rules that point to them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from backmech.domain.conditions import Condition
from backmech.domain.types import SourceId


class MechanismKind(StrEnum):
    """How a conclusion is reported.

    ``primary`` mechanisms compete for the dominant label; ``deficit`` is the
    mobility-versus-stability axis; ``contributing`` factors sit beside them;
    ``psychosocial`` changes the whole approach; ``prediction_rule`` holds the
    clinical prediction rules, reported to the clinician as findings only.
    """

    PRIMARY = "primary"
    DEFICIT = "deficit"
    CONTRIBUTING = "contributing"
    PSYCHOSOCIAL = "psychosocial"
    PREDICTION_RULE = "prediction_rule"


@dataclass(frozen=True, slots=True)
class Mechanism:
    """A mechanism with its plain-language explanation and reporting thresholds."""

    id: str
    kind: MechanismKind
    name: str
    explanation: str
    """For the person: what this means, in plain words."""
    clinician_note: str
    report_threshold: float
    """Minimum evidence score for the mechanism to be reported."""
    full_confidence_score: float
    """Score at which the evidence counts as complete (confidence 1 before coverage)."""
    source: SourceId
    emphasis: str = ""
    """Session emphasis this mechanism argues for: ``stable``, ``mobile`` or empty."""
    avoid: tuple[AvoidAdvice, ...] = ()
    discriminating_test: str = ""
    """The examination that best confirms or refutes this mechanism when it is uncertain."""
    overrides_avoid: tuple[str, ...] = ()
    """Mechanisms whose avoid-advice this one replaces when both are found (a sensitised,
    multidirectional picture calls for relaxed movement, not strict direction rules)."""


@dataclass(frozen=True)  # no __slots__: serialised in every plan (orjson __dict__ fast path)
class AvoidAdvice:
    """Something to avoid for now, what to do instead, and why."""

    what: str
    instead: str
    why: str
    source: SourceId


@dataclass(frozen=True, slots=True)
class EvidenceRule:
    """``when`` holds → add ``weight`` to ``mechanism``'s score, with a rationale."""

    id: str
    mechanism: str
    weight: float
    when: Condition
    rationale: str
    source: SourceId
    decisive: bool = False
    """When it holds, its mechanism is dominant whatever the other scores
    (e.g. the radicular label, clinical reference 6.2)."""
    fact_ids: tuple[str, ...] = ()
    """The facts ``when`` reads, sorted; set by the loader for missing-evidence reports."""


@dataclass(frozen=True, slots=True)
class PredictionRule:
    """A clinical prediction rule: positive when ``at_least`` of ``criteria`` hold."""

    id: str
    name: str
    at_least: int
    criteria: tuple[tuple[str, Condition], ...]
    """(criterion label, condition) pairs."""
    interpretation: str
    source: SourceId


@dataclass(frozen=True)
class MechanismCatalogue:
    """All mechanisms, evidence rules and prediction rules of the knowledge base."""

    mechanisms: Mapping[str, Mechanism]
    rules: tuple[EvidenceRule, ...]
    prediction_rules: tuple[PredictionRule, ...]
    dominance_margin: float
    dominance_source: SourceId
    confidence_labels: tuple[tuple[float, str], ...] = ((0.7, "high"), (0.4, "moderate"), (0.0, "low"))
    """(floor, label) pairs, highest first, from ``rules/mechanisms.yaml``."""
    confidence_source: SourceId = ""

    def ids(self) -> set[str]:
        return set(self.mechanisms)

    def rules_by_mechanism(self) -> Mapping[str, list[EvidenceRule]]:
        """Rules grouped by mechanism, in file order (computed once, then cached)."""
        cached = self.__dict__.get("_by_mechanism")
        if cached is None:
            cached = {}
            for rule in self.rules:
                cached.setdefault(rule.mechanism, []).append(rule)
            object.__setattr__(self, "_by_mechanism", cached)
        return cached
