"""The safety screen as data: questions, red-flag rules, level actions, safety net.

The screen covers the serious causes of back pain that exercise must never mask
(IFOMPT framework, Finucane 2020; clinical reference section 2). Each question
becomes one boolean fact ``red_flag.<id>``; each rule says, as a declarative
condition over those facts and the intake/examination facts, which level of
concern applies, where to go and how soon. The engine in
:mod:`backmech.domain.safety.screening` only evaluates; every clinical choice
lives in ``knowledge/safety/red_flags.yaml`` with a source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from backmech.domain.conditions import Condition
from backmech.domain.facts import FactKind, FactSpec
from backmech.domain.types import SourceId, TriageLevel

FACT_PREFIX = "red_flag."
"""Namespace of the facts that hold the answers to screening questions."""

CATEGORIES: tuple[str, ...] = (
    "cauda_equina",
    "cord_compression",
    "fracture",
    "malignancy",
    "infection",
    "inflammatory",
    "vascular",
    "visceral",
    "progressive_neuro_deficit",
    "radicular",
)
"""Classes of concern the screen must cover, each with at least one rule.

Cauda equina, malignancy, infection and fracture are the four IFOMPT classes;
cord compression, axial spondyloarthritis (NICE NG65), vascular and visceral
sources, and the neurological screen complete clinical reference table 2.2.
A knowledge file that drops a class fails to load, so coverage cannot erode
silently.
"""


@dataclass(frozen=True, slots=True)
class ScreenQuestion:
    """One yes/no question put to the person; its answer is ``red_flag.<id>``.

    ``text`` is the question in plain language; ``help`` explains what counts as
    yes. ``source`` is set when the wording carries a number (e.g. a duration of
    steroid use) so the number can be traced like any other.
    """

    id: str
    text: str
    help: str
    category: str
    source: SourceId = ""

    @property
    def fact_id(self) -> str:
        """The fact that holds this question's answer."""
        return f"{FACT_PREFIX}{self.id}"


@dataclass(frozen=True, slots=True)
class RedFlagRule:
    """When ``when`` holds, the person is at ``level`` for the stated reason.

    ``action``, ``where_to_go`` and ``timeframe`` are what the person is told;
    the screen reports a level of concern and a route, never a diagnosis
    (Finucane 2020).
    """

    id: str
    category: str
    level: TriageLevel
    when: Condition
    reason: str
    action: str
    where_to_go: str
    timeframe: str
    source: SourceId


@dataclass(frozen=True)
class SafetyScreen:
    """The whole screen: questions, rules, one action text per level, safety net.

    ``safety_net`` is shown to every person whatever the result: the warning
    signs that mean going to an emergency department at once.
    """

    questions: tuple[ScreenQuestion, ...]
    rules: tuple[RedFlagRule, ...]
    level_actions: Mapping[TriageLevel, str]
    safety_net: tuple[str, ...]
    source: SourceId

    def question(self, question_id: str) -> ScreenQuestion | None:
        """The question with this id, or None."""
        for q in self.questions:
            if q.id == question_id:
                return q
        return None

    def question_facts(self) -> tuple[tuple[str, str], ...]:
        """(question id, fact id) pairs, computed once (screening checks them every time)."""
        cached: tuple[tuple[str, str], ...] | None = self.__dict__.get("_question_facts")
        if cached is None:
            cached = tuple((q.id, q.fact_id) for q in self.questions)
            object.__setattr__(self, "_question_facts", cached)
        return cached


def question_fact_specs(screen: SafetyScreen) -> list[FactSpec]:
    """One boolean fact per question, to merge into the fact vocabulary.

    >>> q = ScreenQuestion("saddle_numbness", "Numb saddle area?", "", "cauda_equina")
    >>> s = SafetyScreen((q,), (), {}, (), "finucane-2020")
    >>> [spec.id for spec in question_fact_specs(s)]
    ['red_flag.saddle_numbness']
    """
    return [
        FactSpec(id=q.fact_id, kind=FactKind.BOOL, description=q.text, origin="red_flag")
        for q in screen.questions
    ]
