"""The web app: server-rendered pages for patients and clinicians, and a JSON API under ``/api``.

``create_app`` (in :mod:`backmech.web.app`) builds it from :class:`~backmech.web.config.WebConfig`;
``backmech serve`` runs it with uvicorn. Pages are Jinja2 templates with a little
hand-written JavaScript (timers, camera, upload progress); every page works as a
plain HTML form first.
"""
