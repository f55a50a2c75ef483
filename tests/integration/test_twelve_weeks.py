"""``examples/twelve_weeks.py``: a simulated 12-week course gives what a clinician would expect.

Run as a user would (a subprocess writing into a folder); then each output is opened
and checked: the progression story, the PDFs (rendered to PNG), the FHIR bundle
(validated by the FHIR models), the CSV files, the charts and the calendar.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.needs("pdf")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("twelve-weeks")
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "twelve_weeks.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Simulated 12 weeks" in done.stdout
    return out


def test_the_progression_tells_the_course(outputs: Path) -> None:
    story = (outputs / "course.txt").read_text()
    assert "Flare-up on" in story and "Flare-up settled on" in story
    assert "Phase 2 from" in story and "Phase 4 from" in story
    assert "[improved]" in story and "progress" in story
    assert "inactive: No session or walking logged for 3 days" in story
    weeks = [line for line in story.splitlines() if re.match(r"^\s*\d+\s+\d+/\d+\s", line)]
    assert len(weeks) == 12


def test_pdf_reports_render(outputs: Path, tmp_path: Path) -> None:
    for name in ("patient-report", "clinician-letter"):
        pdf = outputs / f"{name}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF")
        html = (outputs / f"{name}.html").read_text()
        assert "Sam Example" in html and "does not replace" in html
        if shutil.which("pdftoppm"):
            subprocess.run(
                ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / name)],
                check=True,
            )
            page = next(tmp_path.glob(f"{name}*.png"))
            assert page.stat().st_size > 5_000  # a blank page compresses to far less


def test_fhir_bundle_validates(outputs: Path) -> None:
    from fhir.resources.R4B.bundle import Bundle

    bundle = Bundle.model_validate(json.loads((outputs / "fhir-bundle.json").read_text()))
    kinds = {entry.resource.get_resource_type() for entry in bundle.entry or []}
    assert {"Patient", "Questionnaire", "QuestionnaireResponse", "Observation", "CarePlan"} <= kinds


def test_csv_charts_and_calendar(outputs: Path) -> None:
    with (outputs / "session-logs.csv").open() as handle:
        logs = list(csv.DictReader(handle))
    assert len(logs) > 60 and {"pain_during", "next_morning_pain"} <= set(logs[0])
    with (outputs / "questionnaire-scores.csv").open() as handle:
        scores = list(csv.DictReader(handle))
    assert {row["instrument"] for row in scores} >= {"nprs", "odi", "rmdq"}
    charts = sorted(p.name for p in (outputs / "charts").glob("*.svg"))
    assert "adherence-calendar.svg" in charts and "odi.svg" in charts
    assert "<svg" in (outputs / "charts" / "odi.svg").read_text()
    assert (outputs / "plan.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
