"""Synthetic movement recordings with known truth: a kinematic stick figure → PoseSequence.

The figure is built from joint-angle trajectories (degrees) in a body frame ``(F, U, L)``:
F forward, U up, L the person's left (ground at U = 0). Its spine has three links
(pelvis, lumbar, thoracic), so trunk flexion can come from the hips (pelvic tilt) or from
the spine, as in Esola 1996's lumbo-pelvic rhythm. Legs are thigh and shank segment
angles (sagittal: + = knee ahead of the hip / of the ankle; frontal: + = knee lateral),
feet can be planted (the root is solved so the chosen ankles stay put and the lowest foot
point touches the ground) and heels can rise.

A :class:`Camera` projects the figure to BlazePose's 33 landmarks in pixels (side view
facing +x or -x, front view, back view; optional downward pitch) and to hip-centred world
metres (x right, y down, z towards the camera, as ``motion.skeleton`` documents). Noise
(Gaussian pixels), dropouts (NaN runs or low-visibility runs) and uneven time stamps can be
added. Scenario builders (one per movement test, with their truth) live in ``tests/motion/scenarios.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from backmech.motion.skeleton import INDEX, N_LANDMARKS, FloatArray, PoseSequence

SIDE_SIGN = {"left": 1.0, "right": -1.0}

# Segment lengths and offsets (metres), an adult of about 1.75 m.
THIGH, SHANK = 0.44, 0.43
HIP_HALF = 0.09
SACRUM = np.array([-0.07, 0.09, 0.0])  # lumbosacral point from mid-hip, pelvis frame
LUMBAR, THORACIC = 0.18, 0.28
SHOULDER = np.array([0.07, -0.05, 0.19])  # from C7, thorax frame (L sign per side)
FOOT_HEEL = np.array([-0.06, -0.05, 0.0])
FOOT_TOE = np.array([0.16, -0.06, 0.0])
HEAD = {  # from C7, head frame
    "nose": (0.17, 0.14, 0.0),
    "left_eye_inner": (0.15, 0.17, 0.015),
    "right_eye_inner": (0.15, 0.17, -0.015),
    "left_eye": (0.15, 0.17, 0.03),
    "right_eye": (0.15, 0.17, -0.03),
    "left_eye_outer": (0.14, 0.17, 0.045),
    "right_eye_outer": (0.14, 0.17, -0.045),
    "left_ear": (0.07, 0.16, 0.075),
    "right_ear": (0.07, 0.16, -0.075),
    "mouth_left": (0.16, 0.09, 0.025),
    "mouth_right": (0.16, 0.09, -0.025),
}


def minjerk(u: FloatArray) -> FloatArray:
    """Minimum-jerk 0→1 profile (Flash & Hogan 1985) for u in [0, 1], clipped outside."""
    u = np.clip(u, 0.0, 1.0)
    return np.asarray(10 * u**3 - 15 * u**4 + 6 * u**5, dtype=np.float64)


def pitch(a: FloatArray) -> FloatArray:
    """(T,3,3) rotations turning U towards F by ``a`` degrees (flexion)."""
    r = np.radians(a)
    c, s, z, o = np.cos(r), np.sin(r), np.zeros_like(r), np.ones_like(r)
    return np.stack([np.stack([c, s, z], -1), np.stack([-s, c, z], -1), np.stack([z, z, o], -1)], -2)


def roll(a: FloatArray) -> FloatArray:
    """Rotations turning U towards L (lean to the left; the left hip goes down)."""
    r = np.radians(a)
    c, s, z, o = np.cos(r), np.sin(r), np.zeros_like(r), np.ones_like(r)
    return np.stack([np.stack([o, z, z], -1), np.stack([z, c, -s], -1), np.stack([z, s, c], -1)], -2)


def yaw(a: FloatArray) -> FloatArray:
    """Rotations turning F towards L (turning to the left)."""
    r = np.radians(a)
    c, s, z, o = np.cos(r), np.sin(r), np.zeros_like(r), np.ones_like(r)
    return np.stack([np.stack([c, z, -s], -1), np.stack([z, o, z], -1), np.stack([s, z, c], -1)], -2)


def _apply(rot: FloatArray, v: FloatArray | tuple[float, float, float]) -> FloatArray:
    vec = np.asarray(v, dtype=np.float64)
    if vec.ndim == 1:
        return np.asarray(np.einsum("tij,j->ti", rot, vec), dtype=np.float64)
    return np.asarray(np.einsum("tij,tj->ti", rot, vec), dtype=np.float64)


def _zeros(t: FloatArray) -> FloatArray:
    return np.zeros_like(t, dtype=np.float64)


@dataclass
class Motion:
    """Joint-angle trajectories, one value per frame (degrees unless stated)."""

    t: FloatArray
    pelvis_tilt: FloatArray = field(default=None)  # type: ignore[assignment]  # + anterior (hip flexion)
    pelvis_obliquity: FloatArray = field(default=None)  # type: ignore[assignment]  # + left hip lower
    pelvis_yaw: FloatArray = field(default=None)  # type: ignore[assignment]  # + turned left
    lumbar_flex: FloatArray = field(default=None)  # type: ignore[assignment]
    lumbar_lat: FloatArray = field(default=None)  # type: ignore[assignment]  # + bend to the left
    thoracic_flex: FloatArray = field(default=None)  # type: ignore[assignment]
    axial: FloatArray = field(default=None)  # type: ignore[assignment]  # thorax on pelvis, + left
    neck_flex: FloatArray = field(default=None)  # type: ignore[assignment]
    thigh: dict[str, FloatArray] = field(default_factory=dict)
    shank: dict[str, FloatArray] = field(default_factory=dict)
    thigh_frontal: dict[str, FloatArray] = field(default_factory=dict)
    shank_frontal: dict[str, FloatArray] = field(default_factory=dict)
    knee_medial: dict[str, FloatArray] = field(default_factory=dict)  # metres
    heel_rise: dict[str, FloatArray] = field(default_factory=dict)
    arms: Literal["hang", "crossed", "hips"] = "hang"
    hands_on_thighs: FloatArray = field(default=None)  # type: ignore[assignment]  # 0-1 blend
    plant_left: FloatArray | None = field(default=None)
    """Weight of the left ankle in the planted point (0.5 both feet, 1 left, 0 right);
    None: no planting, the root is ``root`` as given."""
    plant_target: FloatArray | None = None
    """(T, 2) F and L where the planted point stays (default: the origin)."""
    plant_horizontal: bool = True
    """False: only the height is planted (treadmill walking); the hips stay over the origin."""
    root: FloatArray | None = None
    """(T, 3) mid-hip position when not planted."""
    hip_shift: FloatArray = field(default=None)  # type: ignore[assignment]
    """Metres towards L: the body above the feet shifts sideways (knees half as much)."""

    def __post_init__(self) -> None:
        for name in (
            "pelvis_tilt",
            "pelvis_obliquity",
            "pelvis_yaw",
            "lumbar_flex",
            "lumbar_lat",
            "thoracic_flex",
            "axial",
            "neck_flex",
            "hands_on_thighs",
            "hip_shift",
        ):
            if getattr(self, name) is None:
                setattr(self, name, _zeros(self.t))
        for part in ("thigh", "shank", "thigh_frontal", "shank_frontal", "knee_medial", "heel_rise"):
            d = getattr(self, part)
            for s in SIDE_SIGN:
                d.setdefault(s, _zeros(self.t))


def body_points(m: Motion) -> FloatArray:
    """(T, 33, 3) landmark positions in the body frame (F, U, L), metres."""
    n = len(m.t)
    out = np.full((n, N_LANDMARKS, 3), np.nan)
    r_p = yaw(m.pelvis_yaw) @ roll(m.pelvis_obliquity) @ pitch(m.pelvis_tilt)
    r_l = r_p @ roll(m.lumbar_lat) @ pitch(m.lumbar_flex)
    r_t = r_l @ yaw(m.axial) @ pitch(m.thoracic_flex)
    r_h = r_t @ pitch(m.neck_flex)
    sacrum = _apply(r_p, SACRUM)
    c7 = sacrum + _apply(r_l, (0, LUMBAR, 0)) + _apply(r_t, (0, THORACIC, 0))
    for name, v in HEAD.items():
        out[:, INDEX[name]] = c7 + _apply(r_h, v)
    legs: dict[str, dict[str, FloatArray]] = {}
    for side, s in SIDE_SIGN.items():
        hip = _apply(r_p, (0, 0, s * HIP_HALF))
        tt, tf = np.radians(m.thigh[side]), np.radians(m.thigh_frontal[side])
        st, sf = np.radians(m.shank[side]), np.radians(m.shank_frontal[side])
        knee = hip + THIGH * np.stack([np.sin(tt) * np.cos(tf), -np.cos(tt) * np.cos(tf), s * np.sin(tf)], -1)
        ankle = knee + SHANK * np.stack(
            [-np.sin(st) * np.cos(sf), -np.cos(st) * np.cos(sf), -s * np.sin(sf)], -1
        )
        foot = pitch(m.heel_rise[side])
        legs[side] = {
            "hip": hip,
            "ankle": ankle,
            "heel": ankle + _apply(foot, FOOT_HEEL),
            "foot_index": ankle + _apply(foot, FOOT_TOE),
            "knee": knee + np.stack([_zeros(m.t), _zeros(m.t), -s * m.knee_medial[side]], -1),
        }
        sh = SHOULDER * np.array([1.0, 1.0, s])
        legs[side]["shoulder"] = c7 + _apply(r_t, sh)
    for side, s in SIDE_SIGN.items():
        other = "right" if side == "left" else "left"
        sh = legs[side]["shoulder"]
        if m.arms == "crossed":
            wrist = legs[other]["shoulder"] + _apply(r_t, (0.10, -0.10, 0.0))
            elbow = sh + _apply(r_t, (0.14, -0.20, -s * 0.05))
        elif m.arms == "hips":
            wrist = legs[side]["hip"] + _apply(r_p, (0.0, 0.10, s * 0.07))
            elbow = sh + _apply(r_t, (-0.06, -0.20, s * 0.14))
        else:
            elbow = sh + np.array([0.02, -0.30, 0.0])
            wrist = elbow + np.array([0.03, -0.26, 0.0])
            w = m.hands_on_thighs[:, None]
            thigh_front = (legs[side]["hip"] + legs[side]["knee"]) / 2 + np.array([0.08, 0.0, 0.0])
            wrist = (1 - w) * wrist + w * thigh_front
            elbow = (1 - w) * elbow + w * (sh + wrist) / 2 + w * np.array([-0.05, 0.0, 0.0])
        legs[side]["elbow"], legs[side]["wrist"] = elbow, wrist
        for hand, off in (
            ("pinky", (0.0, -0.07, -s * 0.02)),
            ("index", (0.03, -0.08, 0.0)),
            ("thumb", (0.03, -0.04, s * 0.02)),
        ):
            legs[side][hand] = wrist + np.array(off)
    for side, parts in legs.items():
        for part, xyz in parts.items():
            out[:, INDEX[f"{side}_{part}"]] = xyz
    placed = _place(m, out)
    weight = np.ones(N_LANDMARKS)
    for side in SIDE_SIGN:
        weight[[INDEX[f"{side}_{p}"] for p in ("ankle", "heel", "foot_index")]] = 0.0
        weight[INDEX[f"{side}_knee"]] = 0.5
    placed[:, :, 2] += m.hip_shift[:, None] * weight[None, :]
    return placed


def _place(m: Motion, rel: FloatArray) -> FloatArray:
    """Move the hip-centred figure to its root: planted feet or a given path."""
    if m.plant_left is None:
        root = m.root if m.root is not None else np.tile([0.0, 0.95, 0.0], (len(m.t), 1))
        return np.asarray(rel + root[:, None, :], dtype=np.float64)
    w = m.plant_left
    feet = {s: [INDEX[f"{s}_{p}"] for p in ("ankle", "heel", "foot_index")] for s in SIDE_SIGN}
    low = {s: rel[:, feet[s], 1].min(axis=1) for s in SIDE_SIGN}
    ground = np.where(w >= 0.99, low["left"], np.where(w <= 0.01, low["right"], np.minimum(*low.values())))
    ankle = w[:, None] * rel[:, INDEX["left_ankle"]] + (1 - w)[:, None] * rel[:, INDEX["right_ankle"]]
    target = m.plant_target if m.plant_target is not None else np.zeros((len(m.t), 2))
    if m.plant_horizontal:
        root = np.stack([target[:, 0] - ankle[:, 0], -ground, target[:, 1] - ankle[:, 2]], -1)
    else:
        root = np.stack([target[:, 0], -ground, target[:, 1]], -1)
    return np.asarray(rel + root[:, None, :], dtype=np.float64)


View = Literal["side", "front", "back"]


@dataclass(frozen=True)
class Camera:
    """An orthographic phone camera: which way it sees the person, scale and framing."""

    view: View = "side"
    facing: float = 1.0
    """Side view: +1 the person faces image +x, -1 faces -x."""
    scale: float = 350.0
    """Pixels per metre."""
    width: int = 1280
    height: int = 720
    ground_y: float = 680.0
    """Image row of the ground (U = 0) under the origin."""
    centre_x: float = 640.0
    pitch_deg: float = 0.0
    """Camera tilted down: points nearer the camera appear lower."""
    yaw_deg: float = 0.0
    """The person turned by this much from the nominal view (an oblique camera)."""

    def to_camera(self, p: FloatArray) -> FloatArray:
        """Body frame (F, U, L) → camera frame (x right, y down, z towards the camera)."""
        b = np.radians(self.yaw_deg)
        f = p[..., 0] * np.cos(b) - p[..., 2] * np.sin(b)
        lat = p[..., 0] * np.sin(b) + p[..., 2] * np.cos(b)
        u = p[..., 1]
        if self.view == "side":
            x, z = self.facing * f, -self.facing * lat
        elif self.view == "front":
            x, z = lat, f
        else:
            x, z = -lat, -f
        y = -u
        a = np.radians(self.pitch_deg)
        return np.stack([x, y * np.cos(a) + z * np.sin(a), -y * np.sin(a) + z * np.cos(a)], -1)


@dataclass(frozen=True)
class Dropout:
    """Landmarks lost for a while: NaN (``nan``) or seen with low confidence (``lowvis``)."""

    start: float
    end: float
    landmarks: tuple[str, ...] = ()
    """Empty: every landmark (the person was not found)."""
    mode: Literal["nan", "lowvis"] = "nan"


def render(
    m: Motion,
    camera: Camera,
    *,
    noise_px: float = 0.0,
    seed: int = 0,
    world: bool = True,
    dropouts: tuple[Dropout, ...] = (),
    uneven: bool = False,
) -> PoseSequence:
    """Project a motion to a PoseSequence (times are ``m.t``; ``uneven`` only checks them)."""
    if uneven and np.allclose(np.diff(m.t), m.t[1] - m.t[0]):
        raise ValueError("uneven=True expects uneven times (use times(uneven=True))")
    rng = np.random.default_rng(seed)
    cam = camera.to_camera(body_points(m))
    image = np.empty((*cam.shape[:2], 2))
    image[..., 0] = camera.centre_x + camera.scale * cam[..., 0]
    image[..., 1] = camera.ground_y + camera.scale * cam[..., 1]
    if noise_px > 0:
        image = image + rng.normal(0.0, noise_px, image.shape)
    vis = np.full(image.shape[:2], 0.95)
    if camera.view == "side":
        far = "left" if camera.facing > 0 else "right"
        vis[:, [i for n, i in INDEX.items() if n.startswith(far)]] = 0.8
    w = None
    if world:
        mid = (cam[:, INDEX["left_hip"]] + cam[:, INDEX["right_hip"]]) / 2
        w = cam - mid[:, None, :]
        if noise_px > 0:
            w = w + rng.normal(0.0, noise_px / camera.scale, w.shape)
    for d in dropouts:
        rows = (m.t >= d.start) & (m.t < d.end)
        cols = [INDEX[n] for n in d.landmarks] if d.landmarks else list(range(N_LANDMARKS))
        sel = np.ix_(rows, cols)
        if d.mode == "nan":
            image[sel] = np.nan
            vis[sel] = 0.0
            if w is not None:
                w[sel] = np.nan
        else:
            vis[sel] = 0.2
    return PoseSequence(
        times=np.asarray(m.t, dtype=np.float64),
        image=image,
        visibility=vis,
        world=w,
        width=camera.width,
        height=camera.height,
        source="synthetic stick figure",
    )


def times(duration: float, fps: float = 30.0, *, uneven: bool = False, seed: int = 1) -> FloatArray:
    """Frame times; ``uneven`` jitters each by up to ±35 % of a frame (variable frame rate)."""
    t = np.arange(0.0, duration, 1.0 / fps)
    if uneven:
        t = t + np.random.default_rng(seed).uniform(-0.35, 0.35, t.shape) / fps
        t[0] = 0.0
    return np.asarray(t, dtype=np.float64)


def clean(m: Motion, camera: Camera) -> PoseSequence:
    """The noise-free rendering: what a perfect pose model would report (the truth)."""
    return render(m, camera)
