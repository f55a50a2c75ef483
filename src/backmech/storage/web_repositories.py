"""SQL repositories for the web app's own state: sessions, failed sign-ins and intake drafts.

Kept apart from ``repositories.py`` (the clinical records). Sessions and sign-in
attempts hold no clinical data and are not audited; an intake draft is a patient's
answers, so saving and reading one is.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import sqlalchemy as sa

from backmech.services.ports import AuditAction, IntakeDraft, Patient, SignedInUser, WebSession
from backmech.storage.prebuilt import SESSION_WITH_USER
from backmech.storage.repositories import _flush, _json, _Repository
from backmech.storage.tables import IntakeDraftRow, LoginAttemptRow, WebSessionRow


class SqlWebSessionRepository(_Repository):
    def add(self, web_session: WebSession) -> WebSession:
        self._session.add(
            WebSessionRow(
                id=web_session.id,
                user_id=web_session.user_id,
                csrf_token=web_session.csrf_token,
                created_at=web_session.created_at,
                last_seen_at=web_session.last_seen_at,
                expires_at=web_session.expires_at,
            )
        )
        _flush(self._session)
        return web_session

    def get_with_user(self, session_id: str) -> tuple[WebSession, SignedInUser] | None:
        """The session, its user and their patient record in one query (every signed-in request's first).

        Columns, not ORM entities, in a prebuilt statement (:mod:`backmech.storage.prebuilt`):
        this runs on every request, and loading two mapped objects cost more than the query.
        """
        found = self._session.execute(SESSION_WITH_USER, {"session_id": session_id}).first()
        if found is None:
            return None
        return (
            WebSession(
                id=session_id,
                user_id=found.id,
                csrf_token=found.csrf_token,
                created_at=found.created_at,
                last_seen_at=found.last_seen_at,
                expires_at=found.expires_at,
            ),
            SignedInUser(
                id=found.id,
                email=found.email,
                password_hash=found.password_hash,
                role=found.role,
                clinic_id=found.clinic_id,
                created_at=found.user_created_at,
                patient=None
                if found.patient_id is None
                else Patient(
                    id=found.patient_id,
                    clinic_id=found.patient_clinic_id,
                    user_id=found.id,
                    display_name=found.display_name,
                    created_at=found.patient_created_at,
                ),
            ),
        )

    def touch(self, session_id: str, at: dt.datetime) -> None:
        self._session.execute(
            sa.update(WebSessionRow).where(WebSessionRow.id == session_id).values(last_seen_at=at)
        )

    def delete(self, session_id: str) -> None:
        self._session.execute(sa.delete(WebSessionRow).where(WebSessionRow.id == session_id))

    def delete_for_user(self, user_id: UUID) -> int:
        done = self._session.execute(sa.delete(WebSessionRow).where(WebSessionRow.user_id == user_id))
        return int(getattr(done, "rowcount", 0) or 0)

    def delete_expired(self, now: dt.datetime) -> int:
        done = self._session.execute(sa.delete(WebSessionRow).where(WebSessionRow.expires_at <= now))
        return int(getattr(done, "rowcount", 0) or 0)


class SqlLoginAttemptRepository(_Repository):
    def add_failure(self, key: str, at: dt.datetime) -> None:
        self._session.add(LoginAttemptRow(key=key, at=at))
        _flush(self._session)

    def failures_since(self, key: str, since: dt.datetime) -> int:
        found = self._session.scalar(
            sa.select(sa.func.count()).where(LoginAttemptRow.key == key, LoginAttemptRow.at >= since)
        )
        return int(found or 0)

    def clear(self, key: str) -> None:
        self._session.execute(sa.delete(LoginAttemptRow).where(LoginAttemptRow.key == key))

    def prune(self, before: dt.datetime) -> int:
        done = self._session.execute(sa.delete(LoginAttemptRow).where(LoginAttemptRow.at < before))
        return int(getattr(done, "rowcount", 0) or 0)


class SqlIntakeDraftRepository(_Repository):
    def save(self, clinic_id: UUID, draft: IntakeDraft) -> IntakeDraft:
        self._require_patient(clinic_id, draft.patient_id)
        row = self._session.get(IntakeDraftRow, draft.patient_id)
        if row is None:
            self._session.add(
                IntakeDraftRow(
                    patient_id=draft.patient_id, data=_json(draft.data), updated_at=draft.updated_at
                )
            )
        else:
            row.data = _json(draft.data) or {}
            row.updated_at = draft.updated_at
        _flush(self._session)
        self._audit(
            AuditAction.UPDATE,
            "intake_draft",
            clinic_id=clinic_id,
            patient_id=draft.patient_id,
            entity_id=None,
        )
        return draft

    def get(self, clinic_id: UUID, patient_id: UUID) -> IntakeDraft | None:
        self._require_patient(clinic_id, patient_id)
        row = self._session.get(IntakeDraftRow, patient_id)
        if row is None:
            return None
        self._audit(
            AuditAction.READ, "intake_draft", clinic_id=clinic_id, patient_id=patient_id, entity_id=None
        )
        return IntakeDraft(patient_id=row.patient_id, data=row.data, updated_at=row.updated_at)

    def delete(self, clinic_id: UUID, patient_id: UUID) -> None:
        self._require_patient(clinic_id, patient_id)
        self._session.execute(sa.delete(IntakeDraftRow).where(IntakeDraftRow.patient_id == patient_id))
        self._audit(
            AuditAction.DELETE, "intake_draft", clinic_id=clinic_id, patient_id=patient_id, entity_id=None
        )
