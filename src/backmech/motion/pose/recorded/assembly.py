"""Frames read from any format, checked and assembled into a PoseSequence."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from backmech.domain.errors import InputError
from backmech.motion.pose.recorded.names import (
    canonical_landmark,
)
from backmech.motion.skeleton import INDEX, LANDMARKS, N_LANDMARKS, FloatArray, PoseSequence

# -- building the sequence -----------------------------------------------------------------


@dataclass
class _Frame:
    time: float
    image: FloatArray = field(default_factory=lambda: np.full((N_LANDMARKS, 2), np.nan))
    visibility: FloatArray = field(default_factory=lambda: np.zeros(N_LANDMARKS))
    world: FloatArray = field(default_factory=lambda: np.full((N_LANDMARKS, 3), np.nan))
    seen: set[int] = field(default_factory=set)


@dataclass
class _Meta:
    width: int | None = None
    height: int | None = None
    source: str = ""
    normalized: bool = False


def _error(where: str, problem: str, allowed: str = "") -> InputError:
    return InputError(where, problem, allowed=allowed)


def _landmark(where: str, name: str) -> int | None:
    try:
        canonical = canonical_landmark(name)
    except KeyError:
        raise _error(
            where,
            f"unknown landmark {name!r}",
            allowed="the 33 BlazePose names (backmech.motion.skeleton.LANDMARKS, e.g. left_hip) or "
            "COCO/HALPE/OpenPose names such as LHip, RKnee, LBigToe",
        ) from None
    return None if canonical is None else INDEX[canonical]


def _number(where: str, value: Any, what: str) -> float:
    """A float from a cell or JSON value; empty/None -> NaN."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return math.nan
    if isinstance(value, bool):
        raise _error(where, f"{what} must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _error(where, f"{what} must be a number, got {value!r}") from None
    if math.isinf(number):
        raise _error(where, f"{what} must be finite, got {value!r}")
    return number


def _put(
    frame: _Frame,
    where: str,
    index: int,
    xy: tuple[float, float],
    visibility: float,
    world: tuple[float, float, float] | None,
) -> None:
    if index in frame.seen:
        raise _error(where, f"landmark {LANDMARKS[index]!r} appears twice in the frame at time {frame.time}")
    frame.seen.add(index)
    if not math.isnan(visibility) and not 0.0 <= visibility <= 1.0:
        raise _error(where, f"visibility must be between 0 and 1, got {visibility}")
    if math.isfinite(xy[0]) and math.isfinite(xy[1]):
        frame.image[index] = xy
        frame.visibility[index] = 1.0 if math.isnan(visibility) else visibility
    if world is not None:
        if all(math.isfinite(v) for v in world):
            frame.world[index] = world
        elif any(math.isfinite(v) for v in world):
            raise _error(where, "world coordinates need all of world_x, world_y and world_z")


def _check_time(where: str, time: float, previous: float | None) -> None:
    if math.isnan(time):
        raise _error(where, "time is missing", allowed="seconds, e.g. 0.033")
    if previous is not None and time <= previous:
        raise _error(
            where,
            f"time {time} does not increase (previous frame at {previous}); "
            "frames must be in time order with distinct times, and the rows of one frame consecutive",
        )


def _positive_int(where: str, value: Any, what: str) -> int:
    number = _number(where, value, what)
    if not (number > 0 and number == int(number)):
        raise _error(where, f"{what} must be a positive whole number of pixels, got {value!r}")
    return int(number)


def _assemble(
    frames: list[_Frame], meta: _Meta, path: Path, width: int | None, height: int | None
) -> PoseSequence:
    name = path.name
    if not frames:
        raise _error(name, "contains no frames", allowed="at least one frame with a time")
    image = np.stack([f.image for f in frames])
    visibility = np.stack([f.visibility for f in frames])
    world_all = np.stack([f.world for f in frames])
    w = width if width is not None else meta.width
    h = height if height is not None else meta.height
    if meta.normalized:
        if w is None or h is None:
            raise _error(
                name,
                "coordinates are normalised (0-1) but the frame size is unknown",
                allowed="pass width and height, or give them in the file",
            )
        image = image * np.array([w, h], dtype=np.float64)
    if w is None or h is None:
        finite = image[np.isfinite(image[..., 0])]
        extent = np.ceil(finite.max(axis=0)) + 1 if finite.size else np.array([1.0, 1.0])
        w = w if w is not None else max(1, int(extent[0]))
        h = h if h is not None else max(1, int(extent[1]))
    if w <= 0 or h <= 0:
        raise _error(name, f"frame size must be positive, got {w}x{h}")
    world = world_all if np.isfinite(world_all).any() else None
    source = f"recorded:{name}" + (f" ({meta.source})" if meta.source else "")
    return PoseSequence(
        times=np.array([f.time for f in frames], dtype=np.float64),
        image=image,
        visibility=visibility,
        world=world,
        width=int(w),
        height=int(h),
        source=source,
    )


# -- CSV ------------------------------------------------------------------------------------
