"""The plan editor end to end: form → stored edit (who/when/why) → clinic views → the patient's plan."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.web.conftest import Site, csrf_from, days_ago

from backmech.domain.plans.edits import (
    AddExercise,
    SwapExercise,
    addable_exercises,
    excluded_slugs,
    planned_item,
)
from backmech.domain.plans.model import Plan
from backmech.domain.results.model import AssessmentResult
from backmech.services.care_plan import PlanChangeError, current_plan, edit_plan
from backmech.services.ports import PlanEdit


def _patient_plan(site: Site, name: str = "patient_a") -> Plan:
    """The plan as the patient's own pages get it (care_plan.current_plan, as the patient)."""
    person = site[name]
    assert person.patient is not None
    found = current_plan(site.state.uow_factory, person.user, person.patient.id, person.patient.clinic_id)
    assert found is not None
    return found.plan


def _edits(site: Site, name: str = "patient_a") -> list[PlanEdit]:
    patient = site[name].patient
    assert patient is not None
    with site.state.uow_factory(actor=None) as uow:
        return list(uow.plan_edits.for_patient(patient.clinic_id, patient.id))


def _slugs(holder: object, name: str) -> list[str]:
    return [item.slug for item in getattr(holder, name)]


def _addable(site: Site, plan: Plan, result: AssessmentResult) -> list[str]:
    allowed = addable_exercises(site.state.knowledge.exercises.values(), result.found(), excluded_slugs(plan))
    in_plan = {
        slug for key in ("exercises", "daily_routine", "walking", "relief") for slug in _slugs(plan, key)
    }
    return [ex.slug for ex in allowed if ex.slug not in in_plan]


def _latest_result(site: Site, name: str = "patient_a") -> AssessmentResult:
    person = site[name]
    assert person.patient is not None
    found = current_plan(site.state.uow_factory, person.user, person.patient.id, person.patient.clinic_id)
    assert found is not None
    return found.assessment.result


def _editor(site: Site, who: str = "clinician_a") -> tuple[Any, str]:
    patient = site["patient_a"].patient
    assert patient is not None
    return site[who], f"/clinic/patients/{patient.id}/plan"


def test_each_kind_of_change_reaches_the_record_and_the_patients_plan(sqlite_site: Site) -> None:
    site = sqlite_site
    site.assess("patient_a")
    clinician, path = _editor(site)
    before = _patient_plan(site)
    result = _latest_result(site)
    spare = _addable(site, before, result)
    first, second = before.exercises[0], before.exercises[1]
    routine = before.daily_routine[0]

    editor = clinician.client.get(path)
    assert editor.status_code == 200
    for form_id in ("edit-remove", "edit-add", "edit-swap", "edit-dose", "edit-care"):
        assert f'id="{form_id}"' in editor.text

    steps: list[tuple[str, dict[str, str]]] = [
        ("remove", {"target": f"exercises:{first.slug}", "reason": "Provokes her pain"}),
        ("add", {"exercise": spare[0], "list": "exercises", "reason": "Needs hip strength"}),
        (
            "swap",
            {"target": f"exercises:{second.slug}", "exercise": spare[1], "reason": "Easier to learn"},
        ),
        (
            "dose",
            {
                "target": f"daily_routine:{routine.slug}",
                "dose_text": "5 slow ones",
                "minutes": "2",
                "reason": "Flare",
            },
        ),
        (
            "care",
            {
                "care": "neurological_examination",
                "date": days_ago(0).isoformat(),
                "notes": "Reflexes normal, L5 strength 5/5, sensation intact",
                "reason": "Leg symptoms",
            },
        ),
    ]
    for number, (kind, data) in enumerate(steps, start=1):
        answer = clinician.post(f"{path}/{kind}", data)
        assert answer.status_code == 200, (kind, answer.text[:2000])
        assert answer.url.path == path
        assert len(_edits(site)) == number, kind

    stored = _edits(site)
    assert [e.change.kind for e in stored] == ["remove", "add", "swap", "dose", "care"]
    assert all(e.editor_id == clinician.user.id for e in stored)
    assert stored[0].reason == "Provokes her pain"

    after = _patient_plan(site)
    exercises = _slugs(after, "exercises")
    assert first.slug not in exercises
    assert spare[0] in exercises
    assert second.slug not in exercises and exercises[0] == spare[1]  # swapped in place (now first)
    dosed = after.daily_routine[0]
    assert dosed.slug == routine.slug and dosed.dose.text == "5 slow ones" and dosed.minutes == 2.0
    assert after.care_delivered[0].care == "neurological_examination"
    assert "L5 strength 5/5" in after.care_delivered[0].notes

    patient = site["patient_a"].patient
    assert patient is not None
    record = clinician.client.get(f"/clinic/patients/{patient.id}").text
    assert f"Removed {first.name} from the session exercises" in record
    assert "Why: Provokes her pain" in record and "by clinician@a.example" in record
    assert "Neurological examination on" in record and "5 slow ones" in record


def test_a_change_needs_a_reason_and_the_form_is_kept(sqlite_site: Site) -> None:
    site = sqlite_site
    site.assess("patient_a")
    clinician, path = _editor(site)
    slug = _patient_plan(site).daily_routine[0].slug
    answer = clinician.post(
        f"{path}/dose", {"target": f"daily_routine:{slug}", "dose_text": "3 gentle ones", "reason": "  "}
    )
    assert answer.status_code == 422
    assert "Say why you are making this change" in answer.text
    assert 'value="3 gentle ones"' in answer.text
    assert f'value="daily_routine:{slug}" selected' in answer.text
    bad = clinician.post(
        f"{path}/dose",
        {"target": f"daily_routine:{slug}", "dose_text": "x", "minutes": "lots", "reason": "r"},
    )
    assert bad.status_code == 422 and "Minutes must be a number" in bad.text
    gone = clinician.post(f"{path}/remove", {"target": "exercises:no-such-exercise", "reason": "r"})
    assert gone.status_code == 422 and "Choose an exercise that is in the plan now" in gone.text
    care = clinician.post(f"{path}/care", {"care": "reiki", "date": "yesterday", "reason": "r"})
    assert care.status_code == 422 and "Choose the kind of care" in care.text and "YYYY-MM-DD" in care.text
    assert _edits(site) == []
    assert clinician.client.post(f"{path}/rename", data={"csrf_token": clinician.csrf}).status_code == 404


def test_a_contraindicated_exercise_cannot_be_added(sqlite_site: Site) -> None:
    site = sqlite_site
    site.assess("patient_a")
    clinician, path = _editor(site)
    plan = _patient_plan(site)
    excluded = sorted(excluded_slugs(plan))
    assert excluded, "the example should exclude something"
    editor = clinician.client.get(path).text
    offered = set(re.findall(r'<option value="([a-z0-9-]+)"', editor))
    assert offered and not offered & set(excluded)
    for kind, data in (
        ("add", {"exercise": excluded[0], "list": "exercises", "reason": "Try it"}),
        (
            "swap",
            {"target": f"exercises:{plan.exercises[0].slug}", "exercise": excluded[0], "reason": "x"},
        ),
    ):
        answer = clinician.post(f"{path}/{kind}", data)
        assert answer.status_code == 422, kind
        assert "contraindicated" in answer.text
    assert _edits(site) == []
    # The service refuses it too, for callers that skip the form (e.g. the API).
    patient = site["patient_a"].patient
    assert patient is not None
    exercise = site.state.knowledge.exercises[excluded[0]]
    with pytest.raises(PlanChangeError, match="contraindicated"):
        edit_plan(
            site.state.uow_factory,
            clinician.user,
            patient.id,
            patient.clinic_id,
            AddExercise("exercises", planned_item(exercise, "Try it")),
            "Try it",
        )


def test_a_repeated_submission_is_stored_once_and_care_needs_no_plan(sqlite_site: Site) -> None:
    site = sqlite_site
    site.assess("patient_a")
    clinician, path = _editor(site)
    page = clinician.client.get(path).text
    request_id = re.search(r'name="request_id" value="([0-9a-f]+)"', page)
    assert request_id
    data = {
        "care": "manual_therapy",
        "date": days_ago(1).isoformat(),
        "notes": "Grade III PA mobilisation L4",
        "reason": "Stiff L4",
        "request_id": request_id.group(1),
        "csrf_token": csrf_from(page),
    }
    for _ in range(2):
        assert clinician.client.post(f"{path}/care", data=data).status_code == 200
    assert len(_edits(site)) == 1
    assert len(_patient_plan(site).care_delivered) == 1
    # Before any plan only care can be recorded.
    patient = site["patient_a2"].patient
    assert patient is not None
    admin = site["admin_a"]
    path = f"/clinic/patients/{patient.id}/plan"
    page = admin.client.get(path)
    assert page.status_code == 200 and "no plan yet" in page.text and 'id="edit-remove"' not in page.text
    answer = admin.post(
        f"{path}/care", {"care": "dry_needling", "date": days_ago(2).isoformat(), "reason": "Trigger point"}
    )
    assert answer.status_code == 200
    refused = admin.post(f"{path}/remove", {"target": "exercises:bird-dog", "reason": "r"})
    assert refused.status_code == 422 and "no plan yet" in refused.text
    assert [e.change.kind for e in _edits(site, "patient_a2")] == ["care"]


def test_a_plan_edit_is_stored_and_replayed_on_both_databases(site: Site) -> None:
    site.assess("patient_a")
    clinician, path = _editor(site)
    plan = _patient_plan(site)
    spare = _addable(site, plan, _latest_result(site))[0]
    target = plan.exercises[0].slug
    answer = clinician.post(
        f"{path}/swap", {"target": f"exercises:{target}", "exercise": spare, "reason": "Tolerates it better"}
    )
    assert answer.status_code == 200, answer.text[:2000]
    assert "The exercise was swapped." in answer.text
    (edit,) = _edits(site)
    assert edit.change.kind == "swap" and edit.reason == "Tolerates it better"
    assert isinstance(edit.change, SwapExercise) and edit.change.item.slug == spare
    after = _patient_plan(site)
    assert _slugs(after, "exercises")[0] == spare
    assert all(target not in _slugs(phase, "session") for phase in after.phases)
