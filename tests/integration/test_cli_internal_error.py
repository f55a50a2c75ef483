"""The command's last guard: a fault in backmech ends with a reference (exit 1), never a traceback.

The fault is injected into the real entry point (``backmech.cli.app.main``) in a new
process, as a bug deep in a command would surface; the traceback must then be in the data
folder's ``errors.log`` under the reference the person was given.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "flexion-intolerant-desk-worker.json"
INJECT = """
import sys
import backmech.services.assessment as assessment

def broken(self, data):
    raise ZeroDivisionError("secret internal detail")

assessment.AssessmentService.assess = broken
from backmech.cli.app import main
sys.argv = ["backmech", *sys.argv[1:]]
main()
"""


def test_an_internal_error_gives_a_reference_and_the_traceback_goes_to_the_log(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = dict(os.environ, BACKMECH_DATA_DIR=str(data), NO_COLOR="1", TERM="dumb")
    proc = subprocess.run(
        [sys.executable, "-c", INJECT, "assess", "--input", str(EXAMPLE), "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "secret internal detail" not in proc.stderr
    found = re.search(r"internal error \(reference ([A-Z2-9]{4}-[A-Z2-9]{4})\)", proc.stderr)
    assert found, proc.stderr
    assert str(data / "errors.log") in proc.stderr
    log = (data / "errors.log").read_text(encoding="utf-8")
    assert found.group(1) in log
    assert "Traceback (most recent call last)" in log and "ZeroDivisionError: secret internal detail" in log
    assert proc.stdout == ""


def test_bad_input_is_still_exit_2_not_an_internal_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "backmech", "assess", "--input", str(tmp_path / "missing.json")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ, BACKMECH_DATA_DIR=str(tmp_path / "data")),
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "internal error" not in proc.stderr
    assert not (tmp_path / "data" / "errors.log").exists()
