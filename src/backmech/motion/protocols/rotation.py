"""Trunk rotation, filmed from the front: range each way, symmetry, control at end range.

**Rotation angle.** With BlazePose world landmarks, the angle of the shoulder line against
the hip line about the vertical axis (``kinematics.shoulder_pelvis_rotation``, + = turned
to the person's left). Without them, a 2D estimate from foreshortening: a line of width W
turned by θ looks W·cos θ wide, so θ = arccos(width / neutral width) for the shoulders and
for the hips, and the trunk's rotation is the difference. The direction comes from the
nose, which moves towards the side the person turns to. The 2D estimate is coarse near
neutral (cos θ changes little there) and better towards end range, where it is used.

**Loss of control at end range** (source article A: at the peak of a twist the person
relaxed the trunk and a small painful shift, a "clunk", happened). Looked for as a sudden
jolt (see :mod:`signs`) in the rotation angle or in the sideways position of the pelvis
(mid-hip against mid-ankle, in torso lengths) within ``end_window_s`` of a repetition's
end range. Reported per side when seen in at least ``sign_min_reps`` repetitions to that
side, as ``examination.rotation_control_loss`` (none/left/right/both).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from backmech.motion.kinematics import lateral_shift, lowpass_signal, shoulder_pelvis_rotation
from backmech.motion.protocols.base import TestResult
from backmech.motion.protocols.measure import (
    Report,
    distance,
    nan_quiet,
    nanmax,
    quality,
    torso_scale,
    towards_camera,
)
from backmech.motion.protocols.phases import Rep, filled, find_reps, peak_value, rep_phases, rest_level
from backmech.motion.protocols.signs import jolts
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.motion.protocols.view import check_view
from backmech.motion.skeleton import FloatArray, PoseSequence

THRESHOLDS = (
    "min_reps",
    "min_rotation_deg",
    "asymmetry_deg",
    "catch_min_deg",
    "shift_min",
    "end_window_s",
    "sign_min_reps",
)
METRICS = ("rotation_left_deg", "rotation_right_deg", "asymmetry_deg")
HIP_DEADBAND = 20.0
"""Degrees of pelvis turn below which the 2D hip width cannot tell a turn from noise."""


def _turned(t: FloatArray, width: FloatArray, smooth: bool) -> FloatArray:
    """arccos(width / neutral width) in degrees: how far a line has turned from the camera."""
    w = filled(t, width)
    if not np.isfinite(w).any():
        return np.full_like(w, np.nan)
    if smooth:
        w = lowpass_signal(t, w, cutoff_hz=2.0)
    ratio = np.clip(w / float(np.percentile(w, 95)), 0.0, 1.0)
    return np.asarray(np.degrees(np.arccos(ratio)), dtype=np.float64)


def rotation_2d(seq: PoseSequence, orient: float) -> FloatArray:
    """Signed trunk-on-pelvis rotation from 2D foreshortening (+ = to the person's left).

    Widths are smoothed (2 Hz) before the arccos, which magnifies noise near neutral; a
    pelvis turn under ``HIP_DEADBAND`` is not resolvable from the narrow hip line and is
    taken as 0 (the test asks the person to keep the hips facing the camera).
    """
    t = seq.times
    hips = _turned(t, distance(seq, "left_hip", "right_hip"), smooth=True)
    hips = np.where(hips < HIP_DEADBAND, 0.0, hips)
    shoulders = _turned(t, distance(seq, "left_shoulder", "right_shoulder"), smooth=True)
    amount = np.clip(shoulders - hips, 0.0, None)
    mid_s = (seq.point("left_shoulder")[:, 0] + seq.point("right_shoulder")[:, 0]) / 2
    nose = (seq.point("nose")[:, 0] - mid_s) * orient / torso_scale(seq)
    nose = nose - rest_level(t, nose)
    return np.asarray(amount * np.sign(filled(t, nose)), dtype=np.float64)


def shoulder_turn(seq: PoseSequence) -> FloatArray:
    """The shoulder line's own turn, unsmoothed, for finding jolts: its heading from world
    landmarks (a longer line than the hips', so less noisy than the rotation relative to
    the pelvis), else its 2D foreshortening. Units are degrees; only changes matter."""
    ls, rs = seq.world_point("left_shoulder"), seq.world_point("right_shoulder")
    if ls is not None and rs is not None and np.isfinite(ls).all(axis=1).mean() > 0.5:
        v = ls - rs
        return np.asarray(np.degrees(np.unwrap(np.arctan2(-v[:, 2], v[:, 0]))), dtype=np.float64)
    return _turned(seq.times, distance(seq, "left_shoulder", "right_shoulder"), smooth=False)


def _end_windows(t: FloatArray, reps: list[Rep], window: float) -> npt.NDArray[np.bool_]:
    """Frames within ``window`` s of any repetition's end-range hold."""
    mask = np.zeros(len(t), dtype=bool)
    for r in reps:
        mask |= (t >= t[r.hold_start] - window) & (t <= t[r.hold_end] + window)
    return mask


@nan_quiet
def rotation(seq: PoseSequence, spec: MovementTestSpec) -> TestResult:
    """Measure a front-on video of trunk rotations to the left and to the right."""
    view = check_view(seq, spec)
    report = Report(spec, seq, view)
    t = seq.times
    orient = towards_camera(seq)
    if orient == 0:
        report.note("Could not tell whether you face the camera; assumed you do.")
        orient = 1.0
    world = shoulder_pelvis_rotation(seq)
    if world is not None and np.isfinite(world).mean() > 0.5:
        angle, conf = world, 1.0
        report.note("Rotation measured from the pose model's 3D landmarks.")
    else:
        angle, conf = rotation_2d(seq, orient), 0.6
        report.note("Rotation estimated from how narrow the shoulders look (2D only): coarser than 3D.")
    angle = angle - rest_level(t, angle)
    window = spec.value("end_window_s")
    sides = {
        side: find_reps(t, signal, min_amplitude=spec.value("min_rotation_deg"), baseline=0.0)
        for side, signal in (("left", angle), ("right", -angle))
    }
    ends = _end_windows(t, sides["left"] + sides["right"], window)
    found = [
        j.time
        for channel, size in (
            (shoulder_turn(seq), "catch_min_deg"),
            (lateral_shift(seq) * orient, "shift_min"),
        )
        for j in jolts(t, channel, min_size=spec.value(size), where=ends)
    ]
    ranges: dict[str, float | None] = {}
    lost: dict[str, list[int]] = {}
    counts: dict[str, int] = {}
    for side, reps in sides.items():
        signal = angle if side == "left" else -angle
        report.phases += rep_phases(t, reps, label=f"{side} turn")
        counts[side] = len(reps)
        # 1 Hz: the short hip line makes the angle noisy; it costs < 1° on a half-second hold
        ranges[side] = nanmax([peak_value(t, signal, r, smooth_hz=1.0) for r in reps])
        q = conf * quality(seq) * min(1.0, len(reps) / max(spec.repetitions, 1))
        report.metric(f"rotation_{side}_deg", ranges[side], q)
        lost[side] = [
            i
            for i, r in enumerate(reps, 1)
            if any(t[r.hold_start] - window <= j <= t[r.hold_end] + window for j in found)
        ]
        for i in lost[side]:
            report.event(reps[i - 1].middle(t), "control-loss", f"{side} turn {i}: sudden jolt at end range")
        if ranges[side] is not None:
            report.finding(
                f"movement.rotation_deg.{side}",
                round(float(ranges[side] or 0.0), 1),
                f"Largest turn of the shoulders on the pelvis to the {side} over {len(reps)} repetition(s).",
                f"rotation_{side}_deg",
            )
    _symmetry(report, spec, ranges, counts)
    need = int(spec.value("min_reps"))
    if min(counts.values()) >= need:
        losing = [s for s in ("left", "right") if len(lost[s]) >= spec.value("sign_min_reps")]
        value = "both" if len(losing) == 2 else (losing[0] if losing else "none")
        detail = "; ".join(f"{s}: turns {', '.join(map(str, lost[s]))}" for s in losing)
        reason = (
            f"A sudden jolt of the trunk or pelvis at the end of the turn ({detail})."
            if losing
            else "No sudden jolt at end range in repeated turns."
        )
        report.finding("examination.rotation_control_loss", value, reason, "catch_min_deg")
    else:
        report.note(f"Turn at least {need} times to each side to judge control at end range.")
    return report.result(sum(counts.values()))


def _symmetry(
    report: Report, spec: MovementTestSpec, ranges: dict[str, float | None], counts: dict[str, int]
) -> None:
    left, right = ranges["left"], ranges["right"]
    diff = abs(left - right) if left is not None and right is not None else None
    report.metric("asymmetry_deg", diff, quality(report.seq) if diff is not None else 0.0)
    if diff is None or min(counts.values()) < spec.value("min_reps"):
        return
    limit = spec.value("asymmetry_deg")
    more = "left" if (left or 0.0) > (right or 0.0) else "right"
    report.finding(
        "movement.rotation_asymmetric",
        diff > limit,
        f"Left {left:.0f}°, right {right:.0f}°: {diff:.0f}° more to the {more} "
        f"({'above' if diff > limit else 'within'} the {limit:.0f}° allowed for measurement error).",
        "asymmetry_deg",
    )
