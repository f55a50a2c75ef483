"""Sitting posture, filmed side-on: slumped or upright, and what the posture fix changed.

Source article A: a slumped sitter was shown in 30 seconds how to sit so that the
painful structure was unloaded, and the pain went. The test films the person sitting as
they usually do, then sitting tall (the fix), and compares the two still postures.

Measured in each still posture (the signals steady for ``still_s``):

* **Trunk inclination** — the trunk line against vertical, + = forward, − = reclined.
  Slumping on a stool tilts the pelvis back, which shows as the trunk line reclining.
* **Head forward** — the shoulder → ear line against the trunk line (hip → shoulder),
  + = the head carried forward of the trunk. Measured against the trunk rather than
  vertical so that a slouch that reclines the trunk still shows its poking chin (a
  smartphone proxy; it is not the craniovertebral angle, which needs a C7 marker).
* **Trunk-line length** against the thigh (see :func:`measure.trunk_thigh_ratio`): it
  shortens as the back rounds; compared between the two postures.

The pelvis itself has no landmark (clinical reference 4.0), so pelvic tilt is not
reported. A posture counts as slumped when at least two of three signs are present:
trunk reclined more than ``recline_deg``, head forward more than ``head_forward_deg``,
trunk line at least ``rounding_pct`` shorter than in the other posture (when filmed).
Filmed alone, a hunch forward over a desk (trunk not reclined) shows only the head sign
and is not called slumped: the sitting-tall half of the video is what reveals it.
"""

from __future__ import annotations

import numpy as np

from backmech.motion.kinematics import angular_velocity, lowpass_signal, segment_angle_to_vertical
from backmech.motion.protocols.base import Phase, TestResult
from backmech.motion.protocols.measure import (
    Report,
    facing,
    forward_trunk,
    nan_quiet,
    quality,
    trunk_thigh_ratio,
)
from backmech.motion.protocols.phases import filled, runs
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.motion.protocols.view import SEATED, check_view
from backmech.motion.skeleton import FloatArray, PoseSequence

THRESHOLDS = ("still_s", "recline_deg", "head_forward_deg", "rounding_pct")
METRICS = (
    "trunk_inclination_deg",
    "head_forward_deg",
    "corrected_trunk_inclination_deg",
    "corrected_head_forward_deg",
    "trunk_line_gain_pct",
)


def _head(seq: PoseSequence, sign: float) -> FloatArray:
    """Shoulder → ear line against the trunk line, + = head carried forward of the trunk."""
    mid_s = (seq.point("left_shoulder") + seq.point("right_shoulder")) / 2
    mid_e = (seq.point("left_ear") + seq.point("right_ear")) / 2
    return np.asarray(
        segment_angle_to_vertical(mid_s, mid_e) * sign - forward_trunk(seq, sign), dtype=np.float64
    )


def _postures(t: FloatArray, signals: list[FloatArray], still_s: float) -> list[tuple[int, int]]:
    """Stretches where every signal (smoothed at 1 Hz: the short head line is noisy) moves
    slower than 5°/s for at least ``still_s``."""
    slow = np.ones(len(t), dtype=bool)
    for x in signals:
        xf = filled(t, x)
        if not np.isfinite(xf).any():
            return []
        if len(xf) > 15:
            xf = lowpass_signal(t, xf, cutoff_hz=1.0)
        slow &= np.abs(angular_velocity(t, xf)) < 5.0
    return runs(t, slow, still_s)


@nan_quiet
def sitting(seq: PoseSequence, spec: MovementTestSpec) -> TestResult:
    """Measure a side-on video of sitting as usual, then sitting tall."""
    view = check_view(seq, spec, needs=SEATED)
    report = Report(spec, seq, view)
    t = seq.times
    sign = facing(seq)
    if sign == 0:
        report.note("Could not tell which way you face (face not seen side-on); assumed +x.")
        sign = 1.0
    trunk, head, ratio = forward_trunk(seq, sign), _head(seq, sign), trunk_thigh_ratio(seq)
    spans = _postures(t, [trunk, head], spec.value("still_s"))
    if not spans:
        report.note(
            f"No still posture of {spec.value('still_s'):.0f} s was found: sit still for a few seconds."
        )
        for key in METRICS:
            report.metric(key, None, 0.0)
        return report.result(0)
    first, last = spans[0], spans[-1]
    two = len(spans) > 1 and _differs(trunk, head, first, last)

    def at(x: FloatArray, span: tuple[int, int]) -> float:
        return float(np.nanmedian(x[span[0] : span[1] + 1]))

    q = quality(seq)
    report.phases.append(Phase("usual posture", float(t[first[0]]), float(t[first[1]])))
    report.metric("trunk_inclination_deg", at(trunk, first), q)
    report.metric("head_forward_deg", at(head, first), q)
    gain = None
    if two:
        report.phases.append(Phase("sitting tall", float(t[last[0]]), float(t[last[1]])))
        report.metric("corrected_trunk_inclination_deg", at(trunk, last), q)
        report.metric("corrected_head_forward_deg", at(head, last), q)
        gain = 100.0 * (at(ratio, last) / at(ratio, first) - 1.0)
        report.metric("trunk_line_gain_pct", gain, 0.5 * q)
    else:
        for key in ("corrected_trunk_inclination_deg", "corrected_head_forward_deg", "trunk_line_gain_pct"):
            report.metric(key, None, 0.0)
        report.note("Only one posture was filmed: sit as usual, then sit tall, to see what the fix changes.")
    signs = {
        "the trunk reclined": -at(trunk, first) > spec.value("recline_deg"),
        "the head was forward": at(head, first) > spec.value("head_forward_deg"),
    }
    if gain is not None:
        signs["the trunk line was shorter than when sitting tall"] = gain >= spec.value("rounding_pct")
    present = [k for k, v in signs.items() if v]
    slumped = len(present) >= 2
    report.finding(
        "movement.sitting_slumped",
        slumped,
        (f"Usual posture: {', '.join(present)}." if present else "Usual posture: no sign of slumping.")
        + f" {len(present)} of {len(signs)} signs (slumped at 2).",
        "recline_deg",
    )
    report.finding(
        "movement.sitting_head_forward_deg",
        round(at(head, first), 1),
        "Head carried forward of the trunk line in the usual posture "
        "(shoulder-to-ear line against hip-to-shoulder line).",
        "head_forward_deg",
    )
    return report.result(len(spans))


def _differs(trunk: FloatArray, head: FloatArray, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Two still stretches are different postures if the trunk or head moved 5° or more."""
    med = [float(np.nanmedian(x[s[0] : s[1] + 1])) for x in (trunk, head) for s in (a, b)]
    return abs(med[0] - med[1]) >= 5.0 or abs(med[2] - med[3]) >= 5.0
