"""The patient report and the clinician letter as HTML: what each says, from the record and the KB."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as html_lib
import re
import statistics
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

import pytest
from report_records import EDITOR, START, TODAY

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.reports.basis import report_basis
from backmech.reports.charts import BOTTOM, HEIGHT, TOP
from backmech.reports.clinician_letter import render_clinician_letter
from backmech.reports.patient_report import render_patient_report
from backmech.reports.templating import day
from backmech.services.codec import to_json_object
from backmech.services.patient_record import PatientRecord

AUTHOR = "Dr Jo Smith, physiotherapist"


@pytest.fixture(scope="module")
def report(record: PatientRecord, report_kb: KnowledgeBase) -> str:
    return render_patient_report(record, report_kb, TODAY)


@pytest.fixture(scope="module")
def letter(record: PatientRecord, report_kb: KnowledgeBase) -> str:
    return render_clinician_letter(record, report_kb, TODAY, AUTHOR, people={EDITOR: "jo@clinic.test"})


def _text(html: str) -> str:
    """The visible text, tags dropped and whitespace collapsed (what a reader sees)."""
    without_style = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", without_style).split()).replace(" .", ".")


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, flags=re.S)
    assert match, f"no section {section_id}"
    return match.group(0)


def _svg(html: str, chart_id: str) -> ET.Element:
    match = re.search(rf'<svg class="chart" id="{chart_id}".*?</svg>', html, flags=re.S)
    assert match, f"no chart {chart_id}"
    return ET.fromstring(match.group(0))


def _result(record: PatientRecord, index: int) -> Mapping[str, Any]:
    """The stored result as its JSON contract (what the report must show, key by key)."""
    return to_json_object(record.assessments[index].result)


def test_the_patient_report_names_the_mechanism_and_why(report: str, record: PatientRecord) -> None:
    latest = _result(record, -1)
    dominant = latest["classification"]["dominant"]
    main = next(m for m in latest["mechanisms"] if m["id"] == dominant)
    section = _text(_section(report, "mechanism"))
    assert main["name"] in section
    assert main["explanation"] in section
    assert main["evidence"][0]["rationale"] in section
    assert "sitting_slumped" not in section  # facts in words, not ids


def test_the_patient_report_says_what_to_avoid_and_what_to_do_instead(
    report: str, record: PatientRecord
) -> None:
    section = _text(_section(report, "avoid"))
    for item in _result(record, -1)["plan"]["avoid"]:
        assert item["what"] in section and item["instead"] in section


def test_the_patient_report_places_the_person_in_their_plan(
    report: str, record: PatientRecord, report_kb: KnowledgeBase
) -> None:
    """Week and phase are the course's: it began at the first assessment (a reassessment continues it)."""
    plan = _result(record, -1)["plan"]
    week = (TODAY - record.assessments[0].created_at.date()).days // 7 + 1
    basis = report_basis(record, report_kb, TODAY)
    assert basis.course is not None and basis.position is not None and basis.position.phase is not None
    position = _text(_section(report, "plan"))
    assert f"week {week} of {plan['weeks']}" in position
    assert f"phase {basis.course.phase}, {basis.position.phase.name}" in position


def test_the_clinicians_edit_is_applied_to_the_session_shown(report: str, record: PatientRecord) -> None:
    session = re.search(r"Your session now.*?</table>", report, flags=re.S)
    assert session
    names = {e["slug"]: e["name"] for e in _result(record, -1)["plan"]["exercises"]}
    assert names["bird-dog"] not in session.group(0)  # removed by the PlanEdit
    assert names["mcgill-curl-up"] in session.group(0)


def test_the_score_charts_shade_the_mcid_band_from_the_knowledge_base(
    report: str, record: PatientRecord, report_kb: KnowledgeBase
) -> None:
    odi = report_kb.questionnaires["odi"].output("percent")
    assert odi is not None and odi.mcid is not None and odi.mcid.points is not None
    svg = _svg(report, "chart-odi")
    bands = [el for el in svg.iter() if el.get("class") == "chart-band"]
    assert len(bands) == 1
    plot_h = HEIGHT - TOP - BOTTOM
    expected = odi.mcid.points / ((odi.maximum or 100) - (odi.minimum or 0)) * plot_h
    assert float(bands[0].get("height") or 0) == pytest.approx(expected, abs=0.1)
    title = bands[0].find("{http://www.w3.org/2000/svg}title")
    assert title is not None and f"within {odi.mcid.points:g} points" in (title.text or "")
    points = [el for el in svg.iter() if "chart-point" in (el.get("class") or "")]
    assert len(points) == len(record.assessments) + 1  # one per assessment, and the legend's
    assert svg.find("{http://www.w3.org/2000/svg}style") is not None  # styled inside, for the PDF


def test_the_patient_report_compares_the_change_with_the_mcid(
    report: str, record: PatientRecord, report_kb: KnowledgeBase
) -> None:
    first, latest = (_result(record, i)["scores"]["odi"] for i in (0, -1))
    odi = report_kb.questionnaires["odi"].output("percent")
    assert odi is not None and odi.mcid is not None
    row = next(r for r in re.findall(r"<tr>.*?</tr>", _section(report, "changes"), re.S) if "Oswestry" in r)
    row_text = _text(row)
    assert odi.display(first["percent"]) in row_text and odi.display(latest["percent"]) in row_text
    improvement = first["percent"] - latest["percent"]
    assert improvement >= odi.mcid.points  # the fixture improves by more than the MCID
    assert f"Better by {improvement:g} points" in row_text
    assert f"at least the {odi.mcid.points:g} points" in row_text
    assert latest["bands"]["percent"]["label"].lower() in row_text


def test_the_patient_report_counts_adherence_from_the_logs(report: str, record: PatientRecord) -> None:
    days = {log.session_date for log in record.session_logs if START <= log.session_date <= TODAY}
    since = (TODAY - START).days + 1
    text = _text(report)
    assert f"you logged a session on {len(days)} of {since} days" in text
    calendar = _svg(report, "chart-calendar")
    ticked = [el for el in calendar.iter() if el.get("class") == "cal-tick"]
    assert len(ticked) == len(days)


def test_the_patient_report_says_when_to_reassess_and_keeps_the_disclaimer(
    report: str, record: PatientRecord
) -> None:
    latest = _result(record, -1)
    every = latest["plan"]["reassess_after_days"]
    last_assessed = record.assessments[-1].created_at.date()
    # Questionnaire days are every `every` days of the course (day 14 is the last of week 2);
    # the first one after the latest assessment has passed by TODAY without an answer.
    due = next(
        START + dt.timedelta(days=n * every - 1)
        for n in range(1, 20)
        if START + dt.timedelta(days=n * every - 1) > last_assessed
    )
    assert due < TODAY
    section = _text(_section(report, "reassess"))
    assert "again now" in section and f"they were due on {day(due)}" in section
    assert latest["disclaimer"] in _text(report)
    assert "<script" not in report


def test_names_are_escaped(record: PatientRecord, report_kb: KnowledgeBase) -> None:
    patient = dataclasses.replace(record.patient, display_name="<img src=x onerror=alert(1)>")
    html = render_patient_report(dataclasses.replace(record, patient=patient), report_kb, TODAY)
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_a_red_flag_shows_the_referral_and_no_plan(
    red_flag_record: PatientRecord, report_kb: KnowledgeBase
) -> None:
    html = render_patient_report(red_flag_record, report_kb, TODAY)
    triage = _result(red_flag_record, -1)["triage"]
    referral = _text(_section(html, "referral"))
    assert triage["action"] in referral
    assert all(reason["action"] in referral for reason in triage["reasons"])
    assert 'id="plan"' not in html and "Your session now" not in html and 'id="avoid"' not in html
    assert _result(red_flag_record, -1)["disclaimer"] in _text(html)

    letter = render_clinician_letter(red_flag_record, report_kb, TODAY, AUTHOR)
    assert "Programme stopped" in letter
    shown = html_lib.unescape(_text(letter))
    assert all(report_kb.sources[reason["source"]].citation in shown for reason in triage["reasons"])
    assert "No plan is being followed" in _text(letter)


def test_the_letter_states_author_and_period(letter: str) -> None:
    text = _text(letter)
    assert AUTHOR in text
    assert f"period covered {day(START)} – {day(TODAY)}" in text


def test_the_letter_tabulates_scores_with_bands_mcid_and_mdc(
    letter: str, record: PatientRecord, report_kb: KnowledgeBase
) -> None:
    nprs = report_kb.questionnaires["nprs"].output("current")
    assert nprs is not None and nprs.mcid is not None
    mdc = next(c for c in nprs.change_values if c.id.startswith("mdc"))
    row = next(
        r for r in re.findall(r"<tr>.*?</tr>", _section(letter, "scores"), re.S) if "NPRS current" in r
    )
    row_text = _text(row)
    first, latest = (_result(record, i)["scores"]["nprs"]["current"] for i in (0, -1))
    assert f"{latest - first:+g}".replace("-", "−") in row_text
    assert _result(record, -1)["scores"]["nprs"]["bands"]["current"]["label"] in row_text
    assert f"{nprs.mcid.points:g} pts" in row_text and nprs.mcid.source in row_text
    assert f"{mdc.points:g} pts" in row_text and mdc.source in row_text
    verdict = "reached" if first - latest >= nprs.mcid.points else "not reached"
    assert f": {verdict}" in row_text
    assert report_kb.sources[nprs.mcid.source].citation in _text(_section(letter, "sources"))


def test_the_letter_gives_mechanism_evidence_with_rule_sources(letter: str, record: PatientRecord) -> None:
    section = _text(_section(letter, "mechanisms"))
    for mechanism in _result(record, -1)["mechanisms"]:
        assert mechanism["name"] in section
        for firing in mechanism["evidence"]:
            assert f"[{firing['source']}]" in section


def test_the_letter_lists_the_edit_with_who_when_and_why(letter: str, record: PatientRecord) -> None:
    edit = record.plan_edits[0]
    row = _text(re.findall(r"<tr>.*?</tr>", letter.split('id="edits"')[1], re.S)[1])
    assert day(edit.at) in row and "jo@clinic.test" in row and edit.reason in row
    assert "Removed Bird dog from the session exercises" in row


def test_the_letter_summarises_pain_monitoring_and_adherence(letter: str, record: PatientRecord) -> None:
    logs = record.session_logs
    during = [log.pain_during for log in logs if log.pain_during is not None]
    rises = [
        log.next_morning_pain - log.pain_before
        for log in logs
        if log.next_morning_pain is not None and log.next_morning_pain > log.pain_before
    ]
    text = _text(_section(letter, "pain-monitoring"))
    assert f"Worst pain during a session recorded for {len(during)}" in text
    assert f"median {statistics.median(during):g}, highest {max(during)} /10" in text
    assert f"higher than before the session in {len(rises)} (largest rise {max(rises)} points)" in text
    weeks = re.findall(r"<tr>.*?</tr>", _section(letter, "pain-monitoring"), re.S)[1:]
    assert len(weeks) == len({log.session_date.isocalendar()[:2] for log in logs})
    days = {log.session_date for log in logs}
    assert f"Sessions logged on {len(days)} of {(TODAY - START).days + 1} days" in _text(letter)
    assert "chart-session-pain" in letter and "Worst during" in letter


def test_a_record_with_nothing_yet_still_renders(record: PatientRecord, report_kb: KnowledgeBase) -> None:
    empty = dataclasses.replace(record, assessments=[], session_logs=[], plan_edits=[])
    assert "No assessment yet" in render_patient_report(empty, report_kb, TODAY)
    letter = _text(render_clinician_letter(empty, report_kb, TODAY, AUTHOR))
    assert "No assessment recorded" in letter and "No sessions logged" in letter
