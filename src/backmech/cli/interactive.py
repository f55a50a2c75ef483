"""Interactive assessment on the terminal: red flags first, then everything else.

Prompts are plain lines read from standard input, so the assessment works in any
terminal, over ssh, and driven by a script or a test (no TTY needed). Every answer
is checked as it is typed; a wrong answer is explained and asked again.

Safety comes first. The red-flag questions are asked before anything else; an
answer that makes the level an emergency ends the assessment at once, and an
urgent level ends it when its section is finished (a later red-flag answer could
still raise it to an emergency). Either way the referral is shown, nothing more is
asked and no plan is given.

Everything else may be left out (an empty answer or ``skip``): what is left out
stays unknown, and a questionnaire left out is never scored as zero.

With ``--save FILE`` the answers so far are written after every question
(atomically, so an interruption never leaves a broken file); ``--resume FILE``
continues from the first question not yet answered and never asks an answered
one again. The saved file holds the partial intake, in the same format as
``backmech assess --input``, plus the list of questions already done.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from backmech.cli.files import read_json, write_atomic
from backmech.cli.render import dumps, emit_result
from backmech.domain.errors import InputError
from backmech.domain.facts import FactKind, FactSpec, Vocabulary
from backmech.domain.intake import EQUIPMENT, SCHEMA_VERSION
from backmech.domain.questionnaires.model import Item, Questionnaire
from backmech.domain.safety.model import ScreenQuestion
from backmech.domain.types import TriageLevel
from backmech.services.assessment import DISCLAIMER, AssessmentResult, AssessmentService

T = TypeVar("T")
Answer = object
"""A JSON value for the intake; ``None`` means the question was left unanswered."""
Where = tuple[str, ...]
"""Keys from the intake root to a field, e.g. ``("person", "age")``."""

SAVE_FORMAT = "backmech-interactive"
SAVE_VERSION = 1
EXIT_INPUT_ENDED = 2
EXIT_INTERRUPTED = 130

SKIP_WORDS = frozenset({"", "skip"})
YES_WORDS = frozenset({"y", "yes", "true"})
NO_WORDS = frozenset({"n", "no", "false"})
UNSURE_WORDS = frozenset({"unsure", "not sure", "don't know", "dont know", "?"})
NONE_WORDS = frozenset({"none", "nothing"})
MAX_ACTIVITY_TEXT = 200

BASIC_FACTS = (
    "person.age",
    "person.sex",
    "person.working",
    "person.occupation",
    "history.duration_days",
    "history.onset",
    "history.previous_episodes",
    "pain.leg_pain",
    "pain.leg_nprs",
    "pain.below_knee",
    "pain.shooting_narrow_band",
    "pain.paraesthesia",
    "pain.locations",
    "pain.night",
    "pain.constant",
)
"""About the person and the pain, in the order asked (facts missing from the vocabulary are left out)."""

LEG_PAIN_ONLY = frozenset({"pain.leg_nprs", "pain.shooting_narrow_band"})
"""Not asked when the person said they have no leg pain."""

SYMPTOM_FACTS = (
    "symptoms.aggravated_by",
    "symptoms.eased_by",
    "symptoms.morning_stiffness_minutes",
    "symptoms.settle_minutes",
    "symptoms.pattern_24h",
    "symptoms.catching",
    "symptoms.favours_one_leg",
    "symptoms.rotates_to_one_side",
    "lifestyle.sitting_hours_per_day",
    "lifestyle.sleep_hours",
    "lifestyle.sleep_quality",
    "lifestyle.stress",
    "lifestyle.activity_minutes_per_week",
    "lifestyle.work_ergonomics",
    "lifestyle.smoker",
)
"""Symptom behaviour and daily life, in the order asked."""

EXAM_PREFIXES = ("neuro.", "examination.")
QUESTIONNAIRE_ORDER = ("nprs", "odi", "start_back", "fabq", "tsk11", "rmdq", "psfs")
"""Shortest and most decisive first; any other questionnaire in the knowledge base follows."""

EXAM_GATE = "section.examination"


class InvalidAnswerError(Exception):
    """An answer that cannot be accepted: what was wrong and what is allowed."""

    def __init__(self, problem: str, allowed: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.allowed = allowed


class InputEndedError(Exception):
    """Standard input closed before the assessment was finished."""


class Prompter:
    """Writes questions and reads checked answers, one line at a time."""

    def __init__(self, console: Console, stdin: TextIO) -> None:
        self.console = console
        self.stdin = stdin
        self.echo = not _isatty(stdin)
        """Without a terminal nothing echoes the answer, so we do (a readable transcript)."""

    def say(self, text: str = "", style: str = "") -> None:
        self.console.print(Text(text, style=style))

    def ask(self, prompt: str, parse: Callable[[str], T]) -> T:
        """Ask until ``parse`` accepts the answer; raise InputEndedError at end of input."""
        while True:
            self.console.print(Text(f"{prompt} ", style="bold"), end="")
            self.console.file.flush()
            line = self.stdin.readline()
            if not line:
                self.console.print()
                raise InputEndedError
            text = line.strip()
            if self.echo:
                self.console.print(Text(text))
            try:
                return parse(text)
            except InvalidAnswerError as exc:
                self.say(f"  Not accepted: {exc.problem}. Allowed: {exc.allowed}.", "red")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class Session:
    """The answers so far: a partial intake, the questions done, and section choices."""

    intake: dict[str, object]
    done: list[str] = field(default_factory=list)
    sections: dict[str, bool] = field(default_factory=dict)
    """Whether the person chose to answer a questionnaire or the examination section."""
    path: Path | None = None

    def get(self, path: Where) -> object:
        node = _node(self.intake, path[:-1], create=False)
        return None if node is None else node.get(path[-1])

    def put(self, path: Where, value: Answer) -> None:
        """Store an answer; ``None`` (unanswered) is not written, so it stays unknown."""
        if value is not None:
            node = _node(self.intake, path[:-1], create=True)
            assert node is not None
            node[path[-1]] = value

    def record(self, key: str) -> None:
        """Mark a question done and save (when a save file was given)."""
        if key not in self.done:
            self.done.append(key)
        self.save()

    def save(self) -> None:
        if self.path is None:
            return
        state = {
            "format": SAVE_FORMAT,
            "version": SAVE_VERSION,
            "intake": self.intake,
            "done": self.done,
            "sections": self.sections,
        }
        write_atomic(self.path, dumps(state, indent=True) + b"\n")


def _node(root: dict[str, object], path: Sequence[str], *, create: bool) -> dict[str, object] | None:
    node = root
    for part in path:
        child = node.get(part)
        if not isinstance(child, dict):
            if not create:
                return None
            child = {}
            node[part] = child
        node = child
    return node


def _always(_: Session) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Step:
    """One question: its cursor key, how to ask it, where its answer goes, and when it applies."""

    key: str
    ask: Callable[[Prompter], Answer]
    store: Callable[[Session, Answer], None]
    applies: Callable[[Session], bool] = _always


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    intro: str
    steps: tuple[Step, ...]


def _put_at(path: Where) -> Callable[[Session, Answer], None]:
    def store(session: Session, value: Answer) -> None:
        session.put(path, value)

    return store


# --- parsing one typed answer --------------------------------------------------------


def _yes_no(text: str, *, skippable: bool = True, extra: Mapping[str, bool] | None = None) -> bool | None:
    word = text.lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    if extra and word in extra:
        return extra[word]
    if skippable and word in SKIP_WORDS:
        return None
    allowed = "yes or no" + (", or Enter to skip" if skippable else "")
    shown = repr(text) if text else "an empty answer"
    raise InvalidAnswerError(f"{shown} is not yes or no", allowed)


def _red_flag_answer(text: str) -> bool | None:
    """Yes or no; ``unsure`` leaves it unanswered. A safety question cannot be skipped by accident."""
    word = text.lower()
    if word in UNSURE_WORDS:
        return None
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    problem = "a safety question cannot be left out" if word in SKIP_WORDS else f"{text!r} is not yes or no"
    raise InvalidAnswerError(problem, "yes, no, or unsure if you cannot say")


def _choose(text: str) -> bool:
    """Whether to answer a questionnaire or section now (Enter skips it)."""
    answer = _yes_no(text)
    return bool(answer)


def _number(spec: FactSpec, text: str) -> int | float | None:
    if text.lower() in SKIP_WORDS:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidAnswerError(f"{text!r} is not a number", _number_range(spec)) from None
    if not math.isfinite(value):
        raise InvalidAnswerError(f"{text!r} is not a number", _number_range(spec))
    number: int | float = int(value) if value.is_integer() else value
    problem = spec.check_value(number)
    if problem:
        raise InvalidAnswerError(f"{text} {problem}", _number_range(spec))
    return number


def _number_range(spec: FactSpec) -> str:
    low = "" if spec.minimum is None else f"{spec.minimum:g}"
    high = "" if spec.maximum is None else f"{spec.maximum:g}"
    unit = f" {spec.unit}" if spec.unit else ""
    return f"a number from {low} to {high}{unit}, or Enter to skip"


def _pick(values: Sequence[str], text: str) -> str | None:
    """One value of a numbered list, by number or by name."""
    word = text.lower()
    if word in SKIP_WORDS:
        return None
    if word.isdigit() and 1 <= int(word) <= len(values):
        return values[int(word) - 1]
    if word in values:
        return word
    raise InvalidAnswerError(
        f"{text!r} is not one of the options",
        f"a number from 1 to {len(values)} or one of {', '.join(values)}, or Enter to skip",
    )


def _pick_many(values: Sequence[str], text: str) -> list[str] | None:
    """Several values of a numbered list: comma-separated numbers or names; ``none`` for none."""
    word = text.lower()
    if word in SKIP_WORDS:
        return None
    if word in NONE_WORDS:
        return []
    chosen: list[str] = []
    for part in (p.strip() for p in word.replace(";", ",").split(",")):
        if not part:
            continue
        if part.isdigit() and 1 <= int(part) <= len(values):
            value = values[int(part) - 1]
        elif part in values:
            value = part
        else:
            raise InvalidAnswerError(
                f"{part!r} is not one of the options",
                f"numbers from 1 to {len(values)} or names from the list, separated by commas; "
                "'none' if none apply; or Enter to skip",
            )
        if value not in chosen:
            chosen.append(value)
    return chosen


def _item_answer(item: Item, text: str) -> int | bool | None:
    if text.lower() in SKIP_WORDS:
        return None
    if item.type == "boolean":
        labels = {opt.label.lower(): bool(opt.value) for opt in item.answer_option}
        return _yes_no(text, extra=labels)
    try:
        value = int(text)
    except ValueError:
        raise InvalidAnswerError(
            f"{text!r} is not a whole number", f"{item.allowed()}, or Enter to skip"
        ) from None
    if item.option(value) is None:
        raise InvalidAnswerError(
            f"{value} is not an answer to this question", f"{item.allowed()}, or Enter to skip"
        )
    return value


def _activity_text(text: str) -> str | None:
    if text.lower() in SKIP_WORDS:
        return None
    if len(text) > MAX_ACTIVITY_TEXT:
        raise InvalidAnswerError(
            f"the text is {len(text)} characters long",
            f"up to {MAX_ACTIVITY_TEXT} characters, or Enter to skip",
        )
    return text


# --- building the questions ------------------------------------------------------------


def _enum_descriptions(vocab: Vocabulary, spec: FactSpec) -> Mapping[str, str]:
    """Descriptions of an enum fact's values when they come from a named enumeration."""
    for values in vocab.enumerations.values():
        if tuple(values) == spec.values:
            return values
    return {}


def _show_options(prompter: Prompter, values: Sequence[str], descriptions: Mapping[str, str]) -> None:
    width = len(str(len(values)))
    for number, value in enumerate(values, start=1):
        text = descriptions.get(value, "")
        prompter.say(f"  {number:>{width}}. {value}" + (f" - {text}" if text else ""))


def _fact_asker(vocab: Vocabulary, spec: FactSpec) -> Callable[[Prompter], Answer]:
    def ask(prompter: Prompter) -> Answer:
        prompter.say(spec.description)
        if spec.kind is FactKind.BOOL:
            return prompter.ask("Answer (yes / no, Enter to skip):", _yes_no)
        if spec.kind is FactKind.NUMBER:
            rng = _number_range(spec).removesuffix(", or Enter to skip")
            return prompter.ask(f"Answer ({rng}; Enter to skip):", lambda t: _number(spec, t))
        _show_options(prompter, spec.values, _enum_descriptions(vocab, spec))
        return prompter.ask("Answer (number or name; Enter to skip):", lambda t: _pick(spec.values, t))

    return ask


def _list_asker(description: str, values: Mapping[str, str]) -> Callable[[Prompter], Answer]:
    options = tuple(values)

    def ask(prompter: Prompter) -> Answer:
        prompter.say(description)
        _show_options(prompter, options, values)
        return prompter.ask(
            "Answer (numbers or names separated by commas, 'none', or Enter to skip):",
            lambda t: _pick_many(options, t),
        )

    return ask


def _fact_step(vocab: Vocabulary, fact_id: str, applies: Callable[[Session], bool] = _always) -> Step | None:
    """The question for one intake fact or list field, or None if the vocabulary lacks it."""
    path = tuple(fact_id.split("."))
    listed = vocab.lists.get(fact_id)
    if listed is not None:
        values = vocab.enumerations[listed.enumeration]
        return Step(fact_id, _list_asker(listed.description, values), _put_at(path), applies)
    spec = vocab.specs.get(fact_id)
    if spec is None or spec.origin != "intake":
        return None
    return Step(fact_id, _fact_asker(vocab, spec), _put_at(path), applies)


def _has_leg_pain(session: Session) -> bool:
    return session.get(("pain", "leg_pain")) != "none"


def _fact_steps(vocab: Vocabulary, fact_ids: Sequence[str]) -> tuple[Step, ...]:
    steps: list[Step] = []
    for fact_id in fact_ids:
        applies = _has_leg_pain if fact_id in LEG_PAIN_ONLY else _always
        step = _fact_step(vocab, fact_id, applies)
        if step is not None:
            steps.append(step)
    return tuple(steps)


def _red_flag_step(question: ScreenQuestion, number: int, total: int) -> Step:
    def ask(prompter: Prompter) -> Answer:
        prompter.say(f"Safety question {number} of {total}", "dim")
        prompter.say(question.text)
        if question.help:
            prompter.say(question.help, "dim")
        answer = prompter.ask("Answer (yes / no / unsure):", _red_flag_answer)
        if answer is None:
            prompter.say(
                "  Noted as not answered. A plan is only given once every safety question "
                "has a yes or no; a doctor or physiotherapist can help you answer it.",
                "yellow",
            )
        return answer

    return Step(f"red_flags.{question.id}", ask, _put_at(("red_flags", question.id)))


def _in_list(vocab: Vocabulary, fact_id: str) -> bool:
    """True for the per-value facts of a list field (given through the list, not one by one)."""
    return any(
        fact_id.startswith(li.prefix + ".")
        and fact_id.removeprefix(li.prefix + ".") in vocab.enumerations[li.enumeration]
        for li in vocab.lists.values()
    )


def _exam_fact_ids(vocab: Vocabulary) -> list[str]:
    ids = [
        fid
        for fid, spec in vocab.specs.items()
        if spec.origin == "intake" and fid.startswith(EXAM_PREFIXES) and not _in_list(vocab, fid)
    ]
    ids.extend(f for f in vocab.lists if f.startswith(EXAM_PREFIXES))
    return ids


def _gate_step(key: str, describe: Callable[[Prompter], None], question: str) -> Step:
    def ask(prompter: Prompter) -> Answer:
        describe(prompter)
        return prompter.ask(question, _choose)

    def store(session: Session, value: Answer) -> None:
        session.sections[key] = bool(value)

    return Step(key, ask, store)


def _chosen(key: str) -> Callable[[Session], bool]:
    def applies(session: Session) -> bool:
        return session.sections.get(key) is True

    return applies


def _questionnaire_steps(q: Questionnaire, number: int, total: int) -> tuple[Step, ...]:
    gate_key = f"questionnaires.{q.id}"

    def describe(prompter: Prompter) -> None:
        prompter.say(f"Questionnaire {number} of {total}: {q.name} ({len(q.items)} questions)", "bold")
        prompter.say(q.instructions)
        if q.recall_period:
            prompter.say(f"Time frame: {q.recall_period}", "dim")

    gate = _gate_step(gate_key, describe, "Answer it now? (yes, or Enter to skip it):")

    def start(session: Session, value: Answer) -> None:
        gate.store(session, value)
        if value:
            answers = _node(session.intake, ("questionnaires", q.id, "answers"), create=True)
            assert answers is not None

    steps = [Step(gate.key, gate.ask, start)]
    for position, item in enumerate(q.items, start=1):
        steps.append(
            Step(
                f"questionnaires.{q.id}.answers.{item.link_id}",
                _item_asker(q, item, position),
                _put_at(("questionnaires", q.id, "answers", item.link_id)),
                _item_applies(q, item, _chosen(gate_key)),
            )
        )
    return tuple(steps)


def _item_applies(
    q: Questionnaire, item: Item, chosen: Callable[[Session], bool]
) -> Callable[[Session], bool]:
    """Asked only when the questionnaire was chosen and no earlier answer switches it off."""

    def applies(session: Session) -> bool:
        if not chosen(session):
            return False
        cond = item.not_applicable_when
        if cond is None:
            return True
        given = session.get(("questionnaires", q.id, "answers", cond.question))
        return not (isinstance(given, bool) and given == cond.answer)

    return applies


def _item_asker(q: Questionnaire, item: Item, position: int) -> Callable[[Prompter], Answer]:
    def ask(prompter: Prompter) -> Answer:
        prompter.say(f"{q.name}, question {position} of {len(q.items)}", "dim")
        prompter.say(item.text)
        if item.type == "activity":
            return _ask_activity(prompter, item)
        if item.type == "boolean":
            labels = ", ".join(f"{'yes' if o.value else 'no'} = {o.label}" for o in item.answer_option)
            return prompter.ask(f"Answer ({labels}; Enter to skip):", lambda t: _item_answer(item, t))
        for opt in item.answer_option:
            shown = opt.label if opt.label.startswith(str(opt.value)) else f"{opt.value} - {opt.label}"
            if opt.label != str(opt.value):
                prompter.say(f"  {shown}")
        return prompter.ask(f"Answer ({item.allowed()}; Enter to skip):", lambda t: _item_answer(item, t))

    return ask


def _ask_activity(prompter: Prompter, item: Item) -> Answer:
    text = prompter.ask("Activity, in your own words (Enter to skip):", _activity_text)
    if text is None:
        return None
    score = prompter.ask(
        f"How well can you do it today? ({item.allowed()}; Enter to skip):",
        lambda t: _item_answer(item, t),
    )
    return None if score is None else {"activity": text, "score": score}


def _preference_steps() -> tuple[Step, ...]:
    minutes = FactSpec("preferences.session_minutes", FactKind.NUMBER, "", "minutes", 10, 45)
    days = FactSpec("preferences.days_per_week", FactKind.NUMBER, "", "days", 1, 7)

    def ask_minutes(prompter: Prompter) -> Answer:
        prompter.say("How many minutes can you give an exercise session?")
        return prompter.ask("Answer (10 to 45; Enter for 20):", lambda t: _whole(minutes, t))

    def ask_days(prompter: Prompter) -> Answer:
        prompter.say("On how many days a week can you exercise?")
        return prompter.ask("Answer (1 to 7; Enter for 5):", lambda t: _whole(days, t))

    equipment = dict.fromkeys(EQUIPMENT, "")
    return (
        Step("preferences.session_minutes", ask_minutes, _put_at(("preferences", "session_minutes"))),
        Step("preferences.days_per_week", ask_days, _put_at(("preferences", "days_per_week"))),
        Step(
            "preferences.equipment",
            _list_asker("Which of these do you have at hand?", equipment),
            _put_at(("preferences", "equipment")),
        ),
    )


def _whole(spec: FactSpec, text: str) -> int | None:
    value = _number(spec, text)
    if isinstance(value, float):
        raise InvalidAnswerError(f"{text} is not a whole number", _number_range(spec))
    return value


def build_sections(service: AssessmentService) -> tuple[Section, ...]:
    """Every question, in the order asked: red flags first."""
    kb = service.kb
    vocab = kb.vocabulary
    flags = kb.safety.questions
    red = tuple(_red_flag_step(q, n, len(flags)) for n, q in enumerate(flags, start=1))
    order = [qid for qid in QUESTIONNAIRE_ORDER if qid in kb.questionnaires]
    order += [qid for qid in kb.questionnaires if qid not in order]
    questionnaires = tuple(
        step
        for n, qid in enumerate(order, start=1)
        for step in _questionnaire_steps(kb.questionnaires[qid], n, len(order))
    )

    def describe_exam(prompter: Prompter) -> None:
        prompter.say(
            "If a clinician has examined you, or you have results of movement tests, "
            "you can enter the findings now. Leave out any test that was not done."
        )

    exam_gate = _gate_step(EXAM_GATE, describe_exam, "Enter examination findings? (yes, or Enter to skip):")
    exam = tuple(
        Step(s.key, s.ask, s.store, _chosen(EXAM_GATE)) for s in _fact_steps(vocab, _exam_fact_ids(vocab))
    )
    return (
        Section(
            "Safety questions",
            "First, questions about rare but serious causes of back pain that need a doctor "
            "rather than exercises. Please answer each one yes or no (or 'unsure').",
            red,
        ),
        Section("About you and your pain", "", _fact_steps(vocab, BASIC_FACTS)),
        Section("Questionnaires", "Each questionnaire, and each question, may be left out.", questionnaires),
        Section(
            "Symptoms and daily life",
            "What makes the pain worse or better, and how your days look.",
            _fact_steps(vocab, SYMPTOM_FACTS),
        ),
        Section("Examination findings (optional)", "", (exam_gate, *exam)),
        Section("Your exercise time", "", _preference_steps()),
    )


# --- running the assessment ------------------------------------------------------------


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


def _new_session(path: Path | None) -> Session:
    intake: dict[str, object] = {
        "schema_version": SCHEMA_VERSION,
        "case_id": "",
        "assessed_on": date.today().isoformat(),
    }
    return Session(intake=intake, path=path)


def load_session(path: Path, service: AssessmentService, save: Path | None) -> Session:
    """A session saved with --save; its intake is validated like any other."""
    data = read_json(path)
    not_saved = InputError(
        str(path),
        "is not a saved backmech interactive assessment",
        allowed="a file written by `backmech assess --save FILE`",
    )
    if not isinstance(data, dict) or data.get("format") != SAVE_FORMAT:
        raise not_saved
    if data.get("version") != SAVE_VERSION:
        raise InputError(f"{path}: version", f"unsupported version {data.get('version')!r}", allowed="1")
    intake, done, sections = data.get("intake"), data.get("done"), data.get("sections", {})
    if (
        not isinstance(intake, dict)
        or not isinstance(done, list)
        or not all(isinstance(k, str) for k in done)
        or not isinstance(sections, dict)
        or not all(isinstance(v, bool) for v in sections.values())
    ):
        raise not_saved
    try:
        service.read(intake)
    except InputError as exc:
        raise InputError(f"{path}: intake.{exc.field}", exc.problem, allowed=exc.allowed) from exc
    return Session(intake=intake, done=list(done), sections=dict(sections), path=save or path)


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
    """Run the interactive assessment on standard input (see the module docstring)."""
    from backmech.bootstrap import assessment_service

    service = assessment_service(knowledge)
    session = load_session(resume, service, save) if resume is not None else _new_session(save)
    console = Console(file=sys.stderr if as_json else sys.stdout, highlight=False, markup=False)
    prompter = Prompter(console, sys.stdin)
    _intro(prompter, session, resumed=resume is not None)
    try:
        result, stopped = Assessment(service, session, prompter).run()
    except InputEndedError:
        _gave_up(session, "input ended")
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
