"""Build a personalised plan from the classification: phases, sessions, daily routine, advice.

Invariants (checked by property tests):

* no exercise contraindicated for any reported mechanism or contributing factor
  is ever prescribed, in any phase or in the daily routine;
* equipment the person does not have is never required;
* the same inputs give the same plan (every choice has a deterministic tie-break).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from backmech.domain.education import EducationModule
from backmech.domain.exercises.model import Dose, Exercise
from backmech.domain.exercises.selection import ExerciseIndex, relevance
from backmech.domain.intake import Preferences
from backmech.domain.mechanism.classification import Classification, MechanismFinding
from backmech.domain.mechanism.model import AvoidAdvice, Mechanism, MechanismKind
from backmech.domain.plans.model import (
    ClinicianCare,
    DecisionPoint,
    EducationItem,
    ExcludedExercise,
    LifestyleAdvice,
    Phase,
    Plan,
    PlannedExercise,
    PlanSettings,
    RoutineItem,
)
from backmech.domain.types import Facts

HOUSEHOLD_EQUIPMENT = frozenset({"mat", "chair", "wall", "step"})
"""Assumed at hand (source heuristic-equipment); anything else must be declared."""

_SESSION_NAMES = {"stable": "Stable Spine", "mobile": "Mobile Spine", "balanced": "Balanced Spine"}


def _reason(ex: Exercise, findings: Mapping[str, MechanismFinding], names: Mapping[str, str]) -> str:
    matched = [names[m] for m in ex.suits if m in findings]
    if matched:
        return "Chosen for " + "; ".join(matched[:3]) + "."
    return "General conditioning that is safe for everything found in your assessment."


def _planned(
    ex: Exercise, reason: str, dose: Dose | None = None, minutes: float | None = None
) -> PlannedExercise:
    return PlannedExercise(
        slug=ex.slug,
        name=ex.name,
        category=str(ex.category),
        dose=ex.dose if dose is None else dose,
        minutes=ex.minutes if minutes is None else minutes,
        reason=reason,
        progression=ex.progression,
        regression=ex.regression,
        source=ex.source,
    )


def _programme_weeks(settings: PlanSettings, facts: Facts, found: frozenset[str]) -> tuple[int, str]:
    days = facts.get("history.duration_days")
    odi = facts.get("score.odi.percent")
    if facts.get("derived.chronic") is True or "psychosocial-risk" in found:
        return settings.long_weeks, "Persistent pain or a high-risk profile needs the longer programme."
    if (
        isinstance(days, int | float)
        and days < settings.acute_days
        and isinstance(odi, int | float)
        and odi <= settings.minimal_odi_percent
    ):
        return settings.short_weeks, "A recent episode with minimal disability usually settles sooner."
    return settings.default_weeks, "Tissue and control changes take 6-12 weeks of steady work."


def generate_plan(
    *,
    classification: Classification,
    facts: Facts,
    preferences: Preferences,
    exercises: ExerciseIndex,
    education: Mapping[str, EducationModule],
    settings: PlanSettings,
    mechanisms: Mapping[str, Mechanism],
) -> Plan:
    """The plan for one person (call only when the safety screen allows a plan)."""
    found = classification.found_ids()
    findings = {f.id: f for f in (*classification.mechanisms, *classification.contributing)}
    names = {f.id: f.name for f in findings.values()}
    kind_weight = settings.kind_weights
    floor = settings.confidence_floor
    weights = {f.id: kind_weight.get(f.kind, 0.0) * max(f.confidence, floor) for f in findings.values()}
    for pr in classification.prediction_rules:
        if pr.status == "positive":
            weights[pr.id] = kind_weight.get(MechanismKind.PREDICTION_RULE, 0.0)
            names[pr.id] = pr.name
    equipment = HOUSEHOLD_EQUIPMENT | frozenset(preferences.equipment)

    allowed = exercises.allowed(found, equipment)
    allowed_set = {ex.slug for ex in allowed}
    scores = relevance(exercises, weights)
    # Highest relevance first; among equals prefer the exercise with fewer
    # contraindications (broadly safe) and then the slug, so ties are stable.
    allowed.sort(key=lambda ex: (-scores.get(ex.slug, 0.0), len(ex.contraindicated), ex.slug))
    excluded = tuple(
        ExcludedExercise(
            slug,
            exercises.by_slug[slug].name,
            tuple(sorted(found.intersection(exercises.by_slug[slug].contraindicated))),
        )
        for slug in exercises.excluded_slugs(found)
    )

    weeks, weeks_reason = _programme_weeks(settings, facts, found)
    starts = settings.phase_start_weeks[weeks]
    emphasis = classification.emphasis
    slots = settings.session_slots[emphasis]
    budget = float(preferences.session_minutes)
    planned: dict[str, PlannedExercise] = {}

    def plan_item(ex: Exercise) -> PlannedExercise:
        item = planned.get(ex.slug)
        if item is None:
            item = planned[ex.slug] = _planned(ex, _reason(ex, findings, names))
        return item

    by_category: dict[str, list[Exercise]] = {}
    for ex in allowed:
        by_category.setdefault(str(ex.category), []).append(ex)
    phases: list[Phase] = []
    used: dict[str, PlannedExercise] = {}
    base_slots = dict(slots)
    for mech_id in sorted(found):
        for category, count in settings.mechanism_slots.get(mech_id, {}).items():
            base_slots[category] = max(base_slots.get(category, 0), count)
    key = [
        exercises.by_slug[slug]
        for mech_id in (
            *(f.id for f in classification.mechanisms),
            *(f.id for f in classification.contributing),
        )
        for slug in settings.key_exercises.get(mech_id, ())
        if slug in allowed_set
    ]
    for index, spec in enumerate(settings.phases):
        phase_slots = dict(base_slots)
        if spec.number >= settings.loading_from_phase:
            phase_slots["loading"] = settings.loading_slots
            phase_slots["stability"] = max(1, phase_slots.get("stability", 0) - 1)
        chosen = _fill_session(by_category, spec.number, phase_slots, budget, key)
        for ex in chosen:
            if ex.slug not in used:
                used[ex.slug] = plan_item(ex)
        entries = exercises.session_entries
        session = tuple(entries[ex.slug] for ex in chosen)
        session_minutes = 0.0
        for ex in chosen:
            session_minutes += ex.minutes
        end = starts[index + 1] - 1 if index + 1 < len(starts) else None
        phases.append(
            Phase(
                number=spec.number,
                id=spec.id,
                name=spec.name,
                start_week=starts[index],
                end_week=end,
                goal=spec.goal,
                move_on_when=spec.move_on_when,
                session=session,
                session_minutes=round(session_minutes, 1),
                source=spec.source,
            )
        )

    daily = _daily_routine(classification, allowed, exercises.by_slug, settings, findings, names, scores)
    walking = _walking(by_category.get("walking", []), settings, plan_item)
    relief = tuple(plan_item(ex) for ex in by_category.get("relief", []) if scores.get(ex.slug, 0.0) > 0)[
        : settings.relief_positions
    ]
    reported_ids = [f.id for f in (*classification.mechanisms, *classification.contributing)]
    overridden = {o for m in reported_ids for o in mechanisms[m].overrides_avoid}
    avoid: list[AvoidAdvice] = []
    for mech_id in reported_ids:
        if mech_id in overridden:
            continue
        for advice in mechanisms[mech_id].avoid:
            if advice not in avoid:
                avoid.append(advice)

    lifestyle = tuple(
        LifestyleAdvice(
            rule.id,
            rule.topic,
            rule.advice,
            rule.source,
            tuple(h.describe() for h in rule.when.evaluate(facts).held),
        )
        for rule in settings.lifestyle
        if rule.when.truth(facts) is True
    )
    topics = {a.topic for a in lifestyle}
    if "fear-avoidance" in found or "psychosocial-risk" in found:
        topics.add("fear_of_movement")
    educ = _education(education, found, topics, names)

    care = tuple(
        ClinicianCare(
            rule.id, rule.recommendation, names.get(rule.when_mechanism, rule.when_mechanism), rule.source
        )
        for rule in settings.clinician_care
        if rule.when_mechanism in found
    )
    risk = facts.get("score.start_back.risk")
    approach = settings.approach[risk if isinstance(risk, str) and risk in settings.approach else "unknown"]
    stage = next((name for name, cond in settings.care_stages if cond.truth(facts) is True), None)

    sources = sorted(
        {
            settings.programme_source,
            settings.session_source,
            settings.selection_source,
            settings.daily_routine_source,
            settings.reassessment_source,
            settings.approach_source,
            settings.pain_monitoring_source,
            *(p.source for p in phases),
            *(e.source for e in used.values()),
            *(e.dose.source for e in used.values()),
            *(w.source for w in walking),
            *(r.source for r in relief),
            *(a.source for a in avoid),
            *(a.source for a in lifestyle),
            *(c.source for c in care),
        }
    )
    return Plan(
        weeks=weeks,
        weeks_reason=weeks_reason,
        emphasis=emphasis,
        session_name=_SESSION_NAMES[emphasis],
        approach=approach,
        care_stage=stage,
        phases=tuple(phases),
        exercises=tuple(used.values()),
        daily_routine=daily,
        daily_routine_minutes=round(sum(i.minutes for i in daily), 1),
        walking=walking,
        relief=relief,
        avoid=tuple(avoid),
        excluded_exercises=excluded,
        lifestyle=lifestyle,
        education=educ,
        clinician_care=care,
        safety_rules=settings.safety_rules,
        reassess_after_days=settings.questionnaires_every_days,
        movement_retest_weeks=settings.movement_retest_weeks,
        decision_points=_decision_points(settings, facts),
        sources=tuple(sources),
    )


def _decision_points(settings: PlanSettings, facts: Facts) -> tuple[DecisionPoint, ...]:
    """The decision points that apply to this person (week 2's only with a directional preference)."""
    found = {"directional_preference": facts.get("derived.directional_preference") not in (None, "none")}
    return tuple(
        point
        for point in settings.decision_points
        if found.get(settings.decision_point_requirements.get(point.week, ""), True)
    )


def _fill_session(
    by_category: Mapping[str, list[Exercise]],
    phase: int,
    slots: Mapping[str, int],
    budget: float,
    key: list[Exercise],
) -> list[Exercise]:
    """Key exercises of the mechanisms found first, then category slots by relevance.

    Key exercises count against their category's slots; everything stays within the
    time budget. The result is ordered by the slot order (warm-up to load).
    """
    chosen: list[Exercise] = []
    taken: set[str] = set()
    minutes = 0.0
    used: dict[str, int] = {}
    for ex in key:
        if phase in ex.phases and ex.slug not in taken and minutes + ex.minutes <= budget:
            chosen.append(ex)
            taken.add(ex.slug)
            minutes += ex.minutes
            used[ex.category] = used.get(ex.category, 0) + 1
    for category, count in slots.items():
        picked = used.get(category, 0)
        if picked >= count:
            continue
        for ex in by_category.get(category, ()):
            if phase not in ex.phases or ex.slug in taken or minutes + ex.minutes > budget:
                continue
            chosen.append(ex)
            taken.add(ex.slug)
            minutes += ex.minutes
            picked += 1
            if picked >= count:
                break
    order = {cat: i for i, cat in enumerate(slots)}
    chosen.sort(key=lambda ex: order.get(ex.category, len(order)))
    return chosen


def _daily_routine(
    classification: Classification,
    allowed: list[Exercise],
    exercises: Mapping[str, Exercise],
    settings: PlanSettings,
    findings: Mapping[str, MechanismFinding],
    names: Mapping[str, str],
    relevance: Mapping[str, float],
) -> tuple[PlannedExercise, ...]:
    """The 2-5 minute routine for the dominant mechanism, minus anything not allowed.

    Items use the short doses of the routine template. A template item is kept only
    if it suits something found in this person (so a press-up is in the
    flexion-intolerance routine only with an extension preference, as clinical
    reference 5.4 says) or, with nothing found, is broadly safe. Below the minimum
    length, short allowed exercises that suit the person fill the gap.
    """
    anything_found = any(relevance.values())
    usable = {ex.slug for ex in allowed if relevance.get(ex.slug, 0.0) > 0 or not anything_found}
    keys: list[str] = []
    if classification.dominant:
        keys.append(classification.dominant)
    keys.extend(m.id for m in classification.mechanisms)
    keys.append("general")
    template: tuple[RoutineItem, ...] = ()
    for key in keys:
        if key in settings.daily_routines:
            template = settings.daily_routines[key]
            break
    chosen: list[PlannedExercise] = []
    minutes = 0.0
    for item in template:
        if item.slug not in usable or minutes + item.minutes > settings.daily_max_minutes:
            continue
        ex = exercises[item.slug]
        chosen.append(_planned(ex, _reason(ex, findings, names), dose=item.dose, minutes=item.minutes))
        minutes += item.minutes
    if minutes < settings.daily_min_minutes:
        for ex in allowed:
            if minutes >= settings.daily_min_minutes:
                break
            if (
                not ex.daily_routine
                or 1 not in ex.phases
                or ex.slug not in usable
                or any(c.slug == ex.slug for c in chosen)
                or minutes + ex.minutes > settings.daily_max_minutes
            ):
                continue
            chosen.append(_planned(ex, _reason(ex, findings, names)))
            minutes += ex.minutes
    return tuple(chosen)


def _walking(
    candidates: list[Exercise], settings: PlanSettings, plan_item: Callable[[Exercise], PlannedExercise]
) -> tuple[PlannedExercise, ...]:
    """The walking programme: the most relevant allowed walking exercise and its ladder.

    Walking is prescribed for nearly everyone (WalkBack, Pocovi 2024), in short
    daily bouts outside the session; the ladder gives its progression by phase.
    """
    if not candidates:
        return ()
    allowed = {ex.slug: ex for ex in candidates}
    first = candidates[0]
    while first.regression in allowed:
        first = allowed[first.regression]
    ladder = [first]
    while ladder[-1].progression in allowed and len(ladder) < len(settings.phases):
        ladder.append(allowed[str(ladder[-1].progression)])
    return tuple(plan_item(ex) for ex in ladder)


def _education(
    modules: Mapping[str, EducationModule],
    found: frozenset[str],
    topics: set[str],
    names: Mapping[str, str],
) -> tuple[EducationItem, ...]:
    items: list[EducationItem] = []
    for module in modules.values():
        if (
            not module.always
            and found.isdisjoint(module.for_mechanisms)
            and topics.isdisjoint(module.for_topics)
        ):
            continue
        mechs = [m for m in module.for_mechanisms if m in found]
        hit_topics = sorted(set(module.for_topics) & topics)
        if module.always:
            reason = "Recommended for everyone starting backmech."
        elif mechs:
            reason = "Explains " + ", ".join(names.get(m, m) for m in mechs[:2]) + "."
        elif hit_topics:
            reason = "From your answers about " + ", ".join(t.replace("_", " ") for t in hit_topics) + "."
        else:
            continue
        items.append(EducationItem(module.slug, module.title, module.summary, reason))
    return tuple(items)
