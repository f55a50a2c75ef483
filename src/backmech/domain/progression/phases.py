"""Moving from one phase of the plan to the next by criteria, not only by the calendar.

The plan's calendar (``phase_start_weeks`` in ``plan.yaml``) gives the *earliest*
week a phase may start. The person moves on only when the phase's criteria also hold
(stage framework, clinical reference 5.5, heuristic): weeks without a RED session,
consecutive all-GREEN weeks, or questionnaire change reaching the MCID. Nobody moves
on during a flare. Phases never go backwards here; setbacks are handled by the ladder.
"""

from __future__ import annotations

from collections.abc import Sequence

from backmech.domain.progression.pain_monitoring import Colour, PainSignal
from backmech.domain.progression.reassessment import MeasureChange, Responder
from backmech.domain.progression.settings import ProgressionSettings
from backmech.domain.records import record
from backmech.domain.types import SourceId


@record
class WeekPain:
    """The pain-monitoring result of one course week."""

    week: int
    sessions: int
    red: int
    all_green: bool
    """At least one session, and every one a confirmed GREEN."""

    @property
    def settled(self) -> bool:
        """At least one session and none RED."""
        return self.sessions > 0 and self.red == 0


def week_pain(week: int, signals: Sequence[PainSignal]) -> WeekPain:
    return WeekPain(
        week=week,
        sessions=len(signals),
        red=sum(1 for s in signals if s.colour is Colour.RED),
        all_green=bool(signals) and all(s.confirmed_green for s in signals),
    )


@record
class PhaseDecision:
    from_phase: int
    to_phase: int
    reasons: tuple[str, ...]
    source: SourceId


def _trailing(weeks: Sequence[WeekPain], ok: str) -> int:
    count = 0
    for w in reversed(weeks):
        if not getattr(w, ok):
            break
        count += 1
    return count


def next_phase(
    phase: int,
    completed_week: int,
    weeks: Sequence[WeekPain],
    changes: Sequence[MeasureChange],
    start_weeks: Sequence[int],
    in_flare: bool,
    settings: ProgressionSettings,
) -> PhaseDecision | None:
    """The move after ``completed_week`` into the next phase, or None to stay.

    ``weeks`` are the completed weeks in order (pain-monitoring summaries) and
    ``changes`` the latest change of each measure; ``start_weeks`` is the plan's
    calendar for this course length (earliest start week of phase 1, 2, ...).
    """
    target = phase + 1
    if target > len(start_weeks) or in_flare:
        return None
    if completed_week + 1 < start_weeks[target - 1]:
        return None
    criteria = settings.phase_criteria(target)
    if criteria is None:
        return None
    reasons = [f"Week {start_weeks[target - 1]} or later: the earliest start of phase {target}."]
    settled = _trailing(weeks, "settled")
    if settled < criteria.settled_weeks:
        return None
    if criteria.settled_weeks:
        reasons.append(f"{settled} week(s) in a row without a RED session.")
    green = _trailing(weeks, "all_green")
    if green < criteria.green_weeks:
        return None
    if criteria.green_weeks:
        reasons.append(f"{green} GREEN week(s) in a row.")
    improved = [c for c in changes if c.status is Responder.IMPROVED]
    if len(improved) < criteria.improved_measures:
        return None
    if criteria.improved_measures:
        reasons.append(
            "Improved by at least the minimal important change: "
            + ", ".join(c.measure for c in improved)
            + "."
        )
    return PhaseDecision(phase, target, tuple(reasons), criteria.source)
