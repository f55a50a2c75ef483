"""Flare detection, the flare plan, review and recurrence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backmech.domain.progression import flare
from backmech.domain.progression.pain_monitoring import SessionPain, classify
from backmech.domain.progression.settings import ProgressionSettings

DAY = date(2026, 2, 2)


@pytest.mark.parametrize(
    ("pain", "reported", "source_attr"),
    [
        (None, True, "definition_source"),
        (SessionPain(1, 1, 3, next_morning=3), True, "definition_source"),
        (SessionPain(6, 6, 3, next_morning=3), False, "detect_source"),
        (SessionPain(2, 2, 3, next_morning=7), False, "detect_source"),
        (SessionPain(9, None, 2), False, "detect_source"),
        (SessionPain(6, 6, 4, next_morning=4), False, None),
        (SessionPain(5, 5, 1, next_morning=1), False, None),
        (SessionPain(2, 2, 3, next_morning=3, weekly_change=2), False, None),
        (SessionPain(1, 1, 3, next_morning=3), False, None),
        (None, False, None),
    ],
)
def test_detection_table(
    pain: SessionPain | None, reported: bool, source_attr: str | None, settings: ProgressionSettings
) -> None:
    signal = classify(pain, settings.pain) if pain is not None else None
    trigger = flare.detect(pain, signal, reported, settings.flare)
    if source_attr is None:
        assert trigger is None
    else:
        assert trigger is not None
        assert trigger.source == getattr(settings.flare, source_attr)
        assert trigger.reason


def test_protocol(settings: ProgressionSettings) -> None:
    trigger = flare.FlareTrigger("reported", settings.flare.definition_source)
    plan = flare.protocol(DAY, trigger, settings.flare)
    assert plan.reduced_until == DAY + timedelta(days=settings.flare.reduced_days - 1)
    assert plan.volume_percent == settings.flare.volume_percent
    assert plan.resume_after_green == settings.flare.resume_after_green
    assert "safety" in plan.steps[0].lower()
    assert "stops the programme" in plan.red_flag_rule
    assert len(plan.contact_clinician_when) >= 3
    assert set(plan.sources) == {settings.flare.definition_source, settings.flare.plan_source}


@pytest.mark.parametrize(
    ("settled_after", "today_after", "needs"),
    [(None, 0, False), (None, 14, False), (None, 15, True), (None, 40, True), (5, 40, False)],
)
def test_review_when_not_settling(
    settled_after: int | None, today_after: int, needs: bool, settings: ProgressionSettings
) -> None:
    assert settings.flare.review_after_days == 14  # the table is written for two weeks
    settled = None if settled_after is None else DAY + timedelta(days=settled_after)
    episode = flare.FlareEpisode(DAY, settled)
    assert flare.needs_review(episode, DAY + timedelta(days=today_after), settings.flare) is needs


@pytest.mark.parametrize(
    ("starts", "today", "recurring"),
    [
        ([0], 0, False),
        ([0, 30], 30, True),
        ([0, 41], 41, True),
        ([0, 42], 42, False),
        ([0, 50], 50, False),
        ([0, 50, 60], 60, True),
    ],
)
def test_recurrence_window(
    starts: list[int], today: int, recurring: bool, settings: ProgressionSettings
) -> None:
    assert (settings.flare.repeated_count, settings.flare.repeated_window_days) == (2, 42)
    episodes = [flare.FlareEpisode(DAY + timedelta(days=s)) for s in starts]
    assert flare.recurring(episodes, DAY + timedelta(days=today), settings.flare) is recurring
