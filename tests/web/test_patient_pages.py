"""The patient's daily pages: Today, Plan, Learn, for each state of the record, and who may see them."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from tests.web.conftest import Site, build_site

from backmech.domain.plans.edits import ChangeDose, RecordCare
from backmech.domain.plans.model import Plan
from backmech.services.care_plan import current_plan, edit_plan
from backmech.services.progress import phase_session
from backmech.storage.engine import sqlite_url

PATIENT_PAGES = (
    "/me",
    "/me/plan",
    "/me/session/routine",
    "/me/session/full",
    "/me/log",
    "/me/log/morning",
    "/me/progress",
    "/me/learn",
    "/me/learn/flare-ups",
)


@pytest.fixture(scope="module")
def daily(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One installation for the read-only page tests (building one takes seconds).

    patient_a has an assessment with a plan; patient_a2 has none; patient_b had a plan,
    then an assessment whose red-flag screen stopped the programme.
    """
    folder = tmp_path_factory.mktemp("daily")
    built = build_site(sqlite_url(folder / "backmech.db"), folder / "data")
    built.assess("patient_a")
    built.assess("patient_b")
    built.assess("patient_b", "red-flag-cauda-equina.json")
    yield built
    for person in built.people.values():
        person.client.close()
    built.state.engine.dispose()


def _plan(site: Site, name: str = "patient_a") -> Plan:
    person = site[name]
    assert person.patient is not None
    found = current_plan(site.state.uow_factory, person.user, person.patient.id, person.patient.clinic_id)
    assert found is not None
    return found.plan


def test_without_an_assessment_today_welcomes_and_starts_the_intake(daily: Site) -> None:
    patient = daily["patient_a2"]
    today = patient.client.get("/me")
    assert today.status_code == 200
    assert "Welcome" in today.text
    assert 'href="/me/intake"' in today.text and 'id="start-intake"' in today.text
    assert "Play the full session" not in today.text
    for path in PATIENT_PAGES:
        page = patient.client.get(path)
        assert page.status_code == 200, path
        assert "Bird dog" not in page.text, path


def test_today_shows_routine_session_log_week_and_phase(daily: Site) -> None:
    plan = _plan(daily)
    page = daily["patient_a"].client.get("/me")
    assert page.status_code == 200
    text = page.text
    assert 'href="/me/session/routine"' in text and 'href="/me/session/full"' in text
    for item in plan.daily_routine:
        assert item.name in text
    first_phase = plan.phases[0]
    assert f"Week 1 of {plan.weeks}: {first_phase.name}" in text
    session = phase_session(plan, first_phase)
    assert f"{len(session)} exercises" in text
    assert 'id="log-today"' in text and "Done today" not in text
    assert "0 of the last 7 days had a session" in text
    assert 'href="/me/movement"' in text
    assert "Welcome" not in text


def test_plan_page_shows_every_part_of_the_plan(daily: Site) -> None:
    plan = _plan(daily)
    page = daily["patient_a"].client.get("/me/plan")
    assert page.status_code == 200
    text = page.text.replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&")
    for phase in plan.phases:
        assert phase.name in text
        for criterion in phase.move_on_when:
            assert criterion in text
    for item in phase_session(plan, plan.phases[0]):
        assert item.name in text and item.dose.text in text and item.reason in text
    for item in (*plan.daily_routine, *plan.walking, *plan.relief):
        assert item.name in text
    for avoid in plan.avoid:
        assert avoid.what in text and avoid.instead in text
    for module in plan.education:
        assert f'href="/me/learn/{module.slug}"' in text
    for rule in plan.safety_rules:
        assert rule in text
    assert f"about {plan.reassess_after_days} days" in text
    assert "Changed by your clinician" not in text


def test_plan_marks_clinician_changes_and_lists_care_delivered(sqlite_site: Site) -> None:
    sqlite_site.assess("patient_a")
    patient = sqlite_site["patient_a"].patient
    clinician = sqlite_site["clinician_a"].user
    assert patient is not None
    plan = _plan(sqlite_site)
    slug = plan.daily_routine[0].slug
    edit_plan(
        sqlite_site.state.uow_factory,
        clinician,
        patient.id,
        patient.clinic_id,
        ChangeDose(list="daily_routine", slug=slug, dose_text="6 slow press-ups only"),
        "eased the dose after a flare",
    )
    edit_plan(
        sqlite_site.state.uow_factory,
        clinician,
        patient.id,
        patient.clinic_id,
        RecordCare(care="Manual therapy to the lumbar spine", date="2026-01-05"),
        "session given",
    )
    page = sqlite_site["patient_a"].client.get("/me/plan").text
    assert "Changed by your clinician" in page
    assert "changed by your clinician" in page  # the item's badge
    assert "6 slow press-ups only" in page
    assert "Manual therapy to the lumbar spine" in page
    routine = sqlite_site["patient_a"].client.get("/me/session/routine").text
    assert "6 slow press-ups only" in routine


def test_a_red_flag_stop_shows_the_referral_only(daily: Site) -> None:
    # An earlier assessment had a plan; the latest one stopped the programme: no exercises anywhere.
    client = daily["patient_b"].client
    today = client.get("/me")
    assert today.status_code == 200
    assert "Please get checked before you exercise" in today.text
    assert "emergency department" in today.text
    for path in ("/me", "/me/plan", "/me/session/full", "/me/session/routine"):
        text = client.get(path).text
        assert "Bird dog" not in text and "Play the full session" not in text, path
        assert 'id="player-start"' not in text and 'id="log-form"' not in text, path


def test_clinic_staff_get_403_on_patient_pages(daily: Site) -> None:
    for who in ("clinician_a", "admin_b"):
        client = daily[who].client
        for path in PATIENT_PAGES:
            assert client.get(path).status_code == 403, (who, path)
    refused = daily["clinician_a"].post(
        "/me/log", {"pain_before": "1", "pain_after": "1", "effort": "1", "kind": "full"}
    )
    assert refused.status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(daily: Site) -> None:
    anonymous = daily.client()
    page = anonymous.get("/me/plan")
    assert page.url.path == "/login"
    assert "next=%2Fme%2Fplan" in str(page.url)


def test_learn_lists_the_plans_reading_first(daily: Site) -> None:
    every = list(daily.state.knowledge.education.values())
    before = daily["patient_a2"].client.get("/me/learn").text
    assert "Chosen for you" not in before
    assert all(f'href="/me/learn/{m.slug}"' in before for m in every)
    chosen = [m.slug for m in _plan(daily).education]
    page = daily["patient_a"].client.get("/me/learn").text
    order = [m for m in re.findall(r'href="/me/learn/([a-z0-9-]+)"', page) if m]
    assert order[: len(chosen)] == chosen
    assert sorted(set(order)) == sorted(m.slug for m in every)


def test_a_reading_page_and_an_unknown_one(daily: Site) -> None:
    client = daily["patient_a"].client
    module = daily.state.knowledge.education["flare-ups"]
    page = client.get("/me/learn/flare-ups")
    assert page.status_code == 200
    assert module.title in page.text and module.key_points[0] in page.text
    missing = client.get("/me/learn/no-such-reading")
    assert missing.status_code == 404
    assert "no reading with that name" in missing.text


def test_pages_follow_the_csp(daily: Site) -> None:
    for name in ("patient_a", "patient_a2", "patient_b"):
        for path in PATIENT_PAGES:
            text = daily[name].client.get(path).text
            assert ' style="' not in text and "<style" not in text, path
            assert not re.search(r"<script(?![^>]*\bsrc=)", text), f"inline script on {path}"
            assert not re.search(r"\son[a-z]+=\"", text), f"inline event handler on {path}"
