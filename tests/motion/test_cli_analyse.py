"""``backmech analyse`` and ``assess --video`` as a user runs them: subprocesses on a real clip."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "flexion-intolerant-desk-worker.json"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run(*args: str | Path, cwd: Path, timeout: float = 300) -> Run:
    env = dict(os.environ, COLUMNS="300", NO_COLOR="1", TERM="dumb")
    proc = subprocess.run(
        [sys.executable, "-m", "backmech", *map(str, args)],
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )
    return Run(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


@pytest.fixture(scope="module")
def forward_bend(demo_video: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("analyse")
    result = run(
        "analyse",
        demo_video,
        "--test",
        "forward-bend",
        "--json",
        "--overlay",
        out / "overlay.mp4",
        "--plot",
        out / "angles.png",
        cwd=out,
    )
    assert result.code == 0, result.err
    return json.loads(result.out), out


@pytest.mark.slow
def test_analyse_json_has_metrics_confidence_findings(forward_bend: tuple[dict, Path]) -> None:  # type: ignore[type-arg]
    data, _ = forward_bend
    assert data["test"] == "forward-bend"
    assert data["frames_analysed"] == 230
    assert data["detection_rate"] >= 0.9
    assert isinstance(data["metrics"], dict) and data["metrics"]
    for metric in data["metrics"].values():
        assert 0.0 <= metric["confidence"] <= 1.0
        assert metric["source"]
    assert isinstance(data["findings"], dict)
    assert data["video"]["width"] == 1768 and data["video"]["height"] == 994


@pytest.mark.slow
def test_overlay_and_plot_are_written(forward_bend: tuple[dict, Path]) -> None:  # type: ignore[type-arg]
    import av

    _, out = forward_bend
    with av.open(str(out / "overlay.mp4")) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert sum(1 for _ in container.decode(video=0)) == 230
    png = (out / "angles.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


@pytest.mark.slow
def test_analysis_is_deterministic(demo_video: Path, forward_bend: tuple[dict, Path], tmp_path: Path) -> None:  # type: ignore[type-arg]
    again = run("analyse", demo_video, "--test", "forward-bend", "--json", cwd=tmp_path)
    assert again.code == 0, again.err
    assert json.loads(again.out) == forward_bend[0]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.mp4", "does not exist"),
        (lambda d: (d / "notes.mp4").write_text("not a video\n") and d / "notes.mp4", "not a video"),
        (lambda d: (d / "empty.mp4").write_bytes(b"") or d / "empty.mp4", "empty"),
    ],
)
def test_bad_video_exits_2_and_writes_nothing(make, message: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    video = make(tmp_path)
    overlay = tmp_path / "overlay.mp4"
    result = run("analyse", video, "--test", "squat", "--overlay", overlay, cwd=tmp_path)
    assert result.code == 2, result.err
    assert message in result.err.lower()
    assert "Traceback" not in result.err
    assert not overlay.exists()


def test_truncated_video_exits_2(demo_video: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.mp4"
    data = demo_video.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    result = run("analyse", cut, "--test", "squat", cwd=tmp_path)
    assert result.code == 2
    assert "cut short" in result.err and "copy the original video" in result.err


def test_unknown_test_names_the_allowed_ones(demo_video: Path, tmp_path: Path) -> None:
    result = run("analyse", demo_video, "--test", "cartwheel", cwd=tmp_path)
    assert result.code == 2
    assert "forward-bend" in result.err and "gait" in result.err


@pytest.mark.slow
def test_assess_with_video_adds_movement_findings(demo_video: Path, tmp_path: Path) -> None:
    result = run(
        "assess", "--input", EXAMPLE, "--video", f"forward-bend={demo_video}", "--json", cwd=tmp_path
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert [m["test"] for m in data["movement_tests"]] == ["forward-bend"]
    assert data["plan"] is not None


def test_assess_video_argument_must_be_test_equals_file(tmp_path: Path) -> None:
    result = run("assess", "--input", EXAMPLE, "--video", "clip.mp4", cwd=tmp_path)
    assert result.code == 2
    assert "TEST=FILE" in result.err


@pytest.mark.slow
def test_batch_analyses_a_folder_and_reports_bad_files(demo_video: Path, tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    folder.mkdir()
    shutil.copy(demo_video, folder / "squat_1.mp4")
    (folder / "gait_2.mp4").write_text("oops")
    out = tmp_path / "results.jsonl"
    result = run("analyse", "--batch", folder, "--out", out, cwd=tmp_path)
    assert result.code == 2
    records = [json.loads(line) for line in out.read_text().splitlines()]
    by_name = {Path(r["video"]).name: r for r in records}
    assert by_name["squat_1.mp4"]["ok"] is True
    assert by_name["squat_1.mp4"]["result"]["test"] == "squat"
    assert by_name["gait_2.mp4"]["ok"] is False


def test_video_without_a_person_exits_2(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from videos import write_clip  # type: ignore[import-not-found]

    clip = write_clip(tmp_path / "empty-room.mp4")
    result = run("analyse", clip, "--test", "squat", cwd=tmp_path)
    assert result.code == 2
    assert "no person was found" in result.err
    assert "whole body" in result.err
