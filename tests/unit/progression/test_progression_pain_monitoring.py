"""The pain-monitoring colours: the whole GREEN/AMBER/RED table of clinical.md 5.5."""

from __future__ import annotations

from dataclasses import replace

import pytest

from backmech.domain.progression.pain_monitoring import Colour, SessionPain, classify
from backmech.domain.progression.settings import ProgressionSettings

G, A, R = Colour.GREEN, Colour.AMBER, Colour.RED


@pytest.mark.parametrize(
    ("pain", "colour", "rules", "provisional"),
    [
        (SessionPain(1, 1, 3, next_morning=3), G, ["activity-safe"], False),
        (SessionPain(2, 2, 3, next_morning=2), G, ["activity-safe"], False),
        (SessionPain(2, None, 3), G, ["activity-safe"], True),
        (SessionPain(0, 0, 0, next_morning=0), G, ["activity-safe"], False),
        (SessionPain(3, 2, 3, next_morning=3), A, ["activity-acceptable"], False),
        (SessionPain(5, 5, 3, next_morning=3), A, ["activity-acceptable"], False),
        (SessionPain(1, 3, 3, next_morning=1), A, ["activity-acceptable"], False),
        (SessionPain(1, 1, 3, next_morning=5), A, ["morning-not-settled"], False),
        (SessionPain(0, 0, 0, next_morning=1), A, ["morning-not-settled"], False),
        (SessionPain(4, None, 3, next_morning=4), A, ["morning-not-settled", "activity-acceptable"], False),
        (SessionPain(None, None, 3, next_morning=3), A, ["no-rating"], False),
        (SessionPain(6, 4, 3, next_morning=3), R, ["activity-high"], False),
        (SessionPain(2, 6, 3, next_morning=3), R, ["activity-high"], False),
        (SessionPain(6, None, 3), R, ["activity-high"], True),
        (SessionPain(1, 1, 3, next_morning=6), R, ["morning-high"], False),
        (SessionPain(1, 1, 3, next_morning=3, weekly_change=1.0), R, ["weekly-rising"], False),
        (SessionPain(1, 1, 3, next_morning=3, weekly_change=0.9), G, ["activity-safe"], False),
        (SessionPain(1, 1, 3, next_morning=3, weekly_change=-2.0), G, ["activity-safe"], False),
        (SessionPain(1, 1, 3, next_morning=3, peripheralisation=True), R, ["peripheralisation"], False),
        (
            SessionPain(7, 7, 2, next_morning=8, weekly_change=1.5, new_neurology=True),
            R,
            ["new-neurology", "activity-high", "morning-high", "weekly-rising"],
            False,
        ),
    ],
)
def test_colour_table(
    pain: SessionPain, colour: Colour, rules: list[str], provisional: bool, settings: ProgressionSettings
) -> None:
    signal = classify(pain, settings.pain)
    assert signal.colour is colour
    assert [r.rule for r in signal.reasons] == rules
    assert signal.provisional is provisional
    assert signal.rescreen is (pain.peripheralisation or pain.new_neurology)
    assert signal.confirmed_green is (colour is G and not provisional)


@pytest.mark.parametrize(
    ("rule", "pain", "source_attr"),
    [
        ("activity-high", SessionPain(8, 2, 3, next_morning=3), "model_source"),
        ("activity-acceptable", SessionPain(4, 2, 3, next_morning=3), "model_source"),
        ("morning-high", SessionPain(1, 1, 1, next_morning=4), "adaptation_source"),
        ("weekly-rising", SessionPain(1, 1, 1, next_morning=1, weekly_change=3), "adaptation_source"),
        ("activity-safe", SessionPain(1, 1, 1, next_morning=1), "adaptation_source"),
    ],
)
def test_every_reason_names_its_source(
    rule: str, pain: SessionPain, source_attr: str, settings: ProgressionSettings
) -> None:
    reason = next(r for r in classify(pain, settings.pain).reasons if r.rule == rule)
    assert reason.source == getattr(settings.pain, source_attr)
    assert reason.text


def test_thresholds_come_from_the_settings(settings: ProgressionSettings) -> None:
    pain = SessionPain(3, 3, 3, next_morning=5)
    assert classify(pain, settings.pain).colour is A
    looser = replace(settings.pain, safe_max=3)
    assert classify(replace(pain, next_morning=3), looser).colour is G
    stricter = replace(settings.pain, next_morning_above_baseline=1)
    assert classify(pain, stricter).colour is R


@pytest.mark.parametrize("field", ["during", "after", "baseline", "next_morning"])
@pytest.mark.parametrize("value", [-1, 11])
def test_ratings_outside_0_to_10_are_rejected(field: str, value: int, settings: ProgressionSettings) -> None:
    pain = replace(SessionPain(1, 1, 3, next_morning=3), **{field: value})
    with pytest.raises(ValueError, match=field):
        classify(pain, settings.pain)
