"""The questions, in the order asked: each one a step with its prompt, its field and its condition."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from backmech.cli.interactive.answers import (
    Answer,
    Prompter,
    Where,
    activity_text,
    choose,
    enum_descriptions,
    item_answer,
    number,
    number_range,
    pick,
    pick_many,
    red_flag_answer,
    show_options,
    whole,
    yes_no,
)
from backmech.cli.interactive.session import Session, node
from backmech.domain.facts import FactKind, FactSpec, Vocabulary
from backmech.domain.intake import EQUIPMENT
from backmech.domain.questionnaires.model import Item, Questionnaire
from backmech.domain.safety.model import ScreenQuestion
from backmech.services.assessment import AssessmentService

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
    """A titled group of steps, announced before its first unanswered question."""

    title: str
    intro: str
    steps: tuple[Step, ...]


def _put_at(path: Where) -> Callable[[Session, Answer], None]:
    def store(session: Session, value: Answer) -> None:
        session.put(path, value)

    return store


def _fact_asker(vocab: Vocabulary, spec: FactSpec) -> Callable[[Prompter], Answer]:
    def ask(prompter: Prompter) -> Answer:
        prompter.say(spec.description)
        if spec.kind is FactKind.BOOL:
            return prompter.ask("Answer (yes / no, Enter to skip):", yes_no)
        if spec.kind is FactKind.NUMBER:
            rng = number_range(spec).removesuffix(", or Enter to skip")
            return prompter.ask(f"Answer ({rng}; Enter to skip):", lambda t: number(spec, t))
        show_options(prompter, spec.values, enum_descriptions(vocab, spec))
        return prompter.ask("Answer (number or name; Enter to skip):", lambda t: pick(spec.values, t))

    return ask


def _list_asker(description: str, values: Mapping[str, str]) -> Callable[[Prompter], Answer]:
    options = tuple(values)

    def ask(prompter: Prompter) -> Answer:
        prompter.say(description)
        show_options(prompter, options, values)
        return prompter.ask(
            "Answer (numbers or names separated by commas, 'none', or Enter to skip):",
            lambda t: pick_many(options, t),
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


def _red_flag_step(question: ScreenQuestion, index: int, total: int) -> Step:
    def ask(prompter: Prompter) -> Answer:
        prompter.say(f"Safety question {index} of {total}", "dim")
        prompter.say(question.text)
        if question.help:
            prompter.say(question.help, "dim")
        answer = prompter.ask("Answer (yes / no / unsure):", red_flag_answer)
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
        return prompter.ask(question, choose)

    def store(session: Session, value: Answer) -> None:
        session.sections[key] = bool(value)

    return Step(key, ask, store)


def _chosen(key: str) -> Callable[[Session], bool]:
    def applies(session: Session) -> bool:
        return session.sections.get(key) is True

    return applies


def _questionnaire_steps(q: Questionnaire, index: int, total: int) -> tuple[Step, ...]:
    gate_key = f"questionnaires.{q.id}"

    def describe(prompter: Prompter) -> None:
        prompter.say(f"Questionnaire {index} of {total}: {q.name} ({len(q.items)} questions)", "bold")
        prompter.say(q.instructions)
        if q.recall_period:
            prompter.say(f"Time frame: {q.recall_period}", "dim")

    gate = _gate_step(gate_key, describe, "Answer it now? (yes, or Enter to skip it):")

    def start(session: Session, value: Answer) -> None:
        gate.store(session, value)
        if value:
            answers = node(session.intake, ("questionnaires", q.id, "answers"), create=True)
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
            return prompter.ask(f"Answer ({labels}; Enter to skip):", lambda t: item_answer(item, t))
        for opt in item.answer_option:
            shown = opt.label if opt.label.startswith(str(opt.value)) else f"{opt.value} - {opt.label}"
            if opt.label != str(opt.value):
                prompter.say(f"  {shown}")
        return prompter.ask(f"Answer ({item.allowed()}; Enter to skip):", lambda t: item_answer(item, t))

    return ask


def _ask_activity(prompter: Prompter, item: Item) -> Answer:
    text = prompter.ask("Activity, in your own words (Enter to skip):", activity_text)
    if text is None:
        return None
    score = prompter.ask(
        f"How well can you do it today? ({item.allowed()}; Enter to skip):",
        lambda t: item_answer(item, t),
    )
    return None if score is None else {"activity": text, "score": score}


def _preference_steps() -> tuple[Step, ...]:
    minutes = FactSpec("preferences.session_minutes", FactKind.NUMBER, "", "minutes", 10, 45)
    days = FactSpec("preferences.days_per_week", FactKind.NUMBER, "", "days", 1, 7)

    def ask_minutes(prompter: Prompter) -> Answer:
        prompter.say("How many minutes can you give an exercise session?")
        return prompter.ask("Answer (10 to 45; Enter for 20):", lambda t: whole(minutes, t))

    def ask_days(prompter: Prompter) -> Answer:
        prompter.say("On how many days a week can you exercise?")
        return prompter.ask("Answer (1 to 7; Enter for 5):", lambda t: whole(days, t))

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
