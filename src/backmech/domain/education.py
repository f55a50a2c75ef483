"""Education modules: plain-language explanations chosen for the person."""

from __future__ import annotations

from dataclasses import dataclass

from backmech.domain.types import Slug, SourceId


@dataclass(frozen=True, slots=True)
class EducationModule:
    """A short module. ``for_mechanisms`` and ``for_topics`` decide when it is offered."""

    slug: Slug
    title: str
    summary: str
    body: tuple[str, ...]
    """Paragraphs, written in our own words."""
    key_points: tuple[str, ...]
    reading_minutes: int
    for_mechanisms: tuple[str, ...]
    for_topics: tuple[str, ...]
    always: bool
    sources: tuple[SourceId, ...]


TOPICS = frozenset(
    {
        "pain_science",
        "spine_hygiene",
        "posture",
        "sitting",
        "sleep",
        "ergonomics",
        "stress",
        "pacing",
        "flare_ups",
        "fear_of_movement",
        "activity",
        "lifting",
        "imaging",
        "recovery_timeline",
        "breathing",
        "general_health",
    }
)
"""Education and lifestyle topics that modules and advice rules may be tagged with."""
