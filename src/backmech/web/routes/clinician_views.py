"""The clinician's patient page in words: intake answers with the knowledge base's own item wording.

Stored intakes hold ids and numbers (``odi.sitting = 3``); a clinician reads
"Sitting: … (answer: …, scores 3)". The wording comes from the knowledge files
(written for backmech, not copied from licensed forms); bands come from the stored
result, so the page shows exactly what the engine concluded at the time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from fastapi import HTTPException

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.questionnaires.model import Item
from backmech.domain.results.model import AssessmentResult, ScoreReport
from backmech.services.care_plan import CurrentPlan
from backmech.services.plan_text import describe_change
from backmech.services.ports import PlanEdit


@dataclass(frozen=True)
class RedFlagAnswer:
    text: str
    category: str
    answer: bool | None


@dataclass(frozen=True)
class ItemAnswer:
    number: int | None
    text: str
    answer: str
    score: str


@dataclass(frozen=True)
class ScoreLine:
    output: str
    value: str
    band: str
    meaning: str
    source: str


@dataclass(frozen=True)
class QuestionnaireView:
    id: str
    name: str
    items: list[ItemAnswer] = field(default_factory=list)
    scores: list[ScoreLine] = field(default_factory=list)
    complete: bool = True
    source: str = ""


def red_flag_answers(kb: KnowledgeBase, intake: Mapping[str, Any]) -> list[RedFlagAnswer]:
    """Every screening question with the answer given; "yes" answers first (they matter most)."""
    given = intake.get("red_flags")
    answers = given if isinstance(given, Mapping) else {}
    rows = []
    for question in kb.safety.questions:
        value = answers.get(question.id)
        rows.append(
            RedFlagAnswer(question.text, question.category, value if isinstance(value, bool) else None)
        )
    return sorted(rows, key=lambda r: 0 if r.answer is True else (2 if r.answer is False else 1))


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def _answer(item: Item, value: object) -> tuple[str, str]:
    """(what was chosen, what it scores) for one stored answer."""
    if isinstance(value, list):
        parts = [_answer(item, v) for v in value]
        return "; ".join(p[0] for p in parts), ", ".join(p[1] for p in parts if p[1])
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in value.items()), ""
    for option in item.answer_option:
        if option.value == value and type(option.value) is type(value):
            return option.label, _number(option.score)
    if isinstance(value, bool):
        return ("yes" if value else "no"), ""
    return _number(value), ""


def _score_lines(report: ScoreReport | None) -> list[ScoreLine]:
    if report is None:
        return []
    lines = []
    for key, value in report.values.items():
        if value is None:
            continue
        band = report.bands.get(key)
        lines.append(
            ScoreLine(
                output=key,
                value=_number(value),
                band=band.label if band is not None else "",
                meaning=band.meaning if band is not None else "",
                source=band.source if band is not None else "",
            )
        )
    return lines


def questionnaire_views(
    kb: KnowledgeBase, intake: Mapping[str, Any], result: AssessmentResult | None
) -> list[QuestionnaireView]:
    """Each answered questionnaire: its items as asked and answered, then its scores and bands."""
    given = intake.get("questionnaires")
    answered = given if isinstance(given, Mapping) else {}
    views = []
    for qid, block in answered.items():
        questionnaire = kb.questionnaires.get(qid)
        answers = block.get("answers") if isinstance(block, Mapping) else None
        report = result.scores.get(qid) if result is not None else None
        if questionnaire is None or not isinstance(answers, Mapping):
            continue
        items = []
        for item in questionnaire.items:
            if item.link_id not in answers:
                continue
            answer, score = _answer(item, answers[item.link_id])
            items.append(ItemAnswer(item.number, item.text, answer, score))
        views.append(
            QuestionnaireView(
                id=qid,
                name=questionnaire.name,
                items=items,
                scores=_score_lines(report),
                complete=report.complete if report is not None else True,
                source=report.source if report is not None else questionnaire.source,
            )
        )
    return views


NOT_FOUND = "There is no such record, or it is not yours to see."


def parse_patient_id(value: str) -> UUID:
    """A patient id from a URL; anything that is not one is simply not found."""
    try:
        return UUID(value)
    except ValueError:
        raise HTTPException(status_code=404, detail=NOT_FOUND) from None


@dataclass(frozen=True)
class HistoryLine:
    edit: PlanEdit
    what: str
    standing: str
    """How the edit stands on the current plan, when it is not simply one of its changes."""
    applies: bool = True


def edit_history(edits: Sequence[PlanEdit], plan: CurrentPlan | None) -> list[HistoryLine]:
    """The plan's change history, newest first, saying which edits were carried to a newer plan or dropped.

    Without a current plan (a red flag stopped it) the edits are listed as they were made.
    """
    if plan is None:
        return [HistoryLine(edit, describe_change(edit.change), "") for edit in reversed(edits)]
    return [
        HistoryLine(standing.edit, describe_change(standing.edit.change), standing.note, standing.applies)
        for standing in plan.history()
    ]
