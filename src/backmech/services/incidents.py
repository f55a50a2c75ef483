"""Unexpected internal errors: a short reference for the person, the whole traceback for the operator.

A fault in backmech (not in what the person gave it) must never show a traceback to the
person, and must never vanish either. Every entry point that catches one — the CLI's last
guard, the web app's error handler, an analysis job — takes a reference from
:func:`new_reference`, logs the traceback with it through :func:`log_incident`, and tells
the person the reference in one short sentence. Quoting the reference finds the traceback
in the log.
"""

from __future__ import annotations

import logging
import secrets

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O or 1/I/L: a reference is read out over the phone."""


def new_reference() -> str:
    """``K7PX-2QMD``: eight characters, 40 bits, unique enough to find one incident in a log."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def log_incident(logger: logging.Logger, reference: str, what: str) -> None:
    """Log the exception being handled, with its traceback, under ``reference``."""
    logger.error("%s [reference %s]", what, reference, exc_info=True)
