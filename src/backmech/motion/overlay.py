"""What a clinician looks at: the video with the skeleton drawn on it, and the angle traces.

* ``write_overlay`` decodes the clip a second time (frames are never kept in memory),
  draws the cleaned skeleton, the trunk angle, the current phase and the detected
  events on each frame, and encodes an H.264 MP4 with PyAV.
* ``write_scaled_overlay`` is ``write_overlay`` at most ``OVERLAY_MAX_SIDE`` pixels on the long
  side, written to a temporary file and moved into place (a half-written overlay is never served).
* ``write_plot`` draws the trunk, hip and knee angles over time with the phases shaded
  and the events marked, as a PNG (matplotlib, Agg backend).

OpenCV, PyAV and matplotlib are imported inside the functions (heavy imports stay lazy).
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from backmech.motion.kinematics.angles import hip_angle, knee_angle, trunk_inclination
from backmech.motion.skeleton import BONES, INDEX, PoseSequence

if TYPE_CHECKING:
    from backmech.domain.results.model import VideoSummary
    from backmech.services.movement import Frame, MovementOutcome

_BONE_INDEX = tuple((INDEX[a], INDEX[b]) for a, b in BONES)
_GREEN = (60, 200, 90)
_RED = (230, 60, 60)
_WHITE = (255, 255, 255)


def _phase_at(outcome: MovementOutcome, t: float) -> str:
    for phase in outcome.result.phases:
        if phase.start <= t <= phase.end:
            return phase.name
    return ""


def _events_near(outcome: MovementOutcome, t: float, window: float = 0.4) -> list[str]:
    return [e.kind.replace("_", " ") for e in outcome.result.events if abs(e.time - t) <= window]


def _draw(rgb: np.ndarray, seq: PoseSequence, i: int, label: str, alerts: list[str]) -> np.ndarray:
    import cv2

    img = np.ascontiguousarray(rgb)
    pts = seq.image[i]
    scale = max(img.shape[:2]) / 1000.0
    thick = max(2, round(3 * scale))
    colour = _RED if alerts else _GREEN
    for a, b in _BONE_INDEX:
        pa, pb = pts[a], pts[b]
        if np.isfinite(pa).all() and np.isfinite(pb).all():
            cv2.line(img, (int(pa[0]), int(pa[1])), (int(pb[0]), int(pb[1])), colour, thick, cv2.LINE_AA)
    for p in pts:
        if np.isfinite(p).all():
            cv2.circle(img, (int(p[0]), int(p[1])), thick + 1, _WHITE, -1, cv2.LINE_AA)
    lines = [label, *alerts]
    y = int(40 * scale) + 10
    for text in lines:
        if not text:
            continue
        cv2.putText(
            img, text, (12, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9 * scale + 0.3, (0, 0, 0), thick + 2, cv2.LINE_AA
        )
        cv2.putText(
            img, text, (12, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9 * scale + 0.3, _WHITE, thick, cv2.LINE_AA
        )
        y += int(36 * scale) + 8
    return img


def write_overlay(frames: Iterable[Frame], outcome: MovementOutcome, out_path: Path, fps: float) -> int:
    """Encode the overlay video; returns the number of frames written."""
    import av

    seq = outcome.clean
    trunk = trunk_inclination(seq)
    written = 0
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(out_path), mode="w") as container:
        stream = container.add_stream("libx264", rate=max(1, round(fps or 30)))
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "23", "preset": "veryfast"}
        for frame in frames:
            i = frame.index
            if i >= len(seq):
                break
            if written == 0:
                stream.width = frame.rgb.shape[1] - frame.rgb.shape[1] % 2
                stream.height = frame.rgb.shape[0] - frame.rgb.shape[0] % 2
            angle = trunk[i]
            label = f"{outcome.test}  trunk {abs(angle):.0f} deg" if math.isfinite(angle) else outcome.test
            phase = _phase_at(outcome, float(seq.times[i]))
            if phase:
                label += f"  [{phase}]"
            img = _draw(frame.rgb, seq, i, label, _events_near(outcome, float(seq.times[i])))
            img = img[: stream.height, : stream.width]
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                container.mux(packet)
            written += 1
        for packet in stream.encode():
            container.mux(packet)
    return written


def write_plot(outcome: MovementOutcome, out_path: Path) -> None:
    """Angle traces over time with phases shaded and events marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seq = outcome.clean
    t = seq.times
    fig, ax = plt.subplots(figsize=(10, 5), dpi=110)
    ax.plot(t, np.abs(trunk_inclination(seq)), label="trunk inclination (deg from vertical)", lw=2)
    for side, style in (("left", "-"), ("right", "--")):
        ax.plot(t, 180 - hip_angle(seq, side), style, label=f"hip flexion proxy, {side}", lw=1.2)
        ax.plot(t, 180 - knee_angle(seq, side), style, label=f"knee flexion, {side}", lw=1.0, alpha=0.7)
    for phase in outcome.result.phases:
        ax.axvspan(phase.start, phase.end, alpha=0.08)
        ax.text(phase.start, ax.get_ylim()[1] * 0.97, phase.name, fontsize=7, va="top")
    for event in outcome.result.events:
        ax.axvline(event.time, color="red", lw=1, alpha=0.7)
        ax.text(event.time, 2, event.kind.replace("_", " "), rotation=90, fontsize=7, color="red")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("degrees")
    ax.set_title(f"{outcome.test}: angle traces (detection {outcome.result.detection_rate:.0%})")
    ax.legend(fontsize=7, loc="upper right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_path)
    plt.close(fig)


OVERLAY_MAX_SIDE = 960
"""Overlay videos are drawn at most this wide (or tall): enough to see the skeleton on a phone or
laptop, at a fraction of the encoding time and file size of a 1080p or 4K clip."""


@dataclasses.dataclass(frozen=True)
class _ScaledFrame:
    index: int
    time: float
    rgb: np.ndarray


def write_scaled_overlay(
    open_video: Callable[[Path], tuple[VideoSummary, Iterable[Frame]]],
    video: Path,
    outcome: MovementOutcome,
    out: Path,
    progress: Callable[[float], None],
) -> None:
    """The skeleton drawn over the clip, scaled to fit ``OVERLAY_MAX_SIDE``, written whole or not at all.

    ``open_video`` is the movement service's decoder, so the overlay reads the clip the
    way the analysis did (same orientation, same limits).
    """
    summary, frames = open_video(video)
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
