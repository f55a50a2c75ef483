"""The patient's intake as a sequence of small screens, built from the knowledge base.

Why a model of steps rather than templates full of questions: the same list drives
the order, the progress bar, resuming at the first open step, checking a submitted
form (an unknown field is refused), the review page and the final intake document.

Order: the safety screen first (every red-flag question, grouped by category into
small screens), then about you and your pain, the questionnaires one small screen
at a time, what makes the pain worse or better, daily life, exercise time, review.
Only facts the engine reads are asked. Question wording comes from the knowledge
base; the screen titles and answer labels written here are plain-language framing.

The building blocks live in :mod:`backmech.services.intake_model`, the fact screens
in :mod:`backmech.services.intake_screens`; this module adds the safety and
questionnaire screens and puts everything in order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from backmech.domain.questionnaires.model import Item, Questionnaire
from backmech.domain.safety.model import ScreenQuestion
from backmech.services.assessment import AssessmentService
from backmech.services.intake_model import REVIEW, Kind, Option, Question, Step, Wizard, value_at
from backmech.services.intake_screens import about_steps, daily_steps, preference_step, symptom_steps
from backmech.services.intake_text import QUESTIONNAIRE_CHUNK, QUESTIONNAIRE_ORDER, SAFETY_TITLES

MAX_SAFETY_PER_SCREEN = 5

OPTIONAL_ITEMS = frozenset({("odi", "sex_life"), ("psfs", "activity_2"), ("psfs", "activity_3")})
"""Items the form itself lets a person leave out: the ODI section "leave out if it does not
apply"; PSFS activities beyond the first ("at least three if you can"; fewer is scored and
marked incomplete)."""


def _chunks(items: Sequence[ScreenQuestion], size: int) -> list[list[ScreenQuestion]]:
    """Even chunks of at most ``size`` (6 → 3 + 3, not 5 + 1)."""
    count = -(-len(items) // size)
    per = -(-len(items) // count)
    return [list(items[i : i + per]) for i in range(0, len(items), per)]


def _safety_steps(questions: Sequence[ScreenQuestion]) -> list[Step]:
    by_category: dict[str, list[ScreenQuestion]] = {}
    for q in questions:
        by_category.setdefault(q.category, []).append(q)
    steps: list[Step] = []
    for category, qs in by_category.items():
        parts = _chunks(qs, MAX_SAFETY_PER_SCREEN)
        for n, part in enumerate(parts, start=1):
            title = SAFETY_TITLES.get(category, category.replace("_", " ").capitalize())
            suffix = f"-{n}" if len(parts) > 1 else ""
            steps.append(
                Step(
                    id=f"safety-{category.replace('_', '-')}{suffix}",
                    section="Safety questions",
                    title=title + (f" ({n} of {len(parts)})" if len(parts) > 1 else ""),
                    intro="These questions check for rare but serious causes of back pain that need "
                    "a doctor rather than exercises. Answer yes, no, or not sure.",
                    questions=tuple(
                        Question(
                            name=f"red_flags.{q.id}",
                            kind=Kind.TRIAGE,
                            label=q.text,
                            help=q.help,
                            path=("red_flags", q.id),
                            options=(Option("yes", "Yes"), Option("no", "No"), Option("unsure", "Not sure")),
                        )
                        for q in part
                    ),
                )
            )
    return steps


def _item_question(q: Questionnaire, item: Item) -> Question:
    required = item.required and (q.id, item.link_id) not in OPTIONAL_ITEMS
    name = f"{q.id}.{item.link_id}"
    path = ("questionnaires", q.id, "answers", item.link_id)
    if item.type == "activity":
        options = tuple(Option(str(o.value), o.label) for o in item.answer_option)
        return Question(name, Kind.ACTIVITY, item.text, path, "", options, required)
    if item.type == "boolean":
        options = tuple(
            Option("yes" if o.value else "no", o.label)
            for o in sorted(item.answer_option, key=lambda o: not o.value)
        )
        return Question(name, Kind.YES_NO, item.text, path, "", options, required)
    options = tuple(Option(str(o.value), o.label) for o in item.answer_option)
    return Question(name, Kind.CHOICE, item.text, path, "", options, required, values_typed="int")


def _item_applies(q: Questionnaire, items: Sequence[Item]) -> Callable[[Mapping[str, object]], bool] | None:
    conds = [i.not_applicable_when for i in items if i.not_applicable_when is not None]
    if not conds or len(conds) < len(items):
        return None

    def applies(data: Mapping[str, object]) -> bool:
        for cond in conds:
            given = value_at(data, ("questionnaires", q.id, "answers", cond.question))
            if not (isinstance(given, bool) and given == cond.answer):
                return True
        return False

    return applies


def _questionnaire_steps(q: Questionnaire, number: int, total: int) -> list[Step]:
    size = QUESTIONNAIRE_CHUNK.get(q.id, 4)
    groups: list[list[Item]] = []
    for item in q.items:
        depends = item.not_applicable_when.question if item.not_applicable_when else None
        current = groups[-1] if groups else None
        if (
            current is None
            or len(current) >= size
            or (depends is not None and any(i.link_id == depends for i in current))
            or (current[-1].not_applicable_when is None) != (item.not_applicable_when is None)
        ):
            groups.append([item])
        else:
            current.append(item)
    steps = []
    for n, group in enumerate(groups, start=1):
        part = f" (part {n} of {len(groups)})" if len(groups) > 1 else ""
        steps.append(
            Step(
                id=f"{q.id.replace('_', '-')}-{n}" if len(groups) > 1 else q.id.replace("_", "-"),
                section=f"Questionnaire {number} of {total}: {q.name}",
                title=q.name + part,
                intro=q.instructions if n == 1 else "",
                questions=tuple(_item_question(q, item) for item in group),
                applies=_item_applies(q, group),
                questionnaire=q.id,
            )
        )
    return steps


def build_wizard(service: AssessmentService) -> Wizard:
    """Every screen, in order: safety first, review last."""
    kb = service.kb
    vocab = kb.vocabulary
    order = [qid for qid in QUESTIONNAIRE_ORDER if qid in kb.questionnaires]
    order += [qid for qid in kb.questionnaires if qid not in order]
    questionnaires = [
        step
        for n, qid in enumerate(order, start=1)
        for step in _questionnaire_steps(kb.questionnaires[qid], n, len(order))
    ]
    steps = [
        *_safety_steps(kb.safety.questions),
        *about_steps(vocab),
        *questionnaires,
        *symptom_steps(vocab),
        *daily_steps(vocab),
        preference_step(),
        REVIEW,
    ]
    return Wizard(tuple(steps))
