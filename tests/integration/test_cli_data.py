"""``backmech export``, ``import`` and ``erase`` as a clinic runs them, on SQLite and on PostgreSQL.

The database is filled through the storage layer (the world of
``tests/storage/test_patient_data.py``); the commands run as separate processes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from icalendar import Calendar
from tests.integration.conftest import Run
from tests.storage.test_patient_data import World, build_world

from backmech.services.assessment import AssessmentService
from backmech.storage.engine import create_engine
from backmech.storage.migrate import upgrade
from backmech.storage.unit_of_work import SqlUnitOfWorkFactory

RunCli = Callable[..., Run]


@pytest.fixture
def stored(database_url: str, service: AssessmentService) -> World:
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        return build_world(SqlUnitOfWorkFactory(engine), service)
    finally:
        engine.dispose()


@pytest.fixture
def data_dir(tmp_path: Path, stored: World) -> Path:
    """A data folder whose media holds P1's video and its overlay."""
    folder = tmp_path / "data"
    clip = folder / "media" / str(stored.north.id) / str(stored.p1.id) / "clip.mp4"
    clip.parent.mkdir(parents=True)
    clip.write_bytes(b"not really a video")
    return folder


def test_export_erase_import_round_trip_from_the_command_line(
    run_cli: RunCli, database_url: str, data_dir: Path, stored: World, tmp_path: Path
) -> None:
    db = ("--database-url", database_url, "--data-dir", data_dir)
    staff = ("--as", "clinician@example.org", *db)
    p1 = str(stored.p1.id)
    out, tables, feed = tmp_path / "p1.json", tmp_path / "tables", tmp_path / "plan.ics"

    done = run_cli("export", p1, "--out", out, "--csv", tables, "--ical", feed, *staff)
    assert done.code == 0, done.err
    assert "3 session logs" in done.out and "videos not included" in done.out
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["format"] == "backmech-patient-export" and exported["patient"]["id"] == p1
    logs = list(csv.DictReader(io.StringIO((tables / "session-logs.csv").read_text(encoding="utf-8"))))
    assert len(logs) == 3 and logs[0]["notes"].startswith('Felt "better"')
    scores = list(
        csv.DictReader(io.StringIO((tables / "questionnaire-scores.csv").read_text(encoding="utf-8")))
    )
    assert {row["assessment_id"] for row in scores} == {a["id"] for a in exported["assessments"]}
    assert len(Calendar.from_ical(feed.read_bytes()).events) > 3

    refused = run_cli("erase", p1, "--reason", "the patient's request", *staff)
    assert refused.code == 2 and "--yes" in refused.err
    clip = data_dir / "media" / str(stored.north.id) / p1 / "clip.mp4"
    assert clip.exists()

    erased = run_cli("erase", p1, "--reason", "the patient's request", "--yes", *staff)
    assert erased.code == 0, erased.err
    assert "3 session logs" in erased.out and "1 logins" in erased.out and "(1 video files)" in erased.out
    assert not clip.exists() and not clip.parent.exists() and (data_dir / "media").is_dir()
    gone = run_cli("export", p1, "--out", tmp_path / "again.json", *staff)
    assert gone.code == 2 and "No patient" in gone.err
    assert not (tmp_path / "again.json").exists()

    imported = run_cli("import", out, *staff)
    assert imported.code == 0, imported.err
    assert p1 in imported.out
    twice = run_cli("import", out, *staff)
    assert twice.code == 2 and "already stored" in twice.err and "erase it first" in twice.err
    back = run_cli("export", p1, "--out", tmp_path / "back.json", *staff)
    assert back.code == 0, back.err
    restored = json.loads((tmp_path / "back.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in restored.items() if k != "exported_at"} == {
        k: v for k, v in exported.items() if k != "exported_at"
    }


def test_bad_input_exits_2_naming_the_problem(
    run_cli: RunCli, database_url: str, data_dir: Path, stored: World, tmp_path: Path
) -> None:
    db = ("--database-url", database_url, "--data-dir", data_dir)
    p1 = str(stored.p1.id)
    out = tmp_path / "x.json"
    cases: list[tuple[tuple[object, ...], str]] = [
        (("export", "not-a-uuid", "--out", out, "--as", "clinician@example.org", *db), "PATIENT_ID"),
        (("export", p1, "--out", out, "--as", "south-admin@example.org", *db), "No patient"),
        (("export", p1, "--out", out, "--as", "nobody@example.org", *db), "No account"),
        (
            ("erase", p1, "--reason", "r", "--yes", "--as", "p1@example.org", *db),
            "clinician or an administrator",
        ),
        (("import", tmp_path / "missing.json", "--as", "clinician@example.org", *db), "missing.json"),
    ]
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_bytes(b'{"format": "backmech-patient-export", "version": 1, "patient": {"id": "')
    cases.append((("import", corrupt, "--as", "clinician@example.org", *db), "truncated"))
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"format": "backmech-patient-export", "version": 9}), encoding="utf-8")
    cases.append((("import", newer, "--as", "clinician@example.org", *db), "Upgrade backmech"))
    for args, expected in cases:
        done = run_cli(*args)
        assert done.code == 2, (args, done.err)
        assert expected in done.err, (args, done.err)
        assert "Traceback" not in done.err
    assert not out.exists()


def test_a_missing_database_is_not_created(run_cli: RunCli, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    url = f"sqlite:///{empty / 'backmech.db'}"
    done = run_cli(
        "export", "3f2b7c1e-0000-4000-8000-000000000000", "--out", tmp_path / "x.json",
        "--as", "clinician@example.org", "--data-dir", empty, "--database-url", url,
    )  # fmt: skip
    assert done.code == 2 and "backmech db upgrade" in done.err
    assert not (empty / "backmech.db").exists()
