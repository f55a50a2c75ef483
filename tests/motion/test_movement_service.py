"""The movement use case with hand-written fakes for the video and the pose model."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from protocol_support import specs as load_specs  # type: ignore[import-not-found]

from backmech.domain.errors import InputError
from backmech.motion.skeleton import N_LANDMARKS, FramePose
from backmech.services.movement import MovementService, VideoSummary, _frames


@dataclass(frozen=True)
class FakeFrame:
    index: int
    time: float
    rgb: np.ndarray


class FakeEstimator:
    """Sees a person in every frame except the ones listed."""

    name = "fake"

    def __init__(self, missing: set[int]) -> None:
        self.missing = missing

    def estimate(self, frame: FakeFrame) -> FramePose | None:
        if frame.index in self.missing:
            return None
        pts = np.zeros((N_LANDMARKS, 2)) + frame.index
        return FramePose(pts, np.ones(N_LANDMARKS), None, 0.9)

    def reset(self) -> None:
        pass


def _video(n: int) -> tuple[VideoSummary, Iterator[FakeFrame]]:
    summary = VideoSummary(64, 48, 0, n / 30, 30.0, n)
    return summary, (FakeFrame(i, i / 30, np.zeros((48, 64, 3), np.uint8)) for i in range(n))


def test_track_keeps_landmarks_and_marks_missing_frames() -> None:
    service = MovementService(
        specs={}, open_video=lambda path: _video(10), estimator_factory=lambda: FakeEstimator({3, 4})
    )
    seq, summary, model = service.track(Path("clip.mp4"))
    assert len(seq) == 10 and model == "fake" and summary.frames == 10
    assert np.isnan(seq.image[3]).all() and (seq.visibility[4] == 0).all()
    assert seq.image[5, 0, 0] == 5
    assert seq.detection_rate == pytest.approx(0.8)
    assert np.all(np.diff(seq.times) > 0)


def test_unknown_test_is_an_input_error_listing_the_tests() -> None:
    service = MovementService(
        specs=load_specs(), open_video=lambda p: _video(3), estimator_factory=lambda: FakeEstimator(set())
    )
    with pytest.raises(InputError) as info:
        service.analyse(Path("x.mp4"), "cartwheel")
    assert "forward-bend" in info.value.allowed


def test_prefetch_keeps_order_and_raises_decode_errors() -> None:
    assert list(_frames(iter(range(50)))) == list(range(50))  # type: ignore[arg-type]

    def broken() -> Iterator[int]:
        yield 1
        raise InputError("video", "is damaged: decoding failed after 1 frames")

    out: list[int] = []
    with pytest.raises(InputError, match="decoding failed"):
        for item in _frames(broken()):  # type: ignore[arg-type]
            out.append(item)  # type: ignore[arg-type]
    assert out == [1]


def test_prefetch_stops_its_thread_when_the_consumer_stops() -> None:
    before = threading.active_count()
    for item in _frames(iter(range(10_000))):  # type: ignore[arg-type]
        if item == 3:  # type: ignore[comparison-overlap]
            break
    for _ in range(50):
        if threading.active_count() <= before:
            break
        threading.Event().wait(0.02)
    assert threading.active_count() <= before
