"""A clinic network end to end: two web processes and two ``backmech worker`` processes on one PostgreSQL.

Real processes, as an installation runs them: ``backmech serve --workers 1`` twice
(ports P1, P2) and ``backmech worker`` twice, all on the same fresh database of the
test PostgreSQL server and the same data folder (the shared media). People are made
through the services, sign in over HTTP and send the real demo clip, one through each
web process. Both analyses must end done, each run by a different worker (procrastinate's
jobs table names the worker), and each result must be readable through either web process.
Every process is stopped however the test ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import psycopg
import pytest
from sqlalchemy.engine import URL
from tests.conftest import _fresh_postgres_database
from tests.web.conftest import EXAMPLES, PASSWORD, csrf_from
from tests.web.test_movement import demo_video  # noqa: F401 - the shared session fixture

from backmech.jobs.queue import TASK_NAME, conninfo, schema_applied
from backmech.services.accounts import accept_invitation, create_first_admin, invite
from backmech.services.assessment import AssessmentService
from backmech.services.ports import Role, User, utc_now
from backmech.services.records import save_assessment
from backmech.settings import Settings
from backmech.storage.engine import create_engine
from backmech.storage.migrate import upgrade
from backmech.storage.unit_of_work import SqlUnitOfWorkFactory

START_TIMEOUT_S = 40
ANALYSIS_TIMEOUT_S = 75


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Processes:
    """Started subprocesses with their logs; all stopped (TERM, then KILL) at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("wb")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("BACKMECH_DATABASE_URL", None)
        env.pop("BACKMECH_DATA_DIR", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "backmech", *args], stdout=log, stderr=subprocess.STDOUT, env=env
        )
        log.close()
        self.running.append((name, process))
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def check_alive(self) -> None:
        for name, process in self.running:
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}:\n{self.log(name)[-3000:]}")

    def stop(self) -> None:
        for _, process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _, process in self.running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture
def network_database(postgres_server: URL) -> Iterator[str]:
    with _fresh_postgres_database(postgres_server) as url:
        yield url.render_as_string(hide_password=False)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop()


def _people(database_url: str, data_dir: Path, service: AssessmentService) -> dict[str, User]:
    settings = Settings.resolve({}, data_dir=data_dir, database_url=database_url)
    settings.ensure_folders()
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        uow_factory = SqlUnitOfWorkFactory(engine)
        admin = create_first_admin(uow_factory, "admin@net.example", PASSWORD, "Network clinic")

        def join(inviter: User, email: str, role: Role, name: str) -> User:
            token = invite(uow_factory, inviter.id, email, role, inviter.clinic_id, utc_now())
            return accept_invitation(uow_factory, token, PASSWORD, utc_now(), display_name=name)

        clinician = join(admin, "clinician@net.example", Role.CLINICIAN, "")
        people = {
            "clinician": clinician,
            "one": join(clinician, "one@net.example", Role.PATIENT, "Patient One"),
            "two": join(clinician, "two@net.example", Role.PATIENT, "Patient Two"),
        }
        # Patient one has been assessed: their video's findings must produce a new assessment.
        intake = orjson.loads((EXAMPLES / "flexion-intolerant-desk-worker.json").read_bytes())
        with uow_factory(actor=None) as uow:
            patient = uow.patients.for_user(people["one"].id)
        assert patient is not None
        save_assessment(
            uow_factory, people["one"], patient.id, patient.clinic_id, service.assess(intake), intake
        )
        return people
    finally:
        engine.dispose()


def _wait_until_serving(port: int, processes: Processes) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        processes.check_alive()
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return
        time.sleep(0.25)
    raise AssertionError(f"web process on port {port} did not start")


def _wait_for_workers(database_url: str, count: int, processes: Processes) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    with psycopg.connect(conninfo(database_url), autocommit=True) as db:
        while time.monotonic() < deadline:
            processes.check_alive()
            if schema_applied(db):
                row = db.execute("SELECT count(*) FROM procrastinate_workers").fetchone()
                if row and row[0] >= count:
                    return
            time.sleep(0.25)
    raise AssertionError("the workers did not register")


def _signed_in(port: int, email: str) -> httpx.Client:
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    page = client.get("/login")
    done = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_from(page.text)}
    )
    assert done.status_code == 303, done.text
    return client


def _upload(client: httpx.Client, video: bytes) -> str:
    page = client.get("/me/movement/forward-bend")
    assert page.status_code == 200, page.text
    upload_id = page.text.split('name="upload_id" value="', 1)[1].split('"', 1)[0]
    sent = client.post(
        "/me/movement/forward-bend",
        data={"csrf_token": csrf_from(page.text), "upload_id": upload_id},
        files={"video": ("bend.mp4", video, "video/mp4")},
    )
    assert sent.status_code == 303, sent.text
    location: str = sent.headers["location"]
    return location


def _wait_finished(client: httpx.Client, url: str, processes: Processes) -> dict[str, Any]:
    deadline = time.monotonic() + ANALYSIS_TIMEOUT_S
    while time.monotonic() < deadline:
        processes.check_alive()
        status: dict[str, Any] = client.get(f"{url}/status").json()
        if status["finished"]:
            return status
        time.sleep(0.5)
    logs = "\n".join(processes.log(name)[-2000:] for name, _ in processes.running)
    raise AssertionError(f"{url} did not finish in {ANALYSIS_TIMEOUT_S} s\n{logs}")


@pytest.mark.slow
def test_two_web_processes_and_two_workers_share_the_queue(
    network_database: str,
    processes: Processes,
    tmp_path: Path,
    demo_video: Path,  # noqa: F811
    service: AssessmentService,
) -> None:
    data_dir = tmp_path / "shared-data"
    people = _people(network_database, data_dir, service)
    common = ("--database-url", network_database, "--data-dir", str(data_dir))
    ports = (_free_port(), _free_port())
    for number, port in enumerate(ports, start=1):
        processes.start(f"web{number}", "serve", "--workers", "1", "--port", str(port), *common)
    for number in (1, 2):
        processes.start(f"worker{number}", "worker", "--concurrency", "1", *common)
    for port in ports:
        _wait_until_serving(port, processes)
    _wait_for_workers(network_database, 2, processes)

    video = demo_video.read_bytes()
    one = _signed_in(ports[0], people["one"].email)
    two = _signed_in(ports[1], people["two"].email)
    try:
        url_one = _upload(one, video)
        url_two = _upload(two, video)
        assert _wait_finished(one, url_one, processes)["status"] == "done"
        assert _wait_finished(two, url_two, processes)["status"] == "done"

        with psycopg.connect(conninfo(network_database), autocommit=True) as db:
            jobs = db.execute(
                "SELECT worker_id, status::text, args->>'analysis_id' FROM procrastinate_jobs"
                " WHERE task_name = %s",
                (TASK_NAME,),
            ).fetchall()
        assert sorted(job[2] for job in jobs) == sorted(url.rsplit("/", 1)[1] for url in (url_one, url_two))
        assert {job[1] for job in jobs} == {"succeeded"}
        assert len({job[0] for job in jobs}) == 2, f"one worker did both jobs: {jobs}"  # each worker did one
        for name in ("worker1", "worker2"):
            assert "ended done" in processes.log(name), processes.log(name)[-2000:]

        # Either web process reads either result (sessions and data live in PostgreSQL;
        # the cookie is for the host, so the same client reaches both ports).
        for port in ports:
            for client, url in ((one, url_one), (two, url_two)):
                page = client.get(f"http://127.0.0.1:{port}{url}")
                assert page.status_code == 200 and "What the video shows" in page.text
                overlay = client.get(
                    f"http://127.0.0.1:{port}/media/analyses/{url.rsplit('/', 1)[1]}/overlay.mp4",
                    headers={"Range": "bytes=0-99"},
                )
                assert overlay.status_code == 206 and len(overlay.content) == 100
        assert "Your assessment has been updated" in one.get(url_one).text
        assert "Your assessment has been updated" not in two.get(url_two).text  # two has none yet
        assert one.get(f"{url_two}/status").status_code == 404  # another patient's analysis
        clinician = _signed_in(ports[1], people["clinician"].email)
        assert clinician.get(url_one).status_code == 200
        clinician.close()
    finally:
        one.close()
        two.close()
