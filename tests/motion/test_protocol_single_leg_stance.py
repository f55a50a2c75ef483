"""Single-leg stance against the synthetic figure, from the front (2 px noise).

Tolerances: sustained pelvic drop within 1° of the injected drop, trunk lean within 1.5°
of the geometric truth,
time held within 0.8 s. An 8° drop standing on the right leg is a positive Trendelenburg
on the right; 2° is negative.
"""

from __future__ import annotations

import numpy as np
import pytest
import scenarios as scen
from protocol_support import assert_declared, run, trunk_truth


@pytest.mark.parametrize("facing_camera", [True, False])
def test_drop_of_8_degrees_is_positive_and_2_is_not(facing_camera: bool) -> None:
    sc = scen.single_leg_stance(drop=(2.0, 8.0), facing_camera=facing_camera)
    result = run("single-leg-stance", sc.sequence(noise_px=2.0))
    facts = result.facts()
    assert facts["examination.trendelenburg.right"] == "positive"
    assert facts["examination.trendelenburg.left"] == "negative"
    assert facts["movement.single_leg_pelvic_drop_deg.right"] == pytest.approx(8.0, abs=1.0)
    assert facts["movement.single_leg_pelvic_drop_deg.left"] == pytest.approx(2.0, abs=1.0)
    for side in ("left", "right"):
        assert facts[f"movement.single_leg_trunk_lean_deg.{side}"] == pytest.approx(0.0, abs=1.5)
        assert facts[f"movement.single_leg_hold_s.{side}"] == pytest.approx(12.0, abs=0.8)
    assert [p.name for p in result.phases] == ["standing on the left leg", "standing on the right leg"]
    assert_declared(result)


def test_trunk_lean_over_the_stance_leg_is_positive() -> None:
    sc = scen.single_leg_stance(lean=(14.0, 0.0))
    lean = trunk_truth(sc.sequence())  # + = towards the person's left (facing the camera)
    t = sc.motion.t
    start = sc.truth["left_start"]
    truth = float(np.median(lean[(t > start + 2.0) & (t < start + 10.0)]) - np.median(lean[t < 1.4]))
    result = run("single-leg-stance", sc.sequence(noise_px=2.0))
    facts = result.facts()
    assert truth > 10.0
    assert facts["movement.single_leg_trunk_lean_deg.left"] == pytest.approx(truth, abs=1.5)
    assert facts["examination.trendelenburg.left"] == "positive"
    assert facts["examination.trendelenburg.right"] == "negative"


def test_short_hold_is_noted_not_judged() -> None:
    result = run("single-leg-stance", scen.single_leg_stance(hold=(8.0, 30.5)).sequence(noise_px=2.0))
    assert any("Stood 8 s on the left leg" in n for n in result.notes)
    assert not any("right leg" in n and "Stood" in n for n in result.notes)
    assert result.facts()["examination.trendelenburg.left"] == "negative"
