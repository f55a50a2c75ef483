"""Angles: known answers in degrees, sign conventions, NaN handling, and invariances.

Known answers are built geometrically (a right angle is 90°, a vertical trunk 0°, a trunk
tilted by θ gives θ within 0.1°). Properties (hypothesis): every angle is unchanged by a
translation or a uniform scale of the keypoints, joint angles also by a rotation in the
image plane, and the 3D shoulder-pelvis rotation by a turn of the whole body about the
vertical axis.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backmech.motion.kinematics import (
    ankle_angle,
    facing_direction,
    hip_angle,
    joint_angle,
    knee_angle,
    lateral_shift,
    pelvic_obliquity,
    reference_torso_length,
    segment_angle_to_vertical,
    shank_inclination,
    shoulder_obliquity,
    shoulder_pelvis_rotation,
    thigh_inclination,
    torso_length,
    trunk_flexion,
    trunk_inclination,
)
from backmech.motion.skeleton import INDEX, N_LANDMARKS, FloatArray, PoseSequence

TOL_DEG = 0.1


def make_seq(image: FloatArray, world: FloatArray | None = None) -> PoseSequence:
    """A sequence at 30 fps with every landmark fully visible."""
    t = image.shape[0]
    return PoseSequence(
        times=np.arange(t) / 30.0,
        image=image,
        visibility=np.ones((t, N_LANDMARKS)),
        world=world,
        width=1920,
        height=1080,
        source="test",
    )


def standing(n: int = 1, *, trunk_deg: float = 0.0) -> FloatArray:
    """A person facing +x, upright, in pixels (y down); trunk rotated by ``trunk_deg``.

    The upper body (shoulders and head) is rotated about the mid-hip so that the trunk
    leans towards +x by ``trunk_deg`` degrees.
    """
    pts = np.full((N_LANDMARKS, 2), np.nan)
    body = {
        "left_hip": (500, 600), "right_hip": (500, 600),
        "left_shoulder": (500, 400), "right_shoulder": (500, 400),
        "left_knee": (500, 800), "right_knee": (500, 800),
        "left_ankle": (500, 1000), "right_ankle": (500, 1000),
        "left_heel": (480, 1020), "right_heel": (480, 1020),
        "left_foot_index": (560, 1020), "right_foot_index": (560, 1020),
        "nose": (520, 340), "left_ear": (500, 340), "right_ear": (500, 340),
    }  # fmt: skip
    for name, xy in body.items():
        pts[INDEX[name]] = xy
    hip = pts[INDEX["left_hip"]].copy()
    for name in ("left_shoulder", "right_shoulder", "nose", "left_ear", "right_ear"):
        pts[INDEX[name]] = hip + rot_apply(pts[INDEX[name]] - hip, math.radians(trunk_deg))
    return np.repeat(pts[None], n, axis=0)


def rot_apply(v: FloatArray, theta: float) -> FloatArray:
    """Rotate an image vector so that 'up' (0, -1) turns towards +x by ``theta`` radians."""
    c, s = math.cos(theta), math.sin(theta)
    # In y-down coordinates, turning up towards +x is a clockwise-on-screen rotation.
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


# --- known answers -----------------------------------------------------------------------


def test_right_angle_is_90_in_2d_and_3d() -> None:
    a, b, c = np.array([[0.0, 0.0]]), np.array([[0.0, 5.0]]), np.array([[7.0, 5.0]])
    assert joint_angle(a, b, c)[0] == pytest.approx(90.0, abs=1e-9)
    a3, b3, c3 = np.array([[0.0, 0, 1]]), np.array([[0.0, 0, 0]]), np.array([[0.0, 2, 0]])
    assert joint_angle(a3, b3, c3)[0] == pytest.approx(90.0, abs=1e-9)


def test_joint_angle_extremes_and_degenerate() -> None:
    b = np.array([[0.0, 0.0]])
    assert joint_angle(np.array([[-1.0, 0.0]]), b, np.array([[3.0, 0.0]]))[0] == pytest.approx(180.0)
    assert joint_angle(np.array([[1.0, 0.0]]), b, np.array([[3.0, 0.0]]))[0] == pytest.approx(0.0)
    assert joint_angle(np.array([[60.0, 0.0]]), b, np.array([[30.0, 30 * math.sqrt(3)]]))[0] == pytest.approx(
        60.0
    )
    assert np.isnan(joint_angle(b, b, np.array([[1.0, 0.0]]))[0])


def test_vertical_trunk_is_zero_and_straight_legs_are_180() -> None:
    seq = make_seq(standing(2))
    assert np.allclose(trunk_inclination(seq), 0.0)
    assert np.allclose(trunk_flexion(seq), 0.0)
    for side in ("left", "right"):
        assert np.allclose(knee_angle(seq, side), 180.0)
        assert np.allclose(hip_angle(seq, side), 180.0)
        assert np.allclose(thigh_inclination(seq, side), 0.0)
        assert np.allclose(shank_inclination(seq, side), 0.0)
        # knee (500,800) - ankle (500,1000) - toe (560,1020): 90° + atan(20/60)
        assert np.allclose(ankle_angle(seq, side), 90.0 + math.degrees(math.atan2(20, 60)))


@pytest.mark.parametrize("theta", [-75.0, -30.0, -2.5, 0.0, 7.3, 45.0, 89.0, 120.0])
def test_trunk_tilted_by_known_angle_is_recovered(theta: float) -> None:
    seq = make_seq(standing(1, trunk_deg=theta))
    assert trunk_inclination(seq)[0] == pytest.approx(theta, abs=TOL_DEG)
    assert trunk_flexion(seq)[0] == pytest.approx(abs(theta), abs=TOL_DEG)
    # hip angle = 180 - trunk tilt for a forward lean over a vertical thigh
    assert hip_angle(seq, "left")[0] == pytest.approx(180.0 - abs(theta), abs=TOL_DEG)


def test_segment_angle_signs() -> None:
    origin = np.zeros((4, 2))
    b = np.array([[0.0, -1.0], [1.0, 0.0], [-1.0, 0.0], [1.0, -math.sqrt(3)]])
    assert np.allclose(segment_angle_to_vertical(origin, b), [0.0, 90.0, -90.0, 30.0])


def test_knee_forward_is_positive_for_thigh_and_shank() -> None:
    img = standing(1)
    img[0, INDEX["left_knee"]] = (600, 700)  # squat facing +x: knee forward, up
    seq = make_seq(img)
    assert thigh_inclination(seq, "left")[0] == pytest.approx(45.0)
    assert shank_inclination(seq, "left")[0] == pytest.approx(math.degrees(math.atan2(100, 300)))
    assert knee_angle(seq, "left")[0] == pytest.approx(180 - 45 - math.degrees(math.atan2(100, 300)))
    assert facing_direction(seq)[0] == 1.0


def test_facing_direction_mirrors_and_is_nan_in_front_view() -> None:
    img = standing(1)
    mirrored = img.copy()
    mirrored[..., 0] = 1000 - mirrored[..., 0]
    assert facing_direction(make_seq(mirrored))[0] == -1.0
    front = img.copy()
    front[0, INDEX["left_foot_index"], 0] = front[0, INDEX["left_heel"], 0]
    front[0, INDEX["right_foot_index"], 0] = front[0, INDEX["right_heel"], 0]
    front[0, INDEX["nose"], 0] = front[0, INDEX["left_ear"], 0]
    assert np.isnan(facing_direction(make_seq(front))[0])


def test_obliquity_left_lower_is_positive_in_front_and_back_view() -> None:
    img = standing(1)
    img[0, INDEX["left_hip"]] = (600, 610)  # front view: person's left on image right, 10 px lower
    img[0, INDEX["right_hip"]] = (400, 600)
    expected = math.degrees(math.atan2(10, 200))
    assert pelvic_obliquity(make_seq(img))[0] == pytest.approx(expected)
    back = img.copy()
    back[0, INDEX["left_hip"], 0], back[0, INDEX["right_hip"], 0] = 400, 600  # back view: sides swap
    assert pelvic_obliquity(make_seq(back))[0] == pytest.approx(expected)
    img[0, INDEX["left_shoulder"]] = (600, 390)
    img[0, INDEX["right_shoulder"]] = (400, 400)
    assert shoulder_obliquity(make_seq(img))[0] == pytest.approx(-math.degrees(math.atan2(10, 200)))


def test_lateral_shift_in_torso_lengths() -> None:
    img = standing(3)
    img[1, INDEX["left_hip"], 0] += 100
    img[1, INDEX["right_hip"], 0] += 100  # hips 100 px to +x; torso is 200 px
    seq = make_seq(img)
    assert reference_torso_length(seq) == pytest.approx(200.0)
    assert torso_length(seq)[0] == pytest.approx(200.0)
    assert lateral_shift(seq) == pytest.approx([0.0, 0.5, 0.0])


def test_missing_landmark_gives_nan_only_in_that_frame() -> None:
    img = standing(3)
    img[1, INDEX["left_knee"]] = np.nan
    seq = make_seq(img)
    knee = knee_angle(seq, "left")
    assert np.isnan(knee[1]) and np.allclose(knee[[0, 2]], 180.0)
    assert np.isnan(thigh_inclination(seq, "left")[1])
    assert np.allclose(knee_angle(seq, "right"), 180.0)
    img[:, INDEX["left_shoulder"]] = np.nan
    seq = make_seq(img)
    assert np.isnan(trunk_inclination(seq)).all()
    assert np.isnan(lateral_shift(seq)).all()  # no torso, no scale


def test_bad_side_is_rejected() -> None:
    with pytest.raises(ValueError, match="side"):
        knee_angle(make_seq(standing(1)), "middle")


def _world(turn_shoulders_deg: float, facing_camera: bool) -> FloatArray:
    """World landmarks (x right, y down, z to camera); shoulders turned to the person's left."""
    w = np.full((1, N_LANDMARKS, 3), np.nan)
    sign = 1.0 if facing_camera else -1.0  # facing the camera, the person's left is +x
    w[0, INDEX["left_hip"]] = (sign * 0.1, 0.0, 0.0)
    w[0, INDEX["right_hip"]] = (-sign * 0.1, 0.0, 0.0)
    a = math.radians(turn_shoulders_deg)
    # Turning left: the left shoulder moves backwards (away from where the person faces).
    back = -1.0 if facing_camera else 1.0
    for name, s in (("left_shoulder", 1.0), ("right_shoulder", -1.0)):
        w[0, INDEX[name]] = (sign * s * 0.2 * math.cos(a), -0.5, back * s * 0.2 * math.sin(a))
    return w


@pytest.mark.parametrize("facing_camera", [True, False])
@pytest.mark.parametrize("turn", [-40.0, 0.0, 25.0])
def test_shoulder_pelvis_rotation_known_answer(turn: float, facing_camera: bool) -> None:
    seq = make_seq(standing(1), world=_world(turn, facing_camera))
    rot = shoulder_pelvis_rotation(seq)
    assert rot is not None
    assert rot[0] == pytest.approx(turn, abs=TOL_DEG)


def test_shoulder_pelvis_rotation_needs_world() -> None:
    assert shoulder_pelvis_rotation(make_seq(standing(1))) is None


# --- invariance properties ---------------------------------------------------------------

coordinate = st.integers(0, 100_000).map(lambda i: i / 100.0)  # 0-1000 px, 0.01 px steps
skeletons = hnp.arrays(np.float64, (3, N_LANDMARKS, 2), elements=coordinate)
scales = st.floats(0.1, 10.0)
offsets = st.tuples(st.floats(-5000, 5000), st.floats(-5000, 5000))
angles_rad = st.floats(-math.pi, math.pi)
rarely_true = st.sampled_from([False] * 9 + [True])  # about one landmark in ten missing


def _all_angles(seq: PoseSequence) -> dict[str, FloatArray]:
    out = {
        "trunk": trunk_inclination(seq),
        "trunk_flexion": trunk_flexion(seq),
        "pelvis": pelvic_obliquity(seq),
        "shoulders": shoulder_obliquity(seq),
        "lateral_shift": lateral_shift(seq),
    }
    for side in ("left", "right"):
        out[f"thigh_{side}"] = thigh_inclination(seq, side)
        out[f"shank_{side}"] = shank_inclination(seq, side)
    out |= _joint_angles(seq)
    return out


def _joint_angles(seq: PoseSequence) -> dict[str, FloatArray]:
    return {
        f"{fn.__name__}_{side}": fn(seq, side)
        for fn in (hip_angle, knee_angle, ankle_angle)
        for side in ("left", "right")
    }


def _same(a: FloatArray, b: FloatArray, tol: float = 1e-6) -> bool:
    both_nan = np.isnan(a) & np.isnan(b)
    diff = (a - b + 180.0) % 360.0 - 180.0  # angles near ±180 may wrap
    return bool(np.all(both_nan | (np.abs(diff) <= tol)))


def _with_holes(img: FloatArray, missing: np.ndarray) -> FloatArray:
    img = img.copy()
    img[missing] = np.nan
    return img


@settings(max_examples=60, deadline=None)
@given(skeletons, st.data(), scales, offsets)
def test_angles_invariant_to_translation_and_scale(
    img: FloatArray, data: st.DataObject, scale: float, offset: tuple[float, float]
) -> None:
    missing = data.draw(
        hnp.arrays(np.bool_, (3, N_LANDMARKS), elements=st.sampled_from([False] * 9 + [True]))
    )
    img = _with_holes(img, missing)
    before = _all_angles(make_seq(img))
    after = _all_angles(make_seq(img * scale + np.asarray(offset)))
    for name, value in before.items():
        assert _same(value, after[name]), name


@settings(max_examples=60, deadline=None)
@given(skeletons, angles_rad, scales, offsets)
def test_joint_angles_invariant_to_rotation_in_image_plane(
    img: FloatArray, alpha: float, scale: float, offset: tuple[float, float]
) -> None:
    c, s = math.cos(alpha), math.sin(alpha)
    rot = np.array([[c, -s], [s, c]])
    moved = (img @ rot.T) * scale + np.asarray(offset)
    before, after = _joint_angles(make_seq(img)), _joint_angles(make_seq(moved))
    for name, value in before.items():
        assert _same(value, after[name]), name


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.float64, (2, N_LANDMARKS, 3), elements=st.integers(-100, 100).map(lambda i: i / 100.0)),
    angles_rad,
    scales,
    st.tuples(st.floats(-5, 5), st.floats(-5, 5), st.floats(-5, 5)),
)
def test_shoulder_pelvis_rotation_invariant_to_turning_the_body(
    world: FloatArray, alpha: float, scale: float, offset: tuple[float, float, float]
) -> None:
    c, s = math.cos(alpha), math.sin(alpha)
    about_vertical = np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])
    moved = (world @ about_vertical.T) * scale + np.asarray(offset)
    img = standing(2)
    before = shoulder_pelvis_rotation(make_seq(img, world))
    after = shoulder_pelvis_rotation(make_seq(img, moved))
    assert before is not None and after is not None
    assert _same(before, after)


@settings(max_examples=30, deadline=None)
@given(skeletons, scales)
def test_torso_length_scales_with_the_keypoints(img: FloatArray, scale: float) -> None:
    a, b = torso_length(make_seq(img)), torso_length(make_seq(img * scale))
    assert np.allclose(a * scale, b, rtol=1e-9, atol=1e-9)
