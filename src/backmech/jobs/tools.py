"""The adapters a movement-analysis job uses, built once per process and shared by its threads.

The pose model is made per analysis by the movement service (one interpreter per
thread); the knowledge base and the assessment engine are loaded once.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from backmech.services.analysis_jobs import AnalysisTools

if TYPE_CHECKING:
    from backmech.services.assessment import AssessmentService
    from backmech.services.movement import Frame, MovementOutcome, MovementService

OVERLAY_MAX_SIDE = 960
"""Overlay videos are drawn at most this wide (or tall): enough to see the skeleton on a phone or
laptop, at a fraction of the encoding time and file size of a 1080p or 4K clip."""

_lock = threading.Lock()
T = TypeVar("T")


@cache
def _movement() -> MovementService:
    from backmech.bootstrap import movement_service

    return movement_service()


@cache
def _assessment() -> AssessmentService:
    from backmech.bootstrap import assessment_service

    return assessment_service()


def _locked(build: Callable[[], T]) -> Callable[[], T]:
    def get() -> T:
        with _lock:  # the first build loads YAML; two threads need not do it twice
            return build()

    return get


def analysis_tools(*, reassess: bool = True) -> AnalysisTools:
    """Movement analysis with the bundled model, the overlay renderer and (by default) re-assessment."""
    return AnalysisTools(
        movement=_locked(_movement),
        assessment=_locked(_assessment) if reassess else None,
        overlay=write_scaled_overlay,
    )


@dataclasses.dataclass(frozen=True)
class _ScaledFrame:
    index: int
    time: float
    rgb: np.ndarray


def write_scaled_overlay(
    video: Path, outcome: MovementOutcome, out: Path, progress: Callable[[float], None]
) -> None:
    """The skeleton drawn over the clip, scaled to fit ``OVERLAY_MAX_SIDE``, written whole or not at all."""
    from backmech.motion.overlay import write_overlay

    summary, frames = _movement().open_video(video)
    longest = max(summary.width, summary.height, 1)
    scale = min(1.0, OVERLAY_MAX_SIDE / longest)
    total = max(summary.frames, 1)
    drawn = outcome
    if scale < 1.0:
        clean = dataclasses.replace(
            outcome.clean,
            image=outcome.clean.image * scale,
            width=round(outcome.clean.width * scale),
            height=round(outcome.clean.height * scale),
        )
        drawn = dataclasses.replace(outcome, clean=clean)
    tmp = out.with_name(f".{out.name}.{threading.get_ident()}.tmp.mp4")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_overlay(_scaled(frames, scale, total, progress), drawn, tmp, summary.fps)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


def _scaled(
    frames: Iterable[Frame], scale: float, total: int, progress: Callable[[float], None]
) -> Iterator[Frame]:
    import cv2

    for frame in frames:
        progress(min(1.0, (frame.index + 1) / total))
        if scale >= 1.0:
            yield frame
            continue
        height, width = frame.rgb.shape[:2]
        size = (max(2, round(width * scale)), max(2, round(height * scale)))
        smaller = cv2.resize(frame.rgb, size, interpolation=cv2.INTER_LINEAR)
        yield _ScaledFrame(frame.index, frame.time, smaller)
