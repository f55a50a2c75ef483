"""Is the recording usable for this test? View, framing and detection, with plain fixes.

Clinical reference 4.0: sagittal movements must be filmed side-on (the camera axis
perpendicular to the plane of movement) and frontal ones (single-leg stance, squat
asymmetry) from the front, with the whole body in frame. Every problem found comes with
the one thing to change, in the person's words.

The view is read from the body's width: seen from the front, the shoulders are about
three quarters of the torso length apart and the hip joints about a third; seen from the
side, both lines shrink to almost nothing. The median over the clip of
``(shoulder width + hip width) / (2 × torso length)`` is about 0.56 square-on and falls
with the cosine of the angle away from it: ≥ 0.45 counts as front (within about 35° of
square-on), ≤ 0.15 as side (within about 15° of side-on), anything between as an oblique
camera. These cut-offs come from body proportions (shoulders ≈ 0.38 m, hip joints
≈ 0.18 m, torso ≈ 0.5 m), not from a clinical source.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from backmech.motion.kinematics import frame_quality
from backmech.motion.protocols.base import ViewCheck
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.motion.skeleton import PoseSequence

FRONT_MIN, SIDE_MAX = 0.45, 0.15
MIN_DETECTION = 0.7
"""Below this share of frames with the body found, the measurements are not trusted."""
MIN_PRESENT = 0.8
"""A body part must be in the picture in this share of the frames where the body is."""

GROUPS: dict[str, tuple[str, ...]] = {
    "head": ("nose", "left_ear", "right_ear"),
    "shoulders": ("left_shoulder", "right_shoulder"),
    "hips": ("left_hip", "right_hip"),
    "knees": ("left_knee", "right_knee"),
    "feet": ("left_ankle", "right_ankle", "left_heel", "right_heel", "left_foot_index", "right_foot_index"),
}
FIXES: dict[str, str] = {
    "head": "Step back or tilt the camera up: your head is out of the frame.",
    "shoulders": "Step back: your shoulders are out of the frame.",
    "hips": "Step back: your hips are out of the frame.",
    "knees": "Step back: your knees are out of the frame.",
    "feet": "Step back: your feet are out of the frame.",
}
TURN: dict[str, str] = {
    "side": "Turn side-on to the camera: this test is measured from the side.",
    "front": "Face the camera (or stand with your back to it): this test is measured from the front.",
}
STANDING = ("head", "shoulders", "hips", "knees", "feet")
SEATED = ("head", "shoulders", "hips", "knees")


def width_ratio(seq: PoseSequence) -> float:
    """Median (shoulder width + hip width) / (2 × torso length); NaN if never seen."""

    def dist(a: str, b: str) -> np.ndarray:
        d = seq.point(a) - seq.point(b)
        return np.hypot(d[:, 0], d[:, 1])

    mid_s = (seq.point("left_shoulder") + seq.point("right_shoulder")) / 2
    mid_h = (seq.point("left_hip") + seq.point("right_hip")) / 2
    torso = np.hypot(*(mid_s - mid_h).T)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (dist("left_shoulder", "right_shoulder") + dist("left_hip", "right_hip")) / (2 * torso)
    ratio = ratio[np.isfinite(ratio)]
    return float(np.median(ratio)) if ratio.size else float("nan")


def classify_view(seq: PoseSequence) -> str:
    """``side``, ``front`` (facing the camera or with the back to it) or ``unknown``."""
    r = width_ratio(seq)
    if not np.isfinite(r):
        return "unknown"
    if r >= FRONT_MIN:
        return "front"
    return "side" if r <= SIDE_MAX else "unknown"


def _present(seq: PoseSequence, names: Iterable[str]) -> np.ndarray:
    idx = [seq.point(n) for n in names]
    pts = np.stack(idx, axis=1)  # (T, k, 2)
    inside = (
        np.isfinite(pts).all(axis=2)
        & (pts[..., 0] >= 0)
        & (pts[..., 0] <= seq.width)
        & (pts[..., 1] >= 0)
        & (pts[..., 1] <= seq.height)
    )
    return np.asarray(inside.any(axis=1))


def detection_rate(seq: PoseSequence) -> float:
    """Share of frames in which the trunk and legs were found with reasonable confidence."""
    return float((frame_quality(seq) >= 0.5).mean()) if len(seq) else 0.0


def check_view(seq: PoseSequence, spec: MovementTestSpec, needs: tuple[str, ...] = STANDING) -> ViewCheck:
    """The view seen and every problem with the recording for ``spec`` (empty when usable)."""
    problems: list[str] = []
    view = classify_view(seq)
    if view not in spec.views:
        if view == "unknown" and np.isfinite(width_ratio(seq)):
            want = "fully side-on to" if spec.view == "side" else "square on to"
            problems.append(f"Turn so that you are {want} the camera: you are at an angle to it.")
        elif view != "unknown":
            problems.append(TURN[spec.view])
    rate = detection_rate(seq)
    if rate < MIN_DETECTION:
        problems.append(
            f"You were found in only {rate:.0%} of the video: film in good light, against a plain "
            "background, with nobody else in the picture and your whole body in view."
        )
    body = np.asarray(np.isfinite(seq.image[:, :, 0]).any(axis=1), dtype=bool)
    if body.any():
        for group in needs:
            if _present(seq, GROUPS[group])[body].mean() < MIN_PRESENT:
                problems.append(FIXES[group])
        edge = _edge(seq, body)
        if edge:
            problems.append(f"Move towards the middle of the picture: part of you is cut off on the {edge}.")
    return ViewCheck(ok=not problems, view=view, problems=tuple(problems))


def _edge(seq: PoseSequence, body: np.ndarray) -> str:
    """``left`` or ``right`` when the hips or shoulders touch that image edge in many frames."""
    xs = np.stack([seq.point(n)[:, 0] for n in GROUPS["hips"] + GROUPS["shoulders"]], axis=1)[body]
    margin = 0.02 * seq.width
    with np.errstate(invalid="ignore"):
        left = (xs < margin).any(axis=1).mean()
        right = (xs > seq.width - margin).any(axis=1).mean()
    if left > 1 - MIN_PRESENT:
        return "left"
    return "right" if right > 1 - MIN_PRESENT else ""
