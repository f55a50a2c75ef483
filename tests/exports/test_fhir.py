"""FHIR R4 export and import of one patient's record, with real engine output.

The record: the flexion-intolerant desk worker assessed twice by the real engine (a
baseline and a follow-up two weeks later), three exercise-session reports (with pain
during the session and next-morning pain), a clinician's plan edit and a finished
forward-bend analysis of a synthetic figure run through the real movement protocol.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import uuid4

import orjson
import pytest
from fhir.resources.R4B.bundle import Bundle

from backmech.bootstrap import assessment_service
from backmech.domain.errors import BackmechError
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.plans.edits import ChangeDose, RecordCare
from backmech.domain.results.model import MovementReport
from backmech.exports.fhir import FhirImportError, export_bundle, import_bundle
from backmech.services.patient_record import PatientRecord
from backmech.services.ports import (
    AnalysisStatus,
    Assessment,
    Clinic,
    MovementAnalysis,
    Patient,
    PlanEdit,
    SessionLog,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
LOINC = "http://loinc.org"
BACKMECH_CS = "https://backmech.org/fhir/CodeSystem/"
SCORE_CS = BACKMECH_CS + "questionnaire-score"
T0 = dt.datetime(2026, 11, 20, 9, 30, 12, 345678, tzinfo=dt.UTC)


def _assessment(patient: Patient, example: str, at: dt.datetime) -> Assessment:
    intake = json.loads((EXAMPLES / example).read_text())
    result = assessment_service().assess(intake)
    return Assessment(
        patient_id=patient.id,
        intake=intake,
        result=result,
        triage_level=str(result.triage.level),
        plan_status=result.plan_status,
        engine_version=result.backmech_version,
        created_at=at,
    )


def _forward_bend_result() -> MovementReport:
    """A real forward-bend result: the synthetic figure of tests/motion through the real protocol."""
    helpers = str(ROOT / "tests" / "motion")
    if helpers not in sys.path:
        sys.path.append(helpers)  # after everything else: never shadows another module
    from protocol_support import specs  # type: ignore[import-not-found]
    from scenarios import forward_bend  # type: ignore[import-not-found]

    from backmech.services.movement import MovementService, movement_report

    service = MovementService(specs=specs(), open_video=None, estimator_factory=None)  # type: ignore[arg-type]
    return movement_report(service.analyse_sequence(forward_bend().sequence(), "forward-bend"))


@pytest.fixture(scope="module")
def record() -> PatientRecord:
    clinic = Clinic(name="Riverside Physio")
    patient = Patient(clinic_id=clinic.id, display_name="Alex P.")
    baseline = _assessment(patient, "flexion-intolerant-desk-worker.json", T0)
    follow_up = _assessment(patient, "flexion-intolerant-desk-worker.json", T0 + dt.timedelta(days=14))
    analysis = MovementAnalysis(
        patient_id=patient.id,
        test="forward-bend",
        media_path="clips/forward-bend.mp4",
        status=AnalysisStatus.DONE,
        assessment_id=follow_up.id,
        result=_forward_bend_result(),
        created_at=T0 + dt.timedelta(days=14, minutes=5),
        updated_at=T0 + dt.timedelta(days=14, minutes=6),
    )
    queued = MovementAnalysis(patient_id=patient.id, test="squat", media_path="clips/squat.mp4")
    logs = [
        SessionLog(
            patient_id=patient.id,
            session_date=dt.date(2026, 11, 21),
            pain_before=4,
            pain_after=3,
            effort=5,
            idempotency_key="phone-1",
            next_morning_pain=2,
            pain_during=5,
            kind="full",
            notes="Bird dog pinched a little at first.",
            created_at=T0 + dt.timedelta(days=1, hours=8),
        ),
        SessionLog(
            patient_id=patient.id,
            session_date=dt.date(2026, 11, 22),
            pain_before=3,
            pain_after=2,
            effort=4,
            idempotency_key="phone-2",
            kind="routine",
            created_at=T0 + dt.timedelta(days=2, hours=8),
        ),
        SessionLog(  # an older log: no kind, no pain during
            patient_id=patient.id,
            session_date=dt.date(2026, 11, 23),
            pain_before=0,
            pain_after=0,
            effort=2,
            idempotency_key="phone-3",
            created_at=T0 + dt.timedelta(days=3, hours=8),
        ),
    ]
    edits = [
        PlanEdit(
            patient_id=patient.id,
            editor_id=uuid4(),
            reason="Side bridge on the knees still provokes pain; start with the dose halved.",
            change=ChangeDose("exercises", "side-bridge", "3 holds of 10 s"),
            at=T0 + dt.timedelta(days=15),
        )
    ]
    return PatientRecord(
        clinic=clinic,
        patient=patient,
        assessments=[baseline, follow_up],
        movement_analyses=[analysis, queued],
        session_logs=logs,
        plan_edits=edits,
    )


@pytest.fixture(scope="module")
def bundle(record: PatientRecord, kb: KnowledgeBase) -> dict[str, Any]:
    return export_bundle(record, kb)


def _resources(bundle: dict[str, Any], resource_type: str | None = None) -> list[dict[str, Any]]:
    return [
        e["resource"]
        for e in bundle["entry"]
        if resource_type is None or e["resource"]["resourceType"] == resource_type
    ]


def _codes(element: dict[str, Any], system: str) -> list[str]:
    return [c["code"] for c in element.get("coding", ()) if c.get("system") == system]


def _score(bundle: dict[str, Any], code: str, at: dt.datetime = T0) -> dict[str, Any]:
    stamp = at.isoformat().replace("+00:00", "Z")
    found = [
        o
        for o in _resources(bundle, "Observation")
        if code in _codes(o["code"], SCORE_CS) and o["effectiveDateTime"] == stamp
    ]
    assert len(found) == 1, code
    return found[0]


def _references(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference":
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


# ------------------------------------------------------------------ the export


def test_every_resource_validates_with_the_r4_models(bundle: dict[str, Any]) -> None:
    parsed = Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    assert orjson.loads(parsed.model_dump_json()) == bundle  # nothing dropped or added by the models
    assert json.loads(json.dumps(bundle)) == bundle  # JSON-ready


def test_counts_of_each_resource_type(bundle: dict[str, Any]) -> None:
    counts = Counter(r["resourceType"] for r in _resources(bundle))
    # 6 instruments answered (FABQ, NPRS, ODI, RMDQ, STarT Back, TSK-11; no PSFS) x 2 assessments;
    # scored outputs per assessment: FABQ 2 + NPRS 2 + ODI 1 + RMDQ 1 + STarT Back 3 + TSK-11 1 = 10;
    # forward bend: 1 panel + 7 metrics (the queued squat is not exported); 3 session logs.
    assert counts == {
        "Organization": 1,
        "Patient": 1,
        "Questionnaire": 6,
        "ClinicalImpression": 2,
        "QuestionnaireResponse": 12,
        "Observation": 2 * 10 + 1 + 7 + 3,
        "CarePlan": 1,
    }


def test_references_resolve_and_full_urls_are_stable_uuids(
    bundle: dict[str, Any], record: PatientRecord
) -> None:
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(urls)) == len(urls)
    for entry in bundle["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    targets = [ref for r in _resources(bundle) for ref in _references(r)]
    assert targets and set(targets) <= set(urls)
    assert f"urn:uuid:{record.patient.id}" in urls and f"urn:uuid:{record.clinic.id}" in urls
    assert {str(log.id) for log in record.session_logs} <= {r["id"] for r in _resources(bundle)}


def test_patient_has_the_display_name_only(bundle: dict[str, Any], record: PatientRecord) -> None:
    (patient,) = _resources(bundle, "Patient")
    assert patient["name"] == [{"text": "Alex P."}]
    assert set(patient) == {"resourceType", "id", "name", "managingOrganization"}
    (organization,) = _resources(bundle, "Organization")
    assert organization["name"] == "Riverside Physio"


def test_loinc_codes_are_only_the_verified_ones(bundle: dict[str, Any]) -> None:
    used: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("system") == LOINC:
                used.add(node["code"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(bundle)
    assert used == {"72514-3", "97908-8", "97909-6", "91349-1", "91350-9", "91351-7", "91352-5", "LA8982-6"}


def test_scores_carry_values_bands_and_codes(bundle: dict[str, Any], record: PatientRecord) -> None:
    scores = record.assessments[0].result.scores
    odi = _score(bundle, "odi.percent")
    assert _codes(odi["code"], LOINC) == ["97909-6"]
    assert odi["valueQuantity"] == {
        "value": scores["odi"].values["percent"],
        "unit": "%",
        "system": "http://unitsofmeasure.org",
        "code": "%",
    }
    assert odi["interpretation"][0]["coding"][0]["code"] == "moderate"
    nprs = _score(bundle, "nprs.current")
    assert _codes(nprs["code"], LOINC) == ["72514-3"] and nprs["valueInteger"] == 5
    assert _codes(_score(bundle, "nprs.average")["code"], LOINC) == []  # a mean of three: not 72514-3
    rmdq = _score(bundle, "rmdq.total")
    assert rmdq["valueInteger"] == scores["rmdq"].values["total"] == 5 and _codes(rmdq["code"], LOINC) == []
    risk = _score(bundle, "start_back.risk")
    assert _codes(risk["code"], LOINC) == ["91352-5"]
    assert _codes(risk["valueCodeableConcept"], LOINC) == ["LA8982-6"]  # medium
    tsk = _score(bundle, "tsk11.total")
    assert any("descriptive only" in n["text"] for n in tsk["note"])
    responses = {r["id"]: r for r in _resources(bundle, "QuestionnaireResponse")}
    assert responses[odi["derivedFrom"][0]["reference"].removeprefix("urn:uuid:")]["questionnaire"].endswith(
        "/odi"
    )


def test_questionnaires_use_our_paraphrased_items(bundle: dict[str, Any], kb: KnowledgeBase) -> None:
    forms = {q["url"].rsplit("/", 1)[1]: q for q in _resources(bundle, "Questionnaire")}
    assert set(forms) == {"fabq", "nprs", "odi", "rmdq", "start_back", "tsk11"}
    for qid, form in forms.items():
        items = kb.questionnaires[qid].items
        assert [i["linkId"] for i in form["item"]] == [i.link_id for i in items]
        assert [i["text"] for i in form["item"]] == [i.text for i in items]
    assert forms["odi"]["code"][0]["code"] == "97908-8"
    assert forms["start_back"]["code"][0]["code"] == "91349-1"
    in_work_items = [i for i in forms["fabq"]["item"] if i.get("enableWhen")]
    assert in_work_items and all(i["enableWhen"][0]["question"] == "in_work" for i in in_work_items)


def test_care_plan_is_the_latest_plan_with_doses_period_and_edits(
    bundle: dict[str, Any], record: PatientRecord
) -> None:
    (care_plan,) = _resources(bundle, "CarePlan")
    latest = record.assessments[-1]
    plan = latest.result.plan
    assert plan is not None
    assert care_plan["status"] == "active"
    assert care_plan["supportingInfo"] == [{"reference": f"urn:uuid:{latest.id}"}]
    assert care_plan["period"] == {"start": "2026-11-20", "end": "2027-02-12"}  # 12 weeks from assessed_on
    todo = [a["detail"] for a in care_plan["activity"] if not a["detail"].get("doNotPerform")]
    expected = [*plan.exercises, *plan.daily_routine, *plan.walking, *plan.relief]
    assert [d["code"]["coding"][0]["code"] for d in todo] == [e.slug for e in expected]
    assert [d["description"] for d in todo] == [e.dose.text for e in expected]
    excluded = [a["detail"] for a in care_plan["activity"] if a["detail"].get("doNotPerform")]
    assert {d["code"]["coding"][0]["code"] for d in excluded} == {e.slug for e in plan.excluded_exercises}
    (note,) = care_plan["note"]
    assert "side-bridge" in note["text"] and "dose halved" in note["text"]


def test_a_plan_withheld_by_a_newer_assessment_is_exported_on_hold(
    record: PatientRecord, kb: KnowledgeBase
) -> None:
    red_flag = _assessment(record.patient, "red-flag-cauda-equina.json", T0 + dt.timedelta(days=30))
    assert red_flag.result.plan is None
    later = replace(record, assessments=[*record.assessments, red_flag])
    (care_plan,) = _resources(export_bundle(later, kb), "CarePlan")
    assert care_plan["status"] == "on-hold"
    assert care_plan["supportingInfo"] == [{"reference": f"urn:uuid:{record.assessments[-1].id}"}]
    assert "Do not follow it" in care_plan["note"][0]["text"]


def test_movement_metrics_are_one_observation_each_with_unit(
    bundle: dict[str, Any], record: PatientRecord
) -> None:
    sent = record.movement_analyses[0].result
    assert isinstance(sent, MovementReport)
    metrics = sent.metrics
    (panel,) = [
        o for o in _resources(bundle, "Observation") if o["id"] == str(record.movement_analyses[0].id)
    ]
    members = {o["id"]: o for o in _resources(bundle, "Observation")}
    found = [members[m["reference"].removeprefix("urn:uuid:")] for m in panel["hasMember"]]
    assert len(found) == len(metrics) == 7
    for observation, (metric_id, metric) in zip(found, metrics.items(), strict=True):
        assert observation["code"]["coding"][0]["code"] == f"forward-bend.{metric_id}"
        assert observation["valueQuantity"]["value"] == metric.value
        assert observation["valueQuantity"]["unit"] == metric.unit
    degrees = found[0]["valueQuantity"]
    assert degrees["system"] == "http://unitsofmeasure.org" and degrees["code"] == "deg"


# ------------------------------------------------------------------ the import


def test_round_trip_export_import_export_is_equal(bundle: dict[str, Any], kb: KnowledgeBase) -> None:
    assert export_bundle(import_bundle(bundle), kb) == bundle


def test_import_gives_back_names_answers_scores_logs_edits_and_metrics(
    bundle: dict[str, Any], record: PatientRecord
) -> None:
    imported = import_bundle(bundle)
    assert imported.patient.display_name == "Alex P." and imported.patient.id == record.patient.id
    assert imported.clinic.name == "Riverside Physio" and imported.clinic.id == record.clinic.id
    assert [a.id for a in imported.assessments] == [a.id for a in record.assessments]
    for got, sent in zip(imported.assessments, record.assessments, strict=True):
        assert got.created_at == sent.created_at and got.triage_level == sent.triage_level
        assert got.plan_status == sent.plan_status and got.engine_version == sent.engine_version
        assert got.intake["questionnaires"] == sent.intake["questionnaires"]
        for qid, score in got.result.scores.items():
            sent_score = sent.result.scores[qid]
            assert dict(score.values) == {k: v for k, v in sent_score.values.items() if v is not None}
            assert score.bands == sent_score.bands and score.complete is sent_score.complete
            assert sorted(score.notes) == sorted(sent_score.notes)
            assert score.instrument == sent_score.instrument
    assert list(imported.session_logs) == list(record.session_logs)  # every field, ids included
    assert list(imported.plan_edits) == list(record.plan_edits)
    (analysis,) = imported.movement_analyses
    sent_analysis = record.movement_analyses[0]
    assert analysis.id == sent_analysis.id and analysis.assessment_id == sent_analysis.assessment_id
    assert isinstance(analysis.result, MovementReport) and isinstance(sent_analysis.result, MovementReport)
    assert analysis.result.metrics == sent_analysis.result.metrics
    plan = imported.assessments[-1].result.plan
    assert plan is not None and plan.weeks == 12


# ------------------------------------------------------------------ bad bundles


def _without(bundle: dict[str, Any], resource_type: str) -> dict[str, Any]:
    return {**bundle, "entry": [e for e in bundle["entry"] if e["resource"]["resourceType"] != resource_type]}


def _set_first(bundle: dict[str, Any], resource_type: str, key: str, value: object) -> dict[str, Any]:
    for resource in _resources(bundle, resource_type):
        resource[key] = value
        break
    return bundle


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: ["not", "a", "bundle"], "not a JSON object"),
        (lambda b: {**b, "resourceType": "Patient"}, "not 'Bundle'"),
        (lambda b: {**b, "type": "not-a-type"}, "not a FHIR R4 Bundle type"),
        (lambda b: _set_first(b, "Observation", "valueInteger", "five"), "not valid FHIR R4"),
        (
            lambda b: {
                **b,
                "entry": [*b["entry"], {"resource": {"resourceType": "Observation", "code": {"text": "x"}}}],
            },
            "resource.status",
        ),
        (lambda b: _without(b, "Patient"), "no Patient"),  # though everything refers to it
        (
            lambda b: {
                **b,
                "entry": [
                    e
                    for e in b["entry"]
                    if e["resource"]["resourceType"] in ("Organization", "Questionnaire")
                ],
            },
            "no Patient",
        ),
        (lambda b: _without(b, "QuestionnaireResponse"), "which is not in the bundle"),
    ],
    ids=[
        "list",
        "not-a-bundle",
        "bad-type",
        "bad-value",
        "observation-without-status",
        "patient-missing",
        "no-patient",
        "dangling",
    ],
)
def test_bad_bundles_raise_a_clear_error(bundle: dict[str, Any], damage: Any, message: str) -> None:
    with pytest.raises(FhirImportError) as info:
        import_bundle(damage(json.loads(json.dumps(bundle))))
    assert isinstance(info.value, BackmechError)
    assert message in str(info.value) and info.value.hint
    assert str(info.value).startswith("This FHIR bundle cannot be imported:")


def test_two_patients_are_refused(bundle: dict[str, Any]) -> None:
    other = {
        "fullUrl": f"urn:uuid:{uuid4()}",
        "resource": {"resourceType": "Patient", "name": [{"text": "B"}]},
    }
    with pytest.raises(FhirImportError, match="2 Patients") as info:
        import_bundle({**bundle, "entry": [*bundle["entry"], other]})
    assert "one patient" in info.value.hint


def test_psfs_activities_and_several_odi_ticks_survive_the_round_trip(kb: KnowledgeBase) -> None:
    intake = json.loads((EXAMPLES / "flexion-intolerant-desk-worker.json").read_text())
    intake["questionnaires"]["odi"]["answers"]["sitting"] = [2, 3]
    intake["questionnaires"]["psfs"] = {
        "answers": {
            "activity_1": {"activity": "Putting on socks", "score": 4},
            "activity_2": {"activity": "Sitting through a 1-hour meeting", "score": 3},
            "activity_3": {"activity": "Driving to my parents (90 minutes)", "score": 5},
        }
    }
    result = assessment_service().assess(intake)
    clinic = Clinic(name="Riverside Physio")
    patient = Patient(clinic_id=clinic.id, display_name="Sam")
    assessment = Assessment(
        patient_id=patient.id,
        intake=intake,
        result=result,
        triage_level=str(result.triage.level),
        plan_status=result.plan_status,
        engine_version=result.backmech_version,
        created_at=T0,
    )
    record = PatientRecord(
        clinic=clinic,
        patient=patient,
        assessments=[assessment],
        movement_analyses=[],
        session_logs=[],
        plan_edits=[],
    )
    bundle = export_bundle(record, kb)
    psfs_form = next(q for q in _resources(bundle, "Questionnaire") if q["url"].endswith("/psfs"))
    assert psfs_form["item"][0]["type"] == "group"
    assert [i["type"] for i in psfs_form["item"][0]["item"]] == ["string", "choice"]
    odi_response = next(
        r for r in _resources(bundle, "QuestionnaireResponse") if r["questionnaire"].endswith("/odi")
    )
    sitting = next(i for i in odi_response["item"] if i["linkId"] == "sitting")
    assert [a["valueCoding"]["code"] for a in sitting["answer"]] == ["2", "3"]
    assert _score(bundle, "psfs.mean")["valueQuantity"]["value"] == pytest.approx(4.0)
    imported = import_bundle(bundle)
    answers = imported.assessments[0].intake["questionnaires"]
    assert answers["odi"]["answers"]["sitting"] == [2, 3]  # type: ignore[index]
    assert answers["psfs"] == intake["questionnaires"]["psfs"]  # type: ignore[index]
    assert export_bundle(imported, kb) == bundle


def test_care_recorded_without_a_plan_is_kept_on_the_assessment(
    record: PatientRecord, kb: KnowledgeBase
) -> None:
    red_flag = _assessment(record.patient, "red-flag-cauda-equina.json", T0)
    care = PlanEdit(
        patient_id=record.patient.id,
        editor_id=None,
        reason="Urgent referral made; saddle sensation tested.",
        change=RecordCare("neurological_examination", "2026-11-20", "reduced"),
        at=T0 + dt.timedelta(hours=1),
    )
    alone = replace(record, assessments=[red_flag], movement_analyses=[], session_logs=[], plan_edits=[care])
    bundle = export_bundle(alone, kb)
    assert _resources(bundle, "CarePlan") == []
    (impression,) = _resources(bundle, "ClinicalImpression")
    assert "Neurological examination on" in impression["note"][0]["text"]
    imported = import_bundle(bundle)
    assert list(imported.plan_edits) == [care]
    assert imported.assessments[0].triage_level == red_flag.triage_level != "none"
    assert export_bundle(imported, kb) == bundle
