"""A red flag at a later assessment stops the plan, even though an older assessment had one."""

from __future__ import annotations

from tests.web.conftest import Site

from backmech.services.care_plan import current_plan


def test_a_newer_red_flag_assessment_hides_the_older_plan(sqlite_site: Site) -> None:
    patient = sqlite_site["patient_a"]
    assert patient.patient is not None
    sqlite_site.assess("patient_a")
    uow_factory = sqlite_site.state.uow_factory
    found = current_plan(uow_factory, patient.user, patient.patient.id, patient.patient.clinic_id)
    assert found is not None
    assert "Stable" in patient.client.get("/me/plan").text or found.plan.exercises

    sqlite_site.assess("patient_a", "red-flag-cauda-equina.json")
    assert current_plan(uow_factory, patient.user, patient.patient.id, patient.patient.clinic_id) is None
    plan_page = patient.client.get("/me/plan")
    assert not any(e.name in plan_page.text for e in found.plan.exercises)
    clinician = sqlite_site["clinician_a"]
    assert current_plan(uow_factory, clinician.user, patient.patient.id, patient.patient.clinic_id) is None
