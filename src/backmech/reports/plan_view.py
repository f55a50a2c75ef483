"""The plan as the reports show it: where the person is, this phase's session, and the clinician's edits.

Why a separate module: both documents need the same reading of the stored plan
(``services.progress`` for the position and the session of the phase), and the
letter lists every edit with who made it, when and why, in the words of
``services.plan_text`` (the same as the clinic pages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from backmech.domain.plans.model import Phase, Plan, PlannedExercise
from backmech.reports.basis import ReportBasis
from backmech.services.course import PhaseWeeks
from backmech.services.plan_text import describe_change
from backmech.services.progress import minutes_of, phase_session


@dataclass(frozen=True)
class EditLine:
    at: dt.datetime
    who: str
    what: str
    why: str
    standing: str
    """How the edit stands on the plan followed now (carried over from an earlier plan, or not applied)."""


def edit_lines(basis: ReportBasis, people: Mapping[UUID, str]) -> list[EditLine]:
    """Every edit, oldest first, with how it stands on the plan followed now."""
    names = {slug: exercise.name for slug, exercise in basis.kb.exercises.items()}
    standing = {s.edit.id: s for s in basis.current.history()} if basis.current is not None else {}
    lines = []
    for edit in basis.edits:
        if edit.editor_id is None:
            who = "system"
        else:
            who = people.get(edit.editor_id) or f"clinician {str(edit.editor_id)[:8]}"
        found = standing.get(edit.id)
        lines.append(
            EditLine(
                at=edit.at,
                who=who,
                what=describe_change(edit.change, names),
                why=edit.reason,
                standing=found.note if found is not None else "",
            )
        )
    return lines


@dataclass(frozen=True)
class PlanView:
    """The followed plan: its phases with the current one marked, this phase's session and the routines."""

    plan: Plan
    week: int
    weeks: int
    finished: bool
    phase: Phase | None
    session: list[PlannedExercise]
    session_minutes: float
    schedule: tuple[PhaseWeeks, ...]
    """The phases with the weeks of this course (the replay's, then the earliest to come)."""
    reassess_on: dt.date | None
    """The course's next questionnaire day (one still waiting, else the next)."""
    reassess_overdue: bool
    """``reassess_on`` has passed without an answer."""
    dropped_edits: list[str]
    """Edits made on an earlier plan that could not be carried to this one, in words, with why."""


def plan_view(basis: ReportBasis) -> PlanView | None:
    plan, position, current = basis.plan, basis.position, basis.current
    if plan is None or position is None or current is None:
        return None
    session = phase_session(plan, position.phase)
    reassess_on = basis.course.next_questionnaires() if basis.course is not None else None
    names = {slug: exercise.name for slug, exercise in basis.kb.exercises.items()}
    return PlanView(
        plan=plan,
        week=position.week,
        weeks=position.weeks,
        finished=position.finished,
        phase=position.phase,
        session=session,
        session_minutes=minutes_of(session),
        schedule=position.schedule,
        reassess_on=reassess_on,
        reassess_overdue=reassess_on is not None and reassess_on < basis.today,
        dropped_edits=[f"{describe_change(edit.change, names)} ({why})" for edit, why in current.dropped],
    )
