"""The main pages fit a desktop and a phone screen without sideways scrolling.

Set E2E_SCREENSHOT_DIR to keep a full-page screenshot of each page at each size.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def check_fits(page, viewport_name: str, page_name: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page_name} scrolls sideways by {overflow}px on a {viewport_name}"
    folder = os.environ.get("E2E_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{page_name}-{viewport_name}.png", full_page=True)


@pytest.mark.parametrize("viewport_name", VIEWPORTS)
def test_main_pages_fit_the_screen(new_page, alliance, sign_in, viewport_name):
    page = new_page(viewport=VIEWPORTS[viewport_name])
    page.goto("/")
    check_fits(page, viewport_name, "home")
    page.goto("/join/")
    check_fits(page, viewport_name, "join")

    sign_in(page, alliance["me"])
    page.goto("/members/")
    expect(page.locator("#directory-results")).to_contain_text("Database Colleague")
    check_fits(page, viewport_name, "directory")
    page.goto(f"/members/{alliance['database'].pk}/")
    check_fits(page, viewport_name, "member")
    page.goto("/profile/")
    check_fits(page, viewport_name, "profile")


def test_directory_filters_start_folded_on_a_phone_unless_in_use(new_page, alliance, sign_in):
    page = new_page(viewport=VIEWPORTS["phone"])
    sign_in(page, alliance["me"])
    page.goto("/members/")
    expect(page.get_by_label("Skill")).to_be_hidden()
    page.get_by_text("Filters", exact=True).click()
    expect(page.get_by_label("Skill")).to_be_visible()
    page.goto("/members/?skill=wordpress")
    expect(page.get_by_label("Skill")).to_have_value("wordpress")
    expect(page.get_by_label("Skill")).to_be_visible()
