"""Video input: the real demo clip, synthesised clips (rotation, variable rate) and bad files."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Generator
from pathlib import Path

import numpy as np
import pytest
from videos import GREEN, RED, where, write_audio, write_clip

from backmech.domain.errors import InputError
from backmech.motion.video import (
    VideoError,
    VideoLimits,
    VideoProblem,
    frames,
    probe,
)

DEMO_FRAMES = 230


def _fail(path: Path, limits: VideoLimits | None = None, *, stream: bool = False) -> VideoError:
    """The VideoError that probe (or, with ``stream``, a full pass of frames) raises."""
    args = (path,) if limits is None else (path, limits)
    with pytest.raises(VideoError) as caught:
        if stream:
            for _ in frames(*args):
                pass
        else:
            probe(*args)
    error = caught.value
    assert isinstance(error, InputError)
    assert error.field == "video"
    assert error.hint, "every video error says what to do"
    return error


def _fail_both(path: Path, limits: VideoLimits | None = None) -> VideoError:
    """Header problems: probe and frames both refuse, with the same code, before decoding."""
    error = _fail(path, limits)
    streamed = _fail(path, limits, stream=True)
    assert streamed.problem_code == error.problem_code
    return error


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return write_clip(tmp_path / "clip.mp4")


# --------------------------------------------------------------------------- good input


def test_importing_the_module_does_not_import_pyav() -> None:
    code = "import sys, backmech.motion.video; print('av' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_demo_clip_probes_as_recorded(demo_video: Path) -> None:
    info = probe(demo_video)
    assert (info.width, info.height) == (1768, 994)
    assert info.rotation == 0 and not info.mirrored
    assert info.fps == pytest.approx(30.0)
    assert abs(info.frames_estimate - DEMO_FRAMES) <= 2
    assert info.duration_s == pytest.approx(DEMO_FRAMES / 30, abs=0.1)
    assert info.codec == "vp9"
    assert info.has_audio


def _rss() -> int | None:
    """Resident memory of this process in bytes (Linux), else None."""
    statm = Path("/proc/self/statm")
    if not statm.exists():
        return None
    return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_demo_clip_streams_every_frame_upright_with_increasing_times_in_flat_memory(
    demo_video: Path,
) -> None:
    frame_bytes = 994 * 1768 * 3  # 5.3 MB: the whole clip would be 1.2 GB
    times: list[float] = []
    early_rss = late_rss = None
    tracemalloc.start()
    try:
        for frame in frames(demo_video):
            assert frame.index == len(times)
            assert frame.rgb.shape == (994, 1768, 3)
            assert frame.rgb.dtype == np.uint8 and frame.rgb.flags.c_contiguous
            times.append(frame.time)
            if frame.index == 40:
                _, early_peak = tracemalloc.get_traced_memory()
                tracemalloc.reset_peak()
                early_rss = _rss()
            del frame
        _, late_peak = tracemalloc.get_traced_memory()
        late_rss = _rss()
    finally:
        tracemalloc.stop()
    assert len(times) == DEMO_FRAMES
    assert times[0] == 0.0
    assert np.all(np.diff(times) > 0)
    np.testing.assert_allclose(times, np.arange(DEMO_FRAMES) / 30, atol=1e-3)
    # Nothing accumulates: the last 189 frames cost no more than the first 41, and at any
    # moment only a few frames' worth of arrays are alive (numpy's allocations are traced).
    assert late_peak <= early_peak * 1.25 + 1_000_000
    assert max(early_peak, late_peak) < 6 * frame_bytes
    # Native buffers (FFmpeg's frames) are not traced: check the process too. Touching
    # frame.side_data on every frame made this grow by ~300 MB in PyAV 18.
    if early_rss is not None and late_rss is not None:
        assert late_rss - early_rss < 15 * frame_bytes


def test_synthetic_clip_round_trips(clip: Path) -> None:
    info = probe(clip)
    assert (info.width, info.height, info.rotation) == (320, 240, 0)
    assert info.frames_estimate == 60 and info.fps == pytest.approx(30)
    assert info.codec == "mpeg4" and not info.has_audio
    seen = list(frames(clip))
    assert len(seen) == 60
    np.testing.assert_allclose([f.time for f in seen], np.arange(60) / 30, atol=1e-6)
    assert where(seen[0].rgb, RED) == ["top-left"]
    assert where(seen[0].rgb, GREEN) == ["top-right"]
    # the white square moves from left to right
    first_x = np.nonzero(seen[0].rgb[120, :, 0] > 200)[0].mean()
    last_x = np.nonzero(seen[-1].rgb[120, :, 0] > 200)[0].mean()
    assert last_x - first_x > 200


def test_odd_resolution_and_other_containers(tmp_path: Path) -> None:
    for name, fmt in (("odd.mkv", None), ("odd.avi", None), ("odd.ts", "mpegts")):
        path = write_clip(tmp_path / name, width=202, height=150, n_frames=12, container_format=fmt)
        info = probe(path)
        assert (info.width, info.height) == (202, 150)
        shapes = {f.rgb.shape for f in frames(path)}
        assert shapes == {(150, 202, 3)}


# Display matrix as PyAV writes it (counter-clockwise degrees, then mirror) → where the
# stored top-left (red) and top-right (green) markers must appear once upright.
ORIENTATIONS = [
    # rotation, mirror, reported clockwise rotation, mirrored, portrait, red at, green at
    (-90, "", 90, False, True, "top-right", "bottom-right"),  # iPhone portrait ("rotate=90")
    (90, "", 270, False, True, "bottom-left", "top-left"),
    (180, "", 180, False, False, "bottom-right", "bottom-left"),
    (0, "h", 0, True, False, "top-right", "top-left"),
    (0, "v", 180, True, False, "bottom-left", "bottom-right"),
    # rotate then mirror = a transpose = mirror then 270° clockwise (EXIF orientation 5),
    # which is how VideoInfo states it (mirror first)
    (-90, "h", 270, True, True, "top-left", "bottom-left"),
]


@pytest.mark.parametrize(("ccw", "flip", "cw", "mirrored", "portrait", "red", "green"), ORIENTATIONS)
def test_display_matrix_is_applied(
    tmp_path: Path, ccw: int, flip: str, cw: int, mirrored: bool, portrait: bool, red: str, green: str
) -> None:
    path = write_clip(tmp_path / "turned.mp4", n_frames=8, rotation=ccw, hflip=flip == "h", vflip=flip == "v")
    info = probe(path)
    assert info.rotation == cw and info.mirrored == mirrored
    assert (info.width, info.height) == ((240, 320) if portrait else (320, 240))
    seen = list(frames(path))
    assert len(seen) == 8
    for frame in seen:
        assert frame.rgb.shape == (info.height, info.width, 3)
        assert where(frame.rgb, RED) == [red]
        assert where(frame.rgb, GREEN) == [green]


def test_legacy_rotate_tag_is_applied(tmp_path: Path) -> None:
    # Matroska keeps a "rotate" tag as plain metadata (no display matrix): degrees clockwise.
    path = write_clip(tmp_path / "tagged.mkv", n_frames=8, metadata={"rotate": "90"})
    info = probe(path)
    assert (info.width, info.height, info.rotation) == (240, 320, 90)
    first = next(iter(frames(path)))
    assert first.rgb.shape == (320, 240, 3)
    assert where(first.rgb, RED) == ["top-right"]


def test_variable_frame_rate_timestamps_are_kept(tmp_path: Path) -> None:
    times = [0.0, 0.033, 0.050, 0.120, 0.121, 0.400, 0.433, 1.000, 1.017, 1.500]
    path = write_clip(tmp_path / "vfr.mp4", times=times)
    seen = list(frames(path))
    assert [f.index for f in seen] == list(range(len(times)))
    np.testing.assert_allclose([f.time for f in seen], times, atol=1e-6)


def test_times_start_at_the_first_frame(tmp_path: Path) -> None:
    times = [2.0 + i / 10 for i in range(10)]
    path = write_clip(tmp_path / "late.mp4", times=times)
    np.testing.assert_allclose([f.time for f in frames(path)], np.arange(10) / 10, atol=1e-6)


def test_stopping_early_is_fine(clip: Path) -> None:
    stream = frames(clip)
    assert isinstance(stream, Generator)
    assert next(stream).index == 0
    stream.close()  # closes the container; a new pass starts from the beginning
    assert next(iter(frames(clip))).time == 0.0


# --------------------------------------------------------------------------- bad input


def test_missing_file(tmp_path: Path) -> None:
    error = _fail_both(tmp_path / "nope.mp4")
    assert error.problem_code is VideoProblem.NOT_FOUND
    assert "nope.mp4 does not exist" in str(error)
    assert "Check the path" in error.hint


def test_directory(tmp_path: Path) -> None:
    error = _fail_both(tmp_path)
    assert error.problem_code is VideoProblem.NOT_A_FILE
    assert "is a folder, not a video file" in str(error)
    assert "one video file inside it" in error.hint


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.mp4"
    os.mkfifo(fifo)
    error = _fail_both(fifo)
    assert error.problem_code is VideoProblem.NOT_A_FILE
    assert "not a regular file" in str(error)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.touch()
    error = _fail_both(path)
    assert error.problem_code is VideoProblem.EMPTY
    assert "empty.mp4 is empty (0 bytes)" in str(error)
    assert "copy the video from the phone again" in error.hint


def test_text_files(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("squat video to follow\n" * 50)
    error = _fail_both(notes)  # FFmpeg would happily "play" a .txt as ANSI art
    assert error.problem_code is VideoProblem.TEXT_FILE
    assert "notes.txt is a text file, not a video" in str(error)
    assert "Give the video file" in error.hint

    renamed = tmp_path / "notes.mp4"
    renamed.write_text('{"not": "a video"}\n')
    error = _fail_both(renamed)
    assert error.problem_code is VideoProblem.NOT_A_VIDEO
    assert "notes.mp4 is not a video file" in str(error)
    assert "recorded by a phone or camera" in error.hint


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_still_images_are_refused(tmp_path: Path, suffix: str) -> None:
    import cv2

    path = tmp_path / f"photo{suffix}"
    assert cv2.imwrite(str(path), np.zeros((60, 80, 3), np.uint8))
    error = _fail_both(path)
    assert error.problem_code is VideoProblem.STILL_IMAGE
    assert f"photo{suffix} is a still image" in str(error)
    assert "Record a video" in error.hint


@pytest.mark.parametrize("name", ["voice.m4a", "voice.wav"])
def test_audio_only(tmp_path: Path, name: str) -> None:
    error = _fail_both(write_audio(tmp_path / name))
    assert error.problem_code is VideoProblem.AUDIO_ONLY
    assert f"{name} has sound but no picture" in str(error)
    assert "not a voice memo" in error.hint


def test_demo_cut_in_half_is_reported_before_decoding(demo_video: Path, tmp_path: Path) -> None:
    data = demo_video.read_bytes()
    half = tmp_path / "half.mp4"
    half.write_bytes(data[: len(data) // 2])
    error = _fail_both(half)
    assert error.problem_code is VideoProblem.TRUNCATED
    assert "half.mp4 is cut short" in str(error)
    assert "copy the original video" in error.hint


def test_mp4_cut_before_its_index(tmp_path: Path) -> None:
    # PyAV's muxer, like many cameras, writes the index (moov) at the end: cutting loses it.
    whole = write_clip(tmp_path / "whole.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) // 2])
    error = _fail_both(cut)
    assert error.problem_code is VideoProblem.DAMAGED
    assert "cut.mp4 is damaged" in str(error) and "index could not be read" in str(error)
    assert "Copy the original video" in error.hint


def test_cut_short_without_an_index_is_found_at_the_end(tmp_path: Path) -> None:
    # AVI declares its frame count up front but keeps its index at the end: cutting the file
    # leaves a readable beginning, so the shortfall shows only once decoding stops.
    whole = write_clip(tmp_path / "whole.avi").read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(whole[: len(whole) // 2])
    assert probe(cut).frames_estimate == 60
    read = 0
    with pytest.raises(VideoError) as caught:
        for frame in frames(cut):
            read = frame.index + 1
    error = caught.value
    assert error.problem_code is VideoProblem.TRUNCATED
    assert error.frames_read == read and 0 < read < 60
    assert f"cut.avi is cut short: it ended after {read} of the 60 frames" in str(error)
    assert "copy the original video" in error.hint


def test_damaged_header(demo_video: Path, tmp_path: Path) -> None:
    data = bytearray(demo_video.read_bytes())
    data[100:3000] = np.random.default_rng(1).integers(0, 256, 2900, dtype=np.uint8).tobytes()
    path = tmp_path / "header.mp4"
    path.write_bytes(bytes(data))
    error = _fail_both(path)
    assert error.problem_code is VideoProblem.DAMAGED
    assert "header.mp4 is damaged" in str(error)


def test_demo_corrupted_in_the_middle_stops_with_frames_read(demo_video: Path, tmp_path: Path) -> None:
    data = bytearray(demo_video.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 20_000] = (
        np.random.default_rng(0).integers(0, 256, 20_000, dtype=np.uint8).tobytes()
    )
    path = tmp_path / "glitch.mp4"
    path.write_bytes(bytes(data))
    assert probe(path).width == 1768  # the header is intact
    read = 0
    with pytest.raises(VideoError) as caught:
        for frame in frames(path):
            read = frame.index + 1
    error = caught.value
    assert error.problem_code is VideoProblem.DECODE_ERROR
    assert error.frames_read == read and 0 < read < DEMO_FRAMES
    assert f"glitch.mp4 is damaged: decoding failed after {read} frames" in str(error)
    assert "Copy the original video" in error.hint
    assert error.detail  # FFmpeg's own words, for developers


def test_longer_than_the_limit_per_metadata(clip: Path) -> None:
    error = _fail_both(clip, VideoLimits(max_seconds=1.0))
    assert error.problem_code is VideoProblem.TOO_LONG
    assert "clip.mp4 lasts 2.0 s; the limit is 1.0 s" in str(error)
    assert "Trim the clip" in error.hint


def test_longer_than_the_limit_found_while_decoding(tmp_path: Path) -> None:
    # A live-written Matroska file states no duration: the limit is enforced on timestamps.
    path = write_clip(tmp_path / "live.mkv", container_options={"live": "1"})
    assert math.isnan(probe(path).duration_s)
    read = 0
    with pytest.raises(VideoError) as caught:
        for frame in frames(path, VideoLimits(max_seconds=1.0)):
            read = frame.index + 1
    error = caught.value
    assert error.problem_code is VideoProblem.TOO_LONG
    assert error.frames_read == read == 31  # 0.0 … 1.0 s at 30 fps
    assert "live.mkv lasts more than 1.0 s; the limit is 1.0 s" in str(error)


def test_larger_than_the_pixel_limit(clip: Path) -> None:
    error = _fail_both(clip, VideoLimits(max_pixels=320 * 200))
    assert error.problem_code is VideoProblem.TOO_MANY_PIXELS
    assert "clip.mp4 is 320x240 (0.1 megapixels); the limit is 0.1 megapixels" in str(error)
    assert "1080p" in error.hint


def test_larger_than_the_file_size_limit(clip: Path) -> None:
    error = _fail_both(clip, VideoLimits(max_bytes=1000))
    assert error.problem_code is VideoProblem.FILE_TOO_LARGE
    assert "the limit is 0.0 MB" in str(error) and "clip.mp4 is" in str(error)
    assert "Trim the clip" in error.hint


def test_too_few_frames_per_metadata(tmp_path: Path) -> None:
    error = _fail_both(write_clip(tmp_path / "short.mp4", n_frames=3))
    assert error.problem_code is VideoProblem.TOO_FEW_FRAMES
    assert "short.mp4: only 3 frames are in the video; at least 5 are needed" in str(error)
    assert "Record a video" in error.hint


def test_too_few_frames_found_while_decoding(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "short.mkv", n_frames=3, container_options={"live": "1"})
    assert probe(path).frames_estimate == 0
    error = _fail(path, stream=True)
    assert error.problem_code is VideoProblem.TOO_FEW_FRAMES
    assert error.frames_read == 3
    assert "short.mkv: only 3 frames could be decoded; at least 5 are needed" in str(error)


def test_raw_stream_without_timestamps(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "raw.h264", codec="libx264", container_format="h264")
    error = _fail_both(path)
    assert error.problem_code is VideoProblem.NO_TIMESTAMPS
    assert "raw.h264 has no frame timestamps" in str(error)
    assert "container" in error.hint


def test_limits_have_sensible_defaults() -> None:
    limits = VideoLimits()
    assert limits.max_bytes == 500_000_000
    assert limits.max_seconds == 300
    assert limits.max_pixels == 3840 * 2160
    assert limits.min_frames == 5


def test_stalled_read_is_reported(clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What PyAV raises when its timeout interrupts FFmpeg (cannot be provoked on a local file).
    import av

    def stalled(*args: object, **kwargs: object) -> None:
        raise av.error.ExitError(-0x54495845, "Immediate exit requested")

    monkeypatch.setattr(av, "open", stalled)
    error = _fail_both(clip, VideoLimits(io_timeout_s=5))
    assert error.problem_code is VideoProblem.TIMEOUT
    assert "reading clip.mp4 stalled for more than 5 s" in str(error)
    assert "local disk" in error.hint
