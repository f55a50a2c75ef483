"""One patient's record as a FHIR R4 Bundle (``collection``), and back.

Why FHIR: a clinic that moves a patient to another system, or files the assessment in its
own record, needs the answers, scores, session reports, movement metrics and plan in a
standard shape with standard codes where they exist. The bundle is built as JSON and then
validated with the ``fhir.resources`` models (package ``fhir.resources.R4B``: FHIR 4.3,
whose Patient, Organization, Questionnaire, QuestionnaireResponse, Observation,
ClinicalImpression and CarePlan are the R4 resources unchanged), so an export that does
not validate is never handed out.

Example::

    bundle = export_bundle(record, knowledge)       # JSON-ready dict
    again = import_bundle(bundle)                   # PatientRecord with the exported parts

What goes where, the codes and what is left out: ``docs/fhir.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

import orjson
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from backmech.domain.errors import BackmechError
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.exports.fhir_careplan import build_care_plan, edit_note
from backmech.exports.fhir_codes import (
    CS_ASSESSMENT,
    EXT_ASSESSED_ON,
    EXT_ENGINE_VERSION,
    EXT_PLAN_STATUS,
    EXT_TRIAGE_LEVEL,
    FhirImportError,
    Json,
    coding,
    concept,
    derived_id,
    instant,
    ref,
    string_extension,
    urn,
)
from backmech.exports.fhir_import import import_bundle
from backmech.exports.fhir_observations import build_movement, build_scores, build_session
from backmech.exports.fhir_questionnaires import build_questionnaire, build_response
from backmech.services.patient_record import PatientRecord
from backmech.services.ports import AnalysisStatus, Assessment, MovementAnalysis

__all__ = ["FhirExportError", "FhirImportError", "export_bundle", "import_bundle"]


class FhirExportError(BackmechError):
    """The record could not be written as valid FHIR (a bug in the export, or damaged stored data)."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "This record could not be exported as FHIR: a resource did not pass validation.",
            hint="Report this with the detail below; the stored record itself is unchanged.",
            detail=detail,
        )


def export_bundle(record: PatientRecord, knowledge: KnowledgeBase) -> dict[str, object]:
    """The record as a validated FHIR R4 ``collection`` Bundle, as JSON-ready data.

    Every resource has ``fullUrl`` ``urn:uuid:<id>`` with a stable id (our record's id, or
    one derived from it), so exporting the same record twice gives the same bundle and
    every reference resolves inside it.
    """
    patient_id = record.patient.id
    used = instruments_used(record.assessments, knowledge)
    finished = [a for a in record.movement_analyses if a.status is AnalysisStatus.DONE and a.result]
    organization: Json = {"resourceType": "Organization", "id": str(record.clinic.id)}
    if record.clinic.name:
        organization["name"] = record.clinic.name
    patient: Json = {"resourceType": "Patient", "id": str(patient_id)}
    if record.patient.display_name:  # the display name only: no invented demographics
        patient["name"] = [{"text": record.patient.display_name}]
    patient["managingOrganization"] = ref(record.clinic.id)
    entries: list[Json] = [
        organization,
        patient,
        *(build_questionnaire(knowledge.questionnaires[qid]) for qid in used),
    ]
    for assessment in record.assessments:
        entries.extend(_assessment(assessment, used, finished, knowledge, patient_id))
    with_plan = [a for a in record.assessments if a.result.plan is not None]
    if record.plan_edits and record.assessments and not with_plan:
        # Care recorded with no plan to sit on (e.g. a neurological examination after a red
        # flag): keep it on the newest assessment rather than drop it.
        newest = next(e for e in reversed(entries) if e["resourceType"] == "ClinicalImpression")
        newest["note"] = [edit_note(edit, None) for edit in record.plan_edits]
    for analysis in finished:
        entries.extend(build_movement(analysis, patient_id))
    entries.extend(build_session(log, patient_id) for log in record.session_logs)
    if with_plan:
        entries.append(build_care_plan(with_plan[-1], record.assessments[-1], record.plan_edits, patient_id))
    bundle: Json = {
        "resourceType": "Bundle",
        "id": derived_id(patient_id, "bundle"),
        "type": "collection",
        "entry": [{"fullUrl": urn(resource["id"]), "resource": resource} for resource in entries],
    }
    try:
        validated = Bundle.model_validate(bundle)
    except ValidationError as exc:
        raise FhirExportError(str(exc)) from exc
    exported = orjson.loads(validated.model_dump_json())
    assert isinstance(exported, dict)
    return exported


def instruments_used(assessments: Sequence[Assessment], knowledge: KnowledgeBase) -> list[str]:
    """Instruments answered or scored in any assessment (known to this knowledge base), sorted."""
    used: set[str] = set()
    for assessment in assessments:
        used.update(_answers(assessment))
        used.update(assessment.result.scores)
    return sorted(qid for qid in used if qid in knowledge.questionnaires)


def _answers(assessment: Assessment) -> dict[str, Mapping[str, object]]:
    """The intake's answers per instrument (unanswered items dropped, as the intake reader does)."""
    blocks = assessment.intake.get("questionnaires")
    found: dict[str, Mapping[str, object]] = {}
    if isinstance(blocks, Mapping):
        for qid, block in blocks.items():
            answers = block.get("answers") if isinstance(block, Mapping) else None
            if isinstance(answers, Mapping):
                found[str(qid)] = {k: v for k, v in answers.items() if v is not None}
    return found


def _assessment(
    assessment: Assessment,
    used: Sequence[str],
    finished: Sequence[MovementAnalysis],
    knowledge: KnowledgeBase,
    patient_id: UUID,
) -> list[Json]:
    """A ClinicalImpression for one assessment, then its QuestionnaireResponses and scores."""
    answers = _answers(assessment)
    scores = assessment.result.scores
    at = assessment.created_at
    found: list[Json] = []
    for qid in used:
        q = knowledge.questionnaires[qid]
        response_id = None
        if answers.get(qid):
            response = build_response(q, answers[qid], assessment.id, patient_id, at)
            response_id = response["id"]
            found.append(response)
        score = scores.get(qid)
        if score is not None:
            found.extend(build_scores(q, score, assessment.id, patient_id, at, response_id))
    movement = [a for a in finished if a.assessment_id == assessment.id]
    investigation = []
    if found:
        investigation.append(
            {"code": {"text": "Questionnaires and scores"}, "item": [ref(r["id"]) for r in found]}
        )
    if movement:
        investigation.append({"code": {"text": "Movement tests"}, "item": [ref(a.id) for a in movement]})
    extensions = [
        string_extension(url, value)
        for url, value in (
            (EXT_ENGINE_VERSION, assessment.engine_version),
            (EXT_TRIAGE_LEVEL, assessment.triage_level),
            (EXT_PLAN_STATUS, assessment.plan_status),
            (EXT_ASSESSED_ON, assessment.result.assessed_on),
        )
        if isinstance(value, str) and value
    ]
    impression: Json = {
        "resourceType": "ClinicalImpression",
        "id": str(assessment.id),
        "status": "completed",
        "code": concept(coding(CS_ASSESSMENT, "backmech-assessment", "backmech low back pain assessment")),
        "description": "Mechanism-based low back pain assessment by backmech; it supports, and does not "
        "replace, a clinician's assessment.",
        "subject": ref(patient_id),
        "effectiveDateTime": instant(at),
        "date": instant(at),
        "summary": f"Triage level: {assessment.triage_level or 'unknown'}. "
        f"Plan: {assessment.plan_status or 'unknown'}.",
    }
    if extensions:
        impression["extension"] = extensions
    if investigation:
        impression["investigation"] = investigation
    return [impression, *found]
