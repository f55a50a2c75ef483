"""The screens about the person, the pain, what provokes and eases it, daily life and exercise time.

Only facts the engine reads are asked (mechanism, safety and plan rules); the
vocabulary supplies each fact's range and each list value's meaning, and
:mod:`backmech.services.intake_text` the everyday titles and labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from backmech.domain.facts import Vocabulary
from backmech.domain.intake import EQUIPMENT
from backmech.services.intake_model import Kind, Option, Question, Step, value_at
from backmech.services.intake_text import AGGRAVATING_GROUPS, EASING_GROUPS, ENUM_LABELS, EQUIPMENT_LABELS


def _enum(vocab: Vocabulary, fact_id: str, label: str, help: str = "", required: bool = True) -> Question:
    spec = vocab.specs[fact_id]
    labels = ENUM_LABELS.get(fact_id, {})
    options = tuple(Option(v, labels.get(v, v.replace("_", " ").capitalize())) for v in spec.values)
    return Question(fact_id, Kind.CHOICE, label, tuple(fact_id.split(".")), help, options, required, spec)


def _number(
    vocab: Vocabulary,
    fact_id: str,
    label: str,
    help: str = "",
    *,
    required: bool = False,
    integer: bool = False,
) -> Question:
    spec = vocab.specs[fact_id]
    return Question(fact_id, Kind.NUMBER, label, tuple(fact_id.split(".")), help, (), required, spec, integer)


def _yes_no(vocab: Vocabulary, fact_id: str, label: str, help: str = "") -> Question:
    spec = vocab.specs[fact_id]
    options = (Option("yes", "Yes"), Option("no", "No"))
    return Question(fact_id, Kind.YES_NO, label, tuple(fact_id.split(".")), help, options, True, spec)


def _multi(vocab: Vocabulary, field: str, label: str, values: Sequence[str], help: str = "") -> Question:
    listed = vocab.lists[field]
    meanings = vocab.enumerations[listed.enumeration]
    options = tuple(Option(v, meanings[v]) for v in values if v in meanings)
    return Question(field, Kind.MULTI, label, tuple(field.split(".")), help, options, False)


def _has_leg_pain(data: Mapping[str, object]) -> bool:
    leg = value_at(data, ("pain", "leg_pain"))
    return isinstance(leg, str) and leg != "none"


def about_steps(vocab: Vocabulary) -> list[Step]:
    section = "About you and your pain"
    return [
        Step(
            "about-you",
            section,
            "About you",
            "A few facts about you. Some safety checks depend on age.",
            (
                _number(vocab, "person.age", "How old are you?", "In years.", required=True, integer=True),
                _enum(vocab, "person.sex", "What is your sex?", "Asked because some risks differ."),
                _enum(vocab, "person.occupation", "What is your main kind of work?"),
            ),
        ),
        Step(
            "your-pain",
            section,
            "Your back pain",
            "",
            (
                Question(
                    "history.duration",
                    Kind.DURATION,
                    "How long ago did this bout of back pain start?",
                    ("history", "duration_days"),
                    "A rough answer is fine.",
                    spec=vocab.specs["history.duration_days"],
                ),
                _enum(vocab, "pain.night", "Does the pain affect your nights?"),
                _multi(
                    vocab,
                    "pain.locations",
                    "Where do you feel the pain? Tick all that apply.",
                    tuple(vocab.enumerations[vocab.lists["pain.locations"].enumeration]),
                ),
            ),
        ),
        Step(
            "legs",
            section,
            "Your legs",
            "",
            (
                _enum(vocab, "pain.leg_pain", "Do you have pain in a leg?"),
                _yes_no(
                    vocab, "pain.paraesthesia", "Do you have pins and needles or numbness in a leg or foot?"
                ),
            ),
        ),
        Step(
            "leg-pain",
            section,
            "Your leg pain",
            "",
            (
                _number(
                    vocab,
                    "pain.leg_nprs",
                    "How bad is your leg pain right now, from 0 (none) to 10 (worst imaginable)?",
                    required=True,
                    integer=True,
                ),
                _yes_no(vocab, "pain.below_knee", "Does the pain or tingling reach below the knee?"),
                _yes_no(
                    vocab,
                    "pain.shooting_narrow_band",
                    "Is the leg pain sharp, shooting or electric, running in a narrow line?",
                ),
            ),
            applies=_has_leg_pain,
        ),
    ]


def symptom_steps(vocab: Vocabulary) -> list[Step]:
    section = "What makes it worse or better"
    steps = []
    for slug, title, values in AGGRAVATING_GROUPS:
        steps.append(
            Step(
                f"worse-{slug}",
                section,
                title,
                "Tick everything that usually makes your back pain worse. Leave the rest unticked.",
                (_multi(vocab, "symptoms.aggravated_by", "This makes my pain worse:", values),),
            )
        )
    for slug, title, values in EASING_GROUPS:
        steps.append(
            Step(
                f"better-{slug}",
                section,
                title,
                "Tick everything that usually eases your back pain. Leave the rest unticked.",
                (_multi(vocab, "symptoms.eased_by", "This eases my pain:", values),),
            )
        )
    steps.append(
        Step(
            "stiffness",
            section,
            "Stiffness and flare-ups",
            "",
            (
                _number(
                    vocab,
                    "symptoms.morning_stiffness_minutes",
                    "After you get up, for how many minutes does your back feel stiff?",
                    "Type 0 if it is not stiff. Leave it empty if you are not sure.",
                    integer=True,
                ),
                _number(
                    vocab,
                    "symptoms.settle_minutes",
                    "When something has stirred up the pain, about how many minutes does it take to settle?",
                    "Leave it empty if you are not sure.",
                    integer=True,
                ),
                _yes_no(
                    vocab, "symptoms.catching", "Does your back catch, lock or give way with some movements?"
                ),
                _yes_no(
                    vocab, "symptoms.favours_one_leg", "Do you usually stand with more weight on one leg?"
                ),
            ),
        )
    )
    return steps


def daily_steps(vocab: Vocabulary) -> list[Step]:
    section = "Your daily life"
    skip = "Leave it empty if you are not sure."
    return [
        Step(
            "day",
            section,
            "Work and activity",
            "",
            (
                _enum(vocab, "lifestyle.work_ergonomics", "Which best describes your working day?"),
                _number(
                    vocab,
                    "lifestyle.sitting_hours_per_day",
                    "On a usual day, about how many hours do you sit?",
                    skip,
                ),
                _number(
                    vocab,
                    "lifestyle.activity_minutes_per_week",
                    "In a usual week, about how many minutes are you active enough to breathe faster?",
                    "Brisk walking, cycling, sport, heavy gardening. " + skip,
                    integer=True,
                ),
            ),
        ),
        Step(
            "sleep-stress",
            section,
            "Sleep and stress",
            "",
            (
                _number(
                    vocab,
                    "lifestyle.sleep_hours",
                    "About how many hours do you sleep on a usual night?",
                    skip,
                ),
                _enum(vocab, "lifestyle.sleep_quality", "How well do you usually sleep?"),
                _number(
                    vocab,
                    "lifestyle.stress",
                    "How stressed have you been in the last 2 weeks, from 0 (not at all) to 10 (extremely)?",
                    skip,
                    integer=True,
                ),
                _yes_no(vocab, "lifestyle.smoker", "Do you smoke?"),
            ),
        ),
    ]


def preference_step() -> Step:
    return Step(
        "exercise-time",
        "Your exercise time",
        "Time and equipment",
        "Your plan is built to fit your week.",
        (
            Question(
                "preferences.session_minutes",
                Kind.NUMBER,
                "How many minutes can you give one exercise session?",
                ("preferences", "session_minutes"),
                "Leave it empty for the usual length.",
                integer=True,
                required=False,
            ),
            Question(
                "preferences.days_per_week",
                Kind.NUMBER,
                "On how many days a week can you exercise?",
                ("preferences", "days_per_week"),
                "Leave it empty for the usual number.",
                integer=True,
                required=False,
            ),
            Question(
                "preferences.equipment",
                Kind.MULTI,
                "Which of these do you have at home? Tick all that apply.",
                ("preferences", "equipment"),
                "",
                tuple(Option(e, EQUIPMENT_LABELS.get(e, e)) for e in EQUIPMENT),
                required=False,
            ),
        ),
    )
