"""What the test suite needs from the machine, how to tell it is there, and how to install it.

The one list of the suite's system prerequisites, used two ways:

* ``python3 tests/prerequisites.py --provision`` (run by ``scripts/test`` before the
  virtual environment exists, so standard library only): installs whatever is missing
  with Debian's ``apt-get`` in one call — as root, or through ``sudo -n`` — then checks
  again. What still cannot be found is listed in one message with the command that
  would install it, and the exit code is 1.
* ``tests/conftest.py`` checks, before the first test runs, only what the collected
  tests need (PostgreSQL for the ``postgresql`` database tests, Chromium for
  ``needs("chromium")``, Pango and pdftoppm for ``needs("pdf")``) and stops the session
  with the same message instead of letting each test fail at set-up.

``BACKMECH_TEST_POSTGRES_URL`` (an existing server) and ``BACKMECH_CHROMIUM`` (a
browser elsewhere) stand in for the local binaries.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Prerequisite:
    """Something the machine must have; ``found`` tells whether it is there."""

    name: str
    what: str
    why: str
    debian: tuple[str, ...]
    found: Callable[[], bool]


def _postgres_server() -> bool:
    if os.environ.get("BACKMECH_TEST_POSTGRES_URL"):
        return True
    if shutil.which("initdb") and shutil.which("pg_ctl"):
        return True
    return any(
        (folder / "pg_ctl").exists() and (folder / "initdb").exists()
        for folder in Path("/usr/lib/postgresql").glob("*/bin")
    )


def _chromium() -> bool:
    given = os.environ.get("BACKMECH_CHROMIUM")
    if given:
        return os.access(given, os.X_OK)
    return bool(shutil.which("chromium") or shutil.which("chromium-browser"))


def _libraries(*names: str) -> Callable[[], bool]:
    def loadable() -> bool:
        for name in names:
            try:
                ctypes.CDLL(name)
            except OSError:
                return False
        return True

    return loadable


def _fonts() -> bool:
    if not shutil.which("fc-list"):
        return any(Path("/usr/share/fonts").rglob("*.ttf"))
    listed = subprocess.run(["fc-list"], capture_output=True, text=True, check=False, timeout=60)
    return bool(listed.stdout.strip())


PREREQUISITES: dict[str, Prerequisite] = {
    p.name: p
    for p in (
        Prerequisite(
            "postgresql",
            "PostgreSQL server binaries (initdb, pg_ctl)",
            "the storage and web tests start a real PostgreSQL server",
            ("postgresql",),
            _postgres_server,
        ),
        Prerequisite(
            "chromium",
            "Chromium",
            "the browser tests drive it with Playwright (Playwright's own browser download is never used)",
            ("chromium",),
            _chromium,
        ),
        Prerequisite(
            "pango",
            "Pango, PangoFT2 and HarfBuzz subsetting",
            "WeasyPrint needs them to make the PDF reports",
            ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"),
            _libraries("libpango-1.0.so.0", "libpangoft2-1.0.so.0", "libharfbuzz-subset.so.0"),
        ),
        Prerequisite(
            "fonts",
            "a font (DejaVu)",
            "the PDF reports need at least one font to set text in",
            ("fonts-dejavu-core",),
            _fonts,
        ),
        Prerequisite(
            "pdftoppm",
            "pdftoppm (poppler-utils)",
            "the report tests turn PDF pages into pictures to check them",
            ("poppler-utils",),
            lambda: shutil.which("pdftoppm") is not None,
        ),
    )
}

NEEDS: dict[str, tuple[str, ...]] = {
    "postgresql": ("postgresql",),
    "chromium": ("chromium",),
    "pdf": ("pango", "fonts", "pdftoppm"),
}
"""A test's ``needs(...)`` marker names → the prerequisites behind it."""


def missing(names: Iterable[str] = PREREQUISITES) -> list[Prerequisite]:
    """The prerequisites among ``names`` that this machine does not have."""
    return [PREREQUISITES[name] for name in names if not PREREQUISITES[name].found()]


def install_command(absent: Sequence[Prerequisite]) -> str:
    packages = " ".join(dict.fromkeys(pkg for p in absent for pkg in p.debian))
    return f"apt-get update && apt-get install -y {packages}"


def message(absent: Sequence[Prerequisite]) -> str:
    """One message for everything that is missing: what, why, and the command that installs it."""
    lines = ["The test suite needs these on this machine, and they are missing:"]
    lines += [f"  - {p.what}: {p.why}" for p in absent]
    lines += [
        "Install them (Debian or Ubuntu, as root):",
        f"  {install_command(absent)}",
        "or run scripts/test, which installs them itself when it can.",
    ]
    if any(p.name == "postgresql" for p in absent):
        lines.append("An existing PostgreSQL server can be used instead: set BACKMECH_TEST_POSTGRES_URL.")
    if any(p.name == "chromium" for p in absent):
        lines.append("A Chromium elsewhere can be used instead: set BACKMECH_CHROMIUM to its path.")
    return "\n".join(lines)


def _apt_prefix() -> list[str] | None:
    """How to run apt-get here: directly as root, through passwordless sudo, or not at all."""
    if not shutil.which("apt-get"):
        return None
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    return None


def provision() -> list[Prerequisite]:
    """Install what is missing with apt-get when possible; return what is still missing."""
    absent = missing()
    if not absent:
        return []
    prefix = _apt_prefix()
    if prefix is None:
        print("scripts/test: cannot install system packages here (no apt-get, or not root)", file=sys.stderr)
        return absent
    packages = list(dict.fromkeys(pkg for p in absent for pkg in p.debian))
    print(f"Installing from Debian's packages: {' '.join(packages)}", file=sys.stderr, flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
        done = subprocess.run([*prefix, *command], env=env, check=False)
        if done.returncode != 0:
            print(f"scripts/test: {' '.join(command)} failed (exit {done.returncode})", file=sys.stderr)
            break
    return missing(p.name for p in absent)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provision", action="store_true", help="install what is missing (apt-get)")
    args = parser.parse_args(argv)
    absent = provision() if args.provision else missing()
    if absent:
        print(message(absent), file=sys.stderr)
        return 1
    print("System prerequisites of the test suite: all present.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
