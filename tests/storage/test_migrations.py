"""Migrations go up, down and up again on both databases, and agree with the models."""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from backmech.storage.engine import create_engine
from backmech.storage.migrate import current, downgrade, head, upgrade
from backmech.storage.tables import metadata

EXPECTED_TABLES = {
    "clinics",
    "users",
    "patients",
    "assessments",
    "movement_analyses",
    "session_logs",
    "plan_edits",
    "audit_events",
    "invitations",
    "web_sessions",
    "login_attempts",
    "intake_drafts",
    "check_ins",
    "reminder_settings",
    "calendar_feeds",
}


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {column["name"] for column in sa.inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_session_detail_keeps_older_logs_and_reads_their_kind_from_the_key(database_url: str) -> None:
    """Logs stored before 0004 survive it, with the kind their idempotency key names."""
    upgrade(database_url, "0003_web")
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            clinic, patient = uuid4(), uuid4()
            now = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
            tables = metadata.tables
            connection.execute(tables["clinics"].insert().values(id=clinic, name="C", created_at=now))
            connection.execute(
                tables["patients"]
                .insert()
                .values(id=patient, clinic_id=clinic, display_name="P", created_at=now)
            )
            for key in ("routine:p:token-aaaaaaaaaaaaaaaa", "full:p:token-bbbbbbbbbbbbbbbb", "api:p:x"):
                connection.execute(  # the columns revision 0003 has, as a log was stored then
                    tables["session_logs"]
                    .insert()
                    .values(
                        id=uuid4(),
                        patient_id=patient,
                        session_date=now.date(),
                        pain_before=3,
                        pain_after=2,
                        effort=5,
                        notes="",
                        idempotency_key=key,
                        created_at=now,
                    )
                )
    finally:
        engine.dispose()
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT idempotency_key, kind, pain_during FROM session_logs ORDER BY idempotency_key"
                )
            ).all()
            with pytest.raises(sa.exc.IntegrityError):
                connection.execute(sa.text("UPDATE session_logs SET pain_during = 11"))
    finally:
        engine.dispose()
    assert [(key.split(":")[0], kind, during) for key, kind, during in rows] == [
        ("api", None, None),
        ("full", "full", None),
        ("routine", "routine", None),
    ]


def test_up_down_up_leaves_the_expected_tables(database_url: str) -> None:
    assert current(database_url) is None
    assert _tables(database_url) == set()

    upgrade(database_url)
    assert current(database_url) == head() == "0006_reminders"
    assert _tables(database_url) == EXPECTED_TABLES

    downgrade(database_url)
    assert current(database_url) is None
    assert _tables(database_url) == set()

    upgrade(database_url)
    assert current(database_url) == head()
    assert _tables(database_url) == EXPECTED_TABLES


def test_upgrade_twice_is_a_no_op(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)
    assert current(database_url) == head()


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    """Autogenerate finds nothing to do: the revision and tables.py describe the same schema."""
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_lookup_indexes_exist(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        inspector = sa.inspect(engine)
        indexed = {
            (table, tuple(str(c) for c in index["column_names"]))
            for table in EXPECTED_TABLES
            for index in inspector.get_indexes(table)
        }
    finally:
        engine.dispose()
    for expected in [
        ("patients", ("clinic_id",)),
        ("users", ("clinic_id",)),
        ("assessments", ("patient_id", "created_at")),
        ("session_logs", ("patient_id", "session_date")),
        ("movement_analyses", ("patient_id", "created_at")),
        ("plan_edits", ("patient_id", "at")),
        ("audit_events", ("patient_id", "at")),
        ("audit_events", ("clinic_id", "at")),
        ("invitations", ("clinic_id",)),
    ]:
        assert expected in indexed


WEB_TABLES = {"web_sessions", "login_attempts", "intake_drafts"}
REMINDER_TABLES = {"reminder_settings", "calendar_feeds"}


def test_downgrade_one_step_at_a_time_removes_only_that_revision(database_url: str) -> None:
    upgrade(database_url)
    downgrade(database_url, "0005_check_ins")
    assert _tables(database_url) == EXPECTED_TABLES - REMINDER_TABLES
    downgrade(database_url, "0004_session_detail")
    assert _tables(database_url) == EXPECTED_TABLES - REMINDER_TABLES - {"check_ins"}
    downgrade(database_url, "0003_web")
    assert current(database_url) == "0003_web"
    assert _tables(database_url) == EXPECTED_TABLES - REMINDER_TABLES - {"check_ins"}
    assert {"pain_during", "kind"}.isdisjoint(_columns(database_url, "session_logs"))
    downgrade(database_url, "0002_invitations")
    assert current(database_url) == "0002_invitations"
    assert _tables(database_url) == EXPECTED_TABLES - WEB_TABLES - REMINDER_TABLES - {"check_ins"}
    downgrade(database_url, "0001_initial")
    assert current(database_url) == "0001_initial"
    assert _tables(database_url) == EXPECTED_TABLES - WEB_TABLES - REMINDER_TABLES - {
        "invitations",
        "check_ins",
    }
    upgrade(database_url)
    assert current(database_url) == "0006_reminders"
    assert _tables(database_url) == EXPECTED_TABLES
