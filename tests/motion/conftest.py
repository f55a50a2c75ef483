"""Fixtures for motion tests: a real video no one here made (see demo_clip.py).

Set ``BACKMECH_TEST_CACHE`` to choose the cache folder (default: .test-cache in the repo).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from demo_clip import default_cache, demo_clip
from phone_formats import phone_clips as build_phone_clips


@pytest.fixture(scope="session")
def demo_video() -> Path:
    """Path to the verified demo clip (downloaded once, then reused offline)."""
    return demo_clip(default_cache())


@pytest.fixture(scope="session")
def phone_clips(demo_video: Path) -> dict[str, Path]:
    """The demo clip in the formats phones and browsers write (phone_formats.py), made once."""
    return build_phone_clips(demo_video, default_cache())
