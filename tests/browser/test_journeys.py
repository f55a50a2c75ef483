"""The journeys of the issue, in Chromium against `backmech serve`: patient, red-flag stop, clinician.

One installation per test, built through the pages only: the first-run set-up,
an admin inviting a clinician, the clinician inviting patients, who join by the
link. Screenshots of each stage are kept in test-artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from tests.browser.conftest import Server
from tests.browser.journeys import DESK_WORKER, FILL_DEFAULTS, fill_intake, invite, join, set_up_admin
from tests.motion.demo_clip import default_cache, demo_clip

pytestmark = pytest.mark.needs("chromium")


def demo_video_path() -> Path:
    """The real clip the motion tests analyse (scripts/test fetched it into the test cache)."""
    return demo_clip(default_cache())


def _clinic_with_a_clinician(browser: Browser, server: Server):  # type: ignore[no-untyped-def]
    admin_context = browser.new_context()
    admin = admin_context.new_page()
    set_up_admin(admin, server, "lead@riverside.example")
    link = invite(admin, server, "physio@riverside.example", "Clinician")
    admin_context.close()
    clinician_context, clinician = join(browser, link)
    expect(clinician).to_have_url(f"{server.url}/clinic")
    return clinician_context, clinician


def test_patient_journey_from_sign_up_to_a_logged_session_and_a_chart(
    server: Server,
    browser: Browser,
    shoot,  # type: ignore[no-untyped-def]
) -> None:
    clinician_context, clinician = _clinic_with_a_clinician(browser, server)
    link = invite(clinician, server, "sam@example.org", "Patient")
    context, page = join(browser, link, "Sam Example", phone=True)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    expect(page).to_have_url(f"{server.url}/me")
    shoot(page, "today-new")
    page.locator("#start-intake").click()
    page.locator("#intake-start").click()
    screens = fill_intake(page, DESK_WORKER, shoot)
    assert screens > 20
    expect(page).to_have_url(f"{server.url}/me/assessment")
    expect(page.get_by_text("Flexion intolerance", exact=False).first).to_be_visible()
    shoot(page, "assessment")
    page.locator("#to-plan").click()
    expect(page).to_have_url(f"{server.url}/me/plan")
    shoot(page, "plan")

    page.goto(f"{server.url}/me")
    page.locator("#play-routine").click()
    page.locator("#player-start").click()
    expect(page.locator("#player-progress")).to_contain_text("Exercise 1 of")
    shoot(page, "player-first-exercise")
    for _ in range(20):
        if page.locator("#step-log").is_visible():
            break
        page.locator("#player-next").click()
    expect(page.locator("#log-form")).to_be_visible()
    page.locator("#pain_before").fill("5")
    page.locator("#pain_after").fill("3")
    page.locator("#effort").fill("4")
    page.locator("#notes").fill("Easier than yesterday.")
    shoot(page, "player-log")
    page.get_by_role("button", name="Save today's session").click()
    expect(page).to_have_url(f"{server.url}/me?saved=session")
    expect(page.get_by_text("Done today").first).to_be_visible()

    page.goto(f"{server.url}/me/progress")
    chart = page.locator("#chart-session-pain")
    expect(chart).to_be_visible()
    page.get_by_text("Show the numbers").first.click()
    expect(page.locator("#session-table tbody tr")).to_have_count(1)
    shoot(page, "progress")

    page.goto(f"{server.url}/me")
    page.locator("#reminder-summary a").click()
    expect(page).to_have_url(f"{server.url}/me/reminders")
    page.locator("#per_week").fill("2")
    for box in page.locator('input[name="weekday"]').all():
        box.set_checked(box.get_attribute("value") in ("0", "3"))
    page.locator("#time").fill("07:30")
    page.locator("#save-reminders").click()
    expect(page.locator("#current-cadence")).to_contain_text("on Monday and Thursday, at 07:30")
    page.locator("#make-feed").click()
    feed_url = page.locator("#feed-url").input_value()
    shoot(page, "reminders")
    feed_context = browser.new_context()  # a calendar app: no cookies, the address is the credential
    feed = feed_context.request.get(feed_url)
    assert feed.ok and "BEGIN:VALARM" in feed.text() and "Sam" not in feed.text()
    feed_context.close()

    page.goto(f"{server.url}/me/reassess")
    page.locator("#reassess-start").click()
    short = fill_intake(page, DESK_WORKER)
    assert 0 < short < screens / 2, (short, screens)  # safety + NPRS, ODI, PSFS; the rest carried over
    expect(page).to_have_url(f"{server.url}/me/assessment")
    assert not errors, errors

    clinician.goto(f"{server.url}/clinic")
    expect(clinician.get_by_role("link", name="Sam Example", exact=True)).to_be_visible()
    shoot(clinician, "clinic-list")
    context.close()
    clinician_context.close()


def test_a_red_flag_ends_on_the_referral_page_and_never_a_plan(
    server: Server,
    browser: Browser,
    shoot,  # type: ignore[no-untyped-def]
) -> None:
    clinician_context, clinician = _clinic_with_a_clinician(browser, server)
    link = invite(clinician, server, "kim@example.org", "Patient")
    context, page = join(browser, link, "Kim Example", phone=True)
    page.locator("#start-intake").click()
    page.locator("#intake-start").click()
    page.locator("#q-red_flags-saddle_numbness-yes").check()
    page.evaluate(FILL_DEFAULTS, {"red_flags.saddle_numbness": "yes"})  # the rest of the screen: no
    shoot(page, "red-flag-answer")
    page.locator("#intake-next").click()
    expect(page).to_have_url(f"{server.url}/me/intake/referral")
    expect(page.get_by_role("heading").first).to_be_visible()
    assert "emergency" in page.content().lower()
    shoot(page, "referral")
    page.goto(f"{server.url}/me/plan")
    assert page.locator("#play-session").count() == 0
    page.goto(f"{server.url}/me")
    assert page.locator("#play-routine").count() == 0
    shoot(page, "today-after-referral")
    clinician.goto(f"{server.url}/clinic")
    row = clinician.locator("tr.patient-row.is-red-flag")
    expect(row).to_contain_text("Kim Example")
    context.close()
    clinician_context.close()


def test_clinician_edits_the_plan_and_the_patient_sees_it(
    server: Server,
    browser: Browser,
    shoot,  # type: ignore[no-untyped-def]
) -> None:
    clinician_context, clinician = _clinic_with_a_clinician(browser, server)
    link = invite(clinician, server, "lee@example.org", "Patient")
    context, page = join(browser, link, "Lee Example", phone=True)
    page.locator("#start-intake").click()
    page.locator("#intake-start").click()
    fill_intake(page, DESK_WORKER)
    expect(page).to_have_url(f"{server.url}/me/assessment")

    clinician.goto(f"{server.url}/clinic")
    clinician.get_by_role("link", name="Lee Example", exact=True).click()
    expect(clinician.locator("#mechanisms")).to_be_visible()
    shoot(clinician, "patient-record")
    clinician.locator("#edit-plan-link").click()
    remove = clinician.locator("#edit-remove")
    target = remove.locator("#remove-target")
    removed_value = target.locator("option").nth(1).get_attribute("value") or ""
    removed_name = (target.locator("option").nth(1).inner_text()).strip()
    target.select_option(removed_value)
    remove.get_by_label("Reason for this change").fill("Provokes her leg symptoms in clinic today.")
    remove.get_by_role("button", name="Remove exercise").click()
    expect(clinician.get_by_role("status")).to_contain_text("removed")
    care = clinician.locator("#edit-care")
    care.locator("#care-kind").select_option("manual_therapy")
    care.locator("#care-notes").fill("Lumbar PA mobilisations, grade III, L4-5.")
    care.get_by_label("Reason for this change").fill("Pain relief to start the exercise programme.")
    care.get_by_role("button", name="Record care").click()
    expect(clinician.locator("#edit-history li.history-entry")).to_have_count(2)
    shoot(clinician, "plan-editor")

    page.goto(f"{server.url}/me/plan")
    expect(page.get_by_text("Changed by your clinician", exact=False).first).to_be_visible()
    expect(page.get_by_text("Lumbar PA mobilisations", exact=False).first).to_be_visible()
    assert removed_name.split(" (")[0] not in page.locator("main").inner_text() or removed_name == ""
    shoot(page, "plan-after-edit")
    context.close()
    clinician_context.close()


def test_plan_edits_survive_a_new_video_and_the_clinician_is_told(
    server: Server,
    browser: Browser,
    shoot,  # type: ignore[no-untyped-def]
) -> None:
    """Edit the plan, then the patient sends a movement video: its findings make a new assessment
    and a new plan, and the clinician's edits are still applied to it, with an alert saying so."""
    clinician_context, clinician = _clinic_with_a_clinician(browser, server)
    link = invite(clinician, server, "kim@example.org", "Patient")
    context, page = join(browser, link, "Kim Example", phone=True)
    page.locator("#start-intake").click()
    page.locator("#intake-start").click()
    fill_intake(page, DESK_WORKER)
    expect(page).to_have_url(f"{server.url}/me/assessment")

    clinician.goto(f"{server.url}/clinic")
    clinician.get_by_role("link", name="Kim Example", exact=True).click()
    clinician.locator("#edit-plan-link").click()
    editor_url = clinician.url
    remove = clinician.locator("#edit-remove")
    target = remove.locator("#remove-target")
    removed = target.locator("optgroup").first.locator("option").first
    removed_value, removed_name = removed.get_attribute("value") or "", removed.inner_text().strip()
    target.select_option(removed_value)
    remove.get_by_label("Reason for this change").fill("Provokes her leg symptoms in clinic today.")
    remove.get_by_role("button", name="Remove exercise").click()
    expect(clinician.get_by_role("status")).to_contain_text("removed")
    care = clinician.locator("#edit-care")
    care.locator("#care-kind").select_option("manual_therapy")
    care.locator("#care-notes").fill("Lumbar PA mobilisations, grade III, L4-5.")
    care.get_by_label("Reason for this change").fill("Pain relief to start the exercise programme.")
    care.get_by_role("button", name="Record care").click()
    expect(clinician.locator("#edit-history li.history-entry")).to_have_count(2)

    page.goto(f"{server.url}/me/movement/forward-bend")
    page.locator("#video-file").set_input_files(str(demo_video_path()))
    page.locator("#upload-submit").click()
    expect(page.locator("#analysis-result")).to_be_visible(timeout=180_000)
    shoot(page, "video-analysed")

    page.goto(f"{server.url}/me/plan")
    main = page.locator("main")
    expect(main).to_contain_text("Changed by your clinician")
    expect(main).to_contain_text("Lumbar PA mobilisations")
    assert f'value="{removed_value}"' not in page.content()
    assert removed_name not in main.inner_text()
    shoot(page, "plan-after-video")

    clinician.goto(editor_url)
    notice = clinician.locator("#edits-carried")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("2 of your 2 earlier changes were carried over")
    expect(clinician.locator("#edit-history")).to_contain_text("carried over to the plan of")
    expect(clinician.locator("main")).not_to_contain_text("No changes yet")
    shoot(clinician, "editor-after-video")
    clinician.goto(editor_url.removesuffix("/plan"))
    expect(clinician.locator(".course-alerts")).to_contain_text("Your earlier changes were carried over")
    context.close()
    clinician_context.close()
