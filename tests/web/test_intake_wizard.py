"""The intake wizard and the result page, through the real routes (sessions, CSRF, storage)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tests.web.conftest import Site, csrf_from
from tests.web.test_intake_support import answer_until, answers_for, current_step, post, wizard

from backmech.bootstrap import assessment_service
from backmech.services.care_plan import current_plan
from backmech.services.intake_forms import apply_step, check_with_engine, intake_document, read_step
from backmech.services.intake_model import WIZARD_KEY, Kind
from backmech.services.intake_wizard import build_wizard
from backmech.services.records import patient_assessments


def _draft(site: Site, name: str) -> dict[str, object] | None:
    person = site[name]
    assert person.patient is not None
    with site.state.uow_factory(actor=None) as uow:
        draft = uow.intake_drafts.get(person.patient.clinic_id, person.patient.id)
    return dict(draft.data) if draft else None


def _assessments(site: Site, name: str):  # type: ignore[no-untyped-def]
    person = site[name]
    assert person.patient is not None
    return patient_assessments(
        site.state.uow_factory, person.user, person.patient.id, person.patient.clinic_id
    )


def _plan(site: Site, name: str):  # type: ignore[no-untyped-def]
    person = site[name]
    assert person.patient is not None
    return current_plan(site.state.uow_factory, person.user, person.patient.id, person.patient.clinic_id)


def test_full_wizard_ends_in_a_saved_assessment_with_a_plan_and_explains_it(sqlite_site: Site) -> None:
    site, person = sqlite_site, sqlite_site["patient_a"]
    empty = person.client.get("/me/assessment")
    assert empty.status_code == 200 and 'href="/me/intake"' in empty.text and "intake-start" in empty.text
    start = person.client.get("/me/intake")
    assert start.status_code == 200 and "Start" in start.text

    first = person.client.get(f"/me/intake/{wizard(site).steps[0].id}")
    assert "Step 1 of " in first.text and "<progress" in first.text
    assert first.text.count('type="submit" class="button primary') == 1 and ">Next</button>" in first.text
    assert current_step(str(first.url)).startswith("safety-"), "red flags come first"

    answer_until(site, person, "review")
    review = person.client.get("/me/intake/review")
    assert ">Finish</button>" in review.text and "Bending forward" in review.text
    assert _draft(site, "patient_a") is not None
    change = person.client.get("/me/intake/about-you?return_to=review")  # "Change" on the review page
    assert 'name="return_to" value="review"' in change.text
    about = wizard(site).step("about-you")
    assert about is not None
    changed = post(
        person.client, person.csrf, "/me/intake/about-you", answers_for(about) | {"return_to": "review"}
    )
    assert changed.url.path == "/me/intake/review"

    done = post(person.client, person.csrf, "/me/intake/review", {})
    assert done.status_code == 200 and done.url.path == "/me/assessment"
    page = done.text
    assert "Flexion intolerance" in page and "Why we think so" in page
    assert "Bending forward makes your pain worse" in page  # the evidence in plain words
    assert "Source:" in page and 'id="to-plan" href="/me/plan"' in page and 'href="/me/movement"' in page
    assert "does not replace" in page and "Oswestry Disability Index" in page

    stored = _assessments(site, "patient_a")
    assert len(stored) == 1 and stored[0].plan_status == "ready" and stored[0].triage_level == "none"
    assert WIZARD_KEY not in stored[0].intake and stored[0].intake["person"]["age"] == 34
    assert stored[0].intake["history"]["duration_days"] == 120
    assert _draft(site, "patient_a") is None
    assert _plan(site, "patient_a") is not None

    again = post(person.client, person.csrf, "/me/intake/review", {})  # a second Finish
    assert again.url.path == "/me/assessment" and len(_assessments(site, "patient_a")) == 1


def test_a_red_flag_ends_on_the_referral_page_without_a_plan_at_any_screen(sqlite_site: Site) -> None:
    _red_flag_on_the_first_screen(sqlite_site)
    _age_makes_an_earlier_answer_urgent(sqlite_site)


def _red_flag_on_the_first_screen(site: Site) -> None:
    person = site["patient_a"]
    first = wizard(site).steps[0]
    form = answers_for(first)
    form["red_flags.saddle_numbness"] = "yes"
    page = post(person.client, person.csrf, f"/me/intake/{first.id}", form)
    assert page.status_code == 200 and page.url.path == "/me/intake/referral"
    assert "Emergency" in page.text and "emergency department" in page.text.lower()
    assert "You answered yes to: Since your back pain began" in page.text
    assert 'id="to-plan"' not in page.text

    stored = _assessments(site, "patient_a")
    assert [a.plan_status for a in stored] == ["withheld_red_flag"]
    assert stored[0].triage_level == "emergency" and stored[0].result.plan is None
    assert _plan(site, "patient_a") is None and _draft(site, "patient_a") is None

    result = person.client.get("/me/assessment")
    assert "referral" in result.text and 'id="to-plan"' not in result.text
    assert "Flexion" not in result.text
    skip = person.client.get("/me/intake/review")  # no way round the safety screen
    assert skip.url.path == f"/me/intake/{first.id}"


def _age_makes_an_earlier_answer_urgent(site: Site) -> None:
    """Triage runs after every screen: a history of cancer is noted, then age over 50 stops."""
    person = site["patient_a2"]
    token = person.csrf
    for step in wizard(site).steps:
        if not step.id.startswith("safety-"):
            break
        form = answers_for(step)
        if "red_flags.cancer_history" in form:
            form["red_flags.cancer_history"] = "yes"
        assert post(person.client, token, f"/me/intake/{step.id}", form).status_code == 200
    assert _assessments(site, "patient_a2") == []  # a history of cancer alone: noted, no stop
    about = wizard(site).step("about-you")
    assert about is not None
    form = answers_for(about) | {"person.age": "67"}
    page = post(person.client, token, "/me/intake/about-you", form)
    assert page.url.path == "/me/intake/referral" and "Urgent" in page.text
    assert [a.plan_status for a in _assessments(site, "patient_a2")] == ["withheld_red_flag"]


def test_resuming_keeps_every_answer_and_resubmitting_a_screen_changes_nothing(sqlite_site: Site) -> None:
    _leave_halfway_and_come_back(sqlite_site)
    _submit_the_same_screen_twice(sqlite_site)


def _leave_halfway_and_come_back(site: Site) -> None:
    person = site["patient_a"]
    answer_until(site, person, "nprs")
    person.client.close()

    fresh = site.sign_in(person.user)  # a new session, e.g. the next day on another device
    resumed = fresh.get("/me/intake")
    assert resumed.url.path == "/me/intake/nprs"
    assert re.search(r"Step \d+ of \d+", resumed.text)
    about = fresh.get("/me/intake/about-you")
    assert 'value="34"' in about.text
    assert re.search(r'value="male"\s+checked', about.text)
    pain = fresh.get("/me/intake/your-pain")
    assert 'value="4"' in pain.text and re.search(r'value="months"\s+selected', pain.text)
    back = fresh.get("/me/intake/nprs")
    assert 'href="/me/intake/' in back.text and 'id="intake-back"' in back.text
    ahead = fresh.get("/me/intake/rmdq-1")  # cannot skip ahead of the first open screen
    assert ahead.url.path == "/me/intake/nprs"
    assert "Carry on where you left off" in fresh.get("/me/assessment").text


def test_bad_answers_get_422_with_answers_kept_and_tampered_forms_are_refused(sqlite_site: Site) -> None:
    _out_of_range_and_missing(sqlite_site)
    _tampered(sqlite_site)


def _out_of_range_and_missing(site: Site) -> None:
    person = site["patient_a"]
    token = person.csrf
    answer_until(site, person, "about-you")
    saved = _draft(site, "patient_a")

    about = wizard(site).step("about-you")
    assert about is not None
    bad = post(person.client, token, "/me/intake/about-you", answers_for(about) | {"person.age": "200"})
    assert bad.status_code == 422
    assert "200 is not possible here" in bad.text and "at most 110" in bad.text
    assert 'value="200"' in bad.text and re.search(r'value="male"\s+checked', bad.text)
    assert 'aria-invalid="true"' in bad.text and 'id="problems"' in bad.text
    assert _draft(site, "patient_a") == saved  # nothing saved, nothing lost

    missing = answers_for(about)
    del missing["person.sex"]
    again = post(person.client, token, "/me/intake/about-you", missing)
    assert again.status_code == 422 and "Please choose one answer" in again.text
    assert 'value="34"' in again.text

    first = wizard(site).steps[0]
    partial = answers_for(first)
    partial.pop("red_flags.bowel_change")
    partial["red_flags.both_legs"] = "yes"
    redo = post(person.client, token, f"/me/intake/{first.id}", partial)
    assert redo.status_code == 422 and re.search(r'value="yes"\s+checked', redo.text)
    assert _draft(site, "patient_a") == saved and _assessments(site, "patient_a") == []

    nprs_bad = {"nprs.current": "11", "nprs.worst_24h": "7", "nprs.best_24h": "3"}
    answer_until(site, person, "nprs")
    odd = post(person.client, token, "/me/intake/nprs", nprs_bad)
    assert odd.status_code == 422 and "not one of the choices" in odd.text


def _tampered(site: Site) -> None:
    person = site["patient_a2"]
    token = person.csrf
    answer_until(site, person, "about-you")
    saved = _draft(site, "patient_a2")
    assert person.client.get("/me/intake/no-such-step").status_code == 404
    assert post(person.client, token, "/me/intake/no-such-step", {}).status_code == 404

    about = wizard(site).step("about-you")
    assert about is not None
    extra = answers_for(about) | {"red_flags.saddle_numbness": "no"}  # a field from another screen
    refused = post(person.client, token, "/me/intake/about-you", extra)
    assert refused.status_code == 400 and "not on this page" in refused.text
    made_up = answers_for(about) | {"person.favourite_colour": "blue"}
    assert post(person.client, token, "/me/intake/about-you", made_up).status_code == 400
    assert _draft(site, "patient_a2") == saved

    wrong_value = answers_for(about) | {"person.sex": "robot"}
    assert post(person.client, token, "/me/intake/about-you", wrong_value).status_code == 422
    no_csrf = person.client.post("/me/intake/about-you", data=answers_for(about))
    assert no_csrf.status_code == 403
    assert _draft(site, "patient_a2") == saved


def test_only_the_signed_in_patient_uses_these_pages_for_their_own_record(sqlite_site: Site) -> None:
    site = sqlite_site
    owner, other = site["patient_a"], site["patient_a2"]
    first = wizard(site).steps[0]
    form = answers_for(first)
    post(owner.client, owner.csrf, f"/me/intake/{first.id}", form)
    owners = _draft(site, "patient_a")

    for staff in ("clinician_a", "admin_a", "clinician_b"):
        client = site[staff].client
        assert client.get("/me/intake").status_code == 403
        assert client.get(f"/me/intake/{first.id}").status_code == 403
        assert client.get("/me/assessment").status_code == 403
        assert post(client, site[staff].csrf, f"/me/intake/{first.id}", form).status_code == 403
    assert site.client().get("/me/intake").url.path == "/login"

    theirs = other.client.get("/me/intake")  # another patient starts from nothing
    assert theirs.url.path == "/me/intake" and "Start" in theirs.text
    changed = dict(form) | {"red_flags.saddle_numbness": "unsure"}
    post(other.client, other.csrf, f"/me/intake/{first.id}", changed)
    assert _draft(site, "patient_a") == owners
    assert _draft(site, "patient_a2") != owners
    site.assess("patient_b")
    assert "Your assessment" in other.client.get("/me/assessment").text
    assert "Flexion intolerance" not in other.client.get("/me/assessment").text


def _submit_the_same_screen_twice(site: Site) -> None:
    person = site["patient_a2"]
    token = person.csrf
    first = wizard(site).steps[0]
    form = answers_for(first) | {"red_flags.sexual_change": "unsure"}
    one = post(person.client, token, f"/me/intake/{first.id}", form)
    after_one = _draft(site, "patient_a2")
    two = post(person.client, token, f"/me/intake/{first.id}", form)
    assert one.url == two.url and _draft(site, "patient_a2") == after_one
    assert after_one is not None and "sexual_change" not in after_one["red_flags"]  # type: ignore[operator]
    shown = person.client.get(f"/me/intake/{first.id}")
    assert re.search(r'value="unsure"\s+checked', shown.text)


def test_the_wizard_asks_every_symptom_the_engine_reads_and_builds_a_valid_intake() -> None:
    service = assessment_service()
    kb, steps = service.kb, build_wizard(service)
    read: set[str] = set()
    for rule in kb.mechanisms.rules:
        read |= rule.when.fact_ids()
    for red_flag_rule in kb.safety.rules:
        read |= red_flag_rule.when.fact_ids()
    asked: set[str] = set()
    for step in steps.steps:
        for q in step.questions:
            if q.kind is Kind.MULTI and q.path[0] == "symptoms":
                asked |= {f"{q.path[1]}.{o.value}" for o in q.options}
            asked.add(".".join(q.path))
    wanted = {f for f in read if f.startswith(("aggravated_by.", "eased_by."))}
    assert wanted <= asked, sorted(wanted - asked)
    assert {f"red_flags.{q.id}" for q in kb.safety.questions} <= asked
    assert {"person.age", "pain.leg_pain", "pain.below_knee", "history.duration_days"} <= asked

    data: dict[str, Any] = {}
    while (step := steps.first_open(data)).id != "review":
        answers = read_step(
            step, {k: v if isinstance(v, list) else [v] for k, v in answers_for(step).items()}
        )
        assert answers.ok, (step.id, answers.problems)
        data = apply_step(data, step, answers.values)
    assert steps.first_open(data).id == "review"
    intake = intake_document(steps, data, "case", dt.date(2026, 11, 22))
    assert WIZARD_KEY not in intake and "leg_nprs" not in intake["pain"]  # a screen that did not apply
    result = service.assess(intake)
    assert result.plan_status == "ready" and result.classification.dominant == "flexion-intolerance"
    assert not result.data_completeness.red_flags_unanswered

    time = steps.step("exercise-time")
    assert time is not None
    too_long = read_step(time, {"preferences.session_minutes": ["90"]})
    assert too_long.ok  # a whole number; the engine's own limits are checked next
    check_with_engine(service, time, too_long)
    assert "10 to 45" in too_long.problems["preferences.session_minutes"]


def test_drafts_and_safety_stops_are_stored_on_both_databases(site: Site) -> None:
    person = site["patient_a"]
    answer_until(site, person, "legs")
    fresh = site.sign_in(person.user)
    assert fresh.get("/me/intake").url.path == "/me/intake/legs"
    legs = wizard(site).step("legs")
    assert legs is not None
    token = csrf_from(fresh.get("/account").text)
    page = post(fresh, token, "/me/intake/legs", answers_for(legs) | {"pain.leg_pain": "left"})
    assert page.url.path == "/me/intake/leg-pain"  # the follow-up applies now
    follow = {"pain.leg_nprs": "6", "pain.below_knee": "yes", "pain.shooting_narrow_band": "yes"}
    assert post(fresh, token, "/me/intake/leg-pain", follow).url.path == "/me/intake/nprs"
    draft = _draft(site, "patient_a")
    assert draft is not None and draft["pain"] == {
        "night": "none",
        "locations": ["low_back_central"],
        "leg_pain": "left",
        "paraesthesia": False,
        "leg_nprs": 6,
        "below_knee": True,
        "shooting_narrow_band": True,
    }
    first = wizard(site).steps[0]
    stop = post(
        fresh, token, f"/me/intake/{first.id}", answers_for(first) | {"red_flags.bladder_change": "yes"}
    )
    assert stop.url.path == "/me/intake/referral"
    stored = _assessments(site, "patient_a")
    assert [(a.triage_level, a.plan_status) for a in stored] == [("emergency", "withheld_red_flag")]
    assert stored[0].intake["pain"]["leg_pain"] == "left" and _draft(site, "patient_a") is None
