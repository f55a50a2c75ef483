"""Flare-ups: when one starts, what the person does for the next days, when it is over.

A flare is "a worsening lasting hours to weeks that is difficult to tolerate and
generally affects usual activities and/or emotions" (Costa 2019): the person's own
report is the primary signal. backmech also treats a RED session with pain well above
that day's baseline as a flare (heuristic margin), so the plan is offered even when
nobody presses the button.

The protocol follows the flare plan of the clinical reference (5.7): re-screen the red
flags first (any yes stops the programme), stay active, relief positions, short walks,
about half the volume for a few days, resume after consecutive GREEN sessions, and
contact the clinician when it does not settle, keeps coming back, or brings leg
symptoms. Flares are common and usually not a sign of new damage; the wording says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from backmech.domain.progression.pain_monitoring import Colour, PainSignal, SessionPain
from backmech.domain.progression.settings import FlareSettings
from backmech.domain.records import record
from backmech.domain.types import SourceId


@record
class FlareTrigger:
    reason: str
    source: SourceId


@record
class FlareProtocol:
    """The plan for the days after a flare starts, in plain language."""

    started: date
    trigger: FlareTrigger
    steps: tuple[str, ...]
    volume_percent: int
    reduced_until: date
    """Last day of the reduced volume (inclusive)."""
    resume_after_green: int
    contact_clinician_when: tuple[str, ...]
    red_flag_rule: str
    sources: tuple[SourceId, ...]


@record
class FlareEpisode:
    started: date
    settled: date | None = None

    def days(self, today: date) -> int:
        """Days since the flare started (the start day is day 0)."""
        return ((self.settled or today) - self.started).days


def detect(
    pain: SessionPain | None, signal: PainSignal | None, reported: bool, settings: FlareSettings
) -> FlareTrigger | None:
    """Whether today starts a flare, and why; None when it does not."""
    if reported:
        return FlareTrigger("You told us your back has flared up.", settings.definition_source)
    if pain is None or signal is None or signal.colour is not Colour.RED:
        return None
    ratings = [p for p in (pain.during, pain.after, pain.next_morning) if p is not None]
    if not ratings:
        return None
    worst = max(ratings)
    if worst - pain.baseline >= settings.detect_points_above_baseline:
        return FlareTrigger(
            f"A RED session with pain {worst}/10, {worst - pain.baseline} points above the usual"
            f" {pain.baseline}/10.",
            settings.detect_source,
        )
    return None


def protocol(started: date, trigger: FlareTrigger, settings: FlareSettings) -> FlareProtocol:
    """The flare plan that starts on ``started`` because of ``trigger``."""
    return FlareProtocol(
        started=started,
        trigger=trigger,
        steps=settings.steps,
        volume_percent=settings.volume_percent,
        reduced_until=started + timedelta(days=settings.reduced_days - 1),
        resume_after_green=settings.resume_after_green,
        contact_clinician_when=settings.contact_clinician_when,
        red_flag_rule=settings.red_flag_rule,
        sources=(settings.definition_source, settings.plan_source),
    )


def needs_review(episode: FlareEpisode, today: date, settings: FlareSettings) -> bool:
    """A flare still going after the review window needs a clinician (seek review, 5.7)."""
    return episode.settled is None and episode.days(today) > settings.review_after_days


def recurring(episodes: Sequence[FlareEpisode], today: date, settings: FlareSettings) -> bool:
    """Flares "keep coming back": the set count started within the window up to today."""
    window_start = today - timedelta(days=settings.repeated_window_days)
    recent = [e for e in episodes if window_start < e.started <= today]
    return len(recent) >= settings.repeated_count
