"""What a movement test returns: metrics, findings (engine facts), phases, events, view check.

A *metric* is a measurement with its unit, a 0-1 confidence, the normal range it should be
read against and the source of that range. A *finding* is a fact of the engine's vocabulary
(``knowledge/facts.yaml``) with the reason it was set and the source of the threshold
behind it, so every conclusion drawn from a video can be traced back to a number and a
citation. Metrics that could not be measured have ``value=None`` and say why in ``notes``.
"""

from __future__ import annotations

from backmech.domain.movement import Event, Finding, Metric, Phase, ViewCheck
from backmech.domain.records import record
from backmech.domain.types import FactValue

__all__ = ["Event", "Finding", "Metric", "Phase", "TestResult", "ViewCheck"]


@record
class TestResult:
    """Everything one movement test measured in one recording."""

    test: str
    metrics: tuple[Metric, ...]
    findings: tuple[Finding, ...]
    repetitions: int
    phases: tuple[Phase, ...]
    events: tuple[Event, ...]
    detection_rate: float
    view: ViewCheck
    notes: tuple[str, ...]

    __test__ = False  # not a pytest test class, whatever its name says

    def facts(self) -> dict[str, FactValue]:
        """Findings as facts for the engine (the last finding for a fact wins)."""
        return {f.fact: f.value for f in self.findings}

    def metric(self, metric_id: str) -> Metric:
        """One metric by id; KeyError names the ids that exist."""
        for m in self.metrics:
            if m.id == metric_id:
                return m
        raise KeyError(f"{self.test} has no metric {metric_id!r} (has {[m.id for m in self.metrics]})")

    def value(self, metric_id: str) -> float | None:
        """The value of one metric (None when it could not be measured)."""
        return self.metric(metric_id).value
