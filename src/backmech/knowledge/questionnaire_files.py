"""Questionnaire files: ``questionnaires/<id>.yaml``, one validated instrument each.

Checks beyond the schema, each failing with the file and key:

* the file name is the questionnaire id; link_ids, item numbers and output ids are
  unique; ``not_applicable_when`` names an earlier boolean item;
* answer options fit the item type (booleans are exactly true/false; choices are
  distinct integers);
* each output's method fits its shape, and its declared range equals the range its
  items can produce (a typo in a list of items cannot go unnoticed);
* bands cover the output range without gaps or overlaps (inclusive upper bounds:
  the first band holds ``minimum..maximum``, each later one ``(previous.maximum,
  maximum]``), cut-offs lie inside the range;
* every band, MCID, change value, cut-off, risk rule and missing-item rule names a
  known source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt

from backmech.domain.errors import KnowledgeError
from backmech.domain.questionnaires.model import (
    AnswerOption,
    Band,
    ChangeThreshold,
    ChangeValue,
    Cutoff,
    Item,
    MissingRule,
    NotApplicableWhen,
    Output,
    Questionnaire,
    RiskRule,
)
from backmech.knowledge.files import (
    SourceChecker,
    StrictModel,
    parse,
    read_yaml,
    relative,
    yaml_files,
)

IdStr = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
"""Ids become parts of fact ids (``score.odi.percent.band``): lower case and underscores."""

RISK_GROUPS = ("low", "medium", "high")


class OptionEntry(StrictModel):
    value: StrictBool | StrictInt
    label: str = Field(min_length=1)
    score: StrictInt | None = None
    """Defaults to the value (booleans: true = 1, false = 0)."""


class NotApplicableEntry(StrictModel):
    question: IdStr
    answer: StrictBool


class ItemEntry(StrictModel):
    link_id: IdStr
    number: int | None = Field(default=None, ge=1)
    text: str = Field(min_length=3)
    type: Literal["boolean", "choice", "activity"]
    measures: str = Field(default="", alias="construct")
    """YAML key ``construct`` (renamed here: BaseModel already has a ``construct``)."""
    required: bool = True
    options: list[OptionEntry] | None = None
    answer_set: IdStr | None = None
    not_applicable_when: NotApplicableEntry | None = None


class BandEntry(StrictModel):
    id: IdStr
    label: str = Field(min_length=1)
    minimum: float
    maximum: float
    meaning: str = Field(min_length=3)
    source: str


class ChangeThresholdEntry(StrictModel):
    points: float | None = Field(default=None, gt=0)
    percent: float | None = Field(default=None, gt=0, le=100)
    source: str


class ChangeValueEntry(StrictModel):
    id: IdStr
    label: str = Field(min_length=3)
    points: float = Field(gt=0)
    source: str


class CutoffEntry(StrictModel):
    id: IdStr
    label: str = Field(min_length=3)
    operator: Literal["<", "<=", ">", ">="]
    value: float
    meaning: str = Field(min_length=3)
    source: str


class MissingEntry(StrictModel):
    max_missing: int = Field(default=0, ge=0)
    beyond: Literal["withhold", "flag"] = "withhold"
    explanation: str = Field(min_length=10)
    source: str = ""


class RiskRuleEntry(StrictModel):
    total: IdStr
    subscale: IdStr
    low_max_total: int
    high_min_subscale: int
    source: str


class OutputEntry(StrictModel):
    id: IdStr
    kind: Literal["number", "enum"] = "number"
    description: str = Field(min_length=3)
    method: Literal["item", "sum", "mean", "percent", "risk"]
    items: list[IdStr] = Field(default_factory=list)
    minimum: float | None = None
    maximum: float | None = None
    values: list[IdStr] = Field(default_factory=list)
    higher_is_worse: bool = True
    decimals: int = Field(default=0, ge=0, le=3)
    bands: list[BandEntry] = Field(default_factory=list)
    band_note: str = ""
    mcid: ChangeThresholdEntry | None = None
    change_values: list[ChangeValueEntry] = Field(default_factory=list)
    cutoffs: list[CutoffEntry] = Field(default_factory=list)
    missing: MissingEntry | None = None
    risk_rule: RiskRuleEntry | None = None


class QuestionnaireFile(StrictModel):
    id: IdStr
    name: str = Field(min_length=3)
    version: str = Field(min_length=1)
    recall_period: str = Field(min_length=3)
    instructions: str = Field(min_length=10)
    answer_format: str = Field(min_length=10)
    source: str
    licence_note: str = Field(min_length=3)
    loinc: str = Field(default="", pattern=r"^(\d{1,7}-\d)?$")
    loinc_source: str = ""
    multiple_ticks: Literal["reject", "highest"] = "reject"
    answer_sets: dict[IdStr, list[OptionEntry]] = Field(default_factory=dict)
    items: list[ItemEntry] = Field(min_length=1)
    outputs: list[OutputEntry] = Field(min_length=1)
    primary_output: IdStr


def load_questionnaires(directory: Path, root: Path, sources: SourceChecker) -> dict[str, Questionnaire]:
    """Every questionnaire by id, validated as the module docstring describes."""
    found: dict[str, Questionnaire] = {}
    for path in yaml_files(directory):
        where = relative(path, root)
        doc = parse(QuestionnaireFile, read_yaml(path, root), where)
        if doc.id != path.stem:
            raise KnowledgeError(f"{where}: id", f"is {doc.id!r} but the file is {path.name}")
        found[doc.id] = _build(doc, where, sources)
    if not found:
        raise KnowledgeError(relative(directory, root), "holds no questionnaires")
    return found


def _build(doc: QuestionnaireFile, where: str, sources: SourceChecker) -> Questionnaire:
    sources.check(doc.source, f"{where}: source")
    if doc.loinc:
        sources.check(doc.loinc_source, f"{where}: loinc_source")
    items = _items(doc, where)
    outputs: list[Output] = []
    for entry in doc.outputs:
        loc = f"{where}: outputs.{entry.id}"
        if any(o.id == entry.id for o in outputs):
            raise KnowledgeError(loc, "duplicate output id")
        outputs.append(_output(entry, loc, items, outputs, sources))
    if not any(o.id == doc.primary_output for o in outputs):
        raise KnowledgeError(
            f"{where}: primary_output",
            f"names unknown output {doc.primary_output!r}",
            hint="Known outputs: " + ", ".join(o.id for o in outputs) + ".",
        )
    return Questionnaire(
        id=doc.id,
        name=doc.name,
        version=doc.version,
        recall_period=doc.recall_period,
        instructions=doc.instructions,
        items=tuple(items.values()),
        outputs=tuple(outputs),
        primary_output=doc.primary_output,
        source=doc.source,
        licence_note=doc.licence_note,
        loinc=doc.loinc,
        multiple_ticks=doc.multiple_ticks,
        answer_format=doc.answer_format,
    )


def _items(doc: QuestionnaireFile, where: str) -> dict[str, Item]:
    items: dict[str, Item] = {}
    numbers: set[int] = set()
    for entry in doc.items:
        loc = f"{where}: items.{entry.link_id}"
        if entry.link_id in items:
            raise KnowledgeError(loc, "duplicate link_id")
        if entry.number is not None:
            if entry.number in numbers:
                raise KnowledgeError(f"{loc}.number", f"item number {entry.number} is used twice")
            numbers.add(entry.number)
        not_applicable = None
        if entry.not_applicable_when is not None:
            cond = entry.not_applicable_when
            other = items.get(cond.question)
            if other is None or other.type != "boolean":
                raise KnowledgeError(
                    f"{loc}.not_applicable_when.question",
                    f"must name an earlier boolean item, not {cond.question!r}",
                )
            not_applicable = NotApplicableWhen(cond.question, cond.answer)
        items[entry.link_id] = Item(
            link_id=entry.link_id,
            text=entry.text,
            type=entry.type,
            answer_option=_options(doc, entry, loc),
            number=entry.number,
            construct=entry.measures,
            required=entry.required,
            not_applicable_when=not_applicable,
        )
    return items


def _options(doc: QuestionnaireFile, entry: ItemEntry, loc: str) -> tuple[AnswerOption, ...]:
    if (entry.options is None) == (entry.answer_set is None):
        raise KnowledgeError(loc, "needs exactly one of 'options' or 'answer_set'")
    if entry.answer_set is not None:
        if entry.answer_set not in doc.answer_sets:
            raise KnowledgeError(
                f"{loc}.answer_set",
                f"names unknown answer set {entry.answer_set!r}",
                hint="Known sets: " + ", ".join(sorted(doc.answer_sets)) + ".",
            )
        raw = doc.answer_sets[entry.answer_set]
    else:
        raw = entry.options or []
    key = f"{loc}.options"
    values = [opt.value for opt in raw]
    if entry.type == "boolean":
        if not all(isinstance(v, bool) for v in values) or sorted(values) != [False, True]:
            raise KnowledgeError(key, "a boolean item needs exactly the options true and false")
    else:
        if any(isinstance(v, bool) for v in values) or len(values) < 2:
            raise KnowledgeError(key, f"a {entry.type} item needs at least two integer options")
        if len(set(values)) != len(values):
            raise KnowledgeError(key, "option values must be distinct")
    return tuple(
        AnswerOption(
            value=opt.value,
            label=opt.label,
            score=int(opt.value) if opt.score is None else opt.score,
        )
        for opt in raw
    )


def _output(
    entry: OutputEntry,
    loc: str,
    items: dict[str, Item],
    earlier: list[Output],
    sources: SourceChecker,
) -> Output:
    risk_rule = None
    if entry.method == "risk":
        risk_rule = _risk_rule(entry, loc, earlier, sources)
    else:
        _check_items(entry, loc, items)
    if entry.kind == "enum":
        _check_enum(entry, loc)
    else:
        _check_range(entry, loc, items)
    bands = _bands(entry, loc, sources)
    mcid = None
    if entry.mcid is not None:
        if entry.mcid.points is None and entry.mcid.percent is None:
            raise KnowledgeError(f"{loc}.mcid", "needs points, percent or both")
        source = sources.check(entry.mcid.source, f"{loc}.mcid.source")
        mcid = ChangeThreshold(entry.mcid.points, entry.mcid.percent, source)
    _unique([cv.id for cv in entry.change_values], f"{loc}.change_values")
    change_values = tuple(
        ChangeValue(
            cv.id,
            cv.label,
            cv.points,
            sources.check(cv.source, f"{loc}.change_values.{cv.id}.source"),
        )
        for cv in entry.change_values
    )
    missing = MissingRule()
    if entry.missing is not None:
        m = entry.missing
        if m.max_missing > len(entry.items):
            raise KnowledgeError(f"{loc}.missing.max_missing", "is more than the output's items")
        if m.source:
            sources.check(m.source, f"{loc}.missing.source")
        missing = MissingRule(m.max_missing, m.beyond, m.explanation, m.source)
    elif entry.method != "risk":
        raise KnowledgeError(
            f"{loc}.missing",
            "is required: say what happens when items are unanswered and whether that is "
            "published or a conservative choice",
        )
    return Output(
        id=entry.id,
        kind=entry.kind,
        description=entry.description,
        minimum=entry.minimum,
        maximum=entry.maximum,
        values=tuple(entry.values),
        bands=bands,
        mcid=mcid,
        higher_is_worse=entry.higher_is_worse,
        method=entry.method,
        items=tuple(entry.items),
        missing=missing,
        risk_rule=risk_rule,
        cutoffs=_cutoffs(entry, loc, sources),
        change_values=change_values,
        decimals=entry.decimals,
        band_note=entry.band_note,
    )


def _unique(ids: list[str], loc: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise KnowledgeError(f"{loc}.{i}", "duplicate id")
        seen.add(i)


def _check_items(entry: OutputEntry, loc: str, items: dict[str, Item]) -> None:
    if entry.risk_rule is not None:
        raise KnowledgeError(f"{loc}.risk_rule", f"only a 'risk' output has one, not {entry.method!r}")
    if not entry.items:
        raise KnowledgeError(f"{loc}.items", f"a {entry.method!r} output needs items")
    if entry.method == "item" and len(entry.items) != 1:
        raise KnowledgeError(f"{loc}.items", "an 'item' output takes exactly one item")
    _unique(entry.items, f"{loc}.items")
    for link_id in entry.items:
        if link_id not in items:
            raise KnowledgeError(f"{loc}.items", f"names unknown item {link_id!r}")


def _check_enum(entry: OutputEntry, loc: str) -> None:
    if entry.method != "risk":
        raise KnowledgeError(f"{loc}.kind", f"a {entry.method!r} output is a number")
    if not entry.values:
        raise KnowledgeError(f"{loc}.values", "an enum output needs its values")
    for key in ("minimum", "maximum", "mcid", "missing"):
        if getattr(entry, key) is not None:
            raise KnowledgeError(f"{loc}.{key}", "does not apply to an enum output")
    for key in ("bands", "cutoffs", "change_values"):
        if getattr(entry, key):
            raise KnowledgeError(f"{loc}.{key}", "does not apply to an enum output")


def _check_range(entry: OutputEntry, loc: str, items: dict[str, Item]) -> None:
    if entry.values:
        raise KnowledgeError(f"{loc}.values", "only an enum output lists values")
    if entry.method == "risk":
        raise KnowledgeError(f"{loc}.kind", "a 'risk' output is an enum")
    if entry.minimum is None or entry.maximum is None:
        raise KnowledgeError(loc, "a number output needs minimum and maximum")
    members = [items[i] for i in entry.items]
    lows = [i.min_score for i in members]
    highs = [i.max_score for i in members]
    if entry.method == "percent":
        expected = (0.0, 100.0)
    elif entry.method == "sum":
        expected = (float(sum(lows)), float(sum(highs)))
    else:
        expected = (float(min(lows)), float(max(highs)))
    if (entry.minimum, entry.maximum) != expected:
        raise KnowledgeError(
            f"{loc}.minimum",
            f"range {entry.minimum:g}-{entry.maximum:g} does not match what its items give "
            f"({expected[0]:g}-{expected[1]:g})",
        )


def _risk_rule(entry: OutputEntry, loc: str, earlier: list[Output], sources: SourceChecker) -> RiskRule:
    rule = entry.risk_rule
    if rule is None:
        raise KnowledgeError(f"{loc}.risk_rule", "a 'risk' output needs its rule")
    if entry.kind != "enum" or tuple(entry.values) != RISK_GROUPS:
        raise KnowledgeError(f"{loc}.values", f"a 'risk' output is an enum of {', '.join(RISK_GROUPS)}")
    if entry.items:
        raise KnowledgeError(f"{loc}.items", "a 'risk' output is computed from outputs, not items")
    for key, ref in (("total", rule.total), ("subscale", rule.subscale)):
        out = next((o for o in earlier if o.id == ref), None)
        if out is None or out.kind != "number" or out.method != "sum":
            raise KnowledgeError(f"{loc}.risk_rule.{key}", f"must name an earlier sum output, not {ref!r}")
    return RiskRule(
        rule.total,
        rule.subscale,
        rule.low_max_total,
        rule.high_min_subscale,
        sources.check(rule.source, f"{loc}.risk_rule.source"),
    )


def _bands(entry: OutputEntry, loc: str, sources: SourceChecker) -> tuple[Band, ...]:
    """Bands must tile [minimum, maximum] with inclusive upper bounds, in order."""
    bands: list[Band] = []
    _unique([b.id for b in entry.bands], f"{loc}.bands")
    for k, b in enumerate(entry.bands):
        key = f"{loc}.bands.{b.id}"
        sources.check(b.source, f"{key}.source")
        if k == 0:
            if b.minimum != entry.minimum:
                raise KnowledgeError(
                    f"{key}.minimum",
                    f"the first band must start at the output minimum {entry.minimum:g}",
                )
            if b.maximum < b.minimum:
                raise KnowledgeError(f"{key}.maximum", "is below the band minimum")
        else:
            previous = entry.bands[k - 1]
            ends = f"band {previous.id!r} ends at {previous.maximum:g}"
            if b.minimum > previous.maximum:
                raise KnowledgeError(
                    f"{key}.minimum",
                    f"leaves a gap ({ends}); bands use inclusive upper bounds, so the next "
                    "band must start at the number where the previous one ends",
                )
            if b.minimum < previous.maximum:
                raise KnowledgeError(f"{key}.minimum", f"overlaps the previous band ({ends})")
            if b.maximum <= b.minimum:
                raise KnowledgeError(f"{key}.maximum", "must be above the band minimum")
        bands.append(Band(b.id, b.label, b.minimum, b.maximum, b.meaning, b.source))
    if bands and bands[-1].maximum != entry.maximum:
        raise KnowledgeError(
            f"{loc}.bands.{bands[-1].id}.maximum",
            f"the last band must end at the output maximum {entry.maximum:g}",
        )
    return tuple(bands)


def _cutoffs(entry: OutputEntry, loc: str, sources: SourceChecker) -> tuple[Cutoff, ...]:
    _unique([c.id for c in entry.cutoffs], f"{loc}.cutoffs")
    cutoffs: list[Cutoff] = []
    for c in entry.cutoffs:
        key = f"{loc}.cutoffs.{c.id}"
        if c.id == "band":
            raise KnowledgeError(f"{key}", "'band' is reserved for the band fact")
        sources.check(c.source, f"{key}.source")
        low, high = entry.minimum, entry.maximum
        if low is None or high is None or not low <= c.value <= high:
            raise KnowledgeError(f"{key}.value", f"{c.value:g} is outside the output range")
        cutoffs.append(Cutoff(c.id, c.label, c.operator, c.value, c.meaning, c.source))
    return tuple(cutoffs)
