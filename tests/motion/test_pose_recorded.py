"""Recorded keypoints: the documented CSV (long and wide) and JSON formats, round trips, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from backmech.domain.errors import InputError
from backmech.motion.pose.recorded import canonical_landmark, load_recorded, save_recorded
from backmech.motion.skeleton import INDEX, LANDMARKS, N_LANDMARKS, PoseSequence


def _sequence(with_world: bool, seed: int = 3) -> PoseSequence:
    rng = np.random.default_rng(seed)
    t = 6
    image = rng.uniform(0, 1000, size=(t, N_LANDMARKS, 2))
    visibility = rng.uniform(0, 1, size=(t, N_LANDMARKS))
    image[1, 5] = np.nan  # one landmark not seen
    visibility[1, 5] = 0.0
    image[3] = np.nan  # a frame without the person
    visibility[3] = 0.0
    world = None
    if with_world:
        world = rng.normal(0, 0.4, size=(t, N_LANDMARKS, 3))
        world[3] = np.nan
        world[1, 5] = np.nan
    times = np.array([0.0, 0.0333, 0.0667, 0.1, 0.1334, 0.2])  # uneven
    return PoseSequence(times, image, visibility, world, 1280, 720, "blazepose-full-litert")


def _same(a: PoseSequence, b: PoseSequence) -> None:
    np.testing.assert_array_equal(a.times, b.times)
    np.testing.assert_array_equal(a.image, b.image)
    np.testing.assert_array_equal(a.visibility, b.visibility)
    assert (a.world is None) == (b.world is None)
    if a.world is not None and b.world is not None:
        np.testing.assert_array_equal(a.world, b.world)
    assert (a.width, a.height) == (b.width, b.height)


@pytest.mark.parametrize("suffix", [".csv", ".json"])
@pytest.mark.parametrize("with_world", [True, False])
def test_save_then_load_round_trips_exactly(tmp_path: Path, suffix: str, with_world: bool) -> None:
    original = _sequence(with_world)
    loaded = load_recorded(save_recorded(original, tmp_path / f"pose{suffix}"))
    _same(original, loaded)
    assert loaded.source == f"recorded:pose{suffix} (blazepose-full-litert)"
    assert loaded.detected.tolist() == [True, True, True, False, True, True]


def test_long_csv_with_alternative_names_defaults_and_skipped_points(tmp_path: Path) -> None:
    path = tmp_path / "openpose.csv"
    path.write_text(
        "time;landmark;x;y;z;visibility\n"
        "0.0;LHip;100;200;-0.1;0.9\n"
        "0.0;RIGHT_HIP;140;200;;\n"
        "0.0;Neck;120;100;;0.8\n"
        "0.0;LBigToe;90;400;;0.5\n"
        "0.5;left-hip;101;201;;1\n"
        "1.0;;;;;\n"
    )
    seq = load_recorded(path, width=640, height=480)
    assert len(seq) == 3 and seq.world is None
    assert (seq.width, seq.height) == (640, 480)
    np.testing.assert_array_equal(seq.point("left_hip")[:2], [[100, 200], [101, 201]])
    assert seq.visibility[0, INDEX["left_hip"]] == 0.9
    assert seq.visibility[0, INDEX["right_hip"]] == 1.0  # given without visibility
    np.testing.assert_array_equal(seq.point("left_foot_index")[0], [90, 400])
    assert np.isnan(seq.image[0, INDEX["nose"]]).all() and seq.visibility[0, INDEX["nose"]] == 0
    assert seq.detected.tolist() == [True, True, False]


def test_wide_csv_normalised_coordinates_and_comment_metadata(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(
        "# exported by a test\n"
        "# width: 200\n"
        "# height: 100\n"
        "# source: unit test\n"
        "frame,time,LKnee_x_norm,LKnee_y_norm,LKnee_visibility,left_hip_x_norm,left_hip_y_norm,"
        "left_hip_world_x,left_hip_world_y,left_hip_world_z\n"
        "0,0.0,0.5,0.5,0.7,0.25,0.1,0.1,0.0,0.05\n"
        "1,0.04,,,,0.3,0.2,,,\n"
    )
    seq = load_recorded(path)
    assert (seq.width, seq.height) == (200, 100)
    assert seq.source == "recorded:wide.csv (unit test)"
    np.testing.assert_allclose(seq.point("left_knee")[0], [100, 50])
    assert np.isnan(seq.point("left_knee")[1]).all()
    np.testing.assert_allclose(seq.point("left_hip"), [[50, 10], [60, 20]])
    assert seq.world is not None
    np.testing.assert_array_equal(seq.world[0, INDEX["left_hip"]], [0.1, 0.0, 0.05])
    assert np.isnan(seq.world[1]).all()


def test_json_list_of_frames_with_named_and_listed_landmarks(tmp_path: Path) -> None:
    frames = [
        {
            "time": 0.0,
            "landmarks": {"LShoulder": [10, 20], "left_hip": {"x": 12, "y": 60, "z": 0.3, "visibility": 0.4}},
            "world": {"left_hip": [0.1, 0.0, 0.0], "left_shoulder": {"x": 0.1, "y": -0.5, "z": 0.0}},
        },
        {"time": 0.1, "landmarks": [{"x": i, "y": 2 * i, "visibility": 1.0} for i in range(N_LANDMARKS)]},
        {"time": 0.2, "landmarks": {"LHip": None}},
    ]
    path = tmp_path / "frames.json"
    path.write_text(json.dumps(frames))
    seq = load_recorded(path)
    assert (seq.width, seq.height) == (N_LANDMARKS, 2 * (N_LANDMARKS - 1) + 1)  # smallest holding every point
    np.testing.assert_array_equal(seq.point("left_shoulder")[0], [10, 20])
    assert seq.visibility[0, INDEX["left_hip"]] == 0.4
    np.testing.assert_array_equal(seq.image[1, :, 0], np.arange(N_LANDMARKS))
    assert seq.world is not None
    np.testing.assert_array_equal(seq.world[0, INDEX["left_shoulder"]], [0.1, -0.5, 0.0])
    assert seq.detected.tolist() == [True, True, False]


def test_json_normalised_coordinates_need_a_frame_size(tmp_path: Path) -> None:
    path = tmp_path / "norm.json"
    path.write_text(
        json.dumps({"coordinates": "normalized", "frames": [{"time": 0, "landmarks": {"nose": [0.5, 0.25]}}]})
    )
    with pytest.raises(InputError, match="frame size is unknown"):
        load_recorded(path)
    seq = load_recorded(path, width=400, height=200)
    np.testing.assert_array_equal(seq.point("nose")[0], [200, 50])


def test_alternative_name_table() -> None:
    assert canonical_landmark("LHip") == "left_hip"
    assert canonical_landmark("RBigToe") == "right_foot_index"
    assert canonical_landmark("right_big_toe") == "right_foot_index"
    assert canonical_landmark("LEFT_SHOULDER") == "left_shoulder"
    assert canonical_landmark("mouth left") == "mouth_left"
    assert canonical_landmark("MidHip") is None
    assert canonical_landmark("LSmallToe") is None
    assert all(canonical_landmark(name) == name for name in LANDMARKS)
    with pytest.raises(KeyError):
        canonical_landmark("left_tail")


# -- errors ---------------------------------------------------------------------------------


def _fails(tmp_path: Path, name: str, text: str, match: str) -> InputError:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError, match=match) as info:
        load_recorded(path)
    return info.value


def test_unknown_landmarks_are_refused_with_the_allowed_names(tmp_path: Path) -> None:
    error = _fails(tmp_path, "a.csv", "time,landmark,x,y\n0,left_hipp,1,2\n", "unknown landmark 'left_hipp'")
    assert error.field == "a.csv line 2"
    assert "LHip" in error.allowed
    _fails(tmp_path, "b.csv", "time,tail_x,tail_y\n0,1,2\n", "unknown landmark 'tail'")
    _fails(tmp_path, "c.json", json.dumps([{"time": 0, "landmarks": {"tail": [1, 2]}}]), "unknown landmark")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("long.csv", "time,landmark,x,y\n0.1,nose,1,2\n0.1,left_hip,1,2\n0.0,nose,1,2\n"),
        ("split.csv", "time,landmark,x,y\n0.0,nose,1,2\n0.1,nose,1,2\n0.0,left_hip,1,2\n"),
        ("wide.csv", "time,nose_x,nose_y\n0.0,1,2\n0.0,1,2\n"),
        ("frames.json", json.dumps([{"time": 1.0, "landmarks": {}}, {"time": 0.5, "landmarks": {}}])),
    ],
)
def test_times_must_increase(tmp_path: Path, name: str, text: str) -> None:
    _fails(tmp_path, name, text, "does not increase")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("landmark,x,y\nnose,1,2\n", "missing column 'time'"),
        ("time,landmark,x\n0,nose,1\n", "missing column 'x' or 'y'"),
        ("time,landmark,x,y,x_norm,y_norm\n0,nose,1,2,0.1,0.2\n", "both x/y and x_norm/y_norm"),
        ("time,landmark,x,y,person\n0,nose,1,2,1\n", "unexpected column"),
        ("time,nose_x\n0,1\n", "missing column nose_y"),
        ("time,nose_x,nose_y,camera\n0,1,2,3\n", "neither 'time' nor"),
        ("time,landmark,x,y,world_x\n0,nose,1,2,0.1\n", "all three columns"),
        ("# width: 100\n", "no header row"),
    ],
)
def test_missing_or_unexpected_columns(tmp_path: Path, text: str, match: str) -> None:
    _fails(tmp_path, "bad.csv", text, match)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("time,landmark,x,y\n0,nose,abc,2\n", "x must be a number"),
        ("time,landmark,x,y\n,nose,1,2\n", "time is missing"),
        ("time,landmark,x,y,visibility\n0,nose,1,2,1.5\n", "visibility must be between 0 and 1"),
        ("time,landmark,x,y\n0,nose,1,2\n0,Nose,3,4\n", "appears twice"),
        ("time,landmark,x,y\n0,nose,1,2,3\n", "cells but the header"),
        ("time,landmark,x,y,world_x,world_y,world_z\n0,nose,1,2,0.1,,0.2\n", "need all of"),
        ("# width: wide\ntime,landmark,x,y\n", "width must be a number"),
        ("time,landmark,x,y\n", "contains no frames"),
    ],
)
def test_bad_values(tmp_path: Path, text: str, match: str) -> None:
    error = _fails(tmp_path, "bad.csv", text, match)
    assert error.field.startswith("bad.csv")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"width": 10}), "missing key 'frames'"),
        (json.dumps({"frames": [], "fps": 30}), "unexpected top-level key"),
        (json.dumps({"coordinates": "mm", "frames": []}), "unknown value 'mm'"),
        (json.dumps([{"landmarks": {}}]), "missing key 'time'"),
        (json.dumps([{"time": 0, "landmarks": {"nose": [1, 2, 3]}}]), "expected \\[x, y\\]"),
        (json.dumps([{"time": 0, "landmarks": [[1, 2]]}]), "must have 33 entries"),
        (json.dumps([{"time": 0, "landmarks": {"nose": [1, 2], "Nose": [1, 2]}}]), "appears twice"),
        (json.dumps([{"time": "soon", "landmarks": {}}]), "time must be a number"),
        (json.dumps([{"time": 0, "landmarks": {"nose": {"x": 1, "y": 2, "score": 1}}}]), "unexpected key"),
        (json.dumps({"width": -3, "frames": []}), "positive whole number"),
    ],
)
def test_bad_json(tmp_path: Path, text: str, match: str) -> None:
    _fails(tmp_path, "bad.json", text, match)


def test_file_problems(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_recorded(tmp_path / "absent.csv")
    (tmp_path / "pose.xlsx").write_bytes(b"PK")
    with pytest.raises(InputError, match="unsupported file type"):
        load_recorded(tmp_path / "pose.xlsx")
    (tmp_path / "latin.csv").write_bytes("time,landmark,x,y\n0,n\xe9,1,2\n".encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        load_recorded(tmp_path / "latin.csv")
    with pytest.raises(InputError, match="positive"):
        load_recorded(tmp_path / "absent.csv", width=0)
