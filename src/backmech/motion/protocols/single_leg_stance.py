"""Single-leg stance (Trendelenburg), filmed from the front: pelvic drop, trunk lean, time.

Hardcastle & Nade 1985: stand on one leg for 30 s with the other hip flexed; normally the
pelvis on the lifted side stays level or rises; the test is positive when it drops, the
trunk shifts over the stance leg, or the position cannot be held. Video version
(clinical reference 4.5, heuristic): the hip line against horizontal, flagged when the
lifted side drops by more than ``drop_deg`` or the trunk leans towards the stance leg by
more than ``lean_deg``, sustained over ``sustain_s`` (the largest running median over
that window, so a brief wobble does not count).

Both are measured against the double-leg stance just before (a tilted camera or a habitual
tilt is not a drop). Which foot is lifted comes from the ankles: one ankle higher than the
other by ``lift_shank`` shank lengths for at least ``min_hold_s``. The time held is
reported per side, but a short hold is not judged: the video cannot tell whether the
person could not hold on or just stopped.

Findings per stance leg: ``examination.trendelenburg.<side>`` (positive/negative, the
fact the engine's weak-glutes rule reads) and the measured drop, lean and time.
"""

from __future__ import annotations

import numpy as np

from backmech.motion.kinematics import pelvic_obliquity, trunk_inclination
from backmech.motion.protocols.base import Phase, TestResult
from backmech.motion.protocols.measure import Report, distance, mean_sides, nan_quiet, quality, towards_camera
from backmech.motion.protocols.phases import filled, runs
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.motion.protocols.view import check_view
from backmech.motion.skeleton import FloatArray, PoseSequence

THRESHOLDS = ("drop_deg", "lean_deg", "sustain_s", "lift_shank", "min_hold_s", "target_hold_s")
METRICS = (
    "pelvic_drop_left_deg",
    "pelvic_drop_right_deg",
    "trunk_lean_left_deg",
    "trunk_lean_right_deg",
    "hold_left_s",
    "hold_right_s",
)
OTHER = {"left": "right", "right": "left"}


def _sustained(t: FloatArray, x: FloatArray, window_s: float) -> float:
    """Largest median of ``x`` over any ``window_s`` stretch (the whole run if shorter)."""
    if t[-1] - t[0] <= window_s:
        return float(np.nanmedian(x))
    best = -np.inf
    for i in range(len(t)):
        sel = (t >= t[i]) & (t <= t[i] + window_s)
        if t[i] + window_s > t[-1]:
            break
        best = max(best, float(np.nanmedian(x[sel])))
    return best


@nan_quiet
def single_leg_stance(seq: PoseSequence, spec: MovementTestSpec) -> TestResult:
    """Measure a front-on video of standing on the left leg and on the right leg."""
    view = check_view(seq, spec)
    report = Report(spec, seq, view)
    t = seq.times
    orient = towards_camera(seq) or 1.0
    shank = float(
        np.nanmedian(
            mean_sides(distance(seq, "left_knee", "left_ankle"), distance(seq, "right_knee", "right_ankle"))
        )
    )
    # + = the left ankle higher in the image than the right (the left foot lifted)
    lift = filled(t, (seq.point("left_ankle")[:, 1] - seq.point("right_ankle")[:, 1]) / -shank)
    limit = spec.value("lift_shank")
    both = np.abs(lift) < 0.5 * limit
    obliquity = filled(t, pelvic_obliquity(seq))  # + = left hip lower
    lean = filled(t, trunk_inclination(seq) * orient)  # + = towards the person's left
    base_o = float(np.nanmedian(obliquity[both])) if both.any() else 0.0
    base_l = float(np.nanmedian(lean[both])) if both.any() else 0.0
    held = 0
    for stance, lifted_mask in (("left", lift < -limit), ("right", lift > limit)):
        spans = runs(t, lifted_mask, spec.value("min_hold_s"))
        if not spans:
            report.note(
                f"No stand on the {stance} leg of {spec.value('min_hold_s'):.0f} s or more was found."
            )
            for key in ("pelvic_drop", "trunk_lean", "hold"):
                report.metric(f"{key}_{stance}_{'s' if key == 'hold' else 'deg'}", None, 0.0)
            continue
        held += 1
        a, b = max(spans, key=lambda s: s[1] - s[0])
        report.phases.append(Phase(f"standing on the {stance} leg", float(t[a]), float(t[b])))
        side = 1.0 if stance == "left" else -1.0
        # lifted side drops: standing on the left, the right hip goes lower (obliquity falls)
        sl = slice(a, b + 1)
        inner = (t[sl] >= t[a] + 0.5) & (t[sl] <= t[b] - 0.5)
        tt = t[sl][inner] if inner.sum() > 5 else t[sl]
        pick = inner if inner.sum() > 5 else np.ones(b - a + 1, dtype=bool)
        drop = _sustained(tt, (-side * (obliquity[sl] - base_o))[pick], spec.value("sustain_s"))
        toward = _sustained(tt, (side * (lean[sl] - base_l))[pick], spec.value("sustain_s"))
        hold = float(t[b] - t[a])
        q = quality(seq, sl)
        report.metric(f"pelvic_drop_{stance}_deg", drop, q)
        report.metric(f"trunk_lean_{stance}_deg", toward, q)
        report.metric(f"hold_{stance}_s", hold, q)
        _findings(report, spec, stance, drop, toward, hold)
    return report.result(held)


def _findings(
    report: Report, spec: MovementTestSpec, stance: str, drop: float, lean: float, hold: float
) -> None:
    report.finding(
        f"movement.single_leg_pelvic_drop_deg.{stance}",
        round(drop, 1),
        f"Sustained drop of the {OTHER[stance]} hip while standing on the {stance} leg.",
        f"pelvic_drop_{stance}_deg",
    )
    report.finding(
        f"movement.single_leg_trunk_lean_deg.{stance}",
        round(lean, 1),
        f"Sustained trunk lean towards the {stance} (stance) leg.",
        f"trunk_lean_{stance}_deg",
    )
    report.finding(
        f"movement.single_leg_hold_s.{stance}",
        round(hold, 1),
        f"Time standing on the {stance} leg.",
        f"hold_{stance}_s",
    )
    target = spec.value("target_hold_s")
    if hold < target:
        report.note(
            f"Stood {hold:.0f} s on the {stance} leg; the test asks for {target:.0f} s. Tell your clinician "
            "if you had to stop because you could not hold on."
        )
    if hold < spec.value("sustain_s"):
        return
    drop_limit, lean_limit = spec.value("drop_deg"), spec.value("lean_deg")
    positive = drop > drop_limit or lean > lean_limit
    parts = []
    if drop > drop_limit:
        parts.append(f"the {OTHER[stance]} side of the pelvis dropped {drop:.0f}° (over {drop_limit:.0f}°)")
    if lean > lean_limit:
        parts.append(f"the trunk leaned {lean:.0f}° over the {stance} leg (over {lean_limit:.0f}°)")
    reason = (
        "; ".join(parts)
        if parts
        else (
            f"pelvis stayed level (drop {drop:.0f}°, limit {drop_limit:.0f}°) and the trunk upright "
            f"(lean {lean:.0f}°, limit {lean_limit:.0f}°)"
        )
    )
    basis = "drop_deg" if drop > drop_limit or not positive else "lean_deg"
    report.finding(
        f"examination.trendelenburg.{stance}",
        "positive" if positive else "negative",
        f"Standing on the {stance} leg: {reason}.",
        basis,
    )
