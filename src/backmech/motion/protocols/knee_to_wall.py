"""Knee-to-wall (weight-bearing lunge), filmed side-on: ankle dorsiflexion as the tibial
angle of each leg.

Clinical reference 4.4: lunge the knee towards the wall with the heel down and record the
toe-wall distance or the **tibial inclination**; take the best of three; 1 cm ≈ 3.6°
(Bennell 1998); the minimal detectable change is about 4.6-4.7° (Powden 2015). A video
measures the angle, so the result is reported in degrees: the shank (ankle → knee)
against vertical, + = knee forward over the toes.

* The front leg of the lunge is the one whose ankle is further forward; the person does
  the lunges with one foot in front, then the other.
* Only frames with the front heel down count: the heel's height over the toe may rise by
  at most ``heel_tol`` shank lengths above its lowest value for that foot. A lunge whose
  heel came up still counts up to the moment it lifted.
* Per side, the best repetition (largest heel-down angle, read from the angle smoothed at
  2 Hz so that landmark noise does not inflate the maximum). Normal is usually taken as
  35-38° or more (a sports-practice convention, not a population norm; ``limit_deg``
  uses the lower end), and a left-right difference above ``asymmetry_deg`` (2 cm ≈ 7°,
  above the measurement error) is worth noting. The rules that turn these into evidence
  live in ``knowledge/rules/movement.yaml`` and use the same numbers.
"""

from __future__ import annotations

import numpy as np

from backmech.motion.kinematics import lowpass_signal, shank_inclination
from backmech.motion.protocols.base import TestResult
from backmech.motion.protocols.measure import Report, distance, facing, mean_sides, nan_quiet, nanmax, quality
from backmech.motion.protocols.phases import filled, find_reps, rep_phases
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.motion.protocols.view import check_view
from backmech.motion.skeleton import FloatArray, PoseSequence

THRESHOLDS = ("min_reps", "min_lunge_deg", "heel_tol", "limit_deg", "asymmetry_deg")
METRICS = ("left_deg", "right_deg", "asymmetry_deg")
SIDES = ("left", "right")


def _heel_height(seq: PoseSequence, side: str, shank: float) -> FloatArray:
    """Heel over toe in shank lengths (grows as the heel lifts)."""
    toe, heel = seq.point(f"{side}_foot_index")[:, 1], seq.point(f"{side}_heel")[:, 1]
    return np.asarray((toe - heel) / shank, dtype=np.float64)


@nan_quiet
def knee_to_wall(seq: PoseSequence, spec: MovementTestSpec) -> TestResult:
    """Measure a side-on video of knee-to-wall lunges, each foot in front in turn."""
    view = check_view(seq, spec)
    report = Report(spec, seq, view)
    t = seq.times
    sign = facing(seq)
    if sign == 0:
        report.note("Could not tell which way you face (feet not seen side-on); assumed +x.")
        sign = 1.0
    shank = float(
        np.nanmedian(
            mean_sides(distance(seq, "left_knee", "left_ankle"), distance(seq, "right_knee", "right_ankle"))
        )
    )
    ahead = filled(t, (seq.point("left_ankle")[:, 0] - seq.point("right_ankle")[:, 0]) * sign / shank)
    front = {"left": ahead > 0.1, "right": ahead < -0.1}
    best: dict[str, float | None] = {}
    counts: dict[str, int] = {}
    for side in SIDES:
        angle = shank_inclination(seq, side) * sign
        smooth = (
            lowpass_signal(t, filled(t, angle), cutoff_hz=2.0) if np.isfinite(angle).sum() > 15 else angle
        )
        heel = _heel_height(seq, side, shank)
        mask = front[side] & np.isfinite(heel)
        lowest = float(np.nanpercentile(heel[mask], 5)) if mask.sum() > 5 else np.nan
        down = front[side] & (heel <= lowest + spec.value("heel_tol"))
        signal = np.where(front[side], angle, np.nan)
        reps = find_reps(t, signal, min_amplitude=spec.value("min_lunge_deg"))
        reps = [r for r in reps if front[side][r.peak]]
        report.phases += rep_phases(t, reps, label=f"{side} lunge")
        values = []
        for i, r in enumerate(reps, 1):
            ok = down[r.span] & np.isfinite(angle[r.span])
            value = float(np.max(smooth[r.span][ok])) if ok.any() else float("nan")
            if ok.any():
                values.append(value)
            lifted = bool((front[side][r.span] & ~down[r.span]).any())
            note = " (the heel came up: counted up to that moment)" if lifted else ""
            report.event(r.middle(t), "lunge", f"{side} lunge {i}: {value:.0f}°{note}")
        counts[side] = len(reps)
        best[side] = nanmax(values)
        q = quality(seq, front[side]) * min(1.0, len(reps) / max(spec.repetitions, 1))
        report.metric(f"{side}_deg", best[side], q)
        if best[side] is not None:
            value = float(best[side] or 0.0)
            limit = spec.value("limit_deg")
            report.finding(
                f"movement.knee_to_wall_angle_deg.{side}",
                round(value, 1),
                f"Best tibial angle with the {side} heel down over {len(reps)} lunge(s): {value:.0f}° "
                f"({'below' if value < limit else 'at or above'} the {limit:.0f}° often taken as normal).",
                "limit_deg",
            )
        if len(reps) < spec.value("min_reps"):
            report.note(f"Do the lunge with the {side} foot in front as well (best of three).")
    left, right = best["left"], best["right"]
    diff = abs(left - right) if left is not None and right is not None else None
    report.metric("asymmetry_deg", diff, quality(seq) if diff is not None else 0.0)
    if diff is not None:
        report.finding(
            "movement.knee_to_wall_asymmetry_deg",
            round(diff, 1),
            f"Left {left:.0f}°, right {right:.0f}° (differences above {spec.value('asymmetry_deg'):.0f}° "
            "exceed the measurement error).",
            "asymmetry_deg",
        )
    return report.result(sum(counts.values()))
