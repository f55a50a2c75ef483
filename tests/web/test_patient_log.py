"""The daily log through the real routes: store once, refuse bad values with answers kept, next morning."""

from __future__ import annotations

import datetime as dt
import re

from tests.web.conftest import Site, csrf_from, days_ago

from backmech.services.ports import SessionLog

TOKEN = re.compile(r'name="idempotency_key" value="([^"]+)"')


def _logs(site: Site, name: str = "patient_a") -> list[SessionLog]:
    patient = site[name].patient
    assert patient is not None
    with site.state.uow_factory(actor=None) as uow:
        return list(uow.session_logs.for_patient(patient.clinic_id, patient.id))


def _form(site: Site, **values: str) -> dict[str, str]:
    """The log form as the player renders it (with its own idempotency token and CSRF token)."""
    page = site["patient_a"].client.get("/me/session/full").text
    found = TOKEN.search(page)
    assert found, "the player has no log form"
    form = {
        "csrf_token": csrf_from(page),
        "idempotency_key": found.group(1),
        "kind": "full",
        "pain_before": "5",
        "pain_after": "3",
        "effort": "6",
        "notes": "bird dog felt easier",
        "session_date": dt.date.today().isoformat(),
    }
    form.update(values)
    return form


def test_a_double_submit_stores_one_log(site: Site) -> None:
    site.assess("patient_a")
    client = site["patient_a"].client
    form = _form(site)
    first = client.post("/me/log", data=form)
    assert first.status_code == 200 and first.url.path == "/me"
    assert "Saved" in first.text and "Done today" in first.text
    again = client.post("/me/log", data=form)
    assert again.status_code == 200
    logs = _logs(site)
    assert len(logs) == 1
    log = logs[0]
    assert (log.pain_before, log.pain_after, log.effort) == (5, 3, 6)
    assert log.notes == "bird dog felt easier" and log.session_date == dt.date.today()
    assert log.idempotency_key.startswith("full:")
    # A new rendering of the form is a new session.
    client.post("/me/log", data=_form(site, kind="routine"))
    assert len(_logs(site)) == 2
    listing = client.get("/me/log").text
    assert "Daily routine" in listing and "Full session" in listing


def test_bad_values_are_refused_with_the_answers_kept(sqlite_site: Site) -> None:
    sqlite_site.assess("patient_a")
    form = _form(sqlite_site, pain_before="11", notes="kept <notes>")
    refused = sqlite_site["patient_a"].client.post("/me/log", data=form)
    assert refused.status_code == 422
    assert "Pain before: 11 is outside the scale" in refused.text
    assert 'name="pain_after" value="3"' in refused.text
    assert 'name="pain_before" value="11"' in refused.text
    assert "kept &lt;notes&gt;" in refused.text
    assert f'name="idempotency_key" value="{form["idempotency_key"]}"' in refused.text
    assert _logs(sqlite_site) == []
    without_csrf = {k: v for k, v in form.items() if k != "csrf_token"}
    assert sqlite_site["patient_a"].client.post("/me/log", data=without_csrf).status_code == 403
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    bad = _form(
        sqlite_site, pain_after="", effort="a lot", notes="x" * 2001, session_date=tomorrow, kind="marathon"
    )
    refused = sqlite_site["patient_a"].client.post("/me/log", data=bad)
    assert refused.status_code == 422
    for expected in (
        "a day that has not come yet",
        "Pain after: choose a number",
        "Effort: &#39;a lot&#39; is not a whole number",
        "2000 characters (you wrote 2001)",
        "choose the daily routine or the full session",
    ):
        assert expected in refused.text, expected
    assert _logs(sqlite_site) == []
    fixed = sqlite_site["patient_a"].client.post("/me/log", data={**form, "pain_before": "4"})
    assert fixed.status_code == 200 and len(_logs(sqlite_site)) == 1


def test_the_next_morning_check_is_asked_once_and_stored(sqlite_site: Site) -> None:
    sqlite_site.assess("patient_a")
    client = sqlite_site["patient_a"].client
    yesterday = days_ago(1).isoformat()
    client.post("/me/log", data=_form(sqlite_site, session_date=yesterday, pain_after="4"))
    (log,) = _logs(sqlite_site)
    today = client.get("/me").text
    assert "How is your back this morning?" in today
    assert f'name="log_id" value="{log.id}"' in today
    token = csrf_from(today)
    refused = client.post(
        "/me/log/morning", data={"csrf_token": token, "log_id": str(log.id), "next_morning_pain": "-1"}
    )
    assert refused.status_code == 422
    assert "Pain this morning: -1 is outside the scale" in refused.text
    assert 'value="-1"' in refused.text
    done = client.post(
        "/me/log/morning", data={"csrf_token": token, "log_id": str(log.id), "next_morning_pain": "2"}
    )
    assert done.status_code == 200 and done.url.path == "/me"
    assert _logs(sqlite_site)[0].next_morning_pain == 2
    assert "How is your back this morning?" not in client.get("/me").text
    progress = client.get("/me/progress").text
    assert "1 next-morning answer(s)" in progress
    # Another patient of the same clinic cannot answer for this log (same answer as no such log).
    other = sqlite_site["patient_a2"]
    refused = other.post("/me/log/morning", {"log_id": str(log.id), "next_morning_pain": "0"})
    assert refused.status_code == 404
    garbage = other.post("/me/log/morning", {"log_id": "not-an-id", "next_morning_pain": "0"})
    assert garbage.status_code == 404
    assert _logs(sqlite_site)[0].next_morning_pain == 2


def test_progress_shows_the_logged_session_in_the_chart_and_the_table(sqlite_site: Site) -> None:
    sqlite_site.assess("patient_a")
    client = sqlite_site["patient_a"].client
    empty = client.get("/me/progress").text
    assert "Nothing recorded yet" in empty
    day = days_ago(2)
    client.post("/me/log", data=_form(sqlite_site, session_date=day.isoformat(), pain_before="7"))
    page = client.get("/me/progress").text
    assert page.count('<svg class="chart"') >= 4  # pain, morning, calendar, at least one score
    assert f"Before, {day:%d %b %Y}: 7" in page
    assert f"After, {day:%d %b %Y}: 3" in page
    assert f"{day:%a %d %b}: session logged" in page
    table = page.split('id="session-table"', 1)[1].split("</table>", 1)[0]
    assert f"{day:%d %b %Y}" in table and "<td>7</td>" in table
    assert "1 day with a session" in page
    # Questionnaire charts: the minimal important change is shaded where the knowledge base sources one.
    sqlite_site.assess("patient_a")
    page = client.get("/me/progress").text
    kb = sqlite_site.state.knowledge
    odi = kb.questionnaires["odi"].output("percent")
    assert odi is not None and odi.mcid is not None and odi.mcid.points is not None
    assert f"within {odi.mcid.points:g} points of your first score" in page
    assert kb.sources[odi.mcid.source].citation.split(",")[0] in page
    assert page.count('class="chart-band"') == 3  # ODI, RMDQ and NPRS each have a sourced MCID


def test_worst_pain_during_is_stored_and_checked(site: Site) -> None:
    """Optional (blank is unknown, not 0); out of range is refused with the answers kept."""
    site.assess("patient_a")
    client = site["patient_a"].client
    assert 'name="pain_during"' in client.get("/me/session/full").text
    refused = client.post("/me/log", data=_form(site, pain_during="12"))
    assert refused.status_code == 422
    assert "Worst pain during: 12 is outside the scale" in refused.text
    assert 'value="bird dog felt easier"' in refused.text or "bird dog felt easier" in refused.text
    assert _logs(site) == []
    client.post("/me/log", data=_form(site, pain_during="4"))
    client.post("/me/log", data=_form(site, kind="routine", pain_during=""))
    stored = sorted(_logs(site), key=lambda log: log.kind or "")
    assert [(log.kind, log.pain_during) for log in stored] == [("full", 4), ("routine", None)]
    assert "Worst during" in client.get("/me/log").text


def test_today_shows_how_the_programme_responds(site: Site) -> None:
    """A comfortable session shows green; a painful one shows red, why, and the flare-up plan."""
    site.assess("patient_a")
    client = site["patient_a"].client
    before = client.get("/me").text
    assert "How your programme is responding" in before and "Log your sessions" in before
    client.post("/me/log", data=_form(site, pain_before="4", pain_during="1", pain_after="1"))
    calm = client.get("/me").text
    assert "signal-green" in calm and "until you tell us how the next morning was" in calm
    client.post("/me/log", data=_form(site, pain_before="3", pain_during="9", pain_after="9"))
    flared = client.get("/me").text
    assert "signal-red" in flared and 'id="flare-plan"' in flared
    assert "Contact your clinician if" in flared
