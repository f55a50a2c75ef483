"""Cleaning landmark tracks before filtering: confidence masking, outliers, short gaps.

Order in a pipeline: :func:`reject_outliers` → :func:`fill_gaps` → ``lowpass``. The
Butterworth filter spreads a single wrong sample over its neighbours, so wrong samples
must become NaN first, and the holes must be bridged (where short) so the filter sees
runs long enough to work on.

Why these choices:

* **Confidence masking.** A pose model still returns coordinates for landmarks it cannot
  see (guessed from the rest of the body); BlazePose's visibility says how far to trust
  them. Below ``min_visibility`` (0.5, MediaPipe's own default threshold for drawing a
  landmark) the point becomes NaN.
* **Linear interpolation over time, only for short gaps.** It cannot overshoot the two
  samples it bridges, and over ≤ 0.25 s (well under one period of the ≤ 6 Hz content of
  human movement, see ``filtering``) a straight line is close to the true path. Longer
  gaps stay NaN: inventing a quarter-second or more of motion would create findings.
  Nothing is extrapolated before the first or after the last seen sample.
* **Outliers as speed violations.** A point that leaves its track faster than a body
  can move, and comes back, is a detector glitch. Speed is measured in torso lengths per
  second so the limit holds at any camera distance; 8 torso lengths/s ≈ 4 m/s for a 0.5 m
  torso, above hip, knee and trunk speeds in the movement tests here. Genuinely fast
  motion that does not return is kept (see :func:`reject_outliers`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from backmech.motion.kinematics.angles import reference_torso_length
from backmech.motion.kinematics.signals import finite_runs
from backmech.motion.skeleton import FloatArray, PoseSequence

__all__ = ["fill_gaps", "fill_signal_gaps", "fillable", "reject_outliers"]

BoolArray = npt.NDArray[np.bool_]

_TIME_TOL = 1e-9
"""Seconds of slack when comparing a gap with its limit (time stamps are rounded)."""


def fillable(t: FloatArray, valid: BoolArray, max_gap_s: float) -> BoolArray:
    """Which missing samples lie in a gap short enough to bridge.

    A gap is a run of invalid samples with a valid sample on both sides; its length is
    the time between those two valid samples (the span the interpolation bridges), so
    with 30 fps and 0.25 s up to 6 consecutive missing frames are filled.
    """
    valid = np.asarray(valid, dtype=bool)
    out = np.zeros(valid.shape, dtype=bool)
    for start, stop in finite_runs(~valid):
        if start == 0 or stop == valid.size:
            continue
        if t[stop] - t[start - 1] <= max_gap_s + _TIME_TOL:
            out[start:stop] = True
    return out


def _interpolate(t: FloatArray, x: FloatArray, valid: BoolArray, fill: BoolArray) -> None:
    """Linear interpolation in place of ``x[fill, ...]`` from ``x[valid, ...]`` (x is (T, K))."""
    if not fill.any():
        return
    for k in range(x.shape[1]):
        x[fill, k] = np.interp(t[fill], t[valid], x[valid, k])


def fill_signal_gaps(t: FloatArray, x: FloatArray, *, max_gap_s: float = 0.25) -> FloatArray:
    """Bridge NaN gaps of at most ``max_gap_s`` in a (T,) or (T, K) signal, column by column.

    Example:
        >>> import numpy as np
        >>> fill_signal_gaps(np.arange(4) / 10, np.array([0.0, np.nan, 2.0, np.nan])).tolist()
        [0.0, 1.0, 2.0, nan]
    """
    t = np.asarray(t, dtype=np.float64)
    out = np.array(x, dtype=np.float64, copy=True)
    columns = out.reshape(out.shape[0], int(np.prod(out.shape[1:])))
    for k in range(columns.shape[1]):
        valid = np.isfinite(columns[:, k])
        fill = fillable(t, valid, max_gap_s)
        if fill.any():
            columns[fill, k] = np.interp(t[fill], t[valid], columns[valid, k])
    return out


def fill_gaps(seq: PoseSequence, *, max_gap_s: float = 0.25, min_visibility: float = 0.5) -> PoseSequence:
    """Mask low-confidence landmarks, then bridge short gaps by interpolation over time.

    Per landmark: samples with visibility below ``min_visibility`` (or no coordinates)
    become NaN in ``image`` and ``world``; gaps of at most ``max_gap_s`` seconds between
    two trusted samples are filled linearly over the (possibly uneven) time stamps;
    longer, leading and trailing gaps stay NaN.

    A filled landmark gets visibility ``min_visibility`` (just trusted), so calling
    ``fill_gaps`` twice changes nothing and frame quality still shows that the frame was
    partly guessed. Masked landmarks that stay NaN keep their original visibility.
    """
    if max_gap_s < 0:
        raise ValueError(f"max_gap_s must be >= 0, got {max_gap_s}")
    t = seq.times
    image = np.array(seq.image, dtype=np.float64, copy=True)
    visibility = np.array(seq.visibility, dtype=np.float64, copy=True)
    world = None if seq.world is None else np.array(seq.world, dtype=np.float64, copy=True)
    with np.errstate(invalid="ignore"):
        trusted = (visibility >= min_visibility) & np.isfinite(image).all(axis=2)
    image[~trusted] = np.nan
    if world is not None:
        world[~trusted] = np.nan
    for j in range(image.shape[1]):
        valid = trusted[:, j]
        fill = fillable(t, valid, max_gap_s)
        if not fill.any():
            continue
        _interpolate(t, image[:, j, :], valid, fill)
        if world is not None:
            w = world[:, j, :]
            world_valid = valid & np.isfinite(w).all(axis=1)
            _interpolate(t, w, world_valid, fill & fillable(t, world_valid, max_gap_s))
        visibility[fill, j] = min_visibility
    return replace(seq, image=image, visibility=visibility, world=world)


def _jumps(t: FloatArray, xy: FloatArray, limit: float) -> BoolArray:
    """For consecutive samples, whether the step between them is faster than ``limit``."""
    step = np.linalg.norm(np.diff(xy, axis=0), axis=1)
    return np.asarray(step > limit * np.diff(t), dtype=bool)


def _outlier_samples(t: FloatArray, xy: FloatArray, limit: float, max_outlier_s: float) -> BoolArray:
    """Mask over ``xy`` of the samples that jump away and come back.

    The seen samples are split into runs wherever one step exceeds the speed limit. A
    block of consecutive runs spanning less than ``max_outlier_s`` is an outlier when the
    run before it and the run after it connect without exceeding the limit (the point
    went away and returned); at the start or end of the track, when its only neighbour
    run is long. Repeats until nothing changes, so nested glitches are caught too.
    """
    bad = np.zeros(len(t), dtype=bool)
    while True:
        idx = np.flatnonzero(np.isfinite(xy).all(axis=1) & ~bad)
        if idx.size < 2:
            return bad
        jump = _jumps(t[idx], xy[idx], limit)
        if not jump.any():
            return bad
        cuts = np.flatnonzero(jump) + 1
        runs = np.split(idx, cuts)
        found = False
        for i in range(len(runs)):
            for j in range(i, len(runs)):
                span = t[runs[j][-1]] - t[runs[i][0]]
                if span >= max_outlier_s:
                    break
                if i > 0 and j < len(runs) - 1:
                    a, b = runs[i - 1][-1], runs[j + 1][0]
                    returns = not _jumps(t[[a, b]], xy[[a, b]], limit)[0]
                elif i == 0 and j < len(runs) - 1:
                    nxt = runs[j + 1]
                    returns = t[nxt[-1]] - t[nxt[0]] >= max_outlier_s
                elif i > 0 and j == len(runs) - 1:
                    prev = runs[i - 1]
                    returns = t[prev[-1]] - t[prev[0]] >= max_outlier_s
                else:
                    returns = False
                if returns:
                    bad[np.concatenate(runs[i : j + 1])] = True
                    found = True
                    break
            if found:
                break
        if not found:
            return bad


def reject_outliers(
    seq: PoseSequence, *, max_speed_body_lengths_s: float = 8.0, max_outlier_s: float = 0.2
) -> PoseSequence:
    """Set to NaN landmark samples that jump away faster than a body can move and return.

    The limit is ``max_speed_body_lengths_s`` × the clip's median torso length per
    second, applied between consecutive seen samples on the real time stamps. Only
    excursions shorter than ``max_outlier_s`` are removed, and only when the track
    before and after them agrees; sustained fast motion and genuine jumps that stay
    (e.g. a new person) are kept. Rejected samples get NaN coordinates (image and world)
    and visibility 0. Without a measurable torso the sequence is returned unchanged.
    """
    if max_speed_body_lengths_s <= 0:
        raise ValueError(f"max_speed_body_lengths_s must be > 0, got {max_speed_body_lengths_s}")
    scale = reference_torso_length(seq)
    if not np.isfinite(scale) or len(seq) < 2:
        return seq
    limit = max_speed_body_lengths_s * scale
    image = np.array(seq.image, dtype=np.float64, copy=True)
    visibility = np.array(seq.visibility, dtype=np.float64, copy=True)
    world = None if seq.world is None else np.array(seq.world, dtype=np.float64, copy=True)
    for j in range(image.shape[1]):
        bad = _outlier_samples(seq.times, image[:, j, :], limit, max_outlier_s)
        if bad.any():
            image[bad, j, :] = np.nan
            visibility[bad, j] = 0.0
            if world is not None:
                world[bad, j, :] = np.nan
    return replace(seq, image=image, visibility=visibility, world=world)
