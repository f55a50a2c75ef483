"""Declarative conditions over facts, evaluated with three-valued logic and a trace.

Rules in the knowledge base are data: ``all`` / ``any`` / ``not`` / ``at_least``
nodes over leaves ``fact op value`` (the shape of venmo/business-rules). A fact
that is absent is *unknown*: a leaf on it is neither true nor false, so the engine
can say which missing evidence would have changed a conclusion instead of
silently treating "not asked" as "no".

Operators come from a closed table (:data:`OPERATORS`); a name read from a file
is never looked up with ``getattr``.

Example::

    >>> cond = All((Leaf("age", "lt", 40), Leaf("aberrant_movement.any", "eq", True)))
    >>> outcome = cond.evaluate({"age": 33, "aberrant_movement.any": True})
    >>> outcome.value, [hit.fact for hit in outcome.held]
    (True, ['age', 'aberrant_movement.any'])
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from backmech.domain.records import record
from backmech.domain.types import Facts, FactValue

Truth = bool | None
"""Three-valued truth: True, False, or None for unknown."""

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
}
"""The closed set of comparison operators a rule file may name."""

NUMERIC_OPERATORS = frozenset({"lt", "le", "gt", "ge"})
SET_OPERATORS = frozenset({"in", "not_in"})


@record
class LeafHit:
    """One leaf that held: the fact, the test, and the value the person had."""

    fact: str
    op: str
    expected: object
    actual: FactValue

    def describe(self) -> str:
        """Readable form for evidence traces, e.g. ``age lt 40 (was 33)``."""
        return f"{self.fact} {self.op} {self.expected!r} (was {self.actual!r})"


@record
class Outcome:
    """Result of evaluating a condition.

    ``held`` lists the leaves that were true and contributed to a true result;
    ``missing`` lists the facts that were unknown and could have changed it.
    """

    value: Truth
    held: tuple[LeafHit, ...] = ()
    missing: tuple[str, ...] = ()


class Condition(Protocol):
    """Anything that can be evaluated against facts."""

    def evaluate(self, facts: Facts) -> Outcome: ...

    def truth(self, facts: Facts) -> Truth:
        """The truth value alone, without building a trace (the fast path)."""
        ...

    def fact_ids(self) -> frozenset[str]: ...


_TRUE_EMPTY = Outcome(True)
_FALSE_EMPTY = Outcome(False)


@dataclass(frozen=True, slots=True)
class Leaf:
    """``fact op value``. Unknown when the fact is absent."""

    fact: str
    op: str
    value: object
    _fn: Callable[[Any, Any], bool] = field(init=False, repr=False, compare=False)
    _flag: bool = field(init=False, repr=False, compare=False)
    """``fact eq true``, the commonest leaf, tested without an operator call."""
    _shown: object = field(init=False, repr=False, compare=False)
    """The expected value as traces show it: a sorted tuple for ``in``/``not_in`` sets."""

    def __post_init__(self) -> None:
        try:
            fn = OPERATORS[self.op]
        except KeyError:
            raise ValueError(
                f"unknown operator {self.op!r}; use one of {', '.join(sorted(OPERATORS))}"
            ) from None
        object.__setattr__(self, "_fn", fn)
        object.__setattr__(self, "_flag", self.op == "eq" and self.value is True)
        shown = self.value
        if isinstance(shown, frozenset | set):
            shown = tuple(sorted(shown, key=str))
        object.__setattr__(self, "_shown", shown)

    def evaluate(self, facts: Facts) -> Outcome:
        actual = facts.get(self.fact)
        if actual is None:
            return Outcome(None, missing=(self.fact,))
        try:
            result = self._fn(actual, self.value)
        except TypeError:
            # A value of the wrong type cannot satisfy the test; the loader and the
            # intake validation make this unreachable for well-formed input.
            return _FALSE_EMPTY
        if result:
            return Outcome(True, held=(LeafHit(self.fact, self.op, self._shown, actual),))
        return _FALSE_EMPTY

    def truth(self, facts: Facts) -> Truth:
        actual = facts.get(self.fact)
        if actual is None:
            return None
        if self._flag:
            return actual is True
        try:
            return bool(self._fn(actual, self.value))
        except TypeError:
            return False

    def fact_ids(self) -> frozenset[str]:
        return frozenset((self.fact,))


@dataclass(frozen=True, slots=True)
class All:
    """True when every child is true; false when any is false; otherwise unknown."""

    children: tuple[Condition, ...]

    def evaluate(self, facts: Facts) -> Outcome:
        held: list[LeafHit] = []
        missing: list[str] = []
        unknown = False
        for child in self.children:
            out = child.evaluate(facts)
            if out.value is False:
                return _FALSE_EMPTY
            if out.value is None:
                unknown = True
                missing.extend(out.missing)
            else:
                held.extend(out.held)
        if unknown:
            return Outcome(None, missing=tuple(missing))
        return Outcome(True, held=tuple(held))

    def truth(self, facts: Facts) -> Truth:
        result: Truth = True
        for child in self.children:
            value = child.truth(facts)
            if value is False:
                return False
            if value is None:
                result = None
        return result

    def fact_ids(self) -> frozenset[str]:
        return frozenset().union(*(c.fact_ids() for c in self.children))


@dataclass(frozen=True, slots=True)
class AnyOf:
    """True when any child is true; false when all are false; otherwise unknown."""

    children: tuple[Condition, ...]

    def evaluate(self, facts: Facts) -> Outcome:
        held: list[LeafHit] = []
        missing: list[str] = []
        truth: Truth = False
        for child in self.children:
            out = child.evaluate(facts)
            if out.value is True:
                truth = True
                held.extend(out.held)
            elif out.value is None:
                missing.extend(out.missing)
                if truth is False:
                    truth = None
        if truth is True:
            return Outcome(True, held=tuple(held))
        if truth is None:
            return Outcome(None, missing=tuple(missing))
        return _FALSE_EMPTY

    def truth(self, facts: Facts) -> Truth:
        result: Truth = False
        for child in self.children:
            value = child.truth(facts)
            if value is True:
                return True
            if value is None:
                result = None
        return result

    def fact_ids(self) -> frozenset[str]:
        return frozenset().union(*(c.fact_ids() for c in self.children))


@dataclass(frozen=True, slots=True)
class Not:
    """Negation; unknown stays unknown. The trace of a true ``not`` is empty."""

    child: Condition

    def evaluate(self, facts: Facts) -> Outcome:
        out = self.child.evaluate(facts)
        if out.value is None:
            return out
        return _FALSE_EMPTY if out.value else _TRUE_EMPTY

    def truth(self, facts: Facts) -> Truth:
        value = self.child.truth(facts)
        return None if value is None else not value

    def fact_ids(self) -> frozenset[str]:
        return self.child.fact_ids()


@dataclass(frozen=True, slots=True)
class AtLeast:
    """True when at least ``count`` children are true (clinical prediction rules).

    False as soon as the count can no longer be reached even if every unknown
    child turned out true; unknown in between.
    """

    count: int
    children: tuple[Condition, ...]

    def evaluate(self, facts: Facts) -> Outcome:
        held: list[LeafHit] = []
        missing: list[str] = []
        true_count = 0
        unknown_count = 0
        for child in self.children:
            out = child.evaluate(facts)
            if out.value is True:
                true_count += 1
                held.extend(out.held)
            elif out.value is None:
                unknown_count += 1
                missing.extend(out.missing)
        if true_count >= self.count:
            return Outcome(True, held=tuple(held))
        if true_count + unknown_count < self.count:
            return _FALSE_EMPTY
        return Outcome(None, missing=tuple(missing))

    def count_true(self, facts: Facts) -> tuple[int, int]:
        """How many children are true and how many unknown (for CPR reports)."""
        true_count = 0
        unknown_count = 0
        for child in self.children:
            value = child.truth(facts)
            if value is True:
                true_count += 1
            elif value is None:
                unknown_count += 1
        return true_count, unknown_count

    def truth(self, facts: Facts) -> Truth:
        true_count, unknown_count = self.count_true(facts)
        if true_count >= self.count:
            return True
        if true_count + unknown_count < self.count:
            return False
        return None

    def fact_ids(self) -> frozenset[str]:
        return frozenset().union(*(c.fact_ids() for c in self.children))


def parse_condition(data: object, where: str) -> Condition:
    """Build a condition from its data form, raising ``ValueError`` naming ``where``.

    Accepted shapes::

        {all: [...]} | {any: [...]} | {not: {...}} | {at_least: 3, of: [...]}
        {fact: age, op: lt, value: 40}
        {fact: aggravated_by.sitting_slumped}          # shorthand for op eq, value true
    """
    if not isinstance(data, dict):
        raise ValueError(f"{where}: a condition must be a mapping, got {type(data).__name__}")
    keys = set(data)
    if keys == {"all"} or keys == {"any"}:
        key = next(iter(keys))
        items = data[key]
        if not isinstance(items, list) or not items:
            raise ValueError(f"{where}.{key}: must be a non-empty list of conditions")
        children = tuple(parse_condition(c, f"{where}.{key}[{i}]") for i, c in enumerate(items))
        return All(children) if key == "all" else AnyOf(children)
    if keys == {"not"}:
        return Not(parse_condition(data["not"], f"{where}.not"))
    if keys == {"at_least", "of"}:
        count = data["at_least"]
        items = data["of"]
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError(f"{where}.at_least: must be a positive integer")
        if not isinstance(items, list) or len(items) < count:
            raise ValueError(f"{where}.of: needs at least {count} conditions")
        children = tuple(parse_condition(c, f"{where}.of[{i}]") for i, c in enumerate(items))
        return AtLeast(count, children)
    if "fact" in keys and keys <= {"fact", "op", "value"}:
        fact = data["fact"]
        if not isinstance(fact, str) or not fact:
            raise ValueError(f"{where}.fact: must be a fact id")
        op = data.get("op", "eq")
        value = data.get("value", True)
        if op not in OPERATORS:
            raise ValueError(
                f"{where}.op: unknown operator {op!r}; use one of {', '.join(sorted(OPERATORS))}"
            )
        if op in SET_OPERATORS:
            if not isinstance(value, list):
                raise ValueError(f"{where}.value: operator {op} needs a list")
            value = frozenset(value)
        return Leaf(fact, op, value)
    raise ValueError(
        f"{where}: unrecognised condition keys {sorted(keys)}; use all/any/not/at_least+of or fact/op/value"
    )


def leaves(condition: Condition) -> Sequence[Leaf]:
    """Every leaf of a condition tree, for validation against the fact vocabulary."""
    if isinstance(condition, Leaf):
        return [condition]
    if isinstance(condition, All | AnyOf | AtLeast):
        return [leaf for child in condition.children for leaf in leaves(child)]
    if isinstance(condition, Not):
        return leaves(condition.child)
    return []
