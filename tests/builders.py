"""Typed records for tests (plans, movement reports): small, readable, built with the domain's own records."""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from pathlib import Path

from backmech.domain.exercises.model import Dose
from backmech.domain.mechanism.classification import MechanismFinding
from backmech.domain.mechanism.model import MechanismKind
from backmech.domain.movement import Finding, Metric, ViewCheck
from backmech.domain.plans.model import ExcludedExercise, Phase, Plan, PlannedExercise, SessionEntry
from backmech.domain.results.model import AssessmentResult, MovementReport, ScoreReport, ScoreValue
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
    reasons: dict[str, str] | None = None,
    overlay: str | None = None,
) -> MovementReport:
    """A finished analysis's report with the given metric values, findings and reasons (fact → why)."""
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
        finding_reasons=tuple(
            Finding(fact=f, value=(findings or {}).get(f, True), reason=r, source="kb")
            for f, r in (reasons or {}).items()
        ),
        phases=(),
        events=(),
        notes=(),
        overlay=overlay,
    )


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@cache
def example_result(name: str = "flexion-intolerant-desk-worker") -> AssessmentResult:
    """The engine's result for one of ``examples/`` (assessed once per test run)."""
    from backmech.knowledge.loader import load_knowledge
    from backmech.services.assessment import AssessmentService

    intake = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return AssessmentService(load_knowledge()).assess(intake)


def score(band: str | None = None, **values: ScoreValue) -> ScoreReport:
    """A questionnaire's report with only these outputs (``score(percent=40)``)."""
    return ScoreReport(
        values=values,
        band=band,
        bands={},
        mcid={},
        complete=True,
        missing_items=(),
        notes=(),
        instrument="test",
        version="1",
        source="kb",
    )


def mechanism(id: str, name: str = "") -> MechanismFinding:
    """A reported mechanism with no evidence (for views that only name it)."""
    return MechanismFinding(
        id=id,
        kind=MechanismKind.PRIMARY,
        name=name or id,
        score=1.0,
        confidence=0.8,
        confidence_label="moderate",
        explanation="",
        clinician_note="",
        evidence=(),
        against=(),
        missing_evidence=(),
        source="kb",
    )


def result(
    *,
    scores: dict[str, ScoreReport] | None = None,
    mechanisms: tuple[MechanismFinding, ...] | None = None,
    dominant: str | None = None,
    with_plan: bool = True,
) -> AssessmentResult:
    """A real engine result with the given scores, mechanisms and (or no) plan put in."""
    base = example_result()
    return dataclasses.replace(
        base,
        scores=scores if scores is not None else base.scores,
        mechanisms=mechanisms if mechanisms is not None else base.mechanisms,
        classification=dataclasses.replace(base.classification, dominant=dominant),
        plan=base.plan if with_plan else None,
        plan_status=base.plan_status if with_plan else "withheld_red_flag",
    )
