"""Exercise library files: ``exercises/*.yaml``, each a list of exercises.

Checks beyond the schema: unique slugs, ladders (``progression``/``regression``)
that point at existing exercises and agree with each other, mechanism ids that
exist, and a source for every dose.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field

from backmech.domain.errors import KnowledgeError
from backmech.domain.exercises.model import Dose, Exercise, ExerciseCategory
from backmech.knowledge.files import (
    SourceChecker,
    StrictModel,
    parse,
    read_yaml,
    relative,
    yaml_files,
)

SlugStr = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


class DoseEntry(StrictModel):
    text: str = Field(min_length=3)
    sets: int | None = Field(default=None, ge=1, le=10)
    reps: int | None = Field(default=None, ge=1, le=100)
    per_side: bool = False
    hold_seconds: int | None = Field(default=None, ge=1, le=600)
    rest_seconds: int | None = Field(default=None, ge=0, le=600)
    minutes: float | None = Field(default=None, gt=0, le=120)
    pyramid: list[int] = Field(default_factory=list)
    frequency: str = "daily"
    source: str


class ExerciseEntry(StrictModel):
    slug: SlugStr
    name: str
    category: ExerciseCategory
    purpose: str
    targets: list[str] = Field(min_length=1)
    instructions: list[str] = Field(default_factory=list)
    cues: list[str] = Field(default_factory=list)
    stop_if: list[str] = Field(default_factory=list)
    equipment: list[str] = Field(default_factory=list)
    position: str
    minutes: float = Field(gt=0, le=60)
    dose: DoseEntry
    progression: SlugStr | None = None
    regression: SlugStr | None = None
    suits: list[str] = Field(default_factory=list)
    contraindicated: list[str] = Field(default_factory=list)
    phases: list[Annotated[int, Field(ge=1, le=4)]] = Field(default_factory=list)
    source: str
    daily_routine: bool = False
    from_source_articles: bool = False
    note: str = ""


class ExerciseFile(StrictModel):
    exercises: list[ExerciseEntry] = Field(min_length=1)


def load_exercises(
    directory: Path, root: Path, sources: SourceChecker, mechanisms: set[str]
) -> dict[str, Exercise]:
    """Every exercise by slug, cross-checked (see module docstring)."""
    found: dict[str, Exercise] = {}
    where_of: dict[str, str] = {}
    for path in yaml_files(directory):
        where = relative(path, root)
        doc = parse(ExerciseFile, read_yaml(path, root), where)
        for entry in doc.exercises:
            loc = f"{where}: {entry.slug}"
            if entry.slug in found:
                raise KnowledgeError(loc, f"duplicate exercise slug (also in {where_of[entry.slug]})")
            sources.check(entry.source, f"{loc}.source")
            sources.check(entry.dose.source, f"{loc}.dose.source")
            for key, ids in (("suits", entry.suits), ("contraindicated", entry.contraindicated)):
                for mech in ids:
                    if mech not in mechanisms:
                        raise KnowledgeError(
                            f"{loc}.{key}",
                            f"unknown mechanism {mech!r}",
                            hint=f"Known mechanisms: {', '.join(sorted(mechanisms))}.",
                        )
            both = set(entry.suits) & set(entry.contraindicated)
            if both:
                raise KnowledgeError(loc, f"both suits and is contraindicated for {sorted(both)}")
            is_avoid = entry.category is ExerciseCategory.AVOID
            if not is_avoid and (not entry.instructions or not entry.phases):
                raise KnowledgeError(loc, "a prescribable exercise needs instructions and phases")
            found[entry.slug] = Exercise(
                slug=entry.slug,
                name=entry.name,
                category=entry.category,
                purpose=entry.purpose,
                targets=tuple(entry.targets),
                instructions=tuple(entry.instructions),
                cues=tuple(entry.cues),
                stop_if=tuple(entry.stop_if),
                equipment=tuple(entry.equipment),
                position=entry.position,
                minutes=entry.minutes,
                dose=Dose(
                    text=entry.dose.text,
                    sets=entry.dose.sets,
                    reps=entry.dose.reps,
                    per_side=entry.dose.per_side,
                    hold_seconds=entry.dose.hold_seconds,
                    rest_seconds=entry.dose.rest_seconds,
                    minutes=entry.dose.minutes,
                    pyramid=tuple(entry.dose.pyramid),
                    frequency=entry.dose.frequency,
                    source=entry.dose.source,
                ),
                progression=entry.progression,
                regression=entry.regression,
                suits=tuple(entry.suits),
                contraindicated=tuple(entry.contraindicated),
                phases=tuple(sorted(set(entry.phases))),
                source=entry.source,
                daily_routine=entry.daily_routine,
                from_source_articles=entry.from_source_articles,
                note=entry.note,
            )
            where_of[entry.slug] = where
    _check_ladders(found, where_of)
    return found


def _check_ladders(found: dict[str, Exercise], where_of: dict[str, str]) -> None:
    """Ladders must point at known exercises and be mutual (a→b progression, b→a regression)."""
    for slug, ex in found.items():
        loc = f"{where_of[slug]}: {slug}"
        for key, target in (("progression", ex.progression), ("regression", ex.regression)):
            if target is None:
                continue
            if target not in found:
                raise KnowledgeError(f"{loc}.{key}", f"unknown exercise slug {target!r}")
            if target == slug:
                raise KnowledgeError(f"{loc}.{key}", "an exercise cannot be its own step")
        if ex.progression and found[ex.progression].regression != slug:
            raise KnowledgeError(
                f"{loc}.progression",
                f"{ex.progression!r} should name {slug!r} as its regression (ladders are two-way)",
            )
        if ex.regression and found[ex.regression].progression != slug:
            raise KnowledgeError(
                f"{loc}.regression",
                f"{ex.regression!r} should name {slug!r} as its progression (ladders are two-way)",
            )
