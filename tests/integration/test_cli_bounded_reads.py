"""Every file the command reads is read up to a limit, whatever the file is.

``stat`` gives 0 bytes for pipes and devices, so a size check before reading does not
stop ``/dev/zero`` (one endless line of zero bytes): these runs must end with exit code 2
and a message naming the limit, well within their timeout, and never with a traceback.
A pipe of real content (``--input <(cat case.json)``) still works.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import RunCli

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "flexion-intolerant-desk-worker.json"
ZERO = Path("/dev/zero")

pytestmark = pytest.mark.skipif(not ZERO.exists(), reason="needs /dev/zero")


@pytest.mark.parametrize(
    ("args", "limit"),
    [
        (["assess", "--input", str(ZERO)], "5 MB"),
        (["assess", "--input", str(ZERO), "--json"], "5 MB"),
        (["assess", "--batch", str(ZERO)], "5 MB"),
        (["analyse", "--keypoints", "/dev/zero.csv"], None),
    ],
    ids=["input", "input-json", "batch", "keypoints-missing"],
)
def test_devices_stop_at_the_limit_with_exit_2(run_cli: RunCli, args: list[str], limit: str | None) -> None:
    run = run_cli(*args, timeout=60)
    assert run.code == 2, (run.code, run.err)
    assert "Traceback" not in run.err
    assert run.err.startswith("error: ")
    if limit is not None:
        assert f"larger than {limit}" in run.err, run.err


def test_recorded_keypoints_from_a_device_stop_at_the_limit(tmp_path: Path, run_cli: RunCli) -> None:
    link = tmp_path / "endless.csv"
    link.symlink_to(ZERO)
    run = run_cli("analyse", "--keypoints", link, "--test", "squat", timeout=120)
    assert run.code == 2, run.err
    assert "larger than 200 MB" in run.err
    assert "Traceback" not in run.err


def test_import_of_a_device_stops_at_the_limit(tmp_path: Path, run_cli: RunCli) -> None:
    run = run_cli("import", ZERO, "--as", "nobody@example.org", "--data-dir", tmp_path / "data", timeout=120)
    assert run.code == 2, run.err
    assert "larger than 200 MB" in run.err
    assert "Traceback" not in run.err


def test_a_pipe_of_a_real_case_is_read(tmp_path: Path) -> None:
    read, write = os.pipe()
    with EXAMPLE.open("rb") as source:
        data = source.read()
    proc = subprocess.Popen(
        [sys.executable, "-m", "backmech", "assess", "--input", f"/dev/fd/{read}", "--json"],
        pass_fds=(read,),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    os.close(read)
    with os.fdopen(write, "wb") as pipe:
        pipe.write(data)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert b'"triage"' in out


def test_interactive_answers_from_a_device_end_with_exit_2(tmp_path: Path) -> None:
    with ZERO.open("rb") as zero:
        proc = subprocess.run(
            [sys.executable, "-m", "backmech", "assess", "--save", str(tmp_path / "answers.json")],
            stdin=zero,
            capture_output=True,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert "more than 10,000 characters" in err
    assert "Traceback" not in err


def test_a_device_as_knowledge_folder_is_named(run_cli: RunCli) -> None:
    run = run_cli("check-knowledge", ZERO, timeout=60)
    assert run.code == 3, run.err
    assert "/dev/zero: is not a folder" in run.err
