"""Signs of poor movement control in a trajectory: sudden jolts and mid-range hesitations.

Hicks 2005 lists the aberrant movements clinicians look for while a person bends and
comes back up: an *instability catch* (sudden acceleration or deceleration) and a
*painful arc* (symptoms in part of the range, which shows as the person slowing or
stopping there). Source article A describes the same kind of fault at the end of a twist:
a small, sudden shift ("clunk") when control is lost. A camera sees only the motion, not
the pain, so these detectors report the visible part and the findings say so.

* :func:`jolts` — a smooth voluntary movement has little power above ~2 Hz, while a catch
  or clunk is a step-like change over a few hundredths of a second. The part of the
  signal a 2 Hz low-pass removes (the residual) is therefore small during smooth movement
  and swings by about the size of the step at a jolt. A jolt is reported where the
  residual's peak-to-peak over ±0.15 s exceeds both an absolute size (a threshold of the
  test, in the signal's units) and ``sigma`` robust standard deviations of the residual
  (so that landmark noise in a poor recording does not raise alarms).
* :func:`hesitation` — within one phase, the speed of a smooth movement rises and falls
  once (a bell). A dip of the speed below ``dip`` × its peak in the middle of the range
  (20-80 % of the phase's excursion), with faster movement on both sides, is a hesitation.

Both thresholds are implementation heuristics (source ``heuristic-video-thresholds``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from backmech.motion.kinematics import angular_velocity, lowpass_signal
from backmech.motion.protocols.phases import filled
from backmech.motion.skeleton import FloatArray

SMOOTH_HZ = 2.0
"""Voluntary trunk movements of a test like this one stay below this frequency."""
WINDOW_S = 0.15
SIGMA = 4.5
"""Jolts must exceed this many robust standard deviations of the residual (× 2 for peak-to-peak)."""
EDGE_S = 0.3
"""Filter edge effects: the first and last 0.3 s of a clip are not searched."""


@dataclass(frozen=True)
class Jolt:
    index: int
    time: float
    size: float
    """Peak-to-peak of the residual around the jolt (signal units, ≈ the step size)."""


def _window(t: FloatArray, seconds: float) -> int:
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
    return max(3, round(2 * seconds / max(dt, 1e-6)) | 1)


def residual(t: FloatArray, x: FloatArray, cutoff_hz: float = SMOOTH_HZ) -> FloatArray:
    """What a ``cutoff_hz`` low-pass removes from the (gap-filled) signal."""
    xf = filled(t, x)
    if not np.isfinite(xf).any():
        return xf
    return np.asarray(xf - lowpass_signal(t, xf, cutoff_hz=cutoff_hz), dtype=np.float64)


def jolts(
    t: FloatArray,
    x: FloatArray,
    *,
    min_size: float,
    sigma: float = SIGMA,
    merge_s: float = 0.4,
    where: npt.NDArray[np.bool_] | None = None,
) -> list[Jolt]:
    """Sudden step-like changes in ``x`` (see the module docstring).

    ``where``: only these frames are searched, and the noise level is estimated from them
    (e.g. the end range of each turn, where the rotation test looks for a clunk).
    """
    r = residual(t, x)
    if len(r) < 10 or not np.isfinite(r).any():
        return []
    w = _window(t, WINDOW_S)
    p2p = ndimage.maximum_filter1d(r, w, mode="nearest") - ndimage.minimum_filter1d(r, w, mode="nearest")
    core = (t - t[0] >= EDGE_S) & (t[-1] - t >= EDGE_S)
    if where is not None:
        core &= where
    mad = float(np.median(np.abs(r[core] - np.median(r[core])))) * 1.4826 if core.any() else 0.0
    limit = max(min_size, sigma * 2.0 * mad)
    found: list[Jolt] = []
    candidates = np.flatnonzero(core & (p2p >= limit))
    for i in candidates[np.argsort(-p2p[candidates])]:
        if all(abs(t[i] - j.time) > merge_s for j in found):
            found.append(Jolt(int(i), float(t[i]), float(p2p[i])))
    return sorted(found, key=lambda j: j.time)


def hesitation(
    t: FloatArray, x: FloatArray, phase: slice, *, dip: float, lo: float = 0.2, hi: float = 0.8
) -> float | None:
    """Time of a mid-range hesitation within ``phase``, or None (see the module docstring)."""
    tt = np.asarray(t[phase], dtype=np.float64)
    seg = filled(tt, np.asarray(x[phase], dtype=np.float64))
    if len(seg) < 8 or not np.isfinite(seg).all() or abs(seg[-1] - seg[0]) < 1e-9:
        return None
    speed = np.abs(angular_velocity(tt, seg))
    if len(seg) > 15:
        speed = np.abs(lowpass_signal(tt, speed, cutoff_hz=3.0))
    top = float(np.nanmax(speed))
    if not np.isfinite(top) or top <= 0:
        return None
    progress = (seg - seg[0]) / (seg[-1] - seg[0])
    fast = speed >= 0.5 * top
    for i in np.flatnonzero((progress > lo) & (progress < hi) & (speed < dip * top)):
        if fast[:i].any() and fast[i:].any():
            return float(tt[i])
    return None
