"""The short reassessment through the real routes: safety and the tracked questionnaires again."""

from __future__ import annotations

import re

import orjson
from tests.web.conftest import EXAMPLES, Site
from tests.web.test_intake_support import answers_for, current_step, post, wizard

from backmech.services.intake_model import WIZARD_KEY
from backmech.services.records import patient_assessments


def _assessments(site: Site, name: str):  # type: ignore[no-untyped-def]
    person = site[name]
    assert person.patient is not None
    return patient_assessments(
        site.state.uow_factory, person.user, person.patient.id, person.patient.clinic_id
    )


def _answer_screens(site: Site, name: str, page, changes: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Answer each screen shown until the review; returns the review page and the screens seen."""
    person = site[name]
    seen: list[str] = []
    while current_step(str(page.url)) != "review":
        step = wizard(site).step(current_step(str(page.url)))
        assert step is not None and page.status_code == 200, page.url
        seen.append(step.id)
        form = answers_for(step)
        form |= {k: v for k, v in (changes or {}).items() if k in form}
        page = post(person.client, person.csrf, f"/me/intake/{step.id}", form)
        assert len(seen) < 40
    return page, seen


def test_a_reassessment_asks_safety_and_the_tracked_questionnaires_and_carries_the_rest(site: Site) -> None:
    site.assess("patient_a")
    person = site["patient_a"]
    intro = person.client.get("/me/reassess")
    assert intro.status_code == 200
    assert "Numeric Pain Rating Scale" in intro.text or "NPRS" in intro.text
    assert "carried over" in intro.text
    first = post(person.client, person.csrf, "/me/reassess", {})
    assert current_step(str(first.url)).startswith("safety-")
    total = int(re.search(r"Step 1 of (\d+)", first.text).group(1))  # type: ignore[union-attr]
    full = len(wizard(site).applicable({}))
    assert total < full / 2, (total, full)

    review, seen = _answer_screens(site, "patient_a", first, {"nprs.current": "2"})
    kinds = {s.split("-")[0] for s in seen}
    assert kinds <= {"safety", "nprs", "odi", "psfs"}, seen
    assert {"safety", "nprs", "odi", "psfs"} <= kinds
    assert 'id="carried-over"' in review.text and "Bending forward" in review.text
    assert f"Step {total} of {total}" in review.text

    done = post(person.client, person.csrf, "/me/intake/review", {})
    assert done.status_code == 200 and done.url.path == "/me/assessment"
    first_stored, second = _assessments(site, "patient_a")
    example = orjson.loads((EXAMPLES / "flexion-intolerant-desk-worker.json").read_bytes())
    assert second.intake["symptoms"] == example["symptoms"]  # carried over unchanged
    assert second.intake["questionnaires"]["nprs"]["answers"]["current"] == 2
    assert all(v is False for v in second.intake["red_flags"].values())  # asked again, all answered
    assert set(second.intake["red_flags"]) >= set(first_stored.intake.get("red_flags", {}))
    assert WIZARD_KEY not in second.intake and second.plan_status == "ready"
    assert second.result.mechanisms, "the classification is re-run on the new intake"


def test_a_yes_at_a_reassessment_stops_the_programme(site: Site) -> None:
    site.assess("patient_a")
    person = site["patient_a"]
    first = post(person.client, person.csrf, "/me/reassess", {})
    step = wizard(site).step(current_step(str(first.url)))
    assert step is not None
    answers = answers_for(step)
    triage = next(q for q in step.questions if q.kind.value == "triage")
    stopped = post(person.client, person.csrf, f"/me/intake/{step.id}", answers | {triage.name: "yes"})
    assert stopped.url.path == "/me/intake/referral"
    assert "Play the full session" not in person.client.get("/me").text


def test_leaving_halfway_and_starting_again_resumes_with_nothing_lost(site: Site) -> None:
    site.assess("patient_a")
    person = site["patient_a"]
    first = post(person.client, person.csrf, "/me/reassess", {})
    step = wizard(site).step(current_step(str(first.url)))
    assert step is not None
    second = post(person.client, person.csrf, f"/me/intake/{step.id}", answers_for(step))
    second_id = current_step(str(second.url))
    assert second_id != step.id
    intro = person.client.get("/me/reassess")
    assert "Carry on" in intro.text
    resumed = post(person.client, person.csrf, "/me/reassess", {})
    assert current_step(str(resumed.url)) == second_id
    again = person.client.get(f"/me/intake/{step.id}")
    assert 'value="no" checked' in again.text or "checked" in again.text


def test_without_an_assessment_the_short_version_sends_to_the_full_questions(site: Site) -> None:
    person = site["patient_a"]
    assert person.client.get("/me/reassess").url.path == "/me/intake"
    assert post(person.client, person.csrf, "/me/reassess", {}).url.path == "/me/intake"
