"""Shared fixtures: the bundled knowledge base and an assessment service (loaded once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.knowledge.loader import default_knowledge
from backmech.services.assessment import AssessmentService

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return default_knowledge()


@pytest.fixture(scope="session")
def service(kb: KnowledgeBase) -> AssessmentService:
    return AssessmentService(kb)
