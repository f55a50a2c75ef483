"""Reading a file a person named: never more than a stated number of bytes, whatever the file is.

A path on the command line may be a regular file, but also a pipe (``--input <(…)``,
``/dev/stdin``) or a device (``/dev/zero``). Their size is unknown until read — ``stat``
says 0 for all of them — so checking the size first and then reading everything, as a
plain ``read_bytes()`` does, reads ``/dev/zero`` for ever. Here the file is read in
blocks and abandoned as soon as it passes the limit, for every kind of file; a folder,
a missing file or a file without permission is named with what to do instead.

Every reader of a user-named file (intakes, batches, saved answers, exports, recorded
keypoints, knowledge folders) goes through :func:`read_limited`.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from backmech.domain.errors import InputError

_BLOCK = 1 << 16


def describe_size(n_bytes: int) -> str:
    """``5 MB``, ``64 KB``, ``12 bytes``: a limit as people read it."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n_bytes >= size:
            value = n_bytes / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n_bytes} byte{'s' if n_bytes != 1 else ''}"


def read_limited(path: Path, limit: int, *, what: str, allowed: str = "") -> bytes:
    """The bytes of ``path``, or an :class:`InputError` once it passes ``limit`` bytes.

    ``what`` names the expected content in the message (``"an intake"``); ``allowed``
    says what would have been accepted (for the hint).
    """
    with _opened(path, allowed) as handle:
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = _read(handle, path, min(_BLOCK, limit + 1 - total), allowed)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
    raise _too_large(str(path), limit, what, allowed)


def read_lines_limited(path: Path, line_limit: int, *, what: str, allowed: str = "") -> Iterator[bytes]:
    """The lines of ``path`` one at a time (a JSON-lines batch may be a pipe that never ends).

    A line longer than ``line_limit`` bytes stops the reading with an :class:`InputError`
    naming the line: ``/dev/zero`` is one endless line.
    """
    with _opened(path, allowed) as handle:
        number = 0
        while True:
            line = _read(handle, path, line_limit + 1, allowed, line=True)
            if not line:
                return
            number += 1
            if len(line) > line_limit and not line.endswith(b"\n"):
                raise _too_large(f"{path} line {number}", line_limit, what, allowed)
            yield line


def _too_large(where: str, limit: int, what: str, allowed: str) -> InputError:
    return InputError(
        where,
        f"is larger than {describe_size(limit)}, the most {what} can be; reading stopped there",
        allowed=allowed or f"{what} of at most {describe_size(limit)}",
    )


@contextmanager
def _opened(path: Path, allowed: str) -> Iterator[BinaryIO]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise _unreadable(path, exc, allowed) from None
    with handle:
        yield handle


def _read(handle: BinaryIO, path: Path, size: int, allowed: str, *, line: bool = False) -> bytes:
    try:
        return handle.readline(size) if line else handle.read(size)
    except OSError as exc:
        raise _unreadable(path, exc, allowed) from None


def _unreadable(path: Path, exc: OSError, allowed: str) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError(str(path), "does not exist", allowed=allowed)
    if isinstance(exc, IsADirectoryError):
        return InputError(str(path), "is a folder, not a file", allowed=allowed)
    if isinstance(exc, PermissionError):
        return InputError(
            str(path), "cannot be read: permission denied", allowed="a file your account may read"
        )
    reason = exc.strerror or errno.errorcode.get(exc.errno or 0, "unknown error")
    return InputError(str(path), f"cannot be read ({reason})", allowed=allowed)
