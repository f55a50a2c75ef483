"""Keele STarT Back (9-item): total, psychosocial subscale (items 5-9) and risk group."""

from __future__ import annotations

import pytest

from backmech.domain.questionnaires.facts import score_facts
from backmech.domain.questionnaires.model import Questionnaire
from backmech.domain.questionnaires.scoring import score

AGREE_ITEMS = (
    "leg_pain",
    "shoulder_neck_pain",
    "short_walks",
    "slow_dressing",
    "fear",
    "anxiety",
    "catastrophising",
    "low_mood",
)
BOTHER = {"not_at_all": 0, "slightly": 1, "moderately": 2, "very_much": 3, "extremely": 4}


def form(*agreed: str, bother: str = "not_at_all") -> dict[str, object]:
    assert set(agreed) <= set(AGREE_ITEMS)
    given: dict[str, object] = {item: item in agreed for item in AGREE_ITEMS}
    given["bothersomeness"] = BOTHER[bother]
    return given


def test_items_are_tied_to_constructs_and_the_subscale_is_items_5_to_9(
    start_back: Questionnaire,
) -> None:
    numbers = {item.link_id: item.number or 0 for item in start_back.items}
    sub = start_back.output("psychosocial")
    assert sub is not None
    assert sub.items == ("fear", "anxiety", "catastrophising", "low_mood", "bothersomeness")
    assert sorted(numbers[i] for i in sub.items) == [5, 6, 7, 8, 9]


@pytest.mark.parametrize(
    ("bother", "points"),
    [("not_at_all", 0), ("slightly", 0), ("moderately", 0), ("very_much", 1), ("extremely", 1)],
)
def test_bothersomeness_scores_only_the_top_two(start_back: Questionnaire, bother: str, points: int) -> None:
    s = score(start_back, form(bother=bother))
    assert s.values["total"] == points
    assert s.values["psychosocial"] == points
    assert s.answers["bothersomeness"] == BOTHER[bother]  # the fact keeps the answer


def test_total_4_with_subscale_3_is_medium(start_back: Questionnaire) -> None:
    s = score(start_back, form("leg_pain", "fear", "anxiety", "catastrophising"))
    assert (s.values["total"], s.values["psychosocial"], s.values["risk"]) == (4, 3, "medium")


def test_total_4_with_subscale_4_is_high(start_back: Questionnaire) -> None:
    s = score(start_back, form("fear", "anxiety", "catastrophising", "low_mood"))
    assert (s.values["total"], s.values["psychosocial"], s.values["risk"]) == (4, 4, "high")


def test_subscale_4_through_bothersomeness_is_high(start_back: Questionnaire) -> None:
    s = score(start_back, form("fear", "anxiety", "low_mood", bother="extremely"))
    assert (s.values["total"], s.values["psychosocial"], s.values["risk"]) == (4, 4, "high")


def test_total_3_is_low_whatever_the_subscale(start_back: Questionnaire) -> None:
    s = score(start_back, form("fear", "anxiety", "catastrophising"))
    assert (s.values["total"], s.values["psychosocial"], s.values["risk"]) == (3, 3, "low")


def test_physical_items_alone_give_medium(start_back: Questionnaire) -> None:
    s = score(start_back, form("leg_pain", "shoulder_neck_pain", "short_walks", "slow_dressing"))
    assert (s.values["total"], s.values["psychosocial"], s.values["risk"]) == (4, 0, "medium")


def test_all_minimum_and_all_maximum(start_back: Questionnaire) -> None:
    low = score(start_back, form())
    assert (low.values["total"], low.values["psychosocial"], low.values["risk"]) == (0, 0, "low")
    high = score(start_back, form(*AGREE_ITEMS, bother="extremely"))
    assert (high.values["total"], high.values["psychosocial"], high.values["risk"]) == (
        9,
        5,
        "high",
    )
    assert high.complete


def test_missing_item_withholds_what_contains_it(start_back: Questionnaire) -> None:
    given = form("fear", "anxiety", "catastrophising", "low_mood")
    del given["leg_pain"]
    s = score(start_back, given)
    assert s.values["total"] is None
    assert s.values["psychosocial"] == 4
    assert s.values["risk"] is None  # conservative: the published rule needs the total
    assert not s.complete
    assert any("risk" in note for note in s.notes)


def test_facts_expose_the_risk_and_the_fear_item(start_back: Questionnaire) -> None:
    facts = score_facts(score(start_back, form("fear", bother="very_much")))
    assert facts["score.start_back.risk"] == "low"
    assert facts["answer.start_back.fear"] == 1
    assert facts["answer.start_back.anxiety"] == 0
    assert facts["answer.start_back.bothersomeness"] == 3
