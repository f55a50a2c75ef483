"""The intake wizard's building blocks: questions, screens and the ordered wizard.

A draft is the intake document being built plus a ``_wizard`` key (screens done,
safety questions answered "not sure", values as typed) that is stripped before
assessment. The wizard answers the navigation questions every page needs: which
screens apply to these answers, where to resume, and which screens may be opened
(none past the first unanswered one, so the safety screen always comes first).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from backmech.domain.facts import FactSpec

WIZARD_KEY = "_wizard"


class Kind(StrEnum):
    """How a question is answered on the page."""

    TRIAGE = "triage"  # yes / no / not sure (a safety question)
    YES_NO = "yes_no"
    CHOICE = "choice"  # one of listed options (radio)
    NUMBER = "number"
    MULTI = "multi"  # any of listed options (checkboxes)
    DURATION = "duration"  # a number and a unit (days, weeks, months, years)
    ACTIVITY = "activity"  # PSFS: an activity in own words and a 0-10 rating


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Question:
    """One question on a screen: its form field name, how it is answered, where it goes."""

    name: str
    """Form field name, stable for browser tests (e.g. ``red_flags.fever``, ``odi.lifting``)."""
    kind: Kind
    label: str
    path: tuple[str, ...]
    """Keys from the intake root to the value."""
    help: str = ""
    options: tuple[Option, ...] = ()
    required: bool = True
    spec: FactSpec | None = None
    integer: bool = False
    values_typed: str = "str"
    """For CHOICE: ``int`` or ``bool`` when the stored value is not the option string."""

    @property
    def dom_id(self) -> str:
        return "q-" + self.name.replace(".", "-")


@dataclass(frozen=True, slots=True)
class Step:
    """One screen."""

    id: str
    section: str
    title: str
    intro: str
    questions: tuple[Question, ...]
    applies: Callable[[Mapping[str, object]], bool] | None = None
    questionnaire: str = ""

    def is_applicable(self, data: Mapping[str, object]) -> bool:
        return self.applies is None or self.applies(data)

    def question(self, name: str) -> Question | None:
        for q in self.questions:
            if q.name == name:
                return q
        return None


REVIEW = Step("review", "Check and finish", "Check your answers", "", ())


def value_at(data: Mapping[str, object], path: Sequence[str]) -> object:
    node: object = data
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


@dataclass(frozen=True)
class Wizard:
    """All screens in order (the review last)."""

    steps: tuple[Step, ...]

    def step(self, step_id: str) -> Step | None:
        for s in self.steps:
            if s.id == step_id:
                return s
        return None

    def applicable(self, data: Mapping[str, object]) -> list[Step]:
        return [s for s in self.steps if s.is_applicable(data)]

    def done(self, data: Mapping[str, object]) -> set[str]:
        meta = data.get(WIZARD_KEY)
        done = meta.get("done") if isinstance(meta, Mapping) else None
        return {str(d) for d in done} if isinstance(done, list) else set()

    def first_open(self, data: Mapping[str, object]) -> Step:
        """Where to resume: the first applicable screen not yet answered (the review at the end)."""
        done = self.done(data)
        for s in self.applicable(data):
            if s.id not in done:
                return s
        return self.steps[-1]

    def neighbours(self, data: Mapping[str, object], step: Step) -> tuple[Step | None, Step | None]:
        shown = self.applicable(data)
        if step not in shown:
            return None, None
        at = shown.index(step)
        return (shown[at - 1] if at else None), (shown[at + 1] if at + 1 < len(shown) else None)

    def reachable(self, data: Mapping[str, object], step: Step) -> bool:
        """A screen may be opened once every screen before it is answered (safety first)."""
        shown = self.applicable(data)
        return step in shown and shown.index(step) <= shown.index(self.first_open(data))
