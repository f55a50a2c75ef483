"""Shared helpers for the API tests: a module-wide installation, bearer clients, JSON sign-in.

Why a module-scoped site: building one (seven accounts, Argon2 hashes, real
sign-ins) takes seconds; the API tests read and add records without depending
on each other's counts, so one per module keeps the suite fast. Bearer tokens are
made with ``start_session`` directly (the sign-in itself is tested through
``POST /api/session``), which skips an Argon2 check per client.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import EXAMPLES, Site, build_site

from backmech.services.ports import utc_now
from backmech.services.web_sessions import start_session
from backmech.storage.engine import sqlite_url


def example_intake(name: str = "flexion-intolerant-desk-worker.json") -> dict[str, Any]:
    data = orjson.loads((EXAMPLES / name).read_bytes())
    assert isinstance(data, dict)
    return data


def bearer(site: Site, name: str) -> TestClient:
    """A client with no cookies that authenticates with a fresh bearer token of person ``name``."""
    token, _ = start_session(
        site.state.uow_factory, site[name].user, utc_now(), site.state.config.session_policy
    )
    return TestClient(site.app, headers={"Authorization": f"Bearer {token}"}, follow_redirects=False)


def json_sign_in(client: TestClient, email: str, password: str) -> Any:
    """``POST /api/session`` as a script would: JSON, with a self-made pre-session CSRF pair.

    The app checks a double-submit token on every unauthenticated POST; a client
    without a browser makes one up (any random value, sent as cookie and header).
    """
    pair = secrets.token_urlsafe(24)
    client.cookies.set("bm_csrf", pair)
    return client.post(
        "/api/session", json={"email": email, "password": password}, headers={"X-CSRF-Token": pair}
    )


def patient_id(site: Site, name: str) -> UUID:
    patient = site[name].patient
    assert patient is not None
    return patient.id


def build_api_site(tmp: Path) -> Site:
    built = build_site(sqlite_url(tmp / "backmech.db"), tmp / "data")
    built.assess("patient_a")
    return built


@pytest.fixture(scope="module")
def api_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Clinic A and B; patient_a has one assessment (with a plan); nobody else has any."""
    built = build_api_site(tmp_path_factory.mktemp("api"))
    yield built
    for person in built.people.values():
        person.client.close()
    built.state.engine.dispose()
