"""Running one stored movement analysis: the job a queue hands to a worker thread or process.

``run_analysis`` is what every queue calls (the in-process thread pool of the embedded
install, and the procrastinate task of a clinic network). It is safe to call twice and
safe to crash in:

* it claims the job with a conditional update (queued, or running left by a dead
  worker → running); a job already done or failed is skipped, so a repeated delivery
  does nothing;
* every failure ends in ``failed`` with a message for the patient (what was wrong,
  what to do), never in a job stuck at ``running``; a refusal about the file itself records
  the file's SHA-256 and ``retry: false``, so the same file sent again is answered at once,
  and a fault on our side records the reference under which its traceback was logged;
* the result, the new assessment and the ``done`` status are written in one
  transaction that only succeeds while the job is still running, so two racing runs
  can never store two assessments.

When the patient already has an assessment, its intake is re-assessed with the
findings of their latest video of each test added (as ``findings``, the same path
``backmech assess --video`` uses), and the new assessment is stored: the mechanism
and the plan then reflect the videos.

The adapters (pose model, video decoder, overlay renderer) are handed in as
:class:`AnalysisTools`: this module sits below the composition root.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol
from uuid import UUID

from backmech.domain.errors import BackmechError, InputError
from backmech.domain.results.model import MovementReport
from backmech.services.assessment import AssessmentService
from backmech.services.incidents import log_incident, new_reference
from backmech.services.movement import MovementOutcome, MovementService, movement_report
from backmech.services.ports import (
    AnalysisFailure,
    AnalysisProgress,
    AnalysisStatus,
    Assessment,
    MovementAnalysis,
    UnitOfWork,
    UnitOfWorkFactory,
    utc_now,
)

log = logging.getLogger("backmech.analysis")

TRACKING_SHARE = 0.7
"""Share of the progress bar for running the pose model; the overlay video takes most of the rest."""
OVERLAY_SHARE = 0.25
PROGRESS_EVERY_S = 2.0
"""Write progress at most this often (each write is a short transaction; pages poll every 2 s)."""
TAKEOVER_AFTER_S = 120.0
"""A running job whose progress has not moved for this long is taken to be abandoned (its worker died).
Progress is written every second or so while a job runs, so a live job is never this quiet."""

TRANSIENT_PROBLEMS = frozenset({"timeout", "not-found", "unreadable"})
"""Refusals where the stored file was not read to the end, so sending it again may work.
Every other refusal is about the file itself (not a video, damaged, too long, no person in
view…): the same file sent again gets the same answer, and the person is told so."""


def internal_error(reference: str) -> tuple[str, str]:
    """The message and hint of a fault on our side: short, with the reference that finds it in the log."""
    return (
        f"Something went wrong on our side while analysing this video (reference {reference}).",
        "Please try again. If it happens again, tell your clinic this reference; the video you sent is kept.",
    )


ProgressSink = Callable[[UUID, float], None]
"""Where progress goes instead of the database (the in-process queue keeps it in memory)."""


class OverlayWriter(Protocol):
    """Draws the skeleton over the video (an adapter: OpenCV and PyAV)."""

    def __call__(
        self, video: Path, outcome: MovementOutcome, out: Path, progress: Callable[[float], None]
    ) -> None: ...


@dataclasses.dataclass(frozen=True)
class AnalysisTools:
    """The adapters a job needs, built once per process by the composition root."""

    movement: Callable[[], MovementService]
    assessment: Callable[[], AssessmentService] | None = None
    overlay: OverlayWriter | None = None


def overlay_path(analysis: MovementAnalysis) -> str:
    """Where the overlay video goes, relative to the media root: next to the upload."""
    return str(Path(analysis.media_path).with_name(f"{analysis.id}.overlay.mp4"))


def run_analysis(
    uow_factory: UnitOfWorkFactory,
    media_dir: Path,
    clinic_id: UUID,
    analysis_id: UUID,
    *,
    tools: AnalysisTools,
    takeover_after_s: float | None = TAKEOVER_AFTER_S,
    progress: ProgressSink | None = None,
) -> AnalysisStatus | None:
    """Analyse one queued upload; returns how it ended, or ``None`` when there was nothing to do.

    A job already running is left alone unless quiet for ``takeover_after_s`` (``None``: take it
    over at once, for a single process re-running what it left behind when it stopped).
    Progress (0-1) is written to the analysis's ``result`` every few seconds, or handed to
    ``progress`` (the in-process queue: no extra writes to a SQLite database the pages share).
    """
    with uow_factory(actor=None) as uow:
        # The conditional UPDATE comes first: on SQLite a transaction that writes before it
        # reads holds the write lock from its first statement and cannot lose a race to
        # another writer (see ``_write_first``).
        stale_before = (
            None if takeover_after_s is None else utc_now() - dt.timedelta(seconds=takeover_after_s)
        )
        claimed = uow.movement_analyses.claim(analysis_id, stale_before=stale_before)
        if claimed is not None and uow.movement_analyses.get(clinic_id, analysis_id) is None:
            log.warning("analysis %s: not found in clinic %s; skipped", analysis_id, clinic_id)
            return None  # leaving the block without commit undoes the claim
        uow.commit()
    if claimed is None:
        log.info("analysis %s: finished or running elsewhere; skipped", analysis_id)
        return None
    try:
        report = _Progress(uow_factory, analysis_id) if progress is None else _Forward(analysis_id, progress)
        return _run(uow_factory, media_dir, clinic_id, claimed, tools, report)
    except Exception:
        reference = new_reference()
        log_incident(log, reference, f"analysis {analysis_id} crashed")
        message, hint = internal_error(reference)
        _fail(uow_factory, analysis_id, message, hint, code="internal", retry=True, reference=reference)
        return AnalysisStatus.FAILED


def _run(
    uow_factory: UnitOfWorkFactory,
    media_dir: Path,
    clinic_id: UUID,
    analysis: MovementAnalysis,
    tools: AnalysisTools,
    report: Reporter,
) -> AnalysisStatus:
    video = media_dir / analysis.media_path
    try:
        outcome = tools.movement().analyse(
            video, analysis.test, progress=lambda done, total: report(TRACKING_SHARE * done / (total or done))
        )
    except BackmechError as error:
        message, hint = patient_message(error, video.name)
        code = str(getattr(error, "problem_code", "input"))
        retry = code in TRANSIENT_PROBLEMS
        log.info("analysis %s failed: %s", analysis.id, message)
        digest = None if retry else file_sha256(video)
        _fail(uow_factory, analysis.id, message, hint, code=code, retry=retry, sha256=digest)
        return AnalysisStatus.FAILED
    overlay = _write_overlay(tools, media_dir, analysis, video, outcome, report)
    view = dataclasses.replace(movement_report(outcome), analysis_id=str(analysis.id), overlay=overlay)
    report(TRACKING_SHARE + OVERLAY_SHARE, force=True)
    return _store(uow_factory, clinic_id, analysis, view, tools)


def _write_overlay(
    tools: AnalysisTools,
    media_dir: Path,
    analysis: MovementAnalysis,
    video: Path,
    outcome: MovementOutcome,
    report: Reporter,
) -> str | None:
    """Render the overlay; a failure here costs the overlay only, never the findings."""
    if tools.overlay is None:
        return None
    relative = overlay_path(analysis)
    target = media_dir / relative
    try:
        tools.overlay(video, outcome, target, lambda f: report(TRACKING_SHARE + OVERLAY_SHARE * f))
    except Exception:
        log.exception("analysis %s: the overlay video could not be made", analysis.id)
        return None
    return relative


def _store(
    uow_factory: UnitOfWorkFactory,
    clinic_id: UUID,
    analysis: MovementAnalysis,
    view: MovementReport,
    tools: AnalysisTools,
) -> AnalysisStatus:
    """Result, new assessment and ``done`` in one short transaction (nothing if another run finished first).

    The re-assessment is computed before that transaction opens, so the database's write
    lock (one writer at a time on SQLite) is held for milliseconds, not for the engine run.
    """
    new_assessment: Assessment | None = None
    if tools.assessment is not None:
        try:
            new_assessment = _reassess(uow_factory, clinic_id, analysis, view, tools.assessment())
        except BackmechError as error:
            log.warning("analysis %s: assessment not updated: %s", analysis.id, error)
            view = dataclasses.replace(
                view, assessment_note="Your assessment could not be updated with this video's findings."
            )
    if new_assessment is None and view.assessment_note is None:
        view = dataclasses.replace(
            view,
            assessment_note="Your findings are saved. "
            "They will be added to your assessment when you complete it.",
        )
    with uow_factory(actor=None) as uow:
        _write_first(uow, analysis.id)
        if new_assessment is not None:
            uow.assessments.add(clinic_id, new_assessment)
        if not uow.movement_analyses.finish(
            analysis.id,
            AnalysisStatus.DONE,
            result=view,
            error=None,
            assessment_id=new_assessment.id if new_assessment else None,
        ):
            log.info("analysis %s: finished by another run first; this run's result dropped", analysis.id)
            return AnalysisStatus.DONE
        uow.commit()
    log.info("analysis %s done (assessment %s)", analysis.id, new_assessment.id if new_assessment else None)
    return AnalysisStatus.DONE


def _reassess(
    uow_factory: UnitOfWorkFactory,
    clinic_id: UUID,
    analysis: MovementAnalysis,
    view: MovementReport,
    service: AssessmentService,
) -> Assessment | None:
    """The latest assessment re-run with the movement findings added (not stored yet)."""
    with uow_factory(actor=None) as uow:
        _write_first(uow, analysis.id)
        history = uow.assessments.for_patient(clinic_id, analysis.patient_id)
        others = [
            a
            for a in uow.movement_analyses.for_patient(clinic_id, analysis.patient_id)
            if a.id != analysis.id
        ]
        uow.commit()  # keep the audit events of the reads
    if not history:
        return None
    intake, views = with_movement_findings(
        history[-1].intake, [*others, dataclasses.replace(analysis, result=view)]
    )
    result = dataclasses.replace(service.assess(intake), movement_tests=tuple(views))
    return Assessment(
        patient_id=analysis.patient_id,
        intake=intake,
        result=result,
        triage_level=str(result.triage.level),
        plan_status=result.plan_status,
        engine_version=result.backmech_version,
    )


def with_movement_findings(
    intake: Mapping[str, object], analyses: Sequence[MovementAnalysis]
) -> tuple[dict[str, object], list[MovementReport]]:
    """An intake with the findings of the latest video of each test added, and those videos' reports.

    Use it whenever a patient's intake is (re-)assessed, so their videos keep counting. A
    finding written in the intake by a clinician is kept unless a video measured the same fact.
    """
    latest: dict[str, MovementReport] = {}
    for analysis in sorted(analyses, key=lambda a: a.created_at):
        if analysis.status != AnalysisStatus.FAILED and isinstance(analysis.result, MovementReport):
            latest[analysis.test] = analysis.result
    merged = dict(intake)
    given = merged.get("findings")
    findings: dict[str, object] = dict(given) if isinstance(given, Mapping) else {}
    for report in latest.values():
        findings.update(report.findings)
    if findings:
        merged["findings"] = findings
    return merged, list(latest.values())


def patient_message(error: BackmechError, file_name: str) -> tuple[str, str]:
    """An analysis error in words for the person who sent the video (no stored file names)."""
    text = error.problem if isinstance(error, InputError) else error.user_message
    text = text.replace(f"{file_name}: ", "").replace(file_name, "This video").strip()
    hint = error.hint
    if hint.startswith("Allowed: "):
        hint = "Try again with " + hint.removeprefix("Allowed: ")
    hint = hint.replace(" (see `backmech movement-tests`)", "")
    return text[:1].upper() + text[1:], hint


def _write_first(uow: UnitOfWork, analysis_id: UUID) -> None:
    """Open the transaction with a write (a harmless progress update of this running job).

    SQLite starts transactions deferred: one that reads and then writes fails at once
    ("database is locked") if another connection committed in between, which the web
    pages polling this job would do. Writing first takes the write lock up front
    (waiting for it if needed), so the rest of the transaction cannot be refused.
    """
    uow.movement_analyses.report_progress(analysis_id, AnalysisProgress(1.0))


def file_sha256(path: Path) -> str | None:
    """The file's SHA-256 (how a repeat of a file that cannot work is recognised), or None if unreadable."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def repeated_failure(analyses: Sequence[MovementAnalysis], sha256: str) -> MovementAnalysis | None:
    """The latest analysis that failed on this very file for a reason a second try cannot change."""
    for analysis in sorted(analyses, key=lambda a: a.created_at, reverse=True):
        failure = analysis.result
        if (
            analysis.status == AnalysisStatus.FAILED
            and isinstance(failure, AnalysisFailure)
            and failure.sha256 == sha256
            and not failure.retry
        ):
            return analysis
    return None


def _fail(
    uow_factory: UnitOfWorkFactory,
    analysis_id: UUID,
    message: str,
    hint: str,
    *,
    code: str,
    retry: bool,
    sha256: str | None = None,
    reference: str | None = None,
) -> None:
    """Store how the job ended: the words for the person, and whether sending the file again can help."""
    failure = AnalysisFailure(
        message=message, hint=hint, code=code, retry=retry, sha256=sha256, reference=reference
    )
    with uow_factory(actor=None) as uow:
        if uow.movement_analyses.finish(
            analysis_id, AnalysisStatus.FAILED, result=failure, error=f"{message} {hint}".strip()
        ):
            uow.commit()


class Reporter(Protocol):
    def __call__(self, fraction: float, *, force: bool = False) -> None: ...


class _Forward:
    def __init__(self, analysis_id: UUID, sink: ProgressSink) -> None:
        self._analysis_id = analysis_id
        self._sink = sink

    def __call__(self, fraction: float, *, force: bool = False) -> None:
        self._sink(self._analysis_id, min(max(fraction, 0.0), 1.0))


class _Progress:
    """Writes ``{"progress": 0-1}`` to the running job, at most once a second."""

    def __init__(self, uow_factory: UnitOfWorkFactory, analysis_id: UUID) -> None:
        self._uow_factory = uow_factory
        self._analysis_id = analysis_id
        self._last = 0.0

    def __call__(self, fraction: float, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_EVERY_S:
            return
        self._last = now
        try:
            with self._uow_factory(actor=None) as uow:
                uow.movement_analyses.report_progress(
                    self._analysis_id, AnalysisProgress(round(min(max(fraction, 0.0), 1.0), 3))
                )
                uow.commit()
        except Exception:  # progress is a nicety: a busy database must not stop the analysis
            log.warning("analysis %s: progress not saved", self._analysis_id, exc_info=True)
