"""The PostgreSQL task queue (procrastinate): one task, its schema, and the web process's side.

* ``analyse_movement(clinic_id, analysis_id)`` is the only task. Its ``lock`` (the
  analysis id) keeps two workers from running the same analysis at once; its
  ``queueing_lock`` (the same id) keeps one waiting job per analysis, so deferring
  twice is harmless. Retries (with a pause) cover a database that was briefly away;
  a bad video is not an error for the queue: ``run_analysis`` marks it failed.
* The schema is procrastinate's own (``procrastinate_jobs`` and friends), applied
  once per database under an advisory lock (several web processes and workers may
  start at the same moment).
* :class:`ProcrastinateQueue` is the web process's ``AnalysisQueue``: it only defers.

See docs/workers.md for why procrastinate.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any
from uuid import UUID

import procrastinate
import psycopg
from procrastinate import exceptions
from sqlalchemy.engine import make_url

log = logging.getLogger("backmech.jobs")

TASK_NAME = "backmech.analyse_movement"
QUEUE_NAME = "movement"
RETRY = procrastinate.RetryStrategy(max_attempts=5, wait=5, linear_wait=5)
"""Up to 5 tries, 5 s, 10 s, 15 s… apart: for a database restart or a full disk, not for bad videos."""
SCHEMA_LOCK_KEY = 0x6261636B6D6A6F62 >> 1
"""Advisory lock id for applying the queue schema (from b"backmjob"; fits a signed bigint)."""
SCHEMA_MARKER = "procrastinate_jobs"

Runner = Callable[[UUID, UUID], object]


def conninfo(database_url: str) -> str:
    """A libpq connection string from a SQLAlchemy URL (``postgresql+psycopg://`` → ``postgresql://``)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError("the task queue needs PostgreSQL")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def build_app(database_url: str, runner: Runner | None = None, *, pool_size: int = 2) -> procrastinate.App:
    """The procrastinate app with the analysis task; ``runner`` is what a worker calls (None: defer only)."""
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(database_url), min_size=1, max_size=pool_size
    )
    app = procrastinate.App(connector=connector)

    @app.task(name=TASK_NAME, queue=QUEUE_NAME, retry=RETRY)
    def analyse_movement(clinic_id: str, analysis_id: str) -> None:
        if runner is None:
            raise RuntimeError("this process only defers analyses; run `backmech worker` to do them")
        runner(UUID(clinic_id), UUID(analysis_id))

    return app


def schema_applied(connection: psycopg.Connection[Any]) -> bool:
    row = connection.execute("SELECT to_regclass(%s) IS NOT NULL", (SCHEMA_MARKER,)).fetchone()
    return bool(row and row[0])


def ensure_schema(database_url: str) -> bool:
    """Apply procrastinate's schema unless it is there; ``True`` if it was applied now.

    One transaction under an advisory lock: the second of two processes starting
    together waits, then finds the schema and does nothing.
    """
    from procrastinate.schema import SchemaManager

    with psycopg.connect(conninfo(database_url)) as connection:
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
        if schema_applied(connection):
            return False
        connection.execute(SchemaManager.get_schema().encode())
        connection.commit()
    log.info("applied the task queue schema (procrastinate %s)", procrastinate.__version__)
    return True


def defer(app: procrastinate.App, clinic_id: UUID, analysis_id: UUID) -> bool:
    """Queue one analysis; ``False`` when a job for it is already waiting."""
    key = f"analysis:{analysis_id}"
    try:
        app.configure_task(TASK_NAME, lock=key, queueing_lock=key).defer(
            clinic_id=str(clinic_id), analysis_id=str(analysis_id)
        )
    except exceptions.AlreadyEnqueued:
        return False
    return True


class ProcrastinateQueue:
    """The web process's queue on PostgreSQL: defers a job; ``backmech worker`` processes run it."""

    def __init__(
        self, database_url: str, pending: Callable[[], list[tuple[UUID, UUID]]] | None = None
    ) -> None:
        ensure_schema(database_url)
        self._app = build_app(database_url)
        self._lock = threading.Lock()
        self._open = False
        if pending is not None:
            self.resubmit(pending())

    def _opened(self) -> procrastinate.App:
        with self._lock:
            if not self._open:
                self._app.open()
                self._open = True
        return self._app

    def submit(self, clinic_id: UUID, analysis_id: UUID) -> None:
        defer(self._opened(), clinic_id, analysis_id)

    def resubmit(self, pending: list[tuple[UUID, UUID]]) -> None:
        """Defer analyses left queued (a defer lost to a database error); waiting ones are skipped."""
        for clinic_id, analysis_id in pending:
            try:
                self.submit(clinic_id, analysis_id)
            except exceptions.ConnectorException:
                log.warning("analysis %s: could not be queued again", analysis_id, exc_info=True)

    def close(self) -> None:
        with self._lock:
            if self._open:
                self._app.close()
                self._open = False
