"""Where the web process sends uploaded videos: a thread pool (SQLite) or procrastinate (PostgreSQL).

* Embedded default (SQLite, one web process): :class:`InProcessQueue` runs analyses
  on a few threads of the web process itself. Nothing else to start; on start it
  re-submits the analyses a previous run left queued or running (a restart or a
  crash mid-analysis), which is safe because ``run_analysis`` skips finished ones.
* Clinic network (PostgreSQL, several web processes): :func:`choose_queue` returns a
  :class:`backmech.jobs.queue.ProcrastinateQueue` that only defers; ``backmech worker``
  processes run the jobs (threads in the web process stay off unless asked for).

Which process may take over a job left ``running``: on SQLite the one web process
(nothing else runs jobs); on PostgreSQL a procrastinate worker (procrastinate's lock
and heartbeats already decided the previous holder is gone); web-process threads on
PostgreSQL only after the job has been quiet for ``TAKEOVER_AFTER_S``.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from backmech.services.analysis_jobs import TAKEOVER_AFTER_S, AnalysisTools, run_analysis
from backmech.services.ports import UnitOfWorkFactory

if TYPE_CHECKING:
    from collections.abc import Callable

    from backmech.web.state import AnalysisQueue, AppState

log = logging.getLogger("backmech.web.jobs")


class InProcessQueue:
    """A thread pool in the web process: analyses run off the request path, one per thread."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        media_dir: Path,
        workers: int,
        tools: Callable[[], AnalysisTools] | None = None,
        *,
        takeover_after_s: float | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._takeover_after_s = takeover_after_s
        self._media_dir = media_dir
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="backmech-analysis")
        self._tools_factory = tools
        self._tools: AnalysisTools | None = None
        self._lock = threading.Lock()
        self._pending: set[Future[object]] = set()
        self._progress: dict[UUID, float] = {}

    def _get_tools(self) -> AnalysisTools:
        with self._lock:
            if self._tools is None:
                if self._tools_factory is not None:
                    self._tools = self._tools_factory()
                else:
                    from backmech.bootstrap import analysis_tools

                    self._tools = analysis_tools()
            return self._tools

    def submit(self, clinic_id: UUID, analysis_id: UUID) -> None:
        future: Future[object] = self._pool.submit(self._run, clinic_id, analysis_id)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[object]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _run(self, clinic_id: UUID, analysis_id: UUID) -> object:
        try:
            return run_analysis(
                self._uow_factory,
                self._media_dir,
                clinic_id,
                analysis_id,
                tools=self._get_tools(),
                takeover_after_s=self._takeover_after_s,
                progress=self._note_progress,
            )
        finally:
            with self._lock:
                self._progress.pop(analysis_id, None)

    def _note_progress(self, analysis_id: UUID, fraction: float) -> None:
        with self._lock:
            self._progress[analysis_id] = fraction

    def progress(self, analysis_id: UUID) -> float | None:
        """How far a running analysis is (0-1), kept in memory: no database writes for it."""
        with self._lock:
            return self._progress.get(analysis_id)

    def resubmit_unfinished(self) -> int:
        """Queue again what a previous run of the server left queued or running; how many."""
        with self._uow_factory(actor=None) as uow:
            pending = list(uow.movement_analyses.unfinished())
        for clinic_id, analysis_id in pending:
            self.submit(clinic_id, analysis_id)
        if pending:
            log.info("re-submitted %d unfinished movement analyses", len(pending))
        return len(pending)

    def wait(self, timeout: float | None = None) -> None:
        """Block until the analyses submitted so far have ended (tests, orderly shutdown)."""
        with self._lock:
            waiting = list(self._pending)
        for future in waiting:
            future.exception(timeout=timeout)

    def close(self) -> None:
        """Stop taking work; an analysis already running finishes (or is re-run after a restart)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def live_progress(queue: object, analysis_id: UUID) -> float | None:
    """Progress a queue of this process holds in memory (``None``: ask the stored analysis)."""
    return queue.progress(analysis_id) if isinstance(queue, InProcessQueue) else None


def in_process_queue(state: AppState, *, takeover_after_s: float | None = None) -> AnalysisQueue:
    """Threads in this process; on SQLite it is the only one, so what it left running is taken over."""
    queue = InProcessQueue(
        state.uow_factory,
        state.config.settings.media_dir,
        state.config.in_process_workers,
        takeover_after_s=takeover_after_s,
    )
    queue.resubmit_unfinished()
    return queue


def choose_queue(state: AppState) -> AnalysisQueue | None:
    """The queue for this web process's database: procrastinate on PostgreSQL, threads on SQLite.

    PostgreSQL with analysis threads asked for (``serve --analysis-workers N``) runs them
    here instead of deferring; a job another live process is running is left to it.
    ``None`` leaves the default (SQLite with 0 threads: nothing in this process runs them).
    """
    on_postgres = state.engine.dialect.name == "postgresql"
    if state.config.in_process_workers > 0:
        return in_process_queue(state, takeover_after_s=TAKEOVER_AFTER_S if on_postgres else None)
    if on_postgres:
        from backmech.jobs.queue import ProcrastinateQueue

        def pending() -> list[tuple[UUID, UUID]]:
            with state.uow_factory(actor=None) as uow:
                return list(uow.movement_analyses.unfinished())

        return ProcrastinateQueue(state.config.settings.database_url, pending)
    return None
