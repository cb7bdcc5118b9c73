"""A member signs in and finds a colleague in the directory, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_member_filters_the_directory_by_skill_without_a_full_reload(page, alliance, sign_in):
    sign_in(page, alliance["me"])
    nav = page.get_by_role("navigation", name="Main")
    nav.locator("summary", has_text="Alliance").click()
    nav.get_by_role("link", name="Directory").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Member directory")
    # A click's navigation may return before the scripts have run; typing before htmx listens
    # would send no request at all.
    page.wait_for_load_state("load")
    results = page.locator("#directory-results")
    expect(page.locator("#directory-status")).to_have_text("Showing 1–25 of 28 members.")
    expect(results).to_contain_text("Member 00")

    # A marker on the window survives an htmx swap but not a page load.
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Skill").fill("Postgres")
    expect(results).not_to_contain_text("Member 00")
    expect(results).to_contain_text("Database Colleague")
    expect(page.locator("#directory-status")).to_have_text("1 member matches.")
    assert page.evaluate("window.stillTheSamePage") is True
    # The address records the filter, without the empty ones, so it can be shared.
    expect(page).to_have_url(re.compile(r"/members/\?skill=Postgres$"))

    page.get_by_label("Minimum level").select_option("5")
    expect(results).to_contain_text("Database Colleague")
    page.get_by_label("Skill").fill("Salesforce")
    expect(results.get_by_role("heading", name="No members match these filters")).to_be_visible()

    results.get_by_role("link", name="Reset filters").click()
    expect(page).to_have_url(re.compile(r"/members/$"))
    expect(page.get_by_label("Skill")).to_have_value("")


def test_directory_filters_work_without_javascript(new_page, alliance, sign_in):
    page = new_page(javascript_enabled=False)
    sign_in(page, alliance["me"])
    page.goto("/members/")
    page.get_by_label("Skill").fill("wordpress")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"skill=wordpress"))
    results = page.locator("#directory-results")
    expect(results).to_contain_text("Web Colleague")
    expect(results).not_to_contain_text("Database Colleague")


def test_directory_pages_keep_the_filters(page, alliance, sign_in):
    sign_in(page, alliance["me"])
    page.goto("/members/")
    status = page.locator("#directory-status")
    page.get_by_label("Active", exact=True).check()
    expect(page).to_have_url(re.compile(r"/members/\?status=active$"))
    expect(status).to_have_text("Showing 1–25 of 28 members.")

    page.get_by_role("link", name="Next page").click()
    expect(status).to_have_text("Showing 26–28 of 28 members.")
    expect(page.locator("#directory-results")).to_contain_text("Web Colleague")
    expect(page).to_have_url(re.compile(r"/members/\?status=active&page=2$"))
    # Focus moves to the results heading, so the next Tab starts at the new cards.
    expect(page.get_by_role("heading", name="Members", exact=True)).to_be_focused()
