"""Gap filling and outlier rejection: what is filled, what stays NaN, what is thrown out."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backmech.motion.kinematics import fill_gaps, fill_signal_gaps, fillable, reject_outliers
from backmech.motion.skeleton import INDEX, N_LANDMARKS, FloatArray, PoseSequence

FPS = 30.0
KNEE = INDEX["left_knee"]


def make_seq(times: FloatArray, *, world: bool = False) -> PoseSequence:
    """Every landmark moving on a straight line at 60 px/s in x; a 200 px torso."""
    n = times.size
    image = np.zeros((n, N_LANDMARKS, 2))
    image[:, :, 0] = 100.0 + 60.0 * times[:, None] + np.arange(N_LANDMARKS)[None, :]
    image[:, :, 1] = 600.0
    for name in ("left_shoulder", "right_shoulder"):
        image[:, INDEX[name], 1] = 400.0
    w = None
    if world:
        w = np.zeros((n, N_LANDMARKS, 3))
        w[:, :, 0] = 0.1 * times[:, None]
    return PoseSequence(
        times=times,
        image=image,
        visibility=np.ones((n, N_LANDMARKS)),
        world=w,
        width=1920,
        height=1080,
        source="test",
    )


def with_visibility(
    seq: PoseSequence, frames: slice | list[int], landmark: int, value: float
) -> PoseSequence:
    vis = seq.visibility.copy()
    vis[frames, landmark] = value
    return PoseSequence(seq.times, seq.image, vis, seq.world, seq.width, seq.height, seq.source)


def with_image(seq: PoseSequence, image: FloatArray) -> PoseSequence:
    return PoseSequence(seq.times, image, seq.visibility, seq.world, seq.width, seq.height, seq.source)


# --- fill_gaps ---------------------------------------------------------------------------


def test_short_gap_is_filled_and_long_gap_stays_nan() -> None:
    seq = make_seq(np.arange(60) / FPS, world=True)
    truth = seq.image[:, KNEE].copy()
    # 6 missing frames: bridged span 7/30 s = 0.233 s <= 0.25 s -> filled
    # 8 missing frames: bridged span 9/30 s = 0.3 s > 0.25 s -> left NaN
    seq = with_visibility(seq, slice(10, 16), KNEE, 0.0)
    seq = with_visibility(seq, slice(30, 38), KNEE, 0.0)
    out = fill_gaps(seq, max_gap_s=0.25)
    assert np.allclose(out.image[10:16, KNEE], truth[10:16])  # linear motion: exact
    assert np.isnan(out.image[30:38, KNEE]).all()
    assert np.allclose(out.image[:10, KNEE], truth[:10]) and np.allclose(out.image[38:, KNEE], truth[38:])
    assert out.world is not None
    assert np.allclose(out.world[10:16, KNEE, 0], 0.1 * seq.times[10:16])
    assert np.isnan(out.world[30:38, KNEE]).all()
    # other landmarks untouched
    assert np.array_equal(out.image[:, INDEX["right_knee"]], seq.image[:, INDEX["right_knee"]])


def test_low_visibility_is_masked_even_if_coordinates_are_given() -> None:
    seq = make_seq(np.arange(30) / FPS)
    truth = seq.image[:, KNEE].copy()
    bogus = seq.image.copy()
    bogus[12:14, KNEE] = (5000.0, -5000.0)  # a guessed, wrong position with low confidence
    seq = with_visibility(with_image(seq, bogus), [12, 13], KNEE, 0.3)
    out = fill_gaps(seq, min_visibility=0.5)
    assert np.allclose(out.image[12:14, KNEE], truth[12:14])
    assert np.all(out.visibility[12:14, KNEE] == 0.5)  # filled: "just trusted"
    strict = fill_gaps(seq, min_visibility=0.5, max_gap_s=0.0)
    assert np.isnan(strict.image[12:14, KNEE]).all()
    assert np.all(strict.visibility[12:14, KNEE] == 0.3)  # unfilled keeps its own visibility


def test_gap_limit_uses_real_time_on_uneven_stamps() -> None:
    times = np.array([0.0, 0.03, 0.07, 0.10, 0.14, 0.17, 0.33, 0.36, 0.40, 0.43])
    seq = make_seq(times)
    truth = seq.image[:, KNEE].copy()
    seq = with_visibility(seq, [2, 3], KNEE, 0.0)  # bridged span 0.14 - 0.03 = 0.11 s
    seq = with_visibility(seq, [6], KNEE, 0.0)  # bridged span 0.36 - 0.17 = 0.19 s
    out = fill_gaps(seq, max_gap_s=0.15)
    assert np.allclose(out.image[[2, 3], KNEE], truth[[2, 3]])  # interpolated in time, not by index
    assert np.isnan(out.image[6, KNEE]).all()


def test_no_extrapolation_at_the_ends_and_idempotent() -> None:
    seq = make_seq(np.arange(20) / FPS)
    seq = with_visibility(seq, [0, 1, 19], KNEE, 0.1)
    once = fill_gaps(seq)
    assert np.isnan(once.image[[0, 1, 19], KNEE]).all()
    twice = fill_gaps(once)
    assert np.array_equal(once.image, twice.image, equal_nan=True)
    assert np.array_equal(once.visibility, twice.visibility)


def test_fill_signal_gaps_on_a_1d_signal_and_columns() -> None:
    t = np.arange(10) / 10.0
    x = np.array([0.0, np.nan, 2.0, 3.0, np.nan, np.nan, np.nan, 7.0, 8.0, np.nan])
    out = fill_signal_gaps(t, x, max_gap_s=0.2)
    assert out[1] == pytest.approx(1.0)
    assert np.isnan(out[4:7]).all() and np.isnan(out[9])
    two = fill_signal_gaps(t, np.column_stack([x, 2 * x]), max_gap_s=0.45)
    assert np.allclose(two[:9, 1], 2 * np.arange(9))
    assert np.isnan(x[1])  # input untouched


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.bool_, 25, elements=st.booleans()), st.floats(0.0, 0.5))
def test_fill_never_changes_seen_samples_and_only_bridges_short_gaps(valid: np.ndarray, limit: float) -> None:
    t = np.cumsum(np.r_[0.0, np.full(24, 1 / FPS)])
    x = np.where(valid, np.sin(t), np.nan)
    out = fill_signal_gaps(t, x, max_gap_s=limit)
    assert np.array_equal(out[valid], x[valid])
    filled = ~valid & np.isfinite(out)
    assert np.array_equal(filled, fillable(t, valid, limit))
    assert not filled[: np.argmax(valid)].any() if valid.any() else not filled.any()


def test_bad_gap_limit_is_rejected() -> None:
    with pytest.raises(ValueError, match="max_gap_s"):
        fill_gaps(make_seq(np.arange(3) / FPS), max_gap_s=-1.0)


# --- reject_outliers ---------------------------------------------------------------------


def test_single_frame_jump_is_removed() -> None:
    seq = make_seq(np.arange(30) / FPS, world=True)
    image = seq.image.copy()
    image[15, KNEE] += (300.0, -250.0)  # 1.5 torso lengths in 1/30 s, then back
    out = reject_outliers(with_image(seq, image))
    assert np.isnan(out.image[15, KNEE]).all()
    assert out.visibility[15, KNEE] == 0.0
    assert out.world is not None and np.isnan(out.world[15, KNEE]).all()
    keep = np.ones(30, dtype=bool)
    keep[15] = False
    assert np.array_equal(out.image[keep, KNEE], image[keep, KNEE])
    assert np.array_equal(np.delete(out.image, KNEE, axis=1), np.delete(image, KNEE, axis=1))


def test_two_frame_glitch_on_uneven_times_is_removed() -> None:
    times = np.cumsum(np.r_[0.0, np.tile([0.03, 0.04], 15)])
    seq = make_seq(times)
    image = seq.image.copy()
    image[10, KNEE] += (400.0, 0.0)
    image[11, KNEE] += (-300.0, 200.0)  # a glitch that also jumps within itself
    out = reject_outliers(with_image(seq, image))
    assert np.isnan(out.image[[10, 11], KNEE]).all()
    assert np.isfinite(out.image[[9, 12], KNEE]).all()


def test_glitch_at_the_first_frame_is_removed() -> None:
    seq = make_seq(np.arange(30) / FPS)
    image = seq.image.copy()
    image[0, KNEE] += (500.0, 0.0)
    out = reject_outliers(with_image(seq, image))
    assert np.isnan(out.image[0, KNEE]).all()
    assert np.isfinite(out.image[1:, KNEE]).all()


def test_fast_genuine_motion_and_lasting_jumps_are_kept() -> None:
    seq = make_seq(np.arange(40) / FPS)
    image = seq.image.copy()
    # a swing at 12 torso lengths/s (above the limit) for 5 frames, ending somewhere new
    image[10:15, KNEE, 0] += 80.0 * np.arange(1, 6)
    image[15:, KNEE, 0] += 400.0
    # a jump that stays (e.g. the tracker moved to another person)
    image[30:, INDEX["right_knee"], 1] += 500.0
    out = reject_outliers(with_image(seq, image))
    assert np.array_equal(out.image, image)


def test_without_a_torso_nothing_is_rejected() -> None:
    seq = make_seq(np.arange(10) / FPS)
    image = seq.image.copy()
    image[:, INDEX["left_shoulder"]] = np.nan
    image[:, INDEX["right_shoulder"]] = np.nan
    image[5, KNEE] += 1e4
    out = reject_outliers(with_image(seq, image))
    assert np.array_equal(out.image, image, equal_nan=True)
