"""The clinic pages: the patient list and one patient's record, for staff of the patient's own clinic only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from tests.builders import report
from tests.web.conftest import Site, days_ago

from backmech.domain.results.model import MovementReport
from backmech.services.ports import AnalysisStatus, MovementAnalysis, SessionLog


def _log(site: Site, name: str, day: dt.date, pain: int, key: str) -> None:
    person = site[name]
    assert person.patient is not None
    with site.state.uow_factory(actor=person.user.id) as uow:
        uow.session_logs.add(
            person.patient.clinic_id,
            SessionLog(
                patient_id=person.patient.id,
                session_date=day,
                pain_before=pain,
                pain_after=max(0, pain - 1),
                effort=5,
                idempotency_key=key,
                created_at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC),
            ),
        )
        uow.commit()


def _rows(html: str) -> list[str]:
    """The patient rows of the list, in order (one string of HTML each)."""
    return re.findall(r'<tr class="patient-row.*?</tr>', html, flags=re.S)


def test_list_shows_only_own_clinic_patients_with_triage_and_adherence(sqlite_site: Site) -> None:
    site = sqlite_site
    site.assess("patient_a")
    _log(site, "patient_a", days_ago(0), 5, "a1")
    _log(site, "patient_a", days_ago(20), 7, "a0")
    page = site["clinician_a"].client.get("/clinic")
    assert page.status_code == 200
    assert "Pat A" in page.text and "Pat A2" in page.text
    assert "Pat B" not in page.text
    rows = _rows(page.text)
    assert len(rows) == 2
    row_a = next(r for r in rows if ">Pat A<" in r)
    assert "No red flags" in row_a
    assert "Flexion intolerance" in row_a
    # One session in the last 14 days; the plan (made today) was planned for 1 day so far.
    assert "1 logged / 1 planned" in row_a
    assert "Session pain 7 → 5" in row_a and "down by 2" in row_a
    assert "NPRS 5" in row_a
    row_a2 = next(r for r in rows if ">Pat A2<" in r)
    assert "Not assessed" in row_a2 and "0 logged" in row_a2
    other = site["admin_b"].client.get("/clinic")
    assert "Pat B" in other.text and "Pat A" not in other.text


def test_red_flag_patient_sorted_first_then_search_and_inactivity(sqlite_site: Site) -> None:
    site = sqlite_site
    _log(site, "patient_a", days_ago(4), 3, "old")  # Pat A sorts first by name, and went quiet
    site.assess("patient_a2", "red-flag-cauda-equina.json")
    page = site["clinician_a"].client.get("/clinic")
    rows = _rows(page.text)
    assert ">Pat A2<" in rows[0]
    assert "is-red-flag" in rows[0] and "Red flag: emergency" in rows[0]
    assert "is-red-flag" not in rows[1]
    only = site["clinician_a"].client.get("/clinic", params={"show": "red_flags"})
    assert [">Pat A2<" in r for r in _rows(only.text)] == [True]
    # Search by name; a patient quiet for 3+ days is flagged (one active today is not).
    page = site["clinician_a"].client.get("/clinic", params={"q": "a2"})
    rows = _rows(page.text)
    assert len(rows) == 1 and ">Pat A2<" in rows[0]
    page = site["clinician_a"].client.get("/clinic")
    row_a = next(r for r in _rows(page.text) if ">Pat A<" in r)
    assert "No activity for 3+ days" in row_a
    row_a2 = next(r for r in _rows(page.text) if ">Pat A2<" in r)
    assert "No activity for 3+ days" not in row_a2  # assessed today
    empty = site["clinician_a"].client.get("/clinic", params={"q": "nobody"})
    assert "No patient matches this search" in empty.text


def _analysis(
    site: Site, name: str, status: AnalysisStatus, result: MovementReport | None
) -> MovementAnalysis:
    patient = site[name].patient
    assert patient is not None
    with site.state.uow_factory(actor=None) as uow:
        added = uow.movement_analyses.add(
            patient.clinic_id, MovementAnalysis(patient_id=patient.id, test="squat", media_path="x.mp4")
        )
        uow.movement_analyses.set_status(added.id, status, result=result, error="No person was found.")
        uow.commit()
    return added


def test_patient_page_renders_every_section(sqlite_site: Site) -> None:
    site = sqlite_site
    site.assess("patient_a")
    _log(site, "patient_a", days_ago(1), 4, "p1")
    patient = site["patient_a"].patient
    assert patient is not None
    done = _analysis(
        site,
        "patient_a",
        AnalysisStatus.DONE,
        report("squat", overlay="overlay.mp4", reasons={"f": "Knees moved inwards"}),
    )
    _analysis(site, "patient_a", AnalysisStatus.FAILED, None)
    page = site["clinician_a"].client.get(f"/clinic/patients/{patient.id}")
    assert page.status_code == 200, page.text
    text = page.text
    for section in (
        "triage",
        "answers",
        "scores",
        "mechanisms",
        "movement",
        "sessions",
        "plan",
        "history",
        "audit",
    ):
        assert f'id="{section}"' in text, section
    assert "No red-flag question was answered yes." in text
    assert "Oswestry Disability Index" in text and "Moderate" in text and "fairbank-2000" in text
    assert (
        "Pain intensity: how strong is your pain right now?" in text
    )  # item wording from the knowledge base
    assert "flex-sitting-slumped" in text and "aggravated_by.sitting_slumped eq True" in text
    assert "heuristic-mechanism-weights" in text
    assert "Session exercises" in text and "Daily routine" in text
    assert "No changes yet" in text
    assert f'href="/media/analyses/{done.id}/overlay.mp4"' in text and "Knees moved inwards" in text
    assert "No person was found." in text
    assert "clinician@a.example" in text  # the audit trail names who read the record
    assert 'href="/clinic/patients/' in text and "/plan" in text
    # A patient before any assessment, then as a red-flag patient: yes answers stand out, no plan.
    patient = site["patient_a2"].patient
    assert patient is not None
    page = site["clinician_a"].client.get(f"/clinic/patients/{patient.id}")
    assert page.status_code == 200
    assert "No assessment yet" in page.text
    site.assess("patient_a2", "red-flag-cauda-equina.json")
    page = site["admin_a"].client.get(f"/clinic/patients/{patient.id}")
    assert page.status_code == 200
    assert '<span class="badge danger">Yes</span>' in page.text
    assert "Red flag: emergency" in page.text
    assert "No plan yet" in page.text


def test_another_clinics_patient_is_not_found_on_every_route(sqlite_site: Site) -> None:
    site = sqlite_site
    site.assess("patient_b")
    patient_b = site["patient_b"].patient
    assert patient_b is not None
    for name in ("clinician_a", "admin_a"):
        person = site[name]
        for path in (f"/clinic/patients/{patient_b.id}", f"/clinic/patients/{patient_b.id}/plan"):
            assert person.client.get(path).status_code == 404, path
        for kind in ("remove", "add", "swap", "dose", "care"):
            answer = person.post(
                f"/clinic/patients/{patient_b.id}/plan/{kind}",
                {"reason": "x", "care": "other", "date": "2026-01-01", "target": "exercises:bird-dog"},
            )
            assert answer.status_code == 404, kind
    assert site["clinician_a"].client.get("/clinic/patients/not-a-uuid").status_code == 404
    with site.state.uow_factory(actor=None) as uow:
        assert uow.plan_edits.for_patient(patient_b.clinic_id, patient_b.id) == []


def test_patients_and_visitors_cannot_reach_clinic_pages(sqlite_site: Site) -> None:
    site = sqlite_site
    site.assess("patient_a")
    me = site["patient_a"]
    assert me.patient is not None
    for path in (
        "/clinic",
        f"/clinic/patients/{me.patient.id}",
        f"/clinic/patients/{me.patient.id}/plan",
        "/clinic/invite",
    ):
        assert me.client.get(path).status_code == 403, path
    changed = me.post(
        f"/clinic/patients/{me.patient.id}/plan/care",
        {"care": "other", "date": days_ago(0).isoformat(), "reason": "I want to"},
    )
    assert changed.status_code == 403
    assert me.post("/clinic/invite", {"email": "x@y.example", "role": "patient"}).status_code == 403
    anonymous = site.client()
    answer = anonymous.get("/clinic", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_course_alerts_reach_the_clinician(sqlite_site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """A patient who stops logging raises the inactivity alert in the list and the record's course."""
    site = sqlite_site
    site.assess("patient_a")
    person = site["patient_a"]
    assert person.patient is not None
    with site.state.uow_factory(actor=None) as uow:
        assessment = uow.assessments.for_patient(person.patient.clinic_id, person.patient.id)[-1]
    start = assessment.created_at.date()
    clinician = site["clinician_a"].client
    fresh = clinician.get("/clinic?show=alerts").text
    assert "Pat A" not in fresh  # nothing to attend to on the day of the assessment
    page = clinician.get(f"/clinic/patients/{person.patient.id}").text
    assert 'id="course"' in page and "No alerts in the last 14 days" in page
    # The same record seen a week later (the pages read today's date): silence is an alert.
    later = start + dt.timedelta(days=6)
    monkeypatch.setattr("backmech.web.routes.clinician.today", lambda: later)
    listed = clinician.get("/clinic?show=alerts").text
    record = clinician.get(f"/clinic/patients/{person.patient.id}").text
    assert "Pat A" in listed and "course-alert" in listed and "Inactive" in listed
    assert "Alerts (last 14 days)" in record and "Inactive" in record
