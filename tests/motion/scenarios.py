"""Movement-test scenarios for the synthetic stick figure, each with its known truth.

Every builder returns a :class:`Scenario`: the clean :class:`Motion`, the camera, and a
``truth`` dict of what the protocol should find (angles in degrees, times in seconds, the
repetitions where a fault was injected). Render it with noise, dropouts or uneven times
through :meth:`Scenario.sequence`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from synthetic import Camera, Dropout, Motion, minjerk, render, times

from backmech.motion.skeleton import FloatArray, PoseSequence


@dataclass
class Scenario:
    motion: Motion
    camera: Camera
    truth: dict[str, Any] = field(default_factory=dict)

    def sequence(
        self,
        *,
        noise_px: float = 0.0,
        seed: int = 0,
        world: bool = True,
        dropouts: tuple[Dropout, ...] = (),
        camera: Camera | None = None,
    ) -> PoseSequence:
        uneven = not np.allclose(np.diff(self.motion.t), self.motion.t[1] - self.motion.t[0])
        return render(
            self.motion,
            camera or self.camera,
            noise_px=noise_px,
            seed=seed,
            world=world,
            dropouts=dropouts,
            uneven=uneven,
        )


def keyframes(t: FloatArray, keys: Sequence[tuple[float, float]]) -> FloatArray:
    """Minimum-jerk interpolation through (time, value) keys; constant outside."""
    out = np.full_like(t, keys[0][1], dtype=np.float64)
    for (t0, v0), (t1, v1) in itertools.pairwise(keys):
        sel = t >= t0
        out[sel] = v0 + (v1 - v0) * minjerk((t[sel] - t0) / max(t1 - t0, 1e-9))
    return out


def bump(t: FloatArray, at: float, rise: float = 0.04, decay: float = 0.25) -> FloatArray:
    """A sudden jolt at ``at``: up in ``rise`` seconds, back over ``decay``; peak 1."""
    u = np.clip(t - at, 0.0, None)
    b = (1 - np.exp(-u / rise)) * np.exp(-u / decay)
    return np.asarray(b / b.max() if b.max() > 0 else b, dtype=np.float64)


def _reps(n: int, start: float, down: float, hold: float, up: float, rest: float) -> list[float]:
    return [start + i * (down + hold + up + rest) for i in range(n)]


def _spine_share(total: FloatArray, rhythm: tuple[float, float, float]) -> FloatArray:
    """Spine flexion for a summed (pelvis + spine) flexion, with lumbar:hip ratios by phase."""
    out = np.zeros_like(total)
    edges = (0.0, 30.0, 60.0, np.inf)
    for (lo, hi), r in zip(itertools.pairwise(edges), rhythm, strict=True):
        out += np.clip(total - lo, 0.0, hi - lo) * r / (1 + r)
    return out


def forward_bend(
    *,
    reps: int = 5,
    total: float = 110.0,
    rhythm: tuple[float, float, float] = (1.9, 0.9, 0.4),
    leg_lean: float = 5.0,
    down: float = 1.6,
    hold: float = 0.6,
    up: float = 1.6,
    rest: float = 1.2,
    arc: Iterable[int] = (),
    catch: Iterable[int] = (),
    reversal: Iterable[int] = (),
    climb: Iterable[int] = (),
    facing: float = 1.0,
    fps: float = 30.0,
    uneven: bool = False,
    catch_deg: float = 7.0,
) -> Scenario:
    """Standing forward bends; faults injected in the given repetitions (0-based).

    ``total`` is pelvic tilt plus spinal flexion at full bend, shared by phase with the
    lumbar:hip ``rhythm`` ratios (Esola 1996: 1.9, 0.9, 0.4 for 0-30, 30-60, 60+).
    ``arc``: a mid-range stop on the way down (hesitation); ``catch``: a sudden jolt half-way
    up; ``reversal``: on the way up the knees bend and the hips come forward before the
    trunk rises; ``climb``: the hands push on the thighs on the way up.
    """
    arc, catch, reversal, climb = set(arc), set(catch), set(reversal), set(climb)
    pause = 0.6
    starts, t0 = [], 1.0
    for i in range(reps):
        starts.append(t0)
        t0 += down + hold + up + rest + (pause if i in arc else 0) + (0.5 if i in reversal else 0)
    t = times(t0 + 0.5, fps, uneven=uneven)
    keys: list[tuple[float, float]] = [(0.0, 0.0)]
    knee_keys: list[tuple[float, float]] = [(0.0, 0.0)]
    jolt, hands = np.zeros_like(t), np.zeros_like(t)
    peaks = []
    for i, s in enumerate(starts):
        if i in arc:
            keys += [(s, 0), (s + down / 2, 0.45), (s + down / 2 + pause, 0.45), (s + down + pause, 1)]
            s += pause
        else:
            keys += [(s, 0), (s + down, 1)]
        keys += [(s + down + hold, 1)]
        peaks.append(s + down + hold / 2)
        r0 = s + down + hold
        if i in reversal:
            keys += [(r0 + 0.5, 1.0)]
            knee_keys += [(r0, 0.0), (r0 + 0.5, 1.0), (r0 + 0.5 + 0.6 * up, 0.0)]
            r0 += 0.5
        keys += [(r0 + up, 0.0)]
        if i in catch:
            jolt += bump(t, r0 + 0.45 * up)
        if i in climb:
            w = keyframes(t, [(0.0, 0.0), (r0, 0.0), (r0 + 0.2, 1.0), (r0 + 0.75 * up, 1.0), (r0 + up, 0.0)])
            hands = np.maximum(hands, w)
    e = keyframes(t, keys)
    summed = total * e
    spine = _spine_share(summed, rhythm)
    m = Motion(t, plant_left=np.full_like(t, 0.5))
    m.pelvis_tilt = summed - spine + catch_deg * jolt
    m.lumbar_flex = 0.7 * spine
    m.thoracic_flex = 0.3 * spine
    knee = 25.0 * keyframes(t, knee_keys)
    for side in ("left", "right"):
        m.thigh[side] = leg_lean * e
        m.shank[side] = -leg_lean * e + knee
    m.hands_on_thighs = hands
    truth = {
        "reps": reps,
        "starts": starts,
        "peaks": peaks,
        "arc": arc,
        "catch": catch,
        "reversal": reversal,
        "climb": climb,
        "excursion": e,
        "summed": summed,
        "spine": spine,
    }
    return Scenario(m, Camera("side", facing), truth)


def backward_bend(*, reps: int = 3, total: float = 30.0, fps: float = 30.0) -> Scenario:
    """Standing back bends: posterior pelvic tilt plus lumbar extension, hips forward."""
    starts = _reps(reps, 1.0, 1.5, 0.8, 1.5, 1.2)
    t = times(starts[-1] + 5.5, fps)
    keys: list[tuple[float, float]] = [(0.0, 0.0)]
    for s in starts:
        keys += [(s, 0), (s + 1.5, 1), (s + 2.3, 1), (s + 3.8, 0)]
    e = keyframes(t, keys)
    m = Motion(t, plant_left=np.full_like(t, 0.5))
    m.pelvis_tilt = -0.35 * total * e
    m.lumbar_flex = -0.45 * total * e
    m.thoracic_flex = -0.20 * total * e
    for side in ("left", "right"):
        m.thigh[side] = -8.0 * e
        m.shank[side] = 8.0 * e
    return Scenario(m, Camera("side", 1.0), {"reps": reps, "excursion": e})


def side_bend(*, reps: int = 3, left: float = 30.0, right: float = 22.0, fps: float = 30.0) -> Scenario:
    """Side bends to the left then the right, facing the camera (lateral flexion)."""
    t = times(1.0 + reps * 8.0 + 0.5, fps)
    keys: list[tuple[float, float]] = [(0.0, 0.0)]
    for i in range(reps):
        s = 1.0 + i * 8.0
        keys += [
            (s, 0),
            (s + 1.5, 1),
            (s + 2.0, 1),
            (s + 3.5, 0),
            (s + 4.0, 0),
            (s + 5.5, -1),
            (s + 6.0, -1),
            (s + 7.5, 0),
        ]
    e = keyframes(t, keys)
    amount = np.where(e > 0, left * e, right * e)
    m = Motion(t, plant_left=np.full_like(t, 0.5))
    m.lumbar_lat = 0.6 * amount
    m.pelvis_obliquity = 0.4 * amount  # the whole pelvis tilts with the bend
    return Scenario(m, Camera("front"), {"reps": reps, "lean": amount})


def rotation(
    *,
    reps: int = 3,
    left: float = 40.0,
    right: float = 32.0,
    jerk_side: str | None = None,
    jerk_reps: Iterable[int] = (),
    jerk_deg: float = 8.0,
    shift_m: float = 0.03,
    fps: float = 30.0,
) -> Scenario:
    """Standing trunk rotation left then right with arms crossed; optional end-range clunk."""
    jerk_reps = set(jerk_reps)
    t = times(1.0 + reps * 8.0 + 0.5, fps)
    keys: list[tuple[float, float]] = [(0.0, 0.0)]
    jolt = np.zeros_like(t)
    for i in range(reps):
        s = 1.0 + i * 8.0
        keys += [
            (s, 0),
            (s + 1.5, 1),
            (s + 2.0, 1),
            (s + 3.5, 0),
            (s + 4.0, 0),
            (s + 5.5, -1),
            (s + 6.0, -1),
            (s + 7.5, 0),
        ]
        if i in jerk_reps and jerk_side is not None:
            jolt += bump(t, s + (1.55 if jerk_side == "left" else 5.55)) * (1 if jerk_side == "left" else -1)
    e = keyframes(t, keys)
    amount = np.where(e > 0, left * e, right * e)
    m = Motion(t, plant_left=np.full_like(t, 0.5), arms="crossed")
    m.axial = 0.9 * amount + jerk_deg * jolt
    m.pelvis_yaw = 0.1 * amount
    m.hip_shift = shift_m * jolt
    truth = {
        "reps": reps,
        "relative": 0.9 * amount,
        "left": 0.9 * left,
        "right": 0.9 * right,
        "jerk_side": jerk_side,
        "jerk_reps": jerk_reps,
    }
    return Scenario(m, Camera("front"), truth)


def _lunge_keys(starts: Sequence[float], down: float, hold: float, up: float) -> list[tuple[float, float]]:
    keys: list[tuple[float, float]] = [(0.0, 0.0)]
    for s in starts:
        keys += [(s, 0), (s + down, 1), (s + down + hold, 1), (s + down + hold + up, 0)]
    return keys


def squat(
    *,
    reps: int = 5,
    depth: float = 95.0,
    shank: float = 35.0,
    lean: float = 40.0,
    shift_m: float = 0.0,
    obliquity: float = 0.0,
    valgus_m: dict[str, float] | None = None,
    heel_rise: float = 0.0,
    fault_reps: Iterable[int] | None = None,
    view: str = "front",
    fps: float = 30.0,
) -> Scenario:
    """Bodyweight squats; shift (towards the person's left, metres), pelvic obliquity
    (+ = left hip lower), knee valgus (medial knee travel, metres) and heel rise (degrees)
    are injected at the bottom of the ``fault_reps`` (all repetitions by default)."""
    starts = _reps(reps, 1.0, 1.4, 0.5, 1.4, 1.0)
    t = times(starts[-1] + 4.5, fps)
    e = keyframes(t, _lunge_keys(starts, 1.4, 0.5, 1.4))
    faults = set(range(reps)) if fault_reps is None else set(fault_reps)
    f = keyframes(t, _lunge_keys([s for i, s in enumerate(starts) if i in faults], 1.4, 0.5, 1.4))
    m = Motion(t, plant_left=np.full_like(t, 0.5))
    m.pelvis_tilt = 0.7 * lean * e
    m.lumbar_flex = 0.3 * lean * e
    m.pelvis_obliquity = obliquity * f
    m.hip_shift = shift_m * f
    for side in ("left", "right"):
        m.thigh[side] = depth * e
        m.shank[side] = shank * e
        m.knee_medial[side] = (valgus_m or {}).get(side, 0.0) * f
        m.heel_rise[side] = heel_rise * f
    cam = Camera("front") if view == "front" else Camera("side", 1.0)
    truth = {"reps": reps, "faults": faults, "depth": depth, "excursion": e, "fault": f}
    return Scenario(m, cam, truth)


def hip_hinge(
    *,
    reps: int = 5,
    hip: float = 75.0,
    knee: float = 15.0,
    rounding: float = 0.0,
    fault_reps: Iterable[int] | None = None,
    fps: float = 30.0,
) -> Scenario:
    """Hip hinges, soft knees; ``rounding`` degrees of spinal flexion come in early (by 35 %
    of the descent) in ``fault_reps`` (all by default), the rest hinge with a neutral spine."""
    starts = _reps(reps, 1.0, 1.5, 0.5, 1.5, 1.0)
    t = times(starts[-1] + 4.5, fps)
    e = keyframes(t, _lunge_keys(starts, 1.5, 0.5, 1.5))
    faults = set(range(reps)) if fault_reps is None else set(fault_reps)
    f = keyframes(t, _lunge_keys([s for i, s in enumerate(starts) if i in faults], 1.5, 0.5, 1.5))
    early = np.clip(f / 0.35, 0.0, 1.0) * (f > 0)
    m = Motion(t, plant_left=np.full_like(t, 0.5), arms="hips")
    m.pelvis_tilt = hip * e
    m.lumbar_flex = 0.7 * rounding * early
    m.thoracic_flex = 0.3 * rounding * early
    for side in ("left", "right"):
        m.thigh[side] = 0.4 * knee * e
        m.shank[side] = 0.6 * knee * e
    truth = {"reps": reps, "faults": faults if rounding else set(), "excursion": e}
    return Scenario(m, Camera("side", 1.0), truth)


def single_leg_stance(
    *,
    hold: tuple[float, float] = (12.0, 12.0),
    drop: tuple[float, float] = (2.0, 2.0),
    lean: tuple[float, float] = (0.0, 0.0),
    fps: float = 30.0,
    facing_camera: bool = True,
) -> Scenario:
    """Stand on the left leg, then on the right, facing the camera.

    ``drop[i]``: how far the pelvis drops on the lifted side while standing on the left
    (i=0) or right (i=1) leg; ``lean[i]``: trunk lean towards the stance leg (degrees).
    """
    t_left = 1.5
    t_right = t_left + 0.5 + hold[0] + 0.5 + 2.0
    t = times(t_right + 0.5 + hold[1] + 0.5 + 1.5, fps)
    lift: dict[str, list[tuple[float, float]]] = {}
    for side, t0, h in (("right", t_left, hold[0]), ("left", t_right, hold[1])):
        lift[side] = [(0.0, 0.0), (t0, 0.0), (t0 + 0.5, 1.0), (t0 + 0.5 + h, 1.0), (t0 + 1.0 + h, 0.0)]
    up_r, up_l = keyframes(t, lift["right"]), keyframes(t, lift["left"])
    ramp_l = keyframes(
        t,
        [
            (0.0, 0.0),
            (t_left + 0.5, 0.0),
            (t_left + 1.5, 1.0),
            (t_left + 0.5 + hold[0], 1.0),
            (t_left + 1.0 + hold[0], 0.0),
        ],
    )
    ramp_r = keyframes(
        t,
        [
            (0.0, 0.0),
            (t_right + 0.5, 0.0),
            (t_right + 1.5, 1.0),
            (t_right + 0.5 + hold[1], 1.0),
            (t_right + 1.0 + hold[1], 0.0),
        ],
    )
    m = Motion(t)
    w = np.where(up_r > 0.01, 1.0, np.where(up_l > 0.01, 0.0, 0.5))
    m.plant_left = w
    m.plant_target = np.stack([np.zeros_like(t), (2 * w - 1) * 0.09], -1)
    m.pelvis_obliquity = -drop[0] * ramp_l + drop[1] * ramp_r
    m.lumbar_lat = (lean[0] + drop[0]) * ramp_l - (lean[1] + drop[1]) * ramp_r
    m.hip_shift = 0.04 * (np.clip(up_r * 3, 0, 1) - np.clip(up_l * 3, 0, 1))
    for side, up in (("left", up_l), ("right", up_r)):
        m.thigh[side] = 40.0 * up
        m.shank[side] = 40.0 * up
    truth = {"hold": hold, "drop": drop, "lean": lean, "left_start": t_left, "right_start": t_right}
    return Scenario(m, Camera("front" if facing_camera else "back"), truth)


def knee_to_wall(
    *,
    left: float = 40.0,
    right: float = 30.0,
    reps: int = 3,
    heel_lift: tuple[str, int] | None = None,
    fps: float = 30.0,
) -> Scenario:
    """Knee-to-wall lunges, side view facing +x: the left foot in front first, then the right.

    ``left``/``right``: shank inclination reached with the heel down. ``heel_lift``: in that
    (side, repetition) the heel comes up and the knee goes 8 degrees further (not valid).
    """
    lunge = (1.2, 0.8, 1.2, 0.8)
    period = sum(lunge)
    first = [1.0 + i * period for i in range(reps)]
    swap = first[-1] + period
    second = [swap + 2.5 + i * period for i in range(reps)]
    t = times(second[-1] + period + 1.0, fps)
    e_left = keyframes(t, _lunge_keys(first, *lunge[:3]))
    e_right = keyframes(t, _lunge_keys(second, *lunge[:3]))
    front_is_left = keyframes(t, [(0.0, 1.0), (swap + 0.3, 1.0), (swap + 2.2, 0.0)])
    m = Motion(t, plant_left=front_is_left)
    m.plant_target = np.zeros((len(t), 2))
    for side, e, target, role in (
        ("left", e_left, left, front_is_left),
        ("right", e_right, right, 1 - front_is_left),
    ):
        lift = np.zeros_like(t)
        if heel_lift and heel_lift[0] == side:
            starts = first if side == "left" else second
            lift = keyframes(t, _lunge_keys([starts[heel_lift[1]]], *lunge[:3]))
        front_shank = 8.0 + (target - 8.0) * e + 8.0 * lift
        m.shank[side] = role * front_shank + (1 - role) * 25.0
        m.thigh[side] = role * (15.0 + 25.0 * e) + (1 - role) * -15.0
        m.heel_rise[side] = role * 12.0 * lift + (1 - role) * 25.0
    m.pelvis_tilt = 10.0 * (e_left + e_right)
    truth = {"left": left, "right": right, "reps": reps, "heel_lift": heel_lift}
    return Scenario(m, Camera("side", 1.0), truth)


SITTING = {
    # a slouch: pelvis rolled back, trunk reclined, head poked forward
    "slumped": {"pelvis_tilt": -30.0, "lumbar_flex": 12.0, "thoracic_flex": 8.0, "neck_flex": 30.0},
    # a hunch: pelvis back but the back rounded forward over the desk
    "hunched": {"pelvis_tilt": -15.0, "lumbar_flex": 25.0, "thoracic_flex": 20.0, "neck_flex": 25.0},
    "upright": {"pelvis_tilt": 5.0, "lumbar_flex": -5.0, "thoracic_flex": 0.0, "neck_flex": 0.0},
}


def sitting(*, first: str = "slumped", second: str | None = "upright", fps: float = 30.0) -> Scenario:
    """Sitting side-on on a stool: ``first`` posture for 6 s, then (optionally) ``second``."""
    dur = 13.0 if second else 6.0
    t = times(dur, fps)
    mix = keyframes(t, [(0.0, 0.0), (6.0, 0.0), (7.5, 1.0)]) if second else np.zeros_like(t)
    m = Motion(t, root=np.tile([0.0, 0.48, 0.0], (len(t), 1)))
    for key in SITTING["slumped"]:
        a, b = SITTING[first][key], SITTING[second or first][key]
        setattr(m, key, a + (b - a) * mix)
    for side in ("left", "right"):
        m.thigh[side] = np.full_like(t, 85.0)
        m.shank[side] = np.full_like(t, 5.0)
    m.arms = "hips"
    return Scenario(m, Camera("side", 1.0), {"first": first, "second": second})


def _gait_bump(phase: FloatArray, centre: float, width: float) -> FloatArray:
    d = (phase - centre + 0.5) % 1.0 - 0.5
    return np.asarray(np.exp(-0.5 * (d / width) ** 2), dtype=np.float64)


def gait(
    *,
    cadence: float = 110.0,
    asymmetry: float = 0.0,
    drop: tuple[float, float] = (4.0, 4.0),
    sway: float = 2.0,
    duration: float = 10.0,
    view: str = "side",
    fps: float = 30.0,
    uneven: bool = False,
) -> Scenario:
    """Walking in place on a treadmill-like path (the hips stay put, the feet cycle).

    ``asymmetry`` δ: the right step lasts T(0.5 + δ) and the left T(0.5 - δ) (step-time
    asymmetry 400·δ %). ``drop``: contralateral pelvic drop (degrees) while standing on the
    left / right leg; ``sway``: lateral trunk lean towards the stance leg (degrees).
    """
    stride = 120.0 / cadence
    t = times(duration, fps, uneven=uneven)
    t0 = 0.3
    phase = {
        "left": ((t - t0) / stride) % 1.0,
        "right": ((t - t0 - stride * (0.5 + asymmetry)) / stride) % 1.0,
    }
    m = Motion(t, plant_left=np.full_like(t, 0.5), plant_horizontal=False)
    stance = {s: np.where(p < 0.5, np.sin(np.pi * p / 0.5), 0.0) for s, p in phase.items()}
    m.pelvis_obliquity = -drop[0] * stance["left"] + drop[1] * stance["right"]
    m.lumbar_lat = (sway + drop[0]) * stance["left"] - (sway + drop[1]) * stance["right"]
    for side, p in phase.items():
        thigh = 22.0 * np.cos(2 * np.pi * p) + 3.0
        knee = 15.0 * _gait_bump(p, 0.12, 0.06) + 60.0 * _gait_bump(p, 0.73, 0.09)
        m.thigh[side] = thigh
        m.shank[side] = knee - thigh
        m.heel_rise[side] = 20.0 * _gait_bump(p, 0.55, 0.05)
    strikes = {
        s: t0 + off + stride * np.arange(0, duration / stride + 1)
        for s, off in (("left", 0.0), ("right", stride * (0.5 + asymmetry)))
    }
    truth = {
        "cadence": cadence,
        "asymmetry_pct": 400.0 * asymmetry,
        "drop": drop,
        "sway": sway,
        "strikes": {s: v[v < duration] for s, v in strikes.items()},
    }
    cam = Camera("side", 1.0) if view == "side" else Camera("front", pitch_deg=12.0)
    return Scenario(m, cam, truth)
