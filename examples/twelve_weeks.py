"""A simulated 12-week course, and everything a clinician would expect from it.

Run: ``.venv/bin/python examples/twelve_weeks.py --out DIR``

It stores one person's course in a fresh SQLite database in DIR (see
``course_simulation.py``: real engine runs for the baseline and the fortnightly
reassessments, 12 weeks of session logs with a flare-up in week 4 and a quieter week
7, a clinician's plan edit), replays it through the progression rules, and writes:

* ``course.txt`` — the progression week by week: sessions done, pain colours, dose
  steps, the flare-up and its plan, clinician alerts, phase changes, responders;
* ``patient-report.pdf`` and ``clinician-letter.pdf`` (and their HTML);
* ``fhir-bundle.json`` — the FHIR R4 Bundle, re-read and checked by the import;
* ``charts/*.svg`` — pain over time, disability with the MCID band, adherence calendar;
* ``session-logs.csv`` and ``questionnaire-scores.csv``;
* ``plan.ics`` — the plan's sessions and reassessments as a calendar.

backmech supports decisions; it does not replace a clinician.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from course_simulation import simulate

from backmech.bootstrap import assessment_service
from backmech.exports.csv_export import questionnaire_scores_csv, session_logs_csv
from backmech.exports.fhir import export_bundle, import_bundle
from backmech.exports.ical import patient_calendar
from backmech.reports.basis import report_basis
from backmech.reports.clinician_letter import render_clinician_letter
from backmech.reports.patient_report import render_patient_report
from backmech.reports.pdf import to_pdf
from backmech.reports.report_charts import adherence_calendar, score_charts, session_pain_chart
from backmech.services.care_plan import current_from
from backmech.services.course import Course, course_so_far
from backmech.services.patient_record import read_patient_record


def describe(course: Course) -> str:
    """The course in words, week by week (what the clinician letter summarises)."""
    lines = [
        f"Course of {course.plan.weeks} weeks from {course.plan.start} "
        f"(baseline pain {course.plan.baseline_pain}/10); phase now {course.phase}.",
        "",
        "Week  done/planned  colours (G/A/R)  walking  streak",
    ]
    colours_by_week: dict[int, Counter[str]] = {}
    for day in course.replay.days:
        if day.signal is not None:
            colours_by_week.setdefault(day.week, Counter())[day.signal.colour.value] += 1
    for report in course.replay.weeks:
        colours = colours_by_week.get(report.adherence.week, Counter())
        lines.append(
            f"{report.adherence.week:>4}  {report.adherence.done:>4}/{report.adherence.planned:<7}"
            f"  {colours['green']:>3}/{colours['amber']}/{colours['red']:<9}"
            f"  {report.walking_minutes:>5.0f} min  {report.streak:>3}"
            + ("  drop-off risk" if report.drop_off_risk else "")
        )
    lines += ["", "Dose steps (progress / hold / regress):"]
    steps = Counter(d.step.value for day in course.replay.days for d in day.decisions)
    lines.append("  " + ", ".join(f"{step} {count}" for step, count in sorted(steps.items())))
    for day in course.replay.days:
        if day.flare_started is not None:
            flare = day.flare_started
            lines += [
                "",
                f"Flare-up on {day.day}: {flare.trigger.reason}",
                *(f"  - {s}" for s in flare.steps),
            ]
        if day.flare_settled:
            lines.append(f"Flare-up settled on {day.day} (progression resumes).")
        if day.phase_change is not None:
            why = " ".join(day.phase_change.reasons)
            lines.append(f"Phase {day.phase_change.to_phase} from {day.day}: {why}")
        for change in day.changes:
            lines.append(f"Reassessment {day.day}: {change.reason} [{change.status.value}]")
    lines += ["", "Clinician alerts:"]
    lines += [f"  {a.day} {a.kind.value}: {a.message}" for a in course.replay.alerts] or ["  none"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="Folder for the outputs (created if missing)."
    )
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    if (out / "twelve-weeks.db").exists():
        (out / "twelve-weeks.db").unlink()  # a fresh simulation each run
    kb = assessment_service().kb
    simulated = simulate(out)
    today = simulated.end
    record = read_patient_record(
        simulated.uow_factory, simulated.clinician, simulated.patient_id, simulated.clinic_id
    )
    course = course_so_far(
        kb,
        record.assessments,
        current_from(record.assessments, record.plan_edits),
        record.session_logs,
        today,
    )
    assert course is not None, "the simulated person has a plan"
    (out / "course.txt").write_text(describe(course))

    patient_html = render_patient_report(record, kb, today)
    letter_html = render_clinician_letter(record, kb, today, author="A. Physio")
    (out / "patient-report.html").write_text(patient_html)
    (out / "clinician-letter.html").write_text(letter_html)
    (out / "patient-report.pdf").write_bytes(to_pdf(patient_html))
    (out / "clinician-letter.pdf").write_bytes(to_pdf(letter_html))

    bundle = export_bundle(record, kb)
    (out / "fhir-bundle.json").write_text(json.dumps(bundle, indent=2, default=str))
    back = import_bundle(json.loads((out / "fhir-bundle.json").read_text()))
    assert len(back.session_logs) == len(record.session_logs), "the bundle carries every session log"

    charts = out / "charts"
    charts.mkdir(exist_ok=True)
    basis = report_basis(record, kb, today)
    (charts / "session-pain.svg").write_text(str(session_pain_chart(basis, during=True)))
    (charts / "adherence-calendar.svg").write_text(str(adherence_calendar(basis)))
    for chart in score_charts(basis):
        (charts / f"{chart.questionnaire}.svg").write_text(str(chart.svg))

    (out / "session-logs.csv").write_text(session_logs_csv(record.session_logs))
    (out / "questionnaire-scores.csv").write_text(questionnaire_scores_csv(record.assessments))
    (out / "plan.ics").write_bytes(patient_calendar(record, kb=kb, today=today))

    simulated.uow_factory.engine.dispose()
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    print(f"Simulated {course.plan.weeks} weeks for {record.patient.display_name}; wrote into {out}:")
    for name in written:
        print(f"  {name}")
    print()
    print(describe(course))


if __name__ == "__main__":
    main()
