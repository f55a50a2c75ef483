"""The movement-analysis use case: a video (or recorded keypoints) → a movement test result.

Stages, each a call into a lower layer: frames come from a ``FrameSource`` port and go
through a ``PoseEstimator`` port (both adapters, chosen by the composition root); the
landmarks are cleaned (outliers, gaps, zero-lag low-pass) by the kinematics core and
measured by the test's protocol, whose findings are facts the clinical engine reads.

Memory: only the landmarks of each frame are kept (33 points, a few hundred bytes), never
the frames, so a long video costs little more than a short one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from queue import Empty, Full, Queue
from typing import Protocol

import numpy as np

from backmech.domain.errors import InputError
from backmech.domain.records import record
from backmech.domain.results.model import MovementReport, VideoSummary
from backmech.domain.types import FactValue
from backmech.motion.kinematics.filtering import lowpass
from backmech.motion.kinematics.gaps import fill_gaps, reject_outliers
from backmech.motion.protocols import PROTOCOLS
from backmech.motion.protocols.base import TestResult
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.motion.skeleton import N_LANDMARKS, FramePose, PoseSequence

ProgressCallback = Callable[[int, int | None], None]
"""Called with (frames done, frames expected or None)."""


class Frame(Protocol):
    """What a frame source yields: an upright RGB image and its timestamp."""

    @property
    def index(self) -> int: ...

    @property
    def time(self) -> float: ...

    @property
    def rgb(self) -> np.ndarray: ...


class PoseEstimatorPort(Protocol):
    """A pose model: one person's landmarks per frame, or None."""

    name: str

    def estimate(self, frame: Frame) -> FramePose | None: ...

    def reset(self) -> None: ...


class VideoPort(Protocol):
    """Opens a video: its summary and a stream of upright frames."""

    def __call__(self, path: Path) -> tuple[VideoSummary, Iterable[Frame]]: ...


@record
class MovementOutcome:
    """One analysed movement test, with the landmarks behind it (raw and cleaned)."""

    test: str
    result: TestResult
    raw: PoseSequence
    clean: PoseSequence
    video: VideoSummary | None
    estimator: str

    def facts(self) -> dict[str, FactValue]:
        return self.result.facts()


class MovementService:
    """Analyse movement tests. Build once with the adapters chosen by the composition root."""

    def __init__(
        self,
        *,
        specs: Mapping[str, MovementTestSpec],
        open_video: VideoPort,
        estimator_factory: Callable[[], PoseEstimatorPort],
        max_gap_s: float = 0.25,
        cutoff_hz: float = 6.0,
    ) -> None:
        self.specs = specs
        self.open_video = open_video
        self.estimator_factory = estimator_factory
        self.max_gap_s = max_gap_s
        self.cutoff_hz = cutoff_hz

    def tests(self) -> tuple[str, ...]:
        return tuple(sorted(PROTOCOLS))

    def _spec(self, test: str) -> MovementTestSpec:
        if test not in PROTOCOLS or test not in self.specs:
            raise InputError("--test", f"unknown movement test {test!r}", allowed=", ".join(self.tests()))
        return self.specs[test]

    def track(
        self, path: Path, progress: ProgressCallback | None = None
    ) -> tuple[PoseSequence, VideoSummary, str]:
        """Run the pose model over every frame; returns landmarks, the video summary, model name."""
        summary, stream = self.open_video(path)
        estimator = self.estimator_factory()
        estimator.reset()
        return _collect(stream, estimator, summary, progress), summary, estimator.name

    def analyse(self, path: Path, test: str, progress: ProgressCallback | None = None) -> MovementOutcome:
        """One video of one movement test."""
        spec = self._spec(test)
        raw, summary, model = self.track(path, progress)
        self._require_person(raw, path.name)
        return self._measure(test, spec, raw, summary, model)

    def analyse_sequence(self, sequence: PoseSequence, test: str) -> MovementOutcome:
        """Landmarks recorded elsewhere (e.g. another capture system) for one test."""
        spec = self._spec(test)
        self._require_person(sequence, sequence.source or "keypoints")
        return self._measure(test, spec, sequence, None, sequence.source)

    @staticmethod
    def _require_person(raw: PoseSequence, what: str) -> None:
        """No person anywhere is bad input (exit 2), not a result full of blanks."""
        if len(raw) and raw.detected.any():
            return
        raise InputError(
            "video",
            f"{what}: no person was found in any of its {len(raw)} frames",
            allowed="a video with one person whose whole body is in view, in good light, "
            "with nobody else in the picture (see `backmech movement-tests`)",
        )

    def _measure(
        self, test: str, spec: MovementTestSpec, raw: PoseSequence, summary: VideoSummary | None, model: str
    ) -> MovementOutcome:
        clean = lowpass(fill_gaps(reject_outliers(raw), max_gap_s=self.max_gap_s), cutoff_hz=self.cutoff_hz)
        result = PROTOCOLS[test](clean, spec)
        return MovementOutcome(test, result, raw, clean, summary, model)


def _collect(
    stream: Iterable[Frame],
    estimator: PoseEstimatorPort,
    summary: VideoSummary,
    progress: ProgressCallback | None,
) -> PoseSequence:
    """Landmarks of every frame into arrays (the frames themselves are dropped at once)."""
    times: list[float] = []
    image: list[np.ndarray] = []
    visibility: list[np.ndarray] = []
    world: list[np.ndarray] = []
    any_world = False
    missing2 = np.full((N_LANDMARKS, 2), np.nan)
    missing3 = np.full((N_LANDMARKS, 3), np.nan)
    zeros = np.zeros(N_LANDMARKS)
    for done, frame in enumerate(_frames(stream), start=1):
        pose = estimator.estimate(frame)
        times.append(frame.time)
        if pose is None:
            image.append(missing2)
            visibility.append(zeros)
            world.append(missing3)
        else:
            image.append(pose.image)
            visibility.append(pose.visibility)
            if pose.world is not None:
                any_world = True
                world.append(pose.world)
            else:
                world.append(missing3)
        if progress is not None:
            progress(done, summary.frames or None)
    return PoseSequence(
        times=np.asarray(times, dtype=float),
        image=np.asarray(image, dtype=float).reshape(len(times), N_LANDMARKS, 2),
        visibility=np.asarray(visibility, dtype=float).reshape(len(times), N_LANDMARKS),
        world=np.asarray(world, dtype=float).reshape(len(times), N_LANDMARKS, 3) if any_world else None,
        width=summary.width,
        height=summary.height,
        source=estimator.name,
    )


_DONE = object()


def _frames(stream: Iterable[Frame], depth: int = 4) -> Iterator[Frame]:
    """Decode ahead on a second thread while the pose model runs on this one.

    Decoding (PyAV/FFmpeg) and inference (LiteRT) both release the GIL, so on two cores
    they overlap; the bounded queue keeps at most ``depth`` decoded frames in memory.
    An error while decoding is raised here, in the consumer, with its own message.
    """
    queue: Queue[object] = Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for frame in stream:
                while not stop.is_set():
                    try:
                        queue.put(frame, timeout=0.1)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            queue.put(exc)

    worker = threading.Thread(target=produce, name="backmech-decode", daemon=True)
    worker.start()
    try:
        while True:
            item = queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while worker.is_alive():
            try:
                queue.get_nowait()
            except Empty:
                worker.join(timeout=0.05)


def movement_report(outcome: MovementOutcome) -> MovementReport:
    """What one analysed test reports: ``backmech analyse --json`` prints it, an assessment keeps it.

    ``metrics`` is keyed by metric id, each with value, unit, confidence, normal range and
    source; ``findings`` maps fact ids to values (what the clinical engine reads), with the
    reasons in ``finding_reasons``.
    """
    r = outcome.result
    video = outcome.video
    return MovementReport(
        test=outcome.test,
        estimator=outcome.estimator,
        video=None
        if video is None
        else VideoSummary(
            width=video.width,
            height=video.height,
            rotation=video.rotation,
            duration_s=round(video.duration_s, 3),
            fps=round(video.fps, 3),
            frames=video.frames,
        ),
        frames_analysed=len(outcome.raw),
        detection_rate=round(outcome.raw.detection_rate, 4),
        view=r.view,
        repetitions=r.repetitions,
        metrics={m.id: m for m in r.metrics},
        findings=r.facts(),
        finding_reasons=r.findings,
        phases=r.phases,
        events=r.events,
        notes=r.notes,
    )
