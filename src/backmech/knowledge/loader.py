"""Load and cross-check the whole knowledge base.

Order matters because later files are checked against earlier ones: sources →
fact vocabulary → questionnaires (add score facts) → safety screen (adds red-flag
facts) → mechanisms and rules → exercises → education → plan settings → progression settings
(which read the questionnaires and plan settings).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from backmech.domain.education import TOPICS
from backmech.domain.errors import KnowledgeError
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.questionnaires.facts import score_fact_specs
from backmech.domain.safety.model import question_fact_specs
from backmech.knowledge.education_files import load_education
from backmech.knowledge.exercise_files import load_exercises
from backmech.knowledge.fact_files import load_derivation_settings, load_vocabulary
from backmech.knowledge.files import KNOWLEDGE_ROOT, SourceChecker
from backmech.knowledge.plan_files import load_plan_settings
from backmech.knowledge.progression_files import load_progression_settings
from backmech.knowledge.questionnaire_files import load_questionnaires
from backmech.knowledge.rule_files import load_mechanisms
from backmech.knowledge.safety_files import load_safety
from backmech.knowledge.source_files import load_sources


def load_knowledge(root: Path = KNOWLEDGE_ROOT) -> KnowledgeBase:
    """Read every knowledge file under ``root``; raises KnowledgeError naming file and key."""
    if not root.is_dir():
        raise KnowledgeError(
            str(root), "is not a folder", hint="Give the knowledge folder (the one holding facts.yaml)."
        )
    sources = load_sources(root / "sources", root)
    checker = SourceChecker(set(sources))
    vocabulary = load_vocabulary(root / "facts.yaml", root)
    derivations = load_derivation_settings(root / "facts.yaml", root, checker)
    questionnaires = load_questionnaires(root / "questionnaires", root, checker)
    vocabulary = vocabulary.merged(spec for q in questionnaires.values() for spec in score_fact_specs(q))
    safety = load_safety(root / "safety" / "red_flags.yaml", root, checker, vocabulary)
    vocabulary = vocabulary.merged(question_fact_specs(safety))
    mechanisms = load_mechanisms(
        root / "rules" / "mechanisms.yaml",
        sorted(p for p in (root / "rules").glob("*.yaml") if p.name != "mechanisms.yaml"),
        root,
        checker,
        vocabulary,
    )
    mechanism_ids = mechanisms.ids()
    exercises = load_exercises(root / "exercises", root, checker, mechanism_ids)
    education = load_education(root / "education", root, checker, mechanism_ids, set(TOPICS))
    plan = load_plan_settings(
        root / "plan.yaml", root, checker, vocabulary, set(exercises), mechanism_ids, set(TOPICS)
    )
    progression = load_progression_settings(root / "progression.yaml", root, checker, questionnaires, plan)
    return KnowledgeBase(
        sources=sources,
        vocabulary=vocabulary,
        derivations=derivations,
        questionnaires=questionnaires,
        safety=safety,
        mechanisms=mechanisms,
        exercises=exercises,
        education=education,
        plan=plan,
        progression=progression,
    )


@lru_cache(maxsize=1)
def default_knowledge() -> KnowledgeBase:
    """The bundled knowledge base, loaded once per process."""
    return load_knowledge()
