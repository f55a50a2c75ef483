"""Real phone, browser and editor formats, analysed end to end: upright, with the person found.

The clips are the Sports2D demo written the way devices write video (phone_formats.py):
libx264 with its SEI block, HEVC in .mov, VP9/WebM from a browser, display matrices of 90,
180 and 270 degrees and a mirrored one, 30 and 60 fps, variable frame rate, 4K portrait,
each with a sound track. ``backmech analyse`` must take every one (exit 0), see it the way
a viewer does (the overlay's first picture is the upright picture), and find the person in
nearly every frame; the batch mode must give exactly the same numbers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest
from phone_formats import BY_ID, FORMATS, PhoneFormat, upright_frames
from PIL import Image

from backmech.bootstrap import movement_service
from backmech.motion.video import frames, probe

TEST = "forward-bend"
MIN_DETECTION = 0.85
"""The man is in view in every frame; the demo's own clip scores 0.94."""


@dataclass(frozen=True)
class Analysed:
    code: int
    result: dict[str, object]
    err: str
    overlay: Path


def _backmech(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, COLUMNS="300", NO_COLOR="1", TERM="dumb")
    return subprocess.run(
        [sys.executable, "-m", "backmech", *map(str, args)],
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=600,
    )


@pytest.fixture(scope="module")
def analysed(phone_clips: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Analysed]:
    """Each clip through ``backmech analyse --json --overlay``, once."""
    out = tmp_path_factory.mktemp("phone-analyse")
    runs: dict[str, Analysed] = {}
    for fmt in FORMATS:
        overlay = out / f"{fmt.id}.overlay.mp4"
        done = _backmech(
            "analyse", phone_clips[fmt.id], "--test", TEST, "--json", "--overlay", overlay, cwd=out
        )
        result = json.loads(done.stdout) if done.returncode == 0 else {}
        runs[fmt.id] = Analysed(done.returncode, result, done.stderr.decode(), overlay)
    return runs


def _small_grey(rgb: npt.NDArray[np.uint8], size: tuple[int, int]) -> npt.NDArray[np.float64]:
    grey = np.asarray(Image.fromarray(rgb).convert("L").resize(size, Image.Resampling.BILINEAR), np.float64)
    return (grey - grey.mean()) / (grey.std() + 1e-9)


def _likeness(seen: npt.NDArray[np.uint8], expected: npt.NDArray[np.uint8]) -> float:
    """Correlation of two pictures at 64 px wide (1 = the same picture)."""
    size = (64, max(8, round(64 * expected.shape[0] / expected.shape[1])))
    return float((_small_grey(seen, size) * _small_grey(expected, size)).mean())


def _upright(demo: Path, fmt: PhoneFormat) -> npt.NDArray[np.uint8]:
    return next(upright_frames(demo, fmt))


def _expected_size(fmt: PhoneFormat) -> tuple[int, int]:
    if fmt.size is not None:
        return fmt.size
    return (560, 994) if fmt.portrait else (1768, 994)


@pytest.mark.parametrize("fmt", FORMATS, ids=[f.id for f in FORMATS])
def test_each_format_decodes_upright_with_its_timing(
    fmt: PhoneFormat, phone_clips: dict[str, Path], demo_video: Path
) -> None:
    info = probe(phone_clips[fmt.id])
    assert (info.width, info.height) == _expected_size(fmt)
    assert info.mirrored == fmt.hflip
    assert info.has_audio
    decoded = list(frames(phone_clips[fmt.id]))
    assert len(decoded) == fmt.frames
    expected = _upright(demo_video, fmt)
    first = decoded[0].rgb
    assert first.shape == expected.shape
    assert float(np.abs(first.astype(np.int16) - expected).mean()) < 8  # compression noise only
    # the check can tell orientations apart: the picture turned half round, or mirrored, is far off
    assert _likeness(first, expected) > 0.95
    assert _likeness(first, np.ascontiguousarray(expected[::-1, ::-1])) < 0.6
    assert _likeness(first, np.ascontiguousarray(expected[:, ::-1])) < 0.9
    gaps = np.diff([f.time for f in decoded])
    assert np.all(gaps > 0)
    if fmt.variable_rate:
        assert gaps.max() > 2 * gaps.min()  # irregular timestamps are kept, not evened out
    else:
        np.testing.assert_allclose(gaps, 1 / fmt.fps, atol=1e-3)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS, ids=[f.id for f in FORMATS])
def test_analyse_takes_each_format_and_finds_the_person(
    fmt: PhoneFormat, analysed: dict[str, Analysed], demo_video: Path
) -> None:
    run = analysed[fmt.id]
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
    result = run.result
    assert result["frames_analysed"] == fmt.frames
    assert isinstance(result["detection_rate"], float) and result["detection_rate"] >= MIN_DETECTION
    video = result["video"]
    assert isinstance(video, dict)
    assert (video["width"], video["height"]) == _expected_size(fmt)
    assert isinstance(result["metrics"], dict) and result["metrics"]
    with av.open(str(run.overlay)) as container:
        first = next(container.decode(video=0)).to_ndarray(format="rgb24")
    expected = _upright(demo_video, fmt)
    assert first.shape[0] / first.shape[1] == pytest.approx(expected.shape[0] / expected.shape[1], rel=0.02)
    assert _likeness(first, expected) > 0.8  # upright (the skeleton is drawn over it)
    assert _likeness(first, np.ascontiguousarray(expected[::-1, ::-1])) < 0.6


@pytest.mark.slow
def test_the_issues_two_clips_give_metrics_and_the_same_landmarks(
    analysed: dict[str, Analysed], phone_clips: dict[str, Path]
) -> None:
    """The demo re-encoded with libx264, and the same clip stored sideways with a 90° display matrix.

    Both give metrics. Their pictures differ only by compression noise, so the landmarks must
    agree to about a percent of the picture in nearly every frame. (The metrics of this clip —
    a man jumping off a box, not a forward bend, with a woman walking past — move more than
    that between the two files: how far such numbers can be trusted is issue 14's concern.)
    """
    assert BY_ID["x264-display-90"].rotation == -90
    for fmt_id in ("x264", "x264-display-90"):
        run = analysed[fmt_id]
        assert run.code == 0, run.err
        metrics = run.result["metrics"]
        assert isinstance(metrics, dict)
        assert metrics["max_trunk_flexion_deg"]["value"] is not None
    service = movement_service(None)
    plain, turned = (service.analyse(phone_clips[i], TEST).raw for i in ("x264", "x264-display-90"))
    assert (plain.width, plain.height) == (turned.width, turned.height) == (1768, 994)
    both = plain.detected & turned.detected
    assert both.mean() > MIN_DETECTION
    shift = np.linalg.norm(plain.image[both] - turned.image[both], axis=-1)  # pixels, per landmark
    per_frame = np.nanmedian(shift, axis=1) / plain.width
    assert np.mean(per_frame < 0.01) > 0.85, np.percentile(per_frame, [50, 90])


@pytest.mark.slow
def test_batch_mode_gives_the_same_results_as_one_by_one(
    phone_clips: dict[str, Path], analysed: dict[str, Analysed], tmp_path: Path
) -> None:
    folder = tmp_path / "videos"
    folder.mkdir()
    for fmt in FORMATS:
        (folder / phone_clips[fmt.id].name).symlink_to(phone_clips[fmt.id])
    done = _backmech(
        "analyse", "--batch", folder, "--test", TEST, "--out", tmp_path / "all.jsonl", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr.decode()
    records = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text().splitlines()]
    by_name = {Path(r["video"]).name: r for r in records}
    assert len(by_name) == len(FORMATS)
    for fmt in FORMATS:
        record = by_name[phone_clips[fmt.id].name]
        assert record["ok"], record
        one = analysed[fmt.id].result
        for key in ("frames_analysed", "detection_rate", "metrics", "findings", "video"):
            assert record["result"][key] == one[key], (fmt.id, key)
