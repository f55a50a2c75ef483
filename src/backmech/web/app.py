"""The application factory: one FastAPI app per process, built from a :class:`WebConfig`.

``create_app`` migrates the database to the current schema (so a first
``backmech serve`` on an empty folder just works), wires storage, templates and
the analysis queue, and installs the security middleware, the app-wide CSRF
check and the error pages. ``app_from_environment`` is the zero-argument factory
that uvicorn's worker processes import (``--workers N``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from backmech import __version__
from backmech.bootstrap import open_storage
from backmech.settings import Settings
from backmech.web.config import WebConfig
from backmech.web.errors import install_error_handlers
from backmech.web.middleware import LimitUploadSize, SecurityHeaders
from backmech.web.routes import api, auth, clinician, intake, movement, patient
from backmech.web.security import csrf_guard
from backmech.web.state import AnalysisQueue, AppState
from backmech.web.templating import build_templates

STATIC_DIR = Path(__file__).parent / "static"
ROUTE_THREADS = 4
WORKERS_ENV = "BACKMECH_IN_PROCESS_WORKERS"


def create_app(config: WebConfig, *, queue: AnalysisQueue | None = None, migrate: bool = True) -> FastAPI:
    """A ready app over ``config``'s database (migrated to head unless ``migrate=False``)."""
    config.settings.ensure_folders()
    opened = open_storage(config.settings.database_url, migrate=migrate)
    state = AppState(
        config=config, engine=opened.engine, uow_factory=opened.uow_factory, templates=build_templates()
    )
    if queue is not None:
        state.queue = queue
    else:  # PostgreSQL: defer to procrastinate (schema applied if missing); SQLite: analysis threads
        from backmech.web.jobs import choose_queue

        state.queue = choose_queue(state) or state.queue

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        _ = state.assessment  # load the knowledge base before the first request, not during it
        # Sync routes run in anyio's thread pool (40 threads by default). More threads than the
        # database can serve only queue on the GIL and on SQLite's single writer: measured under
        # load (benchmarks/web.py), fewer threads gave the same throughput with shorter tails.
        anyio.to_thread.current_default_thread_limiter().total_tokens = ROUTE_THREADS
        yield
        state.queue.close()
        opened.close()

    app = FastAPI(
        title="backmech",
        version=__version__,
        description="Mechanism-based assessment and recovery for low back pain. "
        "Supports decisions; does not replace a clinician.",
        docs_url=None,  # our own /api/docs (routes/api_docs.py): Swagger UI needs a CDN and inline script
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=[Depends(csrf_guard)],
        lifespan=lifespan,
    )
    app.state.backmech = state
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    # Routes are matched in order, one by one: the daily patient pages (most requests) go first.
    # No two routers' paths overlap, so the order changes nothing else.
    for module in (patient, auth, intake, movement, clinician):
        app.include_router(module.router)
    app.include_router(api.router, prefix="/api")
    install_error_handlers(app)
    app.add_middleware(LimitUploadSize, max_bytes=config.max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    return app


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory``: settings from ``BACKMECH_DATA_DIR`` / ``BACKMECH_DATABASE_URL``."""
    settings = Settings.resolve(os.environ)
    workers = int(os.environ.get(WORKERS_ENV, "1"))
    return create_app(WebConfig(settings=settings, in_process_workers=workers), migrate=False)
