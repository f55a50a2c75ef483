"""The JSON API's request and response shapes (pydantic), so ``/api/openapi.json`` describes them.

Why separate models rather than returning the storage records: the records are the
storage contract, these are the public one. Fields are only ever added here, never
renamed, so API clients keep working across releases. Request models validate
ranges (pain and effort are whole numbers 0-10) before a route runs; the error
body then lists every problem (see ``backmech.web.errors``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from backmech.services.ports import Role

Scale = Annotated[int, Field(ge=0, le=10, strict=True)]
"""Pain and effort: whole numbers 0-10 (strict: ``"7"``, ``7.5`` and ``true`` are refused)."""


class _In(BaseModel):
    """Request bodies refuse unknown fields, so a typo is reported instead of silently ignored."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(BaseModel):
    """Every error: a code, what went wrong, what to do; ``problems`` lists each invalid field (422)."""

    error: str = Field(examples=["not_found"])
    message: str
    hint: str = ""
    problems: list[str] | None = None


class SignInIn(_In):
    email: str = Field(min_length=1, max_length=320, examples=["clinician@clinic.example"])
    password: str = Field(min_length=1, max_length=1024)


class SessionOut(BaseModel):
    token: str = Field(description="Send as `Authorization: Bearer <token>`; shown only once.")
    expires_at: dt.datetime = Field(
        description="The session ends then at the latest (idle expiry is shorter)."
    )
    csrf_token: str = Field(
        description="Needed (as `X-CSRF-Token`) only if the token is sent as the `bm_session` cookie; "
        "bearer calls need none."
    )


class ClinicOut(BaseModel):
    id: UUID
    name: str


class UserOut(BaseModel):
    id: UUID
    email: str
    role: Role


class MeOut(BaseModel):
    user: UserOut
    role: Role
    clinic: ClinicOut
    patient_id: UUID | None = Field(description="Set only for a patient: their own patient record.")
    display_name: str | None = None


class AssessmentSummary(BaseModel):
    id: UUID
    created_at: dt.datetime
    triage_level: str
    plan_status: str


class PatientOut(BaseModel):
    id: UUID
    display_name: str
    created_at: dt.datetime
    has_login: bool
    latest_assessment: AssessmentSummary | None = Field(
        description="The newest assessment's triage level and plan status; null before the first."
    )


class AssessmentOut(BaseModel):
    id: UUID
    patient_id: UUID
    created_at: dt.datetime
    triage_level: str
    plan_status: str
    engine_version: str
    result: dict[str, Any] = Field(description="The assessment result document (see docs/result.md).")


class PlanEditOut(BaseModel):
    id: UUID
    at: dt.datetime
    editor_id: UUID | None
    reason: str
    change: dict[str, Any]


class PlanOut(BaseModel):
    assessment_id: UUID = Field(description="The assessment whose plan this is.")
    assessed_at: dt.datetime
    plan: dict[str, Any] = Field(description="The generated plan with the clinician's edits applied.")
    edits: list[PlanEditOut] = Field(description="Edits since that assessment, oldest first.")
    skipped: list[str] = Field(
        description="Why an edit had no effect (e.g. the exercise was replaced since)."
    )


class PlanEditIn(_In):
    change: dict[str, Any] = Field(
        description="One change: kind remove/add/swap/dose/care (shapes in domain/plans/edits.py).",
        examples=[{"kind": "dose", "list": "exercises", "slug": "bird-dog", "dose_text": "2 x 6 each side"}],
    )
    reason: str = Field(min_length=1, max_length=2000, description="Why; kept in the record.")


class SessionLogIn(_In):
    session_date: dt.date
    pain_before: Scale
    pain_during: Scale | None = Field(
        default=None, description="The worst pain during the session (what the pain-monitoring rules read)."
    )
    pain_after: Scale
    effort: Scale
    kind: Literal["routine", "full"] | None = Field(
        default=None, description="The short daily routine or the full (~20-minute) session."
    )
    notes: str = Field(default="", max_length=2000)
    idempotency_key: str = Field(
        min_length=8,
        max_length=63,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Chosen by the client (e.g. a UUID); sending the same session again returns the stored "
        "log (200) instead of a duplicate.",
    )

    @field_validator("session_date")
    @classmethod
    def _not_in_the_future(cls, value: dt.date) -> dt.date:
        # One day of slack: the client's "today" may be ahead of the server's (time zones).
        if value > dt.date.today() + dt.timedelta(days=1):
            raise ValueError("a session cannot be logged for a day that has not come yet")
        return value


class NextMorningIn(_In):
    pain: Scale


class SessionLogOut(BaseModel):
    id: UUID
    patient_id: UUID
    session_date: dt.date
    pain_before: int
    pain_during: int | None
    pain_after: int
    effort: int
    kind: str | None
    next_morning_pain: int | None
    notes: str
    idempotency_key: str = Field(description="The key the client sent (or the web form's own key).")
    created_at: dt.datetime
