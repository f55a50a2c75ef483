"""Walking: cadence and step-time symmetry (side or front view), pelvic drop and trunk sway
(front view, walking towards the camera).

Source article C: motion analysis showed poor pelvic control in gait. Measured here:

* **Heel strikes** — from kinematics alone (Zeni 2008): a foot strikes the ground when it
  is furthest in front of the pelvis (signal smoothed at 3 Hz, peak refined between
  frames). Side view: the ankle's forward distance from the
  mid-hip. Front view, walking towards the camera: the ankle's image height against the
  mid-hip (the leading foot is the lowest in the picture when it lands, as the camera is
  above the floor); walking away is not supported for timing.
* **Cadence** (steps per minute) and **step-time asymmetry**: |left − right| step time
  over the mean step time, in %, from the median step time of each side (robust to a
  missed or extra heel strike). A left step ends with the left heel strike.
* **Pelvic drop** (front view) — during the first half of each stance (heel strike to
  half a step later), how far the hip on the swinging side drops below the clip's
  median hip line. Some drop is normal in walking; above ``drop_deg`` it is reported for
  that stance leg (heuristic).
* **Trunk sway** (front view) — the lateral trunk lean's range over each stride (median).
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy import signal

from backmech.motion.kinematics import lowpass_signal, pelvic_obliquity, trunk_inclination
from backmech.motion.protocols.base import TestResult
from backmech.motion.protocols.measure import (
    Report,
    facing,
    nan_quiet,
    nanmedian,
    quality,
    torso_scale,
    towards_camera,
)
from backmech.motion.protocols.phases import filled
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.motion.protocols.view import check_view
from backmech.motion.skeleton import FloatArray, PoseSequence

THRESHOLDS = ("min_steps", "drop_deg", "asymmetry_pct")
METRICS = (
    "cadence_spm",
    "step_time_asymmetry_pct",
    "pelvic_drop_left_deg",
    "pelvic_drop_right_deg",
    "trunk_sway_deg",
)


def heel_strikes(seq: PoseSequence, side_on: bool) -> dict[str, FloatArray]:
    """Heel-strike times of each foot (Zeni 2008, see the module docstring)."""
    t = seq.times
    mid = (seq.point("left_hip") + seq.point("right_hip")) / 2
    if side_on:
        lead = {
            s: (seq.point(f"{s}_ankle")[:, 0] - mid[:, 0]) * (facing(seq) or 1.0) for s in ("left", "right")
        }
    else:
        lead = {s: seq.point(f"{s}_ankle")[:, 1] - mid[:, 1] for s in ("left", "right")}
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1 / 30
    out = {}
    for s, x in lead.items():
        xf = filled(t, x / torso_scale(seq))
        if not np.isfinite(xf).any():
            out[s] = np.zeros(0)
            continue
        if len(xf) > 15:
            xf = lowpass_signal(t, xf, cutoff_hz=3.0)
        spread = float(np.percentile(xf, 95) - np.percentile(xf, 5))
        peaks, _ = signal.find_peaks(xf, prominence=0.4 * spread, distance=max(1, int(0.35 / dt)))
        out[s] = np.asarray([_refine(t, xf, i) for i in peaks], dtype=np.float64)
    return out


def _refine(t: FloatArray, x: FloatArray, i: int) -> float:
    """Peak time refined between frames by a parabola through the peak and its neighbours."""
    if i <= 0 or i >= len(x) - 1:
        return float(t[i])
    a, b, c = x[i - 1], x[i], x[i + 1]
    den = a - 2 * b + c
    off = 0.5 * (a - c) / den if den < 0 else 0.0
    step = (t[i + 1] - t[i - 1]) / 2
    return float(t[i] + np.clip(off, -0.5, 0.5) * step)


def _steps(strikes: dict[str, FloatArray]) -> dict[str, list[float]]:
    """Step times by the foot that ends the step (time since the other foot's last strike)."""
    events = sorted([(float(x), s) for s, xs in strikes.items() for x in xs])
    out: dict[str, list[float]] = {"left": [], "right": []}
    for (t0, s0), (t1, s1) in itertools.pairwise(events):
        if s0 != s1:
            out[s1].append(t1 - t0)
    return out


@nan_quiet
def gait(seq: PoseSequence, spec: MovementTestSpec) -> TestResult:
    """Measure a video of walking (side-on past the camera, or towards it)."""
    view = check_view(seq, spec)
    report = Report(spec, seq, view)
    side_on = view.view == "side"
    if not side_on and towards_camera(seq) < 0:
        report.note("You walked away from the camera: walk towards it to time the steps.")
    strikes = heel_strikes(seq, side_on)
    steps = _steps(strikes)
    n = len(steps["left"]) + len(steps["right"])
    q = quality(seq) * min(1.0, n / max(spec.value("min_steps"), 1))
    for s, times in strikes.items():
        for x in times:
            report.event(float(x), "heel-strike", f"{s} heel strike")
    enough = n >= spec.value("min_steps") and steps["left"] and steps["right"]
    cadence = asym = None
    if enough:
        mean_l, mean_r = float(np.median(steps["left"])), float(np.median(steps["right"]))
        cadence = 60.0 / ((mean_l + mean_r) / 2)
        asym = 100.0 * abs(mean_l - mean_r) / ((mean_l + mean_r) / 2)
    else:
        report.note(f"Found {n} steps; walk for at least {spec.value('min_steps'):.0f} steps in view.")
    report.metric("cadence_spm", cadence, q)
    report.metric("step_time_asymmetry_pct", asym, q)
    if cadence is not None and asym is not None:
        report.finding("movement.gait_cadence_spm", round(cadence, 1), f"{n} steps timed.", "cadence_spm")
        report.finding(
            "movement.gait_step_time_asymmetry_pct",
            round(asym, 1),
            f"Left step {mean_l:.2f} s, right step {mean_r:.2f} s (medians) "
            f"(over {spec.value('asymmetry_pct'):.0f} % is uneven).",
            "asymmetry_pct",
        )
    if side_on or not enough:
        for key in ("pelvic_drop_left_deg", "pelvic_drop_right_deg", "trunk_sway_deg"):
            report.metric(key, None, 0.0)
        if side_on:
            report.note("Filmed from the side: walk towards the camera to see pelvic drop and trunk sway.")
        return report.result(n)
    _frontal(seq, spec, report, strikes, q)
    return report.result(n)


def _stance_drop(t: FloatArray, drop: FloatArray, strikes: FloatArray, half: float) -> float | None:
    """Peak of the stride-averaged drop over the first ``half`` s after each heel strike.

    Averaging the time-normalised curves of all strides before taking the peak keeps
    landmark noise from inflating it (the maximum of a noisy curve is biased upwards).
    """
    grid = np.linspace(0.0, 1.0, 21)
    curves = [np.interp(x + grid * half, t, drop) for x in strikes if x + half <= t[-1]]
    if not curves:
        return None
    return float(np.max(np.nanmean(curves, axis=0)))


def _frontal(
    seq: PoseSequence, spec: MovementTestSpec, report: Report, strikes: dict[str, FloatArray], q: float
) -> None:
    t = seq.times
    obliquity = filled(t, pelvic_obliquity(seq))  # + = left hip lower
    all_strikes = np.sort(np.concatenate(list(strikes.values())))
    half = float(np.median(np.diff(all_strikes))) if all_strikes.size > 1 else 0.5
    # the hip line's median over whole strides is the level reference (the two stances
    # tilt it opposite ways; a tilted camera or a habitual tilt cancels out)
    base = float(np.nanmedian(obliquity)) if np.isfinite(obliquity).any() else 0.0
    drops: dict[str, float | None] = {}
    for stance, swing_lower in (("left", -1.0), ("right", 1.0)):
        drops[stance] = _stance_drop(t, swing_lower * (obliquity - base), strikes[stance], half)
        report.metric(f"pelvic_drop_{stance}_deg", drops[stance], q)
        if drops[stance] is not None:
            report.finding(
                f"movement.gait_pelvic_drop_deg.{stance}",
                round(float(drops[stance] or 0.0), 1),
                f"Largest drop of the other hip in the first half of stance on the {stance} leg "
                "(averaged over strides).",
                f"pelvic_drop_{stance}_deg",
            )
    lean = filled(t, trunk_inclination(seq))
    left = strikes["left"]
    sway = [float(np.ptp(lean[(t >= a) & (t < b)])) for a, b in itertools.pairwise(left)]
    report.metric("trunk_sway_deg", nanmedian(sway), q)
    if nanmedian(sway) is not None:
        report.finding(
            "movement.gait_trunk_sway_deg",
            round(float(nanmedian(sway) or 0.0), 1),
            "Median side-to-side range of the trunk line over a stride.",
            "trunk_sway_deg",
        )
    if all(v is not None for v in drops.values()):
        limit = spec.value("drop_deg")
        high = [s for s, v in drops.items() if v is not None and v > limit]
        value = "both" if len(high) == 2 else (high[0] if high else "none")
        report.finding(
            "movement.gait_pelvic_drop",
            value,
            f"Pelvic drop standing on the left {drops['left']:.0f}°, on the right {drops['right']:.0f}° "
            f"(reported above {limit:.0f}°).",
            "drop_deg",
        )
