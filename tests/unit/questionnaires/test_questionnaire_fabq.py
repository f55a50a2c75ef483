"""FABQ: physical activity (2-5) and work (6, 7, 9, 10, 11, 12, 15) subscales and cut-offs."""

from __future__ import annotations

import pytest

from backmech.domain.questionnaires.facts import score_facts
from backmech.domain.questionnaires.model import Questionnaire
from backmech.domain.questionnaires.scoring import score


def form(default: int = 0, **items: int) -> dict[str, object]:
    given: dict[str, object] = {f"item_{n}": default for n in range(1, 17)}
    given.update(items)
    return given


def test_subscales_use_the_published_items(fabq: Questionnaire) -> None:
    pa, work = fabq.output("physical_activity"), fabq.output("work")
    assert pa is not None and work is not None
    assert pa.items == ("item_2", "item_3", "item_4", "item_5")
    assert work.items == ("item_6", "item_7", "item_9", "item_10", "item_11", "item_12", "item_15")
    assert (pa.minimum, pa.maximum, work.minimum, work.maximum) == (0, 24, 0, 42)
    assert pa.mcid is None and work.mcid is None  # no MCID is widely accepted


@pytest.mark.parametrize("unscored", [1, 8, 13, 14, 16])
def test_items_1_8_13_14_16_are_not_scored(fabq: Questionnaire, unscored: int) -> None:
    s = score(fabq, form(**{f"item_{unscored}": 6}))
    assert (s.values["physical_activity"], s.values["work"]) == (0, 0)


def test_item_11_belongs_to_the_work_scale(fabq: Questionnaire) -> None:
    s = score(fabq, form(item_11=6))
    assert (s.values["physical_activity"], s.values["work"]) == (0, 6)


def test_all_minimum_and_all_maximum(fabq: Questionnaire) -> None:
    assert dict(score(fabq, form(0)).values) == {"physical_activity": 0, "work": 0}
    assert dict(score(fabq, form(6)).values) == {"physical_activity": 24, "work": 42}


def _flags(fabq: Questionnaire, **items: int) -> dict[str, bool]:
    return {f"{c.output}.{c.cutoff.id}": c.holds for c in score(fabq, form(**items)).cutoffs}


def test_physical_activity_cutoffs(fabq: Questionnaire) -> None:
    # 15 (> 14): elevated (George 2008); 9 (> 8): a stabilisation-CPR failure variable.
    assert _flags(fabq, item_2=6, item_3=6, item_4=3)["physical_activity.elevated"]
    assert not _flags(fabq, item_2=6, item_3=6, item_4=2)["physical_activity.elevated"]
    assert _flags(fabq, item_2=6, item_3=3)["physical_activity.stabilisation_cpr"]
    assert not _flags(fabq, item_2=6, item_3=2)["physical_activity.stabilisation_cpr"]


def test_work_cutoffs(fabq: Questionnaire) -> None:
    thirty = {"item_6": 6, "item_7": 6, "item_9": 6, "item_10": 6, "item_11": 6}
    flags = _flags(fabq, **thirty)
    assert flags["work.elevated"]  # 30 > 29 (George 2008)
    assert not flags["work.return_to_work_risk"]  # needs > 34 (Fritz & George 2002)
    assert not flags["work.manipulation_cpr"]
    assert _flags(fabq, **thirty, item_12=5)["work.return_to_work_risk"]  # 35
    assert _flags(fabq, item_6=6, item_7=6, item_9=6)["work.manipulation_cpr"]  # 18 < 19
    assert not _flags(fabq, item_6=6, item_7=6, item_9=6, item_10=1)["work.manipulation_cpr"]


def test_cutoffs_carry_their_sources(fabq: Questionnaire) -> None:
    sources = {(out.id, c.id): c.source for out in fabq.outputs for c in out.cutoffs}
    assert sources == {
        ("physical_activity", "elevated"): "george-2008",
        ("physical_activity", "stabilisation_cpr"): "hicks-2005",
        ("work", "elevated"): "george-2008",
        ("work", "return_to_work_risk"): "fritz-2002",
        ("work", "manipulation_cpr"): "flynn-2002",
    }


def test_work_scale_does_not_apply_without_a_job(fabq: Questionnaire) -> None:
    given: dict[str, object] = {f"item_{n}": 4 for n in range(1, 6)}
    given["in_work"] = False
    s = score(fabq, given)
    assert s.values["physical_activity"] == 16
    assert s.values["work"] is None
    assert s.complete  # not applicable is not incomplete
    assert s.missing_items == ()
    assert s.not_applicable == tuple(f"item_{n}" for n in range(6, 17))
    facts = score_facts(s)
    assert "score.fabq.work" not in facts and "score.fabq.work.elevated" not in facts
    assert facts["answer.fabq.in_work"] == 0


def test_work_answers_are_ignored_when_not_in_work(fabq: Questionnaire) -> None:
    given = form(6)
    given["in_work"] = False
    s = score(fabq, given)
    assert s.values["work"] is None
    assert "item_11" not in s.answers
    assert any("item_11" in note and "does not apply" in note for note in s.notes)


def test_in_work_true_scores_work_normally(fabq: Questionnaire) -> None:
    given = form(2)
    given["in_work"] = True
    assert score(fabq, given).values["work"] == 14


def test_missing_item_withholds_only_its_subscale(fabq: Questionnaire) -> None:
    given = form(3)
    del given["item_3"]
    del given["item_8"]  # unscored, so it affects nothing but is still listed
    s = score(fabq, given)
    assert s.values["physical_activity"] is None
    assert s.values["work"] == 21
    assert not s.complete
    assert s.missing_items == ("item_3", "item_8")
