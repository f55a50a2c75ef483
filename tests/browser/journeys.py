"""Steps the browser journeys share: set-up, inviting and joining, and filling the intake wizard."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, BrowserContext, Page, expect
from tests.browser.conftest import PHONE, Server

PASSWORD = "a long and memorable test password"

FILL_DEFAULTS = """
(choices) => {
  const form = document.getElementById("intake-form");
  const groups = {};
  for (const radio of form.querySelectorAll("input[type=radio]")) (groups[radio.name] ||= []).push(radio);
  for (const [name, radios] of Object.entries(groups)) {
    const wanted = choices[name];
    const pick = radios.find(r => r.value === wanted)
      || (radios.some(r => r.checked) ? null : (radios.find(r => r.value === "no")
      || radios.find(r => r.value === "none") || radios[0]));
    if (pick) pick.checked = true;
  }
  for (const box of form.querySelectorAll("input[type=checkbox]")) {
    if ((choices[box.name] || []).includes(box.value)) box.checked = true;
  }
  for (const select of form.querySelectorAll("select")) {
    if (choices[select.name] !== undefined) select.value = choices[select.name];
    else if (!select.value && !select.name.startsWith("psfs.")) {
      const first = [...select.options].find(o => o.value);
      if (first) select.value = first.value;
    }
  }
  for (const input of form.querySelectorAll("input[type=number], input[type=text]")) {
    if (choices[input.name] !== undefined) input.value = choices[input.name];
  }
}
"""

DESK_WORKER = {
    "person.age": "38",
    "person.sex": "female",
    "history.duration.value": "4",
    "history.duration.unit": "months",
    "nprs.current": "5",
    "nprs.worst_24h": "7",
    "nprs.best_24h": "2",
    "fabq.in_work": "no",
    "psfs.activity_1.activity": "Sitting through a work meeting",
    "psfs.activity_1.score": "4",
    "symptoms.aggravated_by": ["sitting_slumped", "bending_forward"],
    "symptoms.eased_by": ["standing", "walking"],
}
"""A desk worker whose pain is provoked by sitting and bending and eased by standing and walking."""


def set_up_admin(page: Page, server: Server, email: str) -> None:
    page.goto(server.url)
    expect(page).to_have_url(f"{server.url}/setup")
    page.get_by_label("Clinic name").fill("Riverside Physio")
    page.get_by_label("Your email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create the administrator account").click()
    expect(page).to_have_url(f"{server.url}/clinic")


def invite(page: Page, server: Server, email: str, role: str) -> str:
    """Create an invitation from the clinic's invite page; return the link shown to copy."""
    page.goto(f"{server.url}/clinic/invite")
    page.get_by_label("Email address").fill(email)
    page.get_by_label(role, exact=True).check()
    page.get_by_role("button", name="Create invitation").click()
    link = page.locator("#invite-link").input_value()
    assert re.search(r"/join/[\w-]+$", link), link
    return link


def join(browser: Browser, link: str, name: str = "", *, phone: bool = False) -> tuple[BrowserContext, Page]:
    """Open an invitation link in a new browser and create the account."""
    context = browser.new_context(viewport=PHONE) if phone else browser.new_context()
    page = context.new_page()
    page.goto(link)
    if name:
        page.get_by_label("Your name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    return context, page


def fill_intake(page: Page, choices: dict[str, object], shoot=None, max_screens: int = 90) -> int:  # type: ignore[no-untyped-def]
    """Answer every screen with ``choices`` (else 'no', 'none' or the first option), then press Finish."""
    screens = 0
    while screens < max_screens:
        if page.locator("#intake-finish").count():
            page.locator("#intake-finish").click()
            return screens
        expect(page.locator("#intake-form")).to_be_visible()
        page.evaluate(FILL_DEFAULTS, choices)
        if shoot is not None and screens in (0, 12, 14):
            shoot(page, f"intake-screen-{screens}")
        before = page.url
        page.locator("#intake-next").click()
        page.wait_for_load_state()
        if page.url == before and page.locator(".has-error").count():
            problem = page.locator(".has-error").first.inner_text()
            raise AssertionError(f"{before} refused the answers: {problem}")
        screens += 1
    raise AssertionError(f"the intake did not reach its review page in {max_screens} screens")
