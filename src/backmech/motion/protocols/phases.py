"""Repetitions and phases of a movement from one angle signal.

A repetition is an excursion of the signal away from its resting level and back: it
starts where the signal leaves rest, peaks, may hold near the peak, and ends where it
comes back. Each one splits into *descent* (start → hold), *hold* and *return*
(hold → end), the phases in which clinicians look for aberrant movement (Hicks 2005:
painful arc, catch, reversal of rhythm "during flexion or the return").

Detection works on the cleaned, low-passed signal (the service has already filtered the
landmarks), with thresholds relative to the clip's own range so it does not depend on
how far a person can move: a repetition must rise past ``enter`` (50 %) of the clip's
range above rest, and rest is anything below ``leave`` (15 %). Rest frames separate
repetitions; the start and end are then walked outwards while the signal keeps falling,
so the phases include the whole excursion from upright.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from backmech.motion.kinematics import finite_runs, lowpass_signal
from backmech.motion.protocols.base import Phase
from backmech.motion.skeleton import FloatArray


@dataclass(frozen=True)
class Rep:
    """One repetition as frame indices (inclusive)."""

    start: int
    peak: int
    end: int
    hold_start: int
    hold_end: int

    @property
    def descent(self) -> slice:
        return slice(self.start, self.hold_start + 1)

    @property
    def ascent(self) -> slice:
        """The return from the peak (called ``return`` in phase names)."""
        return slice(self.hold_end, self.end + 1)

    @property
    def span(self) -> slice:
        return slice(self.start, self.end + 1)

    def middle(self, t: FloatArray) -> float:
        """Time of the middle of the hold at the peak (the single highest sample of a held
        position is wherever noise put it)."""
        return float((t[self.hold_start] + t[self.hold_end]) / 2)


def filled(t: FloatArray, x: FloatArray) -> FloatArray:
    """NaN samples replaced by linear interpolation over time (ends held); all-NaN if < 2 seen."""
    x = np.asarray(x, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(t)
    if ok.sum() < 2:
        return np.full_like(x, np.nan)
    return np.asarray(np.interp(t, t[ok], x[ok]), dtype=np.float64)


def rest_level(t: FloatArray, x: FloatArray, *, first_s: float = 1.0) -> float:
    """Resting value of a two-sided signal: the median of the first second if the person was
    still then (the clip starts in neutral), else the median of the whole clip."""
    xf = filled(t, x)
    if not np.isfinite(xf).any():
        return float("nan")
    head = xf[t - t[0] <= first_s]
    spread = float(np.nanpercentile(xf, 95) - np.nanpercentile(xf, 5))
    if head.size >= 5 and float(np.ptp(head)) < 0.15 * max(spread, 1e-9):
        return float(np.median(head))
    return float(np.median(xf))


def find_reps(
    t: FloatArray,
    x: FloatArray,
    *,
    min_amplitude: float,
    baseline: float | None = None,
    enter: float = 0.5,
    leave: float = 0.15,
    hold_band: float = 0.08,
    min_duration_s: float = 0.4,
) -> list[Rep]:
    """Excursions of ``x`` upwards from rest, at least ``min_amplitude`` high (signal units).

    ``baseline``: the resting level if known (e.g. 0 for a signed signal measured from
    neutral); otherwise the 5th percentile of the clip. ``hold_band``: share of the
    repetition's height within which the signal counts as holding at the peak.
    """
    xf = filled(t, x)
    if not np.isfinite(xf).any():
        return []
    base = float(np.percentile(xf, 5)) if baseline is None else baseline
    amp = float(np.percentile(xf, 98)) - base
    if amp < min_amplitude:
        return []
    n = len(xf)
    reps: list[Rep] = []
    for s, e in finite_runs(xf >= base + leave * amp):
        pk = s + int(np.argmax(xf[s:e]))
        height = xf[pk] - base
        if xf[pk] < base + enter * amp or height < min_amplitude:
            continue
        start, end = max(s - 1, 0), min(e, n - 1)
        floor = reps[-1].end if reps else 0
        while start > floor and xf[start - 1] < xf[start]:
            start -= 1
        while end < n - 1 and xf[end + 1] < xf[end]:
            end += 1
        if t[end] - t[start] < min_duration_s:
            continue
        band = max(hold_band * height, 1e-9)
        hs, he = pk, pk
        while hs > start and xf[hs - 1] >= xf[pk] - band:
            hs -= 1
        while he < end and xf[he + 1] >= xf[pk] - band:
            he += 1
        reps.append(Rep(start, pk, end, hs, he))
    return reps


def peak_value(t: FloatArray, x: FloatArray, rep: Rep, smooth_hz: float = 2.0) -> float:
    """The repetition's largest value, read from the signal smoothed at ``smooth_hz``.

    Taking the single highest sample of a noisy signal overestimates the range (the
    maximum of noise is positive); a 2 Hz low-pass removes most of the noise but not the
    peak of a movement that lasts a second or more.
    """
    xf = filled(t, x)
    if len(xf) > 15 and np.isfinite(xf).all():
        xf = lowpass_signal(t, xf, cutoff_hz=smooth_hz)
    return float(np.max(xf[rep.span]))


def change_at_hold(t: FloatArray, x: FloatArray, rep: Rep, before_s: float = 0.4) -> float:
    """Median of ``x`` over the hold minus its median over ``before_s`` before the repetition
    (a change against the posture just before, robust to noise and to a tilted camera)."""
    pre = (t >= t[rep.start] - before_s) & (t <= t[rep.start])
    held = x[rep.hold_start : rep.hold_end + 1]
    if not np.isfinite(x[pre]).any() or not np.isfinite(held).any():
        return float("nan")
    return float(np.nanmedian(held) - np.nanmedian(x[pre]))


def rep_phases(t: FloatArray, reps: Sequence[Rep], label: str = "rep") -> list[Phase]:
    """Descent, hold and return of every repetition, named ``<label> 1 descent`` …"""
    out: list[Phase] = []
    for i, r in enumerate(reps, 1):
        out.append(Phase(f"{label} {i} descent", float(t[r.start]), float(t[r.hold_start])))
        if r.hold_end > r.hold_start:
            out.append(Phase(f"{label} {i} hold", float(t[r.hold_start]), float(t[r.hold_end])))
        out.append(Phase(f"{label} {i} return", float(t[r.hold_end]), float(t[r.end])))
    return out


def crossing(x: FloatArray, level: float, sl: slice) -> int | None:
    """First index within ``sl`` where ``x`` reaches ``level`` (from below), or None."""
    idx = np.flatnonzero(np.asarray(x[sl]) >= level)
    return None if idx.size == 0 else int(idx[0]) + (sl.start or 0)


def runs(t: FloatArray, mask: npt.NDArray[np.bool_], min_duration_s: float) -> list[tuple[int, int]]:
    """Inclusive index ranges where ``mask`` holds for at least ``min_duration_s``."""
    return [
        (s, e - 1) for s, e in finite_runs(np.asarray(mask, dtype=bool)) if t[e - 1] - t[s] >= min_duration_s
    ]


def consistent(flags: Sequence[bool], needed: int) -> bool:
    """Seen in at least ``needed`` repetitions (clinical reference 4.6: flag only if seen
    in 3 or more of 5, so that one odd repetition does not make a finding)."""
    return sum(bool(f) for f in flags) >= needed
