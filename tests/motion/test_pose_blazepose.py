"""BlazePose on LiteRT: pure helpers on synthetic data, then the whole pipeline on the real demo clip.

The demo clip (see demo_clip.py) is 1768x994, 30 fps, 230 frames: a man on a box (arm
raises, then a back flip down, a crouch and a crawl to the right) and a woman walking
past. It is decoded with PyAV here, independently of backmech.motion.video, and run
through the estimator once per module.
"""

from __future__ import annotations

import itertools
import math
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from backmech.motion.pose.base import PoseEstimator
from backmech.motion.pose.blazepose import (
    N_ANCHORS,
    BlazePoseLiteRT,
    Roi,
    refine_from_heatmap,
    ssd_anchors,
    weighted_nms,
)
from backmech.motion.pose.model_files import (
    MODELS_DIR,
    POSE_DETECTOR,
    POSE_LANDMARKER_FULL,
    ModelFileError,
    read_model,
    verify_all,
)
from backmech.motion.skeleton import INDEX, N_LANDMARKS, FramePose

DEMO_FRAMES = 230
DEMO_SIZE = (1768, 994)
HIPS = [INDEX["left_hip"], INDEX["right_hip"]]
SHOULDERS = [INDEX["left_shoulder"], INDEX["right_shoulder"]]


@dataclass(frozen=True)
class Frame:
    index: int
    time: float
    rgb: npt.NDArray[np.uint8]


def decode(path: Path, limit: int | None = None) -> Iterator[Frame]:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for index, frame in enumerate(container.decode(stream)):
            if limit is not None and index >= limit:
                return
            yield Frame(index, float(frame.time or 0.0), frame.to_ndarray(format="rgb24"))


# -- pure helpers ---------------------------------------------------------------------------


def test_ssd_anchors_match_the_detector_output() -> None:
    anchors = ssd_anchors()
    assert anchors.shape == (N_ANCHORS, 2) == (2254, 2)
    assert anchors.min() > 0 and anchors.max() < 1
    # first anchors: stride 8 (28x28 cells, two per cell), row-major
    np.testing.assert_allclose(anchors[:3], [[0.5 / 28, 0.5 / 28]] * 2 + [[1.5 / 28, 0.5 / 28]])
    # last: the 7x7 map with six anchors per cell
    np.testing.assert_allclose(anchors[-6:], [[6.5 / 7, 6.5 / 7]] * 6)


def test_roi_from_points_is_upright_for_a_standing_person_and_round_trips() -> None:
    hip, above = np.array([500.0, 600.0]), np.array([500.0, 400.0])
    roi = Roi.from_points(hip, above)
    assert roi.rotation == pytest.approx(0.0)
    assert roi.size == pytest.approx(2 * 200 * 1.25)
    lying = Roi.from_points(hip, np.array([700.0, 600.0]))  # head to the right
    assert lying.rotation == pytest.approx(math.pi / 2)
    # crop matrix and back-projection are inverse to each other
    for r in (roi, lying, Roi(300.0, 200.0, 420.0, 0.7)):
        m = r.crop_matrix(256)
        points = np.array([[10.0, 20.0], [128.0, 128.0], [250.0, 3.0]])
        frame_pts = r.project(points / 256)
        back = frame_pts @ m[:, :2].T + m[:, 2]
        np.testing.assert_allclose(back, points, atol=1e-9)
    # the ROI centre maps to the crop centre
    np.testing.assert_allclose(roi.project(np.array([[0.5, 0.5]])), [hip])


def test_weighted_nms_merges_overlaps_and_keeps_separate_people() -> None:
    scores = np.array([0.9, 0.6, 0.8])
    boxes = np.array([[0.1, 0.1, 0.3, 0.3], [0.11, 0.1, 0.31, 0.3], [0.6, 0.6, 0.8, 0.8]])
    keypoints = np.stack([np.full((4, 2), v) for v in (0.2, 0.3, 0.7)])
    merged = weighted_nms(scores, boxes, keypoints)
    assert [round(s, 2) for s, _, _ in merged] == [0.9, 0.8]
    np.testing.assert_allclose(merged[0][2], (0.9 * 0.2 + 0.6 * 0.3) / 1.5)
    np.testing.assert_allclose(merged[1][1], boxes[2])


def test_heatmap_refinement_moves_a_point_to_a_confident_peak_only() -> None:
    heat = np.full((64, 64, 2), -10.0, dtype=np.float32)
    heat[30, 22, 0] = 10.0  # confident peak near landmark 0
    heat[10, 10, 1] = -0.5  # weak evidence only near landmark 1 (sigmoid < 0.5)
    points = np.array([[20.5 / 64, 31.5 / 64], [10.2 / 64, 10.2 / 64]])
    refined = refine_from_heatmap(points, heat)
    np.testing.assert_allclose(refined[0], [22 / 64, 30 / 64], atol=1e-3)
    np.testing.assert_array_equal(refined[1], points[1])


# -- model files ----------------------------------------------------------------------------


def test_bundled_models_pass_their_sha256_check() -> None:
    verify_all()
    assert len(read_model(POSE_DETECTOR)) > 1_000_000


def test_an_altered_model_file_is_refused(tmp_path: Path) -> None:
    for model in (POSE_DETECTOR, POSE_LANDMARKER_FULL):
        shutil.copy(MODELS_DIR / model.filename, tmp_path / model.filename)
    target = tmp_path / POSE_LANDMARKER_FULL.filename
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="altered") as info:
        BlazePoseLiteRT(model_dir=tmp_path)
    assert POSE_LANDMARKER_FULL.filename in str(info.value)
    assert "Reinstall" in info.value.hint


def test_a_missing_model_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="missing"):
        read_model(POSE_DETECTOR, tmp_path)


# -- the estimator --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def estimator() -> BlazePoseLiteRT:
    return BlazePoseLiteRT()


def test_it_implements_the_protocol_and_finds_nobody_in_an_empty_frame(estimator: BlazePoseLiteRT) -> None:
    assert isinstance(estimator, PoseEstimator)
    estimator.reset()
    blank = Frame(0, 0.0, np.zeros((480, 640, 3), dtype=np.uint8))
    assert estimator.estimate(blank) is None
    with pytest.raises(ValueError, match="uint8"):
        estimator.estimate(Frame(1, 0.1, np.zeros((480, 640, 3), dtype=np.float32)))  # type: ignore[arg-type]
    estimator.reset()


@dataclass
class DemoRun:
    poses: list[FramePose | None]
    times: list[float]
    seconds_in_estimate: float
    detector_runs: int


@pytest.fixture(scope="module")
def demo_run(demo_video: Path, estimator: BlazePoseLiteRT) -> DemoRun:
    estimator.reset()
    poses: list[FramePose | None] = []
    times: list[float] = []
    spent = 0.0
    for frame in decode(demo_video):
        start = time.perf_counter()
        poses.append(estimator.estimate(frame))
        spent += time.perf_counter() - start
        times.append(frame.time)
    return DemoRun(poses, times, spent, estimator.detector_runs)


def _angle(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], c: npt.NDArray[np.float64]) -> float:
    u, v = a - b, c - b
    cosine = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)))
    return math.degrees(math.acos(max(-1.0, min(1.0, cosine))))


def _found(run: DemoRun) -> list[FramePose]:
    return [p for p in run.poses if p is not None]


@pytest.mark.slow
def test_speed_is_reported(demo_run: DemoRun, capsys: pytest.CaptureFixture[str]) -> None:
    n = len(demo_run.poses)
    with capsys.disabled():
        print(
            f"\nBlazePoseLiteRT on the demo clip: {n / demo_run.seconds_in_estimate:.1f} fps in estimate() "
            f"({1000 * demo_run.seconds_in_estimate / n:.1f} ms/frame), "
            f"{len(_found(demo_run))}/{n} frames with a person, detector ran {demo_run.detector_runs}x"
        )


@pytest.mark.slow
def test_the_man_is_found_in_at_least_90_percent_of_frames(demo_run: DemoRun) -> None:
    assert len(demo_run.poses) == DEMO_FRAMES
    rate = len(_found(demo_run)) / DEMO_FRAMES
    assert rate >= 0.90, f"detection rate {rate:.1%}"
    # tracking, not detection, carries most frames
    assert demo_run.detector_runs < DEMO_FRAMES / 4


@pytest.mark.slow
def test_landmarks_are_well_formed_and_inside_the_frame(demo_run: DemoRun) -> None:
    width, height = DEMO_SIZE
    for pose in _found(demo_run):
        assert pose.image.shape == (N_LANDMARKS, 2) and pose.image.dtype == np.float64
        assert pose.visibility.shape == (N_LANDMARKS,)
        assert np.isfinite(pose.image).all()
        assert ((pose.visibility >= 0) & (pose.visibility <= 1)).all()
        assert 0.5 <= pose.score <= 1.0
        seen = pose.image[pose.visibility >= 0.5]
        assert ((seen >= 0) & (seen < [width, height])).all()
        margin = 0.1 * np.array([width, height])
        assert ((pose.image >= -margin) & (pose.image < np.array([width, height]) + margin)).all()


@pytest.mark.slow
def test_knee_and_hip_angles_are_plausible_for_the_standing_man(demo_run: DemoRun) -> None:
    knees: dict[str, list[float]] = {"left": [], "right": []}
    hips: dict[str, list[float]] = {"left": [], "right": []}
    for pose in _found(demo_run):
        p = {name: pose.image[i] for name, i in INDEX.items()}
        for side in knees:
            knees[side].append(_angle(p[f"{side}_hip"], p[f"{side}_knee"], p[f"{side}_ankle"]))
            hips[side].append(_angle(p[f"{side}_shoulder"], p[f"{side}_hip"], p[f"{side}_knee"]))
    for side in knees:
        assert np.median(knees[side]) > 150, side
        assert np.median(hips[side]) > 140, side
        # he also crouches after the jump: some clearly bent knees
        assert np.percentile(knees[side], 5) < 130, side


@pytest.mark.slow
def test_one_person_is_followed_without_jumping_to_the_woman(demo_run: DemoRun) -> None:
    width = DEMO_SIZE[0]
    found = [(t, p) for t, p in zip(demo_run.times, demo_run.poses, strict=True) if p is not None]
    for (t0, a), (t1, b) in itertools.pairwise(found):
        hip_a = a.image[HIPS].mean(axis=0)
        hip_b = b.image[HIPS].mean(axis=0)
        if t1 - t0 < 0.25:
            assert np.hypot(*(hip_b - hip_a)) < 0.25 * width, f"jump between {t0:.2f}s and {t1:.2f}s"


@pytest.mark.slow
def test_world_landmarks_are_hip_centred_metric_and_in_image_orientation(demo_run: DemoRun) -> None:
    turns = []
    for pose in _found(demo_run):
        assert pose.world is not None and pose.world.shape == (N_LANDMARKS, 3)
        assert np.isfinite(pose.world).all()
        mid_hip = pose.world[HIPS].mean(axis=0)
        assert np.abs(mid_hip).max() < 0.02  # metres
        assert np.abs(pose.world).max() < 2.5
        # the trunk points the same way in the image and in (x, y) of the world landmarks
        image_trunk = pose.image[HIPS].mean(axis=0) - pose.image[SHOULDERS].mean(axis=0)
        world_trunk = pose.world[HIPS, :2].mean(axis=0) - pose.world[SHOULDERS, :2].mean(axis=0)
        turn = math.degrees(
            math.atan2(image_trunk[1], image_trunk[0]) - math.atan2(world_trunk[1], world_trunk[0])
        )
        turns.append(abs((turn + 180) % 360 - 180))
    assert np.median(turns) < 10


@pytest.mark.slow
def test_output_is_deterministic(demo_video: Path, demo_run: DemoRun, estimator: BlazePoseLiteRT) -> None:
    first = 60
    fresh = BlazePoseLiteRT()
    again = [fresh.estimate(frame) for frame in decode(demo_video, first)]
    estimator.reset()
    after_reset = [estimator.estimate(frame) for frame in decode(demo_video, first)]
    for run in (again, after_reset):
        for expected, actual in zip(demo_run.poses[:first], run, strict=True):
            assert (expected is None) == (actual is None)
            if expected is not None and actual is not None:
                np.testing.assert_array_equal(actual.image, expected.image)
                np.testing.assert_array_equal(actual.visibility, expected.visibility)
                assert actual.world is not None and expected.world is not None
                np.testing.assert_array_equal(actual.world, expected.world)
                assert actual.score == expected.score
