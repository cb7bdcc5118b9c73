"""An anonymous visitor finds the front door."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_anonymous_visitor_reads_the_home_page_and_reaches_request_help(page, settings):
    settings.INTAKE_EMAIL = "intake@alliance.test"
    page.goto("/")
    expect(page).to_have_title("Tech help for nonprofits · Switchboard")
    expect(page.get_by_role("banner").get_by_role("link", name="Switchboard")).to_be_visible()
    expect(page.get_by_role("heading", name="If nobody in the network fits")).to_be_visible()
    expect(page.get_by_role("heading", name="Fees go to the consultant")).to_be_visible()

    page.locator(".hero").get_by_role("link", name="Request help").click()
    expect(page).to_have_url(re.compile(r"/request/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Request help")
    expect(page.get_by_role("link", name="intake@alliance.test").first).to_be_visible()
    nav_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Request help")
    expect(nav_link).to_have_attribute("aria-current", "page")


def test_the_skip_link_is_the_first_stop_and_jumps_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_member_pages_send_a_visitor_to_sign_in(page):
    page.goto("/members/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/members/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
