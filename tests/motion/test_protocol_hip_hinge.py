"""Hip hinge against the synthetic figure (2 px noise).

Tolerances: hip flexion (trunk on thigh) within 2° of the geometric truth; a neutral
spine is never flagged; 30° of early spinal rounding in 3 or more of 5 hinges is, with
the reason in the quality score; rounding in only 2 hinges is not.
"""

from __future__ import annotations

import numpy as np
import scenarios as scen
from protocol_support import assert_declared, mid, run, trunk_truth


def _hip_truth(sc: scen.Scenario) -> float:
    clean = sc.sequence()
    d = mid(clean, "knee") - mid(clean, "hip")
    thigh = np.degrees(np.arctan2(d[:, 0], d[:, 1]))
    return float((trunk_truth(clean) + thigh).max())


def test_good_hinge_scores_full_marks() -> None:
    sc = scen.hip_hinge(hip=75.0)
    result = run("hip-hinge", sc.sequence(noise_px=2.0))
    assert result.repetitions == 5
    assert abs(result.value("hip_flexion_deg") - _hip_truth(sc)) <= 2.0
    assert abs(result.value("trunk_line_shortening_pct")) <= 2.0
    facts = result.facts()
    assert facts["movement.hip_hinge_spine_flexion"] is False
    assert facts["movement.hip_hinge_quality"] == 100.0
    assert_declared(result)


def test_early_rounding_is_flagged_with_its_reason() -> None:
    result = run("hip-hinge", scen.hip_hinge(rounding=30.0, fault_reps=[0, 1, 3]).sequence(noise_px=2.0))
    facts = result.facts()
    assert facts["movement.hip_hinge_spine_flexion"] is True
    assert facts["movement.hip_hinge_quality"] <= 60.0
    (reason,) = [f.reason for f in result.findings if f.fact == "movement.hip_hinge_quality"]
    assert "rounded" in reason


def test_rounding_in_two_hinges_is_not_a_pattern() -> None:
    result = run("hip-hinge", scen.hip_hinge(rounding=30.0, fault_reps=[1, 3]).sequence(noise_px=2.0))
    assert result.facts()["movement.hip_hinge_spine_flexion"] is False


def test_squatting_instead_of_hinging_costs_points() -> None:
    result = run("hip-hinge", scen.hip_hinge(knee=60.0).sequence(noise_px=2.0))
    (reason,) = [f.reason for f in result.findings if f.fact == "movement.hip_hinge_quality"]
    assert result.facts()["movement.hip_hinge_quality"] == 80.0
    assert "squat" in reason
