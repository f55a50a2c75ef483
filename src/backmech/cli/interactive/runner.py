"""Running the interactive assessment: the questions in order, the safety stops, the result."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.console import Console

from backmech.cli.interactive.answers import MAX_LINE_CHARS, InputEndedError, LineTooLongError, Prompter
from backmech.cli.interactive.session import Session, load_session, new_session
from backmech.cli.interactive.steps import Section, Step, build_sections
from backmech.cli.render import emit_result
from backmech.domain.results import DISCLAIMER, AssessmentResult
from backmech.domain.types import TriageLevel
from backmech.services.assessment import AssessmentService

EXIT_INPUT_ENDED = 2
"""Exit status when standard input closes before the assessment is finished."""
EXIT_INTERRUPTED = 130
"""Exit status on Ctrl-C (the shell convention, 128 + SIGINT)."""


class Assessment:
    """Asks the questions in order, watching the safety screen after every answer."""

    def __init__(self, service: AssessmentService, session: Session, prompter: Prompter) -> None:
        self.service = service
        self.session = session
        self.prompter = prompter

    def triage(self) -> AssessmentResult:
        return self.service.assess(self.session.intake)

    def run(self) -> tuple[AssessmentResult, bool]:
        """The result, and whether the safety screen stopped the assessment early."""
        result = self.triage()
        if result.triage.level is TriageLevel.EMERGENCY:
            return result, True
        sections = build_sections(self.service)
        for number, section in enumerate(sections, start=1):
            for _ in self._pending(section, number, len(sections)):
                result = self.triage()
                if result.triage.level is TriageLevel.EMERGENCY:
                    return result, True
            result = self.triage()
            if result.triage.stops_programme:
                return result, True
            if number == 1 and result.triage.level is TriageLevel.SOON:
                self.prompter.say(
                    "Something in your answers needs a doctor's review soon; the report at the "
                    "end says what and where. The assessment goes on.",
                    "yellow",
                )
        return result, False

    def _pending(self, section: Section, number: int, total: int) -> Iterator[Step]:
        """Ask each question of a section not yet done; yields after each answer."""
        announced = False
        for step in section.steps:
            if step.key in self.session.done or not step.applies(self.session):
                continue
            if not announced:
                self.prompter.console.rule(f"{number}/{total} {section.title}")
                if section.intro:
                    self.prompter.say(section.intro)
                announced = True
            self.prompter.say()
            value = step.ask(self.prompter)
            step.store(self.session, value)
            self.session.record(step.key)
            yield step


def _intro(prompter: Prompter, session: Session, resumed: bool) -> None:
    prompter.console.rule("backmech: interactive assessment of low back pain")
    prompter.say(DISCLAIMER, "italic")
    prompter.say(
        "It asks about warning signs first, then about you, your pain, questionnaires "
        "and daily life, and ends with a report and, when it is safe, an exercise plan."
    )
    prompter.say("Press Enter or type 'skip' to leave a question out (safety questions need an answer).")
    if session.path is not None:
        prompter.say(f"Your answers are saved to {session.path} after every question.", "dim")
    if resumed:
        prompter.say(f"Resuming: {len(session.done)} questions were answered earlier.", "dim")


def _stopped(prompter: Prompter, result: AssessmentResult, *, detailed: bool) -> None:
    """The stop headline; ``detailed`` repeats the referral where the report is JSON only."""
    style = "bold red" if result.triage.level is TriageLevel.EMERGENCY else "bold dark_orange"
    prompter.say()
    prompter.say(
        f"STOP: your answers need a doctor ({result.triage.level.value}). The assessment ends "
        "here: no more questions and no exercise plan.",
        style,
    )
    if not detailed:
        return
    prompter.say(result.triage.action, "bold")
    for reason in result.triage.reasons:
        prompter.say(f"- {reason.reason} Go to: {reason.where_to_go} ({reason.timeframe}).")


def _gave_up(session: Session, why: str) -> None:
    sys.stdout.flush()
    sys.stderr.write(f"\nerror: {why} before the assessment was finished.\n")
    if session.path is not None and session.done:
        sys.stderr.write(
            f"  Your answers so far are saved in {session.path}; continue with "
            f"`backmech assess --resume {session.path}`.\n"
        )
    else:
        sys.stderr.write("  Nothing was saved; use --save FILE to keep your answers as you go.\n")


def run_interactive(
    *,
    save: Path | None,
    resume: Path | None,
    html: Path | None,
    as_json: bool,
    knowledge: Path | None,
) -> None:
    """Run the interactive assessment on standard input (see the ``backmech.cli.interactive`` docstring)."""
    from backmech.bootstrap import assessment_service

    service = assessment_service(knowledge)
    session = load_session(resume, service, save) if resume is not None else new_session(save)
    console = Console(file=sys.stderr if as_json else sys.stdout, highlight=False, markup=False)
    prompter = Prompter(console, sys.stdin)
    _intro(prompter, session, resumed=resume is not None)
    try:
        result, stopped = Assessment(service, session, prompter).run()
    except InputEndedError:
        _gave_up(session, "input ended")
        raise typer.Exit(EXIT_INPUT_ENDED) from None
    except LineTooLongError:
        _gave_up(
            session, f"standard input gave a line of more than {MAX_LINE_CHARS:,} characters (not an answer)"
        )
        raise typer.Exit(EXIT_INPUT_ENDED) from None
    except KeyboardInterrupt:
        _gave_up(session, "interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if stopped:
        _stopped(prompter, result, detailed=as_json)
    else:
        prompter.say()
        prompter.say("Thank you. Here is your assessment.", "bold")
    session.save()
    emit_result(result, service.kb, as_json=as_json, html=html)
