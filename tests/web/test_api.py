"""The JSON API: sign-in and tokens, CSRF for cookie calls, who sees which patient, assessments, the plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, Site
from tests.web.test_api_support import api_site, bearer, example_intake, json_sign_in, patient_id

from backmech.services.accounts import create_first_admin
from backmech.services.sign_in import SignInLimits
from backmech.settings import Settings
from backmech.storage.engine import sqlite_url
from backmech.web.app import create_app
from backmech.web.config import WebConfig

__all__ = ["api_site"]


def test_token_flow_sign_in_use_and_sign_out(api_site: Site) -> None:
    client = TestClient(api_site.app, follow_redirects=False)
    signed = json_sign_in(client, "Clinician@A.example", PASSWORD)
    assert signed.status_code == 201, signed.text
    body = signed.json()
    assert set(body) == {"token", "expires_at", "csrf_token"}
    assert "bm_session" not in signed.cookies  # API sign-in hands out a token, not a browser cookie
    api = TestClient(api_site.app, headers={"Authorization": f"Bearer {body['token']}"})
    me = api.get("/api/me")
    assert me.status_code == 200 and me.json()["role"] == "clinician"
    assert api.delete("/api/session").status_code == 204  # bearer: no CSRF token needed
    after = api.get("/api/me")
    assert after.status_code == 401
    assert after.headers["WWW-Authenticate"] == "Bearer"
    assert after.json()["error"] == "not_signed_in" and after.json()["hint"]


def test_wrong_password_is_401_and_repeated_failures_are_429(tmp_path: Path) -> None:
    settings = Settings.resolve({}, data_dir=tmp_path / "d", database_url=sqlite_url(tmp_path / "db.sqlite"))
    limits = SignInLimits(per_account=3, per_address=50)
    app = create_app(WebConfig(settings=settings, in_process_workers=0, sign_in_limits=limits))
    create_first_admin(app.state.backmech.uow_factory, "lead@x.example", PASSWORD, "X")
    client = TestClient(app)
    for _ in range(3):
        wrong = json_sign_in(client, "lead@x.example", "not the password at all")
        assert wrong.status_code == 401
        assert wrong.json()["error"] == "invalid_credentials" and wrong.json()["hint"]
    locked = json_sign_in(client, "lead@x.example", PASSWORD)  # even the right one, now
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert locked.json()["error"] == "too_many_attempts" and "Wait" in locked.json()["hint"]
    unknown = json_sign_in(TestClient(app), "nobody@x.example", PASSWORD)
    assert unknown.status_code == 401  # other accounts are not locked by this one


def test_sign_in_body_must_be_json_with_both_fields(api_site: Site) -> None:
    client = TestClient(api_site.app)
    missing = json_sign_in(client, "clinician@a.example", "")
    assert missing.status_code == 422 and any("password" in p for p in missing.json()["problems"])
    client.cookies.set("bm_csrf", "p" * 32)
    as_form = client.post(
        "/api/session",
        data={"email": "clinician@a.example", "password": PASSWORD},
        headers={"X-CSRF-Token": "p" * 32},
    )
    assert as_form.status_code == 422  # a cross-site HTML form cannot sign anyone in


def test_cookie_calls_need_the_csrf_header_bearer_calls_do_not(api_site: Site) -> None:
    person = api_site["patient_a"]
    url = f"/api/patients/{patient_id(api_site, 'patient_a')}/sessions"
    log = {"session_date": "2026-01-05", "pain_before": 4, "pain_after": 3, "effort": 5}
    refused = person.client.post(url, json=log | {"idempotency_key": "cookie-no-csrf"})
    assert refused.status_code == 403 and refused.json()["error"] == "csrf"
    forged = person.client.post(
        url, json=log | {"idempotency_key": "cookie-forged"}, headers={"X-CSRF-Token": "x"}
    )
    assert forged.status_code == 403
    accepted = person.client.post(
        url, json=log | {"idempotency_key": "cookie-with-csrf"}, headers={"X-CSRF-Token": person.csrf}
    )
    assert accepted.status_code == 201, accepted.text
    by_token = bearer(api_site, "patient_a").post(url, json=log | {"idempotency_key": "bearer-no-csrf"})
    assert by_token.status_code == 201
    assert person.client.get("/api/me").json()["role"] == "patient"  # cookie reads work as-is


def test_an_api_token_sent_as_the_cookie_needs_the_returned_csrf_token(api_site: Site) -> None:
    signed = json_sign_in(TestClient(api_site.app), "patient2@a.example", PASSWORD).json()
    client = TestClient(api_site.app)
    client.cookies.set("bm_session", signed["token"])
    url = f"/api/patients/{patient_id(api_site, 'patient_a2')}/sessions"
    log = {"session_date": "2026-01-06", "pain_before": 2, "pain_after": 2, "effort": 4}
    assert client.post(url, json=log | {"idempotency_key": "as-cookie-1"}).status_code == 403
    sent = client.post(
        url, json=log | {"idempotency_key": "as-cookie-1"}, headers={"X-CSRF-Token": signed["csrf_token"]}
    )
    assert sent.status_code == 201


def test_me_for_each_role(api_site: Site) -> None:
    patient = bearer(api_site, "patient_a").get("/api/me").json()
    assert patient["patient_id"] == str(patient_id(api_site, "patient_a"))
    assert patient["display_name"] == "Pat A" and patient["clinic"]["name"] == "Clinic A"
    for name, clinic in (("clinician_a", "Clinic A"), ("admin_b", "Clinic B")):
        staff = bearer(api_site, name).get("/api/me").json()
        assert staff["patient_id"] is None and staff["clinic"]["name"] == clinic
        assert staff["user"]["id"] == str(api_site[name].user.id)
    assert TestClient(api_site.app).get("/api/me").status_code == 401


def test_patient_list_is_the_own_clinic_for_staff_only(api_site: Site) -> None:
    listed = bearer(api_site, "clinician_a").get("/api/patients")
    assert listed.status_code == 200
    by_name = {p["display_name"]: p for p in listed.json()}
    assert set(by_name) == {"Pat A", "Pat A2"}
    assert by_name["Pat A"]["latest_assessment"]["plan_status"] == "ready"
    assert by_name["Pat A"]["latest_assessment"]["triage_level"]
    other = bearer(api_site, "admin_b").get("/api/patients").json()
    assert [p["display_name"] for p in other] == ["Pat B"]
    refused = bearer(api_site, "patient_a").get("/api/patients")
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"


@pytest.mark.parametrize(
    ("viewer", "target", "status"),
    [
        ("patient_a", "patient_a", 200),
        ("patient_a", "patient_a2", 404),
        ("patient_a", "patient_b", 404),
        ("clinician_a", "patient_a2", 200),
        ("admin_a", "patient_a", 200),
        ("clinician_a", "patient_b", 404),
        ("admin_b", "patient_a", 404),
        ("clinician_b", "patient_b", 200),
    ],
)
def test_one_patient_for_each_role(api_site: Site, viewer: str, target: str, status: int) -> None:
    base = f"/api/patients/{patient_id(api_site, target)}"
    client = bearer(api_site, viewer)
    for path in (base, f"{base}/assessments", f"{base}/sessions"):
        got = client.get(path)
        assert got.status_code == status, (path, got.text)
        if status == 404:
            assert got.json() == {
                "error": "not_found",
                "message": "There is no such record, or it is not yours to see.",
                "hint": "",
            }
            assert "Pat " not in got.text


def test_unknown_patient_answers_like_a_foreign_one(api_site: Site) -> None:
    client = bearer(api_site, "clinician_a")
    unknown = client.get("/api/patients/00000000-0000-4000-8000-000000000000")
    foreign = client.get(f"/api/patients/{patient_id(api_site, 'patient_b')}")
    assert unknown.status_code == foreign.status_code == 404
    assert unknown.json() == foreign.json()
    assert client.get("/api/patients/not-a-uuid").status_code == 422
    assert client.get("/api/no-such-thing").json()["error"] == "http_error"


def test_posting_an_intake_runs_the_engine_and_stores_the_result(api_site: Site) -> None:
    target = patient_id(api_site, "patient_a2")
    url = f"/api/patients/{target}/assessments"
    made = bearer(api_site, "patient_a2").post(url, json=example_intake("radicular-sciatica.json"))
    assert made.status_code == 201, made.text
    stored = made.json()
    assert stored["patient_id"] == str(target)
    assert stored["result"]["triage"]["level"] == stored["triage_level"]
    assert "mechanisms" in stored["result"] and stored["engine_version"]
    again = bearer(api_site, "clinician_a").post(url, json=example_intake())
    assert again.status_code == 201
    listed = bearer(api_site, "clinician_a").get(url).json()
    assert [a["id"] for a in listed][-2:] == [stored["id"], again.json()["id"]]  # newest last
    assert bearer(api_site, "clinician_b").post(url, json=example_intake()).status_code == 404
    assert bearer(api_site, "patient_a").post(url, json=example_intake()).status_code == 404


def test_a_bad_intake_is_422_with_the_engines_message_and_stores_nothing(api_site: Site) -> None:
    url = f"/api/patients/{patient_id(api_site, 'patient_a')}/assessments"
    client = bearer(api_site, "clinician_a")
    before = len(client.get(url).json())
    bad = example_intake() | {"case_id": 42}
    refused = client.post(url, json=bad)
    assert refused.status_code == 422
    assert refused.json()["error"] == "invalid_intake"
    assert refused.json()["message"].startswith("case_id:")
    malformed = client.post(url, content=b'{"case_id": ', headers={"Content-Type": "application/json"})
    assert malformed.status_code == 422 and malformed.json()["error"] == "invalid"
    not_an_object = client.post(url, json=[1, 2])
    assert not_an_object.status_code == 422
    assert len(client.get(url).json()) == before


def test_the_plan_and_its_edits(api_site: Site) -> None:
    url = f"/api/patients/{patient_id(api_site, 'patient_a')}/plan"
    plan = bearer(api_site, "patient_a").get(url)
    assert plan.status_code == 200, plan.text
    first = plan.json()["plan"]["exercises"][0]
    change = {"kind": "dose", "list": "exercises", "slug": first["slug"], "dose_text": "2 sets of 5, slowly"}
    edited = bearer(api_site, "clinician_a").post(
        f"{url}/edits", json={"change": change, "reason": "Flare-up"}
    )
    assert edited.status_code == 201, edited.text
    assert edited.json()["editor_id"] == str(api_site["clinician_a"].user.id)
    now = bearer(api_site, "patient_a").get(url).json()
    assert now["edits"][-1]["reason"] == "Flare-up"
    assert now["plan"]["exercises"][0]["dose"]["text"] == "2 sets of 5, slowly"
    own = bearer(api_site, "patient_a").post(f"{url}/edits", json={"change": change, "reason": "mine"})
    assert own.status_code == 403  # patients cannot edit plans
    assert (
        bearer(api_site, "clinician_b")
        .post(f"{url}/edits", json={"change": change, "reason": "x"})
        .status_code
        == 404
    )
    bad = bearer(api_site, "clinician_a").post(
        f"{url}/edits", json={"change": {"kind": "paint"}, "reason": "x"}
    )
    assert (
        bad.status_code == 422 and bad.json()["error"] == "invalid_change" and "kind" in bad.json()["message"]
    )
    no_reason = bearer(api_site, "clinician_a").post(f"{url}/edits", json={"change": change})
    assert no_reason.status_code == 422 and any("reason" in p for p in no_reason.json()["problems"])


def test_no_plan_yet_is_a_distinct_404(api_site: Site) -> None:
    missing = bearer(api_site, "clinician_b").get(f"/api/patients/{patient_id(api_site, 'patient_b')}/plan")
    assert missing.status_code == 404
    assert missing.json()["error"] == "no_plan" and missing.json()["hint"]
