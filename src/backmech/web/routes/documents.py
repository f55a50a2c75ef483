"""Downloads: the reports and exports of one record, for the patient and for their clinic's staff.

Every download reads the record through an authorised, audited service
(``read_patient_record`` or ``export_patient``), so a patient reaches only their own
record and staff only their own clinic's patients; anything else is "not found"
(404), exactly like the clinic pages, so ids cannot be probed across clinics.

Each answer is an attachment with a fixed ASCII filename (never the person's name:
file names end up in download folders, browser histories and e-mail subjects) and,
like every page with health data, ``Cache-Control: no-store`` (set for every
non-static response by ``middleware.SecurityHeaders``). A record with no assessment
yet gets a page saying so; a PDF on a machine without Pango gets a 503 page naming
what to install.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from backmech.domain.errors import BackmechError
from backmech.exports.csv_export import questionnaire_scores_csv, session_logs_csv
from backmech.exports.fhir import export_bundle
from backmech.exports.ical import patient_calendar
from backmech.reports.clinician_letter import render_clinician_letter
from backmech.reports.patient_report import render_patient_report
from backmech.reports.pdf import PdfUnavailableError, to_pdf
from backmech.services.patient_data import export_patient, plan_of
from backmech.services.patient_record import PatientRecord, read_patient_record
from backmech.services.ports import User
from backmech.web.errors import error_response
from backmech.web.routes.clinician_views import parse_patient_id
from backmech.web.security import app_state, require_patient, require_staff
from backmech.web.templating import render

router = APIRouter()

PDF = "application/pdf"
HTML = "text/html; charset=utf-8"
CSV = "text/csv; charset=utf-8"
ICS = "text/calendar; charset=utf-8"
JSON = "application/json"
FHIR_JSON = "application/fhir+json"

NO_ASSESSMENT = "There is nothing to put in this document yet: no assessment has been completed."
NO_ASSESSMENT_HINT = {
    "patient": "Answer the questions on your home page first; your documents will be ready after that.",
    "staff": "The patient completes the questions from their own account; the documents follow.",
}
PDF_UNAVAILABLE = 503


@dataclass(frozen=True)
class Download:
    """One document a page lists: its address, file name and what it is for."""

    path: str
    title: str
    about: str


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def attachment(content: bytes | str, media_type: str, filename: str) -> Response:
    """An attachment with a fixed ASCII ``filename`` (no-store is added by the security middleware)."""
    assert filename.isascii() and '"' not in filename and "/" not in filename
    body = content.encode("utf-8") if isinstance(content, str) else content
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def pdf_attachment(request: Request, html: str, filename: str) -> Response:
    """The HTML as a PDF attachment, or a 503 page naming the fix when Pango/WeasyPrint is missing."""
    try:
        document = to_pdf(html)
    except PdfUnavailableError as exc:
        return error_response(request, PDF_UNAVAILABLE, exc.user_message, exc.hint, code="pdf_unavailable")
    return attachment(document, PDF, filename)


def no_assessment(request: Request, who: str) -> Response:
    return error_response(request, 404, NO_ASSESSMENT, NO_ASSESSMENT_HINT[who], code="no_assessment")


def calendar_attachment(request: Request, record: PatientRecord, filename: str) -> Response:
    """The plan's calendar feed; when no plan may be followed (none made, or withheld), a page saying so."""
    try:
        feed = patient_calendar(record, kb=app_state(request).knowledge, today=today())
    except BackmechError as exc:
        return error_response(request, 404, exc.user_message, exc.hint, code="no_plan")
    return attachment(feed, ICS, filename)


# --- the patient's own documents ---------------------------------------------------------------

PATIENT_DOWNLOADS = (
    Download(
        "/me/documents/report.pdf",
        "Your report (PDF)",
        "Your assessment, your plan and how you are doing, in plain words, to keep or take to an "
        "appointment.",
    ),
    Download(
        "/me/documents/report.html",
        "Your report (web page)",
        "The same report as a web page, which opens on any device and works with screen readers.",
    ),
    Download(
        "/me/documents/calendar.ics",
        "Your plan in your calendar",
        "Your sessions, questionnaires and check-ins as calendar events, to import into the calendar "
        "app you already use.",
    ),
    Download(
        "/me/documents/sessions.csv",
        "Your session log (CSV)",
        "Every session you logged with your pain before, after and the next morning, for a spreadsheet.",
    ),
    Download(
        "/me/documents/scores.csv",
        "Your questionnaire scores (CSV)",
        "Your questionnaire scores from each assessment, for a spreadsheet.",
    ),
    Download(
        "/me/documents/my-data.json",
        "Everything we hold about you (JSON)",
        "A complete copy of your record in a machine-readable file: your right of access, and what "
        "another clinic using backmech can import.",
    ),
)
NEEDS_ASSESSMENT = frozenset({"/me/documents/report.pdf", "/me/documents/report.html"})
NEEDS_PLAN = frozenset({"/me/documents/calendar.ics"})


def own_record(request: Request) -> tuple[User, PatientRecord]:
    """The signed-in patient's own record (403 for staff, via ``require_patient``)."""
    viewer, patient = require_patient(request)
    record = read_patient_record(app_state(request).uow_factory, viewer.user, patient.id, patient.clinic_id)
    return viewer.user, record


@router.get("/me/documents", include_in_schema=False)
def documents_page(request: Request) -> Response:
    _, record = own_record(request)
    assessed = record.latest is not None
    has_plan = plan_of(record) is not None
    available = [
        d
        for d in PATIENT_DOWNLOADS
        if (assessed or d.path not in NEEDS_ASSESSMENT) and (has_plan or d.path not in NEEDS_PLAN)
    ]
    return render(
        request,
        "documents/patient.html",
        {"downloads": available, "assessed": assessed, "has_plan": has_plan},
    )


@router.get("/me/documents/report.pdf", include_in_schema=False)
def my_report_pdf(request: Request) -> Response:
    _, record = own_record(request)
    if record.latest is None:
        return no_assessment(request, "patient")
    html = render_patient_report(record, app_state(request).knowledge, today())
    return pdf_attachment(request, html, "backmech-report.pdf")


@router.get("/me/documents/report.html", include_in_schema=False)
def my_report_html(request: Request) -> Response:
    _, record = own_record(request)
    if record.latest is None:
        return no_assessment(request, "patient")
    html = render_patient_report(record, app_state(request).knowledge, today())
    return attachment(html, HTML, "backmech-report.html")


@router.get("/me/documents/calendar.ics", include_in_schema=False)
def my_calendar(request: Request) -> Response:
    _, record = own_record(request)
    return calendar_attachment(request, record, "backmech-plan.ics")


@router.get("/me/documents/sessions.csv", include_in_schema=False)
def my_sessions_csv(request: Request) -> Response:
    _, record = own_record(request)
    return attachment(session_logs_csv(record.session_logs), CSV, "backmech-sessions.csv")


@router.get("/me/documents/scores.csv", include_in_schema=False)
def my_scores_csv(request: Request) -> Response:
    _, record = own_record(request)
    return attachment(questionnaire_scores_csv(record.assessments), CSV, "backmech-scores.csv")


@router.get("/me/documents/my-data.json", include_in_schema=False)
def my_data(request: Request) -> Response:
    viewer, patient = require_patient(request)
    document = export_patient(app_state(request).uow_factory, viewer.user, patient.id, patient.clinic_id)
    return attachment(document, JSON, "backmech-my-data.json")


# --- a clinic's patient ------------------------------------------------------------------------


def clinic_record(request: Request, patient_id: str) -> tuple[User, PatientRecord]:
    """A patient of the viewer's own clinic (404 for any other id, 403 for patients)."""
    viewer = require_staff(request)
    pid = parse_patient_id(patient_id)
    record = read_patient_record(app_state(request).uow_factory, viewer.user, pid, viewer.user.clinic_id)
    return viewer.user, record


def _file_id(record: PatientRecord) -> str:
    """A short, non-identifying tag for file names (the start of the record id, never the name)."""
    return record.patient.id.hex[:8]


def _staff_pdf(
    request: Request,
    patient_id: str,
    make: Callable[[User, PatientRecord], str],
    name: str,
) -> Response:
    user, record = clinic_record(request, patient_id)
    if record.latest is None:
        return no_assessment(request, "staff")
    return pdf_attachment(request, make(user, record), f"backmech-{name}-{_file_id(record)}.pdf")


@router.get("/clinic/patients/{patient_id}/documents/letter.pdf", include_in_schema=False)
def letter_pdf(request: Request, patient_id: str) -> Response:
    kb = app_state(request).knowledge

    def letter(user: User, record: PatientRecord) -> str:
        # Edits by this viewer are named by email; other editors appear by a short id.
        return render_clinician_letter(record, kb, today(), user.email, people={user.id: user.email})

    return _staff_pdf(request, patient_id, letter, "letter")


@router.get("/clinic/patients/{patient_id}/documents/report.pdf", include_in_schema=False)
def patient_report_pdf(request: Request, patient_id: str) -> Response:
    kb = app_state(request).knowledge
    return _staff_pdf(
        request, patient_id, lambda _user, record: render_patient_report(record, kb, today()), "report"
    )


@router.get("/clinic/patients/{patient_id}/documents/fhir.json", include_in_schema=False)
def fhir_bundle(request: Request, patient_id: str) -> Response:
    _, record = clinic_record(request, patient_id)
    bundle = export_bundle(record, app_state(request).knowledge)
    body = orjson.dumps(bundle, option=orjson.OPT_INDENT_2)
    return attachment(body, FHIR_JSON, f"backmech-fhir-{_file_id(record)}.json")


@router.get("/clinic/patients/{patient_id}/documents/sessions.csv", include_in_schema=False)
def sessions_csv(request: Request, patient_id: str) -> Response:
    _, record = clinic_record(request, patient_id)
    return attachment(session_logs_csv(record.session_logs), CSV, f"backmech-sessions-{_file_id(record)}.csv")


@router.get("/clinic/patients/{patient_id}/documents/scores.csv", include_in_schema=False)
def scores_csv(request: Request, patient_id: str) -> Response:
    _, record = clinic_record(request, patient_id)
    return attachment(
        questionnaire_scores_csv(record.assessments), CSV, f"backmech-scores-{_file_id(record)}.csv"
    )


@router.get("/clinic/patients/{patient_id}/documents/calendar.ics", include_in_schema=False)
def calendar_ics(request: Request, patient_id: str) -> Response:
    _, record = clinic_record(request, patient_id)
    return calendar_attachment(request, record, f"backmech-plan-{_file_id(record)}.ics")


@router.get("/clinic/patients/{patient_id}/documents/export.json", include_in_schema=False)
def full_export(request: Request, patient_id: str) -> Response:
    viewer = require_staff(request)
    pid = parse_patient_id(patient_id)
    document = export_patient(app_state(request).uow_factory, viewer.user, pid, viewer.user.clinic_id)
    return attachment(document, JSON, f"backmech-export-{pid.hex[:8]}.json")
