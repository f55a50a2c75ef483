"""A movement test as the knowledge base describes it: what to do, how to film it, and the
thresholds and normal ranges (each with its source) that the protocol reads.

The numbers live in ``knowledge/movement_tests/*.yaml`` and are loaded by
``knowledge/movement_test_files.py``; protocols never hard-code a clinical threshold, so a
clinician can review and tune every number in one place, next to its citation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

View = Literal["side", "front"]


@dataclass(frozen=True)
class Threshold:
    """A number a protocol compares a measurement with."""

    value: float
    unit: str
    text: str
    """What crossing it means, in words."""
    source: str


@dataclass(frozen=True)
class MetricInfo:
    """How a metric is named and read."""

    name: str
    unit: str
    normal: str
    source: str


@dataclass(frozen=True)
class MovementTestSpec:
    """One movement test: instructions, camera set-up, expected view, thresholds, metrics."""

    id: str
    name: str
    purpose: str
    instructions: tuple[str, ...]
    camera: tuple[str, ...]
    views: tuple[View, ...]
    """Views the protocol can measure from; the first is the one to ask for."""
    repetitions: int
    """Repetitions (or holds per side) the person is asked for."""
    thresholds: Mapping[str, Threshold]
    metrics: Mapping[str, MetricInfo]
    source: str
    findings: tuple[str, ...] = field(default=())
    """Fact ids the test may report (checked against the vocabulary by the tests)."""

    @property
    def view(self) -> View:
        """The view to ask for."""
        return self.views[0]

    def threshold(self, key: str) -> Threshold:
        try:
            return self.thresholds[key]
        except KeyError:
            raise KeyError(f"movement test {self.id!r} has no threshold {key!r}") from None

    def value(self, key: str) -> float:
        """The number of a threshold."""
        return self.threshold(key).value

    def info(self, metric_id: str) -> MetricInfo:
        try:
            return self.metrics[metric_id]
        except KeyError:
            raise KeyError(f"movement test {self.id!r} does not describe metric {metric_id!r}") from None
