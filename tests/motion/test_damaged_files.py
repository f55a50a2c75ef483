"""No traceback for any file: damaged copies of real phone formats end in the project's own error.

Small clips in three phone formats (libx264 MP4, HEVC MOV, VP9 WebM, each with sound) are
damaged the ways files get damaged — cut short at several points, bytes flipped here and
there, a block overwritten, the header overwritten — and each copy is analysed. Every one
must either be analysed or refused with a :class:`BackmechError` that says what is wrong;
the command must exit 0 or 2 (never 1, the internal-error code) without a traceback, and
the batch mode must give one record per file.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from phone_formats import BY_ID, write_format

from backmech.bootstrap import movement_service
from backmech.domain.errors import BackmechError

BASES = ("x264", "iphone-hevc-portrait", "browser-vp9-webm")


@pytest.fixture(scope="module")
def damaged(demo_video: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("damaged")
    rng = random.Random(2026)
    out: list[Path] = []
    for base in BASES:
        small = dataclasses.replace(
            BY_ID[base], frames=24, size=(280, 496) if BY_ID[base].portrait else (442, 248)
        )
        clip = write_format(demo_video, small, folder)
        data = clip.read_bytes()
        clip.unlink()
        variants: dict[str, bytes] = {
            f"cut-{int(f * 100)}": data[: int(len(data) * f)] for f in (0.01, 0.2, 0.5, 0.9)
        }
        for k, flips in enumerate((1, 20, 400)):
            blob = bytearray(data)
            for _ in range(flips):
                blob[rng.randrange(len(blob))] = rng.randrange(256)
            variants[f"flip-{k}"] = bytes(blob)
        block = bytearray(data)
        start = rng.randrange(len(block) // 3, len(block) // 2)
        block[start : start + 2048] = rng.randbytes(2048)
        variants["block"] = bytes(block)
        variants["header"] = rng.randbytes(64) + data[64:]
        for name, blob in variants.items():
            path = folder / f"{base}-{name}{clip.suffix}"
            path.write_bytes(blob)
            out.append(path)
    return out


def test_every_damaged_copy_is_analysed_or_refused_with_our_error(damaged: list[Path]) -> None:
    service = movement_service(None)
    refused = 0
    for path in damaged:
        try:
            service.analyse(path, "forward-bend")
        except BackmechError as error:
            refused += 1
            assert error.user_message and error.hint, path.name
    assert refused >= len(BASES) * 4  # the cut and overwritten copies at least


@pytest.mark.slow
def test_the_command_never_ends_in_a_traceback(damaged: list[Path], tmp_path: Path) -> None:
    env = dict(os.environ, NO_COLOR="1", TERM="dumb", BACKMECH_DATA_DIR=str(tmp_path / "data"))
    for path in [p for p in damaged if "cut" in p.name or "header" in p.name]:
        proc = subprocess.run(
            [sys.executable, "-m", "backmech", "analyse", str(path), "--test", "forward-bend", "--json"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=300,
            check=False,
        )
        assert proc.returncode in (0, 2), (path.name, proc.stderr)
        assert "Traceback" not in proc.stderr, path.name
        if proc.returncode == 2:
            assert proc.stderr.startswith("error: "), proc.stderr
    folder = damaged[0].parent
    batch = subprocess.run(
        [sys.executable, "-m", "backmech", "analyse", "--batch", str(folder), "--test", "forward-bend"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=900,
        check=False,
    )
    assert batch.returncode == 2 and "Traceback" not in batch.stderr
    records = [json.loads(line) for line in batch.stdout.splitlines()]
    assert len(records) == len(damaged)
    for record in records:
        assert record["ok"] or record["error"]["message"], record
    assert not (tmp_path / "data" / "errors.log").exists()  # no internal error anywhere
