"""Fixtures for the questionnaire tests: the real YAML definitions, loaded once."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from backmech.domain.questionnaires.model import Questionnaire
from backmech.knowledge.files import KNOWLEDGE_ROOT, SourceChecker
from backmech.knowledge.questionnaire_files import load_questionnaires
from backmech.knowledge.source_files import load_sources


@pytest.fixture(scope="session")
def source_checker() -> SourceChecker:
    return SourceChecker(set(load_sources(KNOWLEDGE_ROOT / "sources", KNOWLEDGE_ROOT)))


@pytest.fixture(scope="session")
def questionnaires(source_checker: SourceChecker) -> Mapping[str, Questionnaire]:
    return load_questionnaires(KNOWLEDGE_ROOT / "questionnaires", KNOWLEDGE_ROOT, source_checker)


@pytest.fixture(scope="session")
def nprs(questionnaires: Mapping[str, Questionnaire]) -> Questionnaire:
    return questionnaires["nprs"]


@pytest.fixture(scope="session")
def odi(questionnaires: Mapping[str, Questionnaire]) -> Questionnaire:
    return questionnaires["odi"]


@pytest.fixture(scope="session")
def rmdq(questionnaires: Mapping[str, Questionnaire]) -> Questionnaire:
    return questionnaires["rmdq"]


@pytest.fixture(scope="session")
def start_back(questionnaires: Mapping[str, Questionnaire]) -> Questionnaire:
    return questionnaires["start_back"]


@pytest.fixture(scope="session")
def fabq(questionnaires: Mapping[str, Questionnaire]) -> Questionnaire:
    return questionnaires["fabq"]


@pytest.fixture(scope="session")
def tsk11(questionnaires: Mapping[str, Questionnaire]) -> Questionnaire:
    return questionnaires["tsk11"]


@pytest.fixture(scope="session")
def psfs(questionnaires: Mapping[str, Questionnaire]) -> Questionnaire:
    return questionnaires["psfs"]
