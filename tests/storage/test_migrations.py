"""Migrations go up, down and up again on both databases, and agree with the models."""

from __future__ import annotations

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
}


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_up_down_up_leaves_the_expected_tables(database_url: str) -> None:
    assert current(database_url) is None
    assert _tables(database_url) == set()

    upgrade(database_url)
    assert current(database_url) == head() == "0003_web"
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


def test_downgrade_one_step_at_a_time_removes_only_that_revision(database_url: str) -> None:
    upgrade(database_url)
    downgrade(database_url, "0002_invitations")
    assert current(database_url) == "0002_invitations"
    assert _tables(database_url) == EXPECTED_TABLES - WEB_TABLES
    downgrade(database_url, "0001_initial")
    assert current(database_url) == "0001_initial"
    assert _tables(database_url) == EXPECTED_TABLES - WEB_TABLES - {"invitations"}
    upgrade(database_url)
    assert current(database_url) == "0003_web"
    assert _tables(database_url) == EXPECTED_TABLES
