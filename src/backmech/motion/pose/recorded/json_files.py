"""Reading the JSON format."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from backmech.motion.pose.recorded.assembly import (
    _check_time,
    _error,
    _Frame,
    _landmark,
    _Meta,
    _number,
    _positive_int,
    _put,
)
from backmech.motion.skeleton import LANDMARKS, N_LANDMARKS


def _json_point(where: str, value: Any, names: Sequence[str]) -> tuple[float, ...] | None:
    """Numbers of ``names`` from ``[..]`` or ``{..}``; None for null."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        unknown = set(value) - set(names) - {"visibility", "z", "presence"}
        if unknown:
            raise _error(where, f"unexpected key(s) {sorted(unknown)}", allowed=", ".join(names))
        return tuple(_number(where, value.get(n), n) for n in names)
    if isinstance(value, list) and len(value) == len(names):
        return tuple(_number(where, v, n) for v, n in zip(value, names, strict=True))
    raise _error(where, f"expected [{', '.join(names)}] or an object with {', '.join(names)}, got {value!r}")


def _named(where: str, entries: Any) -> Iterable[tuple[str, str, Any]]:
    """(where, name, value) for a mapping by name or a list in BlazePose order."""
    if entries is None:
        return []
    if isinstance(entries, Mapping):
        return [(f"{where}.{key}", str(key), value) for key, value in entries.items()]
    if isinstance(entries, list):
        if len(entries) != N_LANDMARKS:
            raise _error(
                where,
                f"a list of landmarks must have {N_LANDMARKS} entries in BlazePose order, got {len(entries)}",
            )
        return [(f"{where}[{i}]", LANDMARKS[i], value) for i, value in enumerate(entries)]
    raise _error(where, "must be an object mapping landmark names to points, or a list of 33 points")


_TOP_KEYS = ("width", "height", "coordinates", "source", "frames")
_FRAME_KEYS = {"time", "landmarks", "world", "index", "frame"}

_ImagePoint = tuple[str, tuple[float, float], float]
"""(where, (x, y), visibility) of one landmark; NaNs where the file gave null."""
_WorldPoint = tuple[str, tuple[float, float, float] | None]
"""(where, (x, y, z) or None) of one landmark's world coordinates."""


def _parse(text: str, name: str) -> Any:
    """The document, with a decode error turned into an InputError the user can act on."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _error(name, f"is not valid JSON: {exc.msg} at line {exc.lineno}") from None


def _json_meta(doc: Mapping[str, Any], name: str) -> _Meta:
    """Frame size, coordinate system and source of the object form; a typo in a top-level
    key is an error, because a misspelt ``width`` would otherwise be silently ignored."""
    unknown = set(doc) - set(_TOP_KEYS)
    if unknown:
        raise _error(name, f"unexpected top-level key(s) {sorted(unknown)}", allowed=", ".join(_TOP_KEYS))
    meta = _Meta()
    if doc.get("width") is not None:
        meta.width = _positive_int(f"{name}: width", doc["width"], "width")
    if doc.get("height") is not None:
        meta.height = _positive_int(f"{name}: height", doc["height"], "height")
    coordinates = doc.get("coordinates", "pixels")
    if coordinates not in ("pixels", "normalized"):
        raise _error(f"{name}: coordinates", f"unknown value {coordinates!r}", allowed="pixels, normalized")
    meta.normalized = coordinates == "normalized"
    meta.source = str(doc.get("source") or "")
    return meta


def _raw_frames(doc: Any, name: str) -> list[Any]:
    """The frame list: the whole document (bare list form) or its ``frames`` key."""
    if isinstance(doc, Mapping):
        if "frames" not in doc:
            raise _error(
                name, "missing key 'frames'", allowed="a list of frames, each with time and landmarks"
            )
        doc = doc["frames"]
    if not isinstance(doc, list):
        raise _error(f"{name}: frames", "must be a list of frames")
    return doc


def _frame_time(where: str, raw: Any, previous: float | None) -> float:
    """The frame's time, which must be given and later than ``previous``: speeds come from
    the time steps, so a missing or repeated time is an error rather than a frame to skip."""
    if not isinstance(raw, Mapping):
        raise _error(where, "must be an object with time and landmarks")
    unknown = set(raw) - _FRAME_KEYS
    if unknown:
        raise _error(where, f"unexpected key(s) {sorted(unknown)}", allowed="time, landmarks, world")
    if "time" not in raw:
        raise _error(where, "missing key 'time'", allowed="seconds, e.g. 0.033")
    time = _number(f"{where}.time", raw["time"], "time")
    _check_time(f"{where}.time", time, previous)
    return time


def _image_points(where: str, entries: Any) -> dict[int, _ImagePoint]:
    """Image landmarks by index. A landmark named twice (say by two spellings) is an error
    here, before assembly, so the message can point at the entry rather than the frame."""
    points: dict[int, _ImagePoint] = {}
    for at, label, value in _named(where, entries):
        index = _landmark(at, label)
        if index is None:
            continue
        xy = _json_point(at, value, ("x", "y"))
        vis = math.nan
        if isinstance(value, Mapping):
            _number(at, value.get("z"), "z")  # checked, then dropped: image depth is not used
            vis = _number(at, value.get("visibility"), "visibility")
        if index in points:
            raise _error(at, f"landmark {LANDMARKS[index]!r} appears twice in the frame")
        points[index] = (at, (math.nan, math.nan) if xy is None else (xy[0], xy[1]), vis)
    return points


def _world_points(where: str, entries: Any) -> dict[int, _WorldPoint]:
    """World landmarks by index, with the same duplicate check as the image landmarks."""
    worlds: dict[int, _WorldPoint] = {}
    for at, label, value in _named(where, entries):
        index = _landmark(at, label)
        if index is None:
            continue
        xyz = _json_point(at, value, ("x", "y", "z"))
        if index in worlds:
            raise _error(at, f"landmark {LANDMARKS[index]!r} appears twice in the frame")
        worlds[index] = (at, None if xyz is None else (xyz[0], xyz[1], xyz[2]))
    return worlds


def _merge(frame: _Frame, points: Mapping[int, _ImagePoint], worlds: Mapping[int, _WorldPoint]) -> None:
    """Put each landmark into ``frame`` once, whether the file gave it in the image, the
    world or both; a world-only landmark has no image position (NaN) but keeps its 3D point."""
    for index in sorted(set(points) | set(worlds)):
        if index in points:
            at, xy, vis = points[index]
        else:
            at, xy, vis = worlds[index][0], (math.nan, math.nan), math.nan
        world = worlds[index][1] if index in worlds else None
        _put(frame, at, index, xy, vis, world)


def _json_frame(where: str, raw: Any, previous: float | None) -> _Frame:
    """One frame from its JSON object; image and world landmarks are read apart so that a
    duplicate is reported at its own entry, then merged into one point per landmark."""
    frame = _Frame(_frame_time(where, raw, previous))
    points = _image_points(f"{where}.landmarks", raw.get("landmarks"))
    worlds = _world_points(f"{where}.world", raw.get("world"))
    _merge(frame, points, worlds)
    return frame


def _read_json(text: str, name: str) -> tuple[list[_Frame], _Meta]:
    """Frames and metadata of the JSON format: an object with ``frames`` or a bare list."""
    doc = _parse(text, name)
    meta = _json_meta(doc, name) if isinstance(doc, Mapping) else _Meta()
    frames: list[_Frame] = []
    for k, raw in enumerate(_raw_frames(doc, name)):
        frames.append(_json_frame(f"{name}: frames[{k}]", raw, frames[-1].time if frames else None))
    return frames, meta


# -- public API -----------------------------------------------------------------------------
