"""Downloads of reports and exports: the patient's own, and their clinic's staff's.

Each download is checked for its status, type, attachment file name (ASCII, no
patient name), ``no-store`` and its content (a PDF, a parseable CSV, a calendar, a
FHIR Bundle, the full JSON export); another clinic's staff and other patients get
404; a patient cannot use the clinic's routes; a record with no assessment gets a
page saying so; a missing Pango gets a 503 page naming the fix.
"""

from __future__ import annotations

import csv
import io
import re

import orjson
import pytest
from httpx2 import Response
from tests.web.conftest import Site

from backmech.reports.pdf import PdfUnavailableError

pytestmark = pytest.mark.needs("pdf")

PATIENT_DOWNLOADS = {
    "report.pdf": "application/pdf",
    "report.html": "text/html; charset=utf-8",
    "calendar.ics": "text/calendar; charset=utf-8",
    "sessions.csv": "text/csv; charset=utf-8",
    "scores.csv": "text/csv; charset=utf-8",
    "my-data.json": "application/json",
}
CLINIC_DOWNLOADS = {
    "letter.pdf": "application/pdf",
    "report.pdf": "application/pdf",
    "fhir.json": "application/fhir+json",
    "sessions.csv": "text/csv; charset=utf-8",
    "scores.csv": "text/csv; charset=utf-8",
    "calendar.ics": "text/calendar; charset=utf-8",
    "export.json": "application/json",
}
FILENAME = re.compile(r'^attachment; filename="([A-Za-z0-9._-]+)"$')


def check_download(response: Response, media_type: str, extension: str, hidden: str) -> str:
    """The common contract of every download; returns the file name."""
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == media_type
    assert response.headers["cache-control"] == "no-store"
    found = FILENAME.match(response.headers["content-disposition"])
    assert found, response.headers["content-disposition"]
    filename = found.group(1)
    assert filename.endswith(extension)
    assert hidden.lower().replace(" ", "") not in filename.lower()
    return filename


def check_content(kind: str, response: Response) -> None:
    body = response.content
    if kind.endswith(".pdf"):
        assert body.startswith(b"%PDF")
    elif kind.endswith(".ics"):
        assert body.startswith(b"BEGIN:VCALENDAR")
        assert b"BEGIN:VEVENT" in body
    elif kind.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        assert rows and len(rows[0]) > 1
        assert all(len(row) == len(rows[0]) for row in rows)
    elif kind == "fhir.json":
        bundle = orjson.loads(body)
        assert bundle["resourceType"] == "Bundle"
        kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
        assert {"Patient", "QuestionnaireResponse"} <= kinds
    elif kind.endswith(".json"):
        document = orjson.loads(body)
        assert document["format"] == "backmech-patient-export"
        assert len(document["assessments"]) == 1
    elif kind.endswith(".html"):
        assert b"<html" in body.lower()
        assert b"does not replace" in body
    else:  # pragma: no cover - a new kind must say how it is checked
        raise AssertionError(kind)


@pytest.mark.slow
def test_a_patient_downloads_their_own_documents(sqlite_site: Site) -> None:
    sqlite_site.assess("patient_a")
    sqlite_site.log_session("patient_a")
    client = sqlite_site["patient_a"].client
    page = client.get("/me/documents")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "does not replace a clinician" in page.text
    for kind in PATIENT_DOWNLOADS:
        assert f'href="/me/documents/{kind}"' in page.text, kind
    filenames = set()
    for kind, media_type in PATIENT_DOWNLOADS.items():
        response = client.get(f"/me/documents/{kind}")
        filenames.add(check_download(response, media_type, kind.rsplit(".", 1)[1], "Pat A"))
        check_content(kind, response)
    assert len(filenames) == len(PATIENT_DOWNLOADS)
    sessions = client.get("/me/documents/sessions.csv").text
    assert len(list(csv.reader(io.StringIO(sessions)))) == 2  # the header and the one logged session
    assert "Pat A" in client.get("/me/documents/report.html").text  # their own report names them


def test_the_progress_page_links_to_the_documents(sqlite_site: Site) -> None:
    sqlite_site.assess("patient_a")
    page = sqlite_site["patient_a"].client.get("/me/progress")
    assert 'href="/me/documents"' in page.text


@pytest.mark.slow
def test_a_clinician_downloads_their_patients_documents(site: Site) -> None:
    site.assess("patient_a")
    site.log_session("patient_a")
    patient = site["patient_a"].patient
    assert patient is not None
    record = site["clinician_a"].client.get(f"/clinic/patients/{patient.id}")
    for kind in CLINIC_DOWNLOADS:
        assert f"/clinic/patients/{patient.id}/documents/{kind}" in record.text, kind
    for who in ("clinician_a", "admin_a"):
        client = site[who].client
        for kind, media_type in CLINIC_DOWNLOADS.items():
            response = client.get(f"/clinic/patients/{patient.id}/documents/{kind}")
            filename = check_download(response, media_type, kind.rsplit(".", 1)[1], "Pat A")
            assert str(patient.id) not in filename
            check_content(kind, response)


def test_the_letter_is_signed_by_the_clinician(sqlite_site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    sqlite_site.assess("patient_a")
    patient = sqlite_site["patient_a"].patient
    assert patient is not None
    seen: list[str] = []
    monkeypatch.setattr("backmech.web.routes.documents.to_pdf", lambda html: seen.append(html) or b"%PDF-x")
    response = sqlite_site["clinician_a"].client.get(f"/clinic/patients/{patient.id}/documents/letter.pdf")
    assert response.status_code == 200
    assert seen and "clinician@a.example" in seen[0]


def test_nobody_else_gets_a_patients_documents(sqlite_site: Site) -> None:
    for name in ("patient_a", "patient_b"):
        sqlite_site.assess(name)
    patient_a = sqlite_site["patient_a"].patient
    assert patient_a is not None
    for who in ("clinician_b", "admin_b"):
        for kind in CLINIC_DOWNLOADS:
            response = sqlite_site[who].client.get(f"/clinic/patients/{patient_a.id}/documents/{kind}")
            assert response.status_code == 404, (who, kind)
            assert "Pat A" not in response.text
            assert "attachment" not in response.headers.get("content-disposition", "")
    for who in ("patient_a", "patient_a2", "patient_b"):  # patients may not use the clinic's routes
        for kind in CLINIC_DOWNLOADS:
            response = sqlite_site[who].client.get(f"/clinic/patients/{patient_a.id}/documents/{kind}")
            assert response.status_code in (403, 404), (who, kind)
            assert "content-disposition" not in response.headers
    # A patient's own routes serve their own record, never another's.
    own = sqlite_site["patient_b"].client.get("/me/documents/report.html")
    assert "Pat B" in own.text and "Pat A" not in own.text
    staff = sqlite_site["clinician_a"].client.get("/me/documents/report.pdf")
    assert staff.status_code == 403
    unknown = sqlite_site["clinician_a"].client.get("/clinic/patients/not-an-id/documents/fhir.json")
    assert unknown.status_code == 404


def test_the_signed_out_are_sent_to_sign_in(sqlite_site: Site) -> None:
    client = sqlite_site.client()
    response = client.get("/me/documents/my-data.json", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_without_an_assessment_the_pages_say_so(sqlite_site: Site) -> None:
    client = sqlite_site["patient_a"].client
    page = client.get("/me/documents")
    assert page.status_code == 200
    assert 'id="no-assessment"' in page.text
    assert "/me/documents/report.pdf" not in page.text
    for kind in ("report.pdf", "report.html", "calendar.ics"):
        response = client.get(f"/me/documents/{kind}")
        assert response.status_code == 404, kind
        assert "content-disposition" not in response.headers
        assert response.headers["content-type"].startswith("text/html")
    assert "no assessment has been completed" in client.get("/me/documents/report.pdf").text
    for kind in ("sessions.csv", "scores.csv", "my-data.json"):
        assert client.get(f"/me/documents/{kind}").status_code == 200, kind
    patient = sqlite_site["patient_a"].patient
    assert patient is not None
    staff = sqlite_site["clinician_a"].client
    for kind in ("letter.pdf", "report.pdf", "calendar.ics"):
        response = staff.get(f"/clinic/patients/{patient.id}/documents/{kind}")
        assert response.status_code == 404, kind
        assert "content-disposition" not in response.headers
    for kind in ("fhir.json", "sessions.csv", "scores.csv", "export.json"):
        assert staff.get(f"/clinic/patients/{patient.id}/documents/{kind}").status_code == 200, kind


def test_a_withheld_plan_gives_no_calendar(sqlite_site: Site) -> None:
    sqlite_site.assess("patient_a", "red-flag-cauda-equina.json")
    client = sqlite_site["patient_a"].client
    page = client.get("/me/documents")
    assert 'id="no-plan"' in page.text
    assert "/me/documents/calendar.ics" not in page.text
    response = client.get("/me/documents/calendar.ics")
    assert response.status_code == 404
    assert "no plan" in response.text.lower()


def test_without_pango_a_pdf_is_a_clear_503(sqlite_site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    sqlite_site.assess("patient_a")

    def missing(html: str) -> bytes:
        raise PdfUnavailableError("OSError: cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr("backmech.web.routes.documents.to_pdf", missing)
    response = sqlite_site["patient_a"].client.get("/me/documents/report.pdf")
    assert response.status_code == 503
    assert "content-disposition" not in response.headers
    assert "Pango" in response.text and "apt-get install" in response.text
    patient = sqlite_site["patient_a"].patient
    assert patient is not None
    letter = sqlite_site["clinician_a"].client.get(f"/clinic/patients/{patient.id}/documents/letter.pdf")
    assert letter.status_code == 503
    # The HTML report needs no Pango.
    assert sqlite_site["patient_a"].client.get("/me/documents/report.html").status_code == 200
