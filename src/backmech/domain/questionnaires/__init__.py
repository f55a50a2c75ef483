"""Validated questionnaires (PROMs): the model, exact published scoring, and score facts.

* :mod:`.model`: items, outputs, bands, change thresholds, cut-offs (data from YAML);
* :mod:`.scoring`: ``score(questionnaire, answers) -> QuestionnaireScore``;
* :mod:`.facts`: the facts a score gives to the rule engine.
"""

from backmech.domain.questionnaires.model import (
    AnswerOption,
    Band,
    ChangeThreshold,
    ChangeValue,
    Cutoff,
    Item,
    MissingRule,
    NotApplicableWhen,
    Output,
    Questionnaire,
    RiskRule,
)
from backmech.domain.questionnaires.scoring import CutoffResult, QuestionnaireScore, score

__all__ = [
    "AnswerOption",
    "Band",
    "ChangeThreshold",
    "ChangeValue",
    "Cutoff",
    "CutoffResult",
    "Item",
    "MissingRule",
    "NotApplicableWhen",
    "Output",
    "Questionnaire",
    "QuestionnaireScore",
    "RiskRule",
    "score",
]
