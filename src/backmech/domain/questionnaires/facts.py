"""Questionnaire scores as facts, so rules can test them like any other fact.

Fact ids (all ``origin="score"`` except the answers):

* ``score.<qid>.<output>``: the output value (number, or enum such as the STarT
  Back risk group);
* ``score.<qid>.<output>.band``: the band id, for outputs with bands;
* ``score.<qid>.<output>.<cutoff>``: true when a published cut-off holds
  (e.g. ``score.fabq.physical_activity.elevated`` for FABQ-PA > 14);
* ``answer.<qid>.<link_id>`` (``origin="answer"``): one item's answer as a number,
  booleans as 0/1, choices by their value, PSFS activities by their rating, so a
  rule can test a single item such as the STarT Back fear item.

An output that could not be scored gives no fact at all: an absent fact is
unknown, never zero or false.
"""

from __future__ import annotations

from backmech.domain.facts import FactKind, FactSpec
from backmech.domain.questionnaires.model import Item, Questionnaire
from backmech.domain.questionnaires.scoring import QuestionnaireScore
from backmech.domain.types import FactValue


def score_fact_specs(q: Questionnaire) -> list[FactSpec]:
    """The facts a score of ``q`` can produce, for the rule vocabulary."""
    specs: list[FactSpec] = []
    for out in q.outputs:
        base = f"score.{q.id}.{out.id}"
        if out.kind == "enum":
            specs.append(
                FactSpec(
                    id=base,
                    kind=FactKind.ENUM,
                    description=f"{q.name}: {out.description}",
                    values=out.values,
                    origin="score",
                )
            )
        else:
            specs.append(
                FactSpec(
                    id=base,
                    kind=FactKind.NUMBER,
                    description=f"{q.name}: {out.description}",
                    unit="%" if out.method == "percent" else "points",
                    minimum=out.minimum,
                    maximum=out.maximum,
                    origin="score",
                )
            )
        if out.bands:
            specs.append(
                FactSpec(
                    id=f"{base}.band",
                    kind=FactKind.ENUM,
                    description=f"{q.name}: band of {out.id} ("
                    + ", ".join(f"{b.id} = {b.label}" for b in out.bands)
                    + ")",
                    values=tuple(b.id for b in out.bands),
                    origin="score",
                )
            )
        for cut in out.cutoffs:
            specs.append(
                FactSpec(
                    id=f"{base}.{cut.id}",
                    kind=FactKind.BOOL,
                    description=f"{q.name}: {out.id} {cut.operator} {cut.value:g} ({cut.label})",
                    origin="score",
                )
            )
    specs.extend(_answer_spec(q, item) for item in q.items)
    return specs


def _answer_spec(q: Questionnaire, item: Item) -> FactSpec:
    values = [int(opt.value) for opt in item.answer_option]
    number = f"item {item.number}: " if item.number is not None else ""
    meaning = " (1 = yes/agree, 0 = no/disagree)" if item.type == "boolean" else ""
    return FactSpec(
        id=f"answer.{q.id}.{item.link_id}",
        kind=FactKind.NUMBER,
        description=f"{q.name} {number}{item.text}{meaning}",
        minimum=min(values),
        maximum=max(values),
        origin="answer",
    )


def score_facts(s: QuestionnaireScore) -> dict[str, FactValue]:
    """The facts of one score; outputs without a value are left out (unknown)."""
    facts: dict[str, FactValue] = {}
    for output_id, value in s.values.items():
        if value is not None:
            facts[f"score.{s.questionnaire}.{output_id}"] = value
    for output_id, band in s.bands.items():
        facts[f"score.{s.questionnaire}.{output_id}.band"] = band.id
    for result in s.cutoffs:
        facts[f"score.{s.questionnaire}.{result.output}.{result.cutoff.id}"] = result.holds
    for link_id, answer in s.answers.items():
        facts[f"answer.{s.questionnaire}.{link_id}"] = answer
    return facts
