"""Reminders through the real routes: the person's cadence, and the private calendar feed that carries it."""

from __future__ import annotations

import datetime as dt
import re

from httpx2 import Response
from icalendar import Calendar
from tests.web.conftest import Site, csrf_from


def _events(feed: bytes) -> list[object]:
    return list(Calendar.from_ical(feed).walk("VEVENT"))


def _reminder_days(feed: bytes) -> list[dt.date]:
    days = []
    for event in Calendar.from_ical(feed).walk("VEVENT"):
        if event.walk("VALARM"):
            start = event.decoded("dtstart")
            assert isinstance(start, dt.datetime)
            days.append(start.date())
    return days


def _save(site: Site, who: str, **values: object) -> Response:
    client = site[who].client
    form: dict[str, object] = {"csrf_token": csrf_from(client.get("/me/reminders").text)}
    form.update(values)
    return client.post("/me/reminders", data=form)


def _feed_url(site: Site, who: str) -> str:
    client = site[who].client
    made = client.post("/me/reminders/feed", data={"csrf_token": csrf_from(client.get("/me/reminders").text)})
    assert made.status_code == 200
    found = re.search(r'id="feed-url" value="([^"]+)"', made.text)
    assert found is not None
    return found.group(1)


def test_no_reminders_until_the_person_chooses(site: Site) -> None:
    site.assess("patient_a")
    today = site["patient_a"].client.get("/me").text
    assert "Choose how often, if at all" in today
    page = site["patient_a"].client.get("/me/reminders").text
    assert "No reminders (you have not chosen any)" in page
    url = _feed_url(site, "patient_a")
    feed = site.client().get(url)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert _events(feed.content) and _reminder_days(feed.content) == []  # the plan, but no alerts


def test_the_chosen_cadence_is_kept_and_the_feed_never_exceeds_it(site: Site) -> None:
    site.assess("patient_a")
    saved = _save(site, "patient_a", per_week="2", weekday=["0", "2", "4"], time="07:45")
    assert saved.status_code == 200 and saved.url.path == "/me/reminders"
    assert "At most 2 reminders in any 7 days, on Monday, Wednesday and Friday, at 07:45" in saved.text
    assert "At most 2 reminders" in site["patient_a"].client.get("/me").text
    patient = site["patient_a"].patient
    assert patient is not None
    record = site["clinician_a"].client.get(f"/clinic/patients/{patient.id}").text
    assert "At most 2 reminders" in record

    feed = site.client().get(_feed_url(site, "patient_a")).content
    days = _reminder_days(feed)
    assert days, "a chosen cadence gives reminders"
    assert {d.weekday() for d in days} <= {0, 2, 4}
    for day in days:
        window = [d for d in days if day - dt.timedelta(days=6) <= d <= day]
        assert len(window) <= 2
    starts = [e.decoded("dtstart") for e in Calendar.from_ical(feed).walk("VEVENT") if e.walk("VALARM")]
    assert all(s.time() == dt.time(7, 45) and s.tzinfo is None for s in starts)  # floating local time


def test_a_logged_day_gets_no_reminder(site: Site) -> None:
    site.assess("patient_a")
    _save(site, "patient_a", per_week="7", weekday=[str(d) for d in range(7)], time="18:00")
    url = _feed_url(site, "patient_a")
    today = dt.datetime.now(dt.UTC).date()
    assert today in _reminder_days(site.client().get(url).content)
    site.log_session("patient_a", today)
    assert today not in _reminder_days(site.client().get(url).content)


def test_refused_settings_say_what_to_fix_and_keep_the_stored_ones(site: Site) -> None:
    site.assess("patient_a")
    _save(site, "patient_a", per_week="3", weekday=["1"], time="18:00")
    refused = _save(site, "patient_a", per_week="9", weekday=[], time="25:99")
    assert refused.status_code == 422
    text = refused.text
    assert "from 0 (none) to 7" in text and "hours and minutes" in text
    assert 'value="9"' in text  # what was typed is shown again
    no_days = _save(site, "patient_a", per_week="2", time="18:00")
    assert no_days.status_code == 422 and "Tick at least one day" in no_days.text
    assert (
        "At most 1 reminder in any 7 days, on Tuesday" in site["patient_a"].client.get("/me/reminders").text
    )


def test_a_new_address_ends_the_old_one_and_switching_off_ends_both(site: Site) -> None:
    site.assess("patient_a")
    first = _feed_url(site, "patient_a")
    second = _feed_url(site, "patient_a")
    anonymous = site.client()
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200
    client = site["patient_a"].client
    stopped = client.post(
        "/me/reminders/feed/stop", data={"csrf_token": csrf_from(client.get("/me/reminders").text)}
    )
    assert stopped.status_code == 200 and "switched off" in stopped.text
    assert anonymous.get(second).status_code == 404
    assert "There is no calendar at this address" in anonymous.get(second).text


def test_the_feed_is_emptied_when_a_red_flag_withholds_the_plan(site: Site) -> None:
    site.assess("patient_a")
    url = _feed_url(site, "patient_a")
    assert _events(site.client().get(url).content)
    site.assess("patient_a", "red-flag-cauda-equina.json")
    emptied = site.client().get(url)
    assert emptied.status_code == 200 and _events(emptied.content) == []


def test_the_feed_names_nobody_and_staff_cannot_make_one(site: Site) -> None:
    site.assess("patient_a")
    feed = site.client().get(_feed_url(site, "patient_a")).text
    assert "Pat A" not in feed and "@" not in feed.replace("@backmech", "")
    clinician = site["clinician_a"].client
    page = clinician.get("/clinic").text
    refused = clinician.post("/me/reminders/feed", data={"csrf_token": csrf_from(page)})
    assert refused.status_code == 403
