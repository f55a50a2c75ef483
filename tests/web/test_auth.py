"""Set-up, sign-in, sessions, CSRF and rate limiting, through the real routes."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, Site, csrf_from

from backmech.services.sign_in import SignInLimits
from backmech.settings import Settings
from backmech.storage.engine import sqlite_url
from backmech.web.app import create_app
from backmech.web.config import WebConfig


def _fresh_app(tmp_path: Path, **config: object) -> TestClient:
    settings = Settings.resolve(
        {}, data_dir=tmp_path / "data", database_url=sqlite_url(tmp_path / "db.sqlite")
    )
    app = create_app(WebConfig(settings=settings, in_process_workers=0, **config))  # type: ignore[arg-type]
    return TestClient(app, follow_redirects=True)


def test_first_run_asks_for_the_admin_and_then_never_again(tmp_path: Path) -> None:
    client = _fresh_app(tmp_path)
    first = client.get("/")
    assert first.url.path == "/setup"
    assert "no default password" in first.text
    token = csrf_from(first.text)
    weak = client.post(
        "/setup",
        data={
            "csrf_token": token,
            "email": "a@x.org",
            "password": "short",
            "password_again": "short",
            "clinic_name": "X",
        },
    )
    assert weak.status_code == 422 and "12" in weak.text
    done = client.post(
        "/setup",
        data={
            "csrf_token": token,
            "email": "a@x.org",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "clinic_name": "X",
        },
    )
    assert done.status_code in (200, 404)  # signed in and sent to /clinic
    assert client.cookies.get("bm_session")
    other = TestClient(client.app, follow_redirects=True)
    assert other.get("/setup").url.path == "/login"
    again = other.post(
        "/setup",
        data={
            "csrf_token": csrf_from(other.get("/login").text),
            "email": "b@x.org",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "clinic_name": "Y",
        },
    )
    assert again.url.path == "/login"


def test_forms_without_the_csrf_token_are_refused(sqlite_site: Site) -> None:
    patient = sqlite_site["patient_a"]
    refused = patient.client.post("/account/sign-out-everywhere", data={})
    assert refused.status_code == 403
    assert "reload the page" in refused.text
    forged = patient.client.post("/account/sign-out-everywhere", data={"csrf_token": "x" * 43})
    assert forged.status_code == 403
    other_sessions_token = sqlite_site["patient_a2"].csrf
    assert patient.client.post("/logout", data={"csrf_token": other_sessions_token}).status_code == 403
    assert patient.client.get("/account").status_code == 200  # still signed in


def test_sign_in_form_needs_its_pre_session_token(sqlite_site: Site) -> None:
    client = sqlite_site.client()
    refused = client.post("/login", data={"email": "patient@a.example", "password": PASSWORD})
    assert refused.status_code == 403


def test_sign_out_ends_the_session_on_the_server(sqlite_site: Site) -> None:
    patient = sqlite_site["patient_a"]
    token = patient.client.cookies.get("bm_session")
    assert patient.post("/logout").url.path == "/login"
    replay = sqlite_site.client()
    replay.cookies.set("bm_session", token)
    assert replay.get("/account").url.path == "/login"


def test_session_cookie_flags(sqlite_site: Site) -> None:
    client = sqlite_site.client()
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": "patient@a.example", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert "bm_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http on loopback; https requests get Secure
    secure = sqlite_site.client()
    secure.base_url = "https://testserver"  # type: ignore[assignment]


def test_idle_sessions_expire(sqlite_site: Site) -> None:
    import datetime as dt

    import sqlalchemy as sa

    patient = sqlite_site["patient_a"]
    with sqlite_site.state.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE web_sessions SET last_seen_at = :old"),
            {"old": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).replace(tzinfo=None)},
        )
    assert patient.client.get("/account").url.path == "/login"


def test_repeated_wrong_passwords_are_rate_limited(tmp_path: Path) -> None:
    client = _fresh_app(tmp_path, sign_in_limits=SignInLimits(per_account=3, per_address=100))
    token = csrf_from(client.get("/").text)
    client.post(
        "/setup",
        data={
            "csrf_token": token,
            "email": "a@x.org",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "clinic_name": "X",
        },
    )
    client.cookies.clear()
    token = csrf_from(client.get("/login").text)
    codes = [
        client.post(
            "/login", data={"csrf_token": token, "email": "a@x.org", "password": f"wrong {i}"}
        ).status_code
        for i in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    locked = client.post("/login", data={"csrf_token": token, "email": "a@x.org", "password": PASSWORD})
    assert locked.status_code == 429 and re.search(r"Wait \d+ minute", locked.text)
    assert locked.headers["retry-after"].isdigit()


def test_no_open_redirect_after_sign_in(sqlite_site: Site) -> None:
    client = sqlite_site.client()
    page = client.get("/login?next=//evil.example/x")
    done = client.post(
        "/login",
        data={
            "email": "patient@a.example",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert done.headers["location"] == "/me"


def test_security_headers_on_pages(sqlite_site: Site) -> None:
    page = sqlite_site["patient_a"].client.get("/account")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-content-type-options"] == "nosniff"


def test_unknown_or_used_invitations_explain_what_to_do(sqlite_site: Site) -> None:
    page = sqlite_site.client().get("/join/not-a-real-token")
    assert page.status_code == 404 and "Ask your clinic" in page.text


def test_api_sign_in_needs_json_and_no_csrf_pair(sqlite_site: Site) -> None:
    client = sqlite_site.client()
    done = client.post("/api/session", json={"email": "patient@a.example", "password": PASSWORD})
    assert done.status_code == 201, done.text
    assert done.json()["token"] and "set-cookie" not in done.headers
    form = sqlite_site.client().post(
        "/api/session", data={"email": "patient@a.example", "password": PASSWORD}
    )
    assert form.status_code == 422  # a cross-site HTML form cannot sign anyone in
    body = form.json()
    assert body["error"] == "invalid" and body["hint"] and body["problems"]
    other_post = sqlite_site.client().post(
        "/api/patients/00000000-0000-0000-0000-000000000000/sessions", json={}
    )
    assert other_post.status_code in (401, 403)  # the exemption is for signing in only
