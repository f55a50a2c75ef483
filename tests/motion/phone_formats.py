"""Test clips in the formats phones, browsers and editors write, made from the real demo clip.

Synthetic mpeg4 clips once hid a crash on every portrait phone video and every x264 file, so
these are written with the encoders and containers real devices use (PyAV's own FFmpeg build:
libx264, libx265, libvpx-vp9, AAC, Opus), with the side data they carry (x264's SEI block, a
display matrix), and with a person in view (the Sports2D demo: a man on a box, a woman
walking past).

Each :class:`PhoneFormat` starts from the *upright* picture a viewer should see — the demo
frame, or a portrait crop of it around the man, scaled to the format's size — and stores
what the camera would have stored: the picture turned (and mirrored) the other way, with a
display matrix that turns it back. Which way is which is FFmpeg's convention, pinned
independently by the corner-marker tests in test_video.py: for a matrix written as
``set_display_rotation(ccw, hflip)``, upright = mirror(rotate_ccw(stored, ccw)), so
stored = rotate_ccw(mirror(upright), -ccw).
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from PIL import Image

PORTRAIT_CROP = (380, 0, 940, 994)
"""(left, top, right, bottom) of the demo around the man on the box: 560x994, portrait."""


@dataclass(frozen=True)
class PhoneFormat:
    """One kind of file a person may give us."""

    id: str
    what: str
    file_name: str
    codec: str
    rotation: int = 0  # display matrix, counter-clockwise degrees as set_display_rotation takes them
    hflip: bool = False
    portrait: bool = False  # upright picture is the portrait crop around the man
    size: tuple[int, int] | None = None  # upright (width, height); default: the demo's or the crop's
    fps: int = 30
    variable_rate: bool = False
    audio: str | None = "aac"
    frames: int = 90  # of the demo's 230; the two clips of the "done when" use all
    codec_tag: str | None = None
    pix_fmt: str = "yuv420p"

    @property
    def stored_quarter_turns(self) -> int:
        """np.rot90 turns from the upright picture to the stored one."""
        return (-self.rotation // 90) % 4


FORMATS: tuple[PhoneFormat, ...] = (
    PhoneFormat(
        "x264", "H.264 from libx264 (SEI block), landscape, AAC audio", "x264.mp4", "libx264", frames=230
    ),
    PhoneFormat(
        "x264-display-90",
        "the same clip filmed with the phone turned: stored sideways, 90° display matrix",
        "x264-display-90.mp4",
        "libx264",
        rotation=-90,
        frames=230,
    ),
    PhoneFormat(
        "iphone-hevc-portrait",
        "iPhone default: HEVC (hvc1) in .mov, portrait by display matrix, AAC audio",
        "iphone-portrait.mov",
        "libx265",
        rotation=-90,
        portrait=True,
        codec_tag="hvc1",
    ),
    PhoneFormat(
        "android-portrait-270",
        "Android portrait held the other way: 270° display matrix",
        "android-portrait-270.mp4",
        "libx264",
        rotation=90,
        portrait=True,
    ),
    PhoneFormat(
        "upside-down-180",
        "landscape held upside down: 180° display matrix",
        "upside-down.mp4",
        "libx264",
        rotation=180,
    ),
    PhoneFormat(
        "front-camera-mirrored",
        "front (selfie) camera: mirrored by the display matrix",
        "selfie-mirrored.mp4",
        "libx264",
        hflip=True,
        portrait=True,
    ),
    PhoneFormat(
        "browser-vp9-webm",
        "browser MediaRecorder: VP9 in WebM, Opus audio, millisecond variable timestamps",
        "browser.webm",
        "libvpx-vp9",
        portrait=True,
        variable_rate=True,
        audio="libopus",
    ),
    PhoneFormat("x264-60fps", "60 frames a second", "sixty.mp4", "libx264", fps=60, frames=120),
    PhoneFormat(
        "x264-variable-rate",
        "variable frame rate (irregular timestamps, as phones write in low light)",
        "variable.mp4",
        "libx264",
        variable_rate=True,
    ),
    PhoneFormat(
        "4k-portrait",
        "4K portrait (2160x3840 upright, stored 3840x2160 with a 90° display matrix)",
        "portrait-4k.mp4",
        "libx264",
        rotation=-90,
        portrait=True,
        size=(2160, 3840),
        frames=45,
    ),
)
BY_ID = {f.id: f for f in FORMATS}


def upright_frames(demo: Path, fmt: PhoneFormat) -> Iterator[npt.NDArray[np.uint8]]:
    """The pictures a viewer should see, in order (RGB)."""
    with av.open(str(demo)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i >= fmt.frames:
                return
            image = frame.to_image()
            if fmt.portrait:
                image = image.crop(PORTRAIT_CROP)
            if fmt.size is not None:
                image = image.resize(fmt.size, Image.Resampling.BILINEAR)
            yield np.asarray(image, dtype=np.uint8)


def stored_picture(upright: npt.NDArray[np.uint8], fmt: PhoneFormat) -> npt.NDArray[np.uint8]:
    """What the camera stores so that the display matrix shows ``upright``."""
    picture = upright[:, ::-1] if fmt.hflip else upright
    return np.ascontiguousarray(np.rot90(picture, fmt.stored_quarter_turns))


def frame_times(fmt: PhoneFormat, count: int) -> list[float]:
    """Presentation times in seconds: regular, or irregular (±40 % jitter and one 0.2 s gap)."""
    step = 1 / fmt.fps
    if not fmt.variable_rate:
        return [i * step for i in range(count)]
    rng = np.random.default_rng(12)
    times, t = [], 0.0
    for i in range(count):
        times.append(round(t, 3))
        t += step * (1 + rng.uniform(-0.4, 0.4)) + (0.2 if i == count // 2 else 0.0)
    return times


def write_format(demo: Path, fmt: PhoneFormat, folder: Path) -> Path:
    """Write ``fmt`` made from the demo clip into ``folder``; returns the file's path."""
    path = folder / fmt.file_name
    pictures = [stored_picture(p, fmt) for p in _repeated(upright_frames(demo, fmt), fmt)]
    height, width = pictures[0].shape[:2]
    times = frame_times(fmt, len(pictures))
    with av.open(str(path), "w") as out:
        video = out.add_stream(fmt.codec, rate=fmt.fps)
        assert isinstance(video, av.video.stream.VideoStream)
        video.width, video.height, video.pix_fmt = width, height, fmt.pix_fmt
        video.codec_context.time_base = Fraction(1, 1000) if fmt.variable_rate else Fraction(1, fmt.fps)
        if fmt.codec_tag:
            video.codec_tag = fmt.codec_tag
        if fmt.codec in ("libx264", "libx265"):
            video.options = {"preset": "ultrafast", "x265-params": "log-level=error"}
            if fmt.codec == "libx264":
                video.options = {"preset": "ultrafast"}
        if fmt.codec == "libvpx-vp9":
            video.options = {"deadline": "realtime", "cpu-used": "8"}
        if fmt.rotation or fmt.hflip:
            video.set_display_rotation(fmt.rotation, hflip=fmt.hflip)
        audio = _audio_stream(out, fmt)
        for picture, t in zip(pictures, times, strict=True):
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.time_base = video.codec_context.time_base
            frame.pts = round(t / float(frame.time_base))
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        if audio is not None:
            _write_tone(out, audio, duration=times[-1] + 1 / fmt.fps)
    return path


def _repeated(pictures: Iterator[npt.NDArray[np.uint8]], fmt: PhoneFormat) -> Iterator[npt.NDArray[np.uint8]]:
    """At 60 fps each 30 fps demo picture is shown twice (phones at 60 fps film twice as many)."""
    repeat = max(1, fmt.fps // 30)
    count = 0
    for picture in pictures:
        for _ in range(repeat):
            if count < fmt.frames:
                yield picture
                count += 1


def _audio_stream(out: av.container.OutputContainer, fmt: PhoneFormat) -> av.audio.stream.AudioStream | None:
    if fmt.audio is None:
        return None
    stream = out.add_stream(fmt.audio, rate=48000, layout="mono")
    assert isinstance(stream, av.audio.stream.AudioStream)
    return stream


def _write_tone(
    out: av.container.OutputContainer, stream: av.audio.stream.AudioStream, duration: float
) -> None:
    """A quiet tone as long as the video: phones always record sound."""
    rate = 48000
    block = stream.codec_context.frame_size or 1024
    tone = 0.05 * np.sin(2 * np.pi * 220 * np.arange(int(duration * rate)) / rate)
    sample_format = stream.codec_context.format.name  # fltp for AAC, s16 for Opus
    samples = (tone * 32767).astype(np.int16) if sample_format.startswith("s16") else tone.astype(np.float32)
    for start in range(0, len(samples) - block + 1, block):
        frame = av.AudioFrame.from_ndarray(
            samples[None, start : start + block], format=sample_format, layout="mono"
        )
        frame.sample_rate = rate
        frame.pts = start
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)


def phone_clips(demo: Path, cache: Path) -> dict[str, Path]:
    """Every format written once into ``cache`` (a folder per recipe and PyAV version), then reused."""
    recipe = hashlib.sha256(Path(__file__).read_bytes() + av.__version__.encode()).hexdigest()[:12]
    folder = cache / f"phone-formats-{recipe}"
    if not folder.is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".phone-formats-", dir=cache))
        for fmt in FORMATS:
            write_format(demo, fmt, scratch)
        with contextlib.suppress(OSError):  # another process finished first: use its copy
            scratch.rename(folder)
        shutil.rmtree(scratch, ignore_errors=True)
    return {fmt.id: folder / fmt.file_name for fmt in FORMATS}
