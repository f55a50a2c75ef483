"""A clinician's plan edits survive a new assessment: carried to the new plan, or dropped with the reason.

The edits go in through the plan editor's forms; the new assessments are stored as a new
video's findings or a reassessment store them. What the patient follows and what the
clinician is told are read from the pages.
"""

from __future__ import annotations

from tests.web.conftest import Site, days_ago

from backmech.domain.plans.model import Plan
from backmech.services.care_plan import current_plan

ADDED = "standing-back-extension"
"""Addable for the desk worker; contraindicated once extension intolerance is found (high-risk example)."""


def _plan(site: Site) -> Plan:
    person = site["patient_a"]
    assert person.patient is not None
    found = current_plan(site.state.uow_factory, person.user, person.patient.id, person.patient.clinic_id)
    assert found is not None
    return found.plan


def _edit(site: Site) -> str:
    """Five edits on the desk worker's plan through the editor; returns the editor's path."""
    patient = site["patient_a"].patient
    assert patient is not None
    path = f"/clinic/patients/{patient.id}/plan"
    clinician = site["clinician_a"]
    for kind, data in (
        ("remove", {"target": "exercises:side-bridge", "reason": "Shoulder pain in side-lying"}),
        ("dose", {"target": "exercises:bird-dog", "dose_text": "2 x 5 slow, 5 s holds", "reason": "Flare"}),
        ("dose", {"target": "daily_routine:hip-hinge", "dose_text": "5 with a dowel", "reason": "Learning"}),
        ("add", {"exercise": ADDED, "list": "exercises", "reason": "Eases her pain in clinic"}),
        (
            "care",
            {
                "care": "manual_therapy",
                "date": days_ago(0).isoformat(),
                "notes": "Lumbar PA mobilisations, grade III, L4-5",
                "reason": "Pain relief to start",
            },
        ),
    ):
        answer = clinician.post(f"{path}/{kind}", data)
        assert answer.status_code == 200, (kind, answer.text[:1500])
    return path


def _edited_as_made(plan: Plan) -> None:
    exercises = {e.slug: e for e in plan.exercises}
    assert "side-bridge" not in exercises
    assert exercises["bird-dog"].dose.text == "2 x 5 slow, 5 s holds"
    assert next(e for e in plan.daily_routine if e.slug == "hip-hinge").dose.text == "5 with a dowel"
    assert [c.care for c in plan.care_delivered] == ["manual_therapy"]


def test_a_new_assessment_of_the_same_person_keeps_every_edit_and_tells_the_clinician(
    sqlite_site: Site,
) -> None:
    site = sqlite_site
    site.assess("patient_a")
    path = _edit(site)
    _edited_as_made(_plan(site))
    assert ADDED in {e.slug for e in _plan(site).exercises}

    site.assess("patient_a")  # a new video's findings (or a reassessment) make a new plan

    plan = _plan(site)
    _edited_as_made(plan)
    assert ADDED in {e.slug for e in plan.exercises}
    patient_page = site["patient_a"].client.get("/me/plan").text
    assert "2 x 5 slow, 5 s holds" in patient_page and "Changed by your clinician" in patient_page
    assert "Side bridge" not in patient_page and "Lumbar PA mobilisations" in patient_page

    editor = site["clinician_a"].client.get(path).text
    assert 'id="edits-carried"' in editor and "5 of your 5 earlier changes were carried over" in editor
    assert "No changes yet" not in editor and editor.count("carried over to the plan of") == 5
    record = site["clinician_a"].client.get(path.removesuffix("/plan")).text
    assert "Your earlier changes were carried over" in record  # the course alert
    assert "Not carried over" not in record


def test_an_edit_the_new_plan_makes_unsafe_or_impossible_is_dropped_with_the_reason(
    sqlite_site: Site,
) -> None:
    site = sqlite_site
    site.assess("patient_a")
    path = _edit(site)

    site.assess("patient_a", "high-risk-widespread-pain.json")  # extension intolerance is found now

    plan = _plan(site)
    slugs = {e.slug for e in (*plan.exercises, *plan.daily_routine)}
    assert ADDED not in slugs  # contraindicated now: never in the plan the patient follows
    assert next(e for e in plan.exercises if e.slug == "bird-dog").dose.text == "2 x 5 slow, 5 s holds"
    assert "side-bridge" not in slugs and [c.care for c in plan.care_delivered] == ["manual_therapy"]
    patient_page = site["patient_a"].client.get("/me/plan").text
    assert "Standing back extension" not in patient_page and "Lumbar PA mobilisations" in patient_page

    editor = site["clinician_a"].client.get(path).text.replace("&#39;", "'")
    assert "3 of your 5 earlier changes were carried over" in editor
    assert "is contraindicated for what the new assessment found" in editor
    assert editor.count("not applied</span>") == 2
    record = site["clinician_a"].client.get(path.removesuffix("/plan")).text.replace("&#39;", "'")
    assert "Not carried over: " in record and "Standing back extension" in record
    history = record[record.index('id="edit-history"') :]
    assert history.count('class="history-entry') == 5  # the record keeps every edit
