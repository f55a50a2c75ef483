"""The patient report: the person's own assessment, plan and progress, in plain words, as HTML.

For the person, to read at home or take to an appointment. It says what we think is
going on and why, what to avoid and what to do instead, where they are in the plan,
how pain and disability have changed against the minimal important change, when to
check again, and that backmech supports decisions and does not replace a clinician.
If the latest triage stopped the programme, it shows the referral and no plan.

Every clinical number comes from the stored result or the knowledge base.

Example::

    html = render_patient_report(record, kb, today=dt.date.today())
    pdf = to_pdf(html)
"""

from __future__ import annotations

import datetime as dt

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.reports.basis import report_basis
from backmech.reports.log_summary import adherence
from backmech.reports.measures import measure_changes
from backmech.reports.mechanisms import mechanisms
from backmech.reports.plan_view import plan_view
from backmech.reports.report_charts import (
    adherence_calendar,
    morning_pain_chart,
    score_charts,
    session_pain_chart,
)
from backmech.reports.templating import render
from backmech.services.patient_record import PatientRecord


def render_patient_report(record: PatientRecord, kb: KnowledgeBase, today: dt.date) -> str:
    """The whole patient report as one self-contained HTML document (inline CSS and SVG, no scripts)."""
    basis = report_basis(record, kb, today)
    found = mechanisms(basis.result, kb.vocabulary)
    has_plan = basis.plan is not None
    return render(
        "patient_report.html",
        {
            "b": basis,
            "patient": record.patient,
            "clinic": record.clinic,
            "today": today,
            "result": basis.result,
            "triage": basis.triage,
            "referral": basis.referral,
            "blocked": basis.blocked,
            "main": found[0] if found else None,
            "plan": plan_view(basis),
            "changes": measure_changes(basis, with_mcid_only=True),
            "adherence": adherence(basis) if has_plan else None,
            "score_charts": score_charts(basis),
            "pain_svg": session_pain_chart(basis, during=False) if basis.logs else None,
            "morning_svg": morning_pain_chart(basis) if basis.logs else None,
            "calendar_svg": adherence_calendar(basis) if has_plan else None,
        },
    )
