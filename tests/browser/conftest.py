"""Browser tests: the README's main command (`backmech serve`) in a subprocess, driven by headless Chromium.

Chromium comes from Debian's package (``/usr/bin/chromium``; ``scripts/test`` installs it)
and is driven by Playwright's Python API with ``executable_path``: Playwright's own
browser download is never used (it fails on this network). A missing Chromium is a
test failure, not a skip. Screenshots are kept in ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
PHONE = {"width": 390, "height": 844}
"""A common phone's CSS viewport (iPhone 12-15 class)."""


def chromium_path() -> str:
    found = (
        os.environ.get("BACKMECH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not found:
        pytest.fail(
            "Chromium not found: install Debian's chromium package (apt-get install -y chromium) "
            "or set BACKMECH_CHROMIUM to its path.",
            pytrace=False,
        )
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path


def start_server(data_dir: Path, *extra: str) -> Server:
    """``backmech serve`` on a free port with its own data folder; waits until it answers."""
    port = _free_port()
    log = data_dir.parent / f"serve-{port}.log"
    command = [
        str(Path(sys.executable).parent / "backmech"),
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        *extra,
    ]
    env = {key: value for key, value in os.environ.items() if not key.startswith("BACKMECH_")}
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"backmech serve exited ({process.returncode}):\n{log.read_text()}", pytrace=False)
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Server(url=url, data_dir=data_dir, process=process, log=log)
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"backmech serve did not answer within 60 s:\n{log.read_text()}", pytrace=False)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A fresh installation (empty data folder: the first visit is the set-up page)."""
    running = start_server(tmp_path / "data")
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def shoot(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """``shoot(page, "step")`` saves a full-page screenshot named after the test and the step."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = request.node.name.replace("[", "-").replace("]", "")

    def take(page: Page, step: str) -> Path:
        path = SCREENSHOTS / f"{name}--{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
