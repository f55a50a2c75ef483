"""In-process analysis queue for the embedded default (owned by the movement-analysis work)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from backmech.web.state import AnalysisQueue, AppState


class InProcessQueue:
    """A thread pool in the web process: analyses run off the request path, one per worker thread."""

    def __init__(self, state: AppState, workers: int) -> None:
        self._state = state
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="backmech-analysis")
        self._closed = threading.Event()

    def submit(self, clinic_id: UUID, analysis_id: UUID) -> None:
        from backmech.services.analysis_jobs import run_analysis

        self._pool.submit(
            run_analysis,
            self._state.uow_factory,
            self._state.config.settings.media_dir,
            clinic_id,
            analysis_id,
        )

    def close(self) -> None:
        self._closed.set()
        self._pool.shutdown(wait=False, cancel_futures=True)


def in_process_queue(state: AppState) -> AnalysisQueue:
    return InProcessQueue(state, state.config.in_process_workers)
