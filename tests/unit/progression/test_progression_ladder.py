"""The exercise ladder: progress / hold / regress for one exercise, and its guards."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from backmech.domain.exercises.model import Exercise
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.progression.ladder import (
    LadderState,
    Rung,
    Step,
    decide,
    flare_cut,
    next_walking_minutes,
    start_reps,
)
from backmech.domain.progression.pain_monitoring import Colour, PainSignal
from backmech.domain.progression.settings import ProgressionSettings
from backmech.knowledge.loader import default_knowledge

G, A, R = Colour.GREEN, Colour.AMBER, Colour.RED


def signal(colour: Colour, provisional: bool = False) -> PainSignal:
    return PainSignal(colour, (), provisional, False)


@pytest.mark.parametrize(
    ("state", "colour", "provisional", "step", "after"),
    [
        # GREEN: +2 repetitions in every set of the 6-4-2 pyramid.
        (LadderState(Rung("bird-dog", (6, 4, 2))), G, False, Step.PROGRESS, Rung("bird-dog", (8, 6, 4))),
        (LadderState(Rung("bird-dog", (10, 8, 6))), G, False, Step.PROGRESS, Rung("bird-dog", (12, 10, 8))),
        # First set would pass the cap of 12: the harder variant at its start dose.
        (
            LadderState(Rung("bird-dog", (12, 10, 8))),
            G,
            False,
            Step.PROGRESS,
            Rung("bird-dog-sweeps", (6, 4, 2)),
        ),
        # Top of the ladder: nothing harder, keep the level.
        (
            LadderState(Rung("bird-dog-sweeps", (12, 10, 8))),
            G,
            False,
            Step.HOLD,
            Rung("bird-dog-sweeps", (12, 10, 8)),
        ),
        (LadderState(Rung("glute-bridge", (8, 8))), G, False, Step.PROGRESS, Rung("glute-bridge", (10, 10))),
        # Time-based exercise: the only step up is the harder exercise.
        (
            LadderState(Rung("half-kneeling-glute-activation", ())),
            G,
            False,
            Step.PROGRESS,
            Rung("half-kneeling-reach", ()),
        ),
        # After a volume cut, GREEN first restores the full volume.
        (LadderState(Rung("childs-pose", (), 70)), G, False, Step.PROGRESS, Rung("childs-pose", ())),
        # AMBER, and GREEN still waiting for the morning answer, hold.
        (LadderState(Rung("bird-dog", (6, 4, 2))), A, False, Step.HOLD, Rung("bird-dog", (6, 4, 2))),
        (LadderState(Rung("bird-dog", (6, 4, 2))), G, True, Step.HOLD, Rung("bird-dog", (6, 4, 2))),
        # RED after raising reps on this rung: the highest earlier step at least 30 % smaller
        # (24 reps -> at most 16.8: 8-6-4 is 18, so 6-4-2; 30 reps -> at most 21: 8-6-4).
        (LadderState(Rung("bird-dog", (10, 8, 6))), R, False, Step.REGRESS, Rung("bird-dog", (6, 4, 2))),
        (LadderState(Rung("bird-dog", (12, 10, 8))), R, False, Step.REGRESS, Rung("bird-dog", (8, 6, 4))),
        (LadderState(Rung("glute-bridge", (12, 12))), R, False, Step.REGRESS, Rung("glute-bridge", (8, 8))),
        # Below the start dose (after a cut), GREEN returns to the start dose.
        (LadderState(Rung("bird-dog", (4, 2, 1))), G, False, Step.PROGRESS, Rung("bird-dog", (6, 4, 2))),
        # RED at the start dose with an easier exercise below: step back.
        (
            LadderState(Rung("mcgill-curl-up", (6, 4, 2))),
            R,
            False,
            Step.REGRESS,
            Rung("abdominal-bracing", (5,)),
        ),
        # RED at the start dose with nothing below: cut 30 % (at least one rep a set).
        (LadderState(Rung("bird-dog", (6, 4, 2))), R, False, Step.REGRESS, Rung("bird-dog", (4, 2, 1))),
        (LadderState(Rung("cat-camel", (5,))), R, True, Step.REGRESS, Rung("cat-camel", (3,))),
        (LadderState(Rung("childs-pose", ())), R, False, Step.REGRESS, Rung("childs-pose", (), 70)),
        # Paused after a flare: the first GREEN holds, the second in a row progresses.
        (
            LadderState(Rung("bird-dog", (6, 4, 2)), consecutive_green=0, paused=True),
            G,
            False,
            Step.HOLD,
            Rung("bird-dog", (6, 4, 2)),
        ),
        (
            LadderState(Rung("bird-dog", (6, 4, 2)), consecutive_green=1, paused=True),
            G,
            False,
            Step.PROGRESS,
            Rung("bird-dog", (8, 6, 4)),
        ),
    ],
)
def test_decision_table(
    state: LadderState,
    colour: Colour,
    provisional: bool,
    step: Step,
    after: Rung,
    exercises: Mapping[str, Exercise],
    settings: ProgressionSettings,
) -> None:
    new, decision = decide(state, signal(colour, provisional), exercises, settings.ladder, settings.flare)
    assert decision.step is step
    assert decision.after == after == new.rung
    assert decision.before == state.rung
    assert decision.reason


@pytest.mark.parametrize(
    ("rung", "colour", "after"),
    [
        # The harder variant is contraindicated for this person: stay at the top dose.
        (Rung("bird-dog", (12, 10, 8)), G, Rung("bird-dog", (12, 10, 8))),
        # The easier one is blocked: cut volume instead of stepping onto it.
        (Rung("mcgill-curl-up", (6, 4, 2)), R, Rung("mcgill-curl-up", (4, 2, 1))),
    ],
)
def test_never_steps_onto_a_blocked_exercise(
    rung: Rung, colour: Colour, after: Rung, exercises: Mapping[str, Exercise], settings: ProgressionSettings
) -> None:
    blocked = {"bird-dog-sweeps", "abdominal-bracing"}
    new, _ = decide(LadderState(rung), signal(colour), exercises, settings.ladder, settings.flare, blocked)
    assert new.rung == after


def test_sources_follow_the_step(exercises: Mapping[str, Exercise], settings: ProgressionSettings) -> None:
    state = LadderState(Rung("bird-dog", (8, 6, 4)))
    for colour, source in (
        (G, settings.ladder.reps_source),
        (A, settings.ladder.actions_source),
        (R, settings.ladder.actions_source),
    ):
        _, decision = decide(state, signal(colour), exercises, settings.ladder, settings.flare)
        assert decision.source == source


def test_a_run_of_sessions(exercises: Mapping[str, Exercise], settings: ProgressionSettings) -> None:
    state = LadderState(Rung("bird-dog", (6, 4, 2)))
    seen = []
    for colour in (G, G, A, R, G, G):
        state, decision = decide(state, signal(colour), exercises, settings.ladder, settings.flare)
        seen.append((decision.step, state.rung.reps))
    assert seen == [
        (Step.PROGRESS, (8, 6, 4)),
        (Step.PROGRESS, (10, 8, 6)),
        (Step.HOLD, (10, 8, 6)),
        (Step.REGRESS, (6, 4, 2)),
        (Step.PROGRESS, (8, 6, 4)),
        (Step.PROGRESS, (10, 8, 6)),
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # Half of 30 reps is 15: 10-8-6 (24) and 8-6-4 (18) are too many, 6-4-2 (12) fits.
        (Rung("bird-dog-sweeps", (12, 10, 8)), Rung("bird-dog-sweeps", (6, 4, 2))),
        (Rung("glute-bridge", (16, 16)), Rung("glute-bridge", (8, 8))),
        (Rung("glute-bridge", (20, 20)), Rung("glute-bridge", (10, 10))),
        # At the start dose: half the repetitions (at least one).
        (Rung("bird-dog", (6, 4, 2)), Rung("bird-dog", (3, 2, 1))),
        (Rung("childs-pose", ()), Rung("childs-pose", (), 50)),
    ],
)
def test_flare_cut_halves_and_pauses(
    before: Rung, after: Rung, exercises: Mapping[str, Exercise], settings: ProgressionSettings
) -> None:
    assert settings.flare.volume_percent == 50
    cut = flare_cut(LadderState(before, consecutive_green=3), exercises, settings.flare, 2)
    assert cut == LadderState(after, consecutive_green=0, paused=True)


@pytest.mark.parametrize(
    ("minutes", "colour", "expected"),
    [
        (10.0, G, 11.0),
        (10.0, A, 11.0),
        (10.0, R, 7.0),
        (10.0, None, 10.0),
        (28.0, G, 30.0),
        (30.0, G, 30.0),
        (35.0, G, 35.0),
    ],
)
def test_walking_week_by_week(
    minutes: float, colour: Colour | None, expected: float, settings: ProgressionSettings
) -> None:
    assert next_walking_minutes(minutes, colour, settings.ladder) == expected


_KB_CACHE: list[KnowledgeBase] = []


def _kb() -> KnowledgeBase:
    if not _KB_CACHE:
        _KB_CACHE.append(default_knowledge())
    return _KB_CACHE[0]


signals = st.lists(
    st.tuples(st.sampled_from([G, A, R]), st.booleans()).map(lambda t: signal(t[0], t[1])), max_size=40
)


@hyp_settings(max_examples=200, deadline=None)
@given(
    slug=st.sampled_from(["bird-dog", "mcgill-curl-up", "glute-bridge", "side-bridge-wall", "pallof-press"]),
    before=signals,
    after=signals,
)
def test_progress_only_on_new_confirmed_green_and_never_past_the_cap(
    slug: str, before: list[PainSignal], after: list[PainSignal]
) -> None:
    kb = _kb()
    ladder, flare = kb.progression.ladder, kb.progression.flare
    state = LadderState(Rung(slug, start_reps(kb.exercises[slug].dose)))
    for s in before:
        state, decision = decide(state, s, kb.exercises, ladder, flare)
        if decision.step is Step.PROGRESS:
            assert s.confirmed_green
        assert not state.rung.reps or state.rung.reps[0] <= max(
            ladder.reps_cap, kb.exercises[slug].dose.reps or 0
        )
    # After a flare no step up until enough GREEN sessions in a row.
    state = flare_cut(state, kb.exercises, flare, ladder.reps_increment)
    run = 0
    for s in after:
        run = run + 1 if s.confirmed_green else (run if s.colour is G and s.provisional else 0)
        was_paused = state.paused
        state, decision = decide(state, s, kb.exercises, ladder, flare)
        if decision.step is Step.PROGRESS:
            assert s.confirmed_green
            if was_paused:
                assert run >= flare.resume_after_green
