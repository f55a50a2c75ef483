"""Time-series helpers on uneven time stamps: finite runs, derivatives, frame quality.

Phone videos often have a variable frame rate, so every derivative here uses the actual
time stamps (``numpy.gradient`` with coordinates, second-order accurate on uneven
spacing) instead of assuming a constant frame interval. NaN samples split a signal into
runs that are differentiated separately: a missing frame stays NaN and never leaks a
spurious slope into its neighbours.

Differentiation amplifies noise (jerk by far the most): low-pass the angle first with
:func:`backmech.motion.kinematics.filtering.lowpass_signal`, at a cut-off matched to the
movement rather than the 6 Hz used for positions. On a synthetic 0.4 Hz squat with 2 px
landmark jitter, the 6 Hz positions alone leave about 12 % RMS error in knee angular
velocity, and a further 3 Hz pass on the angle about 6 % (tests/motion/test_kinematics_chain.py).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from backmech.motion.skeleton import INDEX, FloatArray, PoseSequence

__all__ = ["QUALITY_LANDMARKS", "angular_velocity", "finite_runs", "frame_quality", "jerk"]

QUALITY_LANDMARKS: tuple[str, ...] = (
    "left_shoulder",
    "right_shoulder",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
)
"""The landmarks every movement test here depends on (trunk and lower limbs)."""


def finite_runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Half-open ``(start, stop)`` index ranges of consecutive True values.

    Example:
        >>> import numpy as np
        >>> finite_runs(np.array([True, True, False, True]))
        [(0, 2), (3, 4)]
    """
    padded = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _check(t: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    t = np.asarray(t, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    if t.ndim != 1 or x.shape != t.shape:
        raise ValueError(f"times and values must both be 1-D of the same length, got {t.shape} and {x.shape}")
    return t, x


def _derivative(t: FloatArray, x: FloatArray) -> FloatArray:
    """d x / d t per finite run; runs of one sample (no slope) give NaN."""
    out = np.full(x.shape, np.nan)
    for start, stop in finite_runs(np.isfinite(x) & np.isfinite(t)):
        n = stop - start
        if n < 2:
            continue
        out[start:stop] = np.gradient(x[start:stop], t[start:stop], edge_order=2 if n >= 3 else 1)
    return out


def angular_velocity(t: FloatArray, angle: FloatArray) -> FloatArray:
    """Angular velocity in deg/s on the given (possibly uneven) time stamps.

    The angle is unwrapped first (period 360°) within each run, so a segment angle
    crossing ±180° does not produce a spurious 360° jump.

    Example:
        >>> import numpy as np
        >>> t = np.array([0.0, 0.1, 0.25, 0.3])
        >>> np.allclose(angular_velocity(t, 20.0 * t), 20.0)
        True
    """
    t, x = _check(t, angle)
    unwrapped = x.copy()
    for start, stop in finite_runs(np.isfinite(x)):
        unwrapped[start:stop] = np.unwrap(x[start:stop], period=360.0)
    return _derivative(t, unwrapped)


def jerk(t: FloatArray, angle: FloatArray) -> FloatArray:
    """Third time derivative of an angle in deg/s³ (smoothness of the movement).

    Computed as three successive uneven-grid gradients; filter the angle first.
    """
    t, _ = _check(t, angle)
    return _derivative(t, _derivative(t, angular_velocity(t, angle)))


def frame_quality(seq: PoseSequence) -> FloatArray:
    """Per-frame quality 0-1: mean visibility of :data:`QUALITY_LANDMARKS`.

    A landmark with no image coordinates counts as 0 whatever its visibility says, so a
    frame where nothing is seen scores 0 and a fully seen, confident frame scores ~1.
    """
    idx = [INDEX[name] for name in QUALITY_LANDMARKS]
    vis = np.asarray(seq.visibility[:, idx], dtype=np.float64)
    seen = np.isfinite(seq.image[:, idx, :]).all(axis=2) & np.isfinite(vis)
    vis = np.clip(np.where(seen, vis, 0.0), 0.0, 1.0)
    return np.asarray(vis.mean(axis=1) if len(idx) else np.zeros(len(seq)), dtype=np.float64)
