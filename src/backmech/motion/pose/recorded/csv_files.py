"""Reading the long and wide CSV formats."""

from __future__ import annotations

import csv
import io

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
from backmech.motion.pose.recorded.names import (
    IGNORED_COLUMNS,
    _key,
)
from backmech.motion.skeleton import LANDMARKS

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


def _read_csv(text: str, name: str) -> tuple[list[_Frame], _Meta]:
    meta = _Meta()
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


_Layout = dict[int, dict[str, int]]
"""Landmark index -> field name (``x``, ``world_z``, ...) -> column number."""


def _wide_layout(where_header: str, columns: list[str], time_col: int) -> _Layout:
    """Which column holds which field of which landmark. Every column must be accounted
    for: a column that is silently skipped would hide a misspelt landmark or field."""
    layout: _Layout = {}
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
        if index is None:  # a known point BlazePose lacks (neck, mid-hip, small toes): dropped
            continue
        fields = layout.setdefault(index, {})
        if fld in fields:
            raise _error(where_header, f"two columns give {fld} of {LANDMARKS[index]!r}")
        fields[fld] = i
    if not layout:
        raise _error(where_header, "no landmark columns", allowed="e.g. left_hip_x, left_hip_y")
    return layout


def _wide_normalized(where_header: str, layout: _Layout) -> bool:
    """True for x_norm/y_norm columns; one file must use one coordinate system, or the
    pixel and 0-1 landmarks would be scaled differently without anyone noticing."""
    kinds: set[str] = set()
    for fields in layout.values():
        if "x" in fields or "y" in fields:
            kinds.add("pixels")
        if "x_norm" in fields or "y_norm" in fields:
            kinds.add("normalized")
    if len(kinds) > 1:
        raise _error(where_header, "mixes x/y (pixels) and x_norm/y_norm (0-1) columns")
    return kinds == {"normalized"}


def _check_complete(where_header: str, layout: _Layout, xk: str, yk: str) -> None:
    """Each landmark needs both image coordinates and all or none of the world ones: half a
    point cannot be placed, and it is better reported once at the header than on every row."""
    for index, fields in layout.items():
        if xk not in fields or yk not in fields:
            raise _error(where_header, f"missing column {LANDMARKS[index]}_{yk if xk in fields else xk}")
        given = [f in fields for f in ("world_x", "world_y", "world_z")]
        if any(given) and not all(given):
            raise _error(
                where_header, f"{LANDMARKS[index]}: world coordinates need world_x, world_y and world_z"
            )


def _cell(row: list[str], i: int | None) -> str:
    """The text of column ``i``; a short row (trailing cells left off) reads as empty."""
    return row[i] if i is not None and i < len(row) else ""


def _wide_frame(where: str, row: list[str], time: float, layout: _Layout, xk: str, yk: str) -> _Frame:
    """One row as a frame; every cell is parsed, also the unused ``z``, so a typo anywhere
    in the row is reported."""
    frame = _Frame(time)
    for index, fields in layout.items():
        xy = (_number(where, _cell(row, fields[xk]), xk), _number(where, _cell(row, fields[yk]), yk))
        world = (
            (
                _number(where, _cell(row, fields["world_x"]), "world_x"),
                _number(where, _cell(row, fields["world_y"]), "world_y"),
                _number(where, _cell(row, fields["world_z"]), "world_z"),
            )
            if "world_x" in fields
            else None
        )
        _number(where, _cell(row, fields.get("z")), "z")
        vis = _number(where, _cell(row, fields.get("visibility")), "visibility")
        _put(frame, where, index, xy, vis, world)
    return frame


def _read_wide(
    name: str, header_line: int, columns: list[str], body: list[tuple[int, list[str]]], meta: _Meta
) -> list[_Frame]:
    """Frames of the wide format: one row per frame, columns ``<landmark>_<field>``."""
    where_header = f"{name} line {header_line}"
    time_col = next(i for i, c in enumerate(columns) if _key(c) == "time")
    layout = _wide_layout(where_header, columns, time_col)
    meta.normalized = _wide_normalized(where_header, layout)
    xk, yk = ("x_norm", "y_norm") if meta.normalized else ("x", "y")
    _check_complete(where_header, layout, xk, yk)
    frames: list[_Frame] = []
    for line, row in body:
        where = f"{name} line {line}"
        if len(row) > len(columns):
            raise _error(where, f"has {len(row)} cells but the header has {len(columns)} columns")
        time = _number(where, _cell(row, time_col), "time")
        _check_time(where, time, frames[-1].time if frames else None)
        frames.append(_wide_frame(where, row, time, layout, xk, yk))
    return frames


# -- JSON -----------------------------------------------------------------------------------
