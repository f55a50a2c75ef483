"""Movement tests in the web app: pages, uploads, background analysis, the overlay video and who may see it.

The analysis runs for real (BlazePose over the Sports2D demo clip, a video no one
here made) on the in-process queue of the embedded install (SQLite).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from tests.motion.demo_clip import demo_clip
from tests.web.conftest import PASSWORD, Site, csrf_from

from backmech.services.ports import AnalysisStatus
from backmech.web.app import create_app
from backmech.web.config import WebConfig
from backmech.web.jobs import InProcessQueue

ROOT = Path(__file__).resolve().parents[2]
ANALYSIS_TIMEOUT_S = 120


@pytest.fixture(scope="session")
def demo_video() -> Path:
    root = os.environ.get("BACKMECH_TEST_CACHE")
    return demo_clip(Path(root) if root else ROOT / ".test-cache")


@pytest.fixture
def movement_site(sqlite_site: Site) -> Iterator[Site]:
    """The two-clinic site with the embedded install's in-process analysis queue."""
    queue = InProcessQueue(sqlite_site.state.uow_factory, sqlite_site.state.config.settings.media_dir, 1)
    sqlite_site.state.queue = queue
    yield sqlite_site
    queue.wait(timeout=ANALYSIS_TIMEOUT_S)
    queue.close()


def upload_form(client: TestClient, test: str, name: str, data: bytes, content_type: str) -> Any:
    page = client.get(f"/me/movement/{test}")
    assert page.status_code == 200, page.text
    upload_id = page.text.split('name="upload_id" value="', 1)[1].split('"', 1)[0]
    return client.post(
        f"/me/movement/{test}",
        data={"csrf_token": csrf_from(page.text), "upload_id": upload_id},
        files={"video": (name, data, content_type)},
        follow_redirects=False,
    )


def analysis_id_of(response: Any) -> UUID:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/me/movement/analyses/")
    return UUID(location.rsplit("/", 1)[1])


def wait_finished(client: TestClient, analysis_id: UUID) -> dict[str, Any]:
    seen: set[str] = set()
    deadline = time.monotonic() + ANALYSIS_TIMEOUT_S
    while time.monotonic() < deadline:
        status = client.get(f"/me/movement/analyses/{analysis_id}/status").json()
        seen.add(status["status"])
        if status["finished"]:
            status["seen"] = seen
            return status
        time.sleep(0.5)
    raise AssertionError(f"analysis {analysis_id} did not finish; statuses seen: {seen}")


def test_movement_list_shows_every_test_with_a_drawing(sqlite_site: Site) -> None:
    page = sqlite_site["patient_a"].client.get("/me/movement")
    assert page.status_code == 200
    for name in ("Forward bend", "Backward bend", "Side bend", "Squat", "Walking", "Sitting posture"):
        assert name in page.text
    assert page.text.count('<svg class="mv-figure"') == 10
    assert "No video yet." in page.text
    assert "style=" not in page.text and "<script>" not in page.text  # CSP: no inline styles or scripts


def test_test_page_has_instructions_camera_set_up_and_both_ways_to_send(sqlite_site: Site) -> None:
    page = sqlite_site["patient_a"].client.get("/me/movement/forward-bend")
    assert page.status_code == 200
    text = page.text
    assert "Bend forward slowly" in text  # instructions from the knowledge file
    assert "2.5 to 3 metres away" in text and "from the side" in text  # camera set-up
    assert "close-fitting clothes" in text
    assert (
        'id="video-file"' in text and 'accept="video/*"' in text and 'enctype="multipart/form-data"' in text
    )
    assert 'id="recorder"' in text and "/static/recorder.js" in text
    assert '<meta name="csrf-token"' in text
    assert sqlite_site["patient_a"].client.get("/me/movement/no-such-test").status_code == 404


def test_staff_are_sent_to_their_own_pages(sqlite_site: Site) -> None:
    assert sqlite_site["clinician_a"].client.get("/me/movement").status_code == 403


@pytest.mark.slow
def test_upload_is_analysed_in_the_background_and_the_overlay_is_served_to_the_right_people(
    movement_site: Site, demo_video: Path
) -> None:
    movement_site.assess("patient_a")
    patient = movement_site["patient_a"]
    sent = upload_form(patient.client, "forward-bend", "bend.mp4", demo_video.read_bytes(), "video/mp4")
    analysis_id = analysis_id_of(sent)
    stored = list(
        (movement_site.state.config.settings.media_dir / str(patient.user.clinic_id)).rglob("*.mp4")
    )
    assert [p.name for p in stored] == [f"{analysis_id}.mp4"]

    status = wait_finished(patient.client, analysis_id)
    assert status["status"] == "done", status
    assert status["percent"] == 100

    page = patient.client.get(f"/me/movement/analyses/{analysis_id}")
    assert page.status_code == 200
    assert "What the video shows" in page.text
    assert "Largest forward trunk inclination" in page.text  # a finding, in words
    assert "side-on" in page.text  # the demo clip is not filmed side-on: the set-up advice shows
    overlay_url = f"/media/analyses/{analysis_id}/overlay.mp4"
    assert f'src="{overlay_url}"' in page.text

    # The findings fed a new assessment, which records the video.
    with movement_site.state.uow_factory(actor=None) as uow:
        analysis = uow.movement_analyses.get(patient.user.clinic_id, analysis_id)
        assessments = uow.assessments.for_patient(patient.user.clinic_id, patient.patient.id)  # type: ignore[union-attr]
    assert analysis is not None and analysis.assessment_id == assessments[-1].id
    assert len(assessments) == 2
    newest = assessments[-1]
    assert newest.intake["findings"]["movement.forward_bend_max_trunk_flexion_deg"] > 0  # type: ignore[index]
    assert newest.result.movement_tests[0].analysis_id == str(analysis_id)

    whole = patient.client.get(overlay_url)
    assert whole.status_code == 200 and whole.headers["content-type"] == "video/mp4"
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.content[4:8] == b"ftyp"
    part = patient.client.get(overlay_url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
    assert part.content == whole.content[100:200]
    clinician = movement_site["clinician_a"].client
    assert clinician.get(overlay_url, headers={"Range": "bytes=0-9"}).status_code == 206
    assert clinician.get(f"/me/movement/analyses/{analysis_id}").status_code == 200
    for outsider in ("patient_b", "clinician_b", "patient_a2"):
        client = movement_site[outsider].client
        assert client.get(overlay_url).status_code == 404, outsider
        assert client.get(f"/me/movement/analyses/{analysis_id}/status").status_code == 404, outsider
    assert movement_site.client().get(overlay_url, follow_redirects=False).status_code == 303  # sign in first

    listing = patient.client.get("/me/movement")
    assert f"/me/movement/analyses/{analysis_id}" in listing.text
    assert '<span class="badge ok">Done</span>' in listing.text

    # Running the job again changes nothing (idempotent): no second assessment.
    from backmech.services.analysis_jobs import run_analysis

    again = run_analysis(
        movement_site.state.uow_factory,
        movement_site.state.config.settings.media_dir,
        patient.user.clinic_id,
        analysis_id,
        tools=_no_tools(),
    )
    assert again is None
    with movement_site.state.uow_factory(actor=None) as uow:
        assert len(uow.assessments.for_patient(patient.user.clinic_id, patient.patient.id)) == 2  # type: ignore[union-attr]


def _no_tools() -> Any:
    from backmech.services.analysis_jobs import AnalysisTools

    def refuse() -> Any:
        raise AssertionError("a finished analysis must not be analysed again")

    return AnalysisTools(movement=refuse)


def test_a_corrupt_video_fails_with_a_clear_message_and_nothing_else_is_lost(movement_site: Site) -> None:
    movement_site.assess("patient_a")
    patient = movement_site["patient_a"]
    noise = random.Random(190).randbytes(200_000)  # fixed: some random bytes do look like audio to FFmpeg
    analysis_id = analysis_id_of(upload_form(patient.client, "squat", "squat.mp4", noise, "video/mp4"))
    status = wait_finished(patient.client, analysis_id)
    assert status["status"] == "failed"
    page = patient.client.get(f"/me/movement/analyses/{analysis_id}")
    assert "We could not analyse this video" in page.text
    assert "is not a video file that can be read" in page.text
    assert "copy it again" in page.text  # what to do
    assert f"{analysis_id}.mp4" not in page.text  # no stored file names
    # the file itself is the problem: no "try again", but another video, and why
    assert 'href="/me/movement/squat"' in page.text and 'id="send-another"' in page.text
    assert 'id="try-again"' not in page.text
    assert "Sending this same file again would give the same answer." in page.text
    with movement_site.state.uow_factory(actor=None) as uow:
        assert len(uow.assessments.for_patient(patient.user.clinic_id, patient.patient.id)) == 1  # type: ignore[union-attr]

    # the same file sent again is answered at once, and nothing is stored or queued
    again = upload_form(patient.client, "squat", "squat-again.mp4", noise, "video/mp4")
    assert again.status_code == 422
    assert "same video you sent before" in again.text and "is not a video file that can be read" in again.text
    media = movement_site.state.config.settings.media_dir
    assert len([p for p in media.rglob("*.mp4") if p.is_file()]) == 1
    with movement_site.state.uow_factory(actor=None) as uow:
        assert len(uow.movement_analyses.for_patient(patient.user.clinic_id, patient.patient.id)) == 1  # type: ignore[union-attr]
    recorder = patient.client.post(
        "/me/movement/squat",
        content=noise,
        headers={"Content-Type": "video/mp4", "X-CSRF-Token": patient.csrf, "Accept": "application/json"},
    )
    assert recorder.status_code == 422 and recorder.json()["error"] == "same_video"
    # a different file is taken as usual
    other = analysis_id_of(
        upload_form(patient.client, "squat", "other.mp4", random.Random(222).randbytes(200_000), "video/mp4")
    )
    assert wait_finished(patient.client, other)["status"] == "failed"


def test_non_video_is_refused_at_once_with_the_form_shown_again(movement_site: Site) -> None:
    patient = movement_site["patient_a"]
    refused = upload_form(patient.client, "squat", "notes.txt", b"my notes about my back\n", "text/plain")
    assert refused.status_code == 422
    assert "not a video" in refused.text and 'id="video-file"' in refused.text
    disguised = upload_form(patient.client, "squat", "clip.mp4", b"%PDF-1.7\n" + b"\x00" * 600, "video/mp4")
    assert disguised.status_code == 422 and "a PDF document" in disguised.text
    raw = patient.client.post(
        "/me/movement/squat",
        content=b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000,
        headers={"Content-Type": "video/mp4", "X-CSRF-Token": patient.csrf, "Accept": "application/json"},
    )
    assert raw.status_code == 422 and raw.json()["error"] == "not_a_video"
    wrong_type = patient.client.post(
        "/me/movement/squat",
        content=b"hello",
        headers={"Content-Type": "image/jpeg", "X-CSRF-Token": patient.csrf, "Accept": "application/json"},
    )
    assert wrong_type.status_code == 422
    with movement_site.state.uow_factory(actor=None) as uow:
        assert uow.movement_analyses.unfinished() == []
    media = movement_site.state.config.settings.media_dir
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_the_recorder_path_streams_the_body_and_a_repeat_is_one_analysis(
    movement_site: Site, demo_video: Path
) -> None:
    patient = movement_site["patient_a"]
    movement_site.state.queue = _Recording()
    headers = {
        "Content-Type": "video/webm;codecs=vp8",
        "X-CSRF-Token": patient.csrf,
        "X-Upload-Id": "8d3f0c1e-55a4-4f0e-9a3b-0c6c2b1d7e11",
        "X-Filename": "recording.webm",
        "Accept": "application/json",
    }
    body = demo_video.read_bytes()
    first = patient.client.post("/me/movement/squat", content=body, headers=headers)
    assert first.status_code == 201, first.text
    again = patient.client.post("/me/movement/squat", content=body, headers=headers)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert movement_site.state.queue.submitted == [(patient.user.clinic_id, UUID(first.json()["id"]))]  # type: ignore[attr-defined]
    stored = movement_site.state.config.settings.media_dir / str(patient.user.clinic_id)
    assert [p.name for p in stored.rglob("*.webm")] == [f"{first.json()['id']}.webm"]
    status = patient.client.get(f"{first.json()['url']}/status").json()
    assert status == {
        "id": first.json()["id"],
        "status": "queued",
        "words": "Waiting to start",
        "percent": None,
        "finished": False,
    }
    page = patient.client.get(first.json()["url"])
    assert 'id="analysis-progress"' in page.text and 'id="analysis-refresh"' in page.text
    assert 'http-equiv="refresh"' not in page.text


class _Recording:
    def __init__(self) -> None:
        self.submitted: list[tuple[UUID, UUID]] = []

    def submit(self, clinic_id: UUID, analysis_id: UUID) -> None:
        self.submitted.append((clinic_id, analysis_id))

    def close(self) -> None:
        return None


def test_oversize_upload_is_refused_with_413(sqlite_site: Site, tmp_path: Path) -> None:
    small = create_app(
        WebConfig(
            settings=sqlite_site.state.config.settings, max_upload_bytes=64 * 1024, in_process_workers=0
        )
    )
    client = TestClient(small, base_url="http://testserver", follow_redirects=True)
    login = client.get("/login")
    client.post(
        "/login",
        data={"email": "patient@a.example", "password": PASSWORD, "csrf_token": csrf_from(login.text)},
    )
    big = b"\x00\x00\x00\x18ftypmp42" + os.urandom(200 * 1024)
    form = upload_form(client, "squat", "big.mp4", big, "video/mp4")
    assert form.status_code == 413
    raw = client.post(
        "/me/movement/squat",
        content=iter([big[i : i + 16384] for i in range(0, len(big), 16384)]),
        headers={"Content-Type": "video/mp4", "X-CSRF-Token": csrf_from(client.get("/account").text)},
    )
    assert raw.status_code == 413
    media = sqlite_site.state.config.settings.media_dir
    assert not [p for p in media.rglob("*") if p.is_file()]  # no partial file left behind
    with sqlite_site.state.uow_factory(actor=None) as uow:
        assert uow.movement_analyses.unfinished() == []
    client.close()


def test_a_restart_resubmits_analyses_left_queued(sqlite_site: Site, demo_video: Path) -> None:
    patient = sqlite_site["patient_a"]
    sqlite_site.state.queue = _Recording()
    analysis_id = analysis_id_of(
        upload_form(patient.client, "squat", "s.mp4", b"\x1a\x45\xdf\xa3" + b"\x00" * 900, "video/webm")
    )
    queue = InProcessQueue(
        sqlite_site.state.uow_factory, sqlite_site.state.config.settings.media_dir, 1, tools=_failing_tools
    )
    assert queue.resubmit_unfinished() == 1
    queue.wait(timeout=30)
    queue.close()
    with sqlite_site.state.uow_factory(actor=None) as uow:
        analysis = uow.movement_analyses.get(patient.user.clinic_id, analysis_id)
    assert analysis is not None and analysis.status == AnalysisStatus.FAILED
    assert analysis.error is not None and "our side" in analysis.error  # a crash is a failure with a message


def _failing_tools() -> Any:
    from backmech.services.analysis_jobs import AnalysisTools

    def broken() -> Any:
        raise RuntimeError("model file missing")

    return AnalysisTools(movement=broken)
