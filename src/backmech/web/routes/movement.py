"""Movement tests: what each test shows and how to film it, sending a video, and its analysis.

Pages (each a plain HTML form or link first; ``static/recorder.js`` adds recording in
the browser, upload progress and status polling):

* ``GET /me/movement``: the tests, each with a drawing and the latest result;
* ``GET /me/movement/{test}``: instructions, camera set-up, record or choose a video;
* ``POST /me/movement/{test}``: store the video, queue its analysis, go to its page;
* ``GET /me/movement/analyses/{id}`` (+ ``/status`` as JSON): progress, then findings
  and the overlay video. The patient and their clinic's staff may open it; anyone
  else gets the same 404 as for a record that does not exist.

The overlay video itself is served by ``movement_media``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from backmech.domain.results.model import MovementReport
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.services.accounts import AuthorisationError
from backmech.services.analysis_jobs import repeated_failure
from backmech.services.ports import (
    AnalysisFailure,
    AnalysisProgress,
    AnalysisStatus,
    MovementAnalysis,
    Patient,
)
from backmech.services.records import authorise_patient_access
from backmech.web.errors import error_response
from backmech.web.jobs import live_progress
from backmech.web.routes import movement_media
from backmech.web.routes.movement_access import load_analysis, retry_when_locked
from backmech.web.routes.movement_figures import movement_svg
from backmech.web.routes.movement_upload import (
    Saved,
    UploadRefusedError,
    media_path,
    save_chunks,
    save_upload,
    suffix_for,
)
from backmech.web.security import Viewer, app_state, require_patient
from backmech.web.templating import render

log = logging.getLogger("backmech.web.movement")

router = APIRouter(include_in_schema=False)
router.include_router(movement_media.router)

CLOTHING = (
    "Wear close-fitting clothes, such as shorts or leggings and a T-shirt, so your hips, knees and "
    "ankles can be seen. Bare feet or flat shoes."
)
STEADY = "Prop the phone up or ask someone to hold it still; do not film yourself in a mirror."
STATUS_WORDS = {
    AnalysisStatus.QUEUED: "Waiting to start",
    AnalysisStatus.RUNNING: "Being analysed",
    AnalysisStatus.DONE: "Done",
    AnalysisStatus.FAILED: "Could not be analysed",
}


@cache
def _specs() -> Mapping[str, MovementTestSpec]:
    from backmech.knowledge.files import KNOWLEDGE_ROOT, SourceChecker
    from backmech.knowledge.loader import default_knowledge
    from backmech.knowledge.movement_test_files import load_movement_tests

    root = KNOWLEDGE_ROOT
    return load_movement_tests(root / "movement_tests", root, SourceChecker(set(default_knowledge().sources)))


def movement_specs() -> Mapping[str, MovementTestSpec]:
    """The movement tests of the bundled knowledge base, by id (loaded once per process)."""
    return _specs()


def _spec(test: str) -> MovementTestSpec | None:
    return movement_specs().get(test)


def _test_context(spec: MovementTestSpec) -> dict[str, Any]:
    return {
        "spec": spec,
        "figure": movement_svg(spec.id, spec.name),
        "view_words": "from the side" if spec.view == "side" else "from the front",
        "clothing": CLOTHING,
        "steady": STEADY,
    }


def _own_analyses(request: Request, viewer: Viewer, patient: Patient) -> Sequence[MovementAnalysis]:
    def read() -> Sequence[MovementAnalysis]:
        with app_state(request).uow_factory(actor=viewer.user.id) as uow:
            found = uow.movement_analyses.for_patient(patient.clinic_id, patient.id)
            uow.commit()  # keep the audit event of the read
        return found

    return retry_when_locked(read)


@router.get("/me/movement")
def movement_list(request: Request) -> Response:
    viewer, patient = require_patient(request)
    latest: dict[str, MovementAnalysis] = {}
    for analysis in _own_analyses(request, viewer, patient):
        latest[analysis.test] = analysis
    tests = [
        {**_test_context(spec), "latest": latest.get(test_id)}
        for test_id, spec in sorted(movement_specs().items(), key=lambda item: item[1].name)
    ]
    return render(request, "movement/index.html", {"tests": tests, "status_words": STATUS_WORDS})


def _test_page(
    request: Request, spec: MovementTestSpec, problems: Sequence[str] = (), *, status_code: int = 200
) -> Response:
    context = {**_test_context(spec), "upload_id": uuid4(), "record_id": uuid4(), "problems": list(problems)}
    context["max_mb"] = app_state(request).config.max_upload_bytes // (1024 * 1024)
    return render(request, "movement/test.html", context, status_code=status_code)


@router.get("/me/movement/{test}")
def movement_test(request: Request, test: str) -> Response:
    require_patient(request)
    spec = _spec(test)
    if spec is None:
        return error_response(
            request, 404, "There is no movement test with that name.", "Pick one from the list."
        )
    return _test_page(request, spec)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _upload_id(value: object) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        return uuid4()


@router.post("/me/movement/{test}")
async def movement_upload(request: Request, test: str) -> Response:
    """Store the video (form file field ``video``, or the request body itself) and queue its analysis."""
    viewer, patient = require_patient(request)
    spec = _spec(test)
    if spec is None:
        return error_response(
            request, 404, "There is no movement test with that name.", "Pick one from the list."
        )
    state = app_state(request)
    content_type = request.headers.get("content-type", "")
    is_form = content_type.startswith("multipart/form-data")
    upload: UploadFile | None = None
    form: FormData | None = None
    try:
        if is_form:
            form = await request.form(max_part_size=state.config.max_upload_bytes)
            sent = form.get("video")
            analysis_id = _upload_id(form.get("upload_id"))
            upload = sent if isinstance(sent, UploadFile) and sent.filename else None
            if upload is None:
                raise UploadRefusedError(
                    "No video was attached.", "Choose a video file, then press Send video."
                )
            suffix = suffix_for(upload.content_type or "", upload.filename or "")
        else:
            analysis_id = _upload_id(request.headers.get("x-upload-id"))
            suffix = suffix_for(content_type, request.headers.get("x-filename", ""))
        existing = _existing(request, viewer, patient, analysis_id)
        if existing is not None:  # the same form sent twice: one analysis
            return _created(request, existing)
        relative = media_path(patient.clinic_id, patient.id, analysis_id, suffix)
        target = state.config.settings.media_dir / relative
        saved = await (
            save_upload(upload, target) if upload is not None else save_chunks(request.stream(), target)
        )
        _refuse_a_repeat(request, viewer, patient, saved)
    except UploadRefusedError as refused:
        if _wants_json(request) or not is_form:
            return JSONResponse(
                {"error": refused.code, "message": refused.message, "hint": refused.hint}, status_code=422
            )
        return _test_page(request, spec, [f"{refused.message} {refused.hint}"], status_code=422)
    finally:
        if form is not None:
            await form.close()  # the spooled temporary file
    analysis = MovementAnalysis(id=analysis_id, patient_id=patient.id, test=spec.id, media_path=relative)
    try:
        with state.uow_factory(actor=viewer.user.id) as uow:
            authorise_patient_access(
                uow, viewer.user, patient.id, patient.clinic_id, "sending a movement video"
            )
            uow.movement_analyses.add(patient.clinic_id, analysis)
            uow.commit()
    except BaseException:  # not recorded, so not kept: no video without its record
        target.unlink(missing_ok=True)
        raise
    try:
        state.queue.submit(patient.clinic_id, analysis.id)
    except Exception:  # the upload is safe and stays queued; the queue picks it up when it is back
        log.exception("analysis %s stored but not queued", analysis.id)
    return _created(request, analysis)


def _refuse_a_repeat(request: Request, viewer: Viewer, patient: Patient, saved: Saved) -> None:
    """The very file that already failed for a reason of its own is answered now, not queued again."""
    with app_state(request).uow_factory(actor=viewer.user.id) as uow:
        earlier = repeated_failure(
            uow.movement_analyses.for_patient(patient.clinic_id, patient.id), saved.sha256
        )
        uow.commit()
    if earlier is None:
        return
    saved.path.unlink(missing_ok=True)
    failure = earlier.result if isinstance(earlier.result, AnalysisFailure) else None
    reason = failure.message if failure is not None else ""
    hint = failure.hint if failure is not None else ""
    raise UploadRefusedError(
        f"This is the same video you sent before, which could not be analysed: {reason} "
        "Sending it again would give the same answer.",
        hint or "Record the test again, or choose a different video.",
        code="same_video",
    )


def _existing(
    request: Request, viewer: Viewer, patient: Patient, analysis_id: UUID
) -> MovementAnalysis | None:
    with app_state(request).uow_factory(actor=viewer.user.id) as uow:
        found = uow.movement_analyses.get(patient.clinic_id, analysis_id)
        uow.commit()
    if found is not None and found.patient_id != patient.id:
        raise AuthorisationError("sending a movement video", reason="That upload belongs to someone else.")
    return found


def _created(request: Request, analysis: MovementAnalysis) -> Response:
    url = f"/me/movement/analyses/{analysis.id}"
    if _wants_json(request):
        return JSONResponse({"id": str(analysis.id), "url": url, "status": analysis.status}, status_code=201)
    return RedirectResponse(url, status_code=303)


def progress_percent(request: Request, analysis: MovementAnalysis) -> int | None:
    """0-100 while running (None when not known): from this process's queue, else as stored."""
    if analysis.status == AnalysisStatus.DONE:
        return 100
    if analysis.status != AnalysisStatus.RUNNING:
        return None
    value = live_progress(app_state(request).queue, analysis.id)
    if value is None and isinstance(analysis.result, AnalysisProgress):
        value = analysis.result.fraction
    return round(100 * value) if value is not None else None


def status_view(request: Request, analysis: MovementAnalysis) -> dict[str, object]:
    """The small JSON the progress indicator polls."""
    return {
        "id": str(analysis.id),
        "status": str(analysis.status),
        "words": STATUS_WORDS[analysis.status],
        "percent": progress_percent(request, analysis),
        "finished": analysis.status in (AnalysisStatus.DONE, AnalysisStatus.FAILED),
    }


@router.get("/me/movement/analyses/{analysis_id}/status")
def movement_status(request: Request, analysis_id: UUID) -> Response:
    _, analysis = load_analysis(request, analysis_id)
    return JSONResponse(status_view(request, analysis))


@router.get("/me/movement/analyses/{analysis_id}")
def movement_analysis(request: Request, analysis_id: UUID) -> Response:
    viewer, analysis = load_analysis(request, analysis_id)
    spec = _spec(analysis.test)
    error: AnalysisFailure | None = None
    if analysis.status == AnalysisStatus.FAILED:
        error = (
            analysis.result
            if isinstance(analysis.result, AnalysisFailure)
            else AnalysisFailure(
                message=analysis.error or "This video could not be analysed.", hint="", code="unknown"
            )
        )
    report = analysis.result if analysis.status == AnalysisStatus.DONE else None
    result = report if isinstance(report, MovementReport) else None
    context = {
        "analysis": analysis,
        "spec": spec,
        "name": spec.name if spec else analysis.test,
        "words": STATUS_WORDS[analysis.status],
        "percent": progress_percent(request, analysis),
        "finished": analysis.status in (AnalysisStatus.DONE, AnalysisStatus.FAILED),
        "error": error,
        "result": result,
        "metrics": list(result.metrics.values()) if result is not None else [],
        "overlay_url": f"/media/analyses/{analysis.id}/overlay.mp4"
        if result is not None and result.overlay
        else None,
        "is_patient": not viewer.is_staff,
    }
    return render(request, "movement/analysis.html", context)
