"""Video input: check a movement video, then stream its frames upright, with true timestamps.

``probe(path)`` reads the container's metadata and decodes the first picture; it refuses,
before any real decoding, a file that is missing, empty, not a regular file, too big, not a
video (text, a still image, audio only), cut short, too long, too large in pixels or too
short. ``frames(path)`` repeats the cheap checks and then streams :class:`VideoFrame`\\ s one
at a time (constant memory: nothing is collected, the decoder uses FFmpeg's ``AUTO``
threading), stopping with a :class:`VideoError` if the real clip breaks a limit the
metadata did not reveal, or if decoding fails part-way.

Decisions, so callers know what to expect:

* **Timestamps** are each frame's presentation timestamp × the stream time base, in
  seconds from the first decoded frame (so the first frame is at 0.0). Variable frame
  rate is kept as it is; nothing is derived from a frame index and a nominal fps. A
  frame without a timestamp, or whose timestamp does not move forward, cannot be placed
  in time and is skipped; a clip with no timestamps at all (a raw ``.h264`` stream) is
  refused.
* **Rotation**: phones store the picture as the sensor saw it and put the orientation in
  a display matrix (MP4/MOV ``tkhd`` matrix; older tools show it as a ``rotate`` tag).
  FFmpeg 7+/PyAV 18 attach that matrix to every decoded frame as ``DISPLAYMATRIX`` side
  data (``frame.rotation`` is its rotation part, counter-clockwise degrees) and do not
  rotate the picture themselves. Here the full matrix is read, so mirrored orientations
  are also handled; without it, a legacy ``rotate`` tag in the stream metadata (degrees
  clockwise, any letter case: Matroska keeps it as ``ROTATE``) is used. Rotations that are
  not a multiple of 90° are rounded to the nearest quarter turn.
* **Still images** (PNG, JPEG…) are refused: a movement test needs motion. Animated GIFs
  and any format FFmpeg decodes are accepted if they meet the limits.
* **Decode errors** part-way are not concealed: the first one stops the stream with a
  :class:`VideoError` that says how many frames had been read. A damaged file would
  otherwise give gaps and jumps that look like movement.
* **Truncation**: for MP4/MOV the sample index says where the video data should be; if
  it points past the end of the file, ``probe`` reports a cut-off copy at once. Other
  formats are checked after decoding (fewer frames than the header declared).
* **Hangs**: only regular files are opened (a FIFO or a device such as ``/dev/zero``
  could block or never end). PyAV's ``timeout`` is passed on as a guard for slow network
  mounts; it interrupts FFmpeg's I/O between reads, not a decoder. FFmpeg's decoders do
  not loop on corrupt input, and every limit (bytes, seconds, pixels) bounds the work, so
  no watchdog thread is used.

PyAV is imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

from backmech.motion.video.decode import frames, probe
from backmech.motion.video.types import (
    DEFAULT_LIMITS,
    VideoError,
    VideoFrame,
    VideoInfo,
    VideoLimits,
    VideoProblem,
)

__all__ = [
    "DEFAULT_LIMITS",
    "VideoError",
    "VideoFrame",
    "VideoInfo",
    "VideoLimits",
    "VideoProblem",
    "frames",
    "probe",
]
