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


def _read_json(text: str, name: str) -> tuple[list[_Frame], _Meta]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _error(name, f"is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    meta = _Meta()
    if isinstance(doc, Mapping):
        unknown = set(doc) - {"width", "height", "coordinates", "source", "frames"}
        if unknown:
            raise _error(
                name,
                f"unexpected top-level key(s) {sorted(unknown)}",
                allowed="width, height, coordinates, source, frames",
            )
        if doc.get("width") is not None:
            meta.width = _positive_int(f"{name}: width", doc["width"], "width")
        if doc.get("height") is not None:
            meta.height = _positive_int(f"{name}: height", doc["height"], "height")
        coordinates = doc.get("coordinates", "pixels")
        if coordinates not in ("pixels", "normalized"):
            raise _error(
                f"{name}: coordinates", f"unknown value {coordinates!r}", allowed="pixels, normalized"
            )
        meta.normalized = coordinates == "normalized"
        meta.source = str(doc.get("source") or "")
        if "frames" not in doc:
            raise _error(
                name, "missing key 'frames'", allowed="a list of frames, each with time and landmarks"
            )
        raw_frames = doc["frames"]
    else:
        raw_frames = doc
    if not isinstance(raw_frames, list):
        raise _error(f"{name}: frames", "must be a list of frames")
    frames: list[_Frame] = []
    for k, raw in enumerate(raw_frames):
        where = f"{name}: frames[{k}]"
        if not isinstance(raw, Mapping):
            raise _error(where, "must be an object with time and landmarks")
        unknown = set(raw) - {"time", "landmarks", "world", "index", "frame"}
        if unknown:
            raise _error(where, f"unexpected key(s) {sorted(unknown)}", allowed="time, landmarks, world")
        if "time" not in raw:
            raise _error(where, "missing key 'time'", allowed="seconds, e.g. 0.033")
        time = _number(f"{where}.time", raw["time"], "time")
        _check_time(f"{where}.time", time, frames[-1].time if frames else None)
        frame = _Frame(time)
        points: dict[int, tuple[str, tuple[float, float], float]] = {}
        for at, label, value in _named(f"{where}.landmarks", raw.get("landmarks")):
            index = _landmark(at, label)
            if index is None:
                continue
            xy = _json_point(at, value, ("x", "y"))
            vis = math.nan
            if isinstance(value, Mapping):
                _number(at, value.get("z"), "z")
                vis = _number(at, value.get("visibility"), "visibility")
            if index in points:
                raise _error(at, f"landmark {LANDMARKS[index]!r} appears twice in the frame")
            points[index] = (at, (math.nan, math.nan) if xy is None else (xy[0], xy[1]), vis)
        worlds: dict[int, tuple[str, tuple[float, float, float] | None]] = {}
        for at, label, value in _named(f"{where}.world", raw.get("world")):
            index = _landmark(at, label)
            if index is None:
                continue
            xyz = _json_point(at, value, ("x", "y", "z"))
            if index in worlds:
                raise _error(at, f"landmark {LANDMARKS[index]!r} appears twice in the frame")
            worlds[index] = (at, None if xyz is None else (xyz[0], xyz[1], xyz[2]))
        for index in sorted(set(points) | set(worlds)):
            if index in points:
                at, xy_pt, vis = points[index]
            else:
                at, xy_pt, vis = worlds[index][0], (math.nan, math.nan), math.nan
            world_pt = worlds[index][1] if index in worlds else None
            _put(frame, at, index, xy_pt, vis, world_pt)
        frames.append(frame)
    return frames, meta


# -- public API -----------------------------------------------------------------------------
