"""Messages for each kind of bad video: what was wrong and what to do."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from backmech.motion.video.types import (
    VideoError,
    VideoLimits,
    VideoProblem,
)

if TYPE_CHECKING:
    pass


# --------------------------------------------------------------------------- value types


_FORMATS = "MP4, MOV, WebM or MKV"
_TRIM = "Trim the clip to the movement test (a few repetitions) or export it at 1080p; "

_TEXT_FORMATS = frozenset({"tty", "bin", "xbin", "idf", "adf"})
"""FFmpeg demuxers that render text or ANSI art as 'video'."""
_TEXT_CODECS = frozenset({"ansi", "bintext", "xbin", "idf"})
_IMAGE_FORMATS = frozenset({"image2"})
"""Still-image demuxers (with every ``*_pipe`` one: png_pipe, jpeg_pipe, webp_pipe…)."""


def _megabytes(n: float) -> str:
    return f"{n / 1e6:.0f} MB" if n >= 10e6 else f"{n / 1e6:.1f} MB"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def _error(
    code: VideoProblem,
    path: Path,
    problem: str,
    hint: str,
    *,
    frames_read: int | None = None,
    detail: str = "",
) -> VideoError:
    return VideoError(code, problem, hint=hint, path=path, frames_read=frames_read, detail=detail)


def _too_long(
    path: Path, seconds: float, limits: VideoLimits, *, frames_read: int | None = None
) -> VideoError:
    return _error(
        VideoProblem.TOO_LONG,
        path,
        f"{path.name} lasts {'more than ' if frames_read is not None else ''}{_duration(seconds)}; "
        f"the limit is {_duration(limits.max_seconds)}.",
        f"{_TRIM}one test needs well under a minute.",
        frames_read=frames_read,
    )


def _too_many_pixels(path: Path, width: int, height: int, limits: VideoLimits) -> VideoError:
    return _error(
        VideoProblem.TOO_MANY_PIXELS,
        path,
        f"{path.name} is {width}x{height} ({width * height / 1e6:.1f} megapixels); "
        f"the limit is {limits.max_pixels / 1e6:.1f} megapixels.",
        "Record or export the video at 1080p (or at most 4K); more pixels do not help pose detection.",
    )


def _too_few_frames(path: Path, count: int, limits: VideoLimits, *, streamed: bool) -> VideoError:
    verb = "is" if count == 1 else "are"
    what = "could be decoded" if streamed else f"{verb} in the video"
    return _error(
        VideoProblem.TOO_FEW_FRAMES,
        path,
        f"{path.name}: only {count} frame{'s' if count != 1 else ''} {what}; "
        f"at least {limits.min_frames} are needed to measure a movement.",
        "Record a video (not a photo or a burst) of the whole movement, a few seconds long.",
        frames_read=count if streamed else None,
    )


def _damaged(path: Path, problem: str, *, frames_read: int | None = None, detail: str = "") -> VideoError:
    return _error(
        VideoProblem.DAMAGED,
        path,
        f"{path.name} is damaged: {problem}",
        "Copy the original video from the phone again (the copy may not have finished), or re-export "
        f"it as {_FORMATS} from the gallery app.",
        frames_read=frames_read,
        detail=detail,
    )


# --------------------------------------------------------------------------- opening


def _unconvertible(path: Path, pixel_format: str, detail: str) -> VideoError:
    return _error(
        VideoProblem.UNSUPPORTED_CODEC,
        path,
        f"{path.name} stores its pictures as {pixel_format}, which cannot be turned into ordinary "
        "colour pictures here.",
        "Re-export it as H.264 MP4 (on a phone: share or export as 'Most compatible').",
        detail=detail,
    )
