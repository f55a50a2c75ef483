"""Movement tests: one protocol per test turns a cleaned pose sequence into a TestResult.

``PROTOCOLS`` maps a test id to its function ``(PoseSequence, MovementTestSpec) ->
TestResult``. The spec (instructions, camera set-up, view, thresholds with sources,
metric names and normal ranges) comes from ``knowledge/movement_tests/<id>.yaml``;
``REQUIRES`` lists the thresholds and metrics each protocol reads, so the knowledge loader
can reject a file that lacks one (or names one the protocol never reads).

Shared parts: ``phases`` (repetitions and phases), ``signs`` (jolts and hesitations),
``view`` (view, framing and detection checks), ``measure`` (shared measures and the
result builder), ``base`` and ``spec`` (types).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType, ModuleType

from backmech.motion.protocols import (
    backward_bend,
    forward_bend,
    gait,
    hip_hinge,
    knee_to_wall,
    rotation,
    side_bend,
    single_leg_stance,
    sitting,
    squat,
)
from backmech.motion.protocols.base import TestResult
from backmech.motion.protocols.spec import MovementTestSpec
from backmech.motion.skeleton import PoseSequence

Protocol = Callable[[PoseSequence, MovementTestSpec], TestResult]


@dataclass(frozen=True)
class Requires:
    """What a protocol reads from its knowledge file."""

    thresholds: frozenset[str]
    metrics: frozenset[str]


_MODULES: dict[str, tuple[ModuleType, Protocol]] = {
    "forward-bend": (forward_bend, forward_bend.forward_bend),
    "backward-bend": (backward_bend, backward_bend.backward_bend),
    "side-bend": (side_bend, side_bend.side_bend),
    "rotation": (rotation, rotation.rotation),
    "squat": (squat, squat.squat),
    "hip-hinge": (hip_hinge, hip_hinge.hip_hinge),
    "single-leg-stance": (single_leg_stance, single_leg_stance.single_leg_stance),
    "knee-to-wall": (knee_to_wall, knee_to_wall.knee_to_wall),
    "sitting": (sitting, sitting.sitting),
    "gait": (gait, gait.gait),
}

PROTOCOLS: Mapping[str, Protocol] = MappingProxyType({k: fn for k, (_, fn) in _MODULES.items()})
"""Movement test id → protocol function."""

REQUIRES: Mapping[str, Requires] = MappingProxyType(
    {k: Requires(frozenset(mod.THRESHOLDS), frozenset(mod.METRICS)) for k, (mod, _) in _MODULES.items()}
)
"""Movement test id → the thresholds and metrics its protocol reads from the spec."""

__all__ = ["PROTOCOLS", "REQUIRES", "Protocol", "Requires"]
