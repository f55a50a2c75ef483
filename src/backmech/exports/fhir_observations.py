"""Observations: questionnaire scores, exercise-session reports and movement-test metrics.

Why Observations: each is one measured value at one time about the patient, which is what
a receiving record charts and trends. Each builder has a reader next to it, so what is
written and what an import reads back cannot drift apart.

* a score: one Observation per output (ODI percent, STarT Back total, subscale, risk group),
  the band as ``interpretation``, ``derivedFrom`` the QuestionnaireResponse;
* a session log: one Observation (id = the log's id) whose ``component``s are the pain
  ratings (before, worst during, after, next morning) and the effort;
* a movement analysis: a panel Observation (id = the analysis id) with ``hasMember`` one
  Observation per metric, each with its unit, confidence and normal range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from backmech.domain.movement import Metric
from backmech.domain.questionnaires.model import Output, Questionnaire
from backmech.domain.results.model import BandReport, MovementReport, ScoreReport
from backmech.exports.fhir_codes import (
    CS_BAND,
    CS_MOVEMENT_METRIC,
    CS_MOVEMENT_TEST,
    CS_SCORE,
    CS_SCORE_CATEGORY,
    CS_SESSION,
    DATA_ABSENT,
    EXT_SOURCE,
    EXT_UNIT,
    LOINC,
    PAIN_NRS_LOINC,
    SCORE_LOINC,
    SESSION_KEY_SYSTEM,
    STARTBACK_RISK_LOINC,
    UCUM,
    UCUM_UNITS,
    Json,
    category,
    code_in,
    coding,
    concept,
    derived_id,
    extension_value,
    instant,
    ref,
    string_extension,
)
from backmech.services.ports import AnalysisStatus, MovementAnalysis, SessionLog

SESSION_PARTS: tuple[tuple[str, str, bool], ...] = (
    ("pain_before", "Pain before the session (0-10)", True),
    ("pain_during", "Worst pain during the session (0-10)", True),
    ("pain_after", "Pain after the session (0-10)", True),
    ("next_morning_pain", "Pain the next morning (0-10)", True),
    ("effort", "Effort of the session (0-10)", False),
)
"""(field, display, is a pain rating): the numbers of a :class:`SessionLog`, in order."""
SESSION_KIND = "kind"


# ------------------------------------------------------------------ questionnaire scores


def score_id(assessment_id: UUID, qid: str, output_id: str) -> str:
    return derived_id(assessment_id, f"score/{qid}/{output_id}")


def build_scores(
    q: Questionnaire,
    score: ScoreReport,
    assessment_id: UUID,
    patient_id: UUID,
    at: dt.datetime,
    response_id: str | None,
) -> list[Json]:
    """One Observation per scored output of one instrument (withheld scores are left out)."""
    exported = [o for o in q.outputs if _scored(score.values.get(o.id))]
    if not exported:
        return []
    ids = {o.id for o in exported}
    fallback = q.primary_output if q.primary_output in ids else exported[0].id
    notes: dict[str, list[str]] = {o.id: [] for o in exported}
    for note in score.notes:
        if not note.strip():
            continue
        prefix = note.split(":", 1)[0]
        notes[prefix if prefix in ids else fallback].append(note)
    return [
        _score(
            q,
            o,
            score.values[o.id],
            score.bands.get(o.id),
            notes[o.id],
            score.complete,
            assessment_id,
            patient_id,
            at,
            response_id,
        )
        for o in exported
    ]


def _scored(value: object) -> bool:
    return value is not None and not isinstance(value, bool)


def _score(
    q: Questionnaire,
    output: Output,
    value: object,
    band: BandReport | None,
    notes: Sequence[str],
    complete: bool,
    assessment_id: UUID,
    patient_id: UUID,
    at: dt.datetime,
    response_id: str | None,
) -> Json:
    codings = [coding(CS_SCORE, f"{q.id}.{output.id}", f"{q.name}: {output.id}")]
    loinc = SCORE_LOINC.get((q.id, output.id))
    if loinc is not None:
        codings.append(coding(LOINC, *loinc))
    resource: Json = {
        "resourceType": "Observation",
        "id": score_id(assessment_id, q.id, output.id),
        "status": "final" if complete else "preliminary",
        "category": category("survey"),
        "code": concept(*codings, text=f"{q.name}: {output.description}"),
        "subject": ref(patient_id),
        "effectiveDateTime": instant(at),
    }
    if isinstance(value, int):
        resource["valueInteger"] = value
    elif isinstance(value, float):
        unit = "%" if output.method == "percent" else "{score}"
        resource["valueQuantity"] = {"value": value, "unit": unit, "system": UCUM, "code": unit}
    else:
        answer = [coding(CS_SCORE_CATEGORY, str(value), str(value))]
        if q.id == "start_back" and str(value) in STARTBACK_RISK_LOINC:
            answer.append(coding(LOINC, *STARTBACK_RISK_LOINC[str(value)]))
        resource["valueCodeableConcept"] = concept(*answer, text=str(value))
    if band is not None:
        interpretation = concept(coding(CS_BAND, band.id, band.label), text=band.meaning)
        if band.source:
            interpretation["extension"] = [string_extension(EXT_SOURCE, band.source)]
        resource["interpretation"] = [interpretation]
    if notes:
        resource["note"] = [{"text": n} for n in notes]
    if response_id is not None:
        resource["derivedFrom"] = [ref(response_id)]
    return resource


def read_score(
    observation: Mapping[str, Any],
) -> tuple[str, str, object, dict[str, str] | None, list[str], bool]:
    """(instrument id, output id, value, band, notes, complete) of a score Observation."""
    code = code_in(observation.get("code"), CS_SCORE) or ""
    qid, _, output_id = code.partition(".")
    value: object
    if "valueInteger" in observation:
        value = int(observation["valueInteger"])
    elif "valueQuantity" in observation:
        value = float(observation["valueQuantity"]["value"])
    else:
        value = code_in(observation.get("valueCodeableConcept"), CS_SCORE_CATEGORY)
    band: dict[str, str] | None = None
    for interpretation in observation.get("interpretation", ())[:1]:
        found = interpretation["coding"][0]
        band = {
            "id": str(found["code"]),
            "label": str(found.get("display", "")),
            "meaning": str(interpretation.get("text", "")),
            "source": extension_value(interpretation, EXT_SOURCE) or "",
        }
    notes = [str(n["text"]) for n in observation.get("note", ())]
    return qid, output_id, value, band, notes, observation.get("status") != "preliminary"


# ------------------------------------------------------------------ exercise sessions


def build_session(log: SessionLog, patient_id: UUID) -> Json:
    """One reported session: the numbers as components, the client's key as identifier."""
    components: list[Json] = []
    for name, display, is_pain in SESSION_PARTS:
        value = getattr(log, name)
        if value is None:
            continue
        codings = [coding(CS_SESSION, name, display)]
        if is_pain:
            codings.append(coding(LOINC, *PAIN_NRS_LOINC))
        components.append({"code": concept(*codings, text=display), "valueInteger": value})
    if log.kind:
        components.append(
            {"code": concept(coding(CS_SESSION, SESSION_KIND, "Kind of session")), "valueString": log.kind}
        )
    resource: Json = {
        "resourceType": "Observation",
        "id": str(log.id),
        "status": "final",
        "category": category("survey"),
        "code": concept(coding(CS_SESSION, "session", "Exercise session, as the patient reported it")),
        "subject": ref(patient_id),
        "effectiveDateTime": log.session_date.isoformat(),
        "issued": instant(log.created_at),
        "component": components,
    }
    if log.idempotency_key:
        resource["identifier"] = [{"system": SESSION_KEY_SYSTEM, "value": log.idempotency_key}]
    if log.notes:
        resource["note"] = [{"text": log.notes}]
    return resource


def read_session(observation: Mapping[str, Any], patient_id: UUID) -> SessionLog:
    values: dict[str, Any] = {}
    for component in observation.get("component", ()):
        name = code_in(component.get("code"), CS_SESSION)
        if name == SESSION_KIND:
            values["kind"] = str(component["valueString"])
        elif name is not None:
            values[name] = int(component["valueInteger"])
    keys = [i["value"] for i in observation.get("identifier", ()) if i.get("system") == SESSION_KEY_SYSTEM]
    notes = observation.get("note") or [{"text": ""}]
    return SessionLog(
        patient_id=patient_id,
        session_date=dt.date.fromisoformat(str(observation["effectiveDateTime"])[:10]),
        pain_before=values["pain_before"],
        pain_after=values["pain_after"],
        effort=values["effort"],
        idempotency_key=str(keys[0]) if keys else "",
        next_morning_pain=values.get("next_morning_pain"),
        pain_during=values.get("pain_during"),
        kind=values.get("kind"),
        notes=str(notes[0]["text"]),
        id=UUID(str(observation["id"])),
        created_at=dt.datetime.fromisoformat(str(observation["issued"])),
    )


# ------------------------------------------------------------------ movement tests


def build_movement(analysis: MovementAnalysis, patient_id: UUID) -> list[Json]:
    """The panel for one finished analysis, then one Observation per metric."""
    report = analysis.result if isinstance(analysis.result, MovementReport) else None
    metrics = report.metrics if report is not None else {}
    members = [_metric(analysis, metric_id, metric, patient_id) for metric_id, metric in metrics.items()]
    panel: Json = {
        "resourceType": "Observation",
        "id": str(analysis.id),
        "status": "final",
        "category": category("exam"),
        "code": concept(
            coding(CS_MOVEMENT_TEST, analysis.test, analysis.test), text=f"Movement test: {analysis.test}"
        ),
        "subject": ref(patient_id),
        "effectiveDateTime": instant(analysis.created_at),
        "issued": instant(analysis.updated_at),
    }
    if members:
        panel["hasMember"] = [ref(m["id"]) for m in members]
    return [panel, *members]


def _metric(analysis: MovementAnalysis, metric_id: str, metric: Metric, patient_id: UUID) -> Json:
    name = metric.name or metric_id
    resource: Json = {
        "resourceType": "Observation",
        "id": derived_id(analysis.id, f"metric/{metric_id}"),
        "status": "final",
        "category": category("exam"),
        "code": concept(coding(CS_MOVEMENT_METRIC, f"{analysis.test}.{metric_id}", name), text=name),
        "subject": ref(patient_id),
        "effectiveDateTime": instant(analysis.created_at),
    }
    if metric.source:
        resource["extension"] = [string_extension(EXT_SOURCE, metric.source)]
    unit = metric.unit
    if metric.value is not None:
        quantity: Json = {"value": metric.value}
        if unit:
            quantity["unit"] = unit
        if unit in UCUM_UNITS:
            quantity |= {"system": UCUM, "code": UCUM_UNITS[unit]}
        resource["valueQuantity"] = quantity
    else:
        resource["dataAbsentReason"] = concept(coding(DATA_ABSENT, "unknown"), text="Not measured")
        if unit:
            resource.setdefault("extension", []).append(string_extension(EXT_UNIT, unit))
    resource["component"] = [
        {
            "code": concept(coding(CS_MOVEMENT_METRIC, "confidence", "Confidence of the measurement (0-1)")),
            "valueQuantity": {"value": metric.confidence, "unit": "1", "system": UCUM, "code": "1"},
        }
    ]
    if metric.normal:
        resource["referenceRange"] = [{"text": metric.normal}]
    return resource


def read_movement(
    panel: Mapping[str, Any],
    members: Sequence[Mapping[str, Any]],
    patient_id: UUID,
    assessment_id: UUID | None,
) -> MovementAnalysis:
    """A finished analysis with its metrics (the video and the other result fields are not exported)."""
    test = code_in(panel.get("code"), CS_MOVEMENT_TEST) or ""
    metrics: dict[str, Metric] = {}
    for member in members:
        code = code_in(member.get("code"), CS_MOVEMENT_METRIC) or ""
        metric_id = code.split(".", 1)[-1]
        quantity = member.get("valueQuantity")
        unit = str(quantity.get("unit", "")) if quantity else extension_value(member, EXT_UNIT) or ""
        confidence = 0.0
        for component in member.get("component", ()):
            confidence = float(component["valueQuantity"]["value"])
        normal = member.get("referenceRange") or [{"text": ""}]
        metrics[metric_id] = Metric(
            id=metric_id,
            name=str(member["code"].get("text", metric_id)),
            value=float(quantity["value"]) if quantity else None,
            unit=unit,
            confidence=confidence,
            normal=str(normal[0].get("text", "")),
            source=extension_value(member, EXT_SOURCE) or "",
        )
    return MovementAnalysis(
        patient_id=patient_id,
        test=test,
        media_path="",
        status=AnalysisStatus.DONE,
        assessment_id=assessment_id,
        result=imported_report(test, metrics),
        id=UUID(str(panel["id"])),
        created_at=dt.datetime.fromisoformat(str(panel["effectiveDateTime"])),
        updated_at=dt.datetime.fromisoformat(str(panel["issued"])),
    )


def imported_report(test: str, metrics: Mapping[str, Metric]) -> MovementReport:
    """What a bundle carries of an analysed movement test: its metrics (not the video, findings or events)."""
    return MovementReport(test=test, metrics=dict(metrics))
