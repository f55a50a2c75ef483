"""Reminder settings and private calendar feeds: one of each per patient, clinic-scoped and audited."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa

from backmech.services.ports import AuditAction, CalendarFeed, Patient, ReminderSettings
from backmech.storage.conversions import patient_record
from backmech.storage.repositories import _Repository, integrity_errors
from backmech.storage.tables import CalendarFeedRow, PatientRow, ReminderSettingsRow


def weekday_mask(weekdays: frozenset[int]) -> int:
    return sum(1 << day for day in weekdays if 0 <= day <= 6)


def mask_weekdays(mask: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if mask & (1 << day))


class SqlReminderRepository(_Repository):
    def get(self, clinic_id: UUID, patient_id: UUID) -> ReminderSettings | None:
        row = self._session.scalar(
            sa.select(ReminderSettingsRow)
            .join(PatientRow, PatientRow.id == ReminderSettingsRow.patient_id)
            .where(ReminderSettingsRow.patient_id == patient_id, PatientRow.clinic_id == clinic_id)
        )
        if row is None:
            return None
        self._audit(AuditAction.READ, "reminders", clinic_id=clinic_id, patient_id=patient_id, entity_id=None)
        return ReminderSettings(
            patient_id=row.patient_id,
            per_week=row.per_week,
            weekdays=mask_weekdays(row.weekday_mask),
            time_of_day=row.time_of_day,
            updated_at=row.updated_at,
        )

    def save(self, clinic_id: UUID, settings: ReminderSettings) -> ReminderSettings:
        self._require_patient(clinic_id, settings.patient_id)
        row = self._session.get(ReminderSettingsRow, settings.patient_id)
        with integrity_errors():
            if row is None:
                self._session.add(
                    ReminderSettingsRow(
                        patient_id=settings.patient_id,
                        per_week=settings.per_week,
                        weekday_mask=weekday_mask(settings.weekdays),
                        time_of_day=settings.time_of_day,
                        updated_at=settings.updated_at,
                    )
                )
                action = AuditAction.CREATE
            else:
                row.per_week = settings.per_week
                row.weekday_mask = weekday_mask(settings.weekdays)
                row.time_of_day = settings.time_of_day
                row.updated_at = settings.updated_at
                action = AuditAction.UPDATE
            self._session.flush()
        self._audit(action, "reminders", clinic_id=clinic_id, patient_id=settings.patient_id, entity_id=None)
        return settings


class SqlCalendarFeedRepository(_Repository):
    def get(self, clinic_id: UUID, patient_id: UUID) -> CalendarFeed | None:
        row = self._session.scalar(
            sa.select(CalendarFeedRow)
            .join(PatientRow, PatientRow.id == CalendarFeedRow.patient_id)
            .where(CalendarFeedRow.patient_id == patient_id, PatientRow.clinic_id == clinic_id)
        )
        if row is None:
            return None
        return CalendarFeed(patient_id=row.patient_id, token_hash=row.token_hash, created_at=row.created_at)

    def replace(self, clinic_id: UUID, feed: CalendarFeed) -> CalendarFeed:
        self._require_patient(clinic_id, feed.patient_id)
        with integrity_errors():
            self._session.execute(
                sa.delete(CalendarFeedRow).where(CalendarFeedRow.patient_id == feed.patient_id)
            )
            self._session.add(
                CalendarFeedRow(
                    patient_id=feed.patient_id, token_hash=feed.token_hash, created_at=feed.created_at
                )
            )
            self._session.flush()
        self._audit(
            AuditAction.CREATE,
            "calendar_feed",
            clinic_id=clinic_id,
            patient_id=feed.patient_id,
            entity_id=None,
        )
        return feed

    def delete(self, clinic_id: UUID, patient_id: UUID) -> None:
        self._require_patient(clinic_id, patient_id)
        self._session.execute(sa.delete(CalendarFeedRow).where(CalendarFeedRow.patient_id == patient_id))
        self._audit(
            AuditAction.DELETE, "calendar_feed", clinic_id=clinic_id, patient_id=patient_id, entity_id=None
        )

    def owner(self, token_hash: str) -> Patient | None:
        row = self._session.scalar(
            sa.select(PatientRow)
            .join(CalendarFeedRow, CalendarFeedRow.patient_id == PatientRow.id)
            .where(CalendarFeedRow.token_hash == token_hash)
        )
        return None if row is None else patient_record(row)
