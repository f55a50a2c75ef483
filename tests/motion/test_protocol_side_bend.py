"""Side bend against the synthetic figure, from the front (2 px noise).

Tolerances: each side within 2° of the geometric trunk-line truth; facing the camera or
with the back to it gives the same sides; asymmetry judged against 10°.
"""

from __future__ import annotations

import pytest
import scenarios as scen
from protocol_support import assert_declared, run, trunk_truth
from synthetic import Camera


@pytest.mark.parametrize("view", ["front", "back"])
def test_each_side_recovers_the_truth(view: str) -> None:
    sc = scen.side_bend(left=30.0, right=22.0)
    lean = trunk_truth(sc.sequence(camera=Camera(view)), 1.0 if view == "front" else -1.0)
    result = run("side-bend", sc.sequence(noise_px=2.0, camera=Camera(view)))
    assert result.repetitions == 6
    assert abs(result.value("side_bend_left_deg") - lean.max()) <= 2.0
    assert abs(result.value("side_bend_right_deg") - (-lean.min())) <= 2.0
    assert result.facts()["movement.side_bend_asymmetric"] is False
    assert_declared(result)


def test_asymmetry_beyond_measurement_error() -> None:
    facts = run("side-bend", scen.side_bend(left=35.0, right=18.0).sequence(noise_px=2.0)).facts()
    assert facts["movement.side_bend_asymmetric"] is True
    assert facts["movement.side_bend_deg.left"] > facts["movement.side_bend_deg.right"]


def test_side_view_asks_to_face_the_camera() -> None:
    result = run("side-bend", scen.side_bend().sequence(camera=Camera("side")))
    assert result.view.problems[0].startswith("Face the camera")
