"""Composition root: the one place that chooses adapters (knowledge base, video decoder, pose model)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from backmech.services.assessment import AssessmentService

if TYPE_CHECKING:
    from backmech.motion.video import VideoLimits
    from backmech.services.movement import Frame, MovementService


def assessment_service(knowledge_root: Path | None = None) -> AssessmentService:
    """An assessment service over the bundled knowledge base or another folder."""
    from backmech.knowledge.loader import default_knowledge, load_knowledge

    kb = default_knowledge() if knowledge_root is None else load_knowledge(knowledge_root)
    return AssessmentService(kb)


def movement_service(
    knowledge_root: Path | None = None, limits: VideoLimits | None = None
) -> MovementService:
    """Movement analysis with the bundled BlazePose model (LiteRT) and PyAV decoding."""
    from backmech.domain.results.model import VideoSummary
    from backmech.knowledge.files import KNOWLEDGE_ROOT, SourceChecker
    from backmech.knowledge.loader import default_knowledge, load_knowledge
    from backmech.knowledge.movement_test_files import load_movement_tests
    from backmech.motion.pose.blazepose import BlazePoseLiteRT
    from backmech.motion.video import DEFAULT_LIMITS, frames, probe
    from backmech.services.movement import MovementService

    root = knowledge_root or KNOWLEDGE_ROOT
    kb = default_knowledge() if knowledge_root is None else load_knowledge(knowledge_root)
    specs = load_movement_tests(root / "movement_tests", root, SourceChecker(set(kb.sources)))
    chosen = limits or DEFAULT_LIMITS

    def open_video(path: Path) -> tuple[VideoSummary, Iterable[Frame]]:
        info = probe(path, chosen)
        summary = VideoSummary(
            width=info.width,
            height=info.height,
            rotation=info.rotation,
            duration_s=info.duration_s,
            fps=info.fps,
            frames=info.frames_estimate,
        )
        return summary, frames(path, chosen)

    return MovementService(specs=specs, open_video=open_video, estimator_factory=BlazePoseLiteRT)
