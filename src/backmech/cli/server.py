"""``backmech serve`` and ``backmech worker``: the web app and the video-analysis workers."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Data folder (default: per-user, or $BACKMECH_DATA_DIR).", file_okay=False
    ),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url", help="Database URL (default: SQLite in the data folder, or $BACKMECH_DATABASE_URL)."
    ),
]


def _settings(data_dir: Path | None, database_url: str | None):  # type: ignore[no-untyped-def]
    from backmech.settings import Settings

    settings = Settings.resolve(os.environ, data_dir=data_dir, database_url=database_url)
    settings.ensure_folders()
    return settings


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (0.0.0.0 for the network).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)] = 8000,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Web processes (more than 1 needs PostgreSQL).", min=1, max=64)
    ] = 1,
    analysis_workers: Annotated[
        int | None,
        typer.Option(
            "--analysis-workers",
            help="Video-analysis threads inside each web process (default: 1 on SQLite, 0 on PostgreSQL, "
            "where `backmech worker` processes do the work).",
            min=0,
            max=32,
        ),
    ] = None,
) -> None:
    """Start the web app. On first run it creates the database; open the page to create the admin account."""
    import uvicorn

    from backmech.storage.migrate import upgrade

    settings = _settings(data_dir, database_url)
    on_sqlite = settings.database_url.startswith("sqlite")
    if workers > 1 and on_sqlite:
        sys.stderr.write(
            "error: several web processes need PostgreSQL (SQLite allows one writer).\n"
            "  Use --workers 1, or set --database-url postgresql://...\n"
        )
        raise typer.Exit(2)
    try:
        upgrade(settings.database_url)
    except Exception as exc:  # any connection or migration failure is reported the same way
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        sys.stderr.write(f"error: cannot open the database {settings.safe_url()}: {first_line}\n")
        sys.stderr.write("  Check --database-url / $BACKMECH_DATABASE_URL and that the server is running.\n")
        raise typer.Exit(2) from exc
    threads = analysis_workers if analysis_workers is not None else (1 if on_sqlite else 0)
    os.environ["BACKMECH_DATA_DIR"] = str(settings.data_dir)
    os.environ["BACKMECH_DATABASE_URL"] = settings.database_url
    os.environ["BACKMECH_IN_PROCESS_WORKERS"] = str(threads)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    sys.stdout.write(
        f"backmech is running: open http://{shown}:{port}/ in your browser (Ctrl+C stops it).\n"
        f"  data: {settings.data_dir}  database: {settings.safe_url()}\n"
        "  First visit: create the administrator account (there is no default password).\n"
    )
    sys.stdout.flush()
    uvicorn.run(
        "backmech.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=True,
        server_header=False,
    )


def worker(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    concurrency: Annotated[int, typer.Option("--concurrency", help="Analyses at once.", min=1, max=32)] = 1,
) -> None:
    """Run video analyses queued by the web app (PostgreSQL installations; start as many as you like)."""
    from backmech.jobs.worker import run_worker

    settings = _settings(data_dir, database_url)
    if settings.database_url.startswith("sqlite"):
        sys.stderr.write(
            "error: separate workers need PostgreSQL; on SQLite `backmech serve` analyses videos itself.\n"
            "  Set --database-url postgresql://... (the same as the web app's).\n"
        )
        raise typer.Exit(2)
    run_worker(settings, concurrency)
