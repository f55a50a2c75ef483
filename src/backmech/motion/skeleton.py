"""The skeleton: BlazePose's 33 landmarks, and the value types every stage passes on.

Coordinates: ``image`` is in pixels of the upright (rotation-corrected) frame, x to
the right and y downwards; ``world`` is BlazePose's metric, hip-centred 3D estimate
(x right, y down, z towards the camera), when the backend provides it. A landmark
that was not seen is NaN, never zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

LANDMARKS: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
"""BlazePose landmark order (index = position in this tuple)."""

INDEX: dict[str, int] = {name: i for i, name in enumerate(LANDMARKS)}
N_LANDMARKS = len(LANDMARKS)

BONES: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"),
    ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"),
    ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"),
    ("left_ankle", "left_heel"),
    ("left_heel", "left_foot_index"),
    ("left_ankle", "left_foot_index"),
    ("right_ankle", "right_heel"),
    ("right_heel", "right_foot_index"),
    ("right_ankle", "right_foot_index"),
    ("nose", "left_ear"),
    ("nose", "right_ear"),
)
"""Segments drawn on overlays."""


@dataclass(frozen=True)
class FramePose:
    """One person's landmarks in one frame, as a pose backend returns them."""

    image: FloatArray
    """(33, 2) pixel coordinates, NaN where not seen."""
    visibility: FloatArray
    """(33,) 0-1 confidence that each landmark is visible."""
    world: FloatArray | None
    """(33, 3) metres, hip-centred, or None when the backend has no 3D estimate."""
    score: float
    """Person presence, 0-1."""


@dataclass(frozen=True)
class PoseSequence:
    """Landmarks of one person over time: the input to kinematics and movement tests.

    ``times`` are presentation timestamps in seconds (variable frame rate is kept);
    frames where no person was found have NaN landmarks and zero visibility.
    """

    times: FloatArray
    """(T,) seconds from the start of the clip, strictly increasing."""
    image: FloatArray
    """(T, 33, 2) pixels."""
    visibility: FloatArray
    """(T, 33)."""
    world: FloatArray | None
    """(T, 33, 3) metres, or None."""
    width: int
    height: int
    source: str
    """What produced it: a backend name and version, or a recorded-keypoints file."""

    def __len__(self) -> int:
        return int(self.times.shape[0])

    @property
    def detected(self) -> npt.NDArray[np.bool_]:
        """(T,) frames in which the person was found (any landmark seen)."""
        return np.asarray(np.isfinite(self.image[:, :, 0]).any(axis=1))

    @property
    def detection_rate(self) -> float:
        """Share of frames with the person found (0-1)."""
        return float(self.detected.mean()) if len(self) else 0.0

    def point(self, name: str) -> FloatArray:
        """(T, 2) image track of one landmark."""
        return np.asarray(self.image[:, INDEX[name], :])

    def world_point(self, name: str) -> FloatArray | None:
        """(T, 3) world track of one landmark, or None."""
        return None if self.world is None else np.asarray(self.world[:, INDEX[name], :])
