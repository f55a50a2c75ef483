"""A fault on our side: the person sees one sentence with a reference, the log has the traceback under it.

Faults are injected where a real one would surface: inside an analysis job (the pose model
failing) and inside a request handler. In both the person must never see a traceback or an
exception's text, must be offered a second try (it is not their file's fault), and the
operator must find the traceback by the reference the person quotes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import Site
from tests.web.test_movement import analysis_id_of, upload_form, wait_finished

from backmech.services.analysis_jobs import AnalysisTools
from backmech.web.app import create_app
from backmech.web.jobs import InProcessQueue

REFERENCE = re.compile(r"reference ([A-Z2-9]{4}-[A-Z2-9]{4})")


class _BrokenModel:
    def analyse(self, *args: object, **kwargs: object) -> Any:
        raise RuntimeError("tflite interpreter exploded: secret internal detail")


def _broken_tools() -> AnalysisTools:
    return AnalysisTools(movement=_BrokenModel)  # type: ignore[arg-type]


@pytest.fixture
def broken_site(sqlite_site: Site) -> Iterator[Site]:
    state = sqlite_site.state
    queue = InProcessQueue(state.uow_factory, state.config.settings.media_dir, 1, tools=_broken_tools)
    state.queue = queue
    yield sqlite_site
    queue.wait(timeout=60)
    queue.close()


def _logged_under(caplog: pytest.LogCaptureFixture, reference: str) -> logging.LogRecord:
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged, [r.getMessage() for r in caplog.records]
    assert logged[0].exc_info is not None  # the traceback is there for the operator
    return logged[0]


def test_a_crashing_analysis_shows_a_reference_and_logs_the_traceback_under_it(
    broken_site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    patient = broken_site["patient_a"]
    with caplog.at_level(logging.ERROR, logger="backmech.analysis"):
        analysis_id = analysis_id_of(
            upload_form(patient.client, "squat", "s.webm", b"\x1a\x45\xdf\xa3" + b"\x00" * 900, "video/webm")
        )
        assert wait_finished(patient.client, analysis_id)["status"] == "failed"
    page = patient.client.get(f"/me/movement/analyses/{analysis_id}")
    found = REFERENCE.search(page.text)
    assert found, page.text
    assert "Something went wrong on our side" in page.text
    assert "exploded" not in page.text and "Traceback" not in page.text
    assert 'id="try-again"' in page.text and 'id="send-another"' not in page.text
    record = _logged_under(caplog, found.group(1))
    assert record.exc_info is not None and "exploded" in str(record.exc_info[1])


def test_a_crashing_request_shows_a_reference_and_logs_the_traceback_under_it(
    sqlite_site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(sqlite_site.state.config)

    def boom() -> None:
        raise RuntimeError("adapter bug: secret internal detail")

    app.add_api_route("/boom", boom)
    app.add_api_route("/api/boom", boom)
    client = TestClient(app, raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="backmech.web"):
        page = client.get("/boom")
        api = client.get("/api/boom")
    assert page.status_code == 500 and api.status_code == 500
    for text in (page.text, api.json()["message"]):
        found = REFERENCE.search(text)
        assert found, text
        assert "secret internal detail" not in text and "Traceback" not in text
        _logged_under(caplog, found.group(1))
    assert api.json()["error"] == "server_error"
