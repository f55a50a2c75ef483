"""Backward bend against the synthetic figure (2 px noise).

Tolerances: trunk-angle RMSE ≤ 2°; largest extension within 2° of the geometric truth;
knee bend within 2° of the truth (straight knees: near 0); repetitions exact.
"""

from __future__ import annotations

import numpy as np
import scenarios as scen
from protocol_support import assert_declared, prepare, run, trunk_truth
from synthetic import Camera

from backmech.motion.protocols.measure import facing, forward_trunk


def test_extension_range_recovers_the_truth() -> None:
    sc = scen.backward_bend(total=30.0)
    truth = -trunk_truth(sc.sequence())
    noisy = sc.sequence(noise_px=2.0, seed=5)
    clean = prepare(noisy)
    rmse = float(np.sqrt(np.nanmean((-forward_trunk(clean, facing(clean)) - truth) ** 2)))
    assert rmse <= 2.0
    result = run("backward-bend", noisy)
    assert result.repetitions == 3
    assert abs(result.value("max_trunk_extension_deg") - truth.max()) <= 2.0
    assert result.value("max_knee_flexion_deg") <= 2.0
    assert "movement.instability_catch" not in result.facts()
    assert_declared(result)


def test_front_view_is_refused_with_a_fix() -> None:
    result = run("backward-bend", scen.backward_bend().sequence(camera=Camera("front")))
    assert "Turn side-on to the camera: this test is measured from the side." in result.view.problems
