"""Scoring answers to a questionnaire exactly as its published rules say.

``score(questionnaire, answers)`` is a pure function. ``answers`` maps ``link_id`` to
the value as decoded from JSON:

* boolean items (RMDQ statements, STarT Back items 1-8, FABQ ``in_work``): ``true`` /
  ``false`` (``true`` = "applies" / "agree");
* choice items: the integer value of an option (ODI 0-5, NPRS 0-10, FABQ 0-6,
  TSK-11 1-4, STarT Back bothersomeness 0-4 in printed order). For the ODI a list of
  integers is also accepted for a section where two statements were ticked: the
  higher one is recorded (Fairbank & Pynsent 2000);
* activity items (PSFS ``activity_1`` … ``activity_5``): an object
  ``{"activity": "<the person's words>", "score": 0-10}``;
* ``null`` or an absent key: unanswered. What that means is the instrument's rule
  (the ODI lowers its denominator; most others withhold the affected score).

Unknown link_ids, wrong types and out-of-range values raise
:class:`~backmech.domain.errors.ScoringError` whose field is
``questionnaires.<qid>.answers.<link_id>`` and whose hint lists the allowed values.

With no answers every value is ``None``: a score is never invented as zero.

Example::

    s = score(odi, {"pain_intensity": 2, "lifting": 3, ...})
    s.values["percent"], s.bands["percent"].id, s.complete
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field

from backmech.domain.errors import ScoringError
from backmech.domain.questionnaires.model import (
    AnswerOption,
    Band,
    Cutoff,
    Item,
    Output,
    Questionnaire,
)
from backmech.domain.records import record

ScoreValue = float | int | str | None

MAX_ACTIVITY_TEXT = 200
"""Longest PSFS activity text kept (a form limit, not a clinical number)."""


def _empty_mapping() -> Mapping[str, int]:
    return {}


def _empty_texts() -> Mapping[str, str]:
    return {}


@record
class CutoffResult:
    """Whether one published cut-off holds for a computed output value."""

    output: str
    cutoff: Cutoff
    holds: bool


@record
class QuestionnaireScore:
    """The result of scoring one completed (or partly completed) form.

    ``values`` holds every output id (None when it cannot be scored); ``bands`` only
    the outputs that have a value and bands. ``complete`` is True when every output
    was scored under the instrument's rule (an output that does not apply, such as
    FABQ-W for a person without a job, does not make a score incomplete).
    ``missing_items`` lists required items left unanswered (including any the rule
    tolerates). ``answers`` keeps each accepted answer as a number (booleans as 0/1,
    choices by value, PSFS activities by rating) and ``activities`` the PSFS texts,
    so the same activities can be re-rated at follow-up. The mappings are plain
    dicts (so a score pickles for a worker queue) and must be treated as read-only.
    """

    questionnaire: str
    values: Mapping[str, ScoreValue]
    bands: Mapping[str, Band]
    complete: bool
    missing_items: tuple[str, ...]
    notes: tuple[str, ...]
    answers: Mapping[str, int] = field(default_factory=_empty_mapping)
    activities: Mapping[str, str] = field(default_factory=_empty_texts)
    cutoffs: tuple[CutoffResult, ...] = ()
    not_applicable: tuple[str, ...] = ()

    @property
    def flags(self) -> tuple[CutoffResult, ...]:
        """The cut-offs that hold (for display, each with its source)."""
        return tuple(c for c in self.cutoffs if c.holds)


def score(questionnaire: Questionnaire, answers: Mapping[str, object]) -> QuestionnaireScore:
    """Score ``answers`` by the published rules of ``questionnaire`` (see module doc)."""
    q = questionnaire
    if not isinstance(answers, Mapping):
        raise ScoringError(
            f"questionnaires.{q.id}.answers",
            "must be an object mapping item ids to answers",
            allowed=", ".join(it.link_id for it in q.items),
        )
    notes: list[str] = []
    chosen: dict[str, AnswerOption] = {}
    activities: dict[str, str] = {}
    for link_id, raw in answers.items():
        item = q.item(link_id) if isinstance(link_id, str) else None
        if item is None:
            raise ScoringError(
                _field(q, str(link_id)),
                f"is not an item of the {q.name}",
                allowed="the item ids " + ", ".join(it.link_id for it in q.items),
            )
        if raw is None:
            continue
        option, text = _read_answer(q, item, raw, notes)
        chosen[item.link_id] = option
        if text is not None:
            activities[item.link_id] = text

    not_applicable = _not_applicable(q, chosen)
    for link_id in [i for i in chosen if i in not_applicable]:
        del chosen[link_id]
        activities.pop(link_id, None)
        notes.append(f"{link_id}: answer ignored because the item does not apply.")

    missing = tuple(
        it.link_id
        for it in q.items
        if it.required and it.link_id not in not_applicable and it.link_id not in chosen
    )
    if not chosen:
        notes.append("No answers were given, so nothing is scored.")

    values: dict[str, ScoreValue] = {}
    bands: dict[str, Band] = {}
    cutoffs: list[CutoffResult] = []
    complete = bool(chosen)
    for out in q.outputs:
        value, scored_by_rule = _compute(q, out, chosen, not_applicable, values, notes)
        values[out.id] = value
        complete = complete and scored_by_rule
        if isinstance(value, int | float):
            band = out.band_for(value)
            if band is not None:
                bands[out.id] = band
                if out.band_note:
                    notes.append(f"{out.id}: {out.band_note}")
            cutoffs.extend(CutoffResult(out.id, c, c.holds(value)) for c in out.cutoffs)

    return QuestionnaireScore(
        questionnaire=q.id,
        values=values,
        bands=bands,
        complete=complete,
        missing_items=missing,
        notes=tuple(notes),
        answers={k: _as_number(v) for k, v in chosen.items()},
        activities=activities,
        cutoffs=tuple(cutoffs),
        not_applicable=tuple(it.link_id for it in q.items if it.link_id in not_applicable),
    )


def _field(q: Questionnaire, link_id: str) -> str:
    return f"questionnaires.{q.id}.answers.{link_id}"


def _as_number(option: AnswerOption) -> int:
    """An answer as a number fact: booleans as 0/1, choices by their value."""
    return int(option.value)


def _read_answer(
    q: Questionnaire, item: Item, raw: object, notes: list[str]
) -> tuple[AnswerOption, str | None]:
    """Check one answer against its item; return the chosen option and any text."""
    kind = type(raw)
    if (kind is int or kind is bool) and item.type != "activity":
        # Fast path: a well-formed answer is one dictionary look-up; anything else
        # (floats, lists of ticks, wrong types, out of range) takes the checks below.
        option = item.option(raw)  # type: ignore[arg-type]
        if option is not None:
            return option, None
    where = _field(q, item.link_id)
    if item.type == "boolean":
        if not isinstance(raw, bool):
            raise ScoringError(where, f"must be true or false, not {raw!r}", allowed=item.allowed())
        return _option(item, raw, where), None
    if item.type == "activity":
        return _read_activity(item, raw, where)
    if isinstance(raw, list | tuple) and q.multiple_ticks == "highest":
        if not raw:
            raise ScoringError(where, "is an empty list of ticks", allowed=item.allowed())
        options = [_option(item, _whole_number(item, v, where), where) for v in raw]
        best = max(options, key=lambda o: o.score)
        if len(options) > 1:
            notes.append(
                f"{item.link_id}: several statements were ticked; the higher one "
                f"({best.value}) is recorded, as the published scoring rule says."
            )
        return best, None
    return _option(item, _whole_number(item, raw, where), where), None


def _read_activity(item: Item, raw: object, where: str) -> tuple[AnswerOption, str]:
    """A PSFS entry: ``{"activity": text, "score": 0-10}``; the text is kept."""
    if not isinstance(raw, Mapping) or set(raw) != {"activity", "score"}:
        raise ScoringError(
            where,
            f"must be an object with exactly the keys 'activity' and 'score', not {raw!r}",
            allowed=item.allowed(),
        )
    text = raw["activity"]
    if not isinstance(text, str) or not text.strip():
        raise ScoringError(where, "needs the activity named in words", allowed=item.allowed())
    if len(text.strip()) > MAX_ACTIVITY_TEXT:
        raise ScoringError(
            where,
            f"activity text is longer than {MAX_ACTIVITY_TEXT} characters",
            allowed=item.allowed(),
        )
    option = _option(item, _whole_number(item, raw["score"], where), where)
    return option, text.strip()


def _whole_number(item: Item, raw: object, where: str) -> int:
    """An integer answer; integral floats (3.0) are accepted, booleans are not."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ScoringError(where, f"must be a whole number, not {raw!r}", allowed=item.allowed())
    if isinstance(raw, float):
        if not raw.is_integer():
            raise ScoringError(where, f"must be a whole number, not {raw!r}", allowed=item.allowed())
        return int(raw)
    return raw


def _option(item: Item, value: int | bool, where: str) -> AnswerOption:
    option = item.option(value)
    if option is None:
        raise ScoringError(where, f"{value!r} is not an allowed answer", allowed=item.allowed())
    return option


def _not_applicable(q: Questionnaire, chosen: Mapping[str, AnswerOption]) -> set[str]:
    """Items switched off by another answer (FABQ work items when not in work)."""
    off: set[str] = set()
    for it in q.items:
        cond = it.not_applicable_when
        if cond is None:
            continue
        given = chosen.get(cond.question)
        if given is not None and isinstance(given.value, bool) and given.value == cond.answer:
            off.add(it.link_id)
    return off


def _compute(
    q: Questionnaire,
    out: Output,
    chosen: Mapping[str, AnswerOption],
    not_applicable: set[str],
    values: Mapping[str, ScoreValue],
    notes: list[str],
) -> tuple[ScoreValue, bool]:
    """One output's value and whether it was scored under the instrument's rule."""
    if out.method == "risk":
        return _risk(out, values, notes, anything_answered=bool(chosen))

    relevant = [i for i in out.items if i not in not_applicable]
    if not relevant:
        notes.append(f"{out.id}: does not apply to this person, so it is not scored.")
        return None, True
    answered = [i for i in relevant if i in chosen]
    missing = [i for i in relevant if i not in chosen and _required(q, i)]
    if not answered:
        if chosen:
            notes.append(f"{out.id}: not scored; none of its items was answered.")
        return None, False
    rule = out.missing
    scored_by_rule = True
    if len(missing) > rule.max_missing:
        listed = ", ".join(missing)
        if rule.beyond == "withhold":
            notes.append(
                f"{out.id}: not scored; {len(missing)} item(s) unanswered ({listed}). "
                f"{rule.explanation}".strip()
            )
            return None, False
        notes.append(
            f"{out.id}: computed from the answered items but incomplete; {len(missing)} "
            f"item(s) unanswered ({listed}). {rule.explanation}".strip()
        )
        scored_by_rule = False
    elif missing:
        notes.append(
            f"{out.id}: scored with {len(missing)} unanswered item(s) ({', '.join(missing)}), "
            f"as the rule allows. {rule.explanation}".strip()
        )

    scores = [chosen[i].score for i in answered]
    value: ScoreValue
    if out.method == "item":
        value = scores[0]
    elif out.method == "sum":
        value = sum(scores)
    elif out.method == "mean":
        value = sum(scores) / len(scores)
    else:  # percent: the denominator is the maximum of the answered items only
        maximum = sum(_max_score(q, i) for i in answered)
        value = sum(scores) * 100 / maximum
    return value, scored_by_rule


def _risk(
    out: Output, values: Mapping[str, ScoreValue], notes: list[str], *, anything_answered: bool
) -> tuple[ScoreValue, bool]:
    rule = out.risk_rule
    if rule is None:  # the loader guarantees a rule; keep the function total
        return None, False
    total = values.get(rule.total)
    subscale = values.get(rule.subscale)
    if not isinstance(total, int) or not isinstance(subscale, int):
        if anything_answered:
            notes.append(
                f"{out.id}: not assigned because {rule.total} and {rule.subscale} must both be scored first."
            )
        return None, False
    return rule.group(total, subscale), True


def _required(q: Questionnaire, link_id: str) -> bool:
    item = q.item(link_id)
    return item is not None and item.required


def _max_score(q: Questionnaire, link_id: str) -> int:
    item = q.item(link_id)
    return item.max_score if item is not None else 0
