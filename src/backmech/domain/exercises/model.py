"""Exercises as data: dose, ladders, and the mechanisms each suits or must avoid."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from backmech.domain.types import Slug, SourceId


class ExerciseCategory(StrEnum):
    """What an exercise is for; plans draw a balanced mix across categories."""

    CORE_ACTIVATION = "core_activation"
    STABILITY = "stability"
    MOBILITY = "mobility"
    GLUTE_HIP = "glute_hip"
    BREATHING = "breathing"
    WALKING = "walking"
    LOADING = "loading"
    RELIEF = "relief"
    NEURAL = "neural"
    BALANCE = "balance"
    POSTURE = "posture"
    GRADED_EXPOSURE = "graded_exposure"
    AVOID = "avoid"
    """Listed so it can be named in avoid-lists; never prescribed."""


@dataclass(frozen=True)  # no __slots__: orjson serialises __dict__ dataclasses 3x faster
class Dose:
    """A starting dose. ``pyramid`` is a descending rep scheme such as 6-4-2 (McGill)."""

    text: str
    sets: int | None = None
    reps: int | None = None
    per_side: bool = False
    hold_seconds: int | None = None
    rest_seconds: int | None = None
    minutes: float | None = None
    pyramid: tuple[int, ...] = ()
    frequency: str = "daily"
    source: SourceId = ""


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise of the library.

    ``suits`` and ``contraindicated`` hold mechanism ids. The plan generator never
    prescribes an exercise contraindicated for any mechanism found in a person.
    """

    slug: Slug
    name: str
    category: ExerciseCategory
    purpose: str
    targets: tuple[str, ...]
    instructions: tuple[str, ...]
    cues: tuple[str, ...]
    stop_if: tuple[str, ...]
    equipment: tuple[str, ...]
    position: str
    minutes: float
    dose: Dose
    progression: Slug | None
    regression: Slug | None
    suits: tuple[str, ...]
    contraindicated: tuple[str, ...]
    phases: tuple[int, ...]
    source: SourceId
    daily_routine: bool = False
    """Short and equipment-free enough for the 2-5 minute daily routine."""
    from_source_articles: bool = False
    note: str = ""
