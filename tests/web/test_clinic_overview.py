"""The clinic list's numbers from records alone (no storage): triage, adherence, trends, inactivity."""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

from tests.builders import mechanism, result, score

from backmech.services.clinic_overview import main_mechanism, summarise
from backmech.services.ports import Assessment, Patient, SessionLog

TODAY = dt.date(2026, 11, 20)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)


def _patient(joined: dt.date = TODAY) -> Patient:
    return Patient(clinic_id=uuid4(), display_name="P", created_at=_at(joined))


def _assessment(
    patient: Patient, day: dt.date, *, nprs: float | None = None, odi: float | None = None, plan: bool = True
) -> Assessment:
    scores = {}
    if nprs is not None:
        scores["nprs"] = score("moderate", current=nprs)
    if odi is not None:
        scores["odi"] = score(percent=odi)
    return Assessment(
        patient_id=patient.id,
        intake={},
        result=result(
            scores=scores,
            mechanisms=(mechanism("flexion-intolerance", "Flexion intolerance"),),
            dominant="flexion-intolerance",
            with_plan=plan,
        ),
        triage_level="none" if plan else "emergency",
        plan_status="ready" if plan else "withheld_red_flag",
        engine_version="t",
        created_at=_at(day),
    )


def _log(patient: Patient, day: dt.date, pain: int) -> SessionLog:
    return SessionLog(
        patient_id=patient.id,
        session_date=day,
        pain_before=pain,
        pain_after=pain,
        effort=5,
        idempotency_key=str(uuid4()),
        created_at=_at(day),
    )


def _days(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def test_a_patient_with_nothing_yet() -> None:
    summary = summarise(_patient(_days(5)), [], [], TODAY)
    assert summary.triage_level is None and not summary.red_flag
    assert (summary.sessions_logged, summary.sessions_planned) == (0, 0)
    assert summary.nprs is None and summary.session_pain is None and summary.last_activity is None
    assert summary.inactive  # joined 5 days ago and did nothing since
    assert not summarise(_patient(_days(1)), [], [], TODAY).inactive


def test_adherence_counts_sessions_in_the_window_against_planned_days() -> None:
    patient = _patient(_days(40))
    assessments = [
        _assessment(patient, _days(30), nprs=7, odi=40),
        _assessment(patient, _days(5), nprs=4, odi=22),
    ]
    logs = [_log(patient, _days(20), 7), _log(patient, _days(13), 6), _log(patient, _days(2), 3)]
    summary = summarise(patient, assessments, logs, TODAY)
    # The window is today and the 13 days before; a plan has existed all that time.
    assert (summary.sessions_logged, summary.sessions_planned) == (2, 14)
    assert summary.nprs is not None and (summary.nprs.first, summary.nprs.latest) == (7, 4)
    assert summary.nprs.arrow == "↓" and summary.nprs.change == -3
    assert summary.odi is not None and summary.odi.direction == "down"
    assert summary.session_pain is not None and (summary.session_pain.first, summary.session_pain.latest) == (
        7,
        3,
    )
    assert summary.last_activity == _days(2) and not summary.inactive
    assert summary.main_mechanism == "Flexion intolerance"


def test_planned_days_start_with_the_plan_and_stop_at_a_red_flag() -> None:
    patient = _patient(_days(10))
    started = summarise(patient, [_assessment(patient, _days(3))], [], TODAY)
    assert started.sessions_planned == 4
    stopped = summarise(
        patient, [_assessment(patient, _days(3)), _assessment(patient, _days(1), plan=False)], [], TODAY
    )
    assert stopped.sessions_planned == 0
    assert stopped.red_flag and stopped.triage_level == "emergency"


def test_red_flags_sort_first_then_the_quiet_ones() -> None:
    quiet = _patient(_days(10))
    busy = _patient(_days(10))
    flagged = _patient(_days(10))
    summaries = [
        summarise(busy, [_assessment(busy, _days(10))], [_log(busy, TODAY, 2)], TODAY),
        summarise(quiet, [_assessment(quiet, _days(10))], [], TODAY),
        summarise(flagged, [_assessment(flagged, TODAY, plan=False)], [], TODAY),
    ]
    ordered = [s.patient.id for s in sorted(summaries, key=lambda s: s.sort_key)]
    assert ordered == [flagged.id, quiet.id, busy.id]


def test_main_mechanism_falls_back_to_the_top_ranked() -> None:
    assert main_mechanism(result(mechanisms=(mechanism("a", "A"),), dominant=None)) == "A"
    assert main_mechanism(result(mechanisms=(), dominant=None)) is None
