"""View, framing and detection checks: each problem comes with the exact fix."""

from __future__ import annotations

import numpy as np
import pytest
import scenarios as scen
from protocol_support import prepare, specs
from synthetic import Camera, Dropout

from backmech.motion.protocols.view import SEATED, check_view, classify_view, detection_rate


def _check(test: str, seq, needs=None):  # type: ignore[no-untyped-def]
    clean = prepare(seq)
    return check_view(clean, specs()[test]) if needs is None else check_view(clean, specs()[test], needs)


@pytest.mark.parametrize(
    ("camera", "view"),
    [(Camera("side", 1.0), "side"), (Camera("side", -1.0), "side"), (Camera("front"), "front"),
     (Camera("back"), "front"), (Camera("front", yaw_deg=45.0), "unknown")],
)  # fmt: skip
def test_classify_view(camera: Camera, view: str) -> None:
    assert classify_view(prepare(scen.forward_bend(reps=2).sequence(camera=camera, noise_px=2.0))) == view


def test_the_right_view_passes() -> None:
    check = _check("forward-bend", scen.forward_bend(reps=2).sequence(noise_px=2.0))
    assert check.ok and check.view == "side" and check.problems == ()


def test_front_view_for_a_side_test() -> None:
    check = _check("hip-hinge", scen.hip_hinge(reps=2).sequence(camera=Camera("front")))
    assert not check.ok
    assert check.problems == ("Turn side-on to the camera: this test is measured from the side.",)


def test_side_view_for_a_front_test() -> None:
    check = _check("single-leg-stance", scen.single_leg_stance(hold=(3, 3)).sequence(camera=Camera("side")))
    assert (
        check.problems[0]
        == "Face the camera (or stand with your back to it): this test is measured from the front."
    )


def test_oblique_camera() -> None:
    check = _check("forward-bend", scen.forward_bend(reps=2).sequence(camera=Camera("side", yaw_deg=40.0)))
    assert check.view == "unknown"
    assert "Turn so that you are fully side-on to the camera: you are at an angle to it." in check.problems


def test_squat_accepts_either_view() -> None:
    for cam in (Camera("front"), Camera("side")):
        assert _check("squat", scen.squat(reps=2).sequence(camera=cam)).ok


def _feet_cut(seq):  # type: ignore[no-untyped-def]
    """What a pose model reports when the feet are below the picture: low confidence."""
    vis = seq.visibility.copy()
    for name in ("ankle", "heel", "foot_index"):
        for side in ("left", "right"):
            from backmech.motion.skeleton import INDEX

            vis[:, INDEX[f"{side}_{name}"]] = 0.1
    return vis


def test_feet_out_of_frame() -> None:
    seq = scen.forward_bend(reps=2).sequence(camera=Camera("side", ground_y=790.0, height=720))
    assert (seq.point("left_ankle")[:, 1] > 720).all()
    check = _check("forward-bend", seq)
    assert "Step back: your feet are out of the frame." in check.problems


def test_feet_reported_unseen() -> None:
    from dataclasses import replace

    seq = scen.forward_bend(reps=2).sequence()
    check = _check("forward-bend", replace(seq, visibility=_feet_cut(seq)))
    assert "Step back: your feet are out of the frame." in check.problems


def test_head_out_of_frame_but_not_needed_when_seated() -> None:
    seq = scen.sitting().sequence(camera=Camera("side", ground_y=350.0))
    assert (seq.point("nose")[:, 1] < 0).all()
    assert (
        "Step back or tilt the camera up: your head is out of the frame." in _check("sitting", seq).problems
    )
    seated = scen.sitting().sequence(camera=Camera("side", ground_y=690.0))
    assert _check("sitting", seated, SEATED).ok


def test_feet_not_needed_when_seated() -> None:
    from dataclasses import replace

    seq = scen.sitting().sequence()
    assert _check("sitting", replace(seq, visibility=_feet_cut(seq)), SEATED).ok


def test_cut_off_at_the_side() -> None:
    seq = scen.side_bend(reps=2).sequence(camera=Camera("front", centre_x=30.0))
    check = _check("side-bend", seq)
    assert any(p.startswith("Move towards the middle of the picture") for p in check.problems) or any(
        "out of the frame" in p for p in check.problems
    )


def test_low_detection_rate() -> None:
    sc = scen.forward_bend(reps=3)
    t = sc.motion.t
    gaps = tuple(Dropout(a, a + 0.6) for a in np.arange(0.0, t[-1], 1.0))
    seq = sc.sequence(dropouts=gaps)
    clean = prepare(seq)
    assert detection_rate(clean) < 0.7
    check = check_view(clean, specs()["forward-bend"])
    assert any(p.startswith("You were found in only") for p in check.problems)
