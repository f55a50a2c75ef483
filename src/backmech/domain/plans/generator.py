"""Build a personalised plan from the classification: phases, sessions, daily routine, advice.

Invariants (checked by property tests):

* no exercise contraindicated for any reported mechanism or contributing factor
  is ever prescribed, in any phase or in the daily routine;
* equipment the person does not have is never required;
* the same inputs give the same plan (every choice has a deterministic tie-break).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

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
    PhaseSpec,
    Plan,
    PlannedExercise,
    PlanSettings,
    RoutineItem,
    SessionEntry,
)
from backmech.domain.types import Facts, SourceId

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


@dataclass(frozen=True, slots=True)
class _Choice:
    """What every step of the plan reads about the person, worked out once.

    ``allowed`` is already ranked, so each step that takes "the best N" of a category
    agrees with the others; ``item`` hands out one planned exercise per slug, so the
    sessions, walking and relief lists describe an exercise the same way.
    """

    settings: PlanSettings
    exercises: ExerciseIndex
    found: frozenset[str]
    findings: Mapping[str, MechanismFinding]
    names: Mapping[str, str]
    scores: Mapping[str, float]
    allowed: list[Exercise]
    by_category: Mapping[str, list[Exercise]]
    _items: dict[str, PlannedExercise] = field(default_factory=dict)

    def item(self, ex: Exercise) -> PlannedExercise:
        planned = self._items.get(ex.slug)
        if planned is None:
            planned = self._items[ex.slug] = _planned(ex, _reason(ex, self.findings, self.names))
        return planned


def _names_and_weights(
    classification: Classification, findings: Mapping[str, MechanismFinding], settings: PlanSettings
) -> tuple[dict[str, str], dict[str, float]]:
    """How hard each finding pulls the exercises that suit it, and how reasons name it.

    A weak finding still pulls a little (the confidence floor), so a mechanism that
    was reported is never ignored; a positive prediction rule pulls like a finding.
    """
    kind_weight = settings.kind_weights
    floor = settings.confidence_floor
    names = {f.id: f.name for f in findings.values()}
    weights = {f.id: kind_weight.get(f.kind, 0.0) * max(f.confidence, floor) for f in findings.values()}
    for pr in classification.prediction_rules:
        if pr.status == "positive":
            weights[pr.id] = kind_weight.get(MechanismKind.PREDICTION_RULE, 0.0)
            names[pr.id] = pr.name
    return names, weights


def _choose(
    classification: Classification, preferences: Preferences, exercises: ExerciseIndex, settings: PlanSettings
) -> _Choice:
    """Only safe exercises with the person's equipment are ever candidates, best first.

    Highest relevance first; among equals prefer the exercise with fewer
    contraindications (broadly safe) and then the slug, so ties are stable.
    """
    found = classification.found_ids()
    findings = {f.id: f for f in (*classification.mechanisms, *classification.contributing)}
    names, weights = _names_and_weights(classification, findings, settings)
    allowed = exercises.allowed(found, settings.household_equipment | frozenset(preferences.equipment))
    scores = relevance(exercises, weights)
    allowed.sort(key=lambda ex: (-scores.get(ex.slug, 0.0), len(ex.contraindicated), ex.slug))
    by_category: dict[str, list[Exercise]] = {}
    for ex in allowed:
        by_category.setdefault(str(ex.category), []).append(ex)
    return _Choice(settings, exercises, found, findings, names, scores, allowed, by_category)


def _long_programme_applies(settings: PlanSettings, facts: Facts, found: frozenset[str]) -> bool:
    """Either trigger is enough: an unknown fact does not rule the long programme out or in."""
    when = settings.long_programme_when
    if when is not None and when.truth(facts) is True:
        return True
    return not settings.long_programme_mechanisms.isdisjoint(found)


def _programme_weeks(
    settings: PlanSettings, facts: Facts, found: frozenset[str]
) -> tuple[int, str, SourceId]:
    """Length, the reason shown to the person, and the source of the rule that chose it.

    The long programme wins over the short one: a recent episode with a high-risk
    profile still needs the longer programme.
    """
    if _long_programme_applies(settings, facts, found):
        return settings.long_weeks, settings.long_programme_reason, settings.long_programme_source
    days = facts.get("history.duration_days")
    odi = facts.get("score.odi.percent")
    if (
        isinstance(days, int | float)
        and days < settings.acute_days
        and isinstance(odi, int | float)
        and odi <= settings.minimal_odi_percent
    ):
        return (
            settings.short_weeks,
            "A recent episode with minimal disability usually settles sooner.",
            settings.programme_source,
        )
    return (
        settings.default_weeks,
        "Tissue and control changes take 6-12 weeks of steady work.",
        settings.programme_source,
    )


def _excluded(exercises: ExerciseIndex, found: frozenset[str]) -> tuple[ExcludedExercise, ...]:
    """Named with the mechanisms they are unsafe for, so a clinician sees why they are missing."""
    return tuple(
        ExcludedExercise(
            slug,
            exercises.by_slug[slug].name,
            tuple(sorted(found.intersection(exercises.by_slug[slug].contraindicated))),
        )
        for slug in exercises.excluded_slugs(found)
    )


def _base_slots(settings: PlanSettings, emphasis: str, found: frozenset[str]) -> dict[str, int]:
    """A mechanism's own needs (nerve sliders for radicular pain) widen the slots, never shrink them."""
    slots = dict(settings.session_slots[emphasis])
    for mech_id in sorted(found):
        for category, count in settings.mechanism_slots.get(mech_id, {}).items():
            slots[category] = max(slots.get(category, 0), count)
    return slots


def _phase_slots(settings: PlanSettings, phase: int, base: Mapping[str, int]) -> dict[str, int]:
    """Graded loading starts in the later phases and takes its time from other categories."""
    slots = dict(base)
    if phase >= settings.loading_from_phase:
        slots["loading"] = settings.loading_slots
        for category, taken in settings.loading_takes_from.items():
            slots[category] = max(settings.loading_keeps_at_least, slots.get(category, 0) - taken)
    return slots


def _key_exercises(classification: Classification, choice: _Choice) -> list[Exercise]:
    """The specific treatment of each mechanism, strongest finding first, if it is allowed."""
    allowed = {ex.slug for ex in choice.allowed}
    return [
        choice.exercises.by_slug[slug]
        for mech_id in (
            *(f.id for f in classification.mechanisms),
            *(f.id for f in classification.contributing),
        )
        for slug in choice.settings.key_exercises.get(mech_id, ())
        if slug in allowed
    ]


def _phase(
    spec: PhaseSpec, start: int, end: int | None, chosen: list[Exercise], entries: Mapping[str, SessionEntry]
) -> Phase:
    """A phase lists its session by reference; the details live once in the plan's exercises."""
    return Phase(
        number=spec.number,
        id=spec.id,
        name=spec.name,
        start_week=start,
        end_week=end,
        goal=spec.goal,
        move_on_when=spec.move_on_when,
        session=tuple(entries[ex.slug] for ex in chosen),
        session_minutes=round(sum((ex.minutes for ex in chosen), 0.0), 1),
        source=spec.source,
    )


def _phases(
    choice: _Choice, classification: Classification, weeks: int, budget: float
) -> tuple[tuple[Phase, ...], dict[str, PlannedExercise]]:
    """One session per phase on the calendar of the chosen length, plus every exercise used.

    The exercises are kept in first-use order, so the plan introduces them in the
    order the person meets them.
    """
    settings = choice.settings
    starts = settings.phase_start_weeks[weeks]
    base_slots = _base_slots(settings, classification.emphasis, choice.found)
    key = _key_exercises(classification, choice)
    phases: list[Phase] = []
    used: dict[str, PlannedExercise] = {}
    for index, spec in enumerate(settings.phases):
        slots = _phase_slots(settings, spec.number, base_slots)
        chosen = _fill_session(choice.by_category, spec.number, slots, budget, key)
        for ex in chosen:
            if ex.slug not in used:
                used[ex.slug] = choice.item(ex)
        end = starts[index + 1] - 1 if index + 1 < len(starts) else None
        phases.append(_phase(spec, starts[index], end, chosen, choice.exercises.session_entries))
    return tuple(phases), used


def _relief(choice: _Choice) -> tuple[PlannedExercise, ...]:
    """Only positions that ease something found in this person, and only a few to remember."""
    easing = (
        choice.item(ex) for ex in choice.by_category.get("relief", []) if choice.scores.get(ex.slug, 0.0) > 0
    )
    return tuple(easing)[: choice.settings.relief_positions]


def _avoid(classification: Classification, mechanisms: Mapping[str, Mechanism]) -> tuple[AvoidAdvice, ...]:
    """Advice once each, unless another finding overrides it (a preference beats an intolerance)."""
    reported_ids = [f.id for f in (*classification.mechanisms, *classification.contributing)]
    overridden = {o for m in reported_ids for o in mechanisms[m].overrides_avoid}
    avoid: list[AvoidAdvice] = []
    for mech_id in reported_ids:
        if mech_id in overridden:
            continue
        for advice in mechanisms[mech_id].avoid:
            if advice not in avoid:
                avoid.append(advice)
    return tuple(avoid)


def _lifestyle(settings: PlanSettings, facts: Facts) -> tuple[LifestyleAdvice, ...]:
    """Advice only when its trigger is known to hold, with the answers that triggered it."""
    return tuple(
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


def _education_topics(lifestyle: tuple[LifestyleAdvice, ...], found: frozenset[str]) -> set[str]:
    """Education follows what the advice is about, and fear of movement when fear was found."""
    topics = {a.topic for a in lifestyle}
    if "fear-avoidance" in found or "psychosocial-risk" in found:
        topics.add("fear_of_movement")
    return topics


def _clinician_care(settings: PlanSettings, choice: _Choice) -> tuple[ClinicianCare, ...]:
    """Hands-on care only for the mechanisms it helps, named so the clinician sees why."""
    return tuple(
        ClinicianCare(
            rule.id,
            rule.recommendation,
            choice.names.get(rule.when_mechanism, rule.when_mechanism),
            rule.source,
        )
        for rule in settings.clinician_care
        if rule.when_mechanism in choice.found
    )


def _approach(settings: PlanSettings, facts: Facts) -> str:
    """Matched care by STarT Back risk; without the questionnaire, the person is asked for it."""
    risk = facts.get("score.start_back.risk")
    return settings.approach[risk if isinstance(risk, str) and risk in settings.approach else "unknown"]


def _care_stage(settings: PlanSettings, facts: Facts) -> str | None:
    """The first stage whose condition is known to hold; none when pain and disability are unknown."""
    return next((name for name, cond in settings.care_stages if cond.truth(facts) is True), None)


def _sources(
    settings: PlanSettings,
    *,
    length_source: SourceId,
    phases: tuple[Phase, ...],
    used: Mapping[str, PlannedExercise],
    listed: tuple[PlannedExercise, ...],
    avoid: tuple[AvoidAdvice, ...],
    lifestyle: tuple[LifestyleAdvice, ...],
    care: tuple[ClinicianCare, ...],
) -> tuple[SourceId, ...]:
    """Every plan cites what shaped it, so nothing in it reads as evidence without one."""
    return tuple(
        sorted(
            {
                settings.programme_source,
                length_source,
                settings.session_source,
                settings.selection_source,
                settings.daily_routine_source,
                settings.reassessment_source,
                settings.approach_source,
                settings.pain_monitoring_source,
                *(p.source for p in phases),
                *(e.source for e in used.values()),
                *(e.dose.source for e in used.values()),
                *(e.source for e in listed),
                *(a.source for a in avoid),
                *(a.source for a in lifestyle),
                *(c.source for c in care),
            }
        )
    )


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
    choice = _choose(classification, preferences, exercises, settings)
    weeks, weeks_reason, length_source = _programme_weeks(settings, facts, choice.found)
    phases, used = _phases(choice, classification, weeks, float(preferences.session_minutes))
    daily = _daily_routine(
        classification,
        choice.allowed,
        exercises.by_slug,
        settings,
        choice.findings,
        choice.names,
        choice.scores,
    )
    walking = _walking(choice.by_category.get("walking", []), settings, choice.item)
    relief = _relief(choice)
    avoid = _avoid(classification, mechanisms)
    lifestyle = _lifestyle(settings, facts)
    care = _clinician_care(settings, choice)
    return Plan(
        weeks=weeks,
        weeks_reason=weeks_reason,
        emphasis=classification.emphasis,
        session_name=_SESSION_NAMES[classification.emphasis],
        approach=_approach(settings, facts),
        care_stage=_care_stage(settings, facts),
        phases=phases,
        exercises=tuple(used.values()),
        daily_routine=daily,
        daily_routine_minutes=round(sum(i.minutes for i in daily), 1),
        walking=walking,
        relief=relief,
        avoid=avoid,
        excluded_exercises=_excluded(exercises, choice.found),
        lifestyle=lifestyle,
        education=_education(
            education, choice.found, _education_topics(lifestyle, choice.found), choice.names
        ),
        clinician_care=care,
        safety_rules=settings.safety_rules,
        reassess_after_days=settings.questionnaires_every_days,
        movement_retest_weeks=settings.movement_retest_weeks,
        decision_points=_decision_points(settings, facts),
        sources=_sources(
            settings,
            length_source=length_source,
            phases=phases,
            used=used,
            listed=walking + relief,
            avoid=avoid,
            lifestyle=lifestyle,
            care=care,
        ),
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
