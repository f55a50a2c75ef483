"""Alerts for the clinician: what in a person's log needs a human to look at it.

Each check returns at most one alert and fires once per event (the day a run of
inactivity reaches the limit, the day a flare passes the review window), so a
clinician's list does not fill with repeats. A positive red-flag answer at any
check-in stops the programme: the safety rule of the clinical reference overrides
every other decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from backmech.domain.progression import flare as flares
from backmech.domain.progression.reassessment import MeasureChange, Responder
from backmech.domain.progression.settings import ProgressionSettings
from backmech.domain.records import record
from backmech.domain.types import SourceId


def _score(value: float) -> str:
    return f"{round(value, 1):g}"


class AlertKind(StrEnum):
    RED_FLAG = "red_flag"
    RESCREEN = "rescreen"
    DETERIORATED = "deteriorated"
    INACTIVE = "inactive"
    FLARE_NOT_SETTLING = "flare_not_settling"
    REPEATED_FLARES = "repeated_flares"
    DECISION_POINT = "decision_point"
    PLAN_EDITS_CARRIED = "plan_edits_carried"


@record
class Alert:
    day: date
    kind: AlertKind
    message: str
    stops_programme: bool
    sources: tuple[SourceId, ...]


def red_flag(day: date, positives: Sequence[str], settings: ProgressionSettings) -> Alert | None:
    """Any yes to a safety question: stop the programme and refer."""
    if not positives:
        return None
    names = ", ".join(sorted(positives))
    return Alert(
        day,
        AlertKind.RED_FLAG,
        f"New red-flag answer at check-in ({names}): the programme is stopped; contact the person and refer.",
        True,
        (settings.safety_source,),
    )


def rescreen(
    day: date,
    peripheralisation: bool,
    new_neurology: bool,
    settings: ProgressionSettings,
    *,
    after_session: bool = True,
) -> Alert | None:
    if not (peripheralisation or new_neurology):
        return None
    what = " and ".join(
        w
        for w, on in (
            ("symptoms spreading down the leg", peripheralisation),
            ("new neurological symptoms", new_neurology),
        )
        if on
    )
    return Alert(
        day,
        AlertKind.RESCREEN,
        f"Reported {what}{' after a session' if after_session else ' at a check-in'}: "
        "repeat the red-flag and nerve screen.",
        False,
        (settings.pain.adaptation_source,),
    )


def deteriorated(day: date, changes: Sequence[MeasureChange]) -> Alert | None:
    """Worse by at least the MCID (and MDC where known) on any measure."""
    worse = [c for c in changes if c.status is Responder.DETERIORATED]
    if not worse:
        return None
    text = "; ".join(f"{c.measure} {_score(c.baseline)} → {_score(c.current)}" for c in worse)
    sources = tuple(dict.fromkeys(s for c in worse for s in c.sources))
    return Alert(
        day,
        AlertKind.DETERIORATED,
        f"Worse than at the start beyond the minimal important change: {text}.",
        False,
        sources,
    )


def inactive(day: date, run: int, settings: ProgressionSettings) -> Alert | None:
    """Fires on the day a run without any activity reaches the limit (once per run)."""
    limit = settings.adherence.inactivity_alert_days
    if run != limit:
        return None
    return Alert(
        day,
        AlertKind.INACTIVE,
        f"No session or walking logged for {limit} days in a row: check in with the person.",
        False,
        (settings.adherence.engagement_source,),
    )


def flare_not_settling(
    day: date, episode: flares.FlareEpisode, settings: ProgressionSettings
) -> Alert | None:
    """Fires on the first day the flare is past the review window."""
    f = settings.flare
    if not flares.needs_review(episode, day, f) or episode.days(day) != f.review_after_days + 1:
        return None
    return Alert(
        day,
        AlertKind.FLARE_NOT_SETTLING,
        f"A flare-up that started on {episode.started.isoformat()} has not settled after"
        f" {f.review_after_days} days: review.",
        False,
        (f.plan_source,),
    )


def repeated_flares(
    day: date, episodes: Sequence[flares.FlareEpisode], settings: ProgressionSettings
) -> Alert | None:
    """Fires on the day a flare starts that makes them "keep coming back"."""
    f = settings.flare
    if not episodes or episodes[-1].started != day or not flares.recurring(episodes, day, f):
        return None
    return Alert(
        day,
        AlertKind.REPEATED_FLARES,
        f"{f.repeated_count} or more flare-ups within {f.repeated_window_days} days: review the plan.",
        False,
        (f.plan_source,),
    )


def decision_point(
    day: date,
    week: int,
    changes: Sequence[MeasureChange],
    adherence_percent: float | None,
    settings: ProgressionSettings,
    points: Sequence[tuple[int, str]] | None = None,
) -> Alert | None:
    """At the end of a plan's decision-point week, when no tracked measure has improved yet.

    ``points`` are the person's own plan's decision points (a check that does not apply
    to them, such as week 2's without a directional preference, is not in their plan);
    without them, every decision point of plan.yaml applies.

    The check itself is the plan's own text (plan.yaml ``decision_points``); the alert
    adds what the clinician needs beside it: which measures were re-measured and the
    adherence so far. A person already improving needs no prompt.
    """
    chosen = settings.reassessment.decision_points if points is None else points
    checks = [text for at, text in chosen if at == week]
    if not checks or any(c.status is Responder.IMPROVED for c in changes):
        return None
    measured = ", ".join(f"{c.measure} {_score(c.baseline)} → {_score(c.current)}" for c in changes)
    measured = measured or "none re-measured yet"
    adherence = "unknown" if adherence_percent is None else f"{adherence_percent:.0f} %"
    return Alert(
        day,
        AlertKind.DECISION_POINT,
        f"Week {week} review: {' '.join(checks)} Not yet improved by the minimal important change "
        f"({measured}); sessions done so far {adherence}.",
        False,
        (settings.reassessment.source, settings.reassessment.responder_source),
    )


def plan_edits_carried(day: date, carried: Sequence[str], dropped: Sequence[tuple[str, str]]) -> Alert | None:
    """A new assessment made a new plan: the clinician's earlier edits, carried over or dropped and why.

    ``carried`` and ``dropped`` describe the edits in words (and, for a dropped one, why it
    could not apply). The person already follows the plan with the carried edits; the
    clinician checks that it is still the plan they meant.
    """
    if not carried and not dropped:
        return None
    parts = [f"A new assessment on {day.isoformat()} made a new plan."]
    if carried:
        parts.append(f"Your earlier changes were carried over: {'; '.join(carried)}.")
    if dropped:
        parts.append("Not carried over: " + "; ".join(f"{what} ({why})" for what, why in dropped) + ".")
    parts.append("Check that the plan is still as you meant it.")
    return Alert(day, AlertKind.PLAN_EDITS_CARRIED, " ".join(parts), False, ())
