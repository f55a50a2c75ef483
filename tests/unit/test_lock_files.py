"""The lock files say what the suite passed with, and agree with pyproject.toml's ranges.

requirements.txt (the app) and requirements-test.txt (the app and the test tools) are made by
``scripts/lock``. These checks need no network: they catch a range changed in pyproject.toml
without re-locking, a lock file edited by hand, a pin without hashes, a dependency without an
upper bound, and a test run on versions other than the locked ones (which would say nothing
about the lock). ``scripts/check-newest`` runs tests on the newest versions on purpose and
sets ``BACKMECH_TEST_UNLOCKED`` to skip the last check.
"""

from __future__ import annotations

import os
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def _pins(name: str) -> dict[str, tuple[Version, int, str | None]]:
    """Package → (version, number of hashes, marker) in one lock file."""
    pins: dict[str, tuple[Version, int, str | None]] = {}
    current: str | None = None
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (Version(match.group(2)), 0, match.group(3))
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes, marker = pins[current]
            pins[current] = (version, hashes + 1, marker)
        elif not line.startswith(" "):
            current = None
    return pins


APP = _pins("requirements.txt")
TEST = _pins("requirements-test.txt")
RUNTIME = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
TEST_TOOLS = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["test"]]
BUILD = [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]


@pytest.mark.parametrize("pins", [APP, TEST], ids=["requirements.txt", "requirements-test.txt"])
def test_every_pin_has_hashes(pins: dict[str, tuple[Version, int, str | None]]) -> None:
    assert len(pins) > 50
    assert [name for name, (_, hashes, _) in pins.items() if hashes == 0] == []


def test_the_app_lock_is_the_test_lock_without_the_tools() -> None:
    differ = {
        name: (version, TEST.get(name))
        for name, (version, _, _) in APP.items()
        if _locked(TEST, name) != version
    }
    assert differ == {}


def _locked(pins: dict[str, tuple[Version, int, str | None]], name: str) -> Version | None:
    pin = pins.get(canonicalize_name(name))
    return pin[0] if pin else None


@pytest.mark.parametrize(
    ("pins", "requirements"),
    [(APP, RUNTIME + BUILD), (TEST, RUNTIME + TEST_TOOLS + BUILD)],
    ids=["requirements.txt", "requirements-test.txt"],
)
def test_each_lock_satisfies_pyproject(
    pins: dict[str, tuple[Version, int, str | None]], requirements: list[Requirement]
) -> None:
    """A range changed in pyproject.toml without ``scripts/lock`` shows up here."""
    wrong = {
        str(r): str(_locked(pins, r.name) or "not locked")
        for r in requirements
        if (locked := _locked(pins, r.name)) is None or not r.specifier.contains(locked)
    }
    assert wrong == {}, "run scripts/lock"


def test_every_dependency_stops_before_a_release_it_was_not_tested_with() -> None:
    """An unbounded range let a new major release break a fresh install once (issue 12)."""
    unbounded = [
        str(r)
        for r in RUNTIME + TEST_TOOLS + BUILD
        if not any(spec.operator in ("<", "<=", "==", "~=") for spec in r.specifier)
    ]
    assert unbounded == []


@pytest.mark.skipif(
    bool(os.environ.get("BACKMECH_TEST_UNLOCKED")), reason="scripts/check-newest tests the newest versions"
)
def test_the_suite_runs_on_the_locked_versions() -> None:
    installed = {canonicalize_name(d.metadata["Name"]): Version(d.version) for d in metadata.distributions()}
    differ = {
        name: f"locked {version}, installed {installed.get(name, 'nothing')}"
        for name, (version, _, marker) in TEST.items()
        if (marker is None or Marker(marker).evaluate()) and installed.get(name) != version
    }
    assert differ == {}, "install from the lock: scripts/install --test"
