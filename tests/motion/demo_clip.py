"""Where the real demo clip comes from (shared by the test fixture and benchmarks/motion.py).

``Sports2D/Demo/demo.mp4`` from the sports2d 0.8.34 wheel on PyPI (BSD-3-Clause):
1768x994, 30 fps, 230 frames, a man on a box and a woman walking past. The wheel is
fetched once with ``pip download --no-deps`` (sports2d is never installed) into a cache
folder, its sha256 and the video's are checked, and the clip is read out of the zip.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

SPORTS2D = "sports2d==0.8.34"
WHEEL_SHA256 = "733b6db70742636ae9c35d870c22bd416582f579abd5881bee93a14bb0e2655d"
DEMO_MEMBER = "Sports2D/Demo/demo.mp4"
DEMO_SHA256 = "d9a66417185647b112304b57093f0c180f37a768e6a14daca75ca541f3b78039"


def default_cache() -> Path:
    """``$BACKMECH_TEST_CACHE``, else ``.test-cache`` in the repository."""
    root = os.environ.get("BACKMECH_TEST_CACHE")
    return Path(root) if root else Path(__file__).resolve().parents[2] / ".test-cache"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def demo_clip(cache: Path) -> Path:
    """Path to the verified demo clip in ``cache`` (downloaded once, then reused offline)."""
    cache.mkdir(parents=True, exist_ok=True)
    clip = cache / "sports2d-demo.mp4"
    if clip.exists() and _sha256(clip) == DEMO_SHA256:
        return clip
    wheels = sorted(cache.glob("sports2d-0.8.34-*.whl"))
    if not wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(cache), SPORTS2D],
            check=True,
        )
        wheels = sorted(cache.glob("sports2d-0.8.34-*.whl"))
    wheel = wheels[0]
    assert _sha256(wheel) == WHEEL_SHA256, f"{wheel.name}: unexpected sha256; refusing to use it"
    with zipfile.ZipFile(wheel) as archive:
        clip.write_bytes(archive.read(DEMO_MEMBER))
    assert _sha256(clip) == DEMO_SHA256
    return clip


if __name__ == "__main__":  # scripts/test fetches the clip before the tests run
    print(f"demo clip: {demo_clip(default_cache())}", file=sys.stderr)
