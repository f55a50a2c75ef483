"""Video limits, what a file is, one decoded frame, and the error a bad file raises."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from backmech.domain.errors import InputError

if TYPE_CHECKING:
    pass


# --------------------------------------------------------------------------- value types


@dataclass(frozen=True)
class VideoLimits:
    """What a movement video may be. The defaults fit a phone clip of one test."""

    max_bytes: int = 500_000_000
    """File size (500 MB)."""
    max_seconds: float = 300.0
    """Duration (5 minutes), from the metadata and again from the decoded timestamps."""
    max_pixels: int = 3840 * 2160
    """Width × height of a frame (8.3 megapixels = 4K UHD)."""
    min_frames: int = 5
    """Fewest decodable frames for any motion to be measured."""
    io_timeout_s: float = 30.0
    """PyAV's open/read timeout (a guard for stalled network mounts)."""


DEFAULT_LIMITS = VideoLimits()


@dataclass(frozen=True)
class VideoInfo:
    """What ``probe`` found. Sizes are of the upright picture (rotation applied)."""

    width: int
    height: int
    rotation: int
    """Degrees clockwise (0, 90, 180, 270) applied to the stored picture to make it upright,
    as phones' ``rotate`` tag states it (an iPhone portrait clip: 90)."""
    duration_s: float
    """From the metadata; NaN when the container does not say (a live-written WebM/MKV,
    as browsers record them): the limit is then enforced while decoding."""
    frames_estimate: int
    """Frame count from the header, or duration × fps; 0 when unknown."""
    fps: float
    """Average frame rate from the metadata (informative only; times come from timestamps);
    NaN when unknown."""
    codec: str
    has_audio: bool
    mirrored: bool = False
    """The display matrix also mirrors the picture (applied before the rotation)."""


@dataclass(frozen=True)
class VideoFrame:
    """One decoded picture, upright."""

    index: int
    """0, 1, 2… over the frames yielded (skipped frames leave no hole)."""
    time: float
    """Presentation time in seconds from the first frame."""
    rgb: npt.NDArray[np.uint8]
    """(height, width, 3) RGB, C-contiguous, rotation applied."""


class VideoProblem(StrEnum):
    """What was wrong with a video, for callers that react differently to each."""

    NOT_FOUND = "not-found"
    NOT_A_FILE = "not-a-file"
    UNREADABLE = "unreadable"
    EMPTY = "empty"
    FILE_TOO_LARGE = "file-too-large"
    NOT_A_VIDEO = "not-a-video"
    TEXT_FILE = "text-file"
    STILL_IMAGE = "still-image"
    AUDIO_ONLY = "audio-only"
    DAMAGED = "damaged"
    TRUNCATED = "truncated"
    UNSUPPORTED_CODEC = "unsupported-codec"
    TOO_LONG = "too-long"
    TOO_MANY_PIXELS = "too-many-pixels"
    TOO_FEW_FRAMES = "too-few-frames"
    NO_TIMESTAMPS = "no-timestamps"
    SIZE_CHANGED = "size-changed"
    DECODE_ERROR = "decode-error"
    TIMEOUT = "timeout"


class VideoError(InputError):
    """A video cannot be used: says what was wrong (naming the file) and what to do.

    ``problem_code`` is a :class:`VideoProblem`; ``frames_read`` is how many frames had
    been yielded when streaming stopped (None when it stopped before decoding).
    """

    def __init__(
        self,
        code: VideoProblem,
        problem: str,
        *,
        hint: str,
        path: Path,
        frames_read: int | None = None,
        detail: str = "",
    ) -> None:
        super().__init__("video", problem)
        self.hint = hint
        self.detail = detail
        self.problem_code = code
        self.path = path
        self.frames_read = frames_read


# --------------------------------------------------------------------------- messages
