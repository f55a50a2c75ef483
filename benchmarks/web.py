"""Web load benchmark: 200 simulated patients opening their plan and logging sessions.

Run: ``.venv/bin/python benchmarks/web.py`` (see README). For each database
(the embedded SQLite default, then PostgreSQL started from the machine's server
binaries) it:

1. creates a clinic with 200 patients, each with a stored assessment and plan,
   and a signed-in session per patient (made through the session service, so
   the load is plan pages and logging, not password hashing);
2. starts ``backmech serve`` in its own process (1 web process on SQLite, which
   allows one writer; ``--workers 2`` on PostgreSQL, one per core);
3. drives it from another process with ``wrk`` over loopback: a bounded,
   closed-loop load of ``--connections`` connections, cycling through the 200
   patients; 4 of 5 requests open ``/me/plan``, 1 in 5 logs a session
   (``POST /me/log``, a real form with the session's CSRF token and a fresh
   idempotency key);
4. reports requests/s, p50/p99 latency and errors (socket errors + HTTP status
   ≥ 400), the CPU time each request cost the web processes, the database server
   and wrk (from /proc: steadier than requests/s on a noisy VM, and it says where
   a 2-core machine's time goes), and checks that every acknowledged session log (303) was stored exactly
   once (``logs`` = stored/acknowledged; more stored than acknowledged means a
   request cut off when wrk stopped still finished, fewer would be a lost write).

Targets on 2 cores: p99 < 100 ms, 0 errors, ≥ 500 requests/s on PostgreSQL.
wrk comes from Debian's package (``apt-get install -y wrk``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the scratch PostgreSQL server of the tests (tests/scratch_postgres.py)
EXAMPLE = ROOT / "examples" / "flexion-intolerant-desk-worker.json"
PASSWORD = "benchmark patients' password"
TARGET_P99_MS = 100.0
TARGET_RATE_PG = 500.0

LUA = r"""
local patients = {PATIENTS}
-- Counters are globals: wrk's thread:get() reads a thread's globals, not its locals.
counter = 0
tid = 0
n2xx, n3xx, n4xx, n5xx, posts = 0, 0, 0, 0, 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local p = patients[(counter % #patients) + 1]
  if counter % 5 == 0 then
    posts = posts + 1
    local body = "csrf_token=" .. p.csrf .. "&pain_before=3&pain_after=2&effort=5&kind=routine"
      .. "&notes=benchmark&idempotency_key=bench-" .. tid .. "-" .. counter
    return wrk.format("POST", "/me/log", {["Cookie"] = p.cookie,
      ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
  end
  return wrk.format("GET", "/me/plan", {["Cookie"] = p.cookie})
end

function response(status, headers, body)
  if status < 300 then n2xx = n2xx + 1
  elseif status < 400 then n3xx = n3xx + 1
  elseif status < 500 then n4xx = n4xx + 1
  else n5xx = n5xx + 1 end
end

function done(summary, latency, requests)
  local t = {n2xx = 0, n3xx = 0, n4xx = 0, n5xx = 0, posts = 0}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(t) do t[key] = t[key] + (thread:get(key) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    '\nRESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status_errors": %d, '
    .. '"n2xx": %d, "n3xx": %d, "n4xx": %d, "n5xx": %d, "posts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout, e.status,
    t.n2xx, t.n3xx, t.n4xx, t.n5xx, t.posts))
end
"""


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_by_group() -> dict[str, dict[int, int]]:
    """CPU ticks (user + system) of every live process, grouped as web, database or load."""
    groups: dict[str, dict[int, int]] = {"web": {}, "db": {}, "load": {}}
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else []:
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue  # the process ended while we looked
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        if name == "wrk":
            groups["load"][int(entry.name)] = ticks
        elif name == "postgres":
            groups["db"][int(entry.name)] = ticks
        elif b"backmech serve" in command or b"multiprocessing" in command:
            groups["web"][int(entry.name)] = ticks
    return groups


def _children_cpu() -> float:
    """CPU seconds of this process's waited-for children (wrk, once it has exited)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cpu_spent(before: dict[str, dict[int, int]], after: dict[str, dict[int, int]]) -> dict[str, float]:
    """Seconds of CPU per group between two readings (processes that ended in between are missed)."""
    return {
        group: sum(ticks - before[group].get(pid, 0) for pid, ticks in after[group].items()) / CLOCK_TICKS
        for group in after
    }


@dataclass
class Figures:
    database: str
    rate: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    requests: int
    posts_sent: int
    logs_stored: int
    cpu_ms: dict[str, float]
    """CPU milliseconds per request: web processes, database server, load generator."""


def _prepare(database_url: str, data_dir: Path, patients: int) -> list[dict[str, str]]:
    """Create the clinic, patients with assessments and a session each; return each one's cookie and CSRF."""
    from backmech.bootstrap import assessment_service
    from backmech.services.accounts import accept_invitation, create_first_admin, invite
    from backmech.services.ports import Role, utc_now
    from backmech.services.records import save_assessment
    from backmech.services.web_sessions import SessionPolicy, start_session
    from backmech.storage.engine import create_engine
    from backmech.storage.migrate import upgrade
    from backmech.storage.unit_of_work import SqlUnitOfWorkFactory

    data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(database_url)
    engine = create_engine(database_url)
    uow_factory = SqlUnitOfWorkFactory(engine)
    service = assessment_service()
    intake = orjson.loads(EXAMPLE.read_bytes())
    result = service.assess(intake)
    admin = create_first_admin(uow_factory, "admin@bench.example", PASSWORD, "Benchmark clinic")
    policy = SessionPolicy(idle=SessionPolicy().absolute)
    people: list[dict[str, str]] = []
    for number in range(patients):
        token = invite(
            uow_factory, admin.id, f"p{number}@bench.example", Role.PATIENT, admin.clinic_id, utc_now()
        )
        user = accept_invitation(uow_factory, token, PASSWORD, utc_now(), display_name=f"Patient {number}")
        with uow_factory(actor=user.id) as uow:
            patient = uow.patients.for_user(user.id)
        assert patient is not None
        save_assessment(uow_factory, user, patient.id, patient.clinic_id, result, intake)
        session_token, record = start_session(uow_factory, user, utc_now(), policy)
        people.append({"cookie": f"bm_session={session_token}", "csrf": record.csrf_token})
    engine.dispose()
    return people


def _serve(database_url: str, data_dir: Path, workers: int) -> tuple[subprocess.Popen[bytes], str, Path]:
    from tests.scratch_postgres import free_port

    port = free_port()
    log = data_dir.parent / f"serve-{port}.log"
    command = [
        str(Path(sys.executable).parent / "backmech"),
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--database-url",
        database_url,
        "--workers",
        str(workers),
        "--analysis-workers",
        "0",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKMECH_")}
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"backmech serve exited:\n{log.read_text()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url, log
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"backmech serve did not start:\n{log.read_text()}")


def _wrk(
    url: str, people: list[dict[str, str]], seconds: float, connections: int, script_dir: Path
) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    rows = ",\n".join(f'{{cookie = "{p["cookie"]}", csrf = "{p["csrf"]}"}}' for p in people)
    script = script_dir / "load.lua"
    script.write_text(LUA.replace("{PATIENTS}", "{\n" + rows + "\n}"))
    before = _cpu_by_group()
    children_before = _children_cpu()
    done = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout=5s", f"-s{script}", url],
        capture_output=True,
        text=True,
        check=False,
    )
    spent = _cpu_spent(before, _cpu_by_group())
    spent["load"] = _children_cpu() - children_before  # wrk has exited: no longer in /proc
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            parsed: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
            parsed["cpu_s"] = spent
            return parsed
    raise SystemExit(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")


def _count_logs(database_url: str) -> int:
    import sqlalchemy as sa

    from backmech.storage.engine import create_engine

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text("SELECT count(*) FROM session_logs")).scalar_one())
    finally:
        engine.dispose()


def _figures(database: str, raw: dict[str, Any], stored: int) -> Figures:
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"] + raw["n4xx"] + raw["n5xx"]
    return Figures(
        database=database,
        rate=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        errors=errors,
        requests=raw["requests"],
        posts_sent=raw["n3xx"],  # a logged session answers 303; /me/plan answers 200
        logs_stored=stored,
        cpu_ms={group: seconds * 1000 / max(1, raw["requests"]) for group, seconds in raw["cpu_s"].items()},
    )


def run(database: str, database_url: str, folder: Path, args: argparse.Namespace) -> list[Figures]:
    """``args.rounds`` measured rounds against one server (after a warm-up round)."""
    data_dir = folder / "data"
    people = _prepare(database_url, data_dir, args.patients)
    workers = 1 if database == "sqlite" else args.pg_workers
    process, url, log = _serve(database_url, data_dir, workers)
    rounds: list[Figures] = []
    try:
        _wrk(url, people, 3, args.connections, folder)  # warm-up: caches, pools, prepared statements
        for _ in range(args.rounds):
            time.sleep(1.0)  # let the last round's cut-off requests finish before counting
            before = _count_logs(database_url)
            raw = _wrk(url, people, args.seconds, args.connections, folder)
            time.sleep(1.0)
            rounds.append(_figures(database, raw, _count_logs(database_url) - before))
            if raw["n5xx"] or raw["read"]:
                tail = log.read_text()[-3000:]
                print(f"  {database}: server errors; the end of its log:\n{tail}", flush=True)
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
        if process.poll() is None:
            process.kill()
    return rounds


@contextlib.contextmanager
def _database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'data' / 'backmech.db'}"
        return
    from tests.scratch_postgres import fresh_database, scratch_server

    # Durable settings (fsync on): the figures should hold for a real server.
    with scratch_server(settings=(), max_connections=200) as server, fresh_database(server) as url:
        yield url.render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--pg-workers", type=int, default=2)
    parser.add_argument(
        "--rounds", type=int, default=3, help="measured rounds per database; the median round is reported"
    )
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    medians: list[Figures] = []
    rows: list[tuple[str, Figures]] = []
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix=f"backmech-web-{kind}-") as tmp:
            folder = Path(tmp)
            (folder / "data").mkdir()
            with _database(kind, folder) as url:
                rounds = run(kind, url, folder, args)
        rows += [(f"{kind} #{number}", f) for number, f in enumerate(rounds, start=1)]
        median = sorted(rounds, key=lambda f: f.rate)[len(rounds) // 2]
        rows.append((f"{kind} median", median))
        medians.append(median)
    print(
        f"\n{args.patients} patients, {args.connections} connections, {args.seconds:.0f} s, "
        f"{os.cpu_count()} cores"
    )
    print(
        f"{'round':<19}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'errors':>8}{'logs':>12}   CPU ms per request: web + db + wrk"
    )
    for name, f in rows:
        logs = f"{f.logs_stored}/{f.posts_sent}"
        print(
            f"{name:<19}{f.rate:>9.0f}{f.p50_ms:>9.1f}{f.p90_ms:>9.1f}{f.p99_ms:>9.1f}{f.max_ms:>9.1f}"
            f"{f.errors:>8}{logs:>12}   {f.cpu_ms['web']:.2f} + {f.cpu_ms['db']:.2f} + {f.cpu_ms['load']:.2f}"
            f" = {sum(f.cpu_ms.values()):.2f}"
        )
    print("\nMedian rounds against the targets (< 1: within a 'less than' target; > 1: meets an 'at least'):")
    for f in medians:
        line = f"  {f.database}: p99/100 ms = {f.p99_ms / TARGET_P99_MS:.2f}, errors = {f.errors}"
        if f.database == "postgresql":
            line += f", rate/500 = {f.rate / TARGET_RATE_PG:.2f}"
        print(line)


if __name__ == "__main__":
    main()
