"""A reassessment: the safety questions and the tracked questionnaires again, the rest carried over.

Why not the whole intake again: the plan asks for questionnaires every two weeks
(``knowledge/progression.yaml``: ``reassessment.questionnaires``), and twenty minutes of
questions every fortnight is how people stop answering them. What can change in two
weeks is asked again: every safety question (never carried over: a positive screen
must be able to stop the programme at any reassessment) and the tracked
questionnaires (NPRS, ODI, PSFS by default). Everything else (history, what
provokes and eases the pain, daily life, preferences) is carried over from the
latest assessment and shown on the review page, where any of it can be changed.

The draft is an ordinary intake draft (the wizard's screens, saved as you go), with
the screens to ask listed in its wizard state, so leaving and coming back resumes it
like any other intake, and finishing it runs the engine on the whole intake: the
mechanism classification is re-run with the new answers and the movement findings.

Example::

    draft = reassessment_draft(wizard, latest.intake, kb.progression.reassessment.questionnaires,
                               latest.created_at.date(), today)
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from backmech.services.intake_model import REVIEW, WIZARD_KEY, Kind, Step, Wizard, value_at

MODE = "reassessment"
SAFETY_SECTION = "Safety questions"
INTAKE_ONLY_KEYS = ("schema_version", "case_id", "assessed_on")
"""Written by ``intake_document`` for the engine; not answers."""


def is_reassessment(data: Mapping[str, Any]) -> bool:
    meta = data.get(WIZARD_KEY)
    return isinstance(meta, Mapping) and meta.get("mode") == MODE


def screens_to_ask(wizard: Wizard, data: Mapping[str, Any]) -> list[Step]:
    """The screens a reassessment asks, in order (the review last); all applicable ones otherwise."""
    meta = data.get(WIZARD_KEY)
    ask = meta.get("ask") if isinstance(meta, Mapping) else None
    applicable = wizard.applicable(data)
    if not is_reassessment(data) or not isinstance(ask, list):
        return applicable
    listed = {str(step_id) for step_id in ask}
    return [s for s in applicable if s.id in listed or s.id == REVIEW.id]


def carried_from(data: Mapping[str, Any]) -> str:
    """The date (ISO) of the assessment whose answers were carried over, or ``""``."""
    meta = data.get(WIZARD_KEY)
    found = meta.get("carried_from") if isinstance(meta, Mapping) else None
    return str(found) if found else ""


def _asked(step: Step, questionnaires: Collection[str]) -> bool:
    return step.section == SAFETY_SECTION or step.questionnaire in questionnaires


def reassessment_draft(
    wizard: Wizard,
    intake: Mapping[str, Any],
    questionnaires: Collection[str],
    assessed_on: dt.date,
    today: dt.date,
) -> dict[str, Any]:
    """A draft with the latest intake's answers, the safety and ``questionnaires`` screens open.

    The open screens' answers are cleared. The names of the person's own PSFS activities
    are offered again (in the wizard state, shown in the form, not stored as answers: an
    activity without its rating is not a valid answer), so the same activities are rated
    again. Durations ("how long ago did it start") grow by the days since the last assessment.
    """
    data: dict[str, Any] = copy.deepcopy({k: v for k, v in intake.items() if k not in INTAKE_ONLY_KEYS})
    elapsed = max(0, (today - assessed_on).days)
    typed: dict[str, Any] = {}
    offered: dict[str, str] = {}
    done: list[str] = []
    ask: list[str] = []
    for step in wizard.steps:
        if step.id == REVIEW.id:
            continue
        if _asked(step, questionnaires):
            ask.append(step.id)
            for q in step.questions:
                previous = value_at(data, q.path)
                if q.kind is Kind.ACTIVITY and isinstance(previous, Mapping) and previous.get("activity"):
                    offered[q.name] = str(previous["activity"])
                _clear(data, q.path)
            continue
        for q in step.questions:
            if q.kind is Kind.DURATION:
                days = value_at(data, q.path)
                if isinstance(days, int | float) and not isinstance(days, bool):
                    grown = int(days) + elapsed
                    _put(data, q.path, grown)
                    typed[q.name] = {"amount": grown, "unit": "days"}
        done.append(step.id)
    data[WIZARD_KEY] = {
        "mode": MODE,
        "carried_from": assessed_on.isoformat(),
        "ask": ask,
        "done": done,
        "unsure": [],
        "typed": typed,
        "offered": offered,
    }
    return data


def _clear(data: dict[str, Any], path: tuple[str, ...]) -> None:
    node: Any = data
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            return
    node.pop(path[-1], None)


def _put(data: dict[str, Any], path: tuple[str, ...], value: object) -> None:
    node = data
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
