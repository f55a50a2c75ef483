"""Evidence in words a person can read: facts named by their vocabulary description.

The result JSON keeps the exact trace (``fact op value (was …)``) for clinicians and
machines; reports show the same evidence as "Sitting slumped …: yes".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from backmech.domain.conditions import LeafHit
from backmech.domain.facts import FactKind, Vocabulary
from backmech.domain.results.model import ScoreReport


def readable_hit(vocabulary: Vocabulary, hit: LeafHit) -> str:
    """One piece of evidence as a short phrase, falling back to the raw trace."""
    spec = vocabulary.get(hit.fact)
    if spec is None:
        return hit.describe()
    label = spec.description.rstrip(".")
    if spec.kind is FactKind.BOOL:
        return label if hit.actual is True else f"{label}: no"
    if spec.kind is FactKind.NUMBER:
        unit = f" {spec.unit}" if spec.unit else ""
        value = f"{hit.actual:g}" if isinstance(hit.actual, float) else str(hit.actual)
        return f"{label}: {value}{unit}"
    return f"{label}: {str(hit.actual).replace('_', ' ')}"


def readable_evidence(vocabulary: Vocabulary, hits: tuple[LeafHit, ...], fallback: tuple[str, ...]) -> str:
    """The facts behind one rule, joined; the raw trace when no structured hits exist."""
    if not hits:
        return "; ".join(fallback)
    return "; ".join(readable_hit(vocabulary, h) for h in hits)


def readable_missing(vocabulary: Vocabulary, fact_ids: tuple[str, ...]) -> str:
    """Unknown facts named by what they mean, e.g. "Axial loading … reproduces the pain"."""
    names = []
    for fact_id in fact_ids:
        spec = vocabulary.get(fact_id)
        names.append(spec.description.rstrip(".") if spec else fact_id)
    return "; ".join(names)


class ScoreRow(NamedTuple):
    """One questionnaire as a report line."""

    instrument: str
    scores: str
    bands: str
    complete: bool


def score_rows(scores: Mapping[str, ScoreReport]) -> list[ScoreRow]:
    """Questionnaire scores as rows: "percent 35.6", "current: Moderate", complete or not."""
    rows: list[ScoreRow] = []
    for report in scores.values():
        values = ", ".join(
            f"{key.replace('_', ' ')} {value:.1f}"
            if isinstance(value, float)
            else f"{key.replace('_', ' ')} {value}"
            for key, value in report.values.items()
            if value is not None
        )
        band_text = ", ".join(f"{out.replace('_', ' ')}: {band.label}" for out, band in report.bands.items())
        rows.append(ScoreRow(report.instrument, values, band_text, report.complete))
    return rows
