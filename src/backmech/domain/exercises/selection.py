"""Choosing exercises for a person: what is allowed, and how relevant each one is.

The library is indexed once per knowledge base (:class:`ExerciseIndex`) so that
selection for each assessment touches only the mechanisms that were found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from backmech.domain.exercises.model import Exercise, ExerciseCategory
from backmech.domain.plans.model import SessionEntry


@dataclass(frozen=True)
class ExerciseIndex:
    """The exercise library with the look-ups selection needs, built once."""

    by_slug: Mapping[str, Exercise]
    ordered: tuple[Exercise, ...]
    """Every exercise, sorted by slug (deterministic iteration)."""
    suited_by: Mapping[str, tuple[str, ...]]
    """Mechanism id → slugs of exercises that suit it."""
    prescribable: tuple[tuple[Exercise, frozenset[str], frozenset[str]], ...] = ()
    """(exercise, contraindicated mechanisms, equipment) for every non-avoid exercise."""
    contraindicated_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Mechanism id → slugs of exercises contraindicated for it."""
    session_entries: Mapping[str, SessionEntry] = field(default_factory=dict)
    """Slug → the (immutable, shared) entry a phase's session lists it by."""

    @classmethod
    def build(cls, exercises: Mapping[str, Exercise]) -> ExerciseIndex:
        ordered = tuple(sorted(exercises.values(), key=lambda e: e.slug))
        suited: dict[str, list[str]] = {}
        for ex in ordered:
            for mech in ex.suits:
                suited.setdefault(mech, []).append(ex.slug)
        prescribable = tuple(
            (ex, frozenset(ex.contraindicated), frozenset(ex.equipment))
            for ex in ordered
            if ex.category is not ExerciseCategory.AVOID
        )
        contra: dict[str, list[str]] = {}
        for ex in ordered:
            for mech in ex.contraindicated:
                contra.setdefault(mech, []).append(ex.slug)
        return cls(
            dict(exercises),
            ordered,
            {m: tuple(s) for m, s in suited.items()},
            prescribable,
            {m: tuple(s) for m, s in contra.items()},
            {ex.slug: SessionEntry(ex.slug, ex.name, str(ex.category), ex.minutes) for ex in ordered},
        )

    def excluded_slugs(self, found: frozenset[str]) -> list[str]:
        """Slugs contraindicated for anything in ``found``, sorted."""
        return sorted({slug for mech in found for slug in self.contraindicated_by.get(mech, ())})

    def allowed(self, found: frozenset[str], equipment: frozenset[str]) -> list[Exercise]:
        """Prescribable exercises not contraindicated for ``found`` and needing only ``equipment``.

        Same result as filtering with :func:`is_allowed`, on precomputed sets.
        """
        return [
            ex for ex, contra, needs in self.prescribable if needs <= equipment and contra.isdisjoint(found)
        ]


def is_allowed(ex: Exercise, found: frozenset[str], equipment: frozenset[str]) -> bool:
    """Prescribable, not contraindicated for anything found, and no missing equipment."""
    return (
        ex.category is not ExerciseCategory.AVOID
        and found.isdisjoint(ex.contraindicated)
        and equipment.issuperset(ex.equipment)
    )


def relevance(index: ExerciseIndex, weights: Mapping[str, float]) -> dict[str, float]:
    """Slug → summed weight of the found mechanisms the exercise suits (absent = 0)."""
    scores: dict[str, float] = {}
    for mech, weight in weights.items():
        for slug in index.suited_by.get(mech, ()):
            scores[slug] = scores.get(slug, 0.0) + weight
    return scores
