"""Kinematics: from raw landmark tracks to clean angles (pure numpy/scipy).

A typical chain, each step a pure function returning a new value::

    seq = lowpass(fill_gaps(reject_outliers(raw)))
    trunk = trunk_inclination(seq)                 # degrees per frame, NaN where unseen
    speed = angular_velocity(seq.times, trunk)     # deg/s on the real (uneven) times

Modules: ``gaps`` (confidence masking, outliers, short-gap filling), ``filtering``
(zero-lag Butterworth, cut-off cited there), ``angles`` (segment and joint angles, sign
conventions stated there), ``signals`` (derivatives on uneven times, frame quality).
Import from this package; the module layout may still change.
"""

from backmech.motion.kinematics.angles import (
    SIDES,
    ankle_angle,
    facing_direction,
    hip_angle,
    joint_angle,
    knee_angle,
    lateral_shift,
    pelvic_obliquity,
    reference_torso_length,
    segment_angle_to_vertical,
    shank_inclination,
    shoulder_obliquity,
    shoulder_pelvis_rotation,
    thigh_inclination,
    torso_length,
    trunk_flexion,
    trunk_inclination,
)
from backmech.motion.kinematics.filtering import DEFAULT_CUTOFF_HZ, DEFAULT_ORDER, lowpass, lowpass_signal
from backmech.motion.kinematics.gaps import fill_gaps, fill_signal_gaps, fillable, reject_outliers
from backmech.motion.kinematics.signals import (
    QUALITY_LANDMARKS,
    angular_velocity,
    finite_runs,
    frame_quality,
    jerk,
)

__all__ = [
    "DEFAULT_CUTOFF_HZ",
    "DEFAULT_ORDER",
    "QUALITY_LANDMARKS",
    "SIDES",
    "angular_velocity",
    "ankle_angle",
    "facing_direction",
    "fill_gaps",
    "fill_signal_gaps",
    "fillable",
    "finite_runs",
    "frame_quality",
    "hip_angle",
    "jerk",
    "joint_angle",
    "knee_angle",
    "lateral_shift",
    "lowpass",
    "lowpass_signal",
    "pelvic_obliquity",
    "reference_torso_length",
    "reject_outliers",
    "segment_angle_to_vertical",
    "shank_inclination",
    "shoulder_obliquity",
    "shoulder_pelvis_rotation",
    "thigh_inclination",
    "torso_length",
    "trunk_flexion",
    "trunk_inclination",
]
