"""Background video analysis: the tools a job needs, and the PostgreSQL task queue (procrastinate).

* :mod:`backmech.jobs.tools` builds the adapters once per process (pose model, decoder,
  overlay renderer, assessment engine) for :func:`backmech.services.analysis_jobs.run_analysis`.
* :mod:`backmech.jobs.queue` is the procrastinate app, its schema check and the web
  process's queue (defer only); :mod:`backmech.jobs.worker` runs ``backmech worker``.

The embedded install (SQLite) runs analyses in a thread pool inside the web process
instead (``backmech.web.jobs``). See docs/workers.md.
"""
