"""``probe`` and the streaming ``frames`` generator."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from backmech.motion.video.container import (
    _check_file,
    _inspect,
    _open,
    _timeout,
)
from backmech.motion.video.orientation import (
    _orientation,
    _upright,
)
from backmech.motion.video.problems import (
    _FORMATS,
    _damaged,
    _error,
    _too_few_frames,
    _too_long,
    _too_many_pixels,
    _unconvertible,
)
from backmech.motion.video.types import (
    DEFAULT_LIMITS,
    VideoError,
    VideoFrame,
    VideoInfo,
    VideoLimits,
    VideoProblem,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from av.container import InputContainer
    from av.video.frame import VideoFrame as AVVideoFrame
    from av.video.stream import VideoStream


# --------------------------------------------------------------------------- value types


def _decoded(container: InputContainer, stream: VideoStream) -> Iterator[AVVideoFrame]:
    """Decoded pictures of ``stream`` in presentation order, one packet at a time."""
    for packet in container.demux(stream):
        yield from packet.decode()  # the final empty packet flushes the decoder


def _decode_failure(
    exc: Exception, path: Path, limits: VideoLimits, frames_read: int, time: float | None
) -> VideoError:
    import av

    if isinstance(exc, av.error.ExitError):
        return _timeout(path, limits, frames_read)
    if isinstance(exc, av.error.DecoderNotFoundError):
        return _error(
            VideoProblem.UNSUPPORTED_CODEC,
            path,
            f"{path.name} uses a video codec this installation cannot decode.",
            "Re-export it as H.264 MP4 (on a phone: share or export as 'Most compatible').",
            detail=str(exc),
        )
    where = f" (at {time:.2f} s)" if time is not None else ""
    return _error(
        VideoProblem.DECODE_ERROR,
        path,
        f"{path.name} is damaged: decoding failed after {frames_read} frame"
        f"{'s' if frames_read != 1 else ''}{where}.",
        "Copy the original video from the phone again, or re-export it from the gallery app; "
        "a damaged clip gives gaps that would look like movement.",
        frames_read=frames_read,
        detail=str(exc),
    )


def probe(path: Path, limits: VideoLimits = DEFAULT_LIMITS) -> VideoInfo:
    """Check ``path`` against ``limits`` from its metadata and first picture; describe it.

    Raises :class:`VideoError` for every problem listed in :class:`VideoProblem` that can
    be seen without decoding the whole clip.
    """
    import av

    path = Path(path)
    size = _check_file(path, limits)
    container = _open(path, limits)
    try:
        meta = _inspect(container, path, size, limits)
        meta.stream.codec_context.thread_type = "AUTO"
        first: AVVideoFrame | None = None
        try:
            for frame in _decoded(container, meta.stream):
                first = frame
                break
        except av.FFmpegError as exc:
            raise _decode_failure(exc, path, limits, 0, None) from None
        if first is None:
            raise _damaged(path, "no picture could be decoded from its video track.")
        if first.pts is None:
            raise _no_timestamps(path)
        if first.width * first.height > limits.max_pixels:
            raise _too_many_pixels(path, first.width, first.height, limits)
        turns, mirror = _orientation(first, meta.stream)
        width, height = (first.height, first.width) if turns % 2 else (first.width, first.height)
        return VideoInfo(
            width=width,
            height=height,
            rotation=(-90 * turns) % 360,
            duration_s=math.nan if meta.duration_s is None else meta.duration_s,
            frames_estimate=meta.frames_estimate or 0,
            fps=math.nan if meta.fps is None else meta.fps,
            codec=meta.codec,
            has_audio=meta.has_audio,
            mirrored=mirror,
        )
    finally:
        container.close()


def _no_timestamps(path: Path) -> VideoError:
    return _error(
        VideoProblem.NO_TIMESTAMPS,
        path,
        f"{path.name} has no frame timestamps (a raw video stream), so speeds cannot be measured.",
        f"Give the original recording or put the stream in a container ({_FORMATS}).",
    )


@dataclass
class _Tally:
    """Counts the end-of-stream checks need: pictures decoded, frames handed over, and the
    first timestamp (a clip whose pictures all lack one is a raw stream, not a damaged one)."""

    decoded: int = 0
    yielded: int = 0
    origin: int | None = None
    last_time: float = -math.inf


def _timed(
    container: InputContainer, stream: VideoStream, path: Path, limits: VideoLimits, tally: _Tally
) -> Iterator[tuple[AVVideoFrame, float]]:
    """Pictures with their time from the first timestamp, counted in ``tally``. Pictures
    without a timestamp, or not later than the last frame handed over, are dropped: speeds
    come from time steps, and a zero or negative step would make them meaningless."""
    import av

    time_base = stream.time_base
    decoder = _decoded(container, stream)
    while True:
        try:
            frame = next(decoder, None)
        except av.FFmpegError as exc:
            seen = tally.last_time if tally.yielded else None
            raise _decode_failure(exc, path, limits, tally.yielded, seen) from None
        if frame is None:
            return
        tally.decoded += 1
        if frame.pts is None:
            continue
        base = frame.time_base or time_base or Fraction(1, 1)
        if tally.origin is None:
            tally.origin = frame.pts
        t = float((frame.pts - tally.origin) * Fraction(base))
        if t <= tally.last_time:
            continue
        yield frame, t
        tally.yielded += 1  # only now: the caller has checked and handed the frame over
        tally.last_time = t


def _check_frame(path: Path, limits: VideoLimits, frame: AVVideoFrame, t: float, frames_read: int) -> None:
    """Stop as soon as the clip passes the limits, before converting a picture that would
    cost the time or memory the limits are there to cap."""
    if t > limits.max_seconds:
        raise _too_long(path, limits.max_seconds, limits, frames_read=frames_read)
    if frame.width * frame.height > limits.max_pixels:
        raise _too_many_pixels(path, frame.width, frame.height, limits)


def _upright_rgb(
    path: Path, frame: AVVideoFrame, stream: VideoStream, known: dict[int, tuple[int, bool]]
) -> npt.NDArray[np.uint8]:
    """The picture turned upright. ``frame.rotation`` is cheap, so the full display matrix
    is read (by ``_orientation``) only when the rotation changes; ``known`` keeps the rest."""
    import av

    key = frame.rotation
    if key not in known:
        known[key] = _orientation(frame, stream)
    turns, mirror = known[key]
    try:
        return _upright(frame, turns, mirror)
    except (av.FFmpegError, ValueError) as exc:  # a pixel format swscale cannot convert
        raise _unconvertible(path, frame.format.name, str(exc)) from None


def _check_size(
    path: Path, first: tuple[int, ...], shape: tuple[int, ...], t: float, frames_read: int
) -> None:
    """Every frame must have the first frame's size: landmark positions from pictures of
    different sizes cannot be compared."""
    if shape != first:
        raise _error(
            VideoProblem.SIZE_CHANGED,
            path,
            f"{path.name} changes picture size part-way (from {first[1]}x{first[0]} to "
            f"{shape[1]}x{shape[0]} at {t:.2f} s).",
            "Re-export the clip at one fixed resolution and orientation.",
            frames_read=frames_read,
        )


def _check_end(path: Path, limits: VideoLimits, declared: int | None, tally: _Tally) -> None:
    """Checks only the whole stream can answer: a clip that gave nothing, had no timestamps,
    stopped well short of its header's frame count, or is too short to measure."""
    if tally.decoded == 0:
        raise _damaged(path, "no picture could be decoded from its video track.", frames_read=0)
    if tally.yielded == 0 and tally.origin is None:
        raise _no_timestamps(path)
    if declared is not None and declared - tally.decoded > max(2, 0.05 * declared):
        raise _error(
            VideoProblem.TRUNCATED,
            path,
            f"{path.name} is cut short: it ended after {tally.decoded} of the {declared} frames its "
            "header declares.",
            "The recording, download or copy did not finish; copy the original video from the phone again.",
            frames_read=tally.yielded,
        )
    if tally.yielded < limits.min_frames:
        raise _too_few_frames(path, tally.yielded, limits, streamed=True)


def frames(path: Path, limits: VideoLimits = DEFAULT_LIMITS) -> Iterator[VideoFrame]:
    """Stream the upright frames of ``path`` with their presentation times (seconds).

    The header checks of :func:`probe` run when iteration starts. While decoding, the
    stream stops with a :class:`VideoError` when the real duration passes
    ``limits.max_seconds``, a frame is larger than ``limits.max_pixels`` or changes size,
    or a packet cannot be decoded (``frames_read`` says how many frames came before). At
    the end it raises if the clip stopped well short of the frame count its header
    declared, or gave fewer than ``limits.min_frames`` frames. Memory use does not grow
    with the clip's length: frames are decoded and handed over one at a time.
    """
    path = Path(path)
    size = _check_file(path, limits)
    container = _open(path, limits)
    try:
        meta = _inspect(container, path, size, limits)
        meta.stream.codec_context.thread_type = "AUTO"
        tally = _Tally()
        orientations: dict[int, tuple[int, bool]] = {}
        first: tuple[int, ...] | None = None
        for frame, t in _timed(container, meta.stream, path, limits, tally):
            _check_frame(path, limits, frame, t, tally.yielded)
            rgb = _upright_rgb(path, frame, meta.stream, orientations)
            if first is None:
                first = rgb.shape
            _check_size(path, first, rgb.shape, t, tally.yielded)
            yield VideoFrame(index=tally.yielded, time=t, rgb=rgb)
        _check_end(path, limits, meta.frames_declared, tally)
    finally:
        container.close()
