"""Reading a FHIR R4 Bundle made by :func:`backmech.exports.fhir.export_bundle` back into a record.

Why the checks come first: an import that half-works is worse than one that stops. The
bundle is validated with the library's models, then every reference must resolve inside
it and there must be exactly one Patient; anything else raises :class:`FhirImportError`
saying what was wrong and what to do, before a single record is built.

What comes back is a :class:`PatientRecord` holding what the bundle carries, in the same
JSON shapes backmech stores (see ``docs/fhir.md``): an assessment's ``intake`` holds only
``questionnaires`` (the answers) and its ``result`` only ``scores`` (and ``plan`` and
``assessed_on`` where exported); a movement analysis's ``result`` holds only its metrics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from backmech.domain.plans.model import Plan
from backmech.domain.results.model import (
    DISCLAIMER,
    RESULT_SCHEMA_VERSION,
    AssessmentResult,
    ClassificationSummary,
    DataCompleteness,
    ScoreReport,
)
from backmech.domain.safety.screening import TriageResult
from backmech.domain.types import TriageLevel
from backmech.exports.fhir_careplan import read_care_plan, read_edits
from backmech.exports.fhir_codes import (
    BASE,
    CS_MOVEMENT_TEST,
    CS_SCORE,
    CS_SESSION,
    EXT_ASSESSED_ON,
    EXT_ENGINE_VERSION,
    EXT_PLAN_STATUS,
    EXT_TRIAGE_LEVEL,
    FhirImportError,
    Json,
    code_in,
    extension_value,
)
from backmech.exports.fhir_observations import read_movement, read_score, read_session
from backmech.exports.fhir_questionnaires import qid_from_url, questionnaire_url, read_response
from backmech.services.codec import decode
from backmech.services.patient_record import PatientRecord
from backmech.services.ports import Assessment, Clinic, MovementAnalysis, Patient, PlanEdit

AGAIN_CLAUSE = "export the record again from the system it came from and import the complete file"
AGAIN = AGAIN_CLAUSE[0].upper() + AGAIN_CLAUSE[1:] + "."
BUNDLE_TYPES = frozenset(
    (
        "document",
        "message",
        "transaction",
        "transaction-response",
        "batch",
        "batch-response",
        "history",
        "searchset",
        "collection",
    )
)
"""The R4 ``Bundle.type`` codes (a required binding the library's models do not enforce)."""


def import_bundle(bundle: object) -> PatientRecord:
    """The record in ``bundle`` (decoded JSON); raises :class:`FhirImportError` when it cannot be read."""
    if not isinstance(bundle, Mapping):
        raise FhirImportError("it is not a JSON object", hint="Give the decoded JSON of one FHIR Bundle.")
    if bundle.get("resourceType") != "Bundle":
        raise FhirImportError(
            f"its resourceType is {bundle.get('resourceType')!r}, not 'Bundle'",
            hint="Export the patient's record as a FHIR Bundle (type collection) and import that file.",
        )
    try:
        validated = Bundle.model_validate(dict(bundle))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise FhirImportError(
            f"it is not valid FHIR R4 ({where}: {first['msg']})",
            hint=f"Fix the element named, or {AGAIN_CLAUSE}.",
            detail=str(exc),
        ) from exc
    data = orjson.loads(validated.model_dump_json())
    if data.get("type") not in BUNDLE_TYPES:
        raise FhirImportError(
            f"its type {data.get('type')!r} is not a FHIR R4 Bundle type",
            hint="Use a Bundle of type collection (what backmech exports).",
        )
    try:
        return _Reader(data).record()
    except FhirImportError:
        raise
    except (KeyError, ValueError, TypeError, IndexError, AttributeError, AssertionError) as exc:
        raise FhirImportError(
            "a resource lacks data a backmech record needs", hint=AGAIN, detail=repr(exc)
        ) from exc


class _Reader:
    """One pass over a validated bundle: index, check the patient and references, build the record."""

    def __init__(self, data: Json) -> None:
        self.by_url: dict[str, Json] = {}
        self.resources: list[Json] = []
        for entry in data.get("entry", ()):
            resource = entry.get("resource")
            if resource is None:
                continue
            keys = {entry.get("fullUrl")}
            if resource.get("id"):
                keys.add(f"{resource['resourceType']}/{resource['id']}")
            for key in keys - {None}:
                if key in self.by_url and self.by_url[key] is not resource:
                    raise FhirImportError(f"two entries share the address {key}", hint=AGAIN)
                self.by_url[key] = resource
            self.resources.append(resource)

    def check_references(self) -> None:
        """Every reference must point at an entry of this bundle (contained ``#id`` aside)."""
        for resource in self.resources:
            for target in _references(resource):
                if not target.startswith("#") and target not in self.by_url:
                    raise FhirImportError(
                        f"{resource['resourceType']}/{resource.get('id', '?')} refers to {target}, "
                        "which is not in the bundle",
                        hint=f"Add the missing entry, or {AGAIN_CLAUSE}.",
                    )

    def of_type(self, resource_type: str) -> list[Json]:
        return [r for r in self.resources if r["resourceType"] == resource_type]

    def resolve(self, reference: Mapping[str, Any] | None) -> Json | None:
        return self.by_url.get(str(reference.get("reference", ""))) if reference else None

    def record(self) -> PatientRecord:
        patients = self.of_type("Patient")
        if not patients:
            raise FhirImportError(
                "it has no Patient", hint="A bundle must hold the Patient the record belongs to."
            )
        if len(patients) > 1:
            raise FhirImportError(
                f"it has {len(patients)} Patients",
                hint="Import one patient's record per bundle (export each patient separately).",
            )
        self.check_references()
        found = patients[0]
        organization = self.resolve(found.get("managingOrganization"))
        if organization is None or organization["resourceType"] != "Organization":
            raise FhirImportError(
                "the Patient names no managing Organization (the clinic)",
                hint="Add Patient.managingOrganization referring to the clinic's Organization entry.",
            )
        clinic = Clinic(name=str(organization.get("name", "")), id=_uuid(organization.get("id")))
        patient = Patient(clinic_id=clinic.id, display_name=_display_name(found), id=_uuid(found.get("id")))
        assessments, movement_of = self._assessments(patient.id)
        plan_edits: list[PlanEdit] = [
            edit
            for impression in self.of_type("ClinicalImpression")
            for edit in read_edits(impression, patient.id)
        ]
        for care_plan in self.of_type("CarePlan")[:1]:
            plan, on_plan = read_care_plan(care_plan, patient.id)
            plan_edits = on_plan or plan_edits
            for info in care_plan.get("supportingInfo", ())[:1]:
                target = _uuid((self.resolve(info) or {}).get("id"))
                assessments = [_with_plan(a, plan) if a.id == target else a for a in assessments]
        return PatientRecord(
            clinic=clinic,
            patient=patient,
            assessments=sorted(assessments, key=lambda a: a.created_at),
            movement_analyses=self._movement(patient.id, movement_of),
            session_logs=[
                read_session(o, patient.id)
                for o in self.of_type("Observation")
                if code_in(o.get("code"), CS_SESSION) == "session"
            ],
            plan_edits=plan_edits,
        )

    def _assessments(self, patient_id: UUID) -> tuple[list[Assessment], dict[str, UUID]]:
        """Assessments from ClinicalImpressions, and the assessment of each linked movement panel."""
        titles = {
            str(q.get("url")): (str(q.get("title", "")), str(q.get("version", "")))
            for q in self.of_type("Questionnaire")
        }
        assessments: list[Assessment] = []
        movement_of: dict[str, UUID] = {}
        for impression in self.of_type("ClinicalImpression"):
            assessment_id = _uuid(impression.get("id"))
            answers: dict[str, object] = {}
            scores: dict[str, dict[str, Any]] = {}  # score objects in the result contract's JSON shape
            for group in impression.get("investigation", ()):
                for item in group.get("item", ()):
                    resource = self.resolve(item) or {}
                    kind = resource.get("resourceType")
                    if kind == "QuestionnaireResponse":
                        qid = qid_from_url(str(resource.get("questionnaire", "")))
                        if qid is not None:
                            answers[qid] = {"answers": read_response(resource)}
                    elif kind == "Observation" and code_in(resource.get("code"), CS_SCORE):
                        qid, output_id, value, band, notes, complete = read_score(resource)
                        title, version = titles.get(questionnaire_url(qid), ("", ""))
                        score = scores.setdefault(
                            qid,
                            {
                                "bands": {},
                                "notes": [],
                                "complete": True,
                                "instrument": title,
                                "version": version,
                            },
                        )
                        score[output_id] = value
                        if band is not None:
                            score["bands"][output_id] = band
                        score["notes"].extend(notes)
                        score["complete"] = score["complete"] and complete
                    elif kind == "Observation" and code_in(resource.get("code"), CS_MOVEMENT_TEST):
                        movement_of[str(resource["id"])] = assessment_id
            triage_level = extension_value(impression, EXT_TRIAGE_LEVEL) or ""
            plan_status = extension_value(impression, EXT_PLAN_STATUS) or ""
            engine_version = extension_value(impression, EXT_ENGINE_VERSION) or ""
            result = _imported_result(
                {qid: decode(ScoreReport, doc, f"scores.{qid}") for qid, doc in scores.items()},
                assessed_on=extension_value(impression, EXT_ASSESSED_ON),
                triage_level=triage_level,
                plan_status=plan_status,
                engine_version=engine_version,
            )
            assessments.append(
                Assessment(
                    patient_id=patient_id,
                    intake={"questionnaires": answers},
                    result=result,
                    triage_level=triage_level,
                    plan_status=plan_status,
                    engine_version=engine_version,
                    id=assessment_id,
                    created_at=dt.datetime.fromisoformat(str(impression["date"])),
                )
            )
        return assessments, movement_of

    def _movement(self, patient_id: UUID, movement_of: Mapping[str, UUID]) -> list[MovementAnalysis]:
        analyses = []
        for panel in self.of_type("Observation"):
            if code_in(panel.get("code"), CS_MOVEMENT_TEST) is None:
                continue
            members = [m for m in (self.resolve(r) for r in panel.get("hasMember", ())) if m is not None]
            analyses.append(read_movement(panel, members, patient_id, movement_of.get(str(panel["id"]))))
        return sorted(analyses, key=lambda a: a.created_at)


def _with_plan(assessment: Assessment, plan: Plan) -> Assessment:
    return replace(assessment, result=replace(assessment.result, plan=plan))


def _imported_result(
    scores: Mapping[str, ScoreReport],
    *,
    assessed_on: str | None,
    triage_level: str,
    plan_status: str,
    engine_version: str,
) -> AssessmentResult:
    """What a bundle carries of an assessment: its scores, triage level and plan status.

    The rest (the mechanisms and their evidence, the screen's reasons) is not exported
    to FHIR, so it is empty here, and the classification says it was not assessed.
    """
    level = TriageLevel(triage_level) if triage_level in set(TriageLevel) else TriageLevel.NONE
    return AssessmentResult(
        schema_version=RESULT_SCHEMA_VERSION,
        case_id="",
        assessed_on=assessed_on,
        backmech_version=engine_version,
        disclaimer=DISCLAIMER,
        triage=TriageResult(
            level=level, reasons=(), action="", safety_net=(), unanswered=(), complete=True, possible=()
        ),
        scores=dict(scores),
        classification=ClassificationSummary("not_assessed", None, (), (), "balanced"),
        mechanisms=(),
        contributing_factors=(),
        prediction_rules=(),
        plan=None,
        plan_status=plan_status,
        data_completeness=DataCompleteness((), (), (), (), ()),
        sources={},
    )


def _references(node: object) -> Iterator[str]:
    """Every ``reference`` string anywhere inside a resource."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def _uuid(value: object) -> UUID:
    """Our ids are UUIDs; another system's id gets a stable UUID derived from it."""
    try:
        return UUID(str(value))
    except ValueError:
        return uuid5(NAMESPACE_URL, f"{BASE}/imported/{value}")


def _display_name(patient: Mapping[str, Any]) -> str:
    for name in patient.get("name", ()):
        if name.get("text"):
            return str(name["text"])
        parts = [*name.get("given", ()), name.get("family", "")]
        if any(parts):
            return " ".join(str(p) for p in parts if p)
    return ""
