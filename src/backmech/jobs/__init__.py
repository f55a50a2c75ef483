"""Background video analysis on the PostgreSQL task queue (procrastinate).

The tools a job needs (pose model, decoder, overlay renderer, assessment engine) are built
once per process by the composition root (:func:`backmech.bootstrap.analysis_tools`) for
:func:`backmech.services.analysis_jobs.run_analysis`.

* :mod:`backmech.jobs.queue` is the procrastinate app, its schema check and the web
  process's queue (defer only); :mod:`backmech.jobs.worker` runs ``backmech worker``.

The embedded install (SQLite) runs analyses in a thread pool inside the web process
instead (``backmech.web.jobs``). See docs/workers.md.
"""
