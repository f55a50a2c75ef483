"""The fact vocabulary file: ``facts.yaml`` (enumerations, list inputs, facts)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from backmech.domain.derivations import DerivationSettings
from backmech.domain.errors import KnowledgeError
from backmech.domain.facts import FactKind, FactSpec, ListInput, Vocabulary
from backmech.knowledge.files import SourceChecker, StrictModel, parse, read_yaml, relative


class FactEntry(StrictModel):
    type: FactKind
    description: str = Field(min_length=3)
    unit: str = ""
    min: float | None = None
    max: float | None = None
    values: list[str] = Field(default_factory=list)
    enumeration: str = ""
    origin: Literal["intake", "derived", "video"] = "intake"


class ListEntry(StrictModel):
    field: str
    label: str
    """Short lead-in for each value's fact description, e.g. "Provoked by"."""
    prefix: str
    enumeration: str
    description: str


class Cutoff(StrictModel):
    value: int
    source: str


class DerivationEntries(StrictModel):
    chronic_after_days: Cutoff
    full_motor_grade: Cutoff


class FactFile(StrictModel):
    enumerations: dict[str, dict[str, str]]
    lists: list[ListEntry]
    facts: dict[str, FactEntry]
    derivations: DerivationEntries


def load_vocabulary(path: Path, root: Path) -> Vocabulary:
    """The base vocabulary; questionnaires and red flags add their own facts later."""
    where = relative(path, root)
    doc = parse(FactFile, read_yaml(path, root), where)
    specs: dict[str, FactSpec] = {}
    for fact_id, entry in doc.facts.items():
        loc = f"{where}: facts.{fact_id}"
        values = tuple(entry.values)
        if entry.enumeration:
            if entry.enumeration not in doc.enumerations:
                raise KnowledgeError(loc, f"unknown enumeration {entry.enumeration!r}")
            values = tuple(doc.enumerations[entry.enumeration])
        if entry.type is FactKind.ENUM and not values:
            raise KnowledgeError(loc, "an enum fact needs values or an enumeration")
        if entry.type is not FactKind.ENUM and values:
            raise KnowledgeError(loc, f"a {entry.type} fact cannot have values")
        specs[fact_id] = FactSpec(
            id=fact_id,
            kind=entry.type,
            description=entry.description,
            unit=entry.unit,
            minimum=entry.min,
            maximum=entry.max,
            values=values,
            origin=entry.origin,
        )
    lists: dict[str, ListInput] = {}
    for i, item in enumerate(doc.lists):
        loc = f"{where}: lists[{i}]"
        if item.enumeration not in doc.enumerations:
            raise KnowledgeError(loc, f"unknown enumeration {item.enumeration!r}")
        lists[item.field] = ListInput(item.field, item.prefix, item.enumeration, item.description)
        for value, label in doc.enumerations[item.enumeration].items():
            fact_id = f"{item.prefix}.{value}"
            if fact_id in specs:
                raise KnowledgeError(loc, f"fact {fact_id!r} is also defined under facts")
            text = f"{item.label}: {label[0].lower()}{label[1:]}"
            specs[fact_id] = FactSpec(fact_id, FactKind.BOOL, text, origin="intake")
    return Vocabulary(specs, doc.enumerations, lists)


def load_derivation_settings(path: Path, root: Path, checker: SourceChecker) -> DerivationSettings:
    """The cut-offs of the engine's derived facts (``derivations`` in ``facts.yaml``), with sources."""
    where = relative(path, root)
    entries = parse(FactFile, read_yaml(path, root), where).derivations
    chronic, motor = entries.chronic_after_days, entries.full_motor_grade
    return DerivationSettings(
        chronic_after_days=chronic.value,
        chronic_source=checker.check(chronic.source, f"{where}: derivations.chronic_after_days"),
        full_motor_grade=motor.value,
        motor_grade_source=checker.check(motor.source, f"{where}: derivations.full_motor_grade"),
    )
