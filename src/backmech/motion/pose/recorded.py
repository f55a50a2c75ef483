"""Landmarks recorded elsewhere (another pose tool, a motion-capture export) as a PoseSequence.

``load_recorded(path, width=None, height=None)`` reads one person's landmarks over time
from a CSV or JSON file; ``save_recorded(sequence, path)`` writes the same formats (so a
sequence can be exported, edited and read back unchanged). Problems are reported as
``InputError`` naming the file, the line or frame, and what would have been accepted.

Landmark names
--------------
The 33 BlazePose names of ``backmech.motion.skeleton.LANDMARKS`` (``nose`` ...
``right_foot_index``). Names are matched ignoring case and the characters ``_ - .``
and spaces, so ``LEFT_HIP``, ``left-hip`` and ``LeftHip`` are all ``left_hip``.
Common alternative names (COCO, HALPE/Sports2D, OpenPose BODY_25) are mapped, with
``L``/``R`` or ``left``/``right`` in front (``LHip``, ``RKnee``, ``right_big_toe``):

- ``LEye``, ``LEar``, ``LShoulder``, ``LElbow``, ``LWrist``, ``LPinky``, ``LIndex``,
  ``LThumb``, ``LHip``, ``LKnee``, ``LAnkle``, ``LHeel`` -> ``left_eye`` ... ``left_heel``
  (``R...`` -> ``right_...``);
- ``LBigToe``, ``left_big_toe``, ``LToe``, ``LFootIndex`` -> ``left_foot_index``
  (``R...`` -> ``right_foot_index``);
- COCO's ``left_hip`` etc. are the BlazePose names already.

Points with no BlazePose counterpart are accepted and skipped: ``Neck``, ``Head``,
``HeadTop``, ``Hip``/``MidHip``/``Pelvis`` (mid-hip), ``Spine``, ``Chest``,
``LSmallToe``/``RSmallToe`` (``left_small_toe``...). Any other name is an error.

Coordinates
-----------
``x``, ``y``: pixels of the upright video frame (x to the right, y downwards). Values
normalised to 0-1 of the frame (as MediaPipe's ``NormalizedLandmark``) are accepted in
columns named ``x_norm``/``y_norm`` (CSV) or with ``"coordinates": "normalized"`` (JSON);
the frame ``width`` and ``height`` are then required. ``z`` (MediaPipe's image-space
depth) is accepted and ignored. ``visibility``: 0-1, default 1 for a given point.
World coordinates (3D), optional: ``world_x``, ``world_y``, ``world_z`` in metres,
hip-centred, x right, y down, z towards the camera (BlazePose's convention). A point not
seen is an empty cell (CSV) or ``null``/absent (JSON): it becomes NaN with visibility 0.

``time``: seconds (any origin; kept as given), one value per frame, strictly increasing.

CSV, long format (one row per landmark and frame)::

    # width: 1920
    # height: 1080
    # source: OpenCap session 12
    time,landmark,x,y,z,visibility,world_x,world_y,world_z
    0.000,left_hip,612.4,540.2,,0.98,0.091,0.002,0.010
    0.000,LKnee,600.1,700.0,,0.95,,,
    0.033,left_hip,613.0,541.0,,0.97,,,

Required columns: ``time``, ``landmark``, ``x`` and ``y`` (or ``x_norm`` and ``y_norm``);
the rest are optional. All rows of one frame share one ``time`` and are consecutive. A
frame without a person is a row with an empty ``landmark``. Leading ``# key: value``
lines set ``width``, ``height`` and ``source``; other ``#`` lines are comments. The
delimiter may be ``,``, ``;`` or a tab. A ``frame`` (or ``frame_index``) column is
ignored; any other extra column is an error.

CSV, wide format (one row per frame; chosen when there is no ``landmark`` column)::

    time,left_hip_x,left_hip_y,left_hip_visibility,LKnee_x,LKnee_y
    0.000,612.4,540.2,0.98,600.1,700.0

Columns ``<landmark>_<field>`` with field ``x``, ``y`` (or ``x_norm``, ``y_norm``),
``z``, ``visibility``, ``world_x``, ``world_y``, ``world_z``; each landmark needs both
``x`` and ``y`` columns.

JSON (``.json``): an object, or just the list of frames::

    {
      "width": 1920, "height": 1080,          (optional)
      "coordinates": "pixels",                (or "normalized"; default "pixels")
      "source": "OpenCap session 12",         (optional)
      "frames": [
        {"time": 0.0,
         "landmarks": {"left_hip": {"x": 612.4, "y": 540.2, "visibility": 0.98},
                       "LKnee": [600.1, 700.0]},
         "world": {"left_hip": [0.091, 0.002, 0.010]}},
        {"time": 0.033, "landmarks": {}}
      ]
    }

A landmark is ``{"x", "y", optional "z", optional "visibility"}`` (a ``"presence"`` key,
as MediaPipe exports it, is ignored) or ``[x, y]``; ``"landmarks"`` may also be a list of
33 such entries in BlazePose order. ``"world"`` (optional) maps names to ``[x, y, z]`` or
``{"x", "y", "z"}``. A frame's ``"index"``/``"frame"`` keys are ignored; other keys are errors.

Frame size: ``width``/``height`` arguments win, then the file's; without either (pixel
coordinates only) the size is the smallest that holds every point.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from backmech.domain.errors import InputError
from backmech.motion.skeleton import INDEX, LANDMARKS, N_LANDMARKS, FloatArray, PoseSequence

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
JSON_SUFFIXES = (".json",)
IGNORED_COLUMNS = frozenset({"frame", "frameindex"})
"""Extra CSV columns that are accepted and ignored (``frame``, ``frame_index``; normalised names)."""

SKIPPED_POINTS: frozenset[str] = frozenset(
    {
        "neck", "head", "headtop", "hip", "midhip", "pelvis", "spine", "chest",
        "lsmalltoe", "rsmalltoe", "leftsmalltoe", "rightsmalltoe",
    }
)  # fmt: skip
"""Normalised names of points without a BlazePose counterpart: accepted, then dropped."""


def _key(name: str) -> str:
    return re.sub(r"[\s_.\-]+", "", name).lower()


def _aliases() -> dict[str, str]:
    table = {_key(name): name for name in LANDMARKS}
    paired = {
        "eye": "eye", "ear": "ear", "shoulder": "shoulder", "elbow": "elbow", "wrist": "wrist",
        "hip": "hip", "knee": "knee", "ankle": "ankle", "heel": "heel", "pinky": "pinky",
        "index": "index", "thumb": "thumb", "bigtoe": "foot_index", "toe": "foot_index",
        "footindex": "foot_index",
    }  # fmt: skip
    for side, short in (("left", "l"), ("right", "r")):
        for part, target in paired.items():
            for prefix in (short, side):
                table.setdefault(prefix + part, f"{side}_{target}")
    return table


ALIASES: dict[str, str] = _aliases()
"""Normalised name (``_key``) -> BlazePose landmark."""

_SKIP = "__skip__"


def canonical_landmark(name: str) -> str | None:
    """The BlazePose name for ``name``, None for a known point BlazePose lacks; KeyError otherwise."""
    key = _key(name)
    if key in ALIASES:
        return ALIASES[key]
    if key in SKIPPED_POINTS:
        return None
    raise KeyError(name)


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

_FIELDS = ("x_norm", "y_norm", "world_x", "world_y", "world_z", "visibility", "x", "y", "z")
"""Per-landmark fields, longest suffix first (``world_x`` before ``x``)."""


def _csv_lines(text: str, name: str, meta: _Meta) -> tuple[list[str], int]:
    """Header + data lines without the leading comment block; also returns the header's line number."""
    lines = text.splitlines()
    start = 0
    while start < len(lines) and (not lines[start].strip() or lines[start].lstrip().startswith("#")):
        comment = lines[start].lstrip().lstrip("#").strip()
        key, sep, value = comment.partition(":")
        key = key.strip().lower()
        where = f"{name} line {start + 1}"
        if sep and key == "width":
            meta.width = _positive_int(where, value.strip(), "width")
        elif sep and key == "height":
            meta.height = _positive_int(where, value.strip(), "height")
        elif sep and key == "source":
            meta.source = value.strip()
        start += 1
    if start >= len(lines):
        raise _error(name, "has no header row", allowed="a first line such as time,landmark,x,y")
    return lines[start:], start + 1


def _read_csv(path: Path) -> tuple[list[_Frame], _Meta]:
    name = path.name
    meta = _Meta()
    text = path.read_text(encoding="utf-8-sig")
    lines, header_line = _csv_lines(text, name, meta)
    header = lines[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    columns = [c.strip() for c in rows[0]]
    keys = [_key(c) for c in columns]
    if "time" not in keys:
        raise _error(f"{name} line {header_line}", "missing column 'time'", allowed="time in seconds")
    if len(set(keys)) != len(keys):
        raise _error(f"{name} line {header_line}", "a column name appears twice")
    body = [(header_line + k, row) for k, row in enumerate(rows[1:], start=1)]
    body = [(n, row) for n, row in body if any(cell.strip() for cell in row)]
    if "landmark" in keys:
        frames = _read_long(name, header_line, columns, keys, body, meta)
    else:
        frames = _read_wide(name, header_line, columns, body, meta)
    return frames, meta


def _read_long(
    name: str,
    header_line: int,
    columns: list[str],
    keys: list[str],
    body: list[tuple[int, list[str]]],
    meta: _Meta,
) -> list[_Frame]:
    where_header = f"{name} line {header_line}"
    known = {"time", "landmark", "x", "y", "xnorm", "ynorm", "z", "visibility", "worldx", "worldy", "worldz"}
    extra = [c for c, k in zip(columns, keys, strict=True) if k not in known and k not in IGNORED_COLUMNS]
    if extra:
        raise _error(
            where_header,
            f"unexpected column(s) {', '.join(map(repr, extra))}",
            allowed="time, landmark, x, y (or x_norm, y_norm), z, visibility, world_x/y/z, frame",
        )
    pixel = "x" in keys and "y" in keys
    normalized = "xnorm" in keys and "ynorm" in keys
    coordinates = "x and y in pixels, or x_norm and y_norm (0-1)"
    if pixel and normalized:
        raise _error(where_header, "has both x/y and x_norm/y_norm columns", allowed=coordinates)
    if not (pixel or normalized):
        raise _error(where_header, "missing column 'x' or 'y'", allowed=coordinates)
    meta.normalized = normalized
    col = {k: i for i, k in enumerate(keys)}
    xk, yk = ("xnorm", "ynorm") if normalized else ("x", "y")
    has_world = [k in col for k in ("worldx", "worldy", "worldz")]
    if any(has_world) and not all(has_world):
        raise _error(where_header, "world coordinates need all three columns world_x, world_y, world_z")

    def cell(row: list[str], key: str) -> str:
        i = col.get(key)
        return row[i] if i is not None and i < len(row) else ""

    frames: list[_Frame] = []
    for line, row in body:
        where = f"{name} line {line}"
        if len(row) > len(columns):
            raise _error(where, f"has {len(row)} cells but the header has {len(columns)} columns")
        time = _number(where, cell(row, "time"), "time")
        if not frames or time != frames[-1].time:
            _check_time(where, time, frames[-1].time if frames else None)
            frames.append(_Frame(time))
        label = cell(row, "landmark").strip()
        if not label:
            continue
        index = _landmark(where, label)
        if index is None:
            continue
        xy = (_number(where, cell(row, xk), xk), _number(where, cell(row, yk), yk))
        world = (
            (
                _number(where, cell(row, "worldx"), "world_x"),
                _number(where, cell(row, "worldy"), "world_y"),
                _number(where, cell(row, "worldz"), "world_z"),
            )
            if all(has_world)
            else None
        )
        _number(where, cell(row, "z"), "z")
        _put(frames[-1], where, index, xy, _number(where, cell(row, "visibility"), "visibility"), world)
    return frames


def _split_wide(column: str) -> tuple[str, str] | None:
    """``LHip_x`` -> ("LHip", "x"); ``left_hip_world_x`` -> ("left_hip", "world_x")."""
    text = column.strip()
    for suffix in _FIELDS:
        tail = "_" + suffix
        if text.lower().endswith(tail) and len(text) > len(tail):
            return text[: -len(tail)], suffix
    return None


def _read_wide(
    name: str, header_line: int, columns: list[str], body: list[tuple[int, list[str]]], meta: _Meta
) -> list[_Frame]:
    where_header = f"{name} line {header_line}"
    time_col = next(i for i, c in enumerate(columns) if _key(c) == "time")
    layout: dict[int, dict[str, int]] = {}
    skipped: set[str] = set()
    kinds: set[str] = set()
    for i, column in enumerate(columns):
        if i == time_col or _key(column) in IGNORED_COLUMNS:
            continue
        parts = _split_wide(column)
        if parts is None:
            raise _error(
                where_header,
                f"column {column!r} is neither 'time' nor '<landmark>_<field>'",
                allowed="fields x, y, x_norm, y_norm, z, visibility, world_x, world_y, world_z; "
                "or add a 'landmark' column for the long format",
            )
        label, fld = parts
        index = _landmark(f"{where_header}, column {column!r}", label)
        if index is None:
            skipped.add(label)
            continue
        fields = layout.setdefault(index, {})
        if fld in fields:
            raise _error(where_header, f"two columns give {fld} of {LANDMARKS[index]!r}")
        fields[fld] = i
        if fld in ("x", "y"):
            kinds.add("pixels")
        elif fld in ("x_norm", "y_norm"):
            kinds.add("normalized")
    if not layout:
        raise _error(where_header, "no landmark columns", allowed="e.g. left_hip_x, left_hip_y")
    if len(kinds) > 1:
        raise _error(where_header, "mixes x/y (pixels) and x_norm/y_norm (0-1) columns")
    meta.normalized = kinds == {"normalized"}
    xk, yk = ("x_norm", "y_norm") if meta.normalized else ("x", "y")
    for index, fields in layout.items():
        if xk not in fields or yk not in fields:
            raise _error(where_header, f"missing column {LANDMARKS[index]}_{yk if xk in fields else xk}")
        given = [f in fields for f in ("world_x", "world_y", "world_z")]
        if any(given) and not all(given):
            raise _error(
                where_header, f"{LANDMARKS[index]}: world coordinates need world_x, world_y and world_z"
            )

    frames: list[_Frame] = []
    for line, row in body:
        where = f"{name} line {line}"
        if len(row) > len(columns):
            raise _error(where, f"has {len(row)} cells but the header has {len(columns)} columns")

        def cell(i: int | None, row: list[str] = row) -> str:
            return row[i] if i is not None and i < len(row) else ""

        time = _number(where, cell(time_col), "time")
        _check_time(where, time, frames[-1].time if frames else None)
        frame = _Frame(time)
        for index, fields in layout.items():
            xy = (_number(where, cell(fields[xk]), xk), _number(where, cell(fields[yk]), yk))
            world = (
                (
                    _number(where, cell(fields["world_x"]), "world_x"),
                    _number(where, cell(fields["world_y"]), "world_y"),
                    _number(where, cell(fields["world_z"]), "world_z"),
                )
                if "world_x" in fields
                else None
            )
            _number(where, cell(fields.get("z")), "z")
            vis = _number(where, cell(fields.get("visibility")), "visibility")
            _put(frame, where, index, xy, vis, world)
        frames.append(frame)
    return frames


# -- JSON -----------------------------------------------------------------------------------


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


def _read_json(path: Path) -> tuple[list[_Frame], _Meta]:
    name = path.name
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
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


def load_recorded(path: Path | str, width: int | None = None, height: int | None = None) -> PoseSequence:
    """Read recorded landmarks (CSV or JSON, format in the module docstring) as a PoseSequence.

    ``width``/``height`` give the frame size in pixels (needed for normalised
    coordinates when the file does not say). Raises ``InputError`` for anything the
    format does not allow: unknown landmarks, missing columns, times that do not increase.
    """
    path = Path(path)
    for value, what in ((width, "width"), (height, "height")):
        if value is not None and value <= 0:
            raise _error(what, f"must be a positive number of pixels, got {value}")
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + JSON_SUFFIXES:
        raise _error(
            str(path),
            f"unsupported file type {suffix or '(none)'!r}",
            allowed=", ".join(CSV_SUFFIXES + JSON_SUFFIXES),
        )
    if not path.is_file():
        raise _error(str(path), "file not found")
    try:
        frames, meta = _read_json(path) if suffix in JSON_SUFFIXES else _read_csv(path)
    except UnicodeDecodeError:
        raise _error(path.name, "is not UTF-8 text") from None
    return _assemble(frames, meta, path, width, height)


def _fmt(value: float) -> str:
    return "" if not math.isfinite(value) else repr(float(value))


def save_recorded(sequence: PoseSequence, path: Path | str) -> Path:
    """Write ``sequence`` as long-format CSV (``.csv``) or JSON (``.json``), readable by ``load_recorded``.

    Coordinates are written in pixels with full float precision; landmarks not seen
    are left out (a frame without any is kept with its time).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    world = sequence.world
    if suffix == ".json":
        frames: list[dict[str, Any]] = []
        for t in range(len(sequence)):
            entry: dict[str, Any] = {"time": float(sequence.times[t]), "landmarks": {}}
            for i, lm in enumerate(LANDMARKS):
                x, y = sequence.image[t, i]
                if math.isfinite(x) and math.isfinite(y):
                    entry["landmarks"][lm] = {
                        "x": float(x),
                        "y": float(y),
                        "visibility": float(sequence.visibility[t, i]),
                    }
            if world is not None:
                points = {
                    lm: [float(v) for v in world[t, i]]
                    for i, lm in enumerate(LANDMARKS)
                    if np.isfinite(world[t, i]).all()
                }
                if points:
                    entry["world"] = points
            frames.append(entry)
        doc = {
            "width": sequence.width,
            "height": sequence.height,
            "coordinates": "pixels",
            "source": sequence.source,
            "frames": frames,
        }
        path.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n", encoding="utf-8")
        return path
    if suffix != ".csv":
        raise _error(str(path), f"unsupported file type {suffix or '(none)'!r}", allowed=".csv, .json")
    out = io.StringIO()
    out.write(f"# width: {sequence.width}\n# height: {sequence.height}\n# source: {sequence.source}\n")
    writer = csv.writer(out, lineterminator="\n")
    header = ["time", "landmark", "x", "y", "visibility"] + (
        ["world_x", "world_y", "world_z"] if world is not None else []
    )
    writer.writerow(header)
    for t in range(len(sequence)):
        time = repr(float(sequence.times[t]))
        wrote = False
        for i, lm in enumerate(LANDMARKS):
            x, y = sequence.image[t, i]
            has_xy = math.isfinite(x) and math.isfinite(y)
            has_world = world is not None and bool(np.isfinite(world[t, i]).all())
            if not (has_xy or has_world):
                continue
            row = [time, lm, _fmt(x), _fmt(y), _fmt(sequence.visibility[t, i]) if has_xy else ""]
            if world is not None:
                row += [_fmt(v) for v in world[t, i]] if has_world else ["", "", ""]
            writer.writerow(row)
            wrote = True
        if not wrote:
            writer.writerow([time, ""] + [""] * (len(header) - 2))
    path.write_text(out.getvalue(), encoding="utf-8")
    return path
