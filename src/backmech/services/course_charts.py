"""The numbers behind two progress charts: exercise level over a course, and movement tests before/after.

Pure functions over records (a replayed :class:`~backmech.services.course.Course` and stored
:class:`~backmech.services.ports.MovementAnalysis` rows); no I/O, no clock.

**Exercise level** (:func:`exercise_levels`) counts *ladder steps from where the plan
started*: 0 is the plan's exercise at its start dose; each step the ladder takes up (two
more repetitions in every set, or moving on to the harder exercise at its start dose) adds
one; a step back subtracts the steps it undoes (back to an earlier dose, or down to the
easier exercise at its start dose). So "+4" reads "four comfortable sessions' worth of steps
above where you began". Why not total repetitions: moving on to a harder exercise restarts at
a lower dose, so repetitions would *fall* on a step up. Why not "dose as a fraction of the
cap": the top dose of one exercise and the start of the next can tie. Below an exercise's
start dose (a cut after a painful session or a flare-up) the level is the start minus the
share of its volume that was cut (a 30 % cut: -0.3), so it sits between two whole steps.

**Movement before/after** (:func:`movement_before_after`) takes, for each test done more
than once, each metric's first and latest measured value (failed, queued and running
analyses are skipped, and so is a metric the video could not measure). The stored results
give each metric's normal range as words (``normal``, from the knowledge files), not as
numbers; those words are passed on as they are and never parsed into a band.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from backmech.domain.exercises.model import Exercise
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.movement import Metric
from backmech.domain.progression.ladder import LadderState, Rung, Step, flare_cut, start_reps
from backmech.domain.results.model import MovementReport
from backmech.services.course import Course
from backmech.services.ports import AnalysisStatus, MovementAnalysis

MAX_EXERCISES = 6
"""At most this many lines on one chart (more cannot be told apart by marker and dash)."""

HEADLINE_METRICS: Mapping[str, tuple[str, ...]] = {
    "forward-bend": (
        "max_trunk_flexion_deg",
        "trunk_share_early_pct",
        "trunk_share_mid_pct",
        "trunk_share_late_pct",
    ),
    "rotation": ("rotation_left_deg", "rotation_right_deg", "asymmetry_deg"),
    "single-leg-stance": ("pelvic_drop_left_deg", "pelvic_drop_right_deg", "hold_left_s", "hold_right_s"),
    "knee-to-wall": ("left_deg", "right_deg", "asymmetry_deg"),
}
"""Metric ids (as ``services.movement.outcome_view`` stores them) shown for these tests; others show all."""


# ------------------------------------------------------------------ exercise level


@dataclass(frozen=True, slots=True)
class LevelPoint:
    on: dt.date
    level: float
    exercise: str
    """The name of the exercise done at this level (a harder or easier one after a change)."""
    dose: str
    change: str
    """``start``, ``up``, ``down``, ``flare-up`` (the flare plan's cut) or ``now`` (the latest day)."""


@dataclass(frozen=True, slots=True)
class ExerciseLevels:
    slug: str
    name: str
    points: tuple[LevelPoint, ...]

    @property
    def spread(self) -> float:
        """Highest minus lowest level: how much this exercise changed over the course."""
        levels = [p.level for p in self.points]
        return max(levels) - min(levels) if levels else 0.0

    @property
    def changes(self) -> int:
        return sum(1 for p in self.points if p.change in ("up", "down", "flare-up"))

    @property
    def latest(self) -> LevelPoint:
        return self.points[-1]


def dose_text(rung: Rung) -> str:
    """A rung's dose in words: ``6-4-2``, ``2 x 10``, ``10``, or a share of the time."""
    if not rung.reps:
        return "full time" if rung.volume_percent >= 100 else f"{rung.volume_percent} % of the time"
    if len(rung.reps) > 1 and len(set(rung.reps)) == 1:
        text = f"{len(rung.reps)} x {rung.reps[0]}"
    else:
        text = "-".join(str(r) for r in rung.reps)
    return text if rung.volume_percent >= 100 else f"{text} at {rung.volume_percent} %"


def _top_steps(exercise: Exercise, cap: int, increment: int) -> int:
    """Dose steps from an exercise's start dose to its top dose (before moving on)."""
    base = start_reps(exercise.dose)
    if not base or increment <= 0:
        return 0
    return max(0, (cap - base[0]) // increment)


def _within(rung: Rung, exercise: Exercise, increment: int) -> float:
    """Steps above (or part of a step below) this exercise's start dose."""
    base = start_reps(exercise.dose)
    cut = 1 - rung.volume_percent / 100
    if not rung.reps or not base or len(base) != len(rung.reps):
        return -cut
    if all(r >= b for r, b in zip(rung.reps, base, strict=True)):
        return (rung.reps[0] - base[0]) / (increment or 1) - cut
    return sum(rung.reps) / sum(base) - 1 - cut


class _Levels:
    """Levels of the rungs of one plan exercise, placing a harder/easier exercise when first met."""

    def __init__(self, kb: KnowledgeBase, start: str) -> None:
        self.kb = kb
        self.cap = kb.progression.ladder.reps_cap
        self.increment = kb.progression.ladder.reps_increment
        self.offset: dict[str, float] = {start: 0.0}

    def of(self, rung: Rung, came_from: Rung | None = None) -> float:
        exercise = self.kb.exercises[rung.slug]
        if rung.slug not in self.offset and came_from is not None:
            previous = self.kb.exercises[came_from.slug]
            base = self.offset.get(came_from.slug, 0.0)
            if previous.progression == rung.slug:
                self.offset[rung.slug] = base + _top_steps(previous, self.cap, self.increment) + 1
            else:
                self.offset[rung.slug] = base - _top_steps(exercise, self.cap, self.increment) - 1
        return round(self.offset.get(rung.slug, 0.0) + _within(rung, exercise, self.increment), 2)


def exercise_levels(course: Course, kb: KnowledgeBase) -> list[ExerciseLevels]:
    """Each plan exercise's level (see the module docstring) at the start, at every change, and now.

    The replay gives one decision per plan exercise, in the plan's order, after each rated
    session; two plan exercises can reach the same harder exercise, so decisions are matched
    by position, not by name. A flare-up cuts every dose without a decision; the cut is
    recomputed here with the ladder's own function, and the next decision's ``before``
    (the replay's own word on the dose) wins if it differs.
    """
    slugs = course.plan.exercises
    rungs: dict[str, Rung] = {}
    points: dict[str, list[LevelPoint]] = {}
    levels: dict[str, _Levels] = {}
    for slug in slugs:
        exercise = kb.exercises[slug]
        rungs[slug] = Rung(slug, start_reps(exercise.dose))
        levels[slug] = _Levels(kb, slug)
        points[slug] = [_point(course.plan.start, rungs[slug], levels[slug], kb, "start")]

    def move(slug: str, day: dt.date, rung: Rung, change: str) -> None:
        came_from = rungs[slug]
        if rung == came_from:
            return
        level = levels[slug].of(rung, came_from)
        if change in ("up", "down"):  # the label follows the line, whatever the step was called
            change = "up" if level > points[slug][-1].level else "down"
        rungs[slug] = rung
        point = _point(day, rung, levels[slug], kb, change)
        points[slug].append(LevelPoint(day, level, point.exercise, point.dose, change))

    last = course.plan.start
    for outcome in course.replay.days:
        if outcome.stopped:
            break
        last = outcome.day
        if outcome.flare_started is not None:
            flare = kb.progression.flare
            for slug in slugs:
                cut = flare_cut(LadderState(rungs[slug]), kb.exercises, flare, levels[slug].increment)
                move(slug, outcome.day, cut.rung, "flare-up")
        if len(outcome.decisions) != len(slugs):
            continue
        for slug, decision in zip(slugs, outcome.decisions, strict=True):
            move(slug, outcome.day, decision.before, "down")  # a correction, if any
            move(slug, outcome.day, decision.after, "down" if decision.step == Step.REGRESS else "up")
    result = []
    for slug in slugs:
        line = points[slug]
        if line[-1].on < last:
            now = line[-1]
            line.append(LevelPoint(last, now.level, now.exercise, now.dose, "now"))
        result.append(ExerciseLevels(slug, kb.exercises[slug].name, tuple(line)))
    return result


def _point(day: dt.date, rung: Rung, levels: _Levels, kb: KnowledgeBase, change: str) -> LevelPoint:
    return LevelPoint(day, levels.of(rung), kb.exercises[rung.slug].name, dose_text(rung), change)


def most_changed(
    levels: Sequence[ExerciseLevels], limit: int = MAX_EXERCISES
) -> tuple[list[ExerciseLevels], int]:
    """The ``limit`` exercises whose level moved most (spread, then number of changes), in plan order,
    and how many were left out."""
    order = {line.slug: index for index, line in enumerate(levels)}
    ranked = sorted(levels, key=lambda line: (-line.spread, -line.changes, order[line.slug]))
    chosen = sorted(ranked[:limit], key=lambda line: order[line.slug])
    return chosen, max(0, len(levels) - limit)


# ------------------------------------------------------------------ movement before/after


@dataclass(frozen=True, slots=True)
class MetricChange:
    metric: str
    name: str
    unit: str
    first: float
    first_on: dt.date
    latest: float
    latest_on: dt.date
    normal: str
    """How to read the value, in the result's own words (there are no numeric bounds to shade)."""
    source: str

    @property
    def change(self) -> float:
        return round(self.latest - self.first, 2)


@dataclass(frozen=True, slots=True)
class TestChange:
    test: str
    name: str
    analyses: int
    """Finished analyses of this test with at least one measured metric."""
    metrics: tuple[MetricChange, ...]

    __test__ = False  # not a pytest test class, whatever its name says


def movement_test_name(test: str) -> str:
    """``knee-to-wall`` -> ``Knee to wall``."""
    return test.replace("-", " ").capitalize()


def _measured(analysis: MovementAnalysis) -> Mapping[str, Metric] | None:
    """The metrics a finished analysis measured (a value, not None), by id."""
    report = analysis.result
    if analysis.status != AnalysisStatus.DONE or not isinstance(report, MovementReport):
        return None
    return {k: m for k, m in report.metrics.items() if m.value is not None}


def movement_before_after(
    analyses: Iterable[MovementAnalysis],
    test_ids: Iterable[str] | None = None,
    headline: Mapping[str, Sequence[str]] = HEADLINE_METRICS,
) -> list[TestChange]:
    """For each test (of ``test_ids``, default all) done more than once, first and latest value per metric.

    Only finished (``done``) analyses count; within them a metric is paired from the first
    and the latest analysis that measured it, so one blank video does not hide a change.
    Tests come in the order of ``test_ids`` (default: the order they were first done).
    """
    wanted = list(test_ids) if test_ids is not None else None
    by_test: dict[str, list[tuple[dt.date, Mapping[str, Metric]]]] = {}
    for analysis in sorted(analyses, key=lambda a: a.created_at):
        if wanted is not None and analysis.test not in wanted:
            continue
        measured = _measured(analysis)
        if measured:
            by_test.setdefault(analysis.test, []).append((analysis.created_at.date(), measured))
    order = wanted if wanted is not None else list(by_test)
    found = []
    for test in order:
        runs = by_test.get(test, [])
        if len(runs) < 2:
            continue
        ids = list(dict.fromkeys(m for _, metrics in runs for m in metrics))
        if test in headline:
            ids = [m for m in headline[test] if m in ids]
        changes = []
        for metric in ids:
            values = [(day, metrics[metric]) for day, metrics in runs if metric in metrics]
            if len(values) < 2:
                continue
            (first_on, first), (latest_on, latest) = values[0], values[-1]
            changes.append(
                MetricChange(
                    metric=metric,
                    name=latest.name or metric,
                    unit=latest.unit,
                    first=first.value or 0.0,
                    first_on=first_on,
                    latest=latest.value or 0.0,
                    latest_on=latest_on,
                    normal=latest.normal,
                    source=latest.source,
                )
            )
        if changes:
            found.append(TestChange(test, movement_test_name(test), len(runs), tuple(changes)))
    return found
