"""The check-in between assessments through the real routes: safety first, then flare, legs, walking."""

from __future__ import annotations

import re

from tests.web.conftest import Site, csrf_from

from backmech.services.check_ins import safety_questions


def _form(site: Site, **values: str) -> dict[str, str]:
    page = site["patient_a"].client.get("/me/check-in").text
    form = {"csrf_token": csrf_from(page), "flare": "no", "leg_symptoms": "no", "walking_minutes": "20"}
    for question in safety_questions(site.state.knowledge):
        form[f"safety_{question.id}"] = "no"
    form.update(values)
    return form


def test_the_safety_questions_come_from_the_emergency_rules(site: Site) -> None:
    questions = {q.id for q in safety_questions(site.state.knowledge)}
    assert {"saddle_numbness", "bladder_change", "bowel_change"} <= questions
    assert "osteoporosis" not in questions  # history does not change week to week
    site.assess("patient_a")
    page = site["patient_a"].client.get("/me/check-in").text
    assert page.count('value="yes"') == len(questions) + 2


def test_a_check_in_is_stored_and_shapes_the_course(site: Site) -> None:
    site.assess("patient_a")
    client = site["patient_a"].client
    done = client.post("/me/check-in", data=_form(site, flare="yes", leg_symptoms="yes"))
    assert done.status_code == 200 and done.url.path == "/me"
    assert "Thank you for checking in" in done.text
    assert 'id="flare-plan"' in done.text  # a reported flare-up starts the flare plan
    patient = site["patient_a"].patient
    assert patient is not None
    record = site["clinician_a"].client.get(f"/clinic/patients/{patient.id}").text
    assert "Rescreen" in record  # new leg symptoms: the clinician re-checks the nerves
    again = client.post("/me/check-in", data=_form(site, walking_minutes="35"))
    assert again.status_code == 200
    page = client.get("/me/check-in").text
    assert len(re.findall(r"walked \d+ min", page)) == 1  # the day's second check-in replaces the first
    assert "walked 35 min" in page and "new leg symptoms" not in page


def test_unanswered_or_out_of_range_answers_are_refused_with_the_answers_kept(site: Site) -> None:
    site.assess("patient_a")
    client = site["patient_a"].client
    form = _form(site, walking_minutes="900", notes="felt stiff")
    del form["safety_bladder_change"]
    refused = client.post("/me/check-in", data=form)
    assert refused.status_code == 422
    assert "answer yes or no" in refused.text and "0 to 600" in refused.text
    assert "felt stiff" in refused.text
    with site.state.uow_factory(actor=None) as uow:
        patient = site["patient_a"].patient
        assert patient is not None
        assert uow.check_ins.for_patient(patient.clinic_id, patient.id) == []


def test_a_yes_to_a_safety_question_stops_the_programme_and_refers(site: Site) -> None:
    site.assess("patient_a")
    client = site["patient_a"].client
    stopped = client.post("/me/check-in", data=_form(site, safety_saddle_numbness="yes"))
    assert stopped.status_code == 200 and stopped.url.path == "/me/intake/referral"
    assert "emergency" in stopped.text.lower()
    assert "Play the full session" not in client.get("/me").text  # no plan anywhere now
    assert (
        "Play" not in client.get("/me/session/full").text
        or "referral" in client.get("/me/session/full").text.lower()
    )
    listing = site["clinician_a"].client.get("/clinic?show=red_flags").text
    assert "Pat A" in listing
