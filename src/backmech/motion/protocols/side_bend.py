"""Side bend (lateral flexion), filmed from the front: range to each side and symmetry.

The trunk line (mid-hip → mid-shoulder) against vertical in the frontal plane, measured
from the resting posture so that a habitual lean or a tilted camera does not count as
bending. It includes any pelvic tilt that goes with the bend (no pelvis landmarks,
clinical reference 4.0), which is why it is called trunk, not lumbar, lateral flexion.
Camera norms do not exist; lumbar-only norms (about 29° falling to 15° with age, Troke
2001) come from another method. The useful outputs are each side against your own earlier
videos and left against right: a difference above ``asymmetry_deg`` (about the upper end
of the 5-15° measurement error of trunk range, Laird 2016) is reported as asymmetric.
"""

from __future__ import annotations

from backmech.motion.kinematics import trunk_inclination
from backmech.motion.protocols.base import TestResult
from backmech.motion.protocols.measure import Report, nan_quiet, nanmax, quality, towards_camera
from backmech.motion.protocols.phases import find_reps, peak_value, rep_phases, rest_level
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.motion.protocols.view import check_view
from backmech.motion.skeleton import PoseSequence

THRESHOLDS = ("min_reps", "min_bend_deg", "asymmetry_deg")
METRICS = ("side_bend_left_deg", "side_bend_right_deg", "asymmetry_deg")


@nan_quiet
def side_bend(seq: PoseSequence, spec: MovementTestSpec) -> TestResult:
    """Measure a front-on video of side bends to the left and to the right."""
    view = check_view(seq, spec)
    report = Report(spec, seq, view)
    t = seq.times
    orient = towards_camera(seq)
    if orient == 0:
        report.note("Could not tell whether you face the camera; assumed you do.")
        orient = 1.0
    lean = trunk_inclination(seq) * orient  # + = towards the person's left
    lean = lean - rest_level(t, lean)
    ranges: dict[str, float | None] = {}
    counts = {}
    for side, signal in (("left", lean), ("right", -lean)):
        reps = find_reps(t, signal, min_amplitude=spec.value("min_bend_deg"), baseline=0.0)
        report.phases += rep_phases(t, reps, label=f"{side} bend")
        ranges[side] = nanmax([peak_value(t, signal, r) for r in reps])
        counts[side] = len(reps)
        q = quality(seq) * min(1.0, len(reps) / max(spec.repetitions, 1))
        report.metric(f"side_bend_{side}_deg", ranges[side], q)
        for i, r in enumerate(reps, 1):
            report.event(r.middle(t), "peak", f"{side} bend {i}: {signal[r.peak]:.0f}°")
        if ranges[side] is not None:
            report.finding(
                f"movement.side_bend_deg.{side}",
                round(float(ranges[side] or 0.0), 1),
                f"Largest trunk side bend to the {side} over {len(reps)} repetition(s).",
                f"side_bend_{side}_deg",
            )
    left, right = ranges["left"], ranges["right"]
    both = left is not None and right is not None
    diff = abs(left - right) if left is not None and right is not None else None
    report.metric("asymmetry_deg", diff, quality(seq) if both else 0.0)
    need = int(spec.value("min_reps"))
    if diff is not None and min(counts.values()) >= need:
        limit = spec.value("asymmetry_deg")
        more = "left" if (left or 0.0) > (right or 0.0) else "right"
        report.finding(
            "movement.side_bend_asymmetric",
            diff > limit,
            f"Left {left:.0f}°, right {right:.0f}°: {diff:.0f}° more to the {more} "
            f"({'above' if diff > limit else 'within'} the {limit:.0f}° allowed for measurement error).",
            "asymmetry_deg",
        )
    elif min(counts.values(), default=0) < need:
        report.note(f"Bend at least {need} times to each side to compare the two sides.")
    return report.result(sum(counts.values()))
