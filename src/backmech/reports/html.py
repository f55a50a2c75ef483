"""A printable, self-contained HTML report of one assessment.

Plain HTML with inline CSS (no scripts, no external assets) so it prints well and
opens anywhere. Every value is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from backmech.domain.facts import Vocabulary
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.mechanism.classification import MechanismFinding
from backmech.domain.results import AssessmentResult
from backmech.domain.types import TriageLevel
from backmech.services.course import nominal_schedule
from backmech.services.readable import readable_evidence, readable_missing, score_rows

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:52rem;margin:2rem auto;
padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
.disclaimer{font-style:italic;color:#444}
.triage{border-radius:.5rem;padding:1rem;margin:1rem 0;border:3px solid}
.emergency{border-color:#b00020;background:#fde7ea}.urgent{border-color:#c25e00;background:#fff1e0}
.soon{border-color:#9a7d00;background:#fffbe0}.none{border-color:#1b7f3b;background:#eaf7ee}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.35rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}
.mech{border-left:4px solid #2a6f97;padding:.3rem .8rem;margin:.8rem 0;background:#f6fafc}
.evidence{font-size:.92rem}.dim{color:#555;font-size:.9rem}.src{font-size:.8rem;color:#555}
@media print{body{margin:0}.triage{break-inside:avoid}.mech{break-inside:avoid}}
"""

_TITLES = {
    TriageLevel.EMERGENCY: "Emergency: act now",
    TriageLevel.URGENT: "Urgent: see a doctor within 24 hours",
    TriageLevel.SOON: "See a doctor soon",
    TriageLevel.NONE: "No red flags found",
}


def _e(value: object) -> str:
    return escape(str(value))


def _ul(items: Iterable[str], cls: str = "") -> str:
    rows = "".join(f"<li>{_e(i)}</li>" for i in items)
    return f'<ul class="{cls}">{rows}</ul>' if rows else ""


def _finding(f: MechanismFinding, vocab: Vocabulary) -> str:
    evidence = "".join(
        f"<li>{_e(e.rationale)} <span class='dim'>({_e(readable_evidence(vocab, e.hits, e.facts))})</span> "
        f"<span class='src'>[{_e(e.source)}]</span></li>"
        for e in f.evidence
    )
    against = "".join(
        f"<li>Against: {_e(e.rationale)} <span class='src'>[{_e(e.source)}]</span></li>" for e in f.against
    )
    missing = ""
    if f.missing_evidence:
        unknown = _e(readable_missing(vocab, f.missing_evidence))
        missing = f"<p class='dim'>Not known (would make this more certain): {unknown}</p>"
    return (
        f"<div class='mech'><h3>{_e(f.name)}</h3><p><b>Confidence:</b> {_e(f.confidence_label)} "
        f"({f.confidence:.2f})</p><p>{_e(f.explanation)}</p>"
        f"<p class='dim'>For the clinician: {_e(f.clinician_note)}</p>"
        f"<ul class='evidence'>{evidence}{against}</ul>{missing}</div>"
    )


def render_html(result: AssessmentResult, kb: KnowledgeBase) -> str:
    """The whole report as an HTML document."""
    t = result.triage
    parts: list[str] = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>backmech report {_e(result.case_id)}</title><style>{_CSS}</style></head><body>",
        f"<h1>backmech assessment</h1><p class='dim'>Case {_e(result.case_id or '-')} · "
        f"{_e(result.assessed_on or '')} · backmech {_e(result.backmech_version)}</p>",
        f"<p class='disclaimer'>{_e(result.disclaimer)}</p>",
        f"<section class='triage {t.level.value}'><h2>{_e(_TITLES[t.level])}</h2>",
        f"<p><b>{_e(t.action)}</b></p>",
        _ul(f"{r.reason} → {r.where_to_go} ({r.timeframe})" for r in t.reasons),
    ]
    if not t.complete:
        parts.append(f"<p>Red-flag questions not answered: {_e(', '.join(t.unanswered))}</p>")
    parts.append("<p><b>Safety net</b></p>" + _ul(t.safety_net) + "</section>")

    if result.scores:
        parts.append(
            "<h2>Questionnaires</h2><table><tr><th>Instrument</th><th>Score</th>"
            "<th>Band</th><th>Complete</th></tr>"
        )
        for row in score_rows(result.scores):
            parts.append(
                f"<tr><td>{_e(row.instrument)}</td><td>{_e(row.scores)}</td>"
                f"<td>{_e(row.bands)}</td><td>{'yes' if row.complete else 'no'}</td></tr>"
            )
        parts.append("</table>")

    if result.plan_status == "withheld_red_flag":
        parts.append(
            "<h2>Plan</h2><p><b>No exercise plan is given until a doctor has seen you "
            "about the findings above.</b></p>"
        )
    else:
        summary = result.classification
        parts.append("<h2>What provokes your pain</h2>")
        if summary.status == "mixed":
            parts.append(f"<p>Mixed picture between {_e(', '.join(summary.candidates))}.</p>")
        if summary.discriminating_tests:
            parts.append("<p>Tests that would clarify it:</p>" + _ul(summary.discriminating_tests))
        parts.extend(_finding(f, kb.vocabulary) for f in result.mechanisms)
        if result.contributing_factors:
            parts.append("<h2>Contributing factors</h2>")
            parts.extend(_finding(f, kb.vocabulary) for f in result.contributing_factors)
        if result.prediction_rules:
            parts.append("<h2>For the clinician: clinical prediction rules</h2><ul>")
            for p in result.prediction_rules:
                parts.append(
                    f"<li><b>{_e(p.name)}</b>: {_e(p.status)} "
                    f"({len(p.criteria_met)}/{p.total} criteria met). "
                    f"{_e(p.interpretation)}</li>"
                )
            parts.append("</ul>")
        parts.append(_plan_html(result))
    parts.append("<h2>Sources</h2><ol class='src'>")
    parts.extend(f"<li id='{_e(sid)}'>[{_e(sid)}] {_e(cit)}</li>" for sid, cit in result.sources.items())
    parts.append("</ol></body></html>")
    return "".join(parts)


def _plan_html(result: AssessmentResult) -> str:
    plan = result.plan
    if plan is None:
        return "<h2>Plan</h2><p>The plan is withheld until every red-flag question has been answered.</p>"
    out = [
        f"<h2>Your {plan.weeks}-week plan: {_e(plan.session_name)} sessions</h2>",
        f"<p>{_e(plan.approach)}</p><p class='dim'>{_e(plan.weeks_reason)}</p>",
        f"<h3>Daily routine (about {plan.daily_routine_minutes:g} minutes)</h3>",
        "<table><tr><th>Exercise</th><th>Dose</th><th>Why</th></tr>",
    ]
    out.extend(
        f"<tr><td>{_e(x.name)}</td><td>{_e(x.dose.text)}</td><td>{_e(x.reason)}</td></tr>"
        for x in plan.daily_routine
    )
    out.append("</table>")
    for row in nominal_schedule(plan):
        ph = row.phase
        out.append(
            f"<h3>Phase {ph.number}: {_e(ph.name)} ({_e(row.weeks_text)}, "
            f"about {ph.session_minutes:g} min)</h3><p>{_e(ph.goal)}</p>"
        )
        out.append("<table><tr><th>Exercise</th><th>Dose</th><th>Why</th></tr>")
        out.extend(
            f"<tr><td>{_e(x.name)}</td><td>{_e(x.dose.text)}</td><td>{_e(x.reason)}</td></tr>"
            for x in (plan.exercise(e.slug) for e in ph.session)
        )
        out.append("</table>")
        if ph.move_on_when:
            out.append("<p class='dim'>Move on when:</p>" + _ul(ph.move_on_when, "dim"))
    if plan.avoid:
        out.append(
            "<h3>For now, avoid → do this instead</h3><table><tr><th>Avoid</th>"
            "<th>Instead</th><th>Why</th></tr>"
        )
        out.extend(
            f"<tr><td>{_e(a.what)}</td><td>{_e(a.instead)}</td><td>{_e(a.why)}</td></tr>" for a in plan.avoid
        )
        out.append("</table>")
    if plan.lifestyle:
        out.append("<h3>Daily life</h3>" + _ul(a.advice for a in plan.lifestyle))
    if plan.education:
        out.append("<h3>Read</h3>" + _ul(f"{m.title}: {m.summary}" for m in plan.education))
    if plan.clinician_care:
        out.append("<h3>For your clinician</h3>" + _ul(c.recommendation for c in plan.clinician_care))
    out.append("<h3>Safety while exercising</h3>" + _ul(plan.safety_rules))
    out.append(
        f"<p>Repeat the questionnaires every {plan.reassess_after_days} days; movement "
        f"retests at weeks {', '.join(str(w) for w in plan.movement_retest_weeks)}.</p>"
    )
    return "".join(out)
