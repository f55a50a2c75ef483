"""Forward bend, filmed side-on: range, how the bend is shared, and aberrant-movement signs.

* **Range** — the largest forward trunk inclination (mid-hip → mid-shoulder against
  vertical). This is *trunk* flexion: spine and hips together. Esola 1996 measured about
  111° of total forward bending with 3D motion capture; compare a video with the same
  person's earlier videos rather than with that norm (clinical reference 4.2).
* **Trunk vs thigh contribution by phase** — for the phases Esola 1996 used (trunk at
  0-30°, 30-60°, 60°+; the limits are thresholds of the knowledge file), the share of the
  bend that happened between trunk and thigh (at the hips *and* in the spine, which sparse
  keypoints cannot separate; clinical reference 4.0) versus in the thighs (knees and
  ankles: the hips swaying back, the knees bending).
  It is not Esola's lumbar-to-hip ratio and is not labelled lumbar; no lumbar-dominance
  finding is drawn from it. Lumbo-pelvic rhythm alone does not separate people with and
  without back pain (Laird 2014).
* **Trunk-line shortening** at full bend: see :func:`measure.trunk_thigh_ratio`.
* **Speed** of the descent and the return (people with back pain move more slowly on
  average, Laird 2014; compare with your own earlier videos).
* **Aberrant movements** (Hicks 2005, clinical reference 3.5), each a finding when seen in
  at least ``sign_min_reps`` repetitions: an *instability catch* (a sudden jolt, see
  :mod:`signs`), a *painful-arc sign* (a mid-range hesitation; the camera cannot see pain),
  *reversal of rhythm* (on the way up the knees bend and the hips come forward before the
  trunk rises) and *thigh climbing* (the hands push on the thighs on the way up).
"""

from __future__ import annotations

import numpy as np

from backmech.motion.kinematics import SIDES, angular_velocity, knee_angle
from backmech.motion.protocols.base import TestResult
from backmech.motion.protocols.measure import (
    Report,
    forward_thigh,
    forward_trunk,
    mean_sides,
    nan_quiet,
    nanmax,
    nanmedian,
    quality,
    side_facing,
    torso_scale,
    trunk_thigh_ratio,
)
from backmech.motion.protocols.phases import Rep, crossing, find_reps, peak_value, rep_phases, runs
from backmech.motion.protocols.signs import hesitation, jolts
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.motion.protocols.view import check_view
from backmech.motion.skeleton import FloatArray, PoseSequence

THRESHOLDS = (
    "min_reps",
    "min_flexion_deg",
    "early_phase_end_deg",
    "mid_phase_end_deg",
    "phase_min_deg",
    "upright_max_deg",
    "catch_min_deg",
    "hesitation_dip",
    "sign_min_reps",
    "reversal_knee_deg",
    "reversal_hip_shift",
    "reversal_rise_share",
    "climb_distance",
    "climb_trunk_deg",
    "climb_min_s",
)
METRICS = (
    "max_trunk_flexion_deg",
    "trunk_share_early_pct",
    "trunk_share_mid_pct",
    "trunk_share_late_pct",
    "trunk_line_shortening_pct",
    "descent_speed_deg_s",
    "return_speed_deg_s",
)


def _phases(spec: MovementTestSpec) -> tuple[tuple[str, float, float], ...]:
    """(name, from, to) trunk angles of Esola 1996's phases; the metric ids name the phases,
    the knowledge file gives their limits. The late phase runs to the end of the bend."""
    early, mid = spec.value("early_phase_end_deg"), spec.value("mid_phase_end_deg")
    return (("early", 0.0, early), ("mid", early, mid), ("late", mid, 180.0))


def _share(
    trunk: FloatArray, thigh: FloatArray, r: Rep, lo: float, hi: float, spec: MovementTestSpec
) -> float | None:
    """Share (%) of a phase's bend between trunk and thigh rather than in the thighs; None
    when the trunk moved less than ``phase_min_deg`` in the phase (a ratio of noise)."""
    i0 = r.start if lo <= 0 else crossing(trunk, lo, r.descent)
    i1 = crossing(trunk, hi, r.descent) or r.hold_start
    if i0 is None or i1 <= i0 or trunk[i1] - trunk[i0] < spec.value("phase_min_deg"):
        return None
    d_trunk_on_thigh = (trunk[i1] + thigh[i1]) - (trunk[i0] + thigh[i0])
    d_thigh = thigh[i1] - thigh[i0]
    total = abs(d_trunk_on_thigh) + abs(d_thigh)
    return float(100.0 * abs(d_trunk_on_thigh) / total) if total > 0 else None


def _shortening(ratio: FloatArray, trunk: FloatArray, r: Rep, spec: MovementTestSpec) -> float | None:
    """Trunk-line shortening (%) while held at the bottom, against the frames before the
    rep in which the trunk was within ``upright_max_deg`` of vertical."""
    upright = ratio[: r.start + 1][trunk[: r.start + 1] < spec.value("upright_max_deg")]
    held = ratio[r.hold_start : r.hold_end + 1]
    if not np.isfinite(upright).any() or not np.isfinite(held).any():
        return None
    return float(100.0 * (1.0 - np.nanmedian(held) / np.nanmedian(upright)))


def _reversal(seq: PoseSequence, trunk: FloatArray, sign: float, r: Rep, spec: MovementTestSpec) -> bool:
    """Knees bend and hips come forward (from the bottom of the bend) before the trunk has
    risen ``reversal_rise_share`` of the way back up."""
    rise = trunk[r.hold_end] - spec.value("reversal_rise_share") * (trunk[r.hold_end] - trunk[r.end])
    below = np.flatnonzero(trunk[r.ascent] <= rise)
    i1 = r.hold_end + (int(below[0]) if below.size else 0)
    if i1 <= r.hold_end:
        return False
    knee = 180.0 - mean_sides(knee_angle(seq, SIDES[0]), knee_angle(seq, SIDES[1]))
    hips = (seq.point("left_hip")[:, 0] + seq.point("right_hip")[:, 0]) / 2
    feet = (seq.point("left_ankle")[:, 0] + seq.point("right_ankle")[:, 0]) / 2
    ahead = (hips - feet) * sign / torso_scale(seq)
    window = slice(r.hold_start, i1 + 1)  # from reaching the bottom: a hold may hide the knee bend
    bend = np.nanmax(knee[window]) - knee[r.hold_start]
    shift = np.nanmax(ahead[window]) - ahead[r.hold_start]
    return bool(bend >= spec.value("reversal_knee_deg") and shift >= spec.value("reversal_hip_shift"))


def _point_to_segment(p: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    ab, ap = b - a, p - a
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.clip(np.sum(ap * ab, axis=1) / np.sum(ab * ab, axis=1), 0.0, 1.0)
    return np.asarray(np.hypot(*(ap - u[:, None] * ab).T), dtype=np.float64)


def _climbing(seq: PoseSequence, trunk: FloatArray, r: Rep, spec: MovementTestSpec) -> bool:
    """A hand stays on its thigh for ``climb_min_s`` or more while the trunk is still bent
    past ``climb_trunk_deg``."""
    gaps = [
        _point_to_segment(seq.point(f"{s}_wrist"), seq.point(f"{s}_hip"), seq.point(f"{s}_knee"))
        for s in SIDES
    ]
    near = np.fmin(*gaps) / torso_scale(seq) <= spec.value("climb_distance")
    sl = r.ascent
    on = np.zeros(len(trunk), dtype=bool)
    on[sl] = near[sl] & (trunk[sl] > spec.value("climb_trunk_deg"))
    return bool(runs(seq.times, on, spec.value("climb_min_s")))


@nan_quiet
def forward_bend(seq: PoseSequence, spec: MovementTestSpec) -> TestResult:
    """Measure a side-on video of repeated standing forward bends."""
    view = check_view(seq, spec)
    report = Report(spec, seq, view)
    t = seq.times
    sign = side_facing(seq, report.note)
    trunk, thigh = forward_trunk(seq, sign), forward_thigh(seq, sign)
    reps = find_reps(t, trunk, min_amplitude=spec.value("min_flexion_deg"))
    report.phases += rep_phases(t, reps)
    q = quality(seq)
    full = min(1.0, len(reps) / max(spec.repetitions, 1))
    peak = nanmax([peak_value(t, trunk, r) for r in reps])
    report.metric("max_trunk_flexion_deg", peak, q * full)
    for name, lo, hi in _phases(spec):
        shares = [_share(trunk, thigh, r, lo, hi, spec) for r in reps]
        report.metric(f"trunk_share_{name}_pct", nanmedian([s for s in shares if s is not None]), q * full)
    ratio = trunk_thigh_ratio(seq)
    short = nanmedian([s for r in reps if (s := _shortening(ratio, trunk, r, spec)) is not None])
    report.metric("trunk_line_shortening_pct", short, 0.5 * q * full)
    speed = np.abs(angular_velocity(t, trunk))
    for key, part in (("descent", "descent"), ("return", "ascent")):
        report.metric(
            f"{key}_speed_deg_s",
            nanmedian([float(np.nanmax(speed[getattr(r, part)])) for r in reps]),
            q * full,
        )
    for i, r in enumerate(reps, 1):
        report.event(r.middle(t), "peak", f"rep {i}: {trunk[r.peak]:.0f}° trunk flexion")
    if peak is not None:
        report.finding(
            "movement.forward_bend_max_trunk_flexion_deg",
            round(peak, 1),
            f"Largest forward trunk inclination over {len(reps)} repetition(s).",
            "max_trunk_flexion_deg",
        )
    if report.enough(len(reps)):
        _signs(seq, spec, report, reps, trunk, sign)
    return report.result(len(reps))


def _signs(
    seq: PoseSequence, spec: MovementTestSpec, report: Report, reps: list[Rep], trunk: FloatArray, sign: float
) -> None:
    """Aberrant-movement findings (Hicks 2005), true when seen in ``sign_min_reps`` reps."""
    t = seq.times
    need = int(spec.value("sign_min_reps"))
    found = jolts(t, trunk, min_size=spec.value("catch_min_deg"))
    catch = [[j for j in found if r.start <= j.index <= r.end] for r in reps]
    arcs = [
        hesitation(t, trunk, r.descent, dip=spec.value("hesitation_dip"))
        or hesitation(t, trunk, r.ascent, dip=spec.value("hesitation_dip"))
        for r in reps
    ]
    reversal = [_reversal(seq, trunk, sign, r, spec) for r in reps]
    climb = [_climbing(seq, trunk, r, spec) for r in reps]
    for i, js in enumerate(catch, 1):
        for j in js:
            report.event(j.time, "catch", f"rep {i}: sudden jolt of about {j.size:.0f}° in the trunk's path")
    for i, a in enumerate(arcs, 1):
        if a is not None:
            report.event(a, "hesitation", f"rep {i}: the movement slowed almost to a stop mid-range")
    signs = (
        (
            "movement.instability_catch",
            [bool(c) for c in catch],
            "catch_min_deg",
            "a sudden jolt in the trunk's path",
        ),
        (
            "movement.painful_arc_sign",
            [a is not None for a in arcs],
            "hesitation_dip",
            "a hesitation mid-range (the camera cannot see pain: say whether it hurt there)",
        ),
        (
            "movement.rhythm_reversal",
            reversal,
            "reversal_knee_deg",
            "on the way up, the knees bent and the hips came forward before the trunk rose",
        ),
        ("movement.thigh_climbing", climb, "climb_distance", "the hands pushed on the thighs on the way up"),
    )
    for fact, flags, basis, what in signs:
        seen = [i for i, f in enumerate(flags, 1) if f]
        if len(seen) >= need:
            reason = (
                f"Seen in {len(seen)} of {len(reps)} repetitions (reps {', '.join(map(str, seen))}): {what}."
            )
            report.finding(fact, True, reason, basis)
        else:
            report.finding(
                fact, False, f"Not seen in at least {need} of {len(reps)} repetitions: {what}.", basis
            )
