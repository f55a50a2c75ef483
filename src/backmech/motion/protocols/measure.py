"""Shared measurements for the protocols, and the builder that assembles a TestResult.

Everything here works on the cleaned sequence the service passes in (outliers rejected,
short gaps bridged, 6 Hz zero-lag low-pass; see ``motion.kinematics``).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable

import numpy as np

from backmech.domain.types import FactValue
from backmech.motion.kinematics import (
    SIDES,
    facing_direction,
    frame_quality,
    reference_torso_length,
    thigh_inclination,
    trunk_inclination,
)
from backmech.motion.protocols.base import Event, Finding, Metric, Phase, TestResult, ViewCheck
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.motion.protocols.view import detection_rate
from backmech.motion.skeleton import FloatArray, PoseSequence

_NAN_MESSAGES = ("All-NaN slice", "Mean of empty slice", "invalid value encountered", "Degrees of freedom")


def nan_quiet(
    protocol: Callable[[PoseSequence, MovementTestSpec], TestResult],
) -> Callable[[PoseSequence, MovementTestSpec], TestResult]:
    """Run a protocol with numpy's warnings about all-NaN input silenced.

    A landmark that was not seen is NaN by design (``motion.skeleton``); NaN propagates to
    the measurement, which is then reported as not measured, with the view check saying
    what to change. numpy's "All-NaN slice" warnings add nothing to that, and would turn
    into errors wherever warnings are errors. Other warnings still show.
    """

    @functools.wraps(protocol)
    def run(seq: PoseSequence, spec: MovementTestSpec) -> TestResult:
        with warnings.catch_warnings():
            for message in _NAN_MESSAGES:
                warnings.filterwarnings("ignore", message=f".*{message}", category=RuntimeWarning)
            return protocol(seq, spec)

    return run


def facing(seq: PoseSequence) -> float:
    """+1 if the person faces image +x in a side view, -1 if -x, 0 if unknown."""
    f = facing_direction(seq)
    f = f[np.isfinite(f)]
    return float(np.sign(np.median(f))) if f.size else 0.0


def side_facing(seq: PoseSequence, note: Callable[[str], None]) -> float:
    """``facing`` for side-view tests; when it cannot be told, assume +x and say so."""
    sign = facing(seq)
    if sign == 0:
        note("Could not tell which way you face (feet and face not seen side-on); assumed +x.")
        return 1.0
    return sign


def towards_camera(seq: PoseSequence) -> float:
    """In a front view: +1 facing the camera (the person's left is on the image right),
    -1 with the back to it, 0 if unknown. Turns image +x into the person's left."""
    d = (seq.point("left_shoulder")[:, 0] - seq.point("right_shoulder")[:, 0]) + (
        seq.point("left_hip")[:, 0] - seq.point("right_hip")[:, 0]
    )
    d = d[np.isfinite(d)]
    return float(np.sign(np.median(d))) if d.size else 0.0


def forward_trunk(seq: PoseSequence, sign: float) -> FloatArray:
    """Trunk inclination with + = forward (side view) or + = to the person's left (front)."""
    return np.asarray(trunk_inclination(seq) * sign, dtype=np.float64)


def mean_sides(a: FloatArray, b: FloatArray) -> FloatArray:
    """Mean of left and right where both are seen, else whichever is."""
    with np.errstate(invalid="ignore"):
        out = np.where(np.isfinite(a) & np.isfinite(b), (a + b) / 2, np.where(np.isfinite(a), a, b))
    return np.asarray(out, dtype=np.float64)


def forward_thigh(seq: PoseSequence, sign: float) -> FloatArray:
    """Thigh inclination of both legs (mean), + = knees forward of the hips (side view)."""
    return mean_sides(thigh_inclination(seq, SIDES[0]) * sign, thigh_inclination(seq, SIDES[1]) * sign)


def distance(seq: PoseSequence, a: str, b: str) -> FloatArray:
    d = seq.point(a) - seq.point(b)
    return np.asarray(np.hypot(d[:, 0], d[:, 1]), dtype=np.float64)


def trunk_thigh_ratio(seq: PoseSequence) -> FloatArray:
    """Trunk-line length (mid-hip to mid-shoulder) over thigh length, per frame.

    The thigh is rigid, so the ratio changes only when the trunk line does: it shortens
    when the spine rounds (the shoulders come closer to the hips) and stays when the trunk
    tilts as one piece at the hips. In a true side view this is the only trace of spinal
    rounding that hip and shoulder landmarks carry; it mixes lumbar and thoracic flexion
    and shoulder protraction, so it is reported as "trunk-line shortening", never as
    lumbar flexion (clinical reference 4.0).
    """
    mid_s = (seq.point("left_shoulder") + seq.point("right_shoulder")) / 2
    mid_h = (seq.point("left_hip") + seq.point("right_hip")) / 2
    trunk = np.hypot(*(mid_s - mid_h).T)
    thigh = mean_sides(distance(seq, "left_hip", "left_knee"), distance(seq, "right_hip", "right_knee"))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(trunk / thigh, dtype=np.float64)


def torso_scale(seq: PoseSequence) -> float:
    """Median torso length in pixels (distances are reported in torso lengths)."""
    return reference_torso_length(seq)


def quality(seq: PoseSequence, sl: slice | np.ndarray | None = None) -> float:
    """Mean landmark quality (0-1) over the frames used for a measurement."""
    q = frame_quality(seq)
    q = q if sl is None else q[sl]
    return float(np.clip(np.mean(q), 0.0, 1.0)) if q.size else 0.0


def nanmedian(values: list[float]) -> float | None:
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=np.float64)
    return float(np.median(v)) if v.size else None


def nanmax(values: list[float]) -> float | None:
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=np.float64)
    return float(np.max(v)) if v.size else None


class Report:
    """Collects what a protocol measured and builds the TestResult (names and normal ranges
    of metrics, and sources of thresholds, come from the test's knowledge file)."""

    def __init__(self, spec: MovementTestSpec, seq: PoseSequence, view: ViewCheck) -> None:
        self.spec, self.seq, self.view = spec, seq, view
        self.metrics: list[Metric] = []
        self.findings: list[Finding] = []
        self.events: list[Event] = []
        self.phases: list[Phase] = []
        self.notes: list[str] = []

    def metric(self, metric_id: str, value: float | None, confidence: float) -> float | None:
        info = self.spec.info(metric_id)
        ok = value is not None and bool(np.isfinite(value))
        v = round(float(value), 2) if ok and value is not None else None
        conf = round(float(np.clip(confidence, 0.0, 1.0)), 2) if v is not None else 0.0
        self.metrics.append(Metric(metric_id, info.name, v, info.unit, conf, info.normal, info.source))
        return v

    def finding(self, fact: str, value: FactValue, reason: str, basis: str) -> None:
        """A fact, with the reason and the source of what it rests on: ``basis`` names a
        threshold of the test or, for a measured value, the metric it reports."""
        source = (
            self.spec.thresholds[basis].source
            if basis in self.spec.thresholds
            else self.spec.info(basis).source
        )
        self.findings.append(Finding(fact, value, reason, source))

    def event(self, time: float, kind: str, detail: str) -> None:
        self.events.append(Event(round(float(time), 3), kind, detail))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def enough(self, reps: int) -> bool:
        """Whether the clip had enough repetitions to judge patterns; notes it if not."""
        need = int(self.spec.value("min_reps"))
        if reps < need:
            self.note(f"Only {reps} repetition(s) found; do at least {need} for the pattern findings.")
            return False
        return True

    def result(self, repetitions: int) -> TestResult:
        return TestResult(
            test=self.spec.id,
            metrics=tuple(self.metrics),
            findings=tuple(self.findings),
            repetitions=repetitions,
            phases=tuple(self.phases),
            events=tuple(sorted(self.events, key=lambda e: e.time)),
            detection_rate=round(detection_rate(self.seq), 3),
            view=self.view,
            notes=tuple(self.notes),
        )
