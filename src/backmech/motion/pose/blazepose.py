"""BlazePose (full) on ai-edge-litert: a small re-implementation of MediaPipe's pose graph.

MediaPipe's ``pose_landmark_cpu`` graph is reproduced with numpy and OpenCV only, using
the two bundled model files (``backmech.motion.pose.model_files``, sha256-checked):

1. **Detector** (``pose_detection.tflite``, when nothing is tracked): the frame is
   letterboxed into 224x224 (aspect kept, black padding, RGB scaled to [-1, 1]); the
   output is decoded against 2254 SSD anchors (strides 8, 16, 32, 32, 32; fixed anchor
   size), scores are ``sigmoid`` of the logits clipped to +-100, candidates below
   ``min_detection_confidence`` are dropped, and a *weighted* non-maximum suppression
   (IoU 0.3) merges overlapping boxes by score-weighted averaging.
2. **ROI from the detection**: centre = keypoint 0 (mid-hip), side = 2 x the distance
   from keypoint 0 to keypoint 1, enlarged 1.25x (square), rotation = 90 deg minus the
   angle of the keypoint 0 -> 1 vector (upright person -> 0).
3. **Landmarks** (``pose_landmark_full.tflite``): the rotated square ROI is cut out into
   256x256 with ``cv2.warpAffine`` (bilinear, edge pixels replicated, RGB scaled to
   [0, 1]). Outputs: 39 x (x, y, z, visibility, presence) in crop pixels, the pose
   presence (a probability), 64x64x39 heatmap logits, 39 x 3 world coordinates.
4. **Heatmap refinement** (MediaPipe's ``RefineLandmarksFromHeatmapCalculator``): around
   each landmark a 7x7 window of ``sigmoid(heatmap)`` gives a confidence-weighted mean
   position, used when the window's maximum confidence is at least 0.5.
5. **Back-projection** to pixels of the input frame by undoing the ROI rotation, scale
   and offset; **visibility** = ``sigmoid`` of the raw visibility logit; **world**
   landmarks (metres, hip-centred) are rotated by the ROI rotation, as MediaPipe's
   ``WorldLandmarkProjectionCalculator`` does, so that they share the image orientation.
6. **Tracking**: the auxiliary landmarks 33 (centre) and 34 (scale/rotation point) give
   the next frame's ROI the same way as step 2. The detector runs again only when the
   pose presence in the tracked ROI drops below ``min_presence`` (0.5). Two departures
   from MediaPipe, both measured on the demo clip (a man doing a back flip): re-detection
   happens on the same frame instead of the next one, and for up to ``coast_s`` (0.25 s)
   after the last confident frame the ROI keeps following the landmark model's own
   low-confidence estimate (no landmarks are returned for those frames), because fast
   or upside-down poses often come back into confidence a frame later.

**Which person** when several are visible. The tracked person is followed for as long as
tracking holds. On re-detection within ``reacquire_after_s`` (1 s) of the last confident
frame, candidates are ranked by the distance of their mid-hip keypoint to the *last known
mid-hip position*, nearest first, and candidates farther away than
``typical size x (reacquire_reach + reacquire_speed x seconds since)`` are ignored
(typical size = median ROI side over the last 15 confident frames; defaults 0.5 and
2.0 per second): a person cannot cross the frame in a few frames, so the estimator
returns None rather than jumping to a bystander while the tracked person is briefly lost.
After ``reacquire_after_s`` without the person (or after ``reset()``), the memory is
dropped and the highest-scoring detection is taken. In every case at most
``max_candidates`` (2) detections are tried with the landmark model.

No temporal smoothing is applied here (MediaPipe's one-euro filters are left out); the
kinematics stage filters the whole sequence without lag.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from backmech.motion.pose.base import Frame
from backmech.motion.pose.model_files import POSE_DETECTOR, POSE_LANDMARKER_FULL, read_model
from backmech.motion.skeleton import N_LANDMARKS, FloatArray, FramePose

DETECTOR_INPUT = 224
LANDMARK_INPUT = 256
N_ANCHORS = 2254
N_MODEL_LANDMARKS = 39
"""33 body landmarks + 6 auxiliary points (33/34: full-body ROI centre and scale point)."""
AUX_CENTRE, AUX_SCALE = 33, 34
ROI_SCALE = 1.25
NMS_IOU = 0.3
SCORE_CLIP = 100.0
HEATMAP_KERNEL = 7
HEATMAP_MIN_CONFIDENCE = 0.5
SIZE_MEMORY = 15
"""Confident frames whose ROI sides give the person's typical size (median)."""

# SSD anchor options of mediapipe/modules/pose_detection/pose_detection_cpu.pbtxt.
ANCHOR_STRIDES: tuple[int, ...] = (8, 16, 32, 32, 32)


def _sigmoid(x: npt.NDArray[Any]) -> FloatArray:
    """Logistic function without overflow warnings."""
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=np.float64))), dtype=np.float64)


def _normalize_radians(angle: float) -> float:
    """Angle wrapped into [-pi, pi)."""
    return angle - 2.0 * math.pi * math.floor((angle + math.pi) / (2.0 * math.pi))


def ssd_anchors(input_size: int = DETECTOR_INPUT, strides: tuple[int, ...] = ANCHOR_STRIDES) -> FloatArray:
    """(N, 2) anchor centres (x, y) in [0, 1] for the pose detector.

    MediaPipe's ``SsdAnchorsCalculator`` with one aspect ratio (1.0) plus the interpolated
    scale gives two anchors per layer and cell; consecutive layers with the same stride
    share a feature map, so the 7x7 map (stride 32, three layers) has six per cell.
    Anchor width and height are fixed to 1 (``fixed_anchor_size``), so only centres matter.
    """
    centres: list[FloatArray] = []
    layer = 0
    while layer < len(strides):
        last = layer
        while last < len(strides) and strides[last] == strides[layer]:
            last += 1
        per_cell = 2 * (last - layer)
        size = math.ceil(input_size / strides[layer])
        ys, xs = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
        grid = np.stack([(xs.ravel() + 0.5) / size, (ys.ravel() + 0.5) / size], axis=1)
        centres.append(np.repeat(grid, per_cell, axis=0).astype(np.float64))
        layer = last
    return np.concatenate(centres, axis=0)


@dataclass(frozen=True)
class Detection:
    """One detector candidate after NMS, in pixels of the input frame."""

    score: float
    box: FloatArray
    """(4,) xmin, ymin, xmax, ymax of the (face) box."""
    keypoints: FloatArray
    """(4, 2): mid-hip, full-body scale point, mid-shoulder, upper-body scale point."""


@dataclass(frozen=True)
class Roi:
    """A rotated square region of the frame, in pixels (rotation in radians, clockwise)."""

    cx: float
    cy: float
    size: float
    rotation: float

    @staticmethod
    def from_points(centre: FloatArray, scale_point: FloatArray) -> Roi:
        """MediaPipe's ``AlignmentPointsRectsCalculator`` + ``RectTransformation`` (1.25x, square)."""
        dx = float(scale_point[0] - centre[0])
        dy = float(scale_point[1] - centre[1])
        side = 2.0 * math.hypot(dx, dy) * ROI_SCALE
        rotation = _normalize_radians(math.pi / 2.0 - math.atan2(-dy, dx))
        return Roi(float(centre[0]), float(centre[1]), side, rotation)

    def crop_matrix(self, out_size: int) -> FloatArray:
        """2x3 affine matrix from frame pixels to crop pixels (ROI corners -> crop corners)."""
        a = out_size / self.size
        c, s = math.cos(self.rotation), math.sin(self.rotation)
        half = out_size / 2.0
        return np.array(
            [
                [a * c, a * s, half - a * (c * self.cx + s * self.cy)],
                [-a * s, a * c, half - a * (-s * self.cx + c * self.cy)],
            ],
            dtype=np.float64,
        )

    def project(self, normalized: FloatArray) -> FloatArray:
        """(N, 2) crop coordinates in [0, 1] -> frame pixels."""
        c, s = math.cos(self.rotation), math.sin(self.rotation)
        x = normalized[:, 0] - 0.5
        y = normalized[:, 1] - 0.5
        return np.stack(
            [self.cx + self.size * (c * x - s * y), self.cy + self.size * (s * x + c * y)], axis=1
        )


def decode_detections(
    raw_boxes: FloatArray, raw_scores: FloatArray, anchors: FloatArray, min_score: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Scores (K,), boxes (K, 4) and keypoints (K, 4, 2) above ``min_score``, in [0, 1] of the input."""
    scores = _sigmoid(np.clip(raw_scores, -SCORE_CLIP, SCORE_CLIP))
    keep = np.flatnonzero(scores >= min_score)
    raw = raw_boxes[keep].astype(np.float64) / DETECTOR_INPUT
    anchor = anchors[keep]
    cx = raw[:, 0] + anchor[:, 0]
    cy = raw[:, 1] + anchor[:, 1]
    half_w = raw[:, 2] / 2.0
    half_h = raw[:, 3] / 2.0
    boxes = np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=1)
    keypoints = raw[:, 4:12].reshape(-1, 4, 2) + anchor[:, None, :]
    return scores[keep], boxes, keypoints


def _iou(box: FloatArray, boxes: FloatArray) -> FloatArray:
    ix = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0.0, None)
    iy = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0.0, None)
    inter = ix * iy
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + areas - inter
    return np.asarray(np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0), dtype=np.float64)


def weighted_nms(
    scores: FloatArray, boxes: FloatArray, keypoints: FloatArray, iou_threshold: float = NMS_IOU
) -> list[tuple[float, FloatArray, FloatArray]]:
    """MediaPipe's weighted non-maximum suppression, best first.

    The best remaining candidate absorbs every candidate overlapping it by more than
    ``iou_threshold``; its box and keypoints become the score-weighted mean of the
    group, its score stays the best score.
    """
    order = np.argsort(-scores, kind="stable")
    merged: list[tuple[float, FloatArray, FloatArray]] = []
    while order.size:
        top = order[0]
        overlap = _iou(boxes[top], boxes[order])
        overlap[0] = 1.0
        group = order[overlap > iou_threshold]
        order = order[overlap <= iou_threshold]
        weights = scores[group]
        total = float(weights.sum())
        box = (boxes[group] * weights[:, None]).sum(axis=0) / total
        points = (keypoints[group] * weights[:, None, None]).sum(axis=0) / total
        merged.append((float(scores[top]), box, points))
    return merged


def refine_from_heatmap(
    normalized: FloatArray,
    heatmap: npt.NDArray[np.float32],
    kernel: int = HEATMAP_KERNEL,
    min_confidence: float = HEATMAP_MIN_CONFIDENCE,
) -> FloatArray:
    """MediaPipe's ``RefineLandmarksFromHeatmapCalculator``, vectorised.

    ``normalized`` is (N, 2) in [0, 1] of the crop, ``heatmap`` (H, W, N) logits. Each
    landmark inside the heatmap is replaced by the confidence-weighted mean of the
    ``kernel`` x ``kernel`` window around it (window clipped at the edges) when the
    window's maximum ``sigmoid`` confidence reaches ``min_confidence``.
    """
    height, width, channels = heatmap.shape
    out = normalized.copy()
    # C++ float -> int conversion truncates towards zero; keep that for identical windows.
    cols = np.trunc(normalized[:, 0] * width).astype(np.int64)
    rows = np.trunc(normalized[:, 1] * height).astype(np.int64)
    inside = (cols >= 0) & (cols < width) & (rows >= 0) & (rows < height)
    idx = np.flatnonzero(inside[:channels])
    if idx.size == 0:
        return out
    offsets = np.arange(kernel) - (kernel - 1) // 2
    win_r = rows[idx, None] + offsets[None, :]
    win_c = cols[idx, None] + offsets[None, :]
    valid = ((win_r >= 0) & (win_r < height))[:, :, None] & ((win_c >= 0) & (win_c < width))[:, None, :]
    values = heatmap[
        np.clip(win_r, 0, height - 1)[:, :, None],
        np.clip(win_c, 0, width - 1)[:, None, :],
        idx[:, None, None],
    ]
    confidence = np.where(valid, _sigmoid(values), 0.0)
    total = confidence.sum(axis=(1, 2))
    peak = confidence.max(axis=(1, 2))
    mean_c = (confidence * win_c[:, None, :]).sum(axis=(1, 2))
    mean_r = (confidence * win_r[:, :, None]).sum(axis=(1, 2))
    use = (peak >= min_confidence) & (total > 0)
    safe = np.where(total > 0, total, 1.0)
    out[idx[use], 0] = mean_c[use] / width / safe[use]
    out[idx[use], 1] = mean_r[use] / height / safe[use]
    return out


@dataclass(frozen=True)
class _LandmarkResult:
    presence: float
    image: FloatArray
    """(39, 2) pixels, auxiliary points included."""
    visibility: FloatArray
    """(33,)."""
    world: FloatArray
    """(33, 3) metres, rotated into the image orientation."""


@contextmanager
def _native_info_filtered() -> Iterator[None]:
    """Hide LiteRT's "INFO: Created TensorFlow Lite XNNPACK delegate" line from users.

    The line is written by C++ straight to file descriptor 2, so Python's logging cannot
    silence it. Everything else LiteRT writes there (warnings, errors) is passed on.
    """
    import os
    import sys
    import tempfile

    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), fd)
        try:
            yield
        finally:
            os.dup2(saved, fd)
            os.close(saved)
            capture.seek(0)
            for line in capture.read().decode("utf-8", "replace").splitlines():
                if not line.startswith("INFO: Created TensorFlow Lite"):
                    sys.stderr.write(line + "\n")


class BlazePoseLiteRT:
    """BlazePose GHUM (full) with MediaPipe-style detection and tracking, on ai-edge-litert.

    Parameters: ``num_threads`` for each LiteRT interpreter (XNNPACK); confidence
    thresholds as in MediaPipe's defaults; ``model_dir`` to load the model files from
    another folder (they are still sha256-checked); person-selection settings as
    described in the module docstring. Frames must be passed in time order. An instance
    holds two interpreters and tracking state: use one per thread or process.
    """

    name = "blazepose-full-litert"

    def __init__(
        self,
        num_threads: int = 2,
        *,
        min_detection_confidence: float = 0.5,
        min_presence: float = 0.5,
        reacquire_reach: float = 0.5,
        reacquire_speed: float = 2.0,
        reacquire_after_s: float = 1.0,
        coast_s: float = 0.25,
        max_candidates: int = 2,
        model_dir: Path | None = None,
    ) -> None:
        if num_threads < 1:
            raise ValueError("num_threads must be at least 1")
        detector_bytes = read_model(POSE_DETECTOR, model_dir)
        landmark_bytes = read_model(POSE_LANDMARKER_FULL, model_dir)
        from ai_edge_litert.interpreter import Interpreter  # heavy import, kept lazy

        self.num_threads = num_threads
        self.min_detection_confidence = min_detection_confidence
        self.min_presence = min_presence
        self.reacquire_reach = reacquire_reach
        self.reacquire_speed = reacquire_speed
        self.reacquire_after_s = reacquire_after_s
        self.coast_s = coast_s
        self.max_candidates = max_candidates

        with _native_info_filtered():
            self._detector: Any = Interpreter(model_content=detector_bytes, num_threads=num_threads)
            self._detector.allocate_tensors()
            self._landmarker: Any = Interpreter(model_content=landmark_bytes, num_threads=num_threads)
            self._landmarker.allocate_tensors()
        self._det_in = self._detector.get_input_details()[0]["index"]
        det_out = {d["name"]: d["index"] for d in self._detector.get_output_details()}
        self._det_boxes, self._det_scores = det_out["Identity"], det_out["Identity_1"]
        self._lm_in = self._landmarker.get_input_details()[0]["index"]
        lm_out = {d["name"]: d["index"] for d in self._landmarker.get_output_details()}
        self._lm_points = lm_out["Identity"]
        self._lm_presence = lm_out["Identity_1"]
        self._lm_heatmap = lm_out["Identity_3"]
        self._lm_world = lm_out["Identity_4"]
        self._anchors = ssd_anchors()
        if self._anchors.shape[0] != N_ANCHORS:  # pragma: no cover - guards the constants above
            raise AssertionError(f"expected {N_ANCHORS} anchors, got {self._anchors.shape[0]}")

        self.detector_runs = 0
        """How many times the detector ran since creation or ``reset()`` (diagnostics)."""
        self._roi: Roi | None = None
        self._last_centre: FloatArray | None = None
        self._sizes: deque[float] = deque(maxlen=SIZE_MEMORY)
        self._last_time = 0.0

    def reset(self) -> None:
        """Forget the tracked person (call before another clip)."""
        self._roi = None
        self._last_centre = None
        self._sizes.clear()
        self._last_time = 0.0
        self.detector_runs = 0

    def estimate(self, frame: Frame) -> FramePose | None:
        """Landmarks of the tracked person in ``frame``, or None when no person is found."""
        rgb = np.asarray(frame.rgb)
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB frame, got {rgb.shape} {rgb.dtype}")
        time = float(frame.time)
        tracked = self._landmarks(rgb, self._roi) if self._roi is not None else None
        result = tracked if tracked is not None and tracked.presence >= self.min_presence else None
        if result is None:
            result = self._from_detection(rgb, time)
        if result is None:
            self._roi = self._coast(tracked, time)
            return None
        centre = result.image[AUX_CENTRE]
        self._roi = Roi.from_points(centre, result.image[AUX_SCALE])
        self._last_centre = centre.copy()
        self._sizes.append(self._roi.size)
        self._last_time = time
        return FramePose(
            image=np.ascontiguousarray(result.image[:N_LANDMARKS]),
            visibility=result.visibility,
            world=result.world,
            score=result.presence,
        )

    def _typical_size(self) -> float:
        """Median ROI side over the last confident frames (robust to one odd ROI)."""
        return float(np.median(self._sizes)) if self._sizes else 0.0

    def _coast(self, tracked: _LandmarkResult | None, time: float) -> Roi | None:
        """The ROI to try on the next frame after a frame with no confident pose.

        For up to ``coast_s`` seconds after the last confident frame the ROI follows the
        landmark model's own low-confidence estimate (fast, unusual poses such as a jump
        or a roll often come back into confidence a frame later); the ROI must stay
        within half to twice the last confident size. After that, only the detector.
        """
        if tracked is None or abs(time - self._last_time) > self.coast_s:
            return None
        roi = Roi.from_points(tracked.image[AUX_CENTRE], tracked.image[AUX_SCALE])
        size = self._typical_size()
        if not 0.5 * size <= roi.size <= 2.0 * size:
            return None
        return roi

    # -- detector ---------------------------------------------------------------------

    def detect(self, rgb: npt.NDArray[np.uint8]) -> list[Detection]:
        """Person candidates in the whole frame, best score first (pixels of ``rgb``)."""
        import cv2

        height, width = rgb.shape[:2]
        scale = DETECTOR_INPUT / max(height, width)
        off_x = (DETECTOR_INPUT - width * scale) / 2.0
        off_y = (DETECTOR_INPUT - height * scale) / 2.0
        matrix = np.array([[scale, 0.0, off_x], [0.0, scale, off_y]], dtype=np.float64)
        letterboxed = cv2.warpAffine(
            rgb,
            matrix,
            (DETECTOR_INPUT, DETECTOR_INPUT),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=(0, 0, 0),
        )
        tensor = letterboxed.astype(np.float32) * np.float32(2.0 / 255.0) - np.float32(1.0)
        self._detector.set_tensor(self._det_in, tensor[None])
        self._detector.invoke()
        self.detector_runs += 1
        raw_boxes = self._detector.get_tensor(self._det_boxes)[0]
        raw_scores = self._detector.get_tensor(self._det_scores)[0, :, 0]
        scores, boxes, keypoints = decode_detections(
            raw_boxes, raw_scores, self._anchors, self.min_detection_confidence
        )
        detections = []
        for score, box, points in weighted_nms(scores, boxes, keypoints):
            px_points = (points * DETECTOR_INPUT - [off_x, off_y]) / scale
            px_box = (box * DETECTOR_INPUT - [off_x, off_y, off_x, off_y]) / scale
            detections.append(Detection(score, px_box, px_points))
        return detections

    def _from_detection(self, rgb: npt.NDArray[np.uint8], time: float) -> _LandmarkResult | None:
        """Landmarks from a fresh detection, preferring the person seen last (see module doc)."""
        detections = self.detect(rgb)
        if self._last_centre is not None and abs(time - self._last_time) <= self.reacquire_after_s:
            centre = self._last_centre
            elapsed = abs(time - self._last_time)
            reach = self._typical_size() * (self.reacquire_reach + self.reacquire_speed * elapsed)
            distances = [float(np.hypot(*(d.keypoints[0] - centre))) for d in detections]
            ranked = sorted(range(len(detections)), key=lambda k: (distances[k], k))
            detections = [detections[k] for k in ranked if distances[k] <= reach]
        for detection in detections[: self.max_candidates]:
            result = self._landmarks(rgb, Roi.from_points(detection.keypoints[0], detection.keypoints[1]))
            if result is not None and result.presence >= self.min_presence:
                return result
        return None

    # -- landmarks --------------------------------------------------------------------

    def _landmarks(self, rgb: npt.NDArray[np.uint8], roi: Roi) -> _LandmarkResult | None:
        import cv2

        if not (roi.size > 1.0 and math.isfinite(roi.size)):
            return None
        crop = cv2.warpAffine(
            rgb,
            roi.crop_matrix(LANDMARK_INPUT),
            (LANDMARK_INPUT, LANDMARK_INPUT),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        tensor = crop.astype(np.float32) * np.float32(1.0 / 255.0)
        self._landmarker.set_tensor(self._lm_in, tensor[None])
        self._landmarker.invoke()
        presence = float(self._landmarker.get_tensor(self._lm_presence).reshape(-1)[0])
        if not math.isfinite(presence):
            return None
        raw = self._landmarker.get_tensor(self._lm_points).reshape(N_MODEL_LANDMARKS, 5).astype(np.float64)
        heatmap = self._landmarker.get_tensor(self._lm_heatmap)[0]
        world_raw = self._landmarker.get_tensor(self._lm_world).reshape(N_MODEL_LANDMARKS, 3)
        normalized = refine_from_heatmap(raw[:, :2] / LANDMARK_INPUT, heatmap)
        image = roi.project(normalized)
        visibility = _sigmoid(raw[:N_LANDMARKS, 3])
        world = world_raw[:N_LANDMARKS].astype(np.float64)
        c, s = math.cos(roi.rotation), math.sin(roi.rotation)
        wx, wy = world[:, 0].copy(), world[:, 1].copy()
        world[:, 0] = c * wx - s * wy
        world[:, 1] = s * wx + c * wy
        return _LandmarkResult(presence=presence, image=image, visibility=visibility, world=world)
