"""Small test clips written with PyAV: known size, timing, orientation and content.

Each picture is grey with a white square moving left to right and two fixed corner
markers in the *stored* (coded) picture: red at the top-left, green at the top-right.
Where the markers land after decoding tells which rotation or mirror was applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

RED = (255, 0, 0)
GREEN = (0, 255, 0)
MARKER = 24
"""Side of the square corner markers, in pixels."""


def picture(width: int, height: int, i: int, n: int) -> npt.NDArray[np.uint8]:
    """The i-th of n stored pictures (RGB)."""
    img = np.full((height, width, 3), 96, np.uint8)
    side = max(8, min(width, height) // 6)
    x = int((width - side) * i / max(1, n - 1))
    y = (height - side) // 2
    img[y : y + side, x : x + side] = 255
    img[:MARKER, :MARKER] = RED
    img[:MARKER, width - MARKER :] = GREEN
    return img


def write_clip(
    path: Path,
    *,
    width: int = 320,
    height: int = 240,
    n_frames: int = 60,
    fps: int = 30,
    times: Sequence[float] | None = None,
    rotation: int = 0,
    hflip: bool = False,
    vflip: bool = False,
    codec: str = "mpeg4",
    container_format: str | None = None,
    container_options: dict[str, str] | None = None,
    metadata: dict[str, str] | None = None,
) -> Path:
    """Write a clip; ``times`` (seconds, millisecond precision) makes it variable-rate.

    ``rotation``/``hflip``/``vflip`` go into the display matrix exactly as PyAV's
    ``set_display_rotation`` takes them: counter-clockwise degrees, then mirrors.
    """
    count = len(times) if times is not None else n_frames
    with av.open(str(path), "w", format=container_format, container_options=container_options or {}) as out:
        stream = out.add_stream(codec, rate=fps)
        assert isinstance(stream, av.video.stream.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if times is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
        if rotation or hflip or vflip:
            stream.set_display_rotation(rotation, hflip=hflip, vflip=vflip)
        for key, value in (metadata or {}).items():
            stream.metadata[key] = value
        for i in range(count):
            frame = av.VideoFrame.from_ndarray(picture(width, height, i, count), format="rgb24")
            if times is not None:
                frame.pts = round(times[i] * 1000)
                frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def write_audio(path: Path, *, seconds: float = 1.0, rate: int = 16000) -> Path:
    """An audio-only file (a tone): AAC for .m4a, PCM for .wav."""
    block = 1024
    t = np.arange(int(seconds * rate)) / rate
    tone = 0.3 * np.sin(2 * np.pi * 440 * t)
    samples: npt.NDArray[np.float32] | npt.NDArray[np.int16]
    if path.suffix == ".m4a":
        codec, fmt, samples = "aac", "fltp", tone.astype(np.float32)
    else:
        codec, fmt, samples = "pcm_s16le", "s16", (tone * 32767).astype(np.int16)
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        assert isinstance(stream, av.audio.stream.AudioStream)
        for start in range(0, len(samples) - block + 1, block):
            frame = av.AudioFrame.from_ndarray(
                samples[None, start : start + block], format=fmt, layout="mono"
            )
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def corner_colours(rgb: npt.NDArray[np.uint8]) -> dict[str, tuple[int, int, int]]:
    """Mean colour (rounded to 0/255) of the MARKER-sized square in each corner."""
    h = MARKER // 2
    patches = {
        "top-left": rgb[:h, :h],
        "top-right": rgb[:h, -h:],
        "bottom-left": rgb[-h:, :h],
        "bottom-right": rgb[-h:, -h:],
    }
    out: dict[str, tuple[int, int, int]] = {}
    for name, patch in patches.items():
        mean = patch.reshape(-1, 3).mean(axis=0)
        r, g, b = (255 if v > 160 else 0 if v < 60 else int(v) for v in mean)
        out[name] = (r, g, b)
    return out


def where(rgb: npt.NDArray[np.uint8], colour: tuple[int, int, int]) -> list[str]:
    """Corners of ``rgb`` that show ``colour``."""
    return [name for name, seen in corner_colours(rgb).items() if seen == colour]
