"""Reading inputs and writing outputs safely: clear errors, no half-written files."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import orjson

from backmech.domain.errors import InputError
from backmech.input_files import read_limited

MAX_INPUT_BYTES = 5 * 1024 * 1024
"""An intake is a few kilobytes; anything far larger is a wrong file."""


def read_json(path: Path, *, limit: int = MAX_INPUT_BYTES, what: str = "an intake") -> object:
    """Decode one JSON file (read at most ``limit`` bytes), naming the file and position of any problem."""
    data = read_limited(path, limit, what=what, allowed="a path to an intake JSON file")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(
            str(path), f"is not valid JSON ({exc})", allowed="a JSON object, see `backmech schema intake`"
        ) from exc


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and rename: all or nothing.

    The file is readable by its owner only (mode 0600, from ``mkstemp``): reports and
    saved answers hold health data.
    """
    directory = path.parent if str(path.parent) else Path()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as exc:
        raise InputError(str(path), f"cannot be written ({exc.strerror})") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(tmp).replace(path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(str(path), f"cannot be written ({exc.strerror})") from exc
