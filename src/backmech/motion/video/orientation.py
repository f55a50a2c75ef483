"""Phone rotation metadata: turning decoded pictures upright."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from backmech.motion.video.container import (
    _Square,
)

if TYPE_CHECKING:
    from av.video.frame import VideoFrame as AVVideoFrame
    from av.video.stream import VideoStream


# --------------------------------------------------------------------------- value types


def _quarter_turns() -> dict[tuple[int, int, int, int], tuple[int, bool]]:
    """Signed 2x2 maps (column form, y down) → (counter-clockwise quarter turns, mirror first)."""
    rotate: _Square = ((0, 1), (-1, 0))  # one quarter turn counter-clockwise on screen
    mirror: _Square = ((-1, 0), (0, 1))  # left-right

    def mul(a: _Square, b: _Square) -> _Square:
        row0 = (a[0][0] * b[0][0] + a[0][1] * b[1][0], a[0][0] * b[0][1] + a[0][1] * b[1][1])
        row1 = (a[1][0] * b[0][0] + a[1][1] * b[1][0], a[1][0] * b[0][1] + a[1][1] * b[1][1])
        return (row0, row1)

    table: dict[tuple[int, int, int, int], tuple[int, bool]] = {}
    for flip in (False, True):
        m: _Square = mirror if flip else ((1, 0), (0, 1))
        for turns in range(4):
            table[(m[0][0], m[0][1], m[1][0], m[1][1])] = (turns, flip)
            m = mul(rotate, m)
    return table


_ORIENTATIONS = _quarter_turns()


def _orientation(frame: AVVideoFrame, stream: VideoStream) -> tuple[int, bool]:
    """(counter-clockwise quarter turns, mirror first) that make ``frame`` upright.

    FFmpeg's display matrix maps a stored pixel (p, q) to (a·p + c·q, b·p + d·q) on screen,
    with a, b, c, d = matrix[0], [1], [3], [4] (16.16 fixed point) — the same matrix that
    ``ffmpeg``'s autorotate turns into transpose/flip filters.

    Call it once per stream (or when ``frame.rotation`` changes), not per frame: in PyAV 18
    touching ``frame.side_data`` creates a reference cycle (frame ↔ SideDataContainer) that
    keeps the frame's native picture buffers alive until Python's cyclic GC happens to
    run — hundreds of MB over a 1080p clip. ``frame.rotation`` reads the same matrix in C
    without that cycle; it is the rotation part only, which is why the full matrix is read
    here (a pure left-right mirror shows as rotation 180, so the two stay distinguishable).
    """
    from av.sidedata.sidedata import Type

    matrix: npt.NDArray[np.int32] | None = None
    # Looked up by type, never by iterating: what iterating the container yields changed
    # in PyAV 18 (the Type keys, as a Mapping's keys) from PyAV 17 (the SideData values).
    side_data = frame.side_data
    if Type.DISPLAYMATRIX in side_data:
        side = side_data[Type.DISPLAYMATRIX]
        if side.buffer_size >= 36:
            matrix = np.frombuffer(bytes(side)[:36], dtype=np.int32)
    if matrix is None:
        tag = next((v for k, v in stream.metadata.items() if k.lower() == "rotate"), None)
        try:
            degrees_cw = float(tag) if tag is not None else 0.0
        except ValueError:
            degrees_cw = 0.0
        return (-round(degrees_cw / 90)) % 4, False
    a, b, c, d = (float(v) for v in (matrix[0], matrix[1], matrix[3], matrix[4]))
    if abs(a) + abs(d) >= abs(b) + abs(c):
        key = (int(math.copysign(1, a)), 0, 0, int(math.copysign(1, d)))
    else:
        key = (0, int(math.copysign(1, c)), int(math.copysign(1, b)), 0)
    if key in _ORIENTATIONS:
        return _ORIENTATIONS[key]
    # Not a rotation or mirror (a degenerate matrix): keep the rotation part only.
    return round(frame.rotation / 90) % 4, False


def _upright(frame: AVVideoFrame, turns: int, mirror: bool) -> npt.NDArray[np.uint8]:
    # rgb24 is 8 bits a channel; asarray states the dtype to mypy without copying the picture.
    rgb = np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
    if mirror:
        rgb = rgb[:, ::-1]
    if turns:
        rgb = np.rot90(rgb, turns)
    return np.ascontiguousarray(rgb)


# --------------------------------------------------------------------------- decoding
