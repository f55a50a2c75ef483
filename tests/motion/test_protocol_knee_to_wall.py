"""Knee-to-wall against the synthetic figure, side-on (2 px noise).

Tolerances: best heel-down tibial angle within 1.5° of the injected shank angle on each
side; a lunge whose heel came up does not raise the result; asymmetry within 2°.
"""

from __future__ import annotations

import pytest
import scenarios as scen
from protocol_support import assert_declared, crop, run


def test_each_side_recovers_the_shank_angle() -> None:
    result = run("knee-to-wall", scen.knee_to_wall(left=40.0, right=30.0).sequence(noise_px=2.0))
    facts = result.facts()
    assert facts["movement.knee_to_wall_angle_deg.left"] == pytest.approx(40.0, abs=1.5)
    assert facts["movement.knee_to_wall_angle_deg.right"] == pytest.approx(30.0, abs=1.5)
    assert facts["movement.knee_to_wall_asymmetry_deg"] == pytest.approx(10.0, abs=2.0)
    assert result.repetitions == 6
    assert_declared(result)


def test_a_lunge_with_the_heel_up_does_not_count_beyond_the_lift() -> None:
    result = run("knee-to-wall", scen.knee_to_wall(right=30.0, heel_lift=("right", 1)).sequence(noise_px=2.0))
    assert result.facts()["movement.knee_to_wall_angle_deg.right"] == pytest.approx(30.0, abs=1.5)
    assert any("heel came up" in e.detail for e in result.events)


def test_one_side_only() -> None:
    sc = scen.knee_to_wall()
    result = run("knee-to-wall", crop(sc.sequence(noise_px=2.0), 0.0, 13.0))
    facts = result.facts()
    assert "movement.knee_to_wall_angle_deg.left" in facts
    assert "movement.knee_to_wall_angle_deg.right" not in facts
    assert "movement.knee_to_wall_asymmetry_deg" not in facts
    assert any("right foot in front" in n for n in result.notes)
