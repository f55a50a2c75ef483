"""CSV tables of a patient's record, for a spreadsheet or a statistics package.

Two tables, one function each, returning the text (the caller writes it as UTF-8):

* :func:`session_logs_csv`: one row per logged exercise session;
* :func:`questionnaire_scores_csv`: one row per score of each questionnaire of each
  assessment, with its band and its change from the first assessment that scored it.

RFC 4180 shape (``csv`` module: a header row, CRLF line ends, fields quoted when they
hold a comma, quote or line break). Free text a person typed (session notes) that
starts with ``=``, ``+``, ``-``, ``@`` or a tab is prefixed with an apostrophe:
spreadsheets would otherwise run it as a formula (CSV injection, OWASP).

Example::

    record = read_patient_record(uow_factory, clinician, patient_id, clinic_id)
    Path("sessions.csv").write_text(session_logs_csv(record.session_logs), encoding="utf-8", newline="")
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from backmech.services.ports import Assessment, SessionLog

SESSION_LOG_COLUMNS = (
    "date",
    "kind",
    "pain_before",
    "pain_during",
    "pain_after",
    "next_morning_pain",
    "effort",
    "notes",
)
SCORE_COLUMNS = (
    "date",
    "assessment_id",
    "instrument",
    "instrument_name",
    "measure",
    "score",
    "band",
    "complete",
    "change_from_baseline",
)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def session_logs_csv(logs: Iterable[SessionLog]) -> str:
    """One row per session, oldest first as given; an unknown value (older logs) is an empty cell."""
    rows = (
        (
            log.session_date.isoformat(),
            _text(log.kind or ""),
            log.pain_before,
            _blank(log.pain_during),
            log.pain_after,
            _blank(log.next_morning_pain),
            log.effort,
            _text(log.notes),
        )
        for log in logs
    )
    return _table(SESSION_LOG_COLUMNS, rows)


def questionnaire_scores_csv(assessments: Sequence[Assessment]) -> str:
    """Every questionnaire score of every assessment, with the change from the patient's baseline.

    The baseline of a score is its value in the first assessment (oldest first as
    given) where it was a number; the change is this value minus that one (0 on the
    baseline row). A score that is not a number (the STarT Back risk group) has no change.
    """
    baseline: dict[tuple[str, str], float] = {}
    rows: list[tuple[object, ...]] = []
    for assessment in assessments:
        for instrument, outcome in assessment.result.scores.items():
            for name, value in outcome.values.items():
                change: object = ""
                if isinstance(value, int | float):
                    first = baseline.setdefault((instrument, name), value)
                    change = _number(value - first)
                rows.append(
                    (
                        assessment.created_at.date().isoformat(),
                        str(assessment.id),
                        instrument,
                        _text(outcome.instrument),
                        name,
                        "" if value is None else _number(value) if isinstance(value, int | float) else value,
                        band.id if (band := outcome.bands.get(name)) is not None else "",
                        _yes_no(outcome.complete),
                        change,
                    )
                )
    return _table(SCORE_COLUMNS, rows)


def _number(value: float) -> int | float:
    """Whole numbers without a trailing ``.0``; others rounded to what a score means (2 places)."""
    return int(value) if float(value).is_integer() else round(value, 2)


def _blank(value: int | None) -> int | str:
    return "" if value is None else value


def _yes_no(value: object) -> str:
    return "" if value is None else "yes" if value else "no"


def _text(value: str) -> str:
    """Free text, made safe to open in a spreadsheet (a leading formula character is quoted)."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
