"""The assessment result: typed values from the engine to every report (see ``model``)."""

from backmech.domain.results.model import (
    DISCLAIMER,
    PLAN_READY,
    PLAN_WITHHELD_INCOMPLETE,
    PLAN_WITHHELD_RED_FLAG,
    RESULT_SCHEMA_VERSION,
    AssessmentResult,
    BandReport,
    ChangeReport,
    ClassificationSummary,
    DataCompleteness,
    MovementReport,
    ScoreReport,
    VideoSummary,
)

__all__ = [
    "DISCLAIMER",
    "PLAN_READY",
    "PLAN_WITHHELD_INCOMPLETE",
    "PLAN_WITHHELD_RED_FLAG",
    "RESULT_SCHEMA_VERSION",
    "AssessmentResult",
    "BandReport",
    "ChangeReport",
    "ClassificationSummary",
    "DataCompleteness",
    "MovementReport",
    "ScoreReport",
    "VideoSummary",
]
