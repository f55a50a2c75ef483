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
from backmech.services.plan_text import describe_change
from backmech.services.progress import minutes_of, phase_session


@dataclass(frozen=True)
class EditLine:
    at: dt.datetime
    who: str
    what: str
    why: str
    in_current_plan: bool
    """Made since the plan now followed was generated (older edits belong to an earlier plan)."""


def edit_lines(basis: ReportBasis, people: Mapping[UUID, str]) -> list[EditLine]:
    start = basis.current.assessment.created_at if basis.current is not None else None
    names = {slug: exercise.name for slug, exercise in basis.kb.exercises.items()}
    lines = []
    for edit in basis.edits:
        if edit.editor_id is None:
            who = "system"
        else:
            who = people.get(edit.editor_id) or f"clinician {str(edit.editor_id)[:8]}"
        lines.append(
            EditLine(
                at=edit.at,
                who=who,
                what=describe_change(edit.change, names),
                why=edit.reason,
                in_current_plan=start is not None and edit.at >= start,
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
    reassess_on: dt.date | None
    """The latest assessment's date plus the plan's ``reassess_after_days``."""
    dropped_edits: list[str]
    """Edits made on an earlier plan that could not be carried to this one, in words, with why."""

    @property
    def phases(self) -> tuple[Phase, ...]:
        return self.plan.phases


def plan_view(basis: ReportBasis) -> PlanView | None:
    plan, position, current = basis.plan, basis.position, basis.current
    if plan is None or position is None or current is None:
        return None
    session = phase_session(plan, position.phase)
    latest = basis.latest
    reassess_on = (
        latest.created_at.date() + dt.timedelta(days=plan.reassess_after_days)
        if plan.reassess_after_days and latest is not None
        else None
    )
    names = {slug: exercise.name for slug, exercise in basis.kb.exercises.items()}
    return PlanView(
        plan=plan,
        week=position.week,
        weeks=position.weeks,
        finished=position.finished,
        phase=position.phase,
        session=session,
        session_minutes=minutes_of(session),
        reassess_on=reassess_on,
        dropped_edits=[f"{describe_change(edit.change, names)} ({why})" for edit, why in current.dropped],
    )
