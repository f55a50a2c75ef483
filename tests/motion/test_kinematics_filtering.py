"""Low-pass filtering: zero lag, noise attenuation, uneven times, NaN runs, whole sequences."""

from __future__ import annotations

import numpy as np
import pytest

from backmech.motion.kinematics import lowpass, lowpass_signal
from backmech.motion.skeleton import INDEX, N_LANDMARKS, FloatArray, PoseSequence

RNG_SEED = 20240601


def sine(t: FloatArray, hz: float = 1.0) -> FloatArray:
    return np.asarray(np.sin(2 * np.pi * hz * t))


def peak_times(t: FloatArray, x: FloatArray) -> FloatArray:
    inner = (x[1:-1] > x[:-2]) & (x[1:-1] >= x[2:]) & (x[1:-1] > 0.5)
    return t[1:-1][inner]


def uneven_times(n: int, mean_dt: float, seed: int = RNG_SEED) -> FloatArray:
    """Variable frame rate: intervals drawn uniformly within ±30 % of ``mean_dt``."""
    dt = np.random.default_rng(seed).uniform(0.7 * mean_dt, 1.3 * mean_dt, n - 1)
    return np.concatenate([[0.0], np.cumsum(dt)])


def test_zero_lag_peak_time_unchanged_within_one_sample() -> None:
    t = np.arange(120) / 30.0
    noisy = sine(t) + 0.05 * np.random.default_rng(RNG_SEED).standard_normal(t.size)
    out = lowpass_signal(t, noisy, cutoff_hz=6.0)
    truth = peak_times(t, sine(t))
    found = peak_times(t, out)
    assert found.size == truth.size == 4
    assert np.all(np.abs(found - truth) <= 1 / 30.0 + 1e-9)


def test_20hz_noise_on_a_1hz_signal_is_removed() -> None:
    t = np.arange(400) / 100.0
    clean = sine(t)
    noise = 0.3 * sine(t, 20.0)
    out = lowpass_signal(t, clean + noise, cutoff_hz=6.0)
    inner = slice(40, -40)  # away from the edge transients
    residual = out[inner] - clean[inner]
    assert np.abs(residual).max() < 0.01 * 0.3  # 20 Hz attenuated by more than 40 dB
    # the 1 Hz movement itself keeps its amplitude (within 1 %)
    assert out[inner].max() == pytest.approx(1.0, rel=0.01)


def test_uneven_timestamps_are_filtered_in_time_and_returned_on_the_same_stamps() -> None:
    t = uneven_times(400, 0.01)
    clean = sine(t)
    out = lowpass_signal(t, clean + 0.3 * sine(t, 20.0), cutoff_hz=6.0)
    assert out.shape == t.shape
    inner = slice(40, -40)
    assert np.abs(out[inner] - clean[inner]).max() < 0.03
    truth, found = peak_times(t, clean), peak_times(t, out)
    assert found.size == truth.size
    assert np.all(np.abs(found - truth) <= 0.013 + 1e-9)  # within one (longest) frame interval


def test_uneven_30fps_clip_is_smoothed_as_well_as_an_even_one() -> None:
    """Resampling to a uniform grid and back costs (almost) nothing in accuracy."""

    noise = np.random.default_rng(RNG_SEED + 1).normal(0, 2.0, 150)
    inner = slice(15, -15)

    def rms_error(t: FloatArray) -> float:
        clean = 40 * sine(t, 0.5)  # a slow 40° bend, 2 s per repetition
        return float(np.sqrt(np.mean((lowpass_signal(t, clean + noise)[inner] - clean[inner]) ** 2)))

    even, uneven = rms_error(np.arange(150) / 30.0), rms_error(uneven_times(150, 1 / 30))
    # white noise spread over 0-15 Hz; a 6 Hz low-pass keeps under half of its power
    assert even < np.sqrt(np.mean(noise[inner] ** 2)) * np.sqrt(0.5)
    assert uneven < even * 1.1


def test_nan_runs_are_filtered_piecewise_and_stay_nan() -> None:
    t = np.arange(200) / 100.0
    x = sine(t) + 0.3 * sine(t, 20.0)
    x[80:90] = np.nan
    x[190:] = np.nan
    x[0] = np.nan
    short = x.copy()
    out = lowpass_signal(t, x, cutoff_hz=6.0)
    assert np.array_equal(np.isnan(out), np.isnan(x))
    # well inside each run the 20 Hz ripple is gone; at run edges the filter settles
    assert np.abs(out[25:55] - sine(t)[25:55]).max() < 0.01
    assert np.abs(out[115:165] - sine(t)[115:165]).max() < 0.01
    assert np.abs(out[1:80] - sine(t)[1:80]).mean() < 0.1 * 0.3
    # runs too short for the filter's padding (<= 15 samples at order 4) are left as they are
    short[:] = np.nan
    short[50:60] = x[50:60]
    assert np.array_equal(lowpass_signal(t, short), short, equal_nan=True)


def test_columns_with_different_gaps_and_cutoff_above_nyquist() -> None:
    t = np.arange(100) / 30.0
    x = np.column_stack([sine(t), sine(t), 3 * np.ones(t.size)])
    x[40:45, 1] = np.nan
    out = lowpass_signal(t, x)
    assert np.isnan(out[40:45, 1]).all() and np.isfinite(out[:, 0]).all()
    assert np.allclose(out[:, 2], 3.0)  # a constant passes unchanged
    assert np.array_equal(lowpass_signal(t, x, cutoff_hz=20.0), x, equal_nan=True)  # Nyquist 15 Hz


def test_bad_arguments_are_rejected() -> None:
    t = np.arange(10.0)
    with pytest.raises(ValueError, match="cutoff_hz"):
        lowpass_signal(t, t, cutoff_hz=0.0)
    with pytest.raises(ValueError, match="order"):
        lowpass_signal(t, t, cutoff_hz=1.0, order=0)
    with pytest.raises(ValueError, match="length"):
        lowpass_signal(t, t[:5], cutoff_hz=1.0)


def test_lowpass_sequence_filters_image_and_world_and_keeps_nan() -> None:
    t = uneven_times(90, 1 / 30)
    rng = np.random.default_rng(RNG_SEED)
    image = 500 + 100 * sine(t)[:, None, None] + rng.normal(0, 3, (t.size, N_LANDMARKS, 2))
    image[:, INDEX["nose"]] = np.nan
    image[30:33, INDEX["left_knee"]] = np.nan
    world = 0.2 * sine(t)[:, None, None] + rng.normal(0, 0.01, (t.size, N_LANDMARKS, 3))
    vis = rng.uniform(0, 1, (t.size, N_LANDMARKS))
    seq = PoseSequence(t, image, vis, world, 1920, 1080, "test")
    out = lowpass(seq)
    assert out.image.shape == image.shape and out.world is not None and out.world.shape == world.shape
    assert np.array_equal(np.isnan(out.image), np.isnan(image))
    assert np.array_equal(out.visibility, vis) and out.times is seq.times
    knee = out.image[40:80, INDEX["right_knee"], 0]
    assert np.std(np.diff(knee)) < np.std(np.diff(image[40:80, INDEX["right_knee"], 0]))
    assert np.std(np.diff(out.world[:, 0, 2])) < np.std(np.diff(world[:, 0, 2]))
    assert lowpass(PoseSequence(t, image, vis, None, 1920, 1080, "test")).world is None
