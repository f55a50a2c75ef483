"""Fixtures for motion tests: a real video no one here made (see demo_clip.py).

Set ``BACKMECH_TEST_CACHE`` to choose the cache folder (default: .test-cache in the repo).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from demo_clip import demo_clip


@pytest.fixture(scope="session")
def demo_video() -> Path:
    """Path to the verified demo clip (downloaded once, then reused offline)."""
    root = os.environ.get("BACKMECH_TEST_CACHE")
    cache = Path(root) if root else Path(__file__).resolve().parents[2] / ".test-cache"
    return demo_clip(cache)
