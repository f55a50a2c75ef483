"""Classify one session GREEN / AMBER / RED by the pain-monitoring model.

The model (Thomeé 1997; tested by Silbernagel 2007) lets pain during activity reach
a set level, asks that after-pain settle by the next morning, and that pain does not
rise week on week. The low back pain adaptation (clinical reference 5.5, heuristic)
turns that into three colours:

* GREEN: pain during and right after at or below the safe level, and the next
  morning no worse than baseline: progress one step;
* AMBER: up to the acceptable level and settled by the next morning (or within the
  RED margin): repeat the level;
* RED: above the acceptable level, next morning more than the margin above
  baseline, a rising weekly average, or any peripheralisation or new neurology:
  regress (and re-screen on neurological change).

Every reason names the rule and its source, so a clinician can see why. Without the
next-morning answer the colour is *provisional*: the morning rule may still turn it
RED (or AMBER), so the ladder does not progress on it.
"""

from __future__ import annotations

from enum import StrEnum

from backmech.domain.progression.settings import PainMonitoringSettings
from backmech.domain.records import record
from backmech.domain.types import SourceId


class Colour(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def rank(self) -> int:
        """Higher is worse; a week's colour is its worst session."""
        return _RANK[self]


_RANK = {Colour.GREEN: 0, Colour.AMBER: 1, Colour.RED: 2}


@record
class SessionPain:
    """The inputs of one classification (0-10 ratings; None = not answered)."""

    during: int | None
    after: int | None
    baseline: int
    next_morning: int | None = None
    weekly_change: float | None = None
    """This week's average pain minus last week's (positive = rising)."""
    peripheralisation: bool = False
    new_neurology: bool = False


@record
class Reason:
    """One rule that fired: a stable id, plain words and the source behind it."""

    rule: str
    text: str
    source: SourceId


@record
class PainSignal:
    colour: Colour
    reasons: tuple[Reason, ...]
    provisional: bool
    """True while the next-morning answer is missing."""
    rescreen: bool
    """Peripheralisation or new neurology: repeat the red-flag and nerve screen."""

    @property
    def confirmed_green(self) -> bool:
        return self.colour is Colour.GREEN and not self.provisional


def _check(value: int | None, name: str) -> None:
    if value is not None and not 0 <= value <= 10:
        raise ValueError(f"{name} must be a 0-10 rating, got {value}")


def classify(pain: SessionPain, settings: PainMonitoringSettings) -> PainSignal:
    """The colour of one session, with every rule that decided it (RED rules all listed)."""
    for value, name in (
        (pain.during, "during"),
        (pain.after, "after"),
        (pain.baseline, "baseline"),
        (pain.next_morning, "next_morning"),
    ):
        _check(value, name)
    model, adapted = settings.model_source, settings.adaptation_source
    activity = max((p for p in (pain.during, pain.after) if p is not None), default=None)
    red: list[Reason] = []
    if pain.peripheralisation:
        red.append(
            Reason("peripheralisation", "Symptoms moved further down the leg: stop that exercise.", adapted)
        )
    if pain.new_neurology:
        red.append(
            Reason("new-neurology", "New numbness, tingling or weakness: repeat the safety screen.", adapted)
        )
    if activity is not None and activity > settings.acceptable_max:
        red.append(
            Reason(
                "activity-high",
                f"Pain during or right after reached {activity}/10, above {settings.acceptable_max}/10.",
                model,
            )
        )
    morning_limit = pain.baseline + settings.next_morning_above_baseline
    if pain.next_morning is not None and pain.next_morning > morning_limit:
        red.append(
            Reason(
                "morning-high",
                f"Next-morning pain {pain.next_morning}/10 is more than "
                f"{settings.next_morning_above_baseline} points above the usual {pain.baseline}/10.",
                adapted,
            )
        )
    if pain.weekly_change is not None and pain.weekly_change >= settings.weekly_rise_points:
        red.append(
            Reason(
                "weekly-rising",
                f"Average pain this week is {pain.weekly_change:.1f} points above last week.",
                adapted,
            )
        )
    provisional = pain.next_morning is None
    rescreen = pain.peripheralisation or pain.new_neurology
    if red:
        return PainSignal(Colour.RED, tuple(red), provisional, rescreen)
    amber: list[Reason] = []
    if pain.next_morning is not None and pain.next_morning > pain.baseline:
        amber.append(
            Reason(
                "morning-not-settled",
                f"Next-morning pain {pain.next_morning}/10 had not settled to the usual {pain.baseline}/10.",
                model,
            )
        )
    if activity is not None and activity > settings.safe_max:
        amber.append(
            Reason(
                "activity-acceptable",
                f"Pain during or right after reached {activity}/10: acceptable, repeat this level.",
                model,
            )
        )
    if amber:
        return PainSignal(Colour.AMBER, tuple(amber), provisional, rescreen)
    if activity is None:
        return PainSignal(
            Colour.AMBER,
            (Reason("no-rating", "No pain rating for the session: repeat this level.", adapted),),
            provisional,
            rescreen,
        )
    green = Reason(
        "activity-safe",
        f"Pain during and right after was {activity}/10, within the safe {settings.safe_max}/10"
        + ("" if provisional else " and was settled by the next morning")
        + ".",
        adapted,
    )
    return PainSignal(Colour.GREEN, (green,), provisional, rescreen)
