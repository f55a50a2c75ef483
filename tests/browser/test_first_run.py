"""A new user runs `backmech serve`, opens the page and creates the admin account (desktop and phone)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from tests.browser.conftest import PHONE, Server

pytestmark = pytest.mark.needs("chromium")

PASSWORD = "first admin's long password"


def test_first_run_creates_the_admin_then_signs_in_again(server: Server, browser: Browser, shoot) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(server.url)
    expect(page).to_have_url(f"{server.url}/setup")
    expect(page.get_by_role("heading", name="Set up backmech")).to_be_visible()
    shoot(page, "setup-phone")
    page.get_by_label("Clinic name").fill("Riverside Physio")
    page.get_by_label("Your email").fill("lead@riverside.example")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("short")
    # The browser's own minlength check stops the form; remove it to see the server's message.
    page.eval_on_selector_all("input[minlength]", "els => els.forEach(e => e.removeAttribute('minlength'))")
    page.get_by_role("button", name="Create the administrator account").click()
    expect(page.get_by_role("alert")).to_contain_text("12")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create the administrator account").click()
    expect(page).to_have_url(f"{server.url}/clinic")
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_text("lead@riverside.example")).to_be_visible()
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(f"{server.url}/login")
    page.get_by_label("Email").fill("lead@riverside.example")
    page.get_by_label("Password").fill("wrong password entirely")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/clinic")
    shoot(page, "clinic-phone")
    context.close()
