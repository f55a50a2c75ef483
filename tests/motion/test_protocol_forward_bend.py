"""Forward bend against the synthetic stick figure's known truth.

Tolerances (2 px Gaussian landmark noise on a 175 px torso, 30 fps, unless stated):
per-frame trunk-angle RMSE ≤ 2°; largest trunk flexion within 2° of the geometric truth
(2.5° with uneven timestamps and dropouts); repetitions exact; peaks within 0.3 s.
Aberrant-movement signs: catches of 7° or more are found at ≤ 2 px noise (about 4° of
residual after the 6 Hz clean-up), never reported in smooth bends at 0-4 px noise and
descents as fast as 0.7 s; each sign needs 2 repetitions.
"""

from __future__ import annotations

import numpy as np
import pytest
import scenarios as scen
from protocol_support import assert_declared, prepare, run, specs, trunk_truth
from synthetic import Camera, Dropout

from backmech.motion.protocols.measure import facing, forward_trunk

SIGNS = ("movement.instability_catch", "movement.painful_arc_sign", "movement.rhythm_reversal",
         "movement.thigh_climbing")  # fmt: skip


@pytest.mark.parametrize("facing_sign", [1.0, -1.0])
def test_trunk_angle_and_range_recover_the_truth(facing_sign: float) -> None:
    sc = scen.forward_bend(facing=facing_sign)
    truth = trunk_truth(sc.sequence(), facing_sign)
    noisy = sc.sequence(noise_px=2.0, seed=3)
    signal = forward_trunk(prepare(noisy), facing(prepare(noisy)))
    rmse = float(np.sqrt(np.nanmean((signal - truth) ** 2)))
    assert rmse <= 2.0
    result = run("forward-bend", noisy)
    assert abs(result.value("max_trunk_flexion_deg") - truth.max()) <= 2.0
    assert result.facts()["movement.forward_bend_max_trunk_flexion_deg"] == pytest.approx(
        truth.max(), abs=2.0
    )
    assert_declared(result)


def test_repetitions_and_phases_are_detected() -> None:
    sc = scen.forward_bend(reps=5)
    result = run("forward-bend", sc.sequence(noise_px=2.0))
    assert result.repetitions == 5
    peaks = [e.time for e in result.events if e.kind == "peak"]
    assert np.allclose(peaks, sc.truth["peaks"], atol=0.3)
    names = [p.name for p in result.phases]
    assert names[:3] == ["rep 1 descent", "rep 1 hold", "rep 1 return"]
    assert sum(n.endswith("return") for n in names) == 5
    for p in result.phases:
        assert p.end > p.start


def test_uneven_timestamps_and_dropouts() -> None:
    sc = scen.forward_bend(uneven=True)
    truth = trunk_truth(sc.sequence(), 1.0).max()
    drops = (Dropout(3.0, 3.15), Dropout(9.0, 9.2, ("left_shoulder", "left_hip"), "lowvis"))
    result = run("forward-bend", sc.sequence(noise_px=2.0, dropouts=drops))
    assert result.repetitions == 5
    assert abs(result.value("max_trunk_flexion_deg") - truth) <= 2.5


def test_trunk_versus_thigh_share() -> None:
    straight = run("forward-bend", scen.forward_bend(leg_lean=0.0).sequence(noise_px=2.0))
    swaying = run("forward-bend", scen.forward_bend(leg_lean=15.0).sequence(noise_px=2.0))
    for phase in ("early", "mid", "late"):
        assert straight.value(f"trunk_share_{phase}_pct") >= 97.0
        assert swaying.value(f"trunk_share_{phase}_pct") < straight.value(f"trunk_share_{phase}_pct") - 5


def test_trunk_line_shortening_tracks_spinal_rounding() -> None:
    hips_only = run("forward-bend", scen.forward_bend(rhythm=(0.0, 0.0, 0.0)).sequence(noise_px=2.0))
    esola = run("forward-bend", scen.forward_bend().sequence(noise_px=2.0))
    assert abs(hips_only.value("trunk_line_shortening_pct")) <= 2.0
    assert esola.value("trunk_line_shortening_pct") >= 8.0


@pytest.mark.parametrize(
    ("kwargs", "fact", "reps"),
    [
        ({"arc": [0, 2]}, "movement.painful_arc_sign", {1, 3}),
        ({"catch": [1, 3]}, "movement.instability_catch", {2, 4}),
        ({"reversal": [2, 4]}, "movement.rhythm_reversal", {3, 5}),
        ({"climb": [0, 4]}, "movement.thigh_climbing", {1, 5}),
    ],
)
def test_injected_sign_is_found_in_those_repetitions(
    kwargs: dict[str, list[int]], fact: str, reps: set[int]
) -> None:
    result = run("forward-bend", scen.forward_bend(**kwargs).sequence(noise_px=2.0))
    facts = result.facts()
    assert facts[fact] is True
    (reason,) = [f.reason for f in result.findings if f.fact == fact]
    assert f"reps {', '.join(map(str, sorted(reps)))}" in reason
    for other in set(SIGNS) - {fact}:
        assert facts[other] is False, other


def test_a_sign_in_one_repetition_is_not_a_finding() -> None:
    facts = run("forward-bend", scen.forward_bend(catch=[2], arc=[1]).sequence(noise_px=1.0)).facts()
    assert facts["movement.instability_catch"] is False
    assert facts["movement.painful_arc_sign"] is False


@pytest.mark.parametrize("noise", [0.0, 2.0, 4.0])
@pytest.mark.parametrize("speed", [1.6, 0.7])
def test_smooth_bends_raise_no_signs(noise: float, speed: float) -> None:
    for seed in range(2):
        result = run(
            "forward-bend", scen.forward_bend(down=speed, up=speed).sequence(noise_px=noise, seed=seed)
        )
        assert not any(result.facts()[f] for f in SIGNS)
        assert not [e for e in result.events if e.kind in ("catch", "hesitation")]


def test_too_few_repetitions_give_no_pattern_findings() -> None:
    result = run("forward-bend", scen.forward_bend(reps=2, catch=[0, 1]).sequence(noise_px=1.0))
    assert result.repetitions == 2
    assert not set(SIGNS) & set(result.facts())
    assert any("at least 3" in n for n in result.notes)
    assert "movement.forward_bend_max_trunk_flexion_deg" in result.facts()


def test_filmed_from_the_front_asks_to_turn_side_on() -> None:
    result = run("forward-bend", scen.forward_bend(reps=3).sequence(camera=Camera("front")))
    assert not result.view.ok
    assert result.view.view == "front"
    assert "Turn side-on to the camera: this test is measured from the side." in result.view.problems


def test_metrics_carry_names_units_and_sources() -> None:
    result = run("forward-bend", scen.forward_bend().sequence(noise_px=2.0))
    spec = specs()["forward-bend"]
    for m in result.metrics:
        assert m.name == spec.metrics[m.id].name and m.source and m.normal
        assert 0.0 <= m.confidence <= 1.0
    for f in result.findings:
        assert f.source and f.reason
