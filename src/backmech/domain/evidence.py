"""Sources and evidence traces: every conclusion carries the facts and papers behind it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from backmech.domain.conditions import LeafHit
from backmech.domain.records import record


class EvidenceLevel(StrEnum):
    """Evidence labels of the clinical reference (clinical.md section 0).

    ``heuristic`` marks an implementation choice with no published threshold; the
    product labels such numbers as heuristics wherever they are shown.
    """

    GUIDELINE = "guideline"
    SYSTEMATIC_REVIEW = "systematic_review"
    RCT = "rct"
    COHORT = "cohort"
    EXPERT = "expert"
    HEURISTIC = "heuristic"


@dataclass(frozen=True, slots=True)
class Source:
    """A bibliography entry that clinical numbers and rules point to by id."""

    id: str
    citation: str
    level: EvidenceLevel
    url: str = ""
    note: str = ""


@record
class RuleFiring:
    """One rule that held for a person: why it counts, and the facts it rested on."""

    rule_id: str
    weight: float
    rationale: str
    source: str
    facts: tuple[str, ...]
    """``fact op value (was …)`` strings of the leaves that held (for clinicians and logs)."""
    hits: tuple[LeafHit, ...] = ()
    """The same leaves as data: fact id, operator, expected and actual value."""
