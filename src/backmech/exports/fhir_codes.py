"""Shared vocabulary of the FHIR export: code systems, verified LOINC codes, ids and small JSON helpers.

Why a module of its own: the builders (questionnaires, observations, care plan) and the
importer must agree on every URI and code, and a code typed twice is a code that drifts.

LOINC codes are used only where they were checked against loinc.org (see ``docs/fhir.md``);
everything else is coded in backmech's own code systems under :data:`CODE_SYSTEM`, which say
exactly what we mean and claim nothing about a published terminology.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from backmech.domain.errors import BackmechError

Json = dict[str, Any]
"""A FHIR resource or element as JSON (what the library's models validate)."""

BASE = "https://backmech.org/fhir"
CODE_SYSTEM = f"{BASE}/CodeSystem"
EXTENSION = f"{BASE}/StructureDefinition"
QUESTIONNAIRE_URL = f"{BASE}/Questionnaire"

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"

# backmech's own code systems (one per kind of concept; see docs/fhir.md).
CS_SCORE = f"{CODE_SYSTEM}/questionnaire-score"
CS_SCORE_CATEGORY = f"{CODE_SYSTEM}/score-category"
CS_BAND = f"{CODE_SYSTEM}/score-band"
CS_ANSWER = f"{CODE_SYSTEM}/questionnaire-answer"
CS_SESSION = f"{CODE_SYSTEM}/session-log"
CS_MOVEMENT_TEST = f"{CODE_SYSTEM}/movement-test"
CS_MOVEMENT_METRIC = f"{CODE_SYSTEM}/movement-metric"
CS_EXERCISE = f"{CODE_SYSTEM}/exercise"
CS_ASSESSMENT = f"{CODE_SYSTEM}/assessment"

# backmech's own extensions (data with no home in core FHIR R4).
EXT_SOURCE = f"{EXTENSION}/source"
EXT_UNIT = f"{EXTENSION}/unit"
EXT_ENGINE_VERSION = f"{EXTENSION}/engine-version"
EXT_TRIAGE_LEVEL = f"{EXTENSION}/triage-level"
EXT_PLAN_STATUS = f"{EXTENSION}/plan-status"
EXT_ASSESSED_ON = f"{EXTENSION}/assessed-on"
EXT_PLAN_SECTION = f"{EXTENSION}/plan-section"
EXT_PLAN_EDIT = f"{EXTENSION}/plan-edit"

SESSION_KEY_SYSTEM = f"{BASE}/session-idempotency-key"

PAIN_NRS_LOINC = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
"""Verified on loinc.org: one 0-10 pain rating reported by the person."""

INSTRUMENT_LOINC: Mapping[str, tuple[str, str]] = {
    "odi": ("97908-8", "Oswestry Disability Index"),
    "start_back": ("91349-1", "STarT Back Screening Tool panel"),
}
"""Panel codes for ``Questionnaire.code``, verified on loinc.org (97908-8 is the ODI *panel*)."""

SCORE_LOINC: Mapping[tuple[str, str], tuple[str, str]] = {
    ("nprs", "current"): PAIN_NRS_LOINC,
    ("odi", "percent"): ("97909-6", "Oswestry disability index score ODI"),
    ("start_back", "total"): ("91351-7", "Total score [STarT Back]"),
    ("start_back", "psychosocial"): ("91350-9", "Distress subscore [STarT Back]"),
    ("start_back", "risk"): ("91352-5", "STarT Back Screening risk level"),
}
"""Observation codes for scores, verified on loinc.org. The NPRS average (a mean of three
ratings) and the RMDQ, FABQ, TSK-11 and PSFS scores have no verified code."""

STARTBACK_RISK_LOINC: Mapping[str, tuple[str, str]] = {
    "low": ("LA9194-7", "Low"),
    "medium": ("LA8982-6", "Medium"),
    "high": ("LA9193-9", "High"),
}
"""LOINC answer list LL3578-3 of 91352-5 (verified on loinc.org)."""

UCUM_UNITS: Mapping[str, str] = {"deg": "deg", "%": "%", "s": "s", "deg/s": "deg/s", "steps/min": "/min"}
"""Movement-metric units that are UCUM units; other units (torso lengths, repetitions...) stay text only."""


class FhirImportError(BackmechError):
    """A bundle could not be read as a backmech patient record (malformed, no patient, broken references)."""

    def __init__(self, problem: str, *, hint: str, detail: str = "") -> None:
        super().__init__(f"This FHIR bundle cannot be imported: {problem}.", hint=hint, detail=detail)
        self.problem = problem


def derived_id(parent: UUID | str, name: str) -> str:
    """A stable id for a resource derived from one of our records (same record → same id, every export)."""
    return str(uuid5(NAMESPACE_URL, f"{BASE}/{parent}/{name}"))


def urn(resource_id: UUID | str) -> str:
    """The ``fullUrl`` (and reference) of a resource with this id inside the bundle."""
    return f"urn:uuid:{resource_id}"


def ref(resource_id: UUID | str) -> Json:
    return {"reference": urn(resource_id)}


def coding(system: str, code: str, display: str = "") -> Json:
    found: Json = {"system": system, "code": code}
    if display:
        found["display"] = display
    return found


def concept(*codings: Json, text: str = "") -> Json:
    found: Json = {"coding": list(codings)}
    if text:
        found["text"] = text
    return found


def category(code: str) -> list[Json]:
    return [concept(coding(OBSERVATION_CATEGORY, code))]


def instant(moment: dt.datetime) -> str:
    """A timezone-aware time as FHIR writes it (UTC, ``Z``); naive times are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def string_extension(url: str, value: str) -> Json:
    return {"url": url, "valueString": value}


def extension_value(element: Mapping[str, Any], url: str) -> str | None:
    """The ``valueString``/``valueCode`` of the first extension with this url, if any."""
    for ext in element.get("extension", ()):
        if ext.get("url") == url:
            value = ext.get("valueString", ext.get("valueCode"))
            return None if value is None else str(value)
    return None


def code_in(element: Mapping[str, Any] | None, system: str) -> str | None:
    """The code of the first coding from ``system`` in a CodeableConcept, if any."""
    if not element:
        return None
    for found in element.get("coding", ()):
        if found.get("system") == system and found.get("code") is not None:
            return str(found["code"])
    return None
