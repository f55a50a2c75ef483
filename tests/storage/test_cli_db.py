"""``backmech db`` as a user runs it, on SQLite (default data folder) and on a real PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from backmech.storage.engine import create_engine


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, **(env or {}))
    environment.pop("BACKMECH_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "backmech", *map(str, args)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_upgrade_creates_the_embedded_database_in_the_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = run("db", "upgrade", "--data-dir", data)
    assert done.returncode == 0, done.stderr
    assert "schema revision 0006_reminders" in done.stdout
    assert (data / "backmech.db").exists() and (data / "media").is_dir()
    assert oct((data / "media").stat().st_mode & 0o777) == "0o700"
    assert run("db", "current", "--data-dir", data).stdout.strip().endswith("0006_reminders")


def test_default_data_folder_is_per_user(tmp_path: Path) -> None:
    done = run("db", "upgrade", env={"HOME": str(tmp_path), "XDG_DATA_HOME": ""})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / ".local" / "share" / "backmech" / "backmech.db").exists()


def test_upgrade_and_downgrade_by_url(database_url: str) -> None:
    assert run("db", "upgrade", "--database-url", database_url).returncode == 0
    engine = create_engine(database_url)
    try:
        assert "patients" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    down = run("db", "downgrade", "--database-url", database_url)
    assert down.returncode == 0, down.stderr
    assert "none (empty database)" in down.stdout


def test_unusable_database_url_exits_2_naming_the_option(tmp_path: Path) -> None:
    done = run("db", "upgrade", "--database-url", "mysql://user:secret@host/db")
    assert done.returncode == 2
    assert "--database-url" in done.stderr and "postgresql://" in done.stderr
    assert "secret" not in done.stderr
