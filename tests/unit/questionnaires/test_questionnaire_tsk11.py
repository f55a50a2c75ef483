"""TSK-11: 11 items 1-4, no reverse scoring, total 11-44, descriptive categories only."""

from __future__ import annotations

import pytest

from backmech.domain.errors import ScoringError
from backmech.domain.questionnaires.model import Questionnaire
from backmech.domain.questionnaires.scoring import score


def form(*values: int) -> dict[str, object]:
    assert len(values) == 11
    return {f"item_{n}": v for n, v in enumerate(values, 1)}


def test_range_is_11_to_44(tsk11: Questionnaire) -> None:
    assert score(tsk11, form(*[1] * 11)).values["total"] == 11
    assert score(tsk11, form(*[4] * 11)).values["total"] == 44


@pytest.mark.parametrize("position", range(11))
def test_no_item_is_reverse_scored(tsk11: Questionnaire, position: int) -> None:
    values = [2] * 11
    values[position] = 4
    assert score(tsk11, form(*values)).values["total"] == 22 + 2


def test_items_are_the_tsk11_subset(tsk11: Questionnaire) -> None:
    originals = [int(item.construct.rsplit(" ", 1)[1].rstrip(")")) for item in tsk11.items]
    assert originals == [1, 2, 3, 5, 6, 7, 10, 11, 13, 15, 17]


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (11, "minimal"),
        (22, "minimal"),
        (23, "low"),
        (28, "low"),
        (29, "moderate"),
        (35, "moderate"),
        (36, "high"),
        (44, "high"),
    ],
)
def test_descriptive_categories(tsk11: Questionnaire, total: int, band: str) -> None:
    values = [1] * 11
    extra = total - 11
    for i in range(11):
        step = min(3, extra)
        values[i] += step
        extra -= step
    s = score(tsk11, form(*values))
    assert s.values["total"] == total
    assert s.bands["total"].id == band
    assert "descriptive" in s.bands["total"].label.lower()
    assert s.bands["total"].source == "chimenti-2021"
    assert any("descriptive only" in note for note in s.notes)


def test_important_change_is_4_points(tsk11: Questionnaire) -> None:
    out = tsk11.output("total")
    assert out is not None and out.mcid is not None
    assert (out.mcid.points, out.mcid.percent, out.mcid.source) == (4, None, "woby-2005")
    assert {cv.id: cv.points for cv in out.change_values} == {"sem": 2.54}


def test_missing_item_withholds_the_total(tsk11: Questionnaire) -> None:
    given = form(*[2] * 11)
    del given["item_7"]
    s = score(tsk11, given)
    assert s.values["total"] is None
    assert s.missing_items == ("item_7",)


@pytest.mark.parametrize("bad", [0, 5])
def test_answers_are_1_to_4(tsk11: Questionnaire, bad: int) -> None:
    with pytest.raises(ScoringError) as err:
        score(tsk11, {"item_1": bad})
    assert err.value.field == "questionnaires.tsk11.answers.item_1"
    assert "1 to 4" in err.value.allowed
