"""A member keeps their profile current: skills, time away, and a refused bad rate."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from network.models import Consultant

pytestmark = pytest.mark.e2e


def test_member_adds_a_skill_and_time_away_and_sees_them_on_their_page(page, alliance, sign_in):
    sign_in(page, alliance["me"])
    nav = page.get_by_role("navigation", name="Main")
    nav.locator("summary", has_text="Account").click()
    nav.get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")

    add_skill = page.locator("form", has=page.get_by_role("heading", name="Add a skill"))
    add_skill.get_by_label("Skill").fill("Postgres")
    add_skill.get_by_label("Level").select_option("4")
    add_skill.get_by_label("Years of practice").fill("6")
    add_skill.get_by_label("Note").fill("Replication and backups")
    add_skill.get_by_role("button", name="Add skill").click()
    expect(page.get_by_role("status")).to_contain_text("PostgreSQL added at level 4.")
    expect(page.locator(".skill-editor")).to_contain_text("PostgreSQL")

    start = timezone.localdate() + datetime.timedelta(days=14)
    end = start + datetime.timedelta(days=6)
    add_away = page.locator("form", has=page.get_by_role("heading", name="Add time away"))
    add_away.get_by_label("First day away").fill(start.isoformat())
    add_away.get_by_label("Last day away").fill(end.isoformat())
    add_away.get_by_label("Member covering for you").select_option(label="Database Colleague")
    add_away.get_by_label("Note").fill("Family visit")
    add_away.get_by_role("button", name="Add time away").click()
    expect(page.get_by_role("status")).to_contain_text("Your time away is saved.")

    page.get_by_role("link", name="See my listing").click()
    expect(page).to_have_url(re.compile(rf"/members/{alliance['me'].pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Signed-in Member")
    skills = page.locator("section", has=page.get_by_role("heading", name="Skills"))
    expect(skills).to_contain_text("PostgreSQL")
    expect(skills).to_contain_text("4 · advanced")
    expect(skills).to_contain_text("6 years of practice · Replication and backups")
    away = page.locator("section", has=page.get_by_role("heading", name="Time away"))
    expect(away).to_contain_text("Family visit")
    expect(away.get_by_role("link", name="Database Colleague")).to_be_visible()


def test_a_negative_rate_is_refused_with_an_error_next_to_the_field(page, alliance, sign_in):
    me = alliance["me"]
    rate_before = me.hourly_rate
    sign_in(page, me)
    page.goto("/profile/")
    page.get_by_label("Standard hourly rate").fill("-5")
    page.get_by_role("button", name="Save profile").click()

    expect(page).to_have_title(re.compile(r"^Error: My profile"))
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Standard hourly rate")
    rate = page.get_by_label("Standard hourly rate")
    expect(rate).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_profile-hourly_rate_error")).to_contain_text(
        "greater than or equal to 0"
    )
    # The summary's link takes keyboard users straight to the field.
    summary.get_by_role("link").first.click()
    expect(rate).to_be_focused()
    assert Consultant.objects.get(pk=me.pk).hourly_rate == rate_before


def test_removing_a_skill_asks_first(page, alliance, sign_in):
    sign_in(page, alliance["database"])
    page.goto("/profile/")
    remove = page.get_by_role("button", name="Remove PostgreSQL")

    page.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    expect(page.locator(".skill-editor")).to_contain_text("PostgreSQL")

    page.once("dialog", lambda dialog: dialog.accept())
    remove.click()
    expect(page.get_by_role("status")).to_contain_text("PostgreSQL removed from your profile.")
    expect(page.locator(".skill-editor")).to_have_count(0)
