"""The whole kinematics chain on a synthetic squat with known angles.

A side-view squat (person facing +x) is generated from known knee, thigh, shank and trunk
angles, then spoiled the way phone video and a pose model spoil it: variable frame rate,
2 px landmark jitter, single-frame detector glitches, and short low-confidence dropouts.
``reject_outliers → fill_gaps → lowpass`` must give back the angles within a few degrees.
"""

from __future__ import annotations

import math

import numpy as np

from backmech.motion.kinematics import (
    angular_velocity,
    facing_direction,
    fill_gaps,
    knee_angle,
    lowpass,
    lowpass_signal,
    reject_outliers,
    shank_inclination,
    thigh_inclination,
    trunk_inclination,
)
from backmech.motion.skeleton import INDEX, N_LANDMARKS, FloatArray, PoseSequence

SEED = 7


def squat(t: FloatArray) -> tuple[PoseSequence, dict[str, FloatArray]]:
    depth = (1 - np.cos(2 * np.pi * 0.4 * t)) / 2  # 0 standing .. 1 bottom, 2.5 s per rep
    shank, thigh, trunk = 20 * depth, 50 * depth, 30 * depth  # degrees
    s, h, k = np.radians(shank), np.radians(thigh), np.radians(trunk)
    ankle = np.column_stack([np.full(t.size, 500.0), np.full(t.size, 1000.0)])
    knee = ankle + 200 * np.column_stack([np.sin(s), -np.cos(s)])
    hip = knee + 200 * np.column_stack([-np.sin(h), -np.cos(h)])
    shoulder = hip + 250 * np.column_stack([np.sin(k), -np.cos(k)])
    image = np.full((t.size, N_LANDMARKS, 2), np.nan)
    for side in ("left", "right"):
        image[:, INDEX[f"{side}_ankle"]] = ankle
        image[:, INDEX[f"{side}_knee"]] = knee
        image[:, INDEX[f"{side}_hip"]] = hip
        image[:, INDEX[f"{side}_shoulder"]] = shoulder
        image[:, INDEX[f"{side}_heel"]] = ankle + np.array([-20.0, 20.0])
        image[:, INDEX[f"{side}_foot_index"]] = ankle + np.array([60.0, 20.0])
    seq = PoseSequence(t, image, np.ones((t.size, N_LANDMARKS)), None, 1080, 1920, "synthetic")
    truth = {
        "knee": 180 - shank - thigh,
        "shank": shank,
        "thigh": thigh,  # hip -> knee against down, + = knee forward of the hip
        "trunk": trunk,
    }
    return seq, truth


def spoil(seq: PoseSequence, rng: np.random.Generator) -> tuple[PoseSequence, np.ndarray]:
    n = len(seq)
    image = seq.image + rng.normal(0, 2.0, seq.image.shape)
    glitch = rng.random((n, N_LANDMARKS)) < 0.01
    glitch[:3] = glitch[-3:] = False
    image[glitch] += rng.choice([-1, 1], size=(int(glitch.sum()), 2)) * 300.0
    visibility = seq.visibility.copy()
    for _ in range(6):  # short dropouts of 1-4 frames, low confidence and a wrong guess
        j, start, length = (
            int(rng.integers(N_LANDMARKS)),
            int(rng.integers(5, n - 10)),
            int(rng.integers(1, 5)),
        )
        visibility[start : start + length, j] = 0.1
        image[start : start + length, j] += 80.0
    return PoseSequence(seq.times, image, visibility, None, seq.width, seq.height, seq.source), glitch


def test_chain_recovers_squat_angles_within_a_few_degrees() -> None:
    rng = np.random.default_rng(SEED)
    t = np.concatenate([[0.0], np.cumsum(rng.uniform(0.025, 0.042, 179))])  # ~30 fps, variable
    clean, truth = squat(t)
    raw, glitch = spoil(clean, rng)
    cleaned = reject_outliers(raw)
    seen = np.isfinite(raw.image[:, :, 0])
    found = np.isnan(cleaned.image[:, :, 0]) & seen
    assert found[glitch & seen].all()  # every glitch on a seen landmark is caught...
    assert found[~glitch & seen].mean() < 0.002  # ...and little else
    seq = lowpass(fill_gaps(cleaned))
    inner = slice(10, -10)
    for name, angle in {
        "knee": knee_angle(seq, "left"),
        "shank": shank_inclination(seq, "right"),
        "thigh": thigh_inclination(seq, "left"),
        "trunk": trunk_inclination(seq),
    }.items():
        err = np.abs(angle[inner] - truth[name][inner])
        assert np.isfinite(err).mean() > 0.97, name
        assert np.nanmedian(err) < 1.0, name
        assert np.nanmax(err) < 4.0, name
    assert np.nanmean(facing_direction(seq)) == 1.0


def test_knee_angular_velocity_on_the_spoiled_clip() -> None:
    """Derivatives amplify jitter: for velocity the angle is smoothed again at 3 Hz.

    (At the 6 Hz position cut-off alone, 2 px jitter leaves about 12 % RMS velocity error
    on this slow squat; the second, lower cut-off suits a movement of 0.4 Hz.)
    """
    rng = np.random.default_rng(SEED + 1)
    t = np.concatenate([[0.0], np.cumsum(rng.uniform(0.025, 0.042, 179))])
    clean, _ = squat(t)
    raw, _ = spoil(clean, rng)
    seq = lowpass(fill_gaps(reject_outliers(raw)))
    speed = angular_velocity(t, lowpass_signal(t, knee_angle(seq, "left"), cutoff_hz=3.0))
    peak = 70 * math.pi * 0.4  # knee = 180 - 70 (1 - cos 2πft) / 2 -> peak speed 70 π f
    truth = -peak * np.sin(2 * np.pi * 0.4 * t)
    err = (speed - truth)[10:-10]
    assert np.isfinite(err).all()
    assert np.sqrt(np.mean(err**2)) < 0.1 * peak


def test_empty_and_unseen_clips_pass_through_as_nan() -> None:
    for n in (0, 1, 40):
        image, visibility = np.full((n, N_LANDMARKS, 2), np.nan), np.zeros((n, N_LANDMARKS))
        world = np.zeros((n, N_LANDMARKS, 3))
        unseen = PoseSequence(np.arange(n) / 30.0, image, visibility, world, 1, 1, "")
        seq = lowpass(fill_gaps(reject_outliers(unseen)))
        for angle in (knee_angle(seq, "left"), trunk_inclination(seq), thigh_inclination(seq, "right")):
            assert angle.shape == (n,) and np.isnan(angle).all()
        assert seq.world is not None and np.isnan(seq.world).all()  # no trusted landmark, no world point
        assert np.isnan(angular_velocity(seq.times, trunk_inclination(seq))).all()
