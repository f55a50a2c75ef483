"""Sitting posture against the synthetic figure, side-on (2 px noise).

Tolerances: trunk inclination and head-forward angle within 2° of the geometric truth
in each still posture. Slumped (reclined slouch or forward hunch) then upright is
flagged; a slouch filmed alone is flagged; a hunch filmed alone is not (documented:
it needs the sitting-tall half to compare); upright is not.
"""

from __future__ import annotations

import numpy as np
import pytest
import scenarios as scen
from protocol_support import assert_declared, line_angle, mid, run, trunk_truth


def _truth(sc: scen.Scenario, t0: float, t1: float) -> tuple[float, float]:
    clean = sc.sequence()
    sel = (clean.times >= t0) & (clean.times < t1)
    trunk = trunk_truth(clean)
    head = line_angle(mid(clean, "shoulder"), mid(clean, "ear")) - trunk
    return float(np.median(trunk[sel])), float(np.median(head[sel]))


def test_slouch_then_sitting_tall() -> None:
    sc = scen.sitting(first="slumped", second="upright")
    result = run("sitting", sc.sequence(noise_px=2.0))
    trunk, head = _truth(sc, 1.0, 5.0)
    assert result.value("trunk_inclination_deg") == pytest.approx(trunk, abs=2.0)
    assert result.value("head_forward_deg") == pytest.approx(head, abs=2.0)
    tall_trunk, tall_head = _truth(sc, 9.0, 12.0)
    assert result.value("corrected_trunk_inclination_deg") == pytest.approx(tall_trunk, abs=2.0)
    assert result.value("corrected_head_forward_deg") == pytest.approx(tall_head, abs=2.0)
    assert result.value("trunk_line_gain_pct") > 6.0
    assert result.facts()["movement.sitting_slumped"] is True
    assert [p.name for p in result.phases] == ["usual posture", "sitting tall"]
    assert_declared(result)


@pytest.mark.parametrize(
    ("first", "second", "slumped"),
    [
        ("hunched", "upright", True),
        ("slumped", None, True),
        ("hunched", None, False),
        ("upright", None, False),
    ],
)
def test_slumped_or_not(first: str, second: str | None, slumped: bool) -> None:
    result = run("sitting", scen.sitting(first=first, second=second).sequence(noise_px=2.0))
    assert result.facts()["movement.sitting_slumped"] is slumped
    if second is None:
        assert any("Only one posture" in n for n in result.notes)
