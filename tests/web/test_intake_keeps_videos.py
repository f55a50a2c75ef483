"""Finishing a new intake keeps the findings of the patient's earlier movement videos."""

from __future__ import annotations

from tests.web.conftest import Site
from tests.web.test_intake_support import answer_until

from backmech.services.ports import AnalysisStatus, MovementAnalysis
from builders import report


def test_a_new_intake_keeps_the_movement_findings(sqlite_site: Site) -> None:
    person = sqlite_site["patient_a"]
    assert person.patient is not None
    with sqlite_site.state.uow_factory(actor=person.user.id) as uow:
        uow.movement_analyses.add(
            person.patient.clinic_id,
            MovementAnalysis(
                patient_id=person.patient.id,
                test="rotation",
                media_path="x.mp4",
                status=AnalysisStatus.DONE,
                result=report("rotation", findings={"examination.rotation_control_loss": "right"}),
            ),
        )
        uow.commit()
    client = answer_until(sqlite_site, person, "review")
    client.post("/me/intake/review", data={"csrf_token": person.csrf})
    with sqlite_site.state.uow_factory(actor=person.user.id) as uow:
        stored = uow.assessments.for_patient(person.patient.clinic_id, person.patient.id)
    assert stored, "the intake was not finished"
    assert stored[-1].intake["findings"]["examination.rotation_control_loss"] == "right"
    assert [view.test for view in stored[-1].result.movement_tests] == ["rotation"]
