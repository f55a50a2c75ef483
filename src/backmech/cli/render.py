"""Terminal rendering of results (rich) and JSON encoding."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from backmech.domain.facts import Vocabulary
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.mechanism.classification import MechanismFinding
from backmech.domain.results import AssessmentResult
from backmech.domain.types import TriageLevel
from backmech.services import codec
from backmech.services.course import nominal_schedule
from backmech.services.readable import readable_evidence, readable_missing, score_rows

_LEVEL_STYLE = {
    TriageLevel.EMERGENCY: ("bold white on red", "EMERGENCY - act now"),
    TriageLevel.URGENT: ("bold black on dark_orange", "URGENT - see a doctor within 24 hours"),
    TriageLevel.SOON: ("bold black on yellow", "See a doctor soon"),
    TriageLevel.NONE: ("bold black on green", "No red flags found"),
}


def dumps(obj: object, *, indent: bool = False) -> bytes:
    """JSON bytes of any typed value, through the one codec."""
    return codec.dumps(obj, indent=indent)


def result_json(result: AssessmentResult, *, indent: bool = False) -> bytes:
    """The result contract as JSON bytes."""
    return dumps(result, indent=indent)


def emit_result(result: AssessmentResult, kb: KnowledgeBase, *, as_json: bool, html: Path | None) -> None:
    """Show a result the way every assess path does: HTML file, JSON, or the report."""
    if html is not None:
        from backmech.cli.files import write_atomic
        from backmech.reports.html import render_html

        write_atomic(html, render_html(result, kb).encode("utf-8"))
    if as_json:
        sys.stdout.buffer.write(result_json(result, indent=True) + b"\n")
        sys.stdout.flush()
    else:
        print_report(result, kb)
        if html is not None:
            sys.stdout.write(f"\nReport written to {html}\n")


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def print_report(result: AssessmentResult, kb: KnowledgeBase, console: Console | None = None) -> None:
    """A readable report: safety first, then scores, mechanism and plan."""
    con = console or _console()
    con.rule(f"[bold]backmech assessment[/bold] {result.case_id}".strip())
    con.print(Text(result.disclaimer, style="italic"))
    _triage(con, result)
    _scores(con, result)
    if result.plan_status == "withheld_red_flag":
        con.print(
            Panel(
                "No exercise plan is given until a doctor has seen you about the findings above.",
                title="Plan withheld",
                border_style="red",
            )
        )
        return
    _mechanisms(con, result, kb)
    if result.plan is None:
        con.print(
            Panel(
                "The red-flag questions were not all answered, so no plan is given yet. "
                f"Unanswered: {', '.join(result.triage.unanswered)}.",
                title="Plan withheld until the safety screen is complete",
                border_style="yellow",
            )
        )
        return
    _plan(con, result)
    missing = result.data_completeness
    if missing.questionnaires_missing or missing.sections_missing:
        con.print(
            Text(
                "Not answered (conclusions are less certain without them): "
                + ", ".join([*missing.questionnaires_missing, *missing.sections_missing]),
                style="dim",
            )
        )
    con.print(
        Text(f"{len(result.sources)} sources cited; see the JSON or HTML report for the list.", style="dim")
    )


def _triage(con: Console, result: AssessmentResult) -> None:
    triage = result.triage
    style, title = _LEVEL_STYLE[triage.level]
    lines: list[Text] = [Text(triage.action, style="bold")]
    for reason in triage.reasons:
        lines.append(Text(f"• {reason.reason} → {reason.where_to_go} ({reason.timeframe})"))
    if not triage.complete and triage.level.stops_programme:
        # A list of unasked questions would bury the referral; the JSON keeps it.
        lines.append(Text("The remaining safety questions were not needed for this decision.", style="dim"))
    elif not triage.complete:
        lines.append(
            Text("Some red-flag questions were not answered: " + ", ".join(triage.unanswered), style="yellow")
        )
    lines.append(Text("Safety net:", style="bold"))
    lines.extend(Text(f"• {msg}") for msg in triage.safety_net)
    con.print(Panel(Group(*lines), title=Text(title, style=style), border_style=style.split()[-1]))


def _scores(con: Console, result: AssessmentResult) -> None:
    if not result.scores:
        con.print(Text("No questionnaires answered.", style="dim"))
        return
    table = Table(title="Questionnaires", show_lines=False)
    for col in ("Instrument", "Score", "Band", "Complete"):
        table.add_column(col)
    for row in score_rows(result.scores):
        table.add_row(row.instrument, row.scores, row.bands, "yes" if row.complete else "no")
    con.print(table)


def _finding_block(f: MechanismFinding, vocab: Vocabulary) -> Group:
    parts: list[Text] = [
        Text(f"{f.name}  (confidence {f.confidence_label}, {f.confidence:.2f})", style="bold"),
        Text(f.explanation),
        Text("Why we think so:", style="underline"),
    ]
    parts.extend(
        Text(f"  + {e.rationale} [{readable_evidence(vocab, e.hits, e.facts)}] ({e.source})")
        for e in f.evidence
    )
    parts.extend(Text(f"  - {e.rationale} ({e.source})", style="dim") for e in f.against)
    if f.missing_evidence:
        parts.append(Text("  Not known: " + readable_missing(vocab, f.missing_evidence[:8]), style="dim"))
    return Group(*parts)


def _mechanisms(con: Console, result: AssessmentResult, kb: KnowledgeBase) -> None:
    summary = result.classification
    if summary.status == "clear" and summary.dominant:
        head = f"Main mechanism: {summary.dominant}"
    elif summary.status == "mixed":
        head = "Mixed picture between: " + ", ".join(summary.candidates)
    else:
        head = "Not enough information to name a mechanism with confidence."
    con.rule("[bold]What provokes your pain[/bold]")
    con.print(Text(head, style="bold"))
    if summary.discriminating_tests:
        con.print(Text("Tests that would clarify it: " + "; ".join(summary.discriminating_tests)))
    for f in result.mechanisms:
        con.print(Panel(_finding_block(f, kb.vocabulary), border_style="cyan"))
    if result.contributing_factors:
        con.print(Text("Contributing factors", style="bold"))
        for f in result.contributing_factors:
            con.print(Panel(_finding_block(f, kb.vocabulary), border_style="blue"))
    for p in result.prediction_rules:
        met = f"{len(p.criteria_met)}/{p.total} criteria met"
        con.print(Text(f"For your clinician - {p.name}: {p.status} ({met})", style="dim"))


def _plan(con: Console, result: AssessmentResult) -> None:
    plan = result.plan
    assert plan is not None
    con.rule(f"[bold]Your {plan.weeks}-week plan - {plan.session_name} emphasis[/bold]")
    con.print(Text(plan.approach))
    con.print(Text(plan.weeks_reason, style="dim"))
    routine = Table(title=f"Daily routine (about {plan.daily_routine_minutes:g} min)")
    routine.add_column("Exercise")
    routine.add_column("Dose")
    routine.add_column("Why")
    for ex in plan.daily_routine:
        routine.add_row(ex.name, ex.dose.text, ex.reason)
    con.print(routine)
    for row in nominal_schedule(plan):
        phase = row.phase
        table = Table(
            title=f"Phase {phase.number}: {phase.name} ({row.weeks_text}, "
            f"session about {phase.session_minutes:g} min)"
        )
        table.add_column("Exercise")
        table.add_column("Dose")
        table.add_column("Why")
        for entry in phase.session:
            ex = plan.exercise(entry.slug)
            table.add_row(ex.name, ex.dose.text, ex.reason)
        con.print(table)
        con.print(Text(phase.goal))
        if phase.move_on_when:
            con.print(Text("Move on when: " + " ".join(phase.move_on_when), style="dim"))
    if plan.avoid:
        avoid = Table(title="For now, avoid → do this instead")
        avoid.add_column("Avoid")
        avoid.add_column("Instead")
        avoid.add_column("Why")
        for a in plan.avoid:
            avoid.add_row(a.what, a.instead, a.why)
        con.print(avoid)
    _bullets(con, "Daily life", [a.advice for a in plan.lifestyle])
    _bullets(con, "Read", [f"{e.title} - {e.summary}" for e in plan.education])
    _bullets(con, "For your clinician", [c.recommendation for c in plan.clinician_care])
    _bullets(con, "Safety while exercising", list(plan.safety_rules))
    con.print(
        f"Repeat the questionnaires every {plan.reassess_after_days} days; movement "
        f"retests at weeks {', '.join(str(w) for w in plan.movement_retest_weeks)}."
    )


def _bullets(con: Console, title: str, items: Sequence[str]) -> None:
    if not items:
        return
    con.print(Text(title, style="bold"))
    for item in items:
        con.print(Text(f"• {item}"))


def print_vocabulary(rows: Sequence[Mapping[str, object]], console: Console | None = None) -> None:
    """The fact vocabulary as a table."""
    con = console or _console()
    table = Table(title="Intake facts")
    for col in ("fact", "type", "allowed", "description"):
        table.add_column(col)
    for row in rows:
        table.add_row(str(row["id"]), str(row["type"]), str(row["allowed"]), str(row["description"]))
    con.print(table)
