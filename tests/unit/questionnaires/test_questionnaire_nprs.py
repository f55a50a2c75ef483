"""NPRS: current rating, the Childs 2005 three-rating average, bands and change values."""

from __future__ import annotations

import pytest

from backmech.domain.errors import ScoringError
from backmech.domain.questionnaires.model import Questionnaire
from backmech.domain.questionnaires.scoring import score


@pytest.mark.parametrize(
    ("rating", "band"),
    [(0, "none"), (1, "mild"), (3, "mild"), (4, "moderate"), (6, "moderate"), (7, "severe"), (10, "severe")],
)
def test_whole_number_bands_follow_the_convention(nprs: Questionnaire, rating: int, band: str) -> None:
    # clinical.md 1.1: 0 none; 1-3 mild; 4-6 moderate; 7-10 severe.
    s = score(nprs, {"current": rating, "worst_24h": rating, "best_24h": rating})
    assert s.values["current"] == rating
    assert s.bands["current"].id == band
    assert s.bands["average"].id == band


def test_average_is_the_mean_of_now_worst_and_best(nprs: Questionnaire) -> None:
    s = score(nprs, {"current": 5, "worst_24h": 8, "best_24h": 2})
    assert s.values["average"] == pytest.approx(5.0)
    assert s.complete
    assert s.missing_items == ()


def test_fractional_average_uses_boonstra_limits(nprs: Questionnaire) -> None:
    average_out = nprs.output("average")
    assert average_out is not None
    # 10/3 = 3.33 is below the 3.4 limit: mild; 11/3 = 3.67 is moderate.
    low = score(nprs, {"current": 3, "worst_24h": 4, "best_24h": 3})
    assert low.values["average"] == pytest.approx(10 / 3)
    assert low.bands["average"].id == "mild"
    assert average_out.display(low.values["average"]) == "3.3"
    high = score(nprs, {"current": 4, "worst_24h": 4, "best_24h": 3})
    assert high.bands["average"].id == "moderate"
    # 19/3 = 6.33 moderate; 20/3 = 6.67 severe.
    assert score(nprs, {"current": 6, "worst_24h": 7, "best_24h": 6}).bands["average"].id == ("moderate")
    assert score(nprs, {"current": 7, "worst_24h": 7, "best_24h": 6}).bands["average"].id == ("severe")


def test_missing_rating_withholds_only_the_average(nprs: Questionnaire) -> None:
    s = score(nprs, {"current": 6, "worst_24h": 8})
    assert s.values["current"] == 6
    assert s.values["average"] is None
    assert "average" not in s.bands
    assert not s.complete
    assert s.missing_items == ("best_24h",)
    assert any("average" in note and "best_24h" in note for note in s.notes)


def test_change_values_are_the_published_ones(nprs: Questionnaire) -> None:
    for output_id in ("current", "average"):
        out = nprs.output(output_id)
        assert out is not None and out.mcid is not None
        assert (out.mcid.points, out.mcid.percent, out.mcid.source) == (2, 30, "ostelo-2008")
        mdc = {cv.id: cv for cv in out.change_values}["mdc"]
        assert (mdc.points, mdc.source) == (2, "childs-2005")
        assert out.higher_is_worse
    assert nprs.loinc == "72514-3"
    assert nprs.primary_output == "average"


@pytest.mark.parametrize("bad", [11, -1, 3.5, True, "5", [3], {"score": 3}])
def test_bad_rating_names_the_field_and_the_range(nprs: Questionnaire, bad: object) -> None:
    with pytest.raises(ScoringError) as err:
        score(nprs, {"current": bad})
    assert err.value.field == "questionnaires.nprs.answers.current"
    assert "0 to 10" in err.value.allowed
    assert "0 to 10" in str(err.value)


def test_integral_float_from_json_is_accepted(nprs: Questionnaire) -> None:
    assert score(nprs, {"current": 4.0}).values["current"] == 4
