"""Rows to records: the plain values of ``services.ports`` that callers get, never ORM rows."""

from __future__ import annotations

from backmech.services.codec import analysis_result_from_json, plan_change_from_json, result_from_json
from backmech.services.ports import (
    Assessment,
    AuditEvent,
    Clinic,
    Invitation,
    MovementAnalysis,
    Patient,
    PlanEdit,
    SessionLog,
    User,
)
from backmech.storage.tables import (
    AssessmentRow,
    AuditEventRow,
    ClinicRow,
    InvitationRow,
    MovementAnalysisRow,
    PatientRow,
    PlanEditRow,
    SessionLogRow,
    UserRow,
)


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively: stored trimmed and lower-cased."""
    return email.strip().lower()


def clinic_record(row: ClinicRow) -> Clinic:
    return Clinic(id=row.id, name=row.name, created_at=row.created_at)


def user_record(row: UserRow) -> User:
    return User(
        id=row.id,
        email=row.email,
        password_hash=row.password_hash,
        role=row.role,
        clinic_id=row.clinic_id,
        created_at=row.created_at,
    )


def invitation_record(row: InvitationRow) -> Invitation:
    return Invitation(
        id=row.id,
        clinic_id=row.clinic_id,
        email=row.email,
        role=row.role,
        token_hash=row.token_hash,
        invited_by=row.invited_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        accepted_at=row.accepted_at,
        purpose=row.purpose,
    )


def patient_record(row: PatientRow) -> Patient:
    return Patient(
        id=row.id,
        clinic_id=row.clinic_id,
        user_id=row.user_id,
        display_name=row.display_name,
        created_at=row.created_at,
    )


def assessment_record(row: AssessmentRow) -> Assessment:
    return Assessment(
        id=row.id,
        patient_id=row.patient_id,
        created_at=row.created_at,
        intake=row.intake,
        result=result_from_json(row.result),
        triage_level=row.triage_level,
        plan_status=row.plan_status,
        engine_version=row.engine_version,
    )


def analysis_record(row: MovementAnalysisRow) -> MovementAnalysis:
    return MovementAnalysis(
        id=row.id,
        patient_id=row.patient_id,
        assessment_id=row.assessment_id,
        test=row.test,
        media_path=row.media_path,
        status=row.status,
        result=analysis_result_from_json(row.result),
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def session_log_record(row: SessionLogRow) -> SessionLog:
    return SessionLog(
        id=row.id,
        patient_id=row.patient_id,
        session_date=row.session_date,
        pain_before=row.pain_before,
        pain_after=row.pain_after,
        next_morning_pain=row.next_morning_pain,
        pain_during=row.pain_during,
        kind=row.kind,
        effort=row.effort,
        notes=row.notes,
        idempotency_key=row.idempotency_key,
        created_at=row.created_at,
    )


def plan_edit_record(row: PlanEditRow) -> PlanEdit:
    return PlanEdit(
        id=row.id,
        patient_id=row.patient_id,
        editor_id=row.editor_id,
        at=row.at,
        reason=row.reason,
        change=plan_change_from_json(row.change),
    )


def audit_event_record(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        actor_id=row.actor_id,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        patient_id=row.patient_id,
        clinic_id=row.clinic_id,
        at=row.at,
        detail=row.detail,
    )
