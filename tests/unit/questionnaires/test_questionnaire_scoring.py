"""Rules shared by every instrument: empty forms, unknown items, facts and vocabulary."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from backmech.domain.errors import ScoringError
from backmech.domain.facts import FactKind, Vocabulary
from backmech.domain.questionnaires.facts import score_fact_specs, score_facts
from backmech.domain.questionnaires.model import Questionnaire
from backmech.domain.questionnaires.scoring import score

IDS = ("fabq", "nprs", "odi", "psfs", "rmdq", "start_back", "tsk11")


def test_the_seven_instruments_load(questionnaires: Mapping[str, Questionnaire]) -> None:
    assert tuple(sorted(questionnaires)) == IDS
    outputs = {qid: tuple(o.id for o in q.outputs) for qid, q in questionnaires.items()}
    assert outputs == {
        "fabq": ("physical_activity", "work"),
        "nprs": ("current", "average"),
        "odi": ("percent",),
        "psfs": ("mean",),
        "rmdq": ("total",),
        "start_back": ("total", "psychosocial", "risk"),
        "tsk11": ("total",),
    }


@pytest.mark.parametrize("qid", IDS)
def test_no_answers_give_none_never_zero(questionnaires: Mapping[str, Questionnaire], qid: str) -> None:
    s = score(questionnaires[qid], {})
    assert all(value is None for value in s.values.values())
    assert set(s.values) == {o.id for o in questionnaires[qid].outputs}
    assert s.bands == {} and s.cutoffs == ()
    assert not s.complete
    assert score_facts(s) == {}


@pytest.mark.parametrize("qid", IDS)
def test_unknown_item_names_the_field_and_the_known_items(
    questionnaires: Mapping[str, Questionnaire], qid: str
) -> None:
    q = questionnaires[qid]
    with pytest.raises(ScoringError) as err:
        score(q, {"item_99": 1})
    assert err.value.field == f"questionnaires.{qid}.answers.item_99"
    assert q.items[0].link_id in err.value.allowed
    assert err.value.field in str(err.value)


def test_answers_must_be_a_mapping(questionnaires: Mapping[str, Questionnaire]) -> None:
    with pytest.raises(ScoringError) as err:
        score(questionnaires["odi"], [1, 2, 3])  # type: ignore[arg-type]
    assert err.value.field == "questionnaires.odi.answers"


def test_list_answers_only_where_the_rule_allows(
    questionnaires: Mapping[str, Questionnaire],
) -> None:
    with pytest.raises(ScoringError) as err:
        score(questionnaires["fabq"], {"item_2": [3, 4]})
    assert err.value.field == "questionnaires.fabq.answers.item_2"


@pytest.mark.parametrize("qid", IDS)
def test_fact_specs_cover_every_fact_a_score_gives(
    questionnaires: Mapping[str, Questionnaire], qid: str
) -> None:
    q = questionnaires[qid]
    specs = score_fact_specs(q)
    ids = [spec.id for spec in specs]
    assert len(ids) == len(set(ids))
    vocabulary = Vocabulary({}).merged(specs)
    answers = _full_answers(q)
    facts = score_facts(score(q, answers))
    assert facts
    assert vocabulary.fact_problems(facts) == []
    for spec in specs:
        assert spec.origin in {"score", "answer"}
        assert spec.id.startswith(("score.", "answer."))


def test_fact_spec_kinds(questionnaires: Mapping[str, Questionnaire]) -> None:
    specs = {s.id: s for q in questionnaires.values() for s in score_fact_specs(q)}
    risk = specs["score.start_back.risk"]
    assert risk.kind is FactKind.ENUM and risk.values == ("low", "medium", "high")
    assert specs["score.odi.percent"].kind is FactKind.NUMBER
    assert (specs["score.odi.percent"].minimum, specs["score.odi.percent"].maximum) == (0, 100)
    assert specs["score.odi.percent.band"].values == (
        "minimal",
        "moderate",
        "severe",
        "very_severe",
        "extreme",
    )
    assert specs["score.nprs.average.band"].values == ("none", "mild", "moderate", "severe")
    fear = specs["answer.start_back.fear"]
    assert (fear.kind, fear.minimum, fear.maximum, fear.origin) == (FactKind.NUMBER, 0, 1, "answer")
    assert specs["answer.start_back.bothersomeness"].maximum == 4
    assert specs["score.fabq.physical_activity.elevated"].kind is FactKind.BOOL
    assert "score.rmdq.total.band" not in specs  # RMDQ has no official bands
    assert specs["answer.psfs.activity_1"].maximum == 10


def test_every_clinical_number_has_a_known_source(
    questionnaires: Mapping[str, Questionnaire],
) -> None:
    # The loader checks these against the bibliography; here we check none is empty.
    for q in questionnaires.values():
        assert q.source
        for out in q.outputs:
            assert all(b.source for b in out.bands)
            assert all(c.source for c in out.cutoffs)
            assert all(cv.source for cv in out.change_values)
            if out.mcid is not None:
                assert out.mcid.source
            if out.risk_rule is not None:
                assert out.risk_rule.source == "hill-2008"


def _full_answers(q: Questionnaire) -> dict[str, object]:
    """Every item answered with its highest-scoring option."""
    given: dict[str, object] = {}
    for item in q.items:
        best = max(item.answer_option, key=lambda o: o.score)
        if item.type == "activity":
            given[item.link_id] = {"activity": f"Task {item.link_id}", "score": best.value}
        else:
            given[item.link_id] = best.value
    return given
