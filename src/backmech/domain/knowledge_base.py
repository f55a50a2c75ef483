"""The loaded knowledge base: one immutable value passed into every engine call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backmech.domain.derivations import DerivationSettings
from backmech.domain.evidence import Source
from backmech.domain.exercises.model import Exercise
from backmech.domain.facts import Vocabulary

if TYPE_CHECKING:
    from backmech.domain.education import EducationModule
    from backmech.domain.mechanism.model import MechanismCatalogue
    from backmech.domain.plans.model import PlanSettings
    from backmech.domain.progression.settings import ProgressionSettings
    from backmech.domain.questionnaires.model import Questionnaire
    from backmech.domain.safety.model import SafetyScreen


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything clinical that the engine knows, validated and cross-checked on load."""

    sources: Mapping[str, Source]
    vocabulary: Vocabulary
    derivations: DerivationSettings
    questionnaires: Mapping[str, Questionnaire]
    safety: SafetyScreen
    mechanisms: MechanismCatalogue
    exercises: Mapping[str, Exercise]
    education: Mapping[str, EducationModule]
    plan: PlanSettings
    progression: ProgressionSettings
