"""Phone, browser and editor formats uploaded through the web app give what the command gives.

Each clip of tests/motion/phone_formats.py (libx264 with SEI, HEVC in .mov, VP9/WebM, display
matrices, mirrored, 60 fps, variable rate, 4K portrait) is sent as a phone sends it (the form,
with the content type the phone declares), analysed on the embedded install's in-process
queue, and its stored result must equal the command line's analysis of the same file
(``MovementService.analyse`` + ``movement_report``, which ``backmech analyse --json`` prints).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.motion.demo_clip import default_cache, demo_clip
from tests.motion.phone_formats import FORMATS, PhoneFormat, phone_clips
from tests.web.conftest import Site
from tests.web.test_movement import analysis_id_of, movement_site, upload_form, wait_finished  # noqa: F401

from backmech.bootstrap import movement_service
from backmech.domain.results.model import MovementReport
from backmech.services.movement import movement_report

CONTENT_TYPES = {".mp4": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm"}
COMPARED = ("frames_analysed", "detection_rate", "metrics", "findings", "video", "repetitions")


@pytest.fixture(scope="module")
def clips() -> dict[str, Path]:
    cache = default_cache()
    return phone_clips(demo_clip(cache), cache)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS, ids=[f.id for f in FORMATS])
def test_an_uploaded_phone_video_gives_the_commands_result(
    movement_site: Site,  # noqa: F811
    clips: dict[str, Path],
    fmt: PhoneFormat,
) -> None:
    movement_site.assess("patient_a")
    patient = movement_site["patient_a"]
    clip = clips[fmt.id]
    sent = upload_form(
        patient.client, "forward-bend", clip.name, clip.read_bytes(), CONTENT_TYPES[clip.suffix]
    )
    analysis_id = analysis_id_of(sent)
    status = wait_finished(patient.client, analysis_id)
    assert status["status"] == "done", status
    with movement_site.state.uow_factory(actor=None) as uow:
        stored = uow.movement_analyses.get(patient.user.clinic_id, analysis_id)
    assert stored is not None and isinstance(stored.result, MovementReport)
    expected = movement_report(movement_service(None).analyse(clip, "forward-bend"))
    for key in COMPARED:
        assert getattr(stored.result, key) == getattr(expected, key), key
    assert stored.result.overlay, "the overlay video was made"
    page = patient.client.get(f"/me/movement/analyses/{analysis_id}")
    assert page.status_code == 200 and "What the video shows" in page.text
