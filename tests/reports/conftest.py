"""Fixtures of the report tests: the engine, its knowledge base and two patient records."""

from __future__ import annotations

import pytest
from report_records import build_record, build_red_flag_record

from backmech.bootstrap import assessment_service
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.services.assessment import AssessmentService
from backmech.services.patient_record import PatientRecord


@pytest.fixture(scope="session")
def engine() -> AssessmentService:
    return assessment_service()


@pytest.fixture(scope="session")
def report_kb(engine: AssessmentService) -> KnowledgeBase:
    return engine.kb


@pytest.fixture(scope="session")
def record(engine: AssessmentService) -> PatientRecord:
    return build_record(engine)


@pytest.fixture(scope="session")
def red_flag_record(engine: AssessmentService) -> PatientRecord:
    return build_red_flag_record(engine)
