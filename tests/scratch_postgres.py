"""A throw-away PostgreSQL server from the machine's server binaries, for tests and benchmarks.

Never used by the running app. It lets the test suite and ``benchmarks/web.py``
exercise real PostgreSQL without an installed service: ``initdb`` a cluster in a
temp folder (trust auth, superuser ``postgres``, no fsync), ``pg_ctl start`` it on
a free loopback port with its socket in the same folder, and remove it all after.

PostgreSQL refuses to run as root, so as root the server commands run as the
unprivileged ``postgres`` user (Debian's package creates it) or ``nobody``,
through ``subprocess``'s ``user=``/``group=`` (no ``su`` or ``sudo`` needed).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

SERVER_USERS = ("postgres", "nobody")
FAST_UNSAFE = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")
"""Settings for throw-away data only: a crash may lose or corrupt it."""


class ScratchServerError(RuntimeError):
    """The server binaries are missing or the server did not start (the message says which and why)."""


@dataclass(frozen=True)
class RunAs:
    uid: int
    gid: int
    name: str


def server_binaries() -> tuple[Path, Path]:
    """initdb and pg_ctl from PATH, else the newest ``/usr/lib/postgresql/*/bin``."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(initdb), Path(pg_ctl)
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    newest_first = sorted(
        versions, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True
    )
    for candidate in newest_first:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate / "initdb", candidate / "pg_ctl"
    raise ScratchServerError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin. "
        "Install the server (Debian: apt-get install -y postgresql)."
    )


def run_as() -> RunAs | None:
    """The unprivileged account for the server when we are root, else None (run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in SERVER_USERS:
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return RunAs(entry.pw_uid, entry.pw_gid, name)
    raise ScratchServerError(f"running as root and none of the users {SERVER_USERS} exists")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _run(command: list[str], who: RunAs | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C"}
    if who is None:
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        user=who.uid,
        group=who.gid,
        extra_groups=[],
    )


@contextlib.contextmanager
def scratch_server(settings: Sequence[str] = FAST_UNSAFE, max_connections: int = 100) -> Iterator[URL]:
    """Start a server; yield a superuser URL to its ``postgres`` database; stop and delete it after."""
    initdb, pg_ctl = server_binaries()
    who = run_as()
    root = Path(tempfile.mkdtemp(prefix="backmech-pg-"))
    if who is not None:
        os.chown(root, who.uid, who.gid)
    data, log, port = root / "data", root / "server.log", free_port()
    started = False
    try:
        made = _run(
            [
                str(initdb),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            who,
            root,
        )
        if made.returncode != 0:
            raise ScratchServerError(f"initdb failed ({made.returncode}):\n{made.stdout}\n{made.stderr}")
        options = " ".join(
            [
                f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections={max_connections}",
                *settings,
            ]
        )
        start = _run(
            [str(pg_ctl), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"],
            who,
            root,
        )
        if start.returncode != 0:
            server_log = log.read_text(errors="replace") if log.exists() else "(no log)"
            raise ScratchServerError(f"pg_ctl start failed:\n{start.stdout}\n{start.stderr}\n{server_log}")
        started = True
        yield URL.create(
            "postgresql+psycopg", username="postgres", host="127.0.0.1", port=port, database="postgres"
        )
    finally:
        if started:
            _run([str(pg_ctl), "-D", str(data), "-m", "fast", "-w", "stop"], who, root)
        shutil.rmtree(root, ignore_errors=True)


def conninfo(url: URL) -> str:
    """A libpq connection string for ``url`` (psycopg's own driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.contextmanager
def fresh_database(server: URL) -> Iterator[URL]:
    """A new empty database on ``server``, dropped (even if in use) afterwards."""
    import psycopg

    name = f"backmech_scratch_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(conninfo(server), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name)
    finally:
        with psycopg.connect(conninfo(server), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
