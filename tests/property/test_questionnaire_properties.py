"""Properties of questionnaire scoring over generated answers (hypothesis).

* every score stays inside its output's range, and bands are found for every value;
* answering any item worse never lowers a disability score (ODI, RMDQ, FABQ, TSK-11,
  STarT Back total), and never raises the PSFS (where higher is better);
* any bad answer raises ScoringError naming ``questionnaires.<qid>.answers.<link_id>``;
* the facts of any score fit the fact specs of its questionnaire.
"""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backmech.domain.errors import ScoringError
from backmech.domain.facts import Vocabulary
from backmech.domain.questionnaires.facts import score_fact_specs, score_facts
from backmech.domain.questionnaires.model import Item, Questionnaire
from backmech.domain.questionnaires.scoring import score
from backmech.knowledge.files import KNOWLEDGE_ROOT, SourceChecker
from backmech.knowledge.questionnaire_files import load_questionnaires
from backmech.knowledge.source_files import load_sources

IDS = ("fabq", "nprs", "odi", "psfs", "rmdq", "start_back", "tsk11")
DISABILITY = {
    "odi": "percent",
    "rmdq": "total",
    "fabq": "physical_activity",
    "tsk11": "total",
    "start_back": "total",
}


@cache
def questionnaire(qid: str) -> Questionnaire:
    checker = SourceChecker(set(load_sources(KNOWLEDGE_ROOT / "sources", KNOWLEDGE_ROOT)))
    return load_questionnaires(KNOWLEDGE_ROOT / "questionnaires", KNOWLEDGE_ROOT, checker)[qid]


def _wire(item: Item, value: int | bool) -> object:
    if item.type == "activity":
        return {"activity": f"activity for {item.link_id}", "score": value}
    return value


def answer_for(item: Item) -> st.SearchStrategy[object]:
    return st.sampled_from([opt.value for opt in item.answer_option]).map(lambda v: _wire(item, v))


@st.composite
def answers(draw: st.DrawFn, q: Questionnaire, *, complete: bool = False) -> dict[str, object]:
    given_answers: dict[str, object] = {}
    for item in q.items:
        if complete or draw(st.booleans()):
            given_answers[item.link_id] = draw(answer_for(item))
        elif draw(st.booleans()):
            given_answers[item.link_id] = None
    return given_answers


@pytest.mark.parametrize("qid", IDS)
@given(data=st.data())
def test_scores_stay_in_range(qid: str, data: st.DataObject) -> None:
    q = questionnaire(qid)
    s = score(q, data.draw(answers(q)))
    for out in q.outputs:
        value = s.values[out.id]
        if value is None:
            assert out.id not in s.bands
            continue
        if out.kind == "enum":
            assert value in out.values
            continue
        assert isinstance(value, int | float)
        assert out.minimum is not None and out.maximum is not None
        assert out.minimum <= value <= out.maximum
        if out.bands:
            assert s.bands[out.id] == out.band_for(value)
    assert Vocabulary({}).merged(score_fact_specs(q)).fact_problems(score_facts(s)) == []


@pytest.mark.parametrize("qid", sorted(DISABILITY))
@given(data=st.data())
def test_a_worse_answer_never_lowers_a_disability_score(qid: str, data: st.DataObject) -> None:
    q = questionnaire(qid)
    before = data.draw(answers(q, complete=qid != "odi"))  # the ODI tolerates skipped sections
    scorable = [
        item
        for item in q.items
        if item.link_id in before and before[item.link_id] is not None and item.type != "activity"
    ]
    if not scorable:
        return
    item = data.draw(st.sampled_from(scorable))
    current = item.option(before[item.link_id])  # type: ignore[arg-type]
    assert current is not None
    worse = [o for o in item.answer_option if o.score >= current.score]
    after = dict(before)
    after[item.link_id] = data.draw(st.sampled_from(worse)).value
    s0, s1 = score(q, before), score(q, after)
    for out in q.outputs:
        v0, v1 = s0.values[out.id], s1.values[out.id]
        if out.kind == "number" and isinstance(v0, int | float) and isinstance(v1, int | float):
            assert v1 >= v0 - 1e-9, (out.id, item.link_id, v0, v1)
    risk_order = {"low": 0, "medium": 1, "high": 2}
    if qid == "start_back" and s0.values["risk"] and s1.values["risk"]:
        assert risk_order[str(s1.values["risk"])] >= risk_order[str(s0.values["risk"])]
    primary = DISABILITY[qid]
    if isinstance(s0.values[primary], int | float):
        assert s1.values[primary] is not None


@given(data=st.data())
def test_a_better_activity_rating_never_lowers_the_psfs(data: st.DataObject) -> None:
    q = questionnaire("psfs")
    before = data.draw(answers(q, complete=True))
    link_id = data.draw(st.sampled_from(sorted(before)))
    entry = before[link_id]
    assert isinstance(entry, dict)
    better = data.draw(st.integers(min_value=entry["score"], max_value=10))
    after = {**before, link_id: {"activity": entry["activity"], "score": better}}
    v0, v1 = score(q, before).values["mean"], score(q, after).values["mean"]
    assert isinstance(v0, float) and isinstance(v1, float)
    assert v1 >= v0


def bad_value(item: Item) -> st.SearchStrategy[object]:
    """Values no item of this type accepts."""
    allowed_ints = {int(opt.value) for opt in item.answer_option}
    wrong_int = st.integers(min_value=-1000, max_value=1000).filter(lambda v: v not in allowed_ints)
    junk = st.one_of(
        st.text(max_size=5),
        st.floats(allow_nan=True).filter(lambda f: not float(f).is_integer()),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    )
    if item.type == "boolean":
        return st.one_of(st.integers(), junk, st.lists(st.booleans(), min_size=1, max_size=2))
    if item.type == "activity":
        return st.one_of(
            st.integers(),
            st.booleans(),
            wrong_int.map(lambda v: {"activity": "Walking", "score": v}),
            st.just({"activity": "   ", "score": 5}),
        )
    return st.one_of(wrong_int, st.booleans(), junk)


@pytest.mark.parametrize("qid", IDS)
@given(data=st.data())
def test_bad_answers_raise_scoring_error_naming_the_field(qid: str, data: st.DataObject) -> None:
    q = questionnaire(qid)
    good = data.draw(answers(q))
    item = data.draw(st.sampled_from(q.items))
    bad = data.draw(bad_value(item))
    with pytest.raises(ScoringError) as err:
        score(q, {**good, item.link_id: bad})
    assert err.value.field == f"questionnaires.{qid}.answers.{item.link_id}"
    assert err.value.allowed


@pytest.mark.parametrize("qid", IDS)
@given(data=st.data())
def test_unknown_items_raise_scoring_error(qid: str, data: st.DataObject) -> None:
    q = questionnaire(qid)
    known = {item.link_id for item in q.items}
    name = data.draw(st.text(min_size=1, max_size=12).filter(lambda n: n not in known))
    with pytest.raises(ScoringError) as err:
        score(q, {name: 1})
    assert err.value.field == f"questionnaires.{qid}.answers.{name}"
