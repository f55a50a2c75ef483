"""Validated questionnaires as data: items, answer options, outputs, bands and change values.

A questionnaire is loaded from YAML (``knowledge/questionnaires/*.yaml``) and scored by
the pure functions of :mod:`backmech.domain.questionnaires.scoring`. Names follow the
FHIR Questionnaire resource (``link_id``, ``text``, ``answer_option``) so an export to
FHIR is one-to-one.

Invariants (checked by the loader, relied on here):

* every band, change value, cut-off and risk rule carries a ``source`` id that exists
  in the bibliography;
* the bands of a number output are ordered and contiguous: the first covers
  ``minimum <= x <= maximum``, each later one ``previous.maximum < x <= maximum``, and
  together they cover the output range without gaps or overlaps. Inclusive upper
  bounds are what the ODI needs once a skipped section makes the percentage
  fractional (clinical.md 1.2);
* outputs are computed in order, so a derived output (the STarT Back risk group)
  only refers to outputs listed before it.

Item wording is paraphrased; the licensed forms must be used for the real wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from backmech.domain.types import SourceId

ItemType = Literal["boolean", "choice", "activity"]
"""``boolean``: yes/no or agree/disagree; ``choice``: one ordinal option given as an
integer; ``activity``: a PSFS entry, an activity text plus a 0-10 rating."""

ScoringMethod = Literal["item", "sum", "mean", "percent", "risk"]
"""How an output is computed (a closed set; no formula is ever read from a file).

* ``item``: the score of its one item;
* ``sum``: the sum of its item scores;
* ``mean``: the mean of its answered item scores;
* ``percent``: answered item scores ÷ the maximum possible for the answered items × 100
  (the ODI rule: each skipped section lowers the denominator by its maximum);
* ``risk``: a group from two earlier outputs by a :class:`RiskRule` (STarT Back).
"""

MissingPolicy = Literal["withhold", "flag"]
"""Beyond the allowed number of missing items: ``withhold`` gives no value;
``flag`` computes the value but marks the score incomplete."""

CutoffOperator = Literal["<", "<=", ">", ">="]


@dataclass(frozen=True, slots=True)
class AnswerOption:
    """One allowed answer: the value a client sends, its label, and what it scores.

    For most items ``score`` equals ``value``; the STarT Back bothersomeness item is
    the exception (its five options score 0, 0, 0, 1, 1; Hill 2008).
    """

    value: int | bool
    label: str
    score: int

    @property
    def text(self) -> str:
        """The label under the name FHIR uses for displayed text (``item.text``)."""
        return self.label


@dataclass(frozen=True, slots=True)
class NotApplicableWhen:
    """An item does not apply when another (boolean) item was answered ``answer``.

    Used for the FABQ work items, which do not apply to a person without a job
    (clinical.md 1.5). When ``question`` is unanswered the item still applies.
    """

    question: str
    answer: bool


@dataclass(frozen=True, slots=True)
class Item:
    """One question of a form.

    ``number`` is the position on the published form (``None`` for helper items that
    are not part of the instrument, such as the FABQ "in work" question);
    ``construct`` names what the item measures, so rules never depend on positions.
    ``required`` items count as missing when unanswered.
    """

    link_id: str
    text: str
    type: ItemType
    answer_option: tuple[AnswerOption, ...]
    number: int | None = None
    construct: str = ""
    required: bool = True
    not_applicable_when: NotApplicableWhen | None = None
    _options: dict[tuple[object, int | bool], AnswerOption] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    """Options by (type, value), built once: every answer is looked up here."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_options", {(type(o.value), o.value): o for o in self.answer_option})

    def option(self, value: int | bool) -> AnswerOption | None:
        """The option with this value, or None (a bool never matches an int option)."""
        return self._options.get((type(value), value))

    @property
    def min_score(self) -> int:
        return min(opt.score for opt in self.answer_option)

    @property
    def max_score(self) -> int:
        return max(opt.score for opt in self.answer_option)

    def allowed(self) -> str:
        """The accepted answers in words, for error messages."""
        if self.type == "boolean":
            return "true or false"
        values = sorted(int(opt.value) for opt in self.answer_option)
        if values == list(range(values[0], values[-1] + 1)):
            span = f"a whole number from {values[0]} to {values[-1]}"
        else:
            span = "one of " + ", ".join(str(v) for v in values)
        if self.type == "activity":
            return f'an object {{"activity": "<text>", "score": {span}}}'
        return span


@dataclass(frozen=True, slots=True)
class Band:
    """An interpretation band of a number output (see the module invariants)."""

    id: str
    label: str
    minimum: float | None
    maximum: float | None
    meaning: str
    source: SourceId


@dataclass(frozen=True, slots=True)
class ChangeThreshold:
    """The minimal important change: improved if either is reached (Ostelo 2008).

    ``points`` is an absolute change on the output's scale, ``percent`` a change
    relative to baseline; either may be None when no value is published.
    """

    points: float | None
    percent: float | None
    source: SourceId


@dataclass(frozen=True, slots=True)
class ChangeValue:
    """Another published change statistic (MDC, MID of a given size, SEM)."""

    id: str
    label: str
    points: float
    source: SourceId


@dataclass(frozen=True, slots=True)
class Cutoff:
    """A published cut-off on an output, e.g. FABQ-PA > 14 (George 2008).

    A cut-off is a flag, not a band: it need not cover the range, and several may
    apply at once.
    """

    id: str
    label: str
    operator: CutoffOperator
    value: float
    meaning: str
    source: SourceId

    def holds(self, score: float) -> bool:
        if self.operator == "<":
            return score < self.value
        if self.operator == "<=":
            return score <= self.value
        if self.operator == ">":
            return score > self.value
        return score >= self.value


@dataclass(frozen=True, slots=True)
class MissingRule:
    """How many missing items an output tolerates, and what happens beyond.

    ``explanation`` says whether the rule is published or a conservative choice,
    and is repeated in the score's notes whenever the rule is applied.
    """

    max_missing: int = 0
    beyond: MissingPolicy = "withhold"
    explanation: str = ""
    source: SourceId = ""


@dataclass(frozen=True, slots=True)
class RiskRule:
    """The Keele STarT Back grouping (Hill 2008; Keele scoring guidance).

    low when ``total <= low_max_total``; high when ``subscale >= high_min_subscale``;
    otherwise medium. (A subscale that high implies a total above the low limit.)
    """

    total: str
    subscale: str
    low_max_total: int
    high_min_subscale: int
    source: SourceId

    def group(self, total: int, subscale: int) -> str:
        if subscale >= self.high_min_subscale:
            return "high"
        if total <= self.low_max_total:
            return "low"
        return "medium"


@dataclass(frozen=True, slots=True)
class Output:
    """One score of a questionnaire (ODI percent, FABQ work subscale, SBST risk group).

    ``minimum``/``maximum`` bound number outputs (None for enums); ``values`` lists
    the enum values; ``higher_is_worse`` gives the direction of change (False for
    the PSFS). ``decimals`` is for display only: values are stored exact.
    """

    id: str
    kind: Literal["number", "enum"]
    description: str
    minimum: float | None
    maximum: float | None
    values: tuple[str, ...]
    bands: tuple[Band, ...]
    mcid: ChangeThreshold | None
    higher_is_worse: bool
    method: ScoringMethod = "sum"
    items: tuple[str, ...] = ()
    missing: MissingRule = MissingRule()
    risk_rule: RiskRule | None = None
    cutoffs: tuple[Cutoff, ...] = ()
    change_values: tuple[ChangeValue, ...] = ()
    decimals: int = 0
    band_note: str = ""
    """Shown with the bands, e.g. that the TSK-11 categories are descriptive only."""

    def band_for(self, value: float) -> Band | None:
        """The band holding ``value`` (inclusive upper bounds), or None out of range."""
        if not self.bands or self.minimum is None or value < self.minimum:
            return None
        for band in self.bands:
            if band.maximum is None or value <= band.maximum:
                return band
        return None

    def display(self, value: float | int | str | None) -> str:
        """Text for a value: ``decimals`` places with normal (half-up) rounding.

        The ODI example of 16 points with one section skipped is 35.555… %, shown
        as ``35.6`` with ``decimals=1`` (clinical.md 1.2).
        """
        if value is None:
            return "—"
        if isinstance(value, str):
            return value
        exponent = Decimal(1).scaleb(-self.decimals)
        return str(Decimal(repr(float(value))).quantize(exponent, rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class Questionnaire:
    """A validated instrument: its items, outputs and provenance.

    ``multiple_ticks`` is ``"highest"`` where the published rule says to record the
    higher of two ticked statements (ODI; Fairbank & Pynsent 2000), so a client may
    send a list of values for one item; otherwise a list is rejected.
    """

    id: str
    name: str
    version: str
    recall_period: str
    instructions: str
    items: tuple[Item, ...]
    outputs: tuple[Output, ...]
    primary_output: str
    source: SourceId
    licence_note: str
    loinc: str
    """LOINC code of the instrument's score, '' when none is known."""
    multiple_ticks: Literal["reject", "highest"] = "reject"
    answer_format: str = ""
    """How a client sends answers (documented in the YAML; shown in API docs)."""

    _index: dict[str, Item] = field(init=False, repr=False, compare=False, default_factory=dict)
    """Items by link_id, built once: scoring looks every answer up by id."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {it.link_id: it for it in self.items})

    def item(self, link_id: str) -> Item | None:
        return self._index.get(link_id)

    def output(self, output_id: str) -> Output | None:
        for out in self.outputs:
            if out.id == output_id:
                return out
        return None
