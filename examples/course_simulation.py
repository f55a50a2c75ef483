"""A simulated 12-week course of one person, stored the way the app stores it.

Used by ``examples/twelve_weeks.py`` and its test. The person is the flexion-intolerant
desk worker of ``flexion-intolerant-desk-worker.json``. Every reassessment is a real
run of the engine on answers that improve over the weeks; the session logs follow a
plausible course: comfortable sessions most days, a flare-up in week 4 (a painful
session, then two days off and a cautious return), fewer sessions in week 7, and
next-morning answers on most days. Nothing here is a clinical claim: it is test data.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from backmech.bootstrap import assessment_service
from backmech.domain.plans.edits import RecordCare
from backmech.services.accounts import accept_invitation, create_first_admin, invite
from backmech.services.ports import Assessment, PlanEdit, Role, SessionLog, User
from backmech.storage.engine import create_engine, sqlite_url
from backmech.storage.migrate import upgrade
from backmech.storage.unit_of_work import SqlUnitOfWorkFactory

EXAMPLE = Path(__file__).resolve().parent / "flexion-intolerant-desk-worker.json"
PASSWORD = "simulated course password"
WEEKS = 12
FLARE_DAY = 24
"""Day of the course (0-based) of the painful session in week 4."""


@dataclass(frozen=True)
class SimulatedCourse:
    database_url: str
    uow_factory: SqlUnitOfWorkFactory
    clinician: User
    patient_user: User
    patient_id: Any
    clinic_id: Any
    start: dt.date
    end: dt.date


def _improved_intake(intake: dict[str, Any], fraction: float, day: dt.date) -> dict[str, Any]:
    """The intake with pain and disability answers reduced by ``fraction`` (0 = as at baseline)."""
    changed = copy.deepcopy(intake)
    changed["assessed_on"] = day.isoformat()
    nprs = changed["questionnaires"]["nprs"]["answers"]
    for key, value in nprs.items():
        nprs[key] = max(0, round(value * (1 - fraction)))
    odi = changed["questionnaires"]["odi"]["answers"]
    for key, value in odi.items():
        odi[key] = max(0, round(value * (1 - fraction)))
    rmdq = changed["questionnaires"]["rmdq"]["answers"]
    yes = [key for key, value in rmdq.items() if value is True]
    for key in yes[: round(len(yes) * fraction)]:
        rmdq[key] = False
    return changed


def _assessment(patient_id: Any, intake: dict[str, Any], when: dt.datetime) -> Assessment:
    result = assessment_service().assess(intake)
    return Assessment(
        patient_id=patient_id,
        intake=intake,
        result=result,
        triage_level=str(result.triage.level),
        plan_status=result.plan_status,
        engine_version=result.backmech_version,
        created_at=when,
    )


def _pains(day: int, rng: random.Random) -> tuple[int, int, int, int | None] | None:
    """Pain before, during, after and next morning on course day ``day`` (None: no session)."""
    week = day // 7 + 1
    base = max(1, 5 - day // 14)  # the usual pain eases over the weeks
    if day == FLARE_DAY:
        return base, 8, 8, base + 4
    if FLARE_DAY < day <= FLARE_DAY + 2:
        return None  # rest days of the flare-up
    if week == 7 and day % 7 in (1, 2, 3, 5):
        return None  # a busy week: three days in a row without a session, then one more
    if rng.random() < 0.08:
        return None
    during = max(0, base - 2 + rng.choice((0, 0, 1)))
    after = max(0, during - rng.choice((0, 1)))
    morning = None if rng.random() < 0.1 else max(0, base - 1)
    return base, during, after, morning


def simulate(folder: Path, seed: int = 12) -> SimulatedCourse:
    """Create a SQLite database in ``folder`` with one clinic, a clinician and a 12-week course."""
    folder.mkdir(parents=True, exist_ok=True)
    url = sqlite_url(folder / "twelve-weeks.db")
    upgrade(url)
    uow_factory = SqlUnitOfWorkFactory(create_engine(url))
    admin = create_first_admin(uow_factory, "admin@clinic.example", PASSWORD, "Example Physiotherapy")
    now = dt.datetime.now(dt.UTC)
    token = invite(uow_factory, admin.id, "physio@clinic.example", Role.CLINICIAN, admin.clinic_id, now)
    clinician = accept_invitation(uow_factory, token, PASSWORD, now, display_name="A. Physio")
    token = invite(uow_factory, clinician.id, "person@example.org", Role.PATIENT, admin.clinic_id, now)
    person = accept_invitation(uow_factory, token, PASSWORD, now, display_name="Sam Example")
    with uow_factory(actor=clinician.id) as uow:
        patient = uow.patients.for_user(person.id)
    assert patient is not None
    today = dt.date.today()
    start = today - dt.timedelta(days=7 * WEEKS - 1)
    first_at = dt.datetime.combine(start, dt.time(9), tzinfo=dt.UTC)
    intake = orjson.loads(EXAMPLE.read_bytes())
    rng = random.Random(seed)
    with uow_factory(actor=clinician.id) as uow:
        uow.assessments.add(
            patient.clinic_id, _assessment(patient.id, _improved_intake(intake, 0, start), first_at)
        )
        for day in range(7 * WEEKS):
            date = start + dt.timedelta(days=day)
            pains = _pains(day, rng)
            if pains is not None:
                before, during, after, morning = pains
                uow.session_logs.add(
                    patient.clinic_id,
                    SessionLog(
                        patient_id=patient.id,
                        session_date=date,
                        pain_before=before,
                        pain_during=during,
                        pain_after=after,
                        next_morning_pain=morning,
                        effort=5,
                        kind="full" if day % 2 == 0 else "routine",
                        notes="flared after lifting a box" if day == FLARE_DAY else "",
                        idempotency_key=f"simulated:{day}",
                        created_at=dt.datetime.combine(date, dt.time(18), tzinfo=dt.UTC),
                    ),
                )
        for week in (2, 4, 6, 8, 10, 12):  # questionnaires every 2 weeks, on the last day of the week
            when = dt.datetime.combine(start + dt.timedelta(days=7 * week - 1), dt.time(20), tzinfo=dt.UTC)
            fraction = min(0.7, 0.07 * week) if week != 4 else 0.1  # the week-4 flare shows in the scores
            uow.assessments.add(
                patient.clinic_id,
                _assessment(patient.id, _improved_intake(intake, fraction, when.date()), when),
            )
        uow.plan_edits.add(
            patient.clinic_id,
            PlanEdit(
                patient_id=patient.id,
                editor_id=clinician.id,
                reason="Seen in clinic in week 1: manual therapy to ease the start.",
                change=RecordCare(
                    care="manual_therapy",
                    date=(start + dt.timedelta(days=3)).isoformat(),
                    notes="Lumbar mobilisation, well tolerated.",
                ),
                at=dt.datetime.combine(start + dt.timedelta(days=3), dt.time(11), tzinfo=dt.UTC),
            ),
        )
        uow.commit()
    return SimulatedCourse(
        database_url=url,
        uow_factory=uow_factory,
        clinician=clinician,
        patient_user=person,
        patient_id=patient.id,
        clinic_id=patient.clinic_id,
        start=start,
        end=today,
    )
