"""The drift script's own parts: what it reads from the lock and pyproject, and whom it blames.

The whole script runs in .ci/run against the real package index; these check, offline, that
it reads the lock and the ranges as written and that a failure whose traceback runs through
a changed package's code makes that package the first suspect.
"""

from __future__ import annotations

import sys
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check-newest"


@pytest.fixture(scope="module")
def drift() -> ModuleType:
    loader = SourceFileLoader("check_newest", str(SCRIPT))
    spec = spec_from_loader("check_newest", loader)
    assert spec is not None
    module = module_from_spec(spec)
    sys.modules["check_newest"] = module  # its dataclasses look their module up by name
    loader.exec_module(module)
    return module


def test_it_reads_the_lock_and_the_ranges(drift: ModuleType) -> None:
    locked = drift.locked_versions()
    assert locked["av"].startswith("18.") and "opencv-python-headless" in locked and "pytest" in locked
    ranges = drift.direct_dependencies()
    assert ranges["av"] == ">=17,<19"
    assert ranges["fhir-resources"].startswith(">=8.3")  # normalised names, extras and comments dropped
    assert "pytest" in ranges  # the test tools too


def test_it_reads_pytests_summary(drift: ModuleType) -> None:
    output = (
        "FAILED tests/motion/test_video.py::test_display_matrix_is_applied[-90--90] - AttributeError: x\n"
        "ERROR tests/storage/test_migrations.py::test_up - RuntimeError\n"
        "1 failed, 1 error in 3.2s\n"
    )
    found = {m.group(1): m.group(2) for m in drift.SUMMARY.finditer(output)}
    assert found == {
        "tests/motion/test_video.py::test_display_matrix_is_applied[-90--90]": "AttributeError: x",
        "tests/storage/test_migrations.py::test_up": "RuntimeError",
    }


def test_the_package_in_the_traceback_is_the_first_suspect(drift: ModuleType) -> None:
    changed = drift.Drift(changed={"numpy": ("2.4.6", "2.5.0"), "av": ("18.1.1", "19.0.0")})
    traceback = (
        f"{sys.prefix}/lib/python3.11/site-packages/av/sidedata/sidedata.py:12: in get\n"
        "E   AttributeError: 'Type' object has no attribute 'type'\n"
    )
    run = drift.TestRun(code=1, failed={"tests/motion/test_video.py::t": "AttributeError"}, output=traceback)
    assert drift.suspects(Path(sys.prefix), run, changed) == ["av"]
    silent = drift.TestRun(code=1, failed={"t": ""}, output="no traceback at all")
    assert set(drift.suspects(Path(sys.prefix), silent, changed)) == {"numpy", "av"}  # then every changed one
