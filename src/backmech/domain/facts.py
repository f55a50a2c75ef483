"""The fact vocabulary: every typed fact a rule may test, and its allowed values.

Facts are the one language shared by the intake, questionnaire scores, the
examination, the video analysis and the rules. A rule that names a fact outside
this vocabulary, or compares it with a value of the wrong type, is rejected when
the knowledge base loads, so a typo can never silently switch a rule off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from backmech.domain.conditions import NUMERIC_OPERATORS, SET_OPERATORS, Condition, leaves
from backmech.domain.types import Facts, FactValue


class FactKind(StrEnum):
    """How a fact's value is typed."""

    BOOL = "bool"
    NUMBER = "number"
    ENUM = "enum"


@dataclass(frozen=True, slots=True)
class FactSpec:
    """One fact: its id, type, allowed values and a plain-language description."""

    id: str
    kind: FactKind
    description: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    values: tuple[str, ...] = ()
    origin: str = "intake"
    """Where the fact comes from: intake, derived, score, red_flag, examination, video."""

    def check_value(self, value: FactValue) -> str | None:
        """Return a problem description, or None when ``value`` fits this fact."""
        if self.kind is FactKind.BOOL:
            return None if isinstance(value, bool) else "must be true or false"
        if self.kind is FactKind.NUMBER:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return "must be a number"
            if self.minimum is not None and value < self.minimum:
                return f"must be at least {self.minimum:g}"
            if self.maximum is not None and value > self.maximum:
                return f"must be at most {self.maximum:g}"
            return None
        if not isinstance(value, str) or value not in self.values:
            return f"must be one of {', '.join(self.values)}"
        return None


@dataclass(frozen=True, slots=True)
class ListInput:
    """An intake field holding a list of vocabulary values.

    ``symptoms.aggravated_by: [sitting_slumped]`` becomes one bool fact per value of
    the enumeration (``aggravated_by.sitting_slumped: true``, every other value
    false): a list that was answered says "no" to what it leaves out, while a list
    that was not given at all leaves every value unknown.
    """

    field: str
    prefix: str
    enumeration: str
    description: str


@dataclass(frozen=True)
class Vocabulary:
    """All known facts, by id. Built once by the knowledge loader."""

    specs: Mapping[str, FactSpec]
    enumerations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Named value lists (e.g. ``activity``) with a description of each value."""
    lists: Mapping[str, ListInput] = field(default_factory=dict)
    """List-valued intake fields by their dotted field path."""

    def get(self, fact_id: str) -> FactSpec | None:
        return self.specs.get(fact_id)

    def merged(self, extra: Iterable[FactSpec]) -> Vocabulary:
        """A vocabulary with more facts (from questionnaires, red flags, video tests)."""
        specs = dict(self.specs)
        for spec in extra:
            if spec.id in specs and specs[spec.id] != spec:
                raise ValueError(f"fact {spec.id!r} is defined twice with different types")
            specs[spec.id] = spec
        return Vocabulary(specs, self.enumerations, self.lists)

    def condition_problems(self, condition: Condition) -> list[str]:
        """Problems with a condition's leaves: unknown facts, wrong operators or values."""
        problems: list[str] = []
        for leaf in leaves(condition):
            spec = self.specs.get(leaf.fact)
            if spec is None:
                problems.append(f"unknown fact {leaf.fact!r}")
                continue
            if leaf.op in NUMERIC_OPERATORS and spec.kind is not FactKind.NUMBER:
                problems.append(f"operator {leaf.op} needs a numeric fact, {leaf.fact} is {spec.kind}")
                continue
            values = list(leaf.value) if leaf.op in SET_OPERATORS else [leaf.value]  # type: ignore[call-overload]
            for value in values:
                if spec.kind is FactKind.NUMBER and leaf.op in NUMERIC_OPERATORS:
                    if isinstance(value, bool) or not isinstance(value, int | float):
                        problems.append(f"{leaf.fact} {leaf.op}: value {value!r} is not a number")
                    continue
                problem = (
                    spec.check_value(value)
                    if isinstance(value, bool | int | float | str)
                    else "has an unsupported type"
                )
                if problem:
                    problems.append(f"{leaf.fact} {leaf.op} {value!r}: value {problem}")
        return problems

    def fact_problems(self, facts: Facts) -> list[tuple[str, str]]:
        """(fact id, problem) for facts that are unknown or out of range."""
        problems: list[tuple[str, str]] = []
        for fact_id, value in facts.items():
            spec = self.specs.get(fact_id)
            if spec is None:
                problems.append((fact_id, "is not a known fact"))
                continue
            problem = spec.check_value(value)
            if problem:
                problems.append((fact_id, problem))
        return problems
