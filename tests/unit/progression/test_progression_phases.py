"""Phase changes need the criteria as well as the calendar."""

from __future__ import annotations

import pytest

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.progression.pain_monitoring import Colour, PainSignal
from backmech.domain.progression.phases import WeekPain, next_phase, week_pain
from backmech.domain.progression.reassessment import MeasureChange, Responder
from backmech.domain.progression.settings import ProgressionSettings

GREEN = WeekPain(0, 5, 0, True)
AMBER = WeekPain(0, 5, 0, False)
RED = WeekPain(0, 5, 1, False)
EMPTY = WeekPain(0, 0, 0, False)


def _change(status: Responder) -> MeasureChange:
    return MeasureChange("odi", 40, 20, 20, 50, status, True, "", ())


@pytest.mark.parametrize(
    ("phase", "completed", "weeks", "changes", "in_flare", "to"),
    [
        (1, 1, [AMBER], [], False, None),  # calendar: phase 2 starts in week 3
        (1, 2, [AMBER, AMBER], [], False, 2),
        (1, 2, [GREEN, RED], [], False, None),
        (1, 2, [RED, GREEN], [], False, 2),
        (1, 2, [GREEN, EMPTY], [], False, None),
        (1, 2, [GREEN, GREEN], [], True, None),  # never during a flare
        (1, 9, [AMBER] * 9, [], False, 2),  # late is fine
        (2, 5, [GREEN] * 5, [], False, None),  # phase 3 starts in week 7
        (2, 6, [AMBER] * 4 + [GREEN, GREEN], [], False, 3),
        (2, 6, [GREEN] * 5 + [AMBER], [], False, None),
        (2, 6, [GREEN, GREEN, GREEN, GREEN, RED, GREEN], [], False, None),
        (3, 11, [GREEN] * 11, [_change(Responder.IMPROVED)], False, None),  # phase 4 from week 13
        (3, 12, [GREEN] * 12, [_change(Responder.IMPROVED)], False, 4),
        (3, 12, [GREEN] * 12, [_change(Responder.UNCHANGED)], False, None),
        (3, 12, [GREEN] * 12, [], False, None),
        (4, 20, [GREEN] * 20, [_change(Responder.IMPROVED)], False, None),
    ],
)
def test_phase_table(
    phase: int,
    completed: int,
    weeks: list[WeekPain],
    changes: list[MeasureChange],
    in_flare: bool,
    to: int | None,
    settings: ProgressionSettings,
    kb: KnowledgeBase,
) -> None:
    start_weeks = kb.plan.phase_start_weeks[12]
    assert start_weeks == (1, 3, 7, 13)
    decision = next_phase(phase, completed, weeks, changes, start_weeks, in_flare, settings)
    if to is None:
        assert decision is None
    else:
        assert decision is not None
        assert (decision.from_phase, decision.to_phase) == (phase, to)
        assert decision.source == "heuristic-stage-framework"
        assert decision.reasons


def test_week_summary() -> None:
    def s(colour: Colour, provisional: bool = False) -> PainSignal:
        return PainSignal(colour, (), provisional, False)

    assert week_pain(1, [s(Colour.GREEN), s(Colour.GREEN)]) == WeekPain(1, 2, 0, True)
    assert week_pain(1, [s(Colour.GREEN), s(Colour.GREEN, True)]).all_green is False
    assert week_pain(1, [s(Colour.GREEN), s(Colour.RED)]) == WeekPain(1, 2, 1, False)
    assert week_pain(1, []).settled is False
