"""The forward bend reads its measurement limits from the knowledge file, not from code.

Each test moves one threshold of ``forward-bend.yaml`` far enough to change the outcome of a
synthetic bend whose default result is known (see test_protocol_forward_bend.py).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import scenarios as scen
from protocol_support import prepare, specs

from backmech.motion.protocols import PROTOCOLS
from backmech.motion.protocols.base import TestResult
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.motion.skeleton import PoseSequence


def _with(**values: float) -> MovementTestSpec:
    spec = specs()["forward-bend"]
    moved = {key: replace(spec.threshold(key), value=value) for key, value in values.items()}
    return replace(spec, thresholds={**spec.thresholds, **moved})


def _run(seq: PoseSequence, spec: MovementTestSpec) -> TestResult:
    return PROTOCOLS["forward-bend"](prepare(seq), spec)


@pytest.mark.parametrize(("key", "value"), [("climb_min_s", 5.0), ("climb_trunk_deg", 170.0)])
def test_thigh_climbing_limits_come_from_the_spec(key: str, value: float) -> None:
    seq = scen.forward_bend(climb=[0, 4]).sequence(noise_px=2.0)
    assert _run(seq, specs()["forward-bend"]).facts()["movement.thigh_climbing"] is True
    assert _run(seq, _with(**{key: value})).facts()["movement.thigh_climbing"] is False


def test_reversal_rise_share_comes_from_the_spec() -> None:
    seq = scen.forward_bend(reversal=[2, 4]).sequence(noise_px=2.0)
    assert _run(seq, specs()["forward-bend"]).facts()["movement.rhythm_reversal"] is True
    assert _run(seq, _with(reversal_rise_share=0.0)).facts()["movement.rhythm_reversal"] is False


def test_phase_and_upright_limits_come_from_the_spec() -> None:
    seq = scen.forward_bend().sequence(noise_px=2.0)
    default = _run(seq, specs()["forward-bend"])
    assert default.value("trunk_share_mid_pct") is not None
    assert default.value("trunk_line_shortening_pct") is not None
    spanless = _run(seq, _with(phase_min_deg=90.0))
    for phase in ("early", "mid", "late"):
        assert spanless.value(f"trunk_share_{phase}_pct") is None
    assert _run(seq, _with(upright_max_deg=-45.0)).value("trunk_line_shortening_pct") is None


def test_phase_limits_move_the_phases() -> None:
    seq = scen.forward_bend(leg_lean=15.0).sequence(noise_px=2.0)
    default = _run(seq, specs()["forward-bend"])
    moved = _run(seq, _with(early_phase_end_deg=50.0, mid_phase_end_deg=80.0))
    assert moved.value("trunk_share_early_pct") != default.value("trunk_share_early_pct")
    assert moved.value("trunk_share_late_pct") != default.value("trunk_share_late_pct")
