"""Derivatives on uneven time stamps, NaN runs, and per-frame quality."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backmech.motion.kinematics import angular_velocity, finite_runs, frame_quality, jerk
from backmech.motion.skeleton import INDEX, N_LANDMARKS, PoseSequence

UNEVEN = np.array([0.0, 0.03, 0.07, 0.1, 0.16, 0.2, 0.23, 0.27, 0.33, 0.36, 0.4])


@settings(max_examples=50, deadline=None)
@given(
    hnp.arrays(np.float64, 12, elements=st.floats(0.005, 0.2)),
    st.floats(-500, 500),
    st.floats(-90, 90),
)
def test_velocity_of_a_linear_angle_is_its_slope(dt: np.ndarray, slope: float, start: float) -> None:
    t = np.concatenate([[0.0], np.cumsum(dt)])
    assert np.allclose(angular_velocity(t, start + slope * t), slope, atol=1e-6)


def test_velocity_of_a_quadratic_on_uneven_times_is_exact() -> None:
    angle = 10 + 30 * UNEVEN**2
    assert np.allclose(angular_velocity(UNEVEN, angle), 60 * UNEVEN)


def test_velocity_across_plus_minus_180_does_not_jump() -> None:
    t = np.arange(10) / 10.0
    angle = (170 + 50 * t + 180) % 360 - 180  # 170 -> 215, shown as 170..180, -180..-145
    assert np.allclose(angular_velocity(t, angle), 50.0)


def test_missing_samples_stay_nan_and_do_not_leak() -> None:
    angle = 20 * UNEVEN
    angle[[3, 6]] = np.nan
    v = angular_velocity(UNEVEN, angle)
    assert np.isnan(v[[3, 6]]).all()
    assert np.allclose(v[[0, 1, 2, 4, 5, 7, 8, 9, 10]], 20.0)
    angle[5] = np.nan  # sample 4 is now alone between gaps: no slope
    assert np.isnan(angular_velocity(UNEVEN, angle)[4])


def test_jerk_of_a_cubic_is_constant() -> None:
    t = np.arange(40) / 30.0
    j = jerk(t, 5 * t**3 - 2 * t**2 + t)
    assert np.allclose(j[3:-3], 30.0, rtol=1e-6)
    assert np.allclose(jerk(UNEVEN, 4 * UNEVEN**2 + UNEVEN), 0.0, atol=1e-6)


def test_mismatched_shapes_are_rejected() -> None:
    with pytest.raises(ValueError, match="same length"):
        angular_velocity(UNEVEN, UNEVEN[:-1])


def test_finite_runs() -> None:
    assert finite_runs(np.array([False, True, True, False, False, True])) == [(1, 3), (5, 6)]
    assert finite_runs(np.zeros(3, dtype=bool)) == []


def _seq(image: np.ndarray, visibility: np.ndarray) -> PoseSequence:
    return PoseSequence(np.arange(image.shape[0]) / 30.0, image, visibility, None, 640, 480, "test")


def test_quality_is_zero_when_nothing_is_visible() -> None:
    nothing = _seq(np.full((3, N_LANDMARKS, 2), np.nan), np.zeros((3, N_LANDMARKS)))
    assert np.array_equal(frame_quality(nothing), np.zeros(3))
    # coordinates without confidence, or confidence without coordinates, are not "seen"
    guessed = _seq(np.ones((1, N_LANDMARKS, 2)), np.zeros((1, N_LANDMARKS)))
    assert frame_quality(guessed)[0] == 0.0
    ghost = _seq(np.full((1, N_LANDMARKS, 2), np.nan), np.ones((1, N_LANDMARKS)))
    assert frame_quality(ghost)[0] == 0.0


def test_quality_is_the_mean_visibility_of_trunk_and_legs() -> None:
    image = np.ones((2, N_LANDMARKS, 2))
    vis = np.ones((2, N_LANDMARKS))
    vis[1, INDEX["left_knee"]] = 0.2
    vis[:, INDEX["nose"]] = 0.0  # the head does not count
    image[1, INDEX["right_ankle"]] = np.nan
    q = frame_quality(_seq(image, vis))
    assert q[0] == pytest.approx(1.0)
    assert q[1] == pytest.approx((6 + 0.2 + 0) / 8)
