"""Walking against the synthetic figure.

Tolerances (2 px noise unless stated): cadence within 2 steps/min; step-time asymmetry
within 2 percentage points side-on (also with uneven timestamps) and 3 points from the
front (the vertical foot signal there is small and a lopsided pelvic drop shifts it; at
4 px it can drift by ~5 points); heel strikes within 50 ms of the truth side-on (the front
view's are ~0.1 s late for both feet, which leaves step times intact); pelvic drop within
2° (the stride-averaged peak; unequal drops on the two sides pull the level reference a
little).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scenarios as scen
from protocol_support import assert_declared, crop, prepare, run, trunk_truth

from backmech.motion.protocols.gait import heel_strikes


@pytest.mark.parametrize("asymmetry", [0.0, 0.025])
@pytest.mark.parametrize("uneven", [False, True])
def test_side_view_cadence_and_step_symmetry(asymmetry: float, uneven: bool) -> None:
    sc = scen.gait(cadence=110.0, asymmetry=asymmetry, uneven=uneven)
    result = run("gait", sc.sequence(noise_px=2.0))
    facts = result.facts()
    assert facts["movement.gait_cadence_spm"] == pytest.approx(110.0, abs=2.0)
    assert facts["movement.gait_step_time_asymmetry_pct"] == pytest.approx(sc.truth["asymmetry_pct"], abs=2.0)
    assert "movement.gait_pelvic_drop" not in facts
    assert_declared(result)


def test_heel_strikes_side_on() -> None:
    sc = scen.gait()
    found = heel_strikes(prepare(sc.sequence(noise_px=2.0)), side_on=True)
    for side in ("left", "right"):
        truth = sc.truth["strikes"][side]
        errors = [float(np.min(np.abs(truth - x))) for x in found[side]]
        assert len(found[side]) >= len(truth) - 1
        assert max(errors) <= 0.05


@pytest.mark.parametrize(
    ("drop", "expected"), [((10.0, 3.0), "left"), ((4.0, 4.0), "none"), ((3.0, 11.0), "right")]
)
def test_front_view_pelvic_drop(drop: tuple[float, float], expected: str) -> None:
    sc = scen.gait(view="front", drop=drop, asymmetry=0.025)
    result = run("gait", sc.sequence(noise_px=2.0))
    facts = result.facts()
    assert facts["movement.gait_pelvic_drop"] == expected
    assert facts["movement.gait_pelvic_drop_deg.left"] == pytest.approx(drop[0], abs=2.0)
    assert facts["movement.gait_pelvic_drop_deg.right"] == pytest.approx(drop[1], abs=2.0)
    assert facts["movement.gait_cadence_spm"] == pytest.approx(110.0, abs=2.0)
    assert facts["movement.gait_step_time_asymmetry_pct"] == pytest.approx(10.0, abs=3.0)
    assert "movement.gait_trunk_sway_deg" in facts


def test_front_view_trunk_sway() -> None:
    sc = scen.gait(view="front", sway=4.0, drop=(4.0, 4.0))
    lean = trunk_truth(sc.sequence())
    t, left = sc.motion.t, sc.truth["strikes"]["left"]
    truth = np.median([np.ptp(lean[(t >= a) & (t < b)]) for a, b in itertools.pairwise(left)])
    result = run("gait", sc.sequence(noise_px=2.0))
    assert result.facts()["movement.gait_trunk_sway_deg"] == pytest.approx(truth, abs=1.5)


def test_too_few_steps_give_no_findings() -> None:
    sc = scen.gait(view="front", drop=(12.0, 12.0))
    result = run("gait", crop(sc.sequence(noise_px=2.0), 0.0, 2.5))
    assert result.facts() == {}
    assert any("walk for at least 6 steps" in n for n in result.notes)
