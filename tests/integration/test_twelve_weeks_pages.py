"""After the simulated 12-week course, every page and document tells the same week and phase,
and none shows a person ``None``, ``null``, a brace or a fact id.

The course is ``examples/course_simulation.py`` (real engine runs, 12 weeks of logs, a
flare-up, a clinician's edit). The pages are served by the real app on that database and
read as the patient and the clinician; the documents are rendered as their routes render
them. The course replay (``services.course``) is the one answer they must all give.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from tests.web.conftest import csrf_from

from backmech.knowledge.loader import default_knowledge
from backmech.reports.clinician_letter import render_clinician_letter
from backmech.reports.patient_report import render_patient_report
from backmech.services.care_plan import current_from
from backmech.services.course import Course, PlanPosition, course_so_far
from backmech.services.patient_record import PatientRecord, read_patient_record
from backmech.settings import Settings
from backmech.web.app import create_app
from backmech.web.config import WebConfig

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))

from course_simulation import PASSWORD, SimulatedCourse, simulate  # noqa: E402

PATIENT_PAGES = (
    "/me",
    "/me/plan",
    "/me/progress",
    "/me/session/full",
    "/me/session/routine",
    "/me/log",
    "/me/learn",
    "/me/movement",
    "/me/assessment",
    "/me/check-in",
    "/me/documents",
    "/me/reminders",
    "/me/documents/report.html",
)


@dataclass
class Course12:
    simulated: SimulatedCourse
    record: PatientRecord
    course: Course
    position: PlanPosition
    patient: TestClient
    clinician: TestClient


def _sign_in(client: TestClient, email: str) -> TestClient:
    page = client.get("/login")
    done = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return client


@pytest.fixture(scope="module")
def twelve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Course12]:
    folder = tmp_path_factory.mktemp("twelve-weeks-pages")
    simulated = simulate(folder)
    kb = default_knowledge()
    record = read_patient_record(
        simulated.uow_factory, simulated.clinician, simulated.patient_id, simulated.clinic_id
    )
    current = current_from(record.assessments, record.plan_edits)
    assert current is not None
    course = course_so_far(kb, record.assessments, current, record.session_logs, simulated.end)
    assert course is not None
    settings = Settings.resolve({}, data_dir=folder / "data", database_url=simulated.database_url)
    app = create_app(WebConfig(settings=settings, in_process_workers=0))

    def client() -> TestClient:
        return TestClient(app, base_url="http://testserver", follow_redirects=True)

    built = Course12(
        simulated=simulated,
        record=record,
        course=course,
        position=course.position(current.plan),
        patient=_sign_in(client(), "person@example.org"),
        clinician=_sign_in(client(), "physio@clinic.example"),
    )
    yield built
    built.patient.close()
    built.clinician.close()
    app.state.backmech.engine.dispose()
    simulated.uow_factory.engine.dispose()


def _visible(page: str, *, without_code: bool = False) -> str:
    """What a person reads or hears: the text, and the labels and titles of elements."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    if without_code:  # the clinician's rule traces (fact op value) are shown as code, on purpose
        page = re.sub(r"<code>.*?</code>", " ", page, flags=re.S)
    labels = " ".join(re.findall(r'(?:aria-label|title|alt)="([^"]*)"', page))
    text = re.sub(r"<[^>]+>", " ", page)
    words = re.sub(r"\s+", " ", html.unescape(f"{text} {labels}"))
    return re.sub(r" ([,.:;!?)])", r"\1", words)  # the space a closing tag left before punctuation


def _leaks(text: str) -> list[str]:
    fact_ids = {fid for fid in default_knowledge().vocabulary.specs if "." in fid}
    found = re.findall(r"\bNone\b|\bnull\b|[{}]", text)
    found += [token for token in re.findall(r"\b[a-z_]+(?:\.[a-z0-9_]+)+\b", text) if token in fact_ids]
    return found


def test_the_course_is_in_its_last_phase_at_the_end_of_week_12(twelve: Course12) -> None:
    assert twelve.course.week == 12 and twelve.course.phase == 4
    assert twelve.position.phase is not None and twelve.position.phase.number == 4


def test_every_page_and_document_tells_the_same_week_and_phase(twelve: Course12) -> None:
    kb, today = default_knowledge(), twelve.simulated.end
    week, weeks = twelve.course.week, twelve.course.plan.weeks
    phase = twelve.position.phase
    assert phase is not None
    patient = twelve.patient
    today_page = _visible(patient.get("/me").text)
    assert f"Week {week} of {weeks}: {phase.name}" in today_page
    plan_page = patient.get("/me/plan").text
    assert f"You are in week {week}." in _visible(plan_page)
    current_row = plan_page[plan_page.index('<li class="current">') :]
    assert phase.name in current_row[: current_row.index("</h3>")] and "you are here" in current_row
    report = _visible(render_patient_report(twelve.record, kb, today))
    assert f"week {week} of {weeks}: phase {phase.number}, {phase.name}" in report
    assert _visible(patient.get("/me/documents/report.html").text) == report
    letter = _visible(render_clinician_letter(twelve.record, kb, today, author="A. Physio"))
    assert f"Now week {week} of {weeks}, phase {phase.number} “{phase.name}”" in letter
    record_page = _visible(twelve.clinician.get(f"/clinic/patients/{twelve.simulated.patient_id}").text)
    assert f"Week {week} of {weeks}, phase {phase.number}" in record_page


def test_the_phase_weeks_agree_between_the_plan_page_the_report_and_the_calendar(twelve: Course12) -> None:
    kb, today = default_knowledge(), twelve.simulated.end
    schedule = twelve.position.schedule
    assert [row.reached for row in schedule] == [True, True, True, True]
    firsts = [row.first_week for row in schedule]
    assert firsts == sorted(firsts) and firsts[0] == 1  # the replay's own weeks, in order
    plan_page = _visible(twelve.patient.get("/me/plan").text)
    report = _visible(render_patient_report(twelve.record, kb, today))
    for row in schedule:
        assert f"{row.phase.name} ({row.weeks_text})" in plan_page
        assert f"{row.phase.name} ({row.weeks_text})" in report

    feed = twelve.patient.get("/me/documents/calendar.ics")
    assert feed.status_code == 200
    events = list(Calendar.from_ical(feed.content).walk("VEVENT"))
    routine = next(e for e in events if str(e["summary"]).startswith("Daily back routine"))
    assert routine.decoded("dtstart") == twelve.course.plan.start  # day 1 is the course's first day
    start = twelve.course.plan.start
    for row in schedule:
        session = next(
            e
            for e in events
            if str(e["summary"]).endswith(f": {row.phase.name}")
            or (f": {row.phase.name} (" in str(e["summary"]))
        )
        first: dt.date = session.decoded("dtstart")
        assert row.first_week is not None and (first - start).days // 7 + 1 == row.first_week, row
        until = session["rrule"]["until"][0]
        last_day = until.date() if isinstance(until, dt.datetime) else until
        assert (last_day - start).days // 7 + 1 == (row.last_week or twelve.course.plan.weeks), row


def test_no_page_or_document_shows_none_null_braces_or_fact_ids(twelve: Course12) -> None:
    kb, today = default_knowledge(), twelve.simulated.end
    pages: dict[str, str] = {}
    for path in PATIENT_PAGES:
        answer = twelve.patient.get(path)
        assert answer.status_code == 200, path
        pages[path] = _visible(answer.text)
    patient_id = twelve.simulated.patient_id
    for path in ("/clinic", f"/clinic/patients/{patient_id}", f"/clinic/patients/{patient_id}/plan"):
        answer = twelve.clinician.get(path)
        assert answer.status_code == 200, path
        pages[path] = _visible(answer.text, without_code=True)
    pages["patient report"] = _visible(render_patient_report(twelve.record, kb, today))
    pages["clinician letter"] = _visible(
        render_clinician_letter(twelve.record, kb, today, author="A. Physio")
    )
    calendar = twelve.patient.get("/me/documents/calendar.ics").content.decode()
    pages["calendar"] = " ".join(
        str(e.get(key, ""))
        for e in Calendar.from_ical(calendar).walk("VEVENT")
        for key in ("summary", "description")
    )
    leaks = {name: found for name, text in pages.items() if (found := _leaks(text))}
    assert leaks == {}
