"""Video input: check a movement video, then stream its frames upright, with true timestamps.

``probe(path)`` reads the container's metadata and decodes the first picture; it refuses,
before any real decoding, a file that is missing, empty, not a regular file, too big, not a
video (text, a still image, audio only), cut short, too long, too large in pixels or too
short. ``frames(path)`` repeats the cheap checks and then streams :class:`VideoFrame`\\ s one
at a time (constant memory: nothing is collected, the decoder uses FFmpeg's ``AUTO``
threading), stopping with a :class:`VideoError` if the real clip breaks a limit the
metadata did not reveal, or if decoding fails part-way.

Decisions, so callers know what to expect:

* **Timestamps** are each frame's presentation timestamp × the stream time base, in
  seconds from the first decoded frame (so the first frame is at 0.0). Variable frame
  rate is kept as it is; nothing is derived from a frame index and a nominal fps. A
  frame without a timestamp, or whose timestamp does not move forward, cannot be placed
  in time and is skipped; a clip with no timestamps at all (a raw ``.h264`` stream) is
  refused.
* **Rotation**: phones store the picture as the sensor saw it and put the orientation in
  a display matrix (MP4/MOV ``tkhd`` matrix; older tools show it as a ``rotate`` tag).
  FFmpeg 7+/PyAV 18 attach that matrix to every decoded frame as ``DISPLAYMATRIX`` side
  data (``frame.rotation`` is its rotation part, counter-clockwise degrees) and do not
  rotate the picture themselves. Here the full matrix is read, so mirrored orientations
  are also handled; without it, a legacy ``rotate`` tag in the stream metadata (degrees
  clockwise, any letter case: Matroska keeps it as ``ROTATE``) is used. Rotations that are
  not a multiple of 90° are rounded to the nearest quarter turn.
* **Still images** (PNG, JPEG…) are refused: a movement test needs motion. Animated GIFs
  and any format FFmpeg decodes are accepted if they meet the limits.
* **Decode errors** part-way are not concealed: the first one stops the stream with a
  :class:`VideoError` that says how many frames had been read. A damaged file would
  otherwise give gaps and jumps that look like movement.
* **Truncation**: for MP4/MOV the sample index says where the video data should be; if
  it points past the end of the file, ``probe`` reports a cut-off copy at once. Other
  formats are checked after decoding (fewer frames than the header declared).
* **Hangs**: only regular files are opened (a FIFO or a device such as ``/dev/zero``
  could block or never end). PyAV's ``timeout`` is passed on as a guard for slow network
  mounts; it interrupts FFmpeg's I/O between reads, not a decoder. FFmpeg's decoders do
  not loop on corrupt input, and every limit (bytes, seconds, pixels) bounds the work, so
  no watchdog thread is used.

PyAV is imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import math
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
import numpy.typing as npt

from backmech.domain.errors import InputError

if TYPE_CHECKING:
    from av.container import InputContainer
    from av.video.frame import VideoFrame as AVVideoFrame
    from av.video.stream import VideoStream

__all__ = [
    "DEFAULT_LIMITS",
    "VideoError",
    "VideoFrame",
    "VideoInfo",
    "VideoLimits",
    "VideoProblem",
    "frames",
    "probe",
]


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
    what = "could be decoded" if streamed else "are in the video"
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


def _quarter_turns() -> dict[tuple[int, int, int, int], tuple[int, bool]]:
    """Signed 2x2 maps (column form, y down) → (counter-clockwise quarter turns, mirror first)."""
    rotate: _Square = ((0, 1), (-1, 0))  # one quarter turn counter-clockwise on screen
    mirror: _Square = ((-1, 0), (0, 1))  # left-right

    def mul(a: _Square, b: _Square) -> _Square:
        row0 = (a[0][0] * b[0][0] + a[0][1] * b[1][0], a[0][0] * b[0][1] + a[0][1] * b[1][1])
        row1 = (a[1][0] * b[0][0] + a[1][1] * b[1][0], a[1][0] * b[0][1] + a[1][1] * b[1][1])
        return (row0, row1)

    table: dict[tuple[int, int, int, int], tuple[int, bool]] = {}
    for flip in (False, True):
        m: _Square = mirror if flip else ((1, 0), (0, 1))
        for turns in range(4):
            table[(m[0][0], m[0][1], m[1][0], m[1][1])] = (turns, flip)
            m = mul(rotate, m)
    return table


_ORIENTATIONS = _quarter_turns()


def _orientation(frame: AVVideoFrame, stream: VideoStream) -> tuple[int, bool]:
    """(counter-clockwise quarter turns, mirror first) that make ``frame`` upright.

    FFmpeg's display matrix maps a stored pixel (p, q) to (a·p + c·q, b·p + d·q) on screen,
    with a, b, c, d = matrix[0], [1], [3], [4] (16.16 fixed point) — the same matrix that
    ``ffmpeg``'s autorotate turns into transpose/flip filters.

    Call it once per stream (or when ``frame.rotation`` changes), not per frame: in PyAV 18
    touching ``frame.side_data`` creates a reference cycle (frame ↔ SideDataContainer) that
    keeps the frame's native picture buffers alive until Python's cyclic GC happens to
    run — hundreds of MB over a 1080p clip. ``frame.rotation`` reads the same matrix in C
    without that cycle; it is the rotation part only, which is why the full matrix is read
    here (a pure left-right mirror shows as rotation 180, so the two stay distinguishable).
    """
    from av.sidedata.sidedata import SideData, Type

    matrix: npt.NDArray[np.int32] | None = None
    # PyAV's stub types ``side_data`` as a TypedDict; at run time it is a SideDataContainer.
    for side in cast("Iterable[SideData]", frame.side_data):
        if side.type == Type.DISPLAYMATRIX and side.buffer_size >= 36:
            matrix = np.frombuffer(bytes(side)[:36], dtype=np.int32)
            break
    if matrix is None:
        tag = next((v for k, v in stream.metadata.items() if k.lower() == "rotate"), None)
        try:
            degrees_cw = float(tag) if tag is not None else 0.0
        except ValueError:
            degrees_cw = 0.0
        return (-round(degrees_cw / 90)) % 4, False
    a, b, c, d = (float(v) for v in (matrix[0], matrix[1], matrix[3], matrix[4]))
    if abs(a) + abs(d) >= abs(b) + abs(c):
        key = (int(math.copysign(1, a)), 0, 0, int(math.copysign(1, d)))
    else:
        key = (0, int(math.copysign(1, c)), int(math.copysign(1, b)), 0)
    if key in _ORIENTATIONS:
        return _ORIENTATIONS[key]
    # Not a rotation or mirror (a degenerate matrix): keep the rotation part only.
    return round(frame.rotation / 90) % 4, False


def _upright(frame: AVVideoFrame, turns: int, mirror: bool) -> npt.NDArray[np.uint8]:
    rgb = cast("npt.NDArray[np.uint8]", frame.to_ndarray(format="rgb24"))
    if mirror:
        rgb = rgb[:, ::-1]
    if turns:
        rgb = np.rot90(rgb, turns)
    return np.ascontiguousarray(rgb)


# --------------------------------------------------------------------------- decoding


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
    import av

    path = Path(path)
    size = _check_file(path, limits)
    container = _open(path, limits)
    try:
        meta = _inspect(container, path, size, limits)
        meta.stream.codec_context.thread_type = "AUTO"
        time_base = meta.stream.time_base
        decoded = 0
        yielded = 0
        origin: int | None = None
        last_time = -math.inf
        shape: tuple[int, ...] | None = None
        orientations: dict[int, tuple[int, bool]] = {}
        decoder = _decoded(container, meta.stream)
        while True:
            try:
                frame = next(decoder, None)
            except av.FFmpegError as exc:
                seen = last_time if yielded else None
                raise _decode_failure(exc, path, limits, yielded, seen) from None
            if frame is None:
                break
            decoded += 1
            if frame.pts is None:
                continue
            base = frame.time_base or time_base or Fraction(1, 1)
            if origin is None:
                origin = frame.pts
            t = float((frame.pts - origin) * Fraction(base))
            if t <= last_time:
                continue
            if t > limits.max_seconds:
                raise _too_long(path, limits.max_seconds, limits, frames_read=yielded)
            if frame.width * frame.height > limits.max_pixels:
                raise _too_many_pixels(path, frame.width, frame.height, limits)
            # frame.rotation is cheap; the full matrix is read only when it changes (_orientation)
            key = frame.rotation
            if key not in orientations:
                orientations[key] = _orientation(frame, meta.stream)
            turns, mirror = orientations[key]
            rgb = _upright(frame, turns, mirror)
            if shape is None:
                shape = rgb.shape
            elif rgb.shape != shape:
                raise _error(
                    VideoProblem.SIZE_CHANGED,
                    path,
                    f"{path.name} changes picture size part-way (from {shape[1]}x{shape[0]} to "
                    f"{rgb.shape[1]}x{rgb.shape[0]} at {t:.2f} s).",
                    "Re-export the clip at one fixed resolution and orientation.",
                    frames_read=yielded,
                )
            yield VideoFrame(index=yielded, time=t, rgb=rgb)
            yielded += 1
            last_time = t
        if decoded == 0:
            raise _damaged(path, "no picture could be decoded from its video track.", frames_read=0)
        if yielded == 0 and origin is None:
            raise _no_timestamps(path)
        declared = meta.frames_declared
        if declared is not None and declared - decoded > max(2, 0.05 * declared):
            raise _error(
                VideoProblem.TRUNCATED,
                path,
                f"{path.name} is cut short: it ended after {decoded} of the {declared} frames its "
                "header declares.",
                "The recording, download or copy did not finish; copy the original video from the "
                "phone again.",
                frames_read=yielded,
            )
        if yielded < limits.min_frames:
            raise _too_few_frames(path, yielded, limits, streamed=True)
    finally:
        container.close()
