"""``load_recorded`` and ``save_recorded``: the public entry points."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from backmech.input_files import read_limited
from backmech.motion.pose.recorded.assembly import (
    _assemble,
    _error,
)
from backmech.motion.pose.recorded.csv_files import (
    _read_csv,
)
from backmech.motion.pose.recorded.json_files import (
    _read_json,
)
from backmech.motion.pose.recorded.names import (
    CSV_SUFFIXES,
    JSON_SUFFIXES,
)
from backmech.motion.skeleton import LANDMARKS, PoseSequence

MAX_RECORDED_BYTES = 200 * 1024 * 1024
"""Ten minutes of 33 landmarks at 60 frames a second is about 50 MB of CSV; far more is a wrong file."""


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
    if not path.exists():
        raise _error(str(path), "file not found")
    data = read_limited(path, MAX_RECORDED_BYTES, what="a recorded-landmarks file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _error(path.name, "is not UTF-8 text") from None
    frames, meta = _read_json(text, path.name) if suffix in JSON_SUFFIXES else _read_csv(text, path.name)
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
