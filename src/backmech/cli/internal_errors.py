"""The command's last guard: an unexpected error becomes a short message with a reference, never a traceback.

Bad input is already an error of its own with a message and exit code 2. What reaches this
guard is a fault in backmech: the person gets one sentence with a reference (exit code 1),
and the traceback goes to ``errors.log`` in the data folder (``$BACKMECH_DATA_DIR``, else
the per-user folder; the temporary folder when neither can be written), under the same
reference, for whoever looks into it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
from pathlib import Path

from backmech.services.incidents import log_incident, new_reference
from backmech.settings import Settings

EXIT_INTERNAL = 1
LOG_NAME = "errors.log"


def report_internal_error() -> int:
    """Log the exception being handled under a new reference, tell the person, return the exit code."""
    reference = new_reference()
    where = log_to_file(reference, f"backmech {' '.join(sys.argv[1:])} crashed")
    sys.stdout.flush()
    sys.stderr.write(
        f"error: backmech stopped on an internal error (reference {reference}). "
        "This is a fault in backmech, not in what you gave it.\n"
    )
    if where is not None:
        sys.stderr.write(f"  The details are in {where}; please report the reference and that file.\n")
    else:
        sys.stderr.write("  The details could not be written to a log; please report the reference.\n")
    return EXIT_INTERNAL


def log_to_file(reference: str, what: str) -> Path | None:
    """Append the exception being handled, under ``reference``, to errors.log; returns where it went."""
    for folder in _log_folders():
        path = folder / LOG_NAME
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            handler = logging.FileHandler(path, encoding="utf-8")
        except OSError:
            continue
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger = logging.getLogger("backmech.cli.internal")
        logger.propagate = False
        logger.addHandler(handler)
        try:
            log_incident(logger, reference, what)
        finally:
            logger.removeHandler(handler)
            handler.close()
        return path
    return None


def _log_folders() -> list[Path]:
    folders = [Path(tempfile.gettempdir()) / "backmech"]
    with contextlib.suppress(OSError, RuntimeError, KeyError):  # no home folder: the temporary one
        folders.insert(0, Settings.resolve(os.environ).data_dir)
    return folders
