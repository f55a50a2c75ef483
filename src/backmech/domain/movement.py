"""What a movement test measures, in the engine's own terms: metrics, findings, phases, events, view.

A *metric* is a measurement with its unit, a 0-1 confidence, the normal range it should be
read against and the source of that range. A *finding* is a fact of the engine's vocabulary
(``knowledge/facts.yaml``) with the reason it was set and the source of the threshold
behind it, so every conclusion drawn from a video can be traced back to a number and a
citation. Metrics that could not be measured have ``value=None``.

The movement tests (``backmech.motion.protocols``) produce these; an assessment keeps them
in its :class:`~backmech.domain.results.model.MovementReport`. One owner, one shape.
"""

from __future__ import annotations

from backmech.domain.records import record
from backmech.domain.types import FactValue


@record
class Metric:
    """One measured quantity of a test (e.g. largest trunk flexion, 104 degrees)."""

    id: str
    name: str
    value: float | None
    unit: str
    confidence: float
    """0-1: share of the repetitions and frames behind the value, times landmark quality."""
    normal: str
    """How to read the value (normal range, or 'compare with your own earlier videos')."""
    source: str


@record
class Event:
    """Something that happened at a moment: a repetition peak, a catch, a heel strike."""

    time: float
    kind: str
    detail: str


@record
class Phase:
    """A named stretch of the recording (e.g. ``rep 2 descent``)."""

    name: str
    start: float
    end: float


@record
class Finding:
    """A fact for the clinical engine, with the reason and the source of its threshold."""

    fact: str
    value: FactValue
    reason: str
    source: str


@record
class ViewCheck:
    """Was the recording usable: the view seen, and what to change if not."""

    ok: bool
    view: str
    """``side``, ``front`` or ``unknown``."""
    problems: tuple[str, ...]
    """Messages that say exactly what to change ("Turn side-on to the camera.")."""
