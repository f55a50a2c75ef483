"""Progress, hold or regress one exercise from its latest pain signal.

Each exercise sits on a ladder: its ``regression`` below, its ``progression`` above
(``Exercise.progression``/``regression`` slugs). A rung's dose is a tuple of
repetitions per set, so a McGill 6-4-2 pyramid and 2 x 8 are handled alike.

* GREEN (confirmed by the next morning): +increment repetitions in every set; when
  the first set would pass the cap, step up to the harder exercise at its start dose
  (McGill: more repetitions first, then a harder variant).
* AMBER, or GREEN still waiting for the morning answer: hold.
* RED: one step down - back to an earlier dose of this rung (at least the cut
  smaller) when the dose was raised on it, else the easier exercise, else a volume
  cut below the start dose (the next GREEN restores the start dose).

Two guards from the flare plan and the model: only a confirmed GREEN session moves a
rung up, one step per session, so two steps always have a GREEN between them; and
after a flare progression resumes only after the set number of consecutive GREEN
sessions.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from enum import StrEnum

from backmech.domain.exercises.model import Dose, Exercise
from backmech.domain.progression.pain_monitoring import Colour, PainSignal
from backmech.domain.progression.settings import FlareSettings, LadderSettings
from backmech.domain.records import record
from backmech.domain.types import Slug, SourceId


class Step(StrEnum):
    PROGRESS = "progress"
    HOLD = "hold"
    REGRESS = "regress"


@record
class Rung:
    """Where one exercise stands: which exercise, and its dose.

    ``reps`` has one entry per set (empty for time-based exercises);
    ``volume_percent`` scales time-based doses after a cut.
    """

    slug: Slug
    reps: tuple[int, ...]
    volume_percent: int = 100


@record
class LadderState:
    """A rung plus what the guards need to remember between sessions."""

    rung: Rung
    consecutive_green: int = 0
    """Confirmed GREEN sessions in a row; each step up consumes the GREEN it rests on."""
    paused: bool = False
    """Progression paused after a flare until enough consecutive GREEN sessions."""


@record
class LadderDecision:
    slug: Slug
    step: Step
    before: Rung
    after: Rung
    reason: str
    source: SourceId


def start_reps(dose: Dose) -> tuple[int, ...]:
    """Repetitions per set of a starting dose (pyramid, or sets x reps, or none)."""
    if dose.pyramid:
        return dose.pyramid
    if dose.reps is not None:
        return (dose.reps,) * (dose.sets or 1)
    return ()


def start_rung(exercise: Exercise) -> Rung:
    return Rung(exercise.slug, start_reps(exercise.dose))


def _cut(rung: Rung, base: tuple[int, ...], percent: int, increment: int) -> Rung:
    """At least ``percent`` less volume, landing on the exercise's own dose ladder.

    Above the start dose the cut goes back to the highest earlier step (start + k x
    increment in every set) that is at least ``percent`` smaller, so a pyramid keeps
    its shape and later steps retrace the same doses. At or below the start dose the
    repetitions are scaled down (at least one a set); time-based doses scale
    ``volume_percent`` instead.
    """
    if not rung.reps:
        return Rung(rung.slug, (), max(10, rung.volume_percent * (100 - percent) // 100))
    target = sum(rung.reps) * (100 - percent) / 100
    if base and len(base) == len(rung.reps) and rung.reps[0] > base[0]:
        steps = (rung.reps[0] - base[0] + increment - 1) // increment
        for k in range(steps - 1, -1, -1):
            candidate = tuple(b + k * increment for b in base)
            if sum(candidate) <= target:
                return Rung(rung.slug, candidate, rung.volume_percent)
    keep = (100 - percent) / 100
    return Rung(rung.slug, tuple(max(1, math.floor(r * keep)) for r in rung.reps), rung.volume_percent)


def flare_cut(
    state: LadderState, exercises: Mapping[Slug, Exercise], flare: FlareSettings, increment: int
) -> LadderState:
    """The flare plan: about half the volume (see :func:`_cut`) and progression paused."""
    exercise = exercises.get(state.rung.slug)
    base = start_reps(exercise.dose) if exercise is not None else ()
    cut = _cut(state.rung, base, 100 - flare.volume_percent, increment)
    return LadderState(cut, consecutive_green=0, paused=True)


def decide(
    state: LadderState,
    signal: PainSignal,
    exercises: Mapping[Slug, Exercise],
    ladder: LadderSettings,
    flare: FlareSettings,
    blocked: Collection[Slug] = (),
) -> tuple[LadderState, LadderDecision]:
    """The next state of one exercise and the decision, with its reason and source.

    ``blocked`` lists exercises this person must not do (those the plan excluded as
    contraindicated); the ladder never steps onto one of them.
    """
    rung = state.rung
    exercise = exercises.get(rung.slug)
    if exercise is None:
        raise ValueError(f"unknown exercise {rung.slug!r}")
    if signal.colour is Colour.RED:
        after, why = _regress(rung, exercise, exercises, ladder, blocked)
        new = LadderState(after, consecutive_green=0, paused=state.paused)
        return new, LadderDecision(rung.slug, Step.REGRESS, rung, after, why, ladder.actions_source)
    if signal.colour is Colour.AMBER:
        new = LadderState(rung, 0, state.paused)
        return new, _hold(rung, "AMBER session: repeat the same level.", ladder.actions_source)
    if signal.provisional:
        return state, _hold(
            rung,
            "GREEN so far, but the next-morning answer is missing: repeat the level.",
            ladder.actions_source,
        )
    consecutive = state.consecutive_green + 1
    if state.paused and consecutive < flare.resume_after_green:
        new = LadderState(rung, consecutive, paused=True)
        return new, _hold(
            rung,
            f"After a flare-up progression resumes after {flare.resume_after_green} GREEN sessions in a row"
            f" ({consecutive} so far).",
            flare.plan_source,
        )
    after, why = _progress(rung, exercise, exercises, ladder, blocked)
    if after == rung:
        return LadderState(rung, consecutive, paused=False), _hold(rung, why, ladder.reps_source)
    new = LadderState(after, consecutive_green=consecutive, paused=False)
    return new, LadderDecision(rung.slug, Step.PROGRESS, rung, after, why, ladder.reps_source)


def _hold(rung: Rung, why: str, source: SourceId) -> LadderDecision:
    return LadderDecision(rung.slug, Step.HOLD, rung, rung, why, source)


def _neighbour(
    slug: Slug | None, exercises: Mapping[Slug, Exercise], blocked: Collection[Slug]
) -> Exercise | None:
    """The exercise one rung up or down, unless there is none or it is blocked for this person."""
    if slug is None or slug in blocked:
        return None
    return exercises.get(slug)


def _progress(
    rung: Rung,
    exercise: Exercise,
    exercises: Mapping[Slug, Exercise],
    ladder: LadderSettings,
    blocked: Collection[Slug],
) -> tuple[Rung, str]:
    if rung.volume_percent < 100:
        return Rung(rung.slug, rung.reps, 100), "GREEN: back to the full volume."
    base = start_reps(exercise.dose)
    if rung.reps and base and len(base) == len(rung.reps) and rung.reps[0] < base[0]:
        return Rung(rung.slug, base), "GREEN: back to the start dose."
    if rung.reps and rung.reps[0] + ladder.reps_increment <= ladder.reps_cap:
        reps = tuple(r + ladder.reps_increment for r in rung.reps)
        return Rung(rung.slug, reps), f"GREEN: {ladder.reps_increment} more repetitions in each set."
    nxt = _neighbour(exercise.progression, exercises, blocked)
    if nxt is not None:
        return start_rung(nxt), f"GREEN at the top dose: move on to {nxt.name}."
    return rung, "GREEN at the top of this exercise's ladder: keep this level."


def _regress(
    rung: Rung,
    exercise: Exercise,
    exercises: Mapping[Slug, Exercise],
    ladder: LadderSettings,
    blocked: Collection[Slug],
) -> tuple[Rung, str]:
    base = start_reps(exercise.dose)
    cut = ladder.red_volume_cut_percent
    if rung.reps and base and len(base) == len(rung.reps) and rung.reps[0] > base[0]:
        earlier = _cut(rung, base, cut, ladder.reps_increment)
        return earlier, f"RED: back to an earlier dose, at least {cut} % less."
    prev = _neighbour(exercise.regression, exercises, blocked)
    if prev is not None:
        return start_rung(prev), f"RED: step back to {prev.name}."
    return _cut(rung, base, cut, ladder.reps_increment), f"RED: about {cut} % less volume for now."


def next_walking_minutes(minutes: float, week_colour: Colour | None, ladder: LadderSettings) -> float:
    """Next week's walking bout: +increase % after a week without RED, capped at the target.

    A RED week cuts by the RED volume cut; a week with no rated session keeps the dose
    (graded activity goes up by plan, but not without any sign of how it went).
    """
    if week_colour is Colour.RED:
        return round(minutes * (100 - ladder.red_volume_cut_percent) / 100, 1)
    if week_colour is None:
        return minutes
    raised = round(minutes * (100 + ladder.walking_increase_percent) / 100, 1)
    return min(raised, max(minutes, ladder.walking_target_minutes))
