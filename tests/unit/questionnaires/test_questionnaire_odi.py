"""ODI v2.1a: percent of the answered sections, the published worked example, bands."""

from __future__ import annotations

import pytest

from backmech.domain.errors import ScoringError
from backmech.domain.questionnaires.model import Questionnaire
from backmech.domain.questionnaires.scoring import score

SECTIONS = (
    "pain_intensity",
    "personal_care",
    "lifting",
    "walking",
    "sitting",
    "standing",
    "sleeping",
    "sex_life",
    "social_life",
    "travelling",
)


def answers(*scores: int | None) -> dict[str, object]:
    """Section answers in form order; None leaves a section out."""
    assert len(scores) == len(SECTIONS)
    return {s: v for s, v in zip(SECTIONS, scores, strict=True) if v is not None}


def test_sections_are_the_published_ten_in_order(odi: Questionnaire) -> None:
    assert tuple(item.link_id for item in odi.items) == SECTIONS
    assert [item.number for item in odi.items] == list(range(1, 11))
    for item in odi.items:
        assert [o.score for o in item.answer_option] == [0, 1, 2, 3, 4, 5]


def test_published_example_16_points_one_section_missing(odi: Questionnaire) -> None:
    # ODI scoring instructions: 16 points, one section skipped -> 16/45 = 35.5(6) %.
    s = score(odi, answers(2, 2, 2, 2, 2, 2, 2, None, 2, 0))
    value = s.values["percent"]
    assert value == pytest.approx(16 / 45 * 100)
    assert value == pytest.approx(35.5556, abs=1e-4)
    out = odi.output("percent")
    assert out is not None
    assert out.display(value) == "35.6"
    assert s.bands["percent"].id == "moderate"
    assert s.complete  # one missing section is within the default max_missing of 1
    assert s.missing_items == ("sex_life",)


def test_all_sections_answered_is_sum_times_two(odi: Questionnaire) -> None:
    s = score(odi, answers(2, 2, 2, 2, 2, 2, 2, 0, 2, 0))
    assert s.values["percent"] == pytest.approx(32.0)
    assert s.complete and s.missing_items == ()


def test_all_minimum_and_all_maximum(odi: Questionnaire) -> None:
    low = score(odi, answers(*[0] * 10))
    high = score(odi, answers(*[5] * 10))
    assert low.values["percent"] == 0
    assert low.bands["percent"].id == "minimal"
    assert high.values["percent"] == 100
    assert high.bands["percent"].id == "extreme"


@pytest.mark.parametrize(
    ("total", "answered", "band"),
    [
        (10, 10, "minimal"),  # 20 % exactly: inclusive upper bound
        (11, 10, "moderate"),
        (9, 9, "minimal"),  # 9/45 = 20 %
        (10, 9, "moderate"),  # 22.2 %
        (18, 9, "moderate"),  # 40 %
        (19, 9, "severe"),  # 42.2 %
        (30, 10, "severe"),  # 60 %
        (31, 10, "very_severe"),
        (40, 10, "very_severe"),  # 80 %
        (41, 10, "extreme"),
    ],
)
def test_bands_use_inclusive_upper_bounds(odi: Questionnaire, total: int, answered: int, band: str) -> None:
    given: list[int] = []
    left = total
    for _ in range(answered):
        given.append(min(5, left))
        left -= given[-1]
    assert left == 0
    s = score(odi, answers(*given, *[None] * (10 - answered)))
    assert s.values["percent"] == pytest.approx(total / (5 * answered) * 100)
    assert s.bands["percent"].id == band


def test_two_missing_sections_compute_but_flag_incomplete(odi: Questionnaire) -> None:
    s = score(odi, answers(2, 2, 2, 2, 2, 2, 2, None, 2, None))
    assert s.values["percent"] == pytest.approx(16 / 40 * 100)
    assert not s.complete
    assert s.missing_items == ("sex_life", "travelling")
    assert any("incomplete" in note for note in s.notes)


def test_null_counts_as_skipped(odi: Questionnaire) -> None:
    given = answers(2, 2, 2, 2, 2, 2, 2, None, 2, 0)
    given["sex_life"] = None
    assert score(odi, given).values["percent"] == pytest.approx(16 / 45 * 100)


def test_two_ticks_record_the_higher_statement(odi: Questionnaire) -> None:
    given = answers(*[1] * 10)
    given["lifting"] = [2, 3]
    s = score(odi, given)
    assert s.values["percent"] == pytest.approx((9 + 3) * 2)
    assert s.answers["lifting"] == 3
    assert any("lifting" in note and "higher" in note for note in s.notes)


def test_no_answers_give_no_score(odi: Questionnaire) -> None:
    s = score(odi, {})
    assert s.values == {"percent": None}
    assert s.bands == {}
    assert not s.complete
    assert s.missing_items == SECTIONS


def test_mcid_and_change_values(odi: Questionnaire) -> None:
    out = odi.output("percent")
    assert out is not None and out.mcid is not None
    assert (out.mcid.points, out.mcid.percent, out.mcid.source) == (10, 30, "ostelo-2008")
    by_id = {cv.id: cv for cv in out.change_values}
    assert (by_id["mdc90"].points, by_id["mdc90"].source) == (10, "davidson-2002")
    assert out.missing.max_missing == 1 and out.missing.beyond == "flag"
    assert [b.maximum for b in out.bands] == [20, 40, 60, 80, 100]
    assert odi.version == "2.1a"


@pytest.mark.parametrize("bad", [6, -1, "two", [], [2, 9], 2.5])
def test_bad_section_answer_is_rejected(odi: Questionnaire, bad: object) -> None:
    with pytest.raises(ScoringError) as err:
        score(odi, {"lifting": bad})
    assert err.value.field == "questionnaires.odi.answers.lifting"
    assert "0 to 5" in err.value.allowed
