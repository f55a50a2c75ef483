"""Hip hinge (waiter's bow), filmed side-on: hip flexion against trunk flexion, and whether
the spine stays neutral, with a quality score and its reasons.

A good hinge tilts the trunk mainly by bending at the hips with the trunk line nearly
straight; a faulty one rounds the back early (clinical reference 4.6; Luomajoki 2007:
incorrect if the lower back flexes before 50-70° of hip flexion).

* **Hip flexion** — the trunk-on-thigh angle (180° minus the shoulder-hip-knee angle): it
  includes spinal flexion, because a camera has no pelvis landmarks (clinical reference
  4.0). **Trunk inclination** is the trunk line against vertical; **knee flexion** shows
  whether the movement turned into a squat.
* **Does the spine stay neutral?** Hip and shoulder landmarks cannot show the lower back,
  but a rounding spine brings the shoulders closer to the hips: the trunk line shortens
  against the (rigid) thigh, while a neutral hinge keeps it (see
  :func:`measure.trunk_thigh_ratio`). Rounding is flagged when the trunk line has
  shortened by ``rounding_pct`` by the time hip flexion reaches ``rounding_hip_deg``, in at
  least ``consistent_reps`` repetitions. It reflects the whole spine and the shoulders,
  not the lumbar spine alone.
* **Quality score** (0-100, a heuristic summary): 100, minus 40 for early rounding,
  20 for bending the knees past ``knee_max_deg``, 20 for hinging less than
  ``hip_target_deg``, 10 for inconsistent repetitions (peak hip flexion varying by more
  than 10°). Each deduction comes with its reason.
"""

from __future__ import annotations

import numpy as np

from backmech.motion.kinematics import SIDES, knee_angle
from backmech.motion.protocols.base import TestResult
from backmech.motion.protocols.measure import (
    Report,
    forward_thigh,
    forward_trunk,
    mean_sides,
    nan_quiet,
    nanmedian,
    quality,
    side_facing,
    trunk_thigh_ratio,
)
from backmech.motion.protocols.phases import Rep, crossing, find_reps, peak_value, rep_phases
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.motion.protocols.view import check_view
from backmech.motion.skeleton import FloatArray, PoseSequence

THRESHOLDS = (
    "min_reps",
    "min_hip_deg",
    "rounding_pct",
    "rounding_hip_deg",
    "consistent_reps",
    "knee_max_deg",
    "hip_target_deg",
)
METRICS = (
    "hip_flexion_deg",
    "trunk_inclination_deg",
    "knee_flexion_deg",
    "trunk_line_shortening_pct",
    "quality",
)


def _rounding(ratio: FloatArray, hip: FloatArray, r: Rep, at_deg: float) -> float | None:
    """Trunk-line shortening (%) when hip flexion reaches ``at_deg`` (or at the peak)."""
    pre = ratio[max(r.start - 10, 0) : r.start + 1]
    i = crossing(hip, at_deg, r.descent) or r.hold_start
    near = ratio[max(i - 2, r.start) : i + 3]
    if not np.isfinite(pre).any() or not np.isfinite(near).any():
        return None
    return float(100.0 * (1.0 - np.nanmedian(near) / np.nanmedian(pre)))


@nan_quiet
def hip_hinge(seq: PoseSequence, spec: MovementTestSpec) -> TestResult:
    """Measure a side-on video of repeated hip hinges."""
    view = check_view(seq, spec)
    report = Report(spec, seq, view)
    t = seq.times
    sign = side_facing(seq, report.note)
    trunk = forward_trunk(seq, sign)
    hip = trunk + forward_thigh(seq, sign)
    knee = 180.0 - mean_sides(knee_angle(seq, SIDES[0]), knee_angle(seq, SIDES[1]))
    reps = find_reps(t, hip, min_amplitude=spec.value("min_hip_deg"))
    report.phases += rep_phases(t, reps, label="hinge")
    ratio = trunk_thigh_ratio(seq)
    peaks = [peak_value(t, hip, r) for r in reps]
    rounding = [_rounding(ratio, hip, r, spec.value("rounding_hip_deg")) for r in reps]
    q = quality(seq) * min(1.0, len(reps) / max(spec.repetitions, 1))
    hip_deg = report.metric("hip_flexion_deg", nanmedian(peaks), q)
    report.metric("trunk_inclination_deg", nanmedian([peak_value(t, trunk, r) for r in reps]), q)
    knee_deg = report.metric("knee_flexion_deg", nanmedian([float(np.nanmax(knee[r.span])) for r in reps]), q)
    report.metric("trunk_line_shortening_pct", nanmedian([x for x in rounding if x is not None]), 0.5 * q)
    for i, r in enumerate(reps, 1):
        report.event(r.middle(t), "peak", f"hinge {i}: {hip[r.peak]:.0f}° at the hips")
    if not report.enough(len(reps)):
        report.metric("quality", None, 0.0)
        return report.result(len(reps))
    need = int(spec.value("consistent_reps"))
    rounded = sum(x is not None and x >= spec.value("rounding_pct") for x in rounding)
    spine_flexes = rounded >= need
    score, reasons = 100.0, []
    if spine_flexes:
        score -= 40
        reasons.append(
            f"the back rounded before the hips had bent {spec.value('rounding_hip_deg'):.0f}° "
            f"({rounded} of {len(reps)} hinges)"
        )
    if knee_deg is not None and knee_deg > spec.value("knee_max_deg"):
        score -= 20
        reasons.append(
            f"the knees bent {knee_deg:.0f}°, more a squat than a hinge: push the hips back instead"
        )
    if hip_deg is not None and hip_deg < spec.value("hip_target_deg"):
        score -= 20
        reasons.append(f"the hips bent only {hip_deg:.0f}°: hinge further, keeping the back long")
    if len(peaks) > 1 and float(np.std(peaks)) > 10.0:
        score -= 10
        reasons.append("the hinges varied in depth: aim for the same depth each time")
    report.metric("quality", score, q)
    why = "; ".join(reasons) if reasons else "hips led the movement with the back kept long"
    report.finding(
        "movement.hip_hinge_spine_flexion",
        spine_flexes,
        f"Trunk line shortened by {spec.value('rounding_pct'):.0f} % or more before "
        f"{spec.value('rounding_hip_deg'):.0f}° of hip flexion in {rounded} of {len(reps)} hinges "
        f"(flagged at {need}).",
        "rounding_pct",
    )
    report.finding("movement.hip_hinge_quality", score, f"Score {score:.0f}/100: {why}.", "quality")
    return report.result(len(reps))
