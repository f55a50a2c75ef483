"""Fixtures for the progression tests: the bundled settings and exercise library."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from backmech.domain.exercises.model import Exercise
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.progression.settings import ProgressionSettings


@pytest.fixture(scope="session")
def settings(kb: KnowledgeBase) -> ProgressionSettings:
    return kb.progression


@pytest.fixture(scope="session")
def exercises(kb: KnowledgeBase) -> Mapping[str, Exercise]:
    return kb.exercises
