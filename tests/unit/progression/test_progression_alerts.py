"""Clinician alerts: each fires for its event, once, with its source."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backmech.domain.progression import alerts
from backmech.domain.progression.alerts import AlertKind, decision_point
from backmech.domain.progression.flare import FlareEpisode
from backmech.domain.progression.reassessment import MeasureChange, Responder, measure_change
from backmech.domain.progression.settings import ProgressionSettings

DAY = date(2026, 3, 2)


def test_red_flag_stops_and_refers(settings: ProgressionSettings) -> None:
    assert alerts.red_flag(DAY, (), settings) is None
    alert = alerts.red_flag(DAY, ("saddle_numbness", "bladder_change"), settings)
    assert alert is not None
    assert alert.kind is AlertKind.RED_FLAG and alert.stops_programme
    assert "bladder_change, saddle_numbness" in alert.message
    assert alert.sources == (settings.safety_source,)


@pytest.mark.parametrize(
    ("scores", "fires"),
    [
        ({"odi": (30, 41)}, True),
        ({"odi": (30, 38)}, False),
        ({"odi": (30, 20), "nprs": (4, 6)}, True),
        ({"psfs": (5, 3)}, True),
        ({"psfs": (5, 6)}, False),
    ],
)
def test_deterioration(
    scores: dict[str, tuple[float, float]], fires: bool, settings: ProgressionSettings
) -> None:
    changes = [
        measure_change(settings.reassessment.measures[m], b, c, settings.reassessment.responder_source)
        for m, (b, c) in scores.items()
    ]
    alert = alerts.deteriorated(DAY, changes)
    assert (alert is not None) is fires
    if alert is not None:
        assert alert.kind is AlertKind.DETERIORATED and not alert.stops_programme
        assert "ostelo-2008" in alert.sources


@pytest.mark.parametrize(("run", "fires"), [(0, False), (2, False), (3, True), (4, False), (10, False)])
def test_inactivity_fires_once_per_run(run: int, fires: bool, settings: ProgressionSettings) -> None:
    assert settings.adherence.inactivity_alert_days == 3
    alert = alerts.inactive(DAY, run, settings)
    assert (alert is not None) is fires


@pytest.mark.parametrize(
    ("days_in", "settled", "fires"),
    [(14, False, False), (15, True, False), (15, False, True), (16, False, False)],
)
def test_flare_not_settling(days_in: int, settled: bool, fires: bool, settings: ProgressionSettings) -> None:
    start = DAY - timedelta(days=days_in)
    episode = FlareEpisode(start, DAY if settled else None)
    assert (alerts.flare_not_settling(DAY, episode, settings) is not None) is fires


@pytest.mark.parametrize(
    ("starts", "fires"), [([0], False), ([-30, 0], True), ([-50, 0], False), ([-30, -1], False)]
)
def test_repeated_flares(starts: list[int], fires: bool, settings: ProgressionSettings) -> None:
    episodes = [FlareEpisode(DAY + timedelta(days=s)) for s in starts]
    assert (alerts.repeated_flares(DAY, episodes, settings) is not None) is fires


@pytest.mark.parametrize(
    ("periph", "neuro", "fires"),
    [(False, False, False), (True, False, True), (False, True, True), (True, True, True)],
)
def test_rescreen(periph: bool, neuro: bool, fires: bool, settings: ProgressionSettings) -> None:
    alert = alerts.rescreen(DAY, periph, neuro, settings)
    assert (alert is not None) is fires


@pytest.mark.parametrize(
    ("week", "statuses", "fires"),
    [
        (6, (Responder.UNCHANGED, Responder.UNCHANGED), True),
        (6, (Responder.UNCHANGED, Responder.IMPROVED), False),  # one measure improved is enough
        (6, (), True),  # nothing re-measured: the review asks for it
        (12, (Responder.DETERIORATED,), True),
        (5, (Responder.UNCHANGED,), False),  # not a decision-point week
    ],
)
def test_decision_point_reviews(
    settings: ProgressionSettings, week: int, statuses: tuple[Responder, ...], fires: bool
) -> None:
    changes = tuple(
        MeasureChange(f"m{n}", 40, 38, 2, 5.0, status, False, "", ()) for n, status in enumerate(statuses)
    )
    alert = decision_point(date(2026, 3, 1), week, changes, 85.0, settings)
    assert (alert is not None) == fires
    if alert is not None:
        checks = dict(settings.reassessment.decision_points)
        assert checks[week] in alert.message and "85 %" in alert.message
        assert alert.kind is AlertKind.DECISION_POINT and not alert.stops_programme


def test_a_decision_point_not_in_the_persons_plan_raises_no_review(settings: ProgressionSettings) -> None:
    unchanged = (MeasureChange("nprs", 5, 5, 0, 0.0, Responder.UNCHANGED, False, "", ()),)
    general = decision_point(date(2026, 3, 1), 2, unchanged, 90.0, settings)
    assert general is not None  # plan.yaml's week-2 check, for someone whose plan has it
    own = tuple((w, c) for w, c in settings.reassessment.decision_points if w != 2)
    assert decision_point(date(2026, 3, 1), 2, unchanged, 90.0, settings, own) is None
    assert decision_point(date(2026, 3, 1), 6, unchanged, 90.0, settings, own) is not None
