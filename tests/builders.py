"""Typed records for tests (plans, movement reports): small, readable, built with the domain's own records."""

from __future__ import annotations

from backmech.domain.exercises.model import Dose
from backmech.domain.movement import Metric, ViewCheck
from backmech.domain.plans.model import ExcludedExercise, Phase, Plan, PlannedExercise, SessionEntry
from backmech.domain.results.model import MovementReport
from backmech.domain.types import FactValue


def item(slug: str, minutes: float = 2.0) -> PlannedExercise:
    return PlannedExercise(
        slug=slug,
        name=slug.replace("-", " ").title(),
        category="stability",
        dose=Dose(text="3 x 10 s", source="kb"),
        minutes=minutes,
        reason="",
        progression=None,
        regression=None,
        source="kb",
    )


def entry(item: PlannedExercise) -> SessionEntry:
    return SessionEntry(item.slug, item.name, item.category, item.minutes)


def phase(number: int, items: list[PlannedExercise]) -> Phase:
    return Phase(
        number=number,
        id=f"phase-{number}",
        name=f"Phase {number}",
        start_week=number,
        end_week=number,
        goal="",
        move_on_when=(),
        session=tuple(entry(i) for i in items),
        session_minutes=sum(i.minutes for i in items),
        source="kb",
    )


def plan(
    exercises: list[PlannedExercise] | None = None,
    excluded: tuple[str, ...] = ("sit-up-crunch",),
    *,
    weeks: int = 8,
    phases: tuple[Phase, ...] | None = None,
) -> Plan:
    """A small plan: two phases (the first exercise, then all), a routine, walking, one exclusion."""
    session = exercises if exercises is not None else [item("bird-dog", 3.0), item("side-plank", 2.0)]
    return Plan(
        weeks=weeks,
        weeks_reason="",
        emphasis="stable",
        session_name="Stable Spine",
        approach="",
        care_stage=None,
        phases=phases if phases is not None else (phase(1, session[:1]), phase(2, session)),
        exercises=tuple(session),
        daily_routine=(item("cat-camel", 1.0),),
        daily_routine_minutes=1.0,
        walking=(item("short-walks", 5.0),),
        relief=(),
        avoid=(),
        excluded_exercises=tuple(ExcludedExercise(s, s, ("flexion-intolerance",)) for s in excluded),
        lifestyle=(),
        education=(),
        clinician_care=(),
        safety_rules=(),
        reassess_after_days=14,
        movement_retest_weeks=(),
        decision_points=(),
        sources=(),
    )


def report(
    test: str = "forward-bend",
    metrics: dict[str, float | None] | None = None,
    *,
    findings: dict[str, FactValue] | None = None,
    overlay: str | None = None,
) -> MovementReport:
    """A finished movement analysis's report with the given metric values and findings (and nothing else)."""
    return MovementReport(
        test=test,
        estimator="test",
        video=None,
        frames_analysed=0,
        detection_rate=1.0,
        view=ViewCheck(ok=True, view="side", problems=()),
        repetitions=0,
        metrics={
            k: Metric(
                id=k, name=k.replace("_", " "), value=v, unit="deg", confidence=0.9, normal="", source="kb"
            )
            for k, v in (metrics or {}).items()
        },
        findings=findings or {},
        finding_reasons=(),
        phases=(),
        events=(),
        notes=(),
        overlay=overlay,
    )
