"""Cohort tables for clinics and researchers: outcomes by mechanism group, adherence against outcome.

Polars does the grouping over the per-patient rows of :mod:`backmech.analytics.cohort_rows`.
Every table shows ``n`` beside its figures, and a group of fewer than
:data:`SMALL_GROUP` people is marked, because a percentage of three people says little
and can point at a person. No table lists individuals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from backmech.analytics.cohort_rows import PatientOutcome

SMALL_GROUP = 5
"""Groups smaller than this are marked as too small to read (a reporting convention, not clinical)."""
ADHERENCE_BANDS = ((0.0, 50.0, "under 50 %"), (50.0, 80.0, "50-79 %"), (80.0, 100.01, "80 % or more"))
"""Bands of active days; 80 % is the consistency target of knowledge/progression.yaml (heuristic)."""


@dataclass(frozen=True, slots=True)
class CohortTables:
    patients: int
    by_mechanism: pl.DataFrame
    by_adherence: pl.DataFrame
    responders: pl.DataFrame


def _frame(outcomes: Sequence[PatientOutcome], measure: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "mechanism": [o.mechanism for o in outcomes],
            "adherence_percent": [o.adherence_percent for o in outcomes],
            "weeks_followed": [o.weeks_followed for o in outcomes],
            "baseline": [o.baseline.get(measure) for o in outcomes],
            "latest": [o.latest.get(measure) for o in outcomes],
            "change": [o.change.get(measure) for o in outcomes],
            "status": [o.status.get(measure) for o in outcomes],
        },
        schema={
            "mechanism": pl.String,
            "adherence_percent": pl.Float64,
            "weeks_followed": pl.Float64,
            "baseline": pl.Float64,
            "latest": pl.Float64,
            "change": pl.Float64,
            "status": pl.String,
        },
    )


def _summary(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    followed = pl.col("status").is_not_null()
    return (
        frame.group_by(by)
        .agg(
            pl.len().alias("n"),
            followed.sum().alias("reassessed"),
            pl.col("baseline").mean().round(1).alias("baseline_mean"),
            pl.col("change").mean().round(1).alias("mean_improvement"),
            (pl.col("status") == "improved").sum().alias("improved"),
            (pl.col("status") == "deteriorated").sum().alias("deteriorated"),
            pl.col("adherence_percent").median().round(0).alias("median_adherence_percent"),
        )
        .with_columns(
            pl.when(pl.col("reassessed") > 0)
            .then((100 * pl.col("improved") / pl.col("reassessed")).round(0))
            .otherwise(None)
            .alias("improved_percent"),
            (pl.col("n") < SMALL_GROUP).alias("small_group"),
        )
        .sort(["n", by], descending=[True, False])
    )


def _adherence_band(percent: float | None) -> str:
    if percent is None:
        return "not started"
    for low, high, label in ADHERENCE_BANDS:
        if low <= percent < high:
            return label
    return ADHERENCE_BANDS[-1][2]


def cohort_tables(outcomes: Sequence[PatientOutcome], measure: str) -> CohortTables:
    """The tables for one tracked measure (``odi``, ``nprs``, ``rmdq`` or ``psfs``)."""
    frame = _frame(outcomes, measure).with_columns(
        pl.col("adherence_percent")
        .map_elements(_adherence_band, return_dtype=pl.String, skip_nulls=False)
        .alias("adherence_band")
    )
    responders = (
        frame.filter(pl.col("status").is_not_null())
        .group_by("status")
        .agg(pl.len().alias("n"), pl.col("change").mean().round(1).alias("mean_improvement"))
        .sort("status")
    )
    return CohortTables(
        patients=len(outcomes),
        by_mechanism=_summary(frame, "mechanism"),
        by_adherence=_summary(frame, "adherence_band"),
        responders=responders,
    )
