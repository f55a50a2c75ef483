"""``backmech worker``: a procrastinate worker that runs movement analyses (PostgreSQL installations).

Start as many as the machines allow, on any host that sees the database and the
shared media folder. Each runs up to ``concurrency`` analyses at once, each in its
own thread (the pose model and the video codecs release the GIL). On start it
applies the queue schema if needed, requeues jobs of workers that died mid-job
(procrastinate's heartbeats tell), and queues analyses whose job was lost. SIGINT or
SIGTERM stops it after the running analyses finish.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from uuid import UUID

import procrastinate
from procrastinate import exceptions

from backmech.bootstrap import analysis_tools, open_storage
from backmech.jobs.queue import QUEUE_NAME, TASK_NAME, build_app, ensure_schema
from backmech.services.analysis_jobs import run_analysis
from backmech.services.ports import UnitOfWorkFactory
from backmech.settings import Settings

log = logging.getLogger("backmech.worker")


def worker_name() -> str:
    """Shown in logs and in procrastinate's workers table: which host and process did a job."""
    return f"{socket.gethostname()}-{os.getpid()}"


def run_worker(settings: Settings, concurrency: int) -> None:
    """Run until stopped by a signal."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    name = worker_name()
    ensure_schema(settings.database_url)
    opened = open_storage(settings.database_url)
    uow_factory = opened.uow_factory
    tools = analysis_tools()

    def runner(clinic_id: UUID, analysis_id: UUID) -> None:
        # procrastinate's lock (one job per analysis at a time) and its heartbeats mean a job
        # still marked running here was left by a worker that died: take it over at once.
        status = run_analysis(
            uow_factory, settings.media_dir, clinic_id, analysis_id, tools=tools, takeover_after_s=None
        )
        log.info("worker %s: analysis %s ended %s", name, analysis_id, status or "skipped (already finished)")

    app = build_app(settings.database_url, runner, pool_size=concurrency + 3)

    async def main() -> None:
        async with app.open_async():
            await recover(app, uow_factory)
            log.info("worker %s ready (%d at once)", name, concurrency)
            await app.run_worker_async(queues=[QUEUE_NAME], concurrency=concurrency, name=name)

    try:
        asyncio.run(main())
    finally:
        opened.close()


async def recover(app: procrastinate.App, uow_factory: UnitOfWorkFactory) -> None:
    """Requeue jobs of dead workers, and queue analyses that have no job (a lost defer)."""
    for job in await app.job_manager.get_stalled_jobs(queue=QUEUE_NAME, task_name=TASK_NAME):
        log.warning("requeueing job %s: its worker stopped sending heartbeats", job.id)
        await app.job_manager.retry_job(job)
    with uow_factory(actor=None) as uow:
        pending = list(uow.movement_analyses.unfinished())
    for clinic_id, analysis_id in pending:
        key = f"analysis:{analysis_id}"
        try:
            await app.configure_task(TASK_NAME, lock=key, queueing_lock=key).defer_async(
                clinic_id=str(clinic_id), analysis_id=str(analysis_id)
            )
        except exceptions.AlreadyEnqueued:
            continue
