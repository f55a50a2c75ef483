"""Shared protocol helpers: repetitions, phases, consistency, jolts and hesitations."""

from __future__ import annotations

import numpy as np
import pytest
from scenarios import bump, keyframes
from synthetic import times

from backmech.motion.protocols.phases import (
    change_at_hold,
    consistent,
    find_reps,
    peak_value,
    rep_phases,
    rest_level,
    runs,
)
from backmech.motion.protocols.signs import hesitation, jolts


def _bumps(t: np.ndarray, starts: list[float], height: float = 40.0) -> np.ndarray:
    keys: list[tuple[float, float]] = [(0.0, 0.0)]
    for s in starts:
        keys += [(s, 0.0), (s + 1.5, height), (s + 2.0, height), (s + 3.5, 0.0)]
    return keyframes(t, keys)


def test_find_reps_counts_and_brackets_each_excursion() -> None:
    t = times(16.0)
    x = _bumps(t, [1.0, 6.0, 11.0])
    reps = find_reps(t, x, min_amplitude=10.0)
    assert len(reps) == 3
    for r, s in zip(reps, [1.0, 6.0, 11.0], strict=True):
        assert t[r.start] == pytest.approx(s, abs=0.1)
        assert t[r.end] == pytest.approx(s + 3.5, abs=0.1)
        assert t[r.hold_start] <= s + 1.5 + 0.05 and t[r.hold_end] >= s + 2.0 - 0.05
        assert r.middle(t) == pytest.approx(s + 1.75, abs=0.1)
    names = [p.name for p in rep_phases(t, reps)]
    assert names[:3] == ["rep 1 descent", "rep 1 hold", "rep 1 return"]


def test_find_reps_ignores_small_wiggles_and_bridges_gaps() -> None:
    t = times(16.0)
    assert find_reps(t, 2.0 * np.sin(t), min_amplitude=10.0) == []
    x = _bumps(t, [1.0, 6.0, 11.0])
    x[(t > 7.0) & (t < 7.2)] = np.nan
    assert len(find_reps(t, x, min_amplitude=10.0)) == 3


def test_signed_signal_with_a_known_baseline() -> None:
    t = times(18.0)
    x = keyframes(t, [(0.0, 0.0), (1.0, 0.0), (2.5, 30.0), (4.0, 0.0), (5.0, 0.0), (6.5, -20.0), (8.0, 0.0)])
    assert rest_level(t, x) == pytest.approx(0.0, abs=1e-9)
    assert len(find_reps(t, x, min_amplitude=10.0, baseline=0.0)) == 1
    assert len(find_reps(t, -x, min_amplitude=10.0, baseline=0.0)) == 1


def test_peak_value_is_not_inflated_by_noise() -> None:
    t = times(16.0)
    x = _bumps(t, [1.0, 6.0, 11.0]) + np.random.default_rng(0).normal(0.0, 1.0, t.shape)
    reps = find_reps(t, x, min_amplitude=10.0)
    assert max(x[r.span].max() for r in reps) > 41.5
    assert all(abs(peak_value(t, x, r) - 40.0) < 1.0 for r in reps)
    assert all(abs(change_at_hold(t, x, r) - 40.0) < 1.0 for r in reps)


def test_consistent_and_runs() -> None:
    assert consistent([True, False, True, True, False], 3)
    assert not consistent([True, False, True, False, False], 3)
    t = times(4.0)
    mask = (t > 1.0) & (t < 2.5)
    ((a, b),) = runs(t, mask, 1.0)
    assert t[a] > 1.0 and t[b] < 2.5
    assert runs(t, mask, 2.0) == []


def test_jolts_find_a_sudden_step_and_not_smooth_motion() -> None:
    t = times(12.0)
    smooth = _bumps(t, [1.0, 6.0], height=80.0)
    rng = np.random.default_rng(1)
    noisy = smooth + rng.normal(0.0, 0.3, t.shape)
    assert jolts(t, noisy, min_size=3.0) == []
    jolted = noisy + 8.0 * bump(t, 8.6, rise=0.03, decay=0.2)
    found = jolts(t, jolted, min_size=3.0)
    assert len(found) == 1 and found[0].time == pytest.approx(8.65, abs=0.2)
    only_late = t > 10.0
    assert jolts(t, jolted, min_size=3.0, where=only_late) == []


def test_hesitation_mid_range() -> None:
    t = times(6.0)
    smooth = keyframes(t, [(0.0, 0.0), (1.0, 0.0), (2.5, 90.0)])
    paused = keyframes(t, [(0.0, 0.0), (1.0, 0.0), (1.75, 45.0), (2.35, 45.0), (3.1, 90.0)])
    down = slice(int(1.0 * 30), int(3.2 * 30))
    assert hesitation(t, smooth, down, dip=0.3) is None
    at = hesitation(t, paused, down, dip=0.3)
    assert at is not None and 1.5 <= at <= 2.35  # slowing into the pause counts
