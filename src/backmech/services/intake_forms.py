"""Reading one submitted screen, storing it in the draft, and showing a draft back.

Why separate from the screens: this is where untrusted form input meets the intake
document. A field name that is not on the screen is refused outright
(:class:`UnknownFieldError`, a tampered form); an answer that is missing or out of
range is reported per question (the page is shown again with the answers kept).
Storing is a pure function of (draft, screen, answers), so submitting the same
screen twice gives the same draft.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from backmech.domain.errors import BackmechError, InputError
from backmech.services.assessment import AssessmentService
from backmech.services.intake_model import WIZARD_KEY, Kind, Question, Step, Wizard, value_at
from backmech.services.intake_text import DURATION_UNITS

FormData = Mapping[str, Sequence[str]]
"""Submitted fields: name → every value sent under it (checkboxes repeat a name)."""

CONTROL_FIELDS = frozenset({"csrf_token", "return_to"})
MAX_TEXT = 200
UNSURE = "unsure"


class UnknownFieldError(BackmechError):
    """The form carried a field this screen does not ask: refused, nothing saved."""

    def __init__(self, name: str) -> None:
        super().__init__(
            "This form contained a question that is not on this page, so nothing was saved.",
            hint="Reload the page and answer the questions shown. Answers you saved before are kept.",
            detail=f"unexpected field {name[:80]!r}",
        )


@dataclass
class StepAnswers:
    """A checked screen: values to store (None = leave unanswered) and problems by question."""

    values: dict[str, object] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    raw: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def form_names(question: Question) -> tuple[str, ...]:
    if question.kind is Kind.DURATION:
        return (f"{question.name}.value", f"{question.name}.unit")
    if question.kind is Kind.ACTIVITY:
        return (f"{question.name}.activity", f"{question.name}.score")
    return (question.name,)


def _one(form: FormData, name: str) -> str:
    values = form.get(name) or []
    return values[-1].strip() if values else ""


def _number(question: Question, text: str) -> tuple[object, str]:
    if not text:
        return None, ("Please answer this question." if question.required else "")
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None, f"“{text[:20]}” is not a number. Type digits only, for example 30."
    if not math.isfinite(value):
        return None, "Please type an ordinary number."
    if question.integer and not value.is_integer():
        return None, "Please type a whole number."
    parsed: int | float = int(value) if value.is_integer() else value
    spec = question.spec
    if spec is not None:
        problem = spec.check_value(parsed)
        if problem:
            return None, f"{text} is not possible here: it {problem}."
    return parsed, ""


def _choice(question: Question, text: str) -> tuple[object, str]:
    allowed = {o.value for o in question.options}
    if not text:
        return None, ("Please choose one answer." if question.required else "")
    if text not in allowed:
        return None, "That answer is not one of the choices. Please choose one of those shown."
    if question.kind in (Kind.YES_NO,):
        return text == "yes", ""
    if question.kind is Kind.TRIAGE:
        return (UNSURE if text == UNSURE else text == "yes"), ""
    return (int(text) if question.values_typed == "int" else text), ""


def _duration(question: Question, form: FormData) -> tuple[object, str]:
    amount, unit = (_one(form, n) for n in form_names(question))
    units = {u: days for u, _, days in DURATION_UNITS}
    if not amount:
        return None, "Please give a rough number, for example 3 weeks."
    if unit not in units:
        return None, "Please choose days, weeks, months or years."
    try:
        value = float(amount.replace(",", "."))
    except ValueError:
        return None, f"“{amount[:20]}” is not a number. Type digits only, for example 3."
    if not math.isfinite(value) or value < 0:
        return None, "Please type a number of 0 or more."
    days = round(value * units[unit])
    if question.spec is not None and question.spec.check_value(days):
        return None, "That is longer than a lifetime. Please check the number and the unit."
    return {"days": days, "amount": amount, "unit": unit}, ""


def _activity(question: Question, form: FormData) -> tuple[object, str]:
    text, score = (_one(form, n) for n in form_names(question))
    if not text and not score:
        return None, ("Please name an activity and rate it." if question.required else "")
    if not text:
        return None, "Please name the activity you are rating."
    if len(text) > MAX_TEXT:
        return None, f"Please keep the activity under {MAX_TEXT} characters."
    if not score:
        return None, "Please rate how well you can do this activity today."
    if score not in {o.value for o in question.options}:
        return None, "That rating is not one of the choices."
    return {"activity": text, "score": int(score)}, ""


def read_step(step: Step, form: FormData) -> StepAnswers:
    """Check a submitted screen. Raises :class:`UnknownFieldError` for a field not on it."""
    allowed = {n for q in step.questions for n in form_names(q)}
    for name in form:
        if name not in allowed and name not in CONTROL_FIELDS:
            raise UnknownFieldError(name)
    answers = StepAnswers(raw={n: [str(v) for v in form.get(n, [])] for n in allowed})
    for q in step.questions:
        problem = ""
        value: object
        if q.kind is Kind.MULTI:
            chosen = [v for v in (form.get(q.name) or []) if v]
            known = {o.value for o in q.options}
            if any(v not in known for v in chosen):
                value, problem = (
                    None,
                    "One of the ticked answers is not on the list. Please tick from the list.",
                )
            else:
                value = [o.value for o in q.options if o.value in chosen]
        elif q.kind is Kind.NUMBER:
            value, problem = _number(q, _one(form, q.name))
        elif q.kind is Kind.DURATION:
            value, problem = _duration(q, form)
        elif q.kind is Kind.ACTIVITY:
            value, problem = _activity(q, form)
        else:
            value, problem = _choice(q, _one(form, q.name))
        if problem:
            answers.problems[q.name] = problem
        else:
            answers.values[q.name] = value
    return answers


def check_with_engine(service: AssessmentService, step: Step, answers: StepAnswers) -> None:
    """Let the intake reader check what this screen would store (e.g. preference limits)."""
    doc = apply_step({}, step, answers.values)
    doc.pop(WIZARD_KEY, None)
    try:
        service.read(doc)
    except InputError as exc:
        for q in step.questions:
            if exc.field == ".".join(q.path) or exc.field.startswith(".".join(q.path) + "."):
                answers.problems[q.name] = f"Not possible here. {exc.hint}".strip()
                return
        answers.problems[step.questions[0].name] = exc.user_message


def _set(doc: dict[str, Any], path: Sequence[str], value: object) -> None:
    node = doc
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            if value is None:
                return
            child = {}
            node[key] = child
        node = child
    if value is None:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value


def apply_step(data: Mapping[str, Any], step: Step, values: Mapping[str, object]) -> dict[str, Any]:
    """The draft with this screen's answers stored and the screen marked done."""
    doc: dict[str, Any] = copy.deepcopy(dict(data))
    meta = doc.setdefault(WIZARD_KEY, {})
    unsure = [u for u in meta.get("unsure", []) if isinstance(u, str)]
    typed: dict[str, Any] = dict(meta.get("typed", {}))
    for q in step.questions:
        value = values.get(q.name)
        if q.kind is Kind.TRIAGE:
            unsure = [u for u in unsure if u != q.name]
            if value == UNSURE:
                unsure.append(q.name)
                value = None
        elif q.kind is Kind.DURATION:
            if isinstance(value, Mapping):
                typed[q.name] = {"amount": value["amount"], "unit": value["unit"]}
                value = value["days"]
            else:
                typed.pop(q.name, None)
        elif q.kind is Kind.MULTI and q.path[0] != "preferences":
            # Several screens share one list (what makes it worse): keep the others' ticks.
            mine = {o.value for o in q.options}
            current = value_at(doc, q.path)
            kept = [v for v in current if v not in mine] if isinstance(current, list) else []
            value = kept + list(value) if isinstance(value, list) else kept
        _set(doc, q.path, value)
    meta["unsure"] = sorted(set(unsure))
    meta["typed"] = typed
    done = [d for d in meta.get("done", []) if isinstance(d, str) and d != step.id]
    meta["done"] = [*done, step.id]
    return doc


def shown_values(data: Mapping[str, Any], step: Step) -> dict[str, list[str]]:
    """What the form fields of ``step`` should show for a saved draft."""
    meta = data.get(WIZARD_KEY) if isinstance(data.get(WIZARD_KEY), Mapping) else {}
    assert isinstance(meta, Mapping)
    shown: dict[str, list[str]] = {}
    for q in step.questions:
        value = value_at(data, q.path)
        if q.kind is Kind.TRIAGE:
            if q.name in meta.get("unsure", []):
                shown[q.name] = [UNSURE]
            elif isinstance(value, bool):
                shown[q.name] = ["yes" if value else "no"]
        elif q.kind is Kind.DURATION:
            typed = meta.get("typed", {}).get(q.name)
            if isinstance(typed, Mapping):
                shown[f"{q.name}.value"] = [str(typed.get("amount", ""))]
                shown[f"{q.name}.unit"] = [str(typed.get("unit", ""))]
        elif q.kind is Kind.ACTIVITY:
            if isinstance(value, Mapping):
                shown[f"{q.name}.activity"] = [str(value.get("activity", ""))]
                shown[f"{q.name}.score"] = [str(value.get("score", ""))]
            elif isinstance(offered := meta.get("offered", {}).get(q.name), str):
                shown[f"{q.name}.activity"] = [offered]  # a reassessment: rate the same activity again
        elif q.kind is Kind.MULTI:
            if isinstance(value, list):
                shown[q.name] = [str(v) for v in value]
        elif isinstance(value, bool):
            shown[q.name] = ["yes" if value else "no"]
        elif value is not None:
            shown[q.name] = [f"{value:g}" if isinstance(value, float) else str(value)]
    return shown


def answer_text(step: Step, question: Question, shown: Mapping[str, Sequence[str]]) -> str:
    """One saved answer in words, for the review page."""
    if question.kind is Kind.DURATION:
        amount, unit = (shown.get(n, [""])[0] for n in form_names(question))
        return f"{amount} {unit}" if amount else "Not answered"
    if question.kind is Kind.ACTIVITY:
        text, score = (shown.get(n, [""])[0] for n in form_names(question))
        rating = {o.value: o.label for o in question.options}.get(score, score)
        return f"{text}: {rating}" if text else "Not answered"
    values = shown.get(question.name, [])
    if question.kind is Kind.MULTI:
        ticked = [o.label for o in question.options if o.value in values]
        return "; ".join(ticked) if ticked else "None of these"
    if not values:
        return "Not answered"
    labels = {o.value: o.label for o in question.options}
    return labels.get(values[0], values[0])


def intake_document(wizard: Wizard, data: Mapping[str, Any], case_id: str, today: dt.date) -> dict[str, Any]:
    """The intake the engine reads: answers of screens that still apply, no wizard state."""
    doc: dict[str, Any] = copy.deepcopy(dict(data))
    doc.pop(WIZARD_KEY, None)
    for step in wizard.steps:
        if not step.is_applicable(data):
            for q in step.questions:
                _set(doc, q.path, None)
    doc["schema_version"] = 1
    doc["case_id"] = case_id
    doc["assessed_on"] = today.isoformat()
    return {k: v for k, v in doc.items() if v != {}}
