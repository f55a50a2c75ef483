"""Where backmech keeps its data: read from arguments and the environment when asked, never at import.

Defaults give the embedded set-up: a per-user data folder holding a SQLite database
and a media folder. A clinic network sets ``BACKMECH_DATABASE_URL`` (PostgreSQL) and
``BACKMECH_DATA_DIR`` (shared media) instead.

Precedence: an explicit argument, then the environment, then the default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_ENV = "BACKMECH_DATA_DIR"
DATABASE_URL_ENV = "BACKMECH_DATABASE_URL"


def default_data_dir(environ: Mapping[str, str]) -> Path:
    """``$XDG_DATA_HOME/backmech``, else ``~/.local/share/backmech`` (per user)."""
    base = environ.get("XDG_DATA_HOME") or str(
        Path(environ.get("HOME", str(Path.home()))) / ".local" / "share"
    )
    return Path(base) / "backmech"


@dataclass(frozen=True)
class Settings:
    """Resolved locations for one run."""

    data_dir: Path
    database_url: str
    media_dir: Path

    @classmethod
    def resolve(
        cls,
        environ: Mapping[str, str],
        *,
        data_dir: Path | None = None,
        database_url: str | None = None,
    ) -> Settings:
        folder = data_dir or (Path(environ[DATA_DIR_ENV]) if environ.get(DATA_DIR_ENV) else None)
        folder = (folder or default_data_dir(environ)).expanduser()
        url = (
            database_url or environ.get(DATABASE_URL_ENV) or f"sqlite:///{(folder / 'backmech.db').resolve()}"
        )
        return cls(data_dir=folder, database_url=url, media_dir=folder / "media")

    def ensure_folders(self) -> None:
        """Create the data and media folders (owner-only: they hold health data)."""
        for folder in (self.data_dir, self.media_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)

    def safe_url(self) -> str:
        """The database URL with any password hidden, for messages."""
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).render_as_string(hide_password=True)
