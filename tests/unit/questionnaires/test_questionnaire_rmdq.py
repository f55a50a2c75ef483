"""RMDQ-24: a count of statements that apply, 0-24, with the Kamper 2010 recovery marker."""

from __future__ import annotations

import pytest

from backmech.domain.errors import ScoringError
from backmech.domain.questionnaires.facts import score_facts
from backmech.domain.questionnaires.model import Questionnaire
from backmech.domain.questionnaires.scoring import score


def ticked(*numbers: int) -> dict[str, object]:
    """All 24 answered; the listed statement numbers apply."""
    return {f"item_{n}": n in numbers for n in range(1, 25)}


def test_total_counts_the_statements_that_apply(rmdq: Questionnaire) -> None:
    assert len(rmdq.items) == 24
    assert score(rmdq, ticked()).values["total"] == 0
    assert score(rmdq, ticked(*range(1, 25))).values["total"] == 24
    s = score(rmdq, ticked(1, 3, 9, 13, 17, 18, 24))
    assert s.values["total"] == 7
    assert s.complete


def test_no_official_bands_only_the_recovery_marker(rmdq: Questionnaire) -> None:
    out = rmdq.output("total")
    assert out is not None
    assert out.bands == ()
    recovered = score(rmdq, ticked(4, 11))
    assert [(c.cutoff.id, c.holds) for c in recovered.cutoffs] == [("recovered", True)]
    assert recovered.flags[0].cutoff.source == "kamper-2010"
    not_yet = score(rmdq, ticked(4, 11, 12))
    assert [(c.cutoff.id, c.holds) for c in not_yet.cutoffs] == [("recovered", False)]
    assert score_facts(not_yet)["score.rmdq.total.recovered"] is False


def test_mcid_is_5_points_or_30_percent(rmdq: Questionnaire) -> None:
    out = rmdq.output("total")
    assert out is not None and out.mcid is not None
    assert (out.mcid.points, out.mcid.percent, out.mcid.source) == (5, 30, "ostelo-2008")


def test_an_unanswered_statement_withholds_the_total(rmdq: Questionnaire) -> None:
    given = ticked(1, 2)
    del given["item_20"]
    s = score(rmdq, given)
    assert s.values["total"] is None
    assert not s.complete
    assert s.missing_items == ("item_20",)
    assert any("not scored" in note and "item_20" in note for note in s.notes)
    assert "score.rmdq.total" not in score_facts(s)


@pytest.mark.parametrize("bad", [1, 0, "yes", [True]])
def test_statements_take_true_or_false(rmdq: Questionnaire, bad: object) -> None:
    with pytest.raises(ScoringError) as err:
        score(rmdq, {"item_5": bad})
    assert err.value.field == "questionnaires.rmdq.answers.item_5"
    assert err.value.allowed == "true or false"
