"""Who may open a movement analysis: its patient, and clinicians and admins of the patient's clinic.

Everyone else gets the 404 of a record that does not exist (``AuthorisationError``),
so analysis ids of other clinics cannot be probed. The read is audited.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from fastapi import Request
from sqlalchemy.exc import OperationalError

from backmech.services.accounts import AuthorisationError
from backmech.services.ports import MovementAnalysis
from backmech.services.records import authorise_patient_access
from backmech.web.security import Viewer, app_state, require_viewer

ACTION = "opening a movement analysis"
T = TypeVar("T")


def load_analysis(request: Request, analysis_id: UUID) -> tuple[Viewer, MovementAnalysis]:
    """The analysis, if the viewer is its patient or staff of its clinic."""
    viewer = require_viewer(request)
    clinic_id = viewer.user.clinic_id

    def read() -> MovementAnalysis:
        with app_state(request).uow_factory(actor=viewer.user.id) as uow:
            analysis = uow.movement_analyses.get(clinic_id, analysis_id)
            if analysis is None:
                raise AuthorisationError(ACTION, reason="No such analysis in your clinic.")
            authorise_patient_access(uow, viewer.user, analysis.patient_id, clinic_id, ACTION)
            uow.commit()  # keep the audit events of the read
        return analysis

    return viewer, retry_when_locked(read)


def retry_when_locked(work: Callable[[], T], attempts: int = 4) -> T:
    """Run a short transaction again when SQLite refused it with "database is locked".

    SQLite starts transactions deferred; a read followed by a write (every audited read)
    is refused at once if an analysis job committed in between. The pages polling a
    running job meet that more than most, so they simply try again.
    """
    for attempt in range(attempts):
        try:
            return work()
        except OperationalError as error:
            if "database is locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")
