"""PSFS: 3-5 named activities rated 0-10, mean score, activity texts kept."""

from __future__ import annotations

import pytest

from backmech.domain.errors import ScoringError
from backmech.domain.questionnaires.facts import score_facts
from backmech.domain.questionnaires.model import Questionnaire
from backmech.domain.questionnaires.scoring import score


def test_mean_of_three_activities_keeps_the_texts(psfs: Questionnaire) -> None:
    s = score(
        psfs,
        {
            "activity_1": {"activity": "Lifting my daughter", "score": 3},
            "activity_2": {"activity": "  Sitting through a film ", "score": 5},
            "activity_3": {"activity": "Gardening", "score": 7},
        },
    )
    assert s.values["mean"] == pytest.approx(5.0)
    assert s.complete and s.missing_items == ()
    assert dict(s.activities) == {
        "activity_1": "Lifting my daughter",
        "activity_2": "Sitting through a film",
        "activity_3": "Gardening",
    }
    assert score_facts(s)["answer.psfs.activity_2"] == 5


def test_five_activities(psfs: Questionnaire) -> None:
    given = {f"activity_{n}": {"activity": f"Task {n}", "score": n} for n in range(1, 6)}
    s = score(psfs, given)
    assert s.values["mean"] == pytest.approx(3.0)
    assert s.complete


def test_fewer_than_three_is_computed_but_incomplete(psfs: Questionnaire) -> None:
    s = score(
        psfs,
        {
            "activity_1": {"activity": "Running", "score": 2},
            "activity_2": {"activity": "Cycling", "score": 5},
        },
    )
    assert s.values["mean"] == pytest.approx(3.5)
    assert not s.complete
    assert s.missing_items == ("activity_3",)


def test_higher_is_better_and_change_values(psfs: Questionnaire) -> None:
    out = psfs.output("mean")
    assert out is not None and out.mcid is not None
    assert not out.higher_is_worse
    assert (out.mcid.points, out.mcid.source) == (2, "stratford-1995")
    by_id = {cv.id: cv.points for cv in out.change_values}
    assert by_id == {
        "mdc90_mean": 2,
        "mdc90_activity": 3,
        "mid_small": 1.3,
        "mid_medium": 2.3,
        "mid_large": 2.7,
    }


@pytest.mark.parametrize(
    "bad",
    [
        4,
        {"score": 4},
        {"activity": "Walking"},
        {"activity": "", "score": 4},
        {"activity": 12, "score": 4},
        {"activity": "Walking", "score": 11},
        {"activity": "Walking", "score": "4"},
        {"activity": "Walking", "score": 4, "note": "extra"},
        {"activity": "x" * 201, "score": 4},
    ],
)
def test_bad_activity_answer(psfs: Questionnaire, bad: object) -> None:
    with pytest.raises(ScoringError) as err:
        score(psfs, {"activity_2": bad})
    assert err.value.field == "questionnaires.psfs.answers.activity_2"
    assert '"activity"' in err.value.allowed and "0 to 10" in err.value.allowed
