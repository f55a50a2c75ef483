"""What is due on a date, and the responder status of a change (clinical.md 1.10)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from backmech.domain.progression.reassessment import Responder, due_on, measure_change
from backmech.domain.progression.settings import ProgressionSettings

START = date(2026, 1, 5)
QUESTIONNAIRES = ("nprs", "odi", "psfs")


@pytest.mark.parametrize(
    ("weeks", "offset", "questionnaires", "retest"),
    [
        (12, 0, False, False),
        (12, 6, False, False),
        (12, 13, True, False),  # last day of week 2
        (12, 14, False, False),
        (12, 27, True, True),  # last day of week 4
        (12, 41, True, False),
        (12, 55, True, True),  # week 8
        (12, 62, False, False),
        (12, 83, True, True),  # last day of the course, week 12
        (12, 84, False, False),  # after the course
        (12, -1, False, False),
        (8, 55, True, True),
        (8, 69, False, False),  # beyond an 8-week course
        (6, 27, True, True),
    ],
)
def test_due_table(
    weeks: int, offset: int, questionnaires: bool, retest: bool, settings: ProgressionSettings
) -> None:
    assert settings.reassessment.questionnaires_every_days == 14
    assert settings.reassessment.movement_retest_weeks == (4, 8, 12)
    due = due_on(START + timedelta(days=offset), START, weeks, settings.reassessment)
    assert due.questionnaires == (QUESTIONNAIRES if questionnaires else ())
    assert due.movement_retest is retest
    assert due.anything is (questionnaires or retest)


IMP, U, D = Responder.IMPROVED, Responder.UNCHANGED, Responder.DETERIORATED


@pytest.mark.parametrize(
    ("measure", "baseline", "current", "status", "exceeds_mdc"),
    [
        ("odi", 40, 28, IMP, True),  # 12 points
        ("odi", 20, 14, IMP, False),  # 6 points but 30 %: the percentage rule
        ("odi", 40, 32, U, False),  # 8 points, 20 %
        ("odi", 30, 41, D, True),  # 11 points worse
        ("odi", 30, 38, U, False),  # 8 points worse (27 %): percent never makes a deterioration
        ("odi", 10, 14, U, False),  # 40 % worse but 4 points
        ("nprs", 6, 4, IMP, True),
        ("nprs", 3, 2, IMP, False),  # 1 point, 33 %
        ("nprs", 6, 5, U, False),
        ("nprs", 4, 6, D, True),
        ("nprs", 0, 0, U, False),
        ("rmdq", 10, 16, D, None),  # no MDC published: MCID alone
        ("rmdq", 10, 7, IMP, None),  # 3 points, 30 %
        ("rmdq", 10, 13, U, None),
        ("psfs", 4, 6, IMP, True),  # higher is better
        ("psfs", 4, 2, D, True),
        ("psfs", 4, 5.5, U, False),  # no percentage MCID for the PSFS
    ],
)
def test_responder_table(
    measure: str,
    baseline: float,
    current: float,
    status: Responder,
    exceeds_mdc: bool | None,
    settings: ProgressionSettings,
) -> None:
    spec = settings.reassessment.measures[measure]
    change = measure_change(spec, baseline, current, settings.reassessment.responder_source)
    assert change.status is status
    assert change.exceeds_mdc is exceeds_mdc
    assert change.improvement == pytest.approx(
        (baseline - current) if spec.higher_is_worse else (current - baseline)
    )
    assert settings.reassessment.responder_source in change.sources
    assert spec.mcid_source in change.sources


def test_measures_read_their_numbers_from_the_questionnaires(settings: ProgressionSettings, kb) -> None:  # type: ignore[no-untyped-def]
    for spec in settings.reassessment.measures.values():
        output = kb.questionnaires[spec.questionnaire].output(spec.output)
        assert output is not None and output.mcid is not None
        assert (spec.mcid_points, spec.mcid_percent) == (output.mcid.points, output.mcid.percent)
        assert spec.higher_is_worse is output.higher_is_worse
        if spec.mdc_points is not None:
            assert spec.mdc_points in {c.points for c in output.change_values}


@pytest.mark.parametrize(("current", "status"), [(6, U), (7, D)])
def test_deterioration_needs_the_mdc_as_well(
    current: float, status: Responder, settings: ProgressionSettings
) -> None:
    """With an MDC above the MCID, a worsening that reaches only the MCID is not real."""
    spec = replace(settings.reassessment.measures["nprs"], mdc_points=3)
    change = measure_change(spec, 4, current, settings.reassessment.responder_source)
    assert change.status is status
