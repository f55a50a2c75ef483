"""The job steps of a movement analysis on both databases: claim once, finish once, take over the abandoned.

Also how a patient's videos feed their intake (latest video of each test wins; a
clinician's own findings stay unless a video measured the same fact).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import uuid4

from tests.web.conftest import Site

from backmech.services.analysis_jobs import AnalysisTools, run_analysis, with_movement_findings
from backmech.services.ports import (
    AnalysisFailure,
    AnalysisProgress,
    AnalysisStatus,
    MovementAnalysis,
    utc_now,
)
from builders import report


def _queued(site: Site, person: str = "patient_a", test: str = "squat") -> MovementAnalysis:
    patient = site[person].patient
    assert patient is not None
    analysis = MovementAnalysis(patient_id=patient.id, test=test, media_path=f"x/{test}.mp4")
    with site.state.uow_factory(actor=None) as uow:
        uow.movement_analyses.add(patient.clinic_id, analysis)
        uow.commit()
    return analysis


def test_claim_and_finish_happen_once_on_both_databases(site: Site) -> None:
    analysis = _queued(site)
    repo_clinic = site["patient_a"].user.clinic_id
    with site.state.uow_factory(actor=None) as uow:
        first = uow.movement_analyses.claim(analysis.id, stale_before=utc_now() - dt.timedelta(minutes=2))
        uow.commit()
    assert first is not None and first.status == AnalysisStatus.RUNNING
    with site.state.uow_factory(actor=None) as uow:  # a live job is not claimed twice
        assert (
            uow.movement_analyses.claim(analysis.id, stale_before=utc_now() - dt.timedelta(minutes=2)) is None
        )
        uow.movement_analyses.report_progress(analysis.id, AnalysisProgress(0.5))
        uow.commit()
    with site.state.uow_factory(actor=None) as uow:
        stored = uow.movement_analyses.get(repo_clinic, analysis.id)
        assert stored is not None and stored.result == AnalysisProgress(0.5)
        # a job quiet since before the cut-off counts as abandoned and is taken over
        assert uow.movement_analyses.claim(analysis.id, stale_before=utc_now() + dt.timedelta(seconds=1))
        uow.commit()
    with site.state.uow_factory(actor=None) as uow:
        assert uow.movement_analyses.finish(
            analysis.id, AnalysisStatus.DONE, result=report("squat"), error=None
        )
        assert not uow.movement_analyses.finish(analysis.id, AnalysisStatus.FAILED, result=None, error="late")
        assert uow.movement_analyses.claim(analysis.id) is None  # done stays done
        uow.commit()
    with site.state.uow_factory(actor=None) as uow:
        done = uow.movement_analyses.get(repo_clinic, analysis.id)
        assert done is not None and done.status == AnalysisStatus.DONE and done.error is None
        assert uow.movement_analyses.unfinished() == []
        # clinic-scoped reads: another clinic sees nothing
        other = site["patient_b"].user.clinic_id
        assert uow.movement_analyses.get(other, analysis.id) is None
        patient = site["patient_a"].patient
        assert patient is not None
        assert uow.movement_analyses.for_patient(other, patient.id) == []
        assert [a.id for a in uow.movement_analyses.for_patient(repo_clinic, patient.id)] == [analysis.id]


def test_a_job_for_another_clinic_is_not_run(site: Site) -> None:
    analysis = _queued(site)
    wrong_clinic = site["patient_b"].user.clinic_id

    def refuse() -> Any:
        raise AssertionError("must not analyse")

    ended = run_analysis(
        site.state.uow_factory,
        site.state.config.settings.media_dir,
        wrong_clinic,
        analysis.id,
        tools=AnalysisTools(movement=refuse),
    )
    assert ended is None
    with site.state.uow_factory(actor=None) as uow:
        assert uow.movement_analyses.unfinished() == [(site["patient_a"].user.clinic_id, analysis.id)]


def test_a_missing_video_fails_with_a_message(site: Site) -> None:
    analysis = _queued(site)
    clinic = site["patient_a"].user.clinic_id
    from backmech.bootstrap import analysis_tools

    ended = run_analysis(
        site.state.uow_factory,
        site.state.config.settings.media_dir,
        clinic,
        analysis.id,
        tools=analysis_tools(reassess=False),
    )
    assert ended == AnalysisStatus.FAILED
    with site.state.uow_factory(actor=None) as uow:
        failed = uow.movement_analyses.get(clinic, analysis.id)
    assert failed is not None and isinstance(failed.result, AnalysisFailure)
    error = failed.result
    assert error.message and error.hint
    assert "squat.mp4" not in f"{error.message} {error.hint}"


PATIENT = uuid4()


def _done(test: str, findings: dict[str, object], day: int) -> MovementAnalysis:
    return MovementAnalysis(
        patient_id=PATIENT,
        test=test,
        media_path="",
        status=AnalysisStatus.DONE,
        result=report(test, findings=findings),
        created_at=dt.datetime(2026, 1, day, tzinfo=dt.UTC),
    )


def test_latest_video_of_each_test_feeds_the_intake() -> None:
    intake = {"findings": {"examination.rotation_control_loss": "right", "movement.rotation_deg.right": 1.0}}
    older = _done("rotation", {"movement.rotation_deg.right": 10.0}, 1)
    newer = _done("rotation", {"movement.rotation_deg.right": 20.0}, 2)
    bend = _done("forward-bend", {"movement.forward_bend_max_trunk_flexion_deg": 80.0}, 1)
    failed = MovementAnalysis(
        patient_id=older.patient_id,
        test="squat",
        media_path="",
        status=AnalysisStatus.FAILED,
        result=AnalysisFailure(message="x", hint="", code="input"),
    )
    merged, views = with_movement_findings(intake, [newer, failed, bend, older])
    assert merged["findings"] == {
        "examination.rotation_control_loss": "right",
        "movement.rotation_deg.right": 20.0,
        "movement.forward_bend_max_trunk_flexion_deg": 80.0,
    }
    assert sorted(v.test for v in views) == ["forward-bend", "rotation"]
    assert intake["findings"]["movement.rotation_deg.right"] == 1.0  # the stored intake is not changed
