"""Every protocol copes with recordings it cannot measure: nobody in the picture, feet out
of frame, a very short clip. It returns a result that says what to change, never raises
(warnings are errors in this test suite, so no silent numpy all-NaN warnings either)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import scenarios as scen
from protocol_support import run

from backmech.motion.protocols import PROTOCOLS
from backmech.motion.skeleton import INDEX

CASES = {
    "forward-bend": scen.forward_bend,
    "backward-bend": scen.backward_bend,
    "side-bend": scen.side_bend,
    "rotation": scen.rotation,
    "squat": scen.squat,
    "hip-hinge": scen.hip_hinge,
    "single-leg-stance": scen.single_leg_stance,
    "knee-to-wall": scen.knee_to_wall,
    "sitting": scen.sitting,
    "gait": scen.gait,
}


def test_every_protocol_has_a_case() -> None:
    assert set(CASES) == set(PROTOCOLS)


@pytest.mark.parametrize("test", sorted(CASES))
def test_nobody_in_the_picture(test: str) -> None:
    seq = CASES[test]().sequence()
    empty = replace(
        seq, image=np.full_like(seq.image, np.nan), visibility=np.zeros_like(seq.visibility), world=None
    )
    result = run(test, empty)
    assert not result.view.ok
    assert result.findings == ()
    assert result.detection_rate == 0.0


@pytest.mark.parametrize("test", sorted(CASES))
def test_feet_missing(test: str) -> None:
    seq = CASES[test]().sequence(noise_px=1.0)
    image = seq.image.copy()
    for side in ("left", "right"):
        for part in ("ankle", "heel", "foot_index"):
            image[:, INDEX[f"{side}_{part}"]] = np.nan
    result = run(test, replace(seq, image=image))
    if test != "sitting":
        assert "Step back: your feet are out of the frame." in result.view.problems


@pytest.mark.parametrize("test", sorted(CASES))
def test_a_very_short_clip(test: str) -> None:
    seq = CASES[test]().sequence(noise_px=1.0)
    keep = seq.times < 0.4
    short = replace(seq, times=seq.times[keep], image=seq.image[keep], visibility=seq.visibility[keep],
                    world=None if seq.world is None else seq.world[keep])  # fmt: skip
    result = run(test, short)
    assert result.repetitions == 0
