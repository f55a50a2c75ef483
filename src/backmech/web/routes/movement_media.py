"""``/media/analyses/{id}/overlay.mp4``: the overlay video, for the patient and their clinic's staff only.

Served from the media folder with HTTP Range support (Starlette's ``FileResponse``
answers ``Range: bytes=…`` with 206 and ``Content-Range``), so ``<video>`` can seek
and phones can stream it. Anyone else, and any analysis without an overlay, gets the
same 404. ``?download=1`` asks the browser to save it instead (for browsers that
cannot play H.264). Never cached: it is health data (``Cache-Control: no-store``).
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from backmech.domain.results.model import MovementReport
from backmech.services.ports import AnalysisStatus
from backmech.web.errors import error_response
from backmech.web.routes.movement_access import load_analysis
from backmech.web.security import app_state

router = APIRouter(include_in_schema=False)


@router.get("/media/analyses/{analysis_id}/overlay.mp4")
def overlay_video(request: Request, analysis_id: UUID, download: bool = False) -> Response:
    _, analysis = load_analysis(request, analysis_id)
    relative = analysis.result.overlay if isinstance(analysis.result, MovementReport) else None
    media_dir = app_state(request).config.settings.media_dir.resolve()
    path = (media_dir / relative).resolve() if relative else None
    if (
        analysis.status != AnalysisStatus.DONE
        or path is None
        or not path.is_relative_to(media_dir)
        or not Path(path).is_file()
    ):
        return error_response(request, 404, "There is no overlay video for this analysis.", code="not_found")
    disposition = "attachment" if download else "inline"
    return FileResponse(
        path,
        media_type="video/mp4",
        filename=f"movement-{analysis.test}-{analysis.created_at:%Y-%m-%d}.mp4",
        content_disposition_type=disposition,
    )
