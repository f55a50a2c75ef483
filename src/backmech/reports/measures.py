"""Questionnaire scores from the first to the latest assessment, against the MCID and the MDC.

Why here and not in a template: every clinical number in a report must come from
the knowledge base or the stored result. The scores and their bands are read from
the stored results; the minimal important change (MCID) and the minimal detectable
change (MDC) from the questionnaire files (``knowledge/questionnaires/*.yaml``, each
with its source). Where the knowledge base gives no MCID or MDC, none is claimed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from backmech.domain.questionnaires.model import ChangeValue, Output
from backmech.reports.basis import ReportBasis
from backmech.services.ports import Assessment
from backmech.services.progress import score_series

MDC_PREFIX = "mdc"
"""Change values whose id starts with this are minimal detectable changes (``mdc``, ``mdc90``)."""


@dataclass(frozen=True)
class MeasureChange:
    """One questionnaire output: first and latest value, the change, and the thresholds it is read against."""

    questionnaire: str
    output: Output
    instrument: str
    baseline: float
    baseline_on: dt.date
    latest: float
    latest_on: dt.date
    count: int
    band: str
    """The band of the latest value as the stored result named it (``""`` if it has none)."""
    mdc: ChangeValue | None

    @property
    def label(self) -> str:
        return self.output.description.split(",")[0]

    @property
    def change(self) -> float:
        return round(self.latest - self.baseline, 2)

    @property
    def improvement(self) -> float:
        """The change in the better direction (positive is better, whichever way the scale runs)."""
        return -self.change if self.output.higher_is_worse else self.change

    @property
    def percent_change(self) -> float | None:
        return round(100 * self.improvement / self.baseline, 1) if self.baseline else None

    @property
    def compared(self) -> bool:
        """There are two assessments to compare."""
        return self.count > 1

    @property
    def reaches_mcid(self) -> bool | None:
        """The improvement is at least the MCID in points (``None`` without an MCID or a second value)."""
        mcid = self.output.mcid
        if mcid is None or mcid.points is None or not self.compared:
            return None
        return self.improvement >= mcid.points - 1e-9

    @property
    def reaches_mcid_percent(self) -> bool | None:
        """The improvement is at least the MCID as a percentage of the first value."""
        mcid = self.output.mcid
        percent = self.percent_change
        if mcid is None or mcid.percent is None or percent is None or not self.compared:
            return None
        return percent >= mcid.percent - 1e-9

    @property
    def exceeds_mdc(self) -> bool | None:
        """The change (either way) is at least the MDC: larger than measurement noise."""
        if self.mdc is None or not self.compared:
            return None
        return abs(self.change) >= self.mdc.points - 1e-9

    def show(self, value: float) -> str:
        return self.output.display(value)


def _band(assessments: Sequence[Assessment], qid: str, output_id: str) -> str:
    """The band label the latest assessment with this score stored for it."""
    for assessment in reversed(assessments):
        report = assessment.result.scores.get(qid)
        if report is None or report.values.get(output_id) is None:
            continue
        band = report.bands.get(output_id)
        return band.label if band is not None else ""
    return ""


def measure_changes(basis: ReportBasis, *, with_mcid_only: bool = False) -> list[MeasureChange]:
    """Every numeric questionnaire output in the patient's assessments, in knowledge-base order."""
    assessments = list(basis.record.assessments)
    changes: list[MeasureChange] = []
    for qid, questionnaire in basis.kb.questionnaires.items():
        for output in questionnaire.outputs:
            if output.kind != "number" or (with_mcid_only and output.mcid is None):
                continue
            points = score_series(assessments, qid, output.id)
            if not points:
                continue
            mdc = next((c for c in output.change_values if c.id.startswith(MDC_PREFIX)), None)
            changes.append(
                MeasureChange(
                    questionnaire=qid,
                    output=output,
                    instrument=questionnaire.name,
                    baseline=points[0].value,
                    baseline_on=points[0].on,
                    latest=points[-1].value,
                    latest_on=points[-1].on,
                    count=len(points),
                    band=_band(assessments, qid, output.id),
                    mdc=mdc,
                )
            )
    return changes
