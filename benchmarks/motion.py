"""Motion benchmark on the sports2d demo clip, all in one run (see README).

Figures, each as frames per second of video and as ratios:

(a) decode only (PyAV, upright RGB frames);
(b) decode + pose model only (BlazePose on LiteRT: detector, crop, landmark model);
(c) the full ``backmech analyse`` pipeline (decode, pose, cleaning, kinematics, test);
(d) the peer a user would otherwise pick: mediapipe 0.10.21 ``solutions.pose``
    (model complexity 1) on the same clip, in its own virtual environment (it pins
    numpy<2), created on first use under the cache folder from PyPI.

Also: landmark agreement of (c) with (d) (median distance over shoulders, hips, knees
and ankles, as a share of torso length), and peak memory of (c) for the clip and for
the clip repeated five times (memory must not grow with video length).

Targets (issue 3): (c) >= 1.5x (d); agreement median within 3 % of torso length;
(c) >= 90 % of (b); memory flat in video length.

Run: ``.venv/bin/python benchmarks/motion.py [--cache DIR] [--skip-peer]``
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MEDIAPIPE_PINS = ["mediapipe==0.10.21", "numpy==1.26.4", "opencv-contrib-python==4.11.0.86"]

PEER_SCRIPT = r"""
import json, sys, time
import cv2, mediapipe as mp
path = sys.argv[1]
cap = cv2.VideoCapture(path)
pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1, smooth_landmarks=False)
out = []
start = time.perf_counter()
n = 0
while True:
    ok, bgr = cap.read()
    if not ok:
        break
    h, w = bgr.shape[:2]
    res = pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    if res.pose_landmarks is None:
        out.append(None)
    else:
        out.append([[lm.x * w, lm.y * h] for lm in res.pose_landmarks.landmark])
    n += 1
elapsed = time.perf_counter() - start
print(json.dumps({"frames": n, "seconds": elapsed, "landmarks": out}))
"""


def _demo(cache: Path) -> Path:
    """The verified demo clip (same source and checks as the test fixture)."""
    sys.path.insert(0, str(ROOT / "tests" / "motion"))
    from demo_clip import demo_clip  # type: ignore[import-not-found]

    return demo_clip(cache)  # type: ignore[no-any-return]


def decode_only(video: Path) -> float:
    from backmech.motion.video import frames

    start = time.perf_counter()
    n = sum(1 for _ in frames(video))
    return n / (time.perf_counter() - start)


def decode_and_pose(video: Path) -> float:
    from backmech.motion.pose.blazepose import BlazePoseLiteRT
    from backmech.motion.video import frames

    estimator = BlazePoseLiteRT()
    start = time.perf_counter()
    n = 0
    for frame in frames(video):
        estimator.estimate(frame)
        n += 1
    return n / (time.perf_counter() - start)


def full_pipeline(video: Path, test: str = "squat") -> tuple[float, np.ndarray]:
    from backmech.bootstrap import movement_service

    service = movement_service()
    start = time.perf_counter()
    outcome = service.analyse(video, test)
    fps = len(outcome.raw) / (time.perf_counter() - start)
    return fps, outcome.raw.image


def peak_memory_mb(video: Path) -> float:
    """Peak RSS of a fresh process running the full pipeline on ``video``."""
    code = (
        "import resource, sys; from pathlib import Path; from backmech.bootstrap import movement_service; "
        "movement_service().analyse(Path(sys.argv[1]), 'squat'); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(video)], check=True, capture_output=True, text=True
    )
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def repeated(video: Path, times: int, cache: Path) -> Path:
    """The clip re-encoded ``times`` times back to back (cached)."""
    import av

    out = cache / f"demo-x{times}.mp4"
    if out.exists():
        return out
    from backmech.motion.video import frames

    tmp = out.with_suffix(".tmp.mp4")
    with av.open(str(tmp), mode="w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.pix_fmt = "yuv420p"
        for _ in range(times):
            for frame in frames(video):
                if stream.width == 0:
                    stream.width, stream.height = frame.rgb.shape[1] // 2 * 2, frame.rgb.shape[0] // 2 * 2
                img = frame.rgb[: stream.height, : stream.width]
                for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    tmp.replace(out)
    return out


def peer(video: Path, cache: Path) -> tuple[float, list[object]]:
    """mediapipe 0.10.21 solutions.pose in its own venv: fps and landmarks per frame."""
    venv = cache / "mediapipe-0.10.21-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *MEDIAPIPE_PINS], check=True)
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write(PEER_SCRIPT)
    done = subprocess.run([str(python), handle.name, str(video)], check=True, capture_output=True, text=True)
    Path(handle.name).unlink()
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return data["frames"] / data["seconds"], data["landmarks"]


def agreement(ours: np.ndarray, theirs: list[object]) -> tuple[float, int]:
    """Median landmark distance / torso length over frames where both found the person."""
    from backmech.motion.kinematics.signals import QUALITY_LANDMARKS
    from backmech.motion.skeleton import INDEX

    # Shoulders, hips, knees and ankles: the landmarks the movement tests measure with.
    idx = [INDEX[n] for n in QUALITY_LANDMARKS]
    ratios: list[float] = []
    frames = 0
    for i, other in enumerate(theirs):
        if other is None or i >= len(ours) or not np.isfinite(ours[i][idx]).all():
            continue
        peer_pts = np.asarray(other, dtype=float)
        ls, rs, lh, rh = (INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))
        torso = np.linalg.norm((peer_pts[ls] + peer_pts[rs]) / 2 - (peer_pts[lh] + peer_pts[rh]) / 2)
        if torso <= 1:
            continue
        dist = np.linalg.norm(ours[i][idx] - peer_pts[idx], axis=1)
        ratios.extend((dist / torso).tolist())
        frames += 1
    return float(np.median(ratios)) if ratios else float("nan"), frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=ROOT / ".test-cache")
    parser.add_argument("--skip-peer", action="store_true", help="do not build or run the mediapipe peer")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    video = _demo(args.cache)

    a = decode_only(video)
    b = decode_and_pose(video)
    c, ours = full_pipeline(video)
    print(f"(a) decode only:            {a:7.1f} fps")
    print(f"(b) decode + pose model:    {b:7.1f} fps")
    print(
        f"(c) full analyse pipeline:  {c:7.1f} fps   (c)/(b) = {c / b:.2f}  target >= 0.90: "
        f"{'met' if c / b >= 0.9 else 'NOT met'}"
    )
    if not args.skip_peer:
        d, theirs = peer(video, args.cache)
        median, frames = agreement(ours, theirs)
        print(
            f"(d) mediapipe 0.10.21:      {d:7.1f} fps   (c)/(d) = {c / d:.2f}  target >= 1.5: "
            f"{'met' if c / d >= 1.5 else 'NOT met'}"
        )
        print(
            f"landmark agreement (c) vs (d): median {median:.1%} of torso length over {frames} frames "
            f"- target <= 3 %: {'met' if median <= 0.03 else 'NOT met'}"
        )
    m1 = peak_memory_mb(video)
    m5 = peak_memory_mb(repeated(video, 5, args.cache))
    print(
        f"peak memory (c): clip {m1:.0f} MB, clip x5 {m5:.0f} MB, ratio {m5 / m1:.2f} "
        f"- target flat (<= 1.10): {'met' if m5 / m1 <= 1.10 else 'NOT met'}"
    )
    print(f"(peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
