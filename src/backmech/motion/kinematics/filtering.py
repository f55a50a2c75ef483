"""Zero-lag low-pass filtering of landmark tracks and angle signals.

A 4th-order Butterworth low-pass run forwards and backwards (``scipy.signal.sosfiltfilt``):
the two passes cancel each other's phase shift, so peaks and turning points keep their
timing, which repetition counting and phase detection rely on.

Cut-off: **6 Hz** by default. Winter (Biomechanics and Motor Control of Human Movement,
4th ed., Wiley 2009, ch. 3) shows that the signal power of limb and trunk trajectories in
everyday human movement lies below about 6 Hz, while digitising noise is broadband; 6 Hz
is his usual choice for walking and similar movement. Markerless 2D pose pipelines use the
same setting: Sports2D (Pagnon D, Kim H. J Open Source Softw 2024;9(101):6849,
doi:10.21105/joss.06849) filters its keypoints with a 4th-order, 6 Hz Butterworth by
default (``Config_demo.toml``, ``[post-processing.butterworth]``). ``cutoff_hz`` is the
design cut-off of one pass, as in those tools; the two-pass response is -6 dB there
instead of -3 dB.

Uneven time stamps (variable frame rate, common in phone video) are handled by resampling
each finite run linearly onto a uniform grid at the run's median frame interval,
filtering, and interpolating back at the original times, so output samples correspond
one-to-one with input samples.

NaN runs are filtered piecewise: each run of finite samples is filtered on its own;
runs too short for the filter's edge padding (``3 × (order + 1)`` samples, scipy's
``filtfilt`` convention; 15 samples = 0.5 s at 30 fps for order 4) are returned as they are.
If the cut-off is at or above the Nyquist frequency of the data, there is nothing to
remove and the samples are returned unchanged.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy import signal

from backmech.motion.kinematics.signals import finite_runs
from backmech.motion.skeleton import FloatArray, PoseSequence

__all__ = ["DEFAULT_CUTOFF_HZ", "DEFAULT_ORDER", "lowpass", "lowpass_signal"]

DEFAULT_CUTOFF_HZ = 6.0
"""Winter 2009; Sports2D default (see the module docstring)."""
DEFAULT_ORDER = 4

_UNIFORM_TOL = 0.01
"""Frame intervals within 1 % of their median count as uniform (time-base rounding)."""


def _padlen(order: int) -> int:
    return 3 * (order + 1)


def _filter_uniform(x: FloatArray, fs: float, cutoff_hz: float, order: int) -> FloatArray:
    """Filter (N, K) uniformly sampled finite columns along axis 0; short input unchanged."""
    wn = cutoff_hz / (fs / 2.0)
    padlen = _padlen(order)
    if wn >= 1.0 or x.shape[0] <= padlen:
        return x
    sos = signal.butter(order, wn, btype="low", output="sos")
    return np.asarray(signal.sosfiltfilt(sos, x, axis=0, padlen=padlen), dtype=np.float64)


def _filter_run(t: FloatArray, x: FloatArray, cutoff_hz: float, order: int) -> FloatArray:
    """Filter one run of finite (N, K) samples at times ``t`` (possibly uneven)."""
    if t.size < 2:
        return x
    dt = np.diff(t)
    step = float(np.median(dt))
    if step <= 0:
        return x
    if np.all(np.abs(dt - step) <= _UNIFORM_TOL * step):
        return _filter_uniform(x, 1.0 / float(np.mean(dt)), cutoff_hz, order)
    n = round((t[-1] - t[0]) / step) + 1
    grid = np.linspace(t[0], t[-1], n)
    fs = (n - 1) / (t[-1] - t[0])
    resampled = np.column_stack([np.interp(grid, t, x[:, k]) for k in range(x.shape[1])])
    smooth = _filter_uniform(resampled, fs, cutoff_hz, order)
    if smooth is resampled:
        return x
    return np.column_stack([np.interp(t, grid, smooth[:, k]) for k in range(x.shape[1])])


def lowpass_signal(
    t: FloatArray, x: FloatArray, *, cutoff_hz: float = DEFAULT_CUTOFF_HZ, order: int = DEFAULT_ORDER
) -> FloatArray:
    """Zero-lag Butterworth low-pass of a (T,) or (T, ...) signal over times ``t``.

    NaN stays NaN; each finite run is filtered separately (see the module docstring).

    Example:
        >>> import numpy as np
        >>> t = np.arange(300) / 100.0
        >>> clean = np.sin(2 * np.pi * t)
        >>> noisy = clean + 0.2 * np.sin(2 * np.pi * 20 * t)
        >>> bool(np.abs(lowpass_signal(t, noisy, cutoff_hz=6.0) - clean)[30:-30].max() < 0.01)
        True
    """
    if cutoff_hz <= 0:
        raise ValueError(f"cutoff_hz must be > 0, got {cutoff_hz}")
    if order < 1:
        raise ValueError(f"order must be >= 1, got {order}")
    t = np.asarray(t, dtype=np.float64)
    values = np.asarray(x, dtype=np.float64)
    if t.ndim != 1 or values.shape[:1] != t.shape:
        raise ValueError(f"x must have the length of t along axis 0, got {values.shape} for {t.shape}")
    columns = values.reshape(t.size, int(np.prod(values.shape[1:])))
    out = np.full(columns.shape, np.nan)
    finite = np.isfinite(columns) & np.isfinite(t)[:, None]
    # Columns with the same missing pattern are filtered together (usually all of a landmark).
    patterns: dict[bytes, list[int]] = {}
    for k in range(columns.shape[1]):
        patterns.setdefault(finite[:, k].tobytes(), []).append(k)
    for cols in patterns.values():
        for start, stop in finite_runs(finite[:, cols[0]]):
            out[start:stop, cols] = _filter_run(t[start:stop], columns[start:stop, cols], cutoff_hz, order)
    return out.reshape(values.shape)


def lowpass(
    seq: PoseSequence, *, cutoff_hz: float = DEFAULT_CUTOFF_HZ, order: int = DEFAULT_ORDER
) -> PoseSequence:
    """Low-pass every landmark track (image and world) of a sequence; visibility unchanged.

    Run :func:`~backmech.motion.kinematics.gaps.reject_outliers` and
    :func:`~backmech.motion.kinematics.gaps.fill_gaps` first: one wrong sample would be
    smeared over its neighbours, and each NaN shortens the runs the filter can work on.
    """
    image = lowpass_signal(seq.times, seq.image, cutoff_hz=cutoff_hz, order=order)
    world = None
    if seq.world is not None:
        world = lowpass_signal(seq.times, seq.world, cutoff_hz=cutoff_hz, order=order)
    return replace(seq, image=image, world=world)
