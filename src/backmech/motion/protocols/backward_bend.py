"""Backward bend (standing extension), filmed side-on: range, knee bend, smoothness.

* **Range** — the largest backward trunk inclination (mid-hip → mid-shoulder behind
  vertical): spine and hips together, as a camera sees them (clinical reference 4.0).
  Lumbar-only norms (about 29° in young adults falling to 6° in the oldest, Troke 2001)
  were measured with a different method and do not apply; compare with your own earlier
  videos (measurement error of trunk range is about 5-15°, Laird 2016).
* **Knee bend** — bending the knees lets the trunk lean back without the spine
  extending; it is reported so that a larger "range" bought that way is not mistaken for
  more extension.
* **Catches** — a sudden jolt on the way back or the return (Hicks 2005 looks for
  aberrant movements in flexion *and* extension). Reported as ``movement.instability_catch``
  only when seen (true); the forward bend is where the fact is also reported as absent,
  so a smooth back bend never overrides a catch seen in the forward bend.
"""

from __future__ import annotations

from backmech.motion.kinematics import SIDES, knee_angle
from backmech.motion.protocols.base import TestResult
from backmech.motion.protocols.measure import (
    Report,
    forward_trunk,
    mean_sides,
    nan_quiet,
    nanmax,
    quality,
    side_facing,
)
from backmech.motion.protocols.phases import change_at_hold, find_reps, peak_value, rep_phases
from backmech.motion.protocols.signs import jolts
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.motion.protocols.view import check_view
from backmech.motion.skeleton import PoseSequence

THRESHOLDS = ("min_reps", "min_extension_deg", "catch_min_deg", "sign_min_reps")
METRICS = ("max_trunk_extension_deg", "max_knee_flexion_deg")


@nan_quiet
def backward_bend(seq: PoseSequence, spec: MovementTestSpec) -> TestResult:
    """Measure a side-on video of repeated standing back bends."""
    view = check_view(seq, spec)
    report = Report(spec, seq, view)
    t = seq.times
    sign = side_facing(seq, report.note)
    extension = -forward_trunk(seq, sign)
    reps = find_reps(t, extension, min_amplitude=spec.value("min_extension_deg"))
    report.phases += rep_phases(t, reps)
    q = quality(seq) * min(1.0, len(reps) / max(spec.repetitions, 1))
    peak = nanmax([peak_value(t, extension, r) for r in reps])
    report.metric("max_trunk_extension_deg", peak, q)
    knee = 180.0 - mean_sides(knee_angle(seq, SIDES[0]), knee_angle(seq, SIDES[1]))
    bends = [change_at_hold(t, knee, r) for r in reps]
    report.metric("max_knee_flexion_deg", nanmax(bends), q)
    for i, r in enumerate(reps, 1):
        report.event(r.middle(t), "peak", f"rep {i}: {extension[r.peak]:.0f}° trunk extension")
    if peak is not None:
        report.finding(
            "movement.backward_bend_max_trunk_extension_deg",
            round(peak, 1),
            f"Largest backward trunk inclination over {len(reps)} repetition(s).",
            "max_trunk_extension_deg",
        )
    if report.enough(len(reps)):
        found = jolts(t, extension, min_size=spec.value("catch_min_deg"))
        seen = [i for i, r in enumerate(reps, 1) if any(r.start <= j.index <= r.end for j in found)]
        for j in found:
            report.event(j.time, "catch", f"sudden jolt of about {j.size:.0f}° in the trunk's path")
        if len(seen) >= spec.value("sign_min_reps"):
            report.finding(
                "movement.instability_catch",
                True,
                "A sudden jolt in the trunk's path while bending back "
                f"(repetitions {', '.join(map(str, seen))}).",
                "catch_min_deg",
            )
    return report.result(len(reps))
