"""Storage adapter (L3): SQLAlchemy 2 tables, Alembic migrations and the SQL unit of work.

SQLite (a file, WAL, foreign keys on) is the embedded default; PostgreSQL (psycopg 3)
serves a clinic network. The same code and the same tests run on both. Nothing here
opens a database at import time: callers build an engine with
:func:`backmech.storage.engine.create_engine` and pass it on.
"""
