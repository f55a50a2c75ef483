"""Opening a file safely and reading what it holds before any decoding."""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from backmech.motion.video.problems import (
    _FORMATS,
    _IMAGE_FORMATS,
    _TEXT_CODECS,
    _TEXT_FORMATS,
    _TRIM,
    _damaged,
    _error,
    _megabytes,
    _too_few_frames,
    _too_long,
    _too_many_pixels,
)
from backmech.motion.video.types import (
    VideoError,
    VideoLimits,
    VideoProblem,
)

if TYPE_CHECKING:
    from av.container import InputContainer
    from av.video.stream import VideoStream


# --------------------------------------------------------------------------- value types


def _check_file(path: Path, limits: VideoLimits) -> int:
    """Checks that need no decoder; returns the size in bytes."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise _error(
            VideoProblem.NOT_FOUND,
            path,
            f"{path} does not exist.",
            "Check the path and the file name; give the path of a video file such as clip.mp4.",
        ) from None
    except OSError as exc:
        raise _error(
            VideoProblem.UNREADABLE,
            path,
            f"{path} cannot be read ({exc.strerror or exc}).",
            "Check that the file exists and that you are allowed to read it.",
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise _error(
            VideoProblem.NOT_A_FILE,
            path,
            f"{path} is a folder, not a video file.",
            "Give the path of one video file inside it.",
        )
    if not stat.S_ISREG(info.st_mode):
        raise _error(
            VideoProblem.NOT_A_FILE,
            path,
            f"{path} is not a regular file (a pipe, socket or device cannot be analysed).",
            "Save the video to a file first and give that file's path.",
        )
    if info.st_size == 0:
        raise _error(
            VideoProblem.EMPTY,
            path,
            f"{path.name} is empty (0 bytes).",
            "The recording or the copy did not finish; copy the video from the phone again.",
        )
    if info.st_size > limits.max_bytes:
        raise _error(
            VideoProblem.FILE_TOO_LARGE,
            path,
            f"{path.name} is {_megabytes(info.st_size)}; the limit is {_megabytes(limits.max_bytes)}.",
            f"{_TRIM}a test of under a minute is a few tens of MB.",
        )
    return info.st_size


def _starts_like_mp4(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
    except OSError:
        return False
    return head[4:8] == b"ftyp"


def _open(path: Path, limits: VideoLimits) -> InputContainer:
    import av

    try:
        return av.open(
            str(path),
            mode="r",
            metadata_errors="replace",
            timeout=(limits.io_timeout_s, limits.io_timeout_s),
        )
    except av.error.ExitError:
        raise _timeout(path, limits) from None
    except av.error.PermissionError:
        raise _error(
            VideoProblem.UNREADABLE,
            path,
            f"{path} cannot be read (permission denied).",
            "Check that you are allowed to read the file.",
        ) from None
    except av.FFmpegError as exc:
        if _starts_like_mp4(path):
            raise _damaged(
                path,
                "it is an MP4/MOV file, but its index could not be read (often a recording or a copy "
                "that did not finish).",
                detail=str(exc),
            ) from None
        raise _error(
            VideoProblem.NOT_A_VIDEO,
            path,
            f"{path.name} is not a video file that can be read (FFmpeg recognised no video format in it).",
            f"Give the video as recorded by a phone or camera ({_FORMATS}); if it is one, it may be "
            "damaged: copy it again.",
            detail=str(exc),
        ) from None


def _timeout(path: Path, limits: VideoLimits, frames_read: int | None = None) -> VideoError:
    return _error(
        VideoProblem.TIMEOUT,
        path,
        f"reading {path.name} stalled for more than {limits.io_timeout_s:.0f} s and was stopped.",
        "Copy the video to a local disk and try again.",
        frames_read=frames_read,
    )


def _is_cover_art(stream: VideoStream) -> bool:
    import av

    return bool(stream.disposition & av.stream.Disposition.attached_pic)


@dataclass(frozen=True)
class _Meta:
    stream: VideoStream
    duration_s: float | None
    frames_estimate: int | None
    frames_declared: int | None
    fps: float | None
    codec: str
    has_audio: bool


def _inspect(container: InputContainer, path: Path, size: int, limits: VideoLimits) -> _Meta:
    """Everything that can be judged from the headers, without decoding."""
    fmt_names = set(container.format.name.split(","))
    videos = [s for s in container.streams.video if not _is_cover_art(s)]
    codec = videos[0].codec_context.name if videos and videos[0].codec_context is not None else ""
    if fmt_names & _TEXT_FORMATS or codec in _TEXT_CODECS:
        raise _error(
            VideoProblem.TEXT_FILE,
            path,
            f"{path.name} is a text file, not a video.",
            f"Give the video file of the movement test ({_FORMATS}).",
        )
    if fmt_names & _IMAGE_FORMATS or any(name.endswith("_pipe") for name in fmt_names):
        raise _error(
            VideoProblem.STILL_IMAGE,
            path,
            f"{path.name} is a still image ({codec or container.format.name}), not a video.",
            "Record a video of the movement; a single picture cannot show how you move.",
        )
    has_audio = len(container.streams.audio) > 0
    if not videos:
        if has_audio:
            raise _error(
                VideoProblem.AUDIO_ONLY,
                path,
                f"{path.name} has sound but no picture (an audio-only file).",
                "Pick the video itself, not a voice memo or an audio export; record the test with "
                "the camera app.",
            )
        raise _damaged(path, "it contains no video track (its header may be broken).")
    stream = videos[0]
    ctx = stream.codec_context
    if ctx is None:
        raise _error(
            VideoProblem.UNSUPPORTED_CODEC,
            path,
            f"{path.name} uses a video codec this installation cannot decode.",
            "Re-export it as H.264 MP4 (on a phone: share or export as 'Most compatible').",
        )

    width, height = int(ctx.width or 0), int(ctx.height or 0)
    if width * height > limits.max_pixels:
        raise _too_many_pixels(path, width, height, limits)

    duration_s: float | None = None
    if stream.duration is not None and stream.time_base is not None:
        duration_s = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration_s = container.duration / 1_000_000  # AV_TIME_BASE
    if duration_s is not None and duration_s > limits.max_seconds:
        raise _too_long(path, duration_s, limits)

    rate = stream.average_rate or stream.guessed_rate
    fps = float(rate) if rate else None
    frames_declared = int(stream.frames) if stream.frames else None
    estimate = frames_declared
    if estimate is None and duration_s is not None and fps is not None:
        estimate = round(duration_s * fps)
    if estimate is not None and estimate < limits.min_frames:
        raise _too_few_frames(path, estimate, limits, streamed=False)

    if "mov" in fmt_names:
        _check_index(stream, path, size)
    return _Meta(stream, duration_s, estimate, frames_declared, fps, codec, has_audio)


def _check_index(stream: VideoStream, path: Path, size: int) -> None:
    """MP4/MOV: the sample table says where the frames are; past the end means cut short."""
    needed = max((entry.pos + entry.size for entry in stream.index_entries), default=0)
    if needed > size:
        raise _error(
            VideoProblem.TRUNCATED,
            path,
            f"{path.name} is cut short: it has {_megabytes(size)} but its index places video "
            f"data up to {_megabytes(needed)}.",
            "The recording, download or copy did not finish; copy the original video from the phone again.",
        )


# --------------------------------------------------------------------------- orientation


_Square = tuple[tuple[int, int], tuple[int, int]]
