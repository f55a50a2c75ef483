"""Composition root: the one place that chooses and builds adapters.

The knowledge base, the video decoder and pose model, the database (engine and units of
work) and the tools a movement-analysis job needs are built here and nowhere else; the
web app, the worker, the CLI and the examples ask for them. Heavy imports stay inside
the functions, so a command that needs none of them starts fast.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from backmech.services.analysis_jobs import AnalysisTools
from backmech.services.assessment import AssessmentService

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from backmech.motion.video import VideoLimits
    from backmech.services.movement import Frame, MovementOutcome, MovementService
    from backmech.storage.unit_of_work import SqlUnitOfWorkFactory

T = TypeVar("T")


@dataclass(frozen=True)
class Storage:
    """A database opened for one process: its engine and the unit-of-work factory over it."""

    engine: Engine
    uow_factory: SqlUnitOfWorkFactory

    def close(self) -> None:
        self.engine.dispose()


def open_storage(database_url: str, *, migrate: bool = False) -> Storage:
    """The database at ``database_url`` (migrated to the newest schema first with ``migrate``)."""
    from backmech.storage.engine import create_engine
    from backmech.storage.migrate import upgrade
    from backmech.storage.unit_of_work import SqlUnitOfWorkFactory

    if migrate:
        upgrade(database_url)
    engine = create_engine(database_url)
    return Storage(engine=engine, uow_factory=SqlUnitOfWorkFactory(engine))


@contextmanager
def storage(database_url: str) -> Iterator[Storage]:
    """:func:`open_storage` for the length of a ``with`` block (a CLI command, a script)."""
    opened = open_storage(database_url)
    try:
        yield opened
    finally:
        opened.close()


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


_lock = threading.Lock()


@cache
def _shared_movement() -> MovementService:
    return movement_service()


@cache
def _shared_assessment() -> AssessmentService:
    return assessment_service()


def _locked(build: Callable[[], T]) -> Callable[[], T]:
    def get() -> T:
        with _lock:  # the first build loads YAML; two threads need not do it twice
            return build()

    return get


def analysis_tools(*, reassess: bool = True) -> AnalysisTools:
    """What a movement-analysis job uses, built once per process and shared by its threads.

    The bundled pose model (one interpreter per analysis, made by the movement service),
    the overlay renderer and, unless ``reassess=False``, the assessment engine that turns
    the findings into a new assessment.
    """
    from backmech.motion.overlay import write_scaled_overlay

    movement = _locked(_shared_movement)

    def overlay(video: Path, outcome: MovementOutcome, out: Path, progress: Callable[[float], None]) -> None:
        write_scaled_overlay(movement().open_video, video, outcome, out, progress)

    return AnalysisTools(
        movement=movement,
        assessment=_locked(_shared_assessment) if reassess else None,
        overlay=overlay,
    )
