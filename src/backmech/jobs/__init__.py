"""Background jobs: video analysis queued by the web app, run by workers (procrastinate on PostgreSQL)."""
