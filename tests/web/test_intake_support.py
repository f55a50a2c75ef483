"""Drive the intake wizard through the real pages, as a browser would (shared by the intake tests)."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.testclient import TestClient
from tests.web.conftest import Person, Site

from backmech.services.intake_model import Kind, Step, Wizard
from backmech.web.routes.intake_common import wizard_for

Form = dict[str, str | list[str]]

FLEXION_PATTERN: Mapping[str, list[str]] = {
    "worse-sitting-standing": ["sitting_slumped", "sitting_long", "getting_up_from_chair"],
    "worse-bending-lifting": ["bending_forward", "putting_on_socks"],
    "worse-other": ["first_hour_after_waking"],
    "better-positions": ["standing", "walking", "arching_back"],
    "better-other": [],
}
"""A bending-sensitive (flexion-intolerant) pattern: the engine should name it."""

SPECIAL: Mapping[str, str | list[str]] = {
    "person.age": "34",
    "person.sex": "male",
    "person.occupation": "desk",
    "history.duration.value": "4",
    "history.duration.unit": "months",
    "pain.night": "none",
    "pain.locations": ["low_back_central"],
    "pain.leg_pain": "none",
    "lifestyle.work_ergonomics": "desk_no_breaks",
    "lifestyle.sitting_hours_per_day": "9",
    "lifestyle.sleep_quality": "fair",
    "lifestyle.stress": "4",
    "psfs.activity_1.activity": "Sitting through a meeting",
    "psfs.activity_1.score": "4",
    "nprs.current": "5",
    "nprs.worst_24h": "7",
    "nprs.best_24h": "3",
    "fabq.in_work": "yes",
}


def wizard(site: Site) -> Wizard:
    return wizard_for(site.state.assessment)


def answers_for(step: Step) -> Form:
    """A complete, valid answer to every question of ``step`` (no red flags)."""
    form: Form = {}
    for q in step.questions:
        if q.kind is Kind.MULTI:
            if q.path[:2] == ("symptoms", "aggravated_by") or q.path[:2] == ("symptoms", "eased_by"):
                form[q.name] = list(FLEXION_PATTERN.get(step.id, []))
            elif q.name in SPECIAL:
                form[q.name] = SPECIAL[q.name]
            continue
        if q.kind is Kind.DURATION:
            for part in ("value", "unit"):
                form[f"{q.name}.{part}"] = SPECIAL[f"{q.name}.{part}"]
            continue
        if q.kind is Kind.ACTIVITY:
            if q.name in ("psfs.activity_1",):
                form[f"{q.name}.activity"] = SPECIAL[f"{q.name}.activity"]
                form[f"{q.name}.score"] = SPECIAL[f"{q.name}.score"]
            continue
        if q.name in SPECIAL:
            form[q.name] = SPECIAL[q.name]
        elif q.kind in (Kind.TRIAGE, Kind.YES_NO):
            form[q.name] = "no"
        elif q.kind is Kind.CHOICE:
            form[q.name] = q.options[1].value if len(q.options) > 1 else q.options[0].value
        # numbers not listed are optional and left empty
    return form


def post(client: TestClient, token: str, path: str, form: Mapping[str, str | list[str]]):  # type: ignore[no-untyped-def]
    return client.post(path, data={**form, "csrf_token": token})


def current_step(response_url: str) -> str:
    return str(response_url).rsplit("/", 1)[-1].split("?", 1)[0]


def answer_until(site: Site, person: Person, stop_at: str, client: TestClient | None = None) -> TestClient:
    """Answer screens from the resume point until the page ``stop_at`` is shown (not answered)."""
    client = client or person.client
    token = person.csrf if client is person.client else _token(client)
    page = client.get("/me/intake")
    if page.url.path == "/me/intake":  # the start page: no draft yet
        page = client.get(f"/me/intake/{wizard(site).steps[0].id}")
    seen = 0
    while current_step(str(page.url)) != stop_at:
        step = wizard(site).step(current_step(str(page.url)))
        assert step is not None, page.url
        assert page.status_code == 200, page.text
        page = post(client, token, f"/me/intake/{step.id}", answers_for(step))
        seen += 1
        assert seen < 80, "the wizard does not end"
    return client


def _token(client: TestClient) -> str:
    from tests.web.conftest import csrf_from

    return csrf_from(client.get("/account").text)
