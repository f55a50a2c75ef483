"""Helpers for the protocol tests: the bundled movement-test specs and the service's cleaning chain."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np

from backmech.knowledge.files import KNOWLEDGE_ROOT, SourceChecker
from backmech.knowledge.movement_test_files import load_movement_tests
from backmech.knowledge.source_files import load_sources
from backmech.motion.kinematics import fill_gaps, lowpass, reject_outliers
from backmech.motion.protocols import PROTOCOLS
from backmech.motion.protocols.base import TestResult
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.motion.skeleton import PoseSequence


@lru_cache(maxsize=1)
def specs() -> dict[str, MovementTestSpec]:
    sources = load_sources(KNOWLEDGE_ROOT / "sources", KNOWLEDGE_ROOT)
    return load_movement_tests(KNOWLEDGE_ROOT / "movement_tests", KNOWLEDGE_ROOT, SourceChecker(set(sources)))


def prepare(seq: PoseSequence) -> PoseSequence:
    """What ``services.movement.MovementService`` does before a protocol sees the landmarks."""
    return lowpass(fill_gaps(reject_outliers(seq), max_gap_s=0.25), cutoff_hz=6.0)


def run(test: str, seq: PoseSequence, *, clean: bool = True) -> TestResult:
    return PROTOCOLS[test](prepare(seq) if clean else seq, specs()[test])


# ---------------------------------------------------------------- truth from the clean rendering
# Computed with plain numpy from the noise-free landmarks (what a perfect pose model would
# report), independently of motion.kinematics.


def line_angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle of a→b against image up, + towards image +x (degrees)."""
    d = b - a
    return np.asarray(np.degrees(np.arctan2(d[:, 0], -d[:, 1])))


def mid(seq: PoseSequence, part: str) -> np.ndarray:
    return np.asarray((seq.point(f"left_{part}") + seq.point(f"right_{part}")) / 2)


def trunk_truth(seq: PoseSequence, sign: float = 1.0) -> np.ndarray:
    """Trunk line (mid-hip → mid-shoulder) against vertical, × ``sign``."""
    return line_angle(mid(seq, "hip"), mid(seq, "shoulder")) * sign


def crop(seq: PoseSequence, start: float, end: float) -> PoseSequence:
    keep = (seq.times >= start) & (seq.times < end)
    return replace(
        seq,
        times=seq.times[keep] - seq.times[keep][0],
        image=seq.image[keep],
        visibility=seq.visibility[keep],
        world=None if seq.world is None else seq.world[keep],
    )


def assert_declared(result: TestResult) -> None:
    """Every fact a protocol reported is listed under ``findings`` in its knowledge file."""
    declared = set(specs()[result.test].findings)
    undeclared = {f.fact for f in result.findings} - declared
    assert not undeclared, f"{result.test} reported facts not listed in its file: {sorted(undeclared)}"
