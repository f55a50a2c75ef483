"""``backmech cohort`` on a real SQLite database: tables by mechanism and adherence, CSV and a plot."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path

import orjson
import pytest
from tests.integration.conftest import RunCli

from backmech.analytics.cohort import SMALL_GROUP, cohort_tables
from backmech.analytics.cohort_rows import REFERRED, PatientOutcome
from backmech.domain.results.model import AssessmentResult, ScoreReport
from backmech.services.assessment import AssessmentService
from backmech.services.ports import Assessment, Clinic, Patient, SessionLog
from backmech.storage.engine import create_engine, sqlite_url
from backmech.storage.migrate import upgrade
from backmech.storage.unit_of_work import SqlUnitOfWorkFactory

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
START = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)


def _result(service: AssessmentService, example: str) -> AssessmentResult:
    return service.assess(orjson.loads((EXAMPLES / example).read_bytes()))


def _with_odi(result: AssessmentResult, percent: float) -> AssessmentResult:
    odi = result.scores["odi"]
    changed = ScoreReport(
        values={**odi.values, "percent": percent},
        band=odi.band,
        bands=odi.bands,
        mcid=odi.mcid,
        complete=odi.complete,
        missing_items=odi.missing_items,
        notes=odi.notes,
        instrument=odi.instrument,
        version=odi.version,
        source=odi.source,
    )
    return dataclasses.replace(result, scores={**result.scores, "odi": changed})


def _database(tmp_path: Path, service: AssessmentService) -> str:
    url = sqlite_url(tmp_path / "cohort.db")
    upgrade(url)
    engine = create_engine(url)
    uow_factory = SqlUnitOfWorkFactory(engine)
    flexion = _result(service, "flexion-intolerant-desk-worker.json")
    baseline_odi = flexion.score("odi", "percent")
    assert baseline_odi is not None
    # (later ODI or None, days with a logged session): three improve, one does not, one is not reassessed.
    people = [
        (baseline_odi - 16, 40),
        (baseline_odi - 12, 30),
        (baseline_odi - 20, 50),
        (baseline_odi - 2, 4),
        (None, 2),
    ]
    with uow_factory() as uow:
        clinic = uow.clinics.add(Clinic(name="Cohort clinic"))
        for number, (later, days) in enumerate(people):
            patient = uow.patients.add(Patient(clinic_id=clinic.id, display_name=f"Person {number}"))
            uow.assessments.add(
                clinic.id,
                Assessment(
                    patient_id=patient.id,
                    intake={},
                    result=flexion,
                    triage_level="none",
                    plan_status="plan",
                    engine_version="t",
                    created_at=START,
                ),
            )
            if later is not None:
                uow.assessments.add(
                    clinic.id,
                    Assessment(
                        patient_id=patient.id,
                        intake={},
                        result=_with_odi(flexion, later),
                        triage_level="none",
                        plan_status="plan",
                        engine_version="t",
                        created_at=START + dt.timedelta(weeks=6),
                    ),
                )
            for day in range(days):
                uow.session_logs.add(
                    clinic.id,
                    SessionLog(
                        patient_id=patient.id,
                        session_date=START.date() + dt.timedelta(days=day),
                        pain_before=4,
                        pain_after=3,
                        effort=5,
                        idempotency_key=f"{number}-{day}",
                    ),
                )
        uow.commit()
    engine.dispose()
    return url


def test_cohort_prints_tables_and_writes_csv_and_a_plot(
    tmp_path: Path, run_cli: RunCli, service: AssessmentService
) -> None:
    url = _database(tmp_path, service)
    done = run_cli(
        "cohort", "--database-url", url, "--csv", tmp_path / "tables", "--plot", tmp_path / "plot.png"
    )
    assert done.code == 0, done.err
    assert "5 patients" in done.out and "flexion-intolerance" in done.out
    assert "Person" not in done.out  # no individual is listed
    with (tmp_path / "tables" / "cohort-odi-by-mechanism.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    row = rows[0]
    assert (row["n"], row["reassessed"], row["improved"], row["small_group"]) == ("5", "4", "3", "false")
    assert row["improved_percent"] == "75.0"
    with (tmp_path / "tables" / "cohort-odi-responders.csv").open() as handle:
        statuses = {r["status"]: r["n"] for r in csv.DictReader(handle)}
    assert statuses == {"improved": "3", "unchanged": "1"}
    assert (tmp_path / "plot.png").read_bytes().startswith(b"\x89PNG")


def test_bad_arguments_exit_2(tmp_path: Path, run_cli: RunCli) -> None:
    url = sqlite_url(tmp_path / "empty.db")
    upgrade(url)
    assert run_cli("cohort", "--database-url", url, "--measure", "bmi").code == 2
    wrong = run_cli("cohort", "--database-url", url, "--clinic", "north")
    assert wrong.code == 2 and "not a clinic id" in wrong.err


@pytest.mark.parametrize(("n", "small"), [(SMALL_GROUP - 1, True), (SMALL_GROUP, False)])
def test_small_groups_are_marked(n: int, small: bool) -> None:
    outcome = PatientOutcome(
        clinic_id=Clinic(name="x").id,
        mechanism=REFERRED,
        weeks_followed=0,
        active_days=0,
        adherence_percent=None,
        baseline={"odi": 30.0},
        latest={},
        status={},
        change={},
    )
    tables = cohort_tables([outcome] * n, "odi")
    assert tables.by_mechanism["small_group"].to_list() == [small]
    assert tables.by_adherence["adherence_band"].to_list() == ["not started"]
