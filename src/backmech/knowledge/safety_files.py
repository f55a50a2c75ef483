"""The safety-screen file: ``safety/red_flags.yaml``.

Checks beyond the schema, each failing with the file and the rule or question id:

* question and rule ids are unique; categories are known
  (:data:`backmech.domain.safety.model.CATEGORIES`) and every category has a rule;
* every ``when`` parses (``all``/``any``/``not``/``at_least``+``of``/leaf) and every
  leaf names a known fact with a value of the right type: the intake/examination
  vocabulary plus one ``red_flag.<question id>`` fact per question;
* every question is used by at least one rule (an unused question is a typo or
  dead weight the person would still have to answer);
* every level has an action text, the safety net is not empty, and every source
  id exists in the bibliography.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from backmech.domain.conditions import Condition
from backmech.domain.errors import KnowledgeError
from backmech.domain.facts import Vocabulary
from backmech.domain.safety.model import (
    CATEGORIES,
    RedFlagRule,
    SafetyScreen,
    ScreenQuestion,
    question_fact_specs,
)
from backmech.domain.types import TriageLevel
from backmech.knowledge.files import SourceChecker, StrictModel, parse, read_yaml, relative, rule_condition

SnakeId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
Text = Annotated[str, Field(min_length=1)]


class QuestionEntry(StrictModel):
    id: SnakeId
    text: Text
    help: Text
    category: str
    source: str = ""


class RuleEntry(StrictModel):
    id: SnakeId
    category: str
    level: TriageLevel
    when: Any
    reason: Text
    action: Text
    where_to_go: Text
    timeframe: Text
    source: str


class SafetyFile(StrictModel):
    source: str
    level_actions: dict[TriageLevel, Text]
    safety_net: list[Text] = Field(min_length=1)
    questions: list[QuestionEntry] = Field(min_length=1)
    rules: list[RuleEntry] = Field(min_length=1)


def load_safety(path: Path, root: Path, sources: SourceChecker, vocabulary: Vocabulary) -> SafetyScreen:
    """Read, validate and cross-check the safety screen (see module docstring)."""
    where = relative(path, root)
    doc = parse(SafetyFile, read_yaml(path, root), where)
    sources.check(doc.source, f"{where}: source")

    missing_levels = [level.value for level in TriageLevel if level not in doc.level_actions]
    if missing_levels:
        raise KnowledgeError(f"{where}: level_actions", f"has no action text for {', '.join(missing_levels)}")

    questions = _questions(doc.questions, where, sources)
    stub = SafetyScreen(questions, (), {}, (), doc.source)
    try:
        known = vocabulary.merged(question_fact_specs(stub))
    except ValueError as exc:
        raise KnowledgeError(f"{where}: questions", str(exc)) from exc

    rules = _rules(doc.rules, where, sources, known)

    covered = {rule.category for rule in rules}
    uncovered = [c for c in CATEGORIES if c not in covered]
    if uncovered:
        raise KnowledgeError(
            f"{where}: rules",
            f"no rule for categor{'y' if len(uncovered) == 1 else 'ies'} {', '.join(uncovered)}",
            hint="Every class of serious pathology needs at least one rule.",
        )
    used = frozenset().union(*(rule.when.fact_ids() for rule in rules))
    for q in questions:
        if q.fact_id not in used:
            raise KnowledgeError(
                f"{where}: {q.id}", "is asked but no rule uses its answer (red_flag fact unused)"
            )

    return SafetyScreen(
        questions=questions,
        rules=rules,
        level_actions={level: doc.level_actions[level] for level in TriageLevel},
        safety_net=tuple(doc.safety_net),
        source=doc.source,
    )


def _check_category(category: str, location: str) -> None:
    if category not in CATEGORIES:
        raise KnowledgeError(
            location,
            f"unknown category {category!r}",
            hint=f"Known categories: {', '.join(CATEGORIES)}.",
        )


def _questions(
    entries: list[QuestionEntry], where: str, sources: SourceChecker
) -> tuple[ScreenQuestion, ...]:
    seen: set[str] = set()
    found: list[ScreenQuestion] = []
    for entry in entries:
        loc = f"{where}: {entry.id}"
        if entry.id in seen:
            raise KnowledgeError(loc, f"duplicate question id {entry.id!r}")
        seen.add(entry.id)
        _check_category(entry.category, f"{loc}.category")
        if entry.source:
            sources.check(entry.source, f"{loc}.source")
        found.append(
            ScreenQuestion(
                id=entry.id,
                text=entry.text,
                help=entry.help,
                category=entry.category,
                source=entry.source,
            )
        )
    return tuple(found)


def _rules(
    entries: list[RuleEntry], where: str, sources: SourceChecker, known: Vocabulary
) -> tuple[RedFlagRule, ...]:
    seen: set[str] = set()
    found: list[RedFlagRule] = []
    for entry in entries:
        loc = f"{where}: {entry.id}"
        if entry.id in seen:
            raise KnowledgeError(loc, f"duplicate rule id {entry.id!r}")
        seen.add(entry.id)
        _check_category(entry.category, f"{loc}.category")
        sources.check(entry.source, f"{loc}.source")
        when = _condition(entry.when, f"{loc}.when", known)
        found.append(
            RedFlagRule(
                id=entry.id,
                category=entry.category,
                level=entry.level,
                when=when,
                reason=entry.reason,
                action=entry.action,
                where_to_go=entry.where_to_go,
                timeframe=entry.timeframe,
                source=entry.source,
            )
        )
    return tuple(found)


def _condition(data: object, location: str, known: Vocabulary) -> Condition:
    return rule_condition(
        data,
        location,
        known,
        hint="Use a fact from the vocabulary or a red_flag.<question id> of this file.",
    )
