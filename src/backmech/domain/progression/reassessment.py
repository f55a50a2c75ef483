"""What to re-measure on a given day, and what a change in a score means.

The calendar (questionnaires every 14 days, movement retests at weeks 4, 8 and 12)
comes from the plan settings. Both fall on the *last* day of the period, so a 12-week
course ends with a full reassessment on its last day.

Responder logic (clinical reference 1.10, built on Ostelo 2008):

* ``improved`` when the change towards better reaches the MCID in points **or** the
  percentage of baseline (the percentage rule keeps low baselines fair);
* ``deteriorated`` only when the change towards worse reaches the MCID **and** the MDC,
  because deterioration thresholds are poorly studied and a change inside measurement
  error is never called real;
* otherwise ``unchanged``.

``exceeds_mdc`` is reported alongside so an "improved by 30 %" on a low baseline
that is still within measurement error can be shown as such.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from backmech.domain.progression.settings import MeasureSpec, ReassessmentSettings
from backmech.domain.records import record
from backmech.domain.types import SourceId


class Responder(StrEnum):
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    DETERIORATED = "deteriorated"


@record
class Due:
    day: date
    questionnaires: tuple[str, ...]
    movement_retest: bool
    source: SourceId

    @property
    def anything(self) -> bool:
        return bool(self.questionnaires) or self.movement_retest


def due_on(day: date, start: date, weeks: int, settings: ReassessmentSettings) -> Due:
    """Questionnaires and retests due on ``day`` of a course of ``weeks`` from ``start``."""
    offset = (day - start).days + 1
    # 1-based day of the course: day 14 is the last day of week 2.
    inside = 1 <= offset <= weeks * 7
    questionnaires = (
        settings.questionnaires if inside and offset % settings.questionnaires_every_days == 0 else ()
    )
    retest = inside and any(
        day == start + timedelta(days=7 * w - 1) for w in settings.movement_retest_weeks if w <= weeks
    )
    return Due(day, questionnaires, retest, settings.source)


@record
class MeasureChange:
    measure: str
    baseline: float
    current: float
    improvement: float
    """Change towards better, in points (negative = worse)."""
    improvement_percent: float | None
    """The same relative to baseline; None when the baseline is 0."""
    status: Responder
    exceeds_mdc: bool | None
    """None when no MDC is published for the measure."""
    reason: str
    sources: tuple[SourceId, ...]


def measure_change(
    spec: MeasureSpec, baseline: float, current: float, responder_source: SourceId
) -> MeasureChange:
    """Change from baseline for one measure, and the responder status."""
    improvement = baseline - current if spec.higher_is_worse else current - baseline
    percent = None if baseline == 0 else 100 * improvement / abs(baseline)
    size = abs(improvement)
    exceeds_mdc = None if spec.mdc_points is None else size >= spec.mdc_points
    sources = tuple(
        dict.fromkeys(s for s in (responder_source, spec.mcid_source, spec.mdc_source) if s is not None)
    )
    reaches_points = spec.mcid_points is not None and size >= spec.mcid_points
    reaches_percent = (
        spec.mcid_percent is not None and percent is not None and abs(percent) >= spec.mcid_percent
    )
    if improvement > 0 and (reaches_points or reaches_percent):
        why = (
            f"{spec.name} improved by {round(size, 1):g} points"
            + (f" ({percent:.0f} %)" if percent is not None else "")
            + ", at least the minimal important change."
        )
        status = Responder.IMPROVED
    elif improvement < 0 and reaches_points and exceeds_mdc is not False:
        why = (
            f"{spec.name} worsened by {round(size, 1):g} points, "
            "beyond the minimal important and detectable change."
        )
        status = Responder.DETERIORATED
    else:
        why = (
            f"{spec.name} changed by {round(improvement, 1):+g} points towards better: "
            "not a meaningful change."
        )
        status = Responder.UNCHANGED
    return MeasureChange(spec.id, baseline, current, improvement, percent, status, exceeds_mdc, why, sources)
