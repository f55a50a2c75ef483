"""The clinician letter: a concise clinical summary of one patient's course, as HTML.

For a colleague, a referrer or the record. It lists the scores with their bands and
their change against the MCID and MDC, the mechanism evidence with the rules'
sources, the triage and red flags, the movement findings, the plan with every
clinician edit (who, when, why), adherence and a pain-monitoring summary of the logs
(pain before, worst during, after, next morning) over a stated date range.

Every clinical number comes from the stored result or the knowledge base.

Example::

    html = render_clinician_letter(record, kb, today=dt.date.today(), author="Dr A. Clinician")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.results.model import MovementReport
from backmech.reports.basis import ReportBasis, report_basis
from backmech.reports.log_summary import adherence, pain_monitoring
from backmech.reports.measures import MeasureChange, measure_changes
from backmech.reports.mechanisms import MechanismView, finding_lines, mechanisms
from backmech.reports.plan_view import edit_lines, plan_view
from backmech.reports.report_charts import score_charts, session_pain_chart
from backmech.reports.templating import render
from backmech.services.patient_record import PatientRecord
from backmech.services.ports import AnalysisStatus


@dataclass(frozen=True)
class MovementLine:
    test: str
    on: dt.date
    status: str
    findings: list[str]
    note: str


def movement_lines(basis: ReportBasis) -> list[MovementLine]:
    """Each analysed movement video, with its findings in words (or why it failed)."""
    lines = []
    vocab = basis.kb.vocabulary
    for analysis in basis.record.movement_analyses:
        report = analysis.result if isinstance(analysis.result, MovementReport) else None
        reasons = [r.reason for r in report.finding_reasons if r.reason] if report is not None else []
        found = reasons or (finding_lines(report.findings, vocab) if report is not None else [])
        note = analysis.error or "" if analysis.status == AnalysisStatus.FAILED else ""
        lines.append(
            MovementLine(
                analysis.test.replace("_", " "), analysis.created_at.date(), analysis.status, found, note
            )
        )
    return lines


def examination_findings(basis: ReportBasis) -> list[str]:
    """Findings recorded in the latest intake (by a clinician or merged from videos), in words."""
    latest = basis.latest
    raw = latest.intake.get("findings") if latest is not None else None
    return finding_lines(raw, basis.kb.vocabulary) if isinstance(raw, Mapping) else []


def cited_sources(
    basis: ReportBasis, changes: Sequence[MeasureChange], found: Sequence[MechanismView]
) -> list[tuple[str, str]]:
    """The source ids the letter names, with their citations, in order of first mention."""
    ids: list[str] = [r.source for r in basis.triage.reasons] if basis.triage is not None else []
    for m in changes:
        ids += [m.output.mcid.source] if m.output.mcid is not None else []
        ids += [m.mdc.source] if m.mdc is not None else []
    for mechanism in found:
        ids += [mechanism.source, *(e.source for e in (*mechanism.evidence, *mechanism.against))]
    ids.append(basis.kb.plan.pain_monitoring_source)
    return [(i, basis.citation(i)) for i in dict.fromkeys(i for i in ids if i)]


def render_clinician_letter(
    record: PatientRecord,
    kb: KnowledgeBase,
    today: dt.date,
    author: str,
    *,
    people: Mapping[UUID, str] | None = None,
) -> str:
    """The letter as one self-contained HTML document; ``people`` names plan editors by user id."""
    basis = report_basis(record, kb, today)
    changes = measure_changes(basis)
    found = mechanisms(basis.result, kb.vocabulary)
    return render(
        "clinician_letter.html",
        {
            "b": basis,
            "author": author,
            "patient": record.patient,
            "clinic": record.clinic,
            "today": today,
            "period": basis.period,
            "result": basis.result,
            "triage": basis.triage,
            "referral": basis.referral,
            "blocked": basis.blocked,
            "changes": changes,
            "mechanisms": found,
            "sources": cited_sources(basis, changes, found),
            "movement": movement_lines(basis),
            "examination": examination_findings(basis),
            "plan": plan_view(basis),
            "edits": edit_lines(basis, people or {}),
            "adherence": adherence(basis) if basis.plan is not None else None,
            "pain": pain_monitoring(basis.logs),
            "pain_source": basis.citation(kb.plan.pain_monitoring_source),
            "score_charts": score_charts(basis)[:2],
            "pain_svg": session_pain_chart(basis, during=True) if basis.logs else None,
        },
    )
