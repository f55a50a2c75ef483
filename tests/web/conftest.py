"""Web fixtures: an installation with two clinics and every role, and signed-in test clients.

``site`` builds the app on a database from ``database_url`` (SQLite and a real
PostgreSQL), creates clinic A (admin, clinician, two patients) and clinic B (admin,
clinician, one patient) through the services, and gives a ``TestClient`` per person,
signed in through the real ``/login`` form (so sessions, cookies and CSRF are real).
Every patient starts with no assessment; ``site.assess(person, example)`` stores one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backmech.services.accounts import accept_invitation, create_first_admin, invite
from backmech.services.ports import Patient, Role, SessionLog, User, utc_now
from backmech.services.records import save_assessment
from backmech.settings import Settings
from backmech.web.app import create_app
from backmech.web.config import WebConfig
from backmech.web.state import AppState

PASSWORD = "a long enough test password"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF_INPUT.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class Person:
    user: User
    client: TestClient
    patient: Patient | None = None

    @property
    def csrf(self) -> str:
        """This session's CSRF token (read from a page, as a browser would)."""
        page = self.client.get("/account")
        assert page.status_code == 200, page.text
        return csrf_from(page.text)

    def post(self, path: str, data: dict[str, object] | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
        """POST a form with this session's CSRF token added."""
        form = dict(data or {})
        form.setdefault("csrf_token", self.csrf)
        return self.client.post(path, data=form, **kwargs)  # type: ignore[arg-type]


@dataclass
class Site:
    app: FastAPI
    state: AppState
    people: dict[str, Person] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Person:
        return self.people[name]

    def client(self) -> TestClient:
        return TestClient(self.app, base_url="http://testserver", follow_redirects=True)

    def log_session(self, name: str, day: dt.date | None = None) -> None:
        """Store a session log for patient ``name`` on ``day`` (default today), as that patient."""
        person = self.people[name]
        patient = person.patient
        assert patient is not None
        day = day or dt.date.today()
        with self.state.uow_factory(actor=person.user.id) as uow:
            log = SessionLog(
                patient_id=patient.id,
                session_date=day,
                pain_before=4,
                pain_after=3,
                effort=5,
                idempotency_key=f"test:{patient.id.hex}:{day.isoformat()}",
            )
            uow.session_logs.add(patient.clinic_id, log)
            uow.commit()

    def sign_in(self, user: User) -> TestClient:
        client = self.client()
        page = client.get("/login")
        done = client.post(
            "/login",
            data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
        return client

    def assess(self, name: str, example: str = "flexion-intolerant-desk-worker.json") -> None:
        """Store an assessment of ``example`` for patient ``name`` (as that patient)."""
        person = self.people[name]
        assert person.patient is not None
        intake = orjson.loads((EXAMPLES / example).read_bytes())
        result = self.state.assessment.assess(intake)
        save_assessment(
            self.state.uow_factory, person.user, person.patient.id, person.patient.clinic_id, result, intake
        )


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at its smallest cost for web tests: each site signs in 7 people, and hashing cost is
    not what these tests are about (tests/storage/test_accounts.py checks the real parameters)."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(
        "backmech.services.accounts._hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


def _join(state: AppState, inviter: User, email: str, role: Role, name: str) -> User:
    token = invite(state.uow_factory, inviter.id, email, role, inviter.clinic_id, utc_now())
    return accept_invitation(state.uow_factory, token, PASSWORD, utc_now(), display_name=name)


def build_site(database_url: str, data_dir: Path) -> Site:
    settings = Settings.resolve({}, data_dir=data_dir, database_url=database_url)
    app = create_app(WebConfig(settings=settings, in_process_workers=0))
    state: AppState = app.state.backmech
    admin_a = create_first_admin(state.uow_factory, "admin@a.example", PASSWORD, "Clinic A")
    with state.uow_factory(actor=None) as uow:
        from backmech.services.accounts import hash_password
        from backmech.services.ports import Clinic

        clinic_b = uow.clinics.add(Clinic(name="Clinic B"))
        admin_b = uow.users.add(
            User(
                email="admin@b.example",
                password_hash=hash_password(PASSWORD),
                role=Role.ADMIN,
                clinic_id=clinic_b.id,
            )
        )
        uow.commit()
    users = {
        "admin_a": admin_a,
        "admin_b": admin_b,
        "clinician_a": _join(state, admin_a, "clinician@a.example", Role.CLINICIAN, ""),
        "clinician_b": _join(state, admin_b, "clinician@b.example", Role.CLINICIAN, ""),
    }
    users["patient_a"] = _join(state, users["clinician_a"], "patient@a.example", Role.PATIENT, "Pat A")
    users["patient_a2"] = _join(state, users["clinician_a"], "patient2@a.example", Role.PATIENT, "Pat A2")
    users["patient_b"] = _join(state, users["clinician_b"], "patient@b.example", Role.PATIENT, "Pat B")
    site = Site(app=app, state=state)
    for name, user in users.items():
        with state.uow_factory(actor=user.id) as uow:
            patient = uow.patients.for_user(user.id)
        site.people[name] = Person(user=user, client=site.sign_in(user), patient=patient)
    return site


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Iterator[Site]:
    """The installation on SQLite and on PostgreSQL."""
    built = build_site(database_url, tmp_path / "data")
    yield built
    for person in built.people.values():
        person.client.close()
    built.state.engine.dispose()


@pytest.fixture
def sqlite_site(tmp_path: Path) -> Iterator[Site]:
    """The installation on SQLite only (for tests whose subject is not the database)."""
    from backmech.storage.engine import sqlite_url

    built = build_site(sqlite_url(tmp_path / "backmech.db"), tmp_path / "data")
    yield built
    for person in built.people.values():
        person.client.close()
    built.state.engine.dispose()


def days_ago(days: int) -> dt.date:
    return dt.date.today() - dt.timedelta(days=days)
