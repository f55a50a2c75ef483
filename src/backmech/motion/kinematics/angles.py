"""Segment and joint angles from 2D (and, where given, 3D world) landmarks.

All angles are in degrees, one value per frame (shape ``(T,)``), and NaN wherever an
input landmark is NaN: a frame that was not seen is never reported as 0°.

Conventions (image coordinates: x to the right, y *downwards*):

* **Segment inclinations** are measured against the image vertical. They are signed so
  that every forward-bending movement of a person *facing +x* comes out positive:
  the trunk (mid-hip → mid-shoulder) is + when the shoulders lie towards +x of the hips;
  the thigh (hip → knee) and the shank (ankle → knee) are + when the knee lies towards
  +x. In 2D the facing direction is not known from one line, so callers that need a
  "forward" sign multiply by :func:`facing_direction` (+1 facing +x, -1 facing -x).
* **Joint angles** are the interior angle at the middle landmark, 0-180° (a straight
  knee is 180°). They do not depend on the view's handedness and are invariant to any
  rotation, translation and uniform scale of the keypoints.
* **Obliquities** (hip line, shoulder line) are against the image horizontal,
  + = the *left* landmark lower in the image, whichever side of the image it is on
  (front and back views agree).
* **Shoulder-pelvis rotation** uses BlazePose world landmarks (metres, x right, y down,
  z towards the camera, camera assumed roughly level): the angle from the hip line to the
  shoulder line about the vertical axis, + = shoulders turned to the person's left.

A camera sees only the hip-joint centres and shoulders: the "trunk" line mixes lumbar
and thoracic motion and lumbar flexion cannot be separated from hip flexion
(clinical.md section 4.0); hence ``trunk_*`` names, never ``lumbar_*``.

Example:
    >>> import numpy as np
    >>> a = np.array([[0.0, 0.0]]); b = np.array([[0.0, 1.0]]); c = np.array([[1.0, 1.0]])
    >>> float(joint_angle(a, b, c)[0])
    90.0
"""

from __future__ import annotations

import numpy as np

from backmech.motion.kinematics.signals import angular_velocity, frame_quality, jerk
from backmech.motion.skeleton import FloatArray, PoseSequence

__all__ = [
    "SIDES",
    "angular_velocity",
    "ankle_angle",
    "facing_direction",
    "frame_quality",
    "hip_angle",
    "jerk",
    "joint_angle",
    "knee_angle",
    "lateral_shift",
    "pelvic_obliquity",
    "reference_torso_length",
    "segment_angle_to_vertical",
    "shank_inclination",
    "shoulder_obliquity",
    "shoulder_pelvis_rotation",
    "thigh_inclination",
    "torso_length",
    "trunk_flexion",
    "trunk_inclination",
]

SIDES: tuple[str, ...] = ("left", "right")
"""Valid ``side`` arguments: the person's left or right (BlazePose names), not the image's."""

_EPS = 1e-9
"""Vectors shorter than this (pixels or metres) have no direction: their angle is NaN."""


def _side(side: str) -> str:
    if side not in SIDES:
        raise ValueError(f"side must be 'left' or 'right', not {side!r}")
    return side


def _angle_of(dx: FloatArray, dy: FloatArray) -> FloatArray:
    """atan2(dx, dy) in degrees, NaN where the vector has no length."""
    with np.errstate(invalid="ignore"):
        out = np.degrees(np.arctan2(dx, dy))
        short = np.hypot(dx, dy) < _EPS
    return np.asarray(np.where(short, np.nan, out), dtype=np.float64)


def _mid(seq: PoseSequence, left: str, right: str) -> FloatArray:
    return np.asarray((seq.point(left) + seq.point(right)) / 2.0, dtype=np.float64)


def segment_angle_to_vertical(a: FloatArray, b: FloatArray) -> FloatArray:
    """Angle of the segment a→b against image *up*, in (-180, 180].

    0 when b is straight above a; +90 when b lies towards +x of a; ±180 when b is below a.
    ``a`` and ``b`` are ``(T, 2)`` image points (y down).

    Example:
        >>> import numpy as np
        >>> float(segment_angle_to_vertical(np.array([[0.0, 0.0]]), np.array([[1.0, -1.0]]))[0])
        45.0
    """
    d = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    return _angle_of(d[..., 0], -d[..., 1])


def joint_angle(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Interior angle at ``b`` between b→a and b→c, 0-180°.

    Works on ``(T, 2)`` image points and ``(T, 3)`` world points alike. Computed as
    atan2(|u×v|, u·v), which stays accurate near 0° and 180° where arccos does not.
    NaN where a point is missing or coincides with ``b``.
    """
    u = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    v = np.asarray(c, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    dot = np.sum(u * v, axis=-1)
    if u.shape[-1] == 2:
        cross = np.abs(u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0])
    else:
        cross = np.linalg.norm(np.cross(u, v), axis=-1)
    with np.errstate(invalid="ignore"):
        out = np.degrees(np.arctan2(cross, dot))
        short = (np.linalg.norm(u, axis=-1) < _EPS) | (np.linalg.norm(v, axis=-1) < _EPS)
    return np.asarray(np.where(short, np.nan, out), dtype=np.float64)


def torso_length(seq: PoseSequence) -> FloatArray:
    """Mid-hip to mid-shoulder distance per frame, in pixels: the body's scale reference."""
    d = _mid(seq, "left_shoulder", "right_shoulder") - _mid(seq, "left_hip", "right_hip")
    return np.asarray(np.hypot(d[:, 0], d[:, 1]), dtype=np.float64)


def reference_torso_length(seq: PoseSequence) -> float:
    """Median torso length over the clip (pixels), NaN if the torso was never seen.

    One number for the whole clip, because the per-frame 2D length shrinks whenever the
    trunk leans towards or away from the camera; normalising by it would inflate
    distances exactly in the frames that matter.
    """
    lengths = torso_length(seq)
    lengths = lengths[np.isfinite(lengths) & (lengths > _EPS)]
    return float(np.median(lengths)) if lengths.size else float("nan")


def trunk_inclination(seq: PoseSequence) -> FloatArray:
    """Mid-hip → mid-shoulder against image vertical; 0 = upright, + = shoulders towards +x.

    In a side view this is total trunk flexion/extension (spine and hips together); in a
    front or back view it is lateral trunk lean.
    """
    return segment_angle_to_vertical(
        _mid(seq, "left_hip", "right_hip"), _mid(seq, "left_shoulder", "right_shoulder")
    )


def trunk_flexion(seq: PoseSequence) -> FloatArray:
    """Magnitude of trunk bend from upright in a side view, 0-180° (forward or back).

    Unsigned because one 2D line cannot tell forward from backward; use
    ``trunk_inclination(seq) * facing_direction(seq)`` for a signed value (+ = forward).
    """
    return np.asarray(np.abs(trunk_inclination(seq)), dtype=np.float64)


def hip_angle(seq: PoseSequence, side: str) -> FloatArray:
    """Shoulder-hip-knee interior angle (180 = standing straight, smaller = more flexed).

    Includes pelvic and spinal motion: the camera has no pelvis landmarks (clinical.md 4.0).
    """
    s = _side(side)
    return joint_angle(seq.point(f"{s}_shoulder"), seq.point(f"{s}_hip"), seq.point(f"{s}_knee"))


def knee_angle(seq: PoseSequence, side: str) -> FloatArray:
    """Hip-knee-ankle interior angle (180 = straight knee)."""
    s = _side(side)
    return joint_angle(seq.point(f"{s}_hip"), seq.point(f"{s}_knee"), seq.point(f"{s}_ankle"))


def ankle_angle(seq: PoseSequence, side: str) -> FloatArray:
    """Knee-ankle-foot-index interior angle (about 90-110 standing; smaller = more dorsiflexed)."""
    s = _side(side)
    return joint_angle(seq.point(f"{s}_knee"), seq.point(f"{s}_ankle"), seq.point(f"{s}_foot_index"))


def thigh_inclination(seq: PoseSequence, side: str) -> FloatArray:
    """Hip → knee against image *down*; 0 = vertical thigh, + = knee towards +x.

    In a side view with the person facing +x, this is a hip-flexion proxy (thigh angle).
    """
    s = _side(side)
    d = seq.point(f"{s}_knee") - seq.point(f"{s}_hip")
    return _angle_of(d[:, 0], d[:, 1])


def shank_inclination(seq: PoseSequence, side: str) -> FloatArray:
    """Ankle → knee against image *up*; 0 = vertical shank, + = knee towards +x.

    In a side view with the person facing +x, this is the tibial inclination of the
    knee-to-wall test (knee travelling forward over the foot is positive).
    """
    s = _side(side)
    return segment_angle_to_vertical(seq.point(f"{s}_ankle"), seq.point(f"{s}_knee"))


def _obliquity(seq: PoseSequence, left: str, right: str) -> FloatArray:
    d = seq.point(left) - seq.point(right)
    # |dx| makes the angle independent of which image side the left landmark is on.
    return _angle_of(d[:, 1], np.abs(d[:, 0]))


def pelvic_obliquity(seq: PoseSequence) -> FloatArray:
    """Hip line against image horizontal, (-90, 90]; + = left hip lower in the image.

    Meaningful in a front or back view (single-leg stance pelvic drop, clinical.md 4.5).
    """
    return _obliquity(seq, "left_hip", "right_hip")


def shoulder_obliquity(seq: PoseSequence) -> FloatArray:
    """Shoulder line against image horizontal, (-90, 90]; + = left shoulder lower."""
    return _obliquity(seq, "left_shoulder", "right_shoulder")


def _heading(v: FloatArray) -> FloatArray:
    """Direction of a (T, 3) world vector in the horizontal x-z plane, degrees.

    Measured with -z as the second axis so that a left turn (counter-clockwise seen from
    above) increases it whichever way the person faces.
    """
    return _angle_of(-v[:, 2], v[:, 0])


def shoulder_pelvis_rotation(seq: PoseSequence) -> FloatArray | None:
    """Shoulder line relative to hip line about the vertical axis, (-180, 180], or None.

    From world landmarks only (a 2D image cannot see rotation about the vertical axis
    except as foreshortening). + = shoulders turned to the person's left relative to the
    pelvis. None when the sequence has no world landmarks; NaN in frames without them.
    """
    if seq.world is None:
        return None
    ls, rs = seq.world_point("left_shoulder"), seq.world_point("right_shoulder")
    lh, rh = seq.world_point("left_hip"), seq.world_point("right_hip")
    assert ls is not None and rs is not None and lh is not None and rh is not None
    diff = _heading(ls - rs) - _heading(lh - rh)
    return np.asarray((diff + 180.0) % 360.0 - 180.0, dtype=np.float64)


def lateral_shift(seq: PoseSequence) -> FloatArray:
    """Mid-hip x minus mid-ankle x, in torso lengths; + = hips towards +x of the feet.

    Normalised by :func:`reference_torso_length` (one value per clip) so the number does
    not depend on camera distance. Meaningful in a front or back view.
    """
    shift = _mid(seq, "left_hip", "right_hip")[:, 0] - _mid(seq, "left_ankle", "right_ankle")[:, 0]
    return np.asarray(shift / reference_torso_length(seq), dtype=np.float64)


def facing_direction(seq: PoseSequence) -> FloatArray:
    """Per frame +1 if the person faces +x, -1 if -x, NaN if unknown (side views).

    The toes point forward: the sign of (mean foot-index x - mean heel x); where the feet
    are not seen, the nose against the mid-ear. Frames where both cues are missing or the
    offset is under 2 % of the torso length (a front view) are NaN.
    """
    toes = np.stack([seq.point(f"{s}_foot_index")[:, 0] - seq.point(f"{s}_heel")[:, 0] for s in SIDES])
    seen = np.isfinite(toes)
    count = seen.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        feet = np.where(count > 0, np.where(seen, toes, 0.0).sum(axis=0) / count, np.nan)
    head = seq.point("nose")[:, 0] - _mid(seq, "left_ear", "right_ear")[:, 0]
    offset = np.where(np.isfinite(feet), feet, head)
    threshold = 0.02 * reference_torso_length(seq)
    with np.errstate(invalid="ignore"):
        sign = np.where(np.abs(offset) >= threshold, np.sign(offset), np.nan)
    return np.asarray(sign, dtype=np.float64)
