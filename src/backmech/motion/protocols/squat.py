"""Bodyweight squat, from the front (asymmetry) or the side (depth, trunk lean, heels).

No validated LBP-specific thresholds exist (clinical reference 4.6); each fault below is
reported only when seen in at least ``consistent_reps`` repetitions (3 of 5, as 4.6
suggests), at the bottom of each squat against the standing posture just before it:

* **Lateral shift** (front) — mid-hip against mid-ankle, in hip widths (the hip-joint
  landmarks' distance), + = towards the person's left: loading one leg more (source
  article C: asymmetric loading in squats). Flag above ``shift_hip_widths``.
* **Pelvic obliquity** (front) — hip line against horizontal, + = left hip lower.
* **Knee valgus** (front) — the knee travelling inwards over the ankle, in hip widths
  (a 2D frontal-plane measure in the spirit of Willson 2008's projection angle, which
  cannot be used at depth because the thigh points at the camera).
* **Heel rise** (either view) — the heel coming up against the toe, in shank lengths
  (points to limited ankle dorsiflexion; check the knee-to-wall test).
* **Depth** (side) — thigh inclination at the bottom (90° = thighs horizontal);
  **trunk lean** (side) — forward trunk inclination at the bottom.
"""

from __future__ import annotations

import numpy as np

from backmech.motion.kinematics import SIDES, pelvic_obliquity
from backmech.motion.protocols.base import TestResult
from backmech.motion.protocols.measure import (
    Report,
    distance,
    facing,
    forward_thigh,
    forward_trunk,
    mean_sides,
    nan_quiet,
    nanmedian,
    quality,
    towards_camera,
)
from backmech.motion.protocols.phases import Rep, change_at_hold, filled, find_reps, rep_phases
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.motion.protocols.view import check_view
from backmech.motion.skeleton import FloatArray, PoseSequence

THRESHOLDS = (
    "min_reps",
    "min_depth",
    "consistent_reps",
    "shift_hip_widths",
    "valgus_hip_widths",
    "heel_rise_shank",
)
METRICS = (
    "depth_deg",
    "depth_pct",
    "trunk_lean_deg",
    "lateral_shift_pct",
    "pelvic_obliquity_deg",
    "knee_valgus_left_pct",
    "knee_valgus_right_pct",
    "heel_rise_pct",
)


def _heel(seq: PoseSequence) -> FloatArray:
    """Heel height over the toe in shank lengths (both feet, mean); grows as the heel rises."""
    shank = mean_sides(distance(seq, "left_knee", "left_ankle"), distance(seq, "right_knee", "right_ankle"))
    rise = [seq.point(f"{s}_foot_index")[:, 1] - seq.point(f"{s}_heel")[:, 1] for s in SIDES]
    return np.asarray(mean_sides(*rise) / np.nanmedian(shank), dtype=np.float64)


@nan_quiet
def squat(seq: PoseSequence, spec: MovementTestSpec) -> TestResult:
    """Measure a video of repeated bodyweight squats (front view preferred)."""
    view = check_view(seq, spec)
    report = Report(spec, seq, view)
    t = seq.times
    side_on = view.view == "side"
    hips_y = (seq.point("left_hip")[:, 1] + seq.point("right_hip")[:, 1]) / 2
    feet_y = (seq.point("left_ankle")[:, 1] + seq.point("right_ankle")[:, 1]) / 2
    leg = float(np.nanpercentile(feet_y - hips_y, 90))
    drop = np.asarray(100.0 * (1.0 - (feet_y - hips_y) / leg), dtype=np.float64)  # % of standing height
    sign = facing(seq) or 1.0
    depth_signal = forward_thigh(seq, sign) if side_on else drop
    reps = find_reps(t, depth_signal, min_amplitude=spec.value("min_depth"))
    report.phases += rep_phases(t, reps, label="squat")
    for i, r in enumerate(reps, 1):
        report.event(r.middle(t), "bottom", f"squat {i}")
    bottom = nanmedian([float(np.nanmedian(depth_signal[r.hold_start : r.hold_end + 1])) for r in reps])
    heel = _heel(seq)
    heel_up = [change_at_hold(t, heel, r) for r in reps]
    values: dict[str, float | None] = {"heel_rise_pct": nanmedian([100.0 * h for h in heel_up])}
    flags: dict[str, list[bool]] = {"heel": [h > spec.value("heel_rise_shank") for h in heel_up]}
    if side_on:
        lean = forward_trunk(seq, sign)
        values["depth_deg"] = bottom
        values["trunk_lean_deg"] = nanmedian(
            [float(np.nanmedian(lean[r.hold_start : r.hold_end + 1])) for r in reps]
        )
        report.note("Filmed from the side: film from the front as well to check left-right asymmetry.")
    else:
        values["depth_pct"] = bottom
        _frontal(seq, spec, reps, values, flags)
        report.note("Filmed from the front: film from the side as well to measure depth and trunk lean.")
    q = quality(seq) * min(1.0, len(reps) / max(spec.repetitions, 1))
    for key in METRICS:
        report.metric(key, values.get(key), q)
    if report.enough(len(reps)):
        _findings(spec, report, len(reps), values, flags)
    return report.result(len(reps))


def _frontal(
    seq: PoseSequence,
    spec: MovementTestSpec,
    reps: list[Rep],
    values: dict[str, float | None],
    flags: dict[str, list[bool]],
) -> None:
    """Shift, obliquity and knee valgus at the bottom of each squat (front view)."""
    t = seq.times
    orient = towards_camera(seq) or 1.0
    width = float(np.nanmedian(distance(seq, "left_hip", "right_hip")))
    hips_x = (seq.point("left_hip")[:, 0] + seq.point("right_hip")[:, 0]) / 2
    feet_x = (seq.point("left_ankle")[:, 0] + seq.point("right_ankle")[:, 0]) / 2
    shift = [change_at_hold(t, (hips_x - feet_x) * orient / width, r) for r in reps]
    values["lateral_shift_pct"] = nanmedian([100.0 * s for s in shift])
    values["pelvic_obliquity_deg"] = nanmedian(
        [change_at_hold(t, filled(t, pelvic_obliquity(seq)), r) for r in reps]
    )
    flags["shift_left"] = [s > spec.value("shift_hip_widths") for s in shift]
    flags["shift_right"] = [s < -spec.value("shift_hip_widths") for s in shift]
    for s, lateral in (("left", 1.0), ("right", -1.0)):
        # + = the knee inwards of the ankle (towards the person's right for the left knee)
        inward = (seq.point(f"{s}_ankle")[:, 0] - seq.point(f"{s}_knee")[:, 0]) * orient * lateral / width
        valgus = [change_at_hold(t, inward, r) for r in reps]
        values[f"knee_valgus_{s}_pct"] = nanmedian([100.0 * v for v in valgus])
        flags[f"valgus_{s}"] = [v > spec.value("valgus_hip_widths") for v in valgus]


def _findings(
    spec: MovementTestSpec,
    report: Report,
    n: int,
    values: dict[str, float | None],
    flags: dict[str, list[bool]],
) -> None:
    need = int(spec.value("consistent_reps"))

    def seen(key: str) -> int:
        return sum(flags.get(key, []))

    report.finding(
        "movement.squat_heel_rise",
        seen("heel") >= need,
        f"Heels came up in {seen('heel')} of {n} squats (flagged at {need} or more).",
        "heel_rise_shank",
    )
    for fact, key, what in (
        ("movement.squat_depth_deg", "depth_deg", "Thigh angle at the bottom (90° = thighs horizontal)."),
        ("movement.squat_trunk_lean_deg", "trunk_lean_deg", "Forward trunk lean at the bottom."),
        (
            "movement.squat_pelvic_obliquity_deg",
            "pelvic_obliquity_deg",
            "Tilt of the hip line at the bottom against standing (+ = left hip lower).",
        ),
    ):
        value = values.get(key)
        if value is not None:
            report.finding(fact, round(value, 1), what, key)
    if "shift_left" not in flags:
        return
    left, right = seen("shift_left"), seen("shift_right")
    report.finding(
        "movement.squat_lateral_shift",
        "left" if left >= need else ("right" if right >= need else "none"),
        f"Hips shifted to the left in {left} and to the right in {right} of {n} squats (flagged at {need}).",
        "shift_hip_widths",
    )
    knees = [s for s in SIDES if seen(f"valgus_{s}") >= need]
    report.finding(
        "movement.squat_knee_valgus",
        "both" if len(knees) == 2 else (knees[0] if knees else "none"),
        f"Knee moved inwards: left in {seen('valgus_left')}, right in {seen('valgus_right')} of {n} squats.",
        "valgus_hip_widths",
    )
