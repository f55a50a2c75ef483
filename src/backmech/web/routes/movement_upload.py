"""Receiving a movement video: refuse what is clearly not a video early, stream the rest to disk.

Two ways in, one result:

* the plain form (``multipart/form-data``, works without JavaScript): Starlette spools
  the file part to a temporary file (in memory only up to 1 MB), which is copied to
  the media folder in 1 MB blocks;
* the recorder and the enhanced form (``static/recorder.js``) send the video itself as
  the request body (``Content-Type: video/...``), so it is written to disk as it
  arrives and refused on its declared type before a byte is read.

What is refused at once (422): a declared type that is not a video (unless the name
has a video extension and the type is empty or generic), and a file whose first bytes
say it is a document, a photo, an archive or text. Anything else is accepted: whether
it really is a usable video is the analysis's job, which says so in its own words.
The size limit is the app's (413 from ``LimitUploadSize``). A half-written file is
removed; the upload goes to ``<media>/<clinic>/<patient>/<analysis id>.<ext>``.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from uuid import UUID

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi", ".3gp"})
SUFFIX_OF_TYPE = {
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/x-m4v": ".m4v",
    "video/webm": ".webm",
    "video/x-matroska": ".mkv",
    "video/matroska": ".mkv",
    "video/x-msvideo": ".avi",
    "video/avi": ".avi",
    "video/3gpp": ".3gp",
}
GENERIC_TYPES = frozenset({"", "application/octet-stream"})
SNIFF_BYTES = 512
BLOCK = 1024 * 1024

_NOT_VIDEO: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG picture"),
    (b"\xff\xd8\xff", "a photo (JPEG)"),
    (b"GIF8", "a GIF picture"),
    (b"PK\x03\x04", "a ZIP archive or an office document"),
    (b"\xd0\xcf\x11\xe0", "an office document"),
    (b"{\\rtf", "a text document"),
)
_PHOTO_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif"})
"""ISO base media files whose major brand is a still-image format (iPhone photos, AVIF)."""


class UploadRefusedError(Exception):
    """Not a video, or a file already refused: what was wrong and what to do (next to the form, 422)."""

    def __init__(self, message: str, hint: str, *, code: str = "not_a_video") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code


NOT_A_VIDEO_HINT = (
    "Choose a video file (MP4, MOV or WebM, as your phone records it), "
    "or record the test here in the browser."
)


def suffix_for(content_type: str, filename: str) -> str:
    """The extension to store under, from the declared type and name; refuses a declared non-video."""
    declared = content_type.split(";", 1)[0].strip().lower()
    suffix = Path(filename or "").suffix.lower()
    if declared.startswith("video/"):
        return suffix if suffix in VIDEO_SUFFIXES else SUFFIX_OF_TYPE.get(declared, ".mp4")
    if declared in GENERIC_TYPES and suffix in VIDEO_SUFFIXES:
        return suffix
    what = f"a file of type {declared}" if declared not in GENERIC_TYPES else "a file that is not a video"
    shown = f"“{Path(filename).name}” is {what}" if filename else f"That is {what}"
    raise UploadRefusedError(f"{shown}, not a video.", NOT_A_VIDEO_HINT)


def sniff(head: bytes) -> str | None:
    """What the first bytes say the file is, when that is clearly not a video; else None."""
    for magic, what in _NOT_VIDEO:
        if head.startswith(magic):
            return what
    if head[4:8] == b"ftyp" and head[8:12] in _PHOTO_BRANDS:
        return "a photo (HEIC or AVIF)"
    sample = head[:SNIFF_BYTES]
    if sample and _is_text(sample):
        return "a text file"
    return None


def _is_text(sample: bytes) -> bool:
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the sample is still text.
        try:
            text = sample[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return all(ch.isprintable() or ch in "\t\r\n" for ch in text)


def media_path(clinic_id: UUID, patient_id: UUID, analysis_id: UUID, suffix: str) -> str:
    """Relative to the media root (what the analysis record stores)."""
    return f"{clinic_id}/{patient_id}/{analysis_id}{suffix}"


class _Readable(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


@dataclass
class Saved:
    path: Path
    size: int
    sha256: str


async def save_chunks(chunks: AsyncIterator[bytes], target: Path) -> Saved:
    """Write a body as it arrives: sniff the first bytes, then append; nothing left behind on failure."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(f".{target.name}.part")
    size = 0
    head = b""
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            async for chunk in chunks:
                if not chunk:
                    continue
                if len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                    if len(head) >= SNIFF_BYTES:
                        _refuse_sniffed(head)
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        if size == 0:
            raise UploadRefusedError("No video arrived: the file was empty.", NOT_A_VIDEO_HINT)
        _refuse_sniffed(head)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Saved(target, size, digest.hexdigest())


async def _blocks(upload: _Readable) -> AsyncIterator[bytes]:
    while block := await upload.read(BLOCK):
        yield block


async def save_upload(upload: _Readable, target: Path) -> Saved:
    """Copy a spooled form upload to the media folder in blocks."""
    return await save_chunks(_blocks(upload), target)


def _refuse_sniffed(head: bytes) -> None:
    what = sniff(head)
    if what is not None:
        raise UploadRefusedError(f"That file is {what}, not a video.", NOT_A_VIDEO_HINT)
