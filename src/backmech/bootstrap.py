"""Composition root: the one place that chooses adapters (for now, the bundled knowledge)."""

from __future__ import annotations

from pathlib import Path

from backmech.services.assessment import AssessmentService


def assessment_service(knowledge_root: Path | None = None) -> AssessmentService:
    """An assessment service over the bundled knowledge base or another folder."""
    from backmech.knowledge.loader import default_knowledge, load_knowledge

    kb = default_knowledge() if knowledge_root is None else load_knowledge(knowledge_root)
    return AssessmentService(kb)
