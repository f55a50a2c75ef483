"""The contract every pose backend implements.

A backend is fed the frames of one clip in order and returns, per frame, the landmarks
of one person (``FramePose``) or ``None`` when no person was found. Backends may keep
state between frames (tracking); ``reset()`` forgets it before another clip.

The frame type is a small structural protocol (``index``, ``time``, ``rgb``) so that this
module does not depend on the video decoder: ``backmech.motion.video.VideoFrame``
satisfies it, and so does any test double with those three attributes.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from backmech.motion.skeleton import FramePose


@runtime_checkable
class Frame(Protocol):
    """One decoded, upright video frame."""

    @property
    def index(self) -> int:
        """Position of the frame in the clip, from 0."""
        ...

    @property
    def time(self) -> float:
        """Presentation time in seconds from the start of the clip."""
        ...

    @property
    def rgb(self) -> npt.NDArray[np.uint8]:
        """(H, W, 3) uint8 RGB pixels, rotation already applied."""
        ...


@runtime_checkable
class PoseEstimator(Protocol):
    """Finds one person's landmarks in successive frames of one clip."""

    @property
    def name(self) -> str:
        """Short identifier of the backend and model, recorded as the sequence's source."""
        ...

    def estimate(self, frame: Frame) -> FramePose | None:
        """Landmarks of the tracked person in ``frame`` (pixels of ``frame.rgb``), or None."""
        ...

    def reset(self) -> None:
        """Forget any tracking state, e.g. before the frames of another clip."""
        ...
