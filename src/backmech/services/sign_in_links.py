"""A link for a patient to set a new password: after an import, or when they forgot it.

An import never carries a password (exports leave the hash out), so a restored login
cannot sign in until the person sets one. backmech sends no email: like an
invitation, the clinic copies the link to the person. The link is an invitation
with purpose ``reset``: one use, 7 days, only its SHA-256 stored; using it sets the
password and ends the login's other sessions (``accounts.accept_invitation``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from uuid import UUID

from backmech.domain.errors import BackmechError
from backmech.services.accounts import INVITATION_TTL, require_staff, token_hash
from backmech.services.ports import Invitation, Role, UnitOfWorkFactory, User
from backmech.services.records import PatientNotFoundError


class NoLoginError(BackmechError):
    def __init__(self) -> None:
        super().__init__(
            "This patient has no login of their own at this clinic, so there is no password to set.",
            hint="Only a person who joined by invitation has a login; this record is kept by the clinic.",
        )


def password_link(
    uow_factory: UnitOfWorkFactory,
    actor: User,
    patient_id: UUID,
    clinic_id: UUID,
    now: dt.datetime,
    ttl: dt.timedelta = INVITATION_TTL,
) -> tuple[str, str]:
    """A link for a patient to set a new password; returns the token and the email to send it to.

    For a login restored by an import (which never carries a password) or a forgotten
    password. Staff of the patient's clinic only; the patient's other sessions end when
    the new password is set. Only the token's SHA-256 is stored, as for invitations.
    """
    token = secrets.token_urlsafe(32)
    with uow_factory(actor=actor.id) as uow:
        who = require_staff(uow, actor, clinic_id, "making a sign-in link for a patient of that clinic")
        patient = uow.patients.get(clinic_id, patient_id)
        if patient is None:
            raise PatientNotFoundError(patient_id)
        account = uow.users.get(patient.user_id) if patient.user_id else None
        if account is None or account.role != Role.PATIENT or account.clinic_id != clinic_id:
            raise NoLoginError
        uow.invitations.add(
            Invitation(
                clinic_id=clinic_id,
                email=account.email,
                role=Role.PATIENT,
                token_hash=token_hash(token),
                invited_by=who.id,
                created_at=now,
                expires_at=now + ttl,
                purpose="reset",
            )
        )
        uow.commit()
    return token, account.email
