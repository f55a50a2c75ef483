"""Alembic environment and revisions for the backmech schema (run through ``backmech.storage.migrate``)."""
