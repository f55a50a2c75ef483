"""The API's session log: idempotent posts, validation of every field, next-morning pain, who may write."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.web.conftest import Site
from tests.web.test_api_support import api_site, bearer, patient_id

__all__ = ["api_site"]

LOG = {"session_date": "2026-02-03", "pain_before": 5, "pain_after": 3, "effort": 6, "notes": "felt ok"}


def _url(site: Site, name: str) -> str:
    return f"/api/patients/{patient_id(site, name)}/sessions"


def test_the_same_key_twice_stores_one_log(api_site: Site) -> None:
    client = bearer(api_site, "patient_a")
    url = _url(api_site, "patient_a")
    first = client.post(url, json=LOG | {"idempotency_key": "retry-on-the-train"})
    assert first.status_code == 201, first.text
    repeat = client.post(url, json=LOG | {"idempotency_key": "retry-on-the-train", "pain_after": 9})
    assert repeat.status_code == 200
    assert repeat.json() == first.json()  # the stored log, unchanged
    assert first.json()["idempotency_key"] == "retry-on-the-train"
    listed = client.get(url).json()
    assert [log["idempotency_key"] for log in listed].count("retry-on-the-train") == 1


def test_two_patients_may_choose_the_same_key(api_site: Site) -> None:
    mine = bearer(api_site, "patient_a").post(
        _url(api_site, "patient_a"), json=LOG | {"idempotency_key": "k-0000001"}
    )
    theirs = bearer(api_site, "patient_b").post(
        _url(api_site, "patient_b"), json=LOG | {"idempotency_key": "k-0000001"}
    )
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pain_before": 11}, "pain_before"),
        ({"pain_after": -1}, "pain_after"),
        ({"effort": 7.5}, "effort"),
        ({"effort": "7"}, "effort"),
        ({"pain_before": True}, "pain_before"),
        ({"session_date": "yesterday"}, "session_date"),
        ({"session_date": "2999-01-01"}, "session_date"),
        ({"idempotency_key": "short"}, "idempotency_key"),
        ({"idempotency_key": "has spaces in it"}, "idempotency_key"),
        ({"mood": "great"}, "mood"),
        ({"notes": "x" * 2001}, "notes"),
        ({"pain_during": 11}, "pain_during"),
        ({"kind": "marathon"}, "kind"),
    ],
)
def test_invalid_fields_are_named(api_site: Site, change: dict[str, object], field: str) -> None:
    body = LOG | {"idempotency_key": "invalid-field-test"} | change
    refused = bearer(api_site, "patient_a").post(_url(api_site, "patient_a"), json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "invalid" and refused.json()["message"]
    assert any(problem.startswith(field) for problem in refused.json()["problems"]), refused.json()


def test_missing_fields_and_malformed_json(api_site: Site) -> None:
    client = bearer(api_site, "patient_a")
    url = _url(api_site, "patient_a")
    missing = client.post(url, json={"session_date": "2026-02-03"})
    named = " ".join(missing.json()["problems"])
    assert missing.status_code == 422
    assert all(f in named for f in ("pain_before", "pain_after", "effort", "idempotency_key"))
    broken = client.post(url, content=b"{pain_before: 3", headers={"Content-Type": "application/json"})
    assert broken.status_code == 422 and broken.json()["error"] == "invalid"
    nothing_saved = [log for log in client.get(url).json() if log["idempotency_key"] == "invalid-field-test"]
    assert nothing_saved == []


def test_next_morning_pain(api_site: Site) -> None:
    url = _url(api_site, "patient_a")
    client = bearer(api_site, "patient_a")
    log = client.post(url, json=LOG | {"idempotency_key": "morning-after-1"}).json()
    morning = f"{url}/{log['id']}/next-morning"
    set_once = client.put(morning, json={"pain": 2})
    assert set_once.status_code == 200 and set_once.json()["next_morning_pain"] == 2
    assert client.put(morning, json={"pain": 4}).json()["next_morning_pain"] == 4
    assert client.put(morning, json={"pain": 11}).status_code == 422
    assert client.put(morning, json={}).status_code == 422
    assert bearer(api_site, "clinician_a").put(morning, json={"pain": 3}).status_code == 200
    assert bearer(api_site, "clinician_b").put(morning, json={"pain": 3}).status_code == 404
    assert bearer(api_site, "patient_a2").put(morning, json={"pain": 3}).status_code == 404
    # Another patient's own path with patient_a's log id: the log is not in that patient's log.
    crossed = f"{_url(api_site, 'patient_a2')}/{log['id']}/next-morning"
    assert bearer(api_site, "patient_a2").put(crossed, json={"pain": 0}).status_code == 404
    assert bearer(api_site, "clinician_a").put(crossed, json={"pain": 0}).status_code == 404
    final = [entry for entry in client.get(url).json() if entry["id"] == log["id"]]
    assert final[0]["next_morning_pain"] == 3


def test_staff_of_the_clinic_may_log_for_a_patient(api_site: Site) -> None:
    url = _url(api_site, "patient_a2")
    today = dt.date.today().isoformat()
    made = bearer(api_site, "admin_a").post(
        url, json=LOG | {"session_date": today, "idempotency_key": "paper-diary-1"}
    )
    assert made.status_code == 201
    assert made.json()["session_date"] == today
    seen = bearer(api_site, "patient_a2").get(url).json()
    assert made.json()["id"] in {entry["id"] for entry in seen}
    assert (
        bearer(api_site, "patient_b").post(url, json=LOG | {"idempotency_key": "paper-diary-2"}).status_code
        == 404
    )


def test_the_session_log_on_both_databases(site: Site) -> None:
    """Idempotency and the next-morning update are SQL (ON CONFLICT, joins): check PostgreSQL too."""
    client = bearer(site, "patient_a")
    url = _url(site, "patient_a")
    first = client.post(url, json=LOG | {"idempotency_key": "both-dbs-1"})
    again = client.post(url, json=LOG | {"idempotency_key": "both-dbs-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    other = bearer(site, "patient_b").post(
        _url(site, "patient_b"), json=LOG | {"idempotency_key": "both-dbs-1"}
    )
    assert other.status_code == 201
    morning = client.put(f"{url}/{first.json()['id']}/next-morning", json={"pain": 1})
    assert morning.json()["next_morning_pain"] == 1
    listed = bearer(site, "clinician_a").get(url).json()
    assert [entry["id"] for entry in listed] == [first.json()["id"]]
    assert bearer(site, "clinician_b").get(url).status_code == 404


def test_pain_during_and_kind_are_kept_and_optional(api_site: Site) -> None:
    """The pain-monitoring rules read the worst pain during a session; older clients may leave it out."""
    client = bearer(api_site, "patient_a")
    url = _url(api_site, "patient_a")
    with_detail = client.post(
        url, json=LOG | {"idempotency_key": "with-detail-1", "pain_during": 4, "kind": "routine"}
    )
    without = client.post(url, json=LOG | {"idempotency_key": "without-detail-1"})
    assert with_detail.status_code == without.status_code == 201, (with_detail.text, without.text)
    assert (with_detail.json()["pain_during"], with_detail.json()["kind"]) == (4, "routine")
    assert (without.json()["pain_during"], without.json()["kind"]) == (None, None)
    listed = {log["idempotency_key"]: log for log in client.get(url).json()}
    assert listed["with-detail-1"]["pain_during"] == 4
