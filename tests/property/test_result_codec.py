"""The result codec: every result the engine makes reads back as the same typed value, and old
stored documents still read.

The codec is the only place a result becomes JSON or comes back from it (storage, exports,
the CLI's ``--json``). If a record gains a field the codec cannot rebuild, or a stored
document of an earlier release stops reading, these fail before a clinic's database does.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from tests.property.test_engine_properties import intakes

from backmech.domain.results import RESULT_SCHEMA_VERSION, AssessmentResult
from backmech.knowledge.loader import default_knowledge
from backmech.services.assessment import AssessmentService
from backmech.services.codec import DocumentError, dumps, loads, result_from_json

ROOT = Path(__file__).resolve().parents[2]
INTAKES = sorted((ROOT / "tests" / "golden" / "cases").glob("*.json")) + sorted(
    (ROOT / "examples").glob("*.json")
)
STORED = sorted((ROOT / "tests" / "fixtures" / "results").glob("v*/*.json"))


@cache
def service() -> AssessmentService:
    return AssessmentService(default_knowledge())


def _intake(path: Path) -> Any:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["intake"] if "expect" in data else data  # a golden case wraps its intake


def _round_trip(result: AssessmentResult) -> None:
    document = dumps(result)
    back = result_from_json(loads(document))
    assert back == result
    assert dumps(back) == document  # and the JSON is stable: what is stored is what is read


def test_every_golden_case_and_example_is_there() -> None:
    assert len(INTAKES) >= 24 and len(STORED) >= 6  # guards the glob patterns


@pytest.mark.parametrize("path", INTAKES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_golden_case_and_example_round_trips(path: Path) -> None:
    _round_trip(service().assess(_intake(path)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(intakes())
def test_a_random_intakes_result_round_trips(intake: dict[str, Any]) -> None:
    _round_trip(service().assess(intake))


def _contains(new: object, old: object, path: str = "result") -> None:
    """``old`` is kept whole in ``new``: every key and value, in order for lists (fields may be added)."""
    if isinstance(old, dict):
        assert isinstance(new, dict), path
        for key, value in old.items():
            assert key in new, f"{path}.{key} was dropped"
            _contains(new[key], value, f"{path}.{key}")
    elif isinstance(old, list):
        assert isinstance(new, list) and len(new) == len(old), path
        for i, (a, b) in enumerate(zip(new, old, strict=True)):
            _contains(a, b, f"{path}[{i}]")
    else:
        assert new == old, f"{path}: {old!r} read back as {new!r}"


@pytest.mark.parametrize("path", STORED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_stored_document_of_each_past_version_still_reads_and_loses_nothing(path: Path) -> None:
    old = json.loads(path.read_text(encoding="utf-8"))
    result = result_from_json(old)
    assert result.schema_version == old["schema_version"] <= RESULT_SCHEMA_VERSION
    _contains(json.loads(dumps(result)), old)


def test_a_document_from_a_newer_backmech_is_refused_with_what_to_do() -> None:
    old = json.loads(STORED[0].read_text(encoding="utf-8"))
    with pytest.raises(DocumentError) as refused:
        result_from_json({**old, "schema_version": RESULT_SCHEMA_VERSION + 1})
    assert "result.schema_version" in str(refused.value) and "newer backmech" in str(refused.value)


def test_a_damaged_document_names_the_field() -> None:
    old = json.loads(STORED[0].read_text(encoding="utf-8"))
    old["triage"]["level"] = "somewhat"
    with pytest.raises(DocumentError) as refused:
        result_from_json(old)
    assert "result.triage.level" in str(refused.value)
    del old["triage"]
    with pytest.raises(DocumentError, match=r"result\.triage: is missing"):
        result_from_json(old)
