"""The handbook in a real browser: two members edit the same page at
once, the second save is refused with the diff shown and nothing lost, and then saved after
merging; a meeting records a two-thirds decision whose outcome follows the votes.

Screenshots of the conflict and the decision go to E2E_SCREENSHOT_DIR (default /tmp).
"""

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from handbook import services
from handbook.models import Page
from tests.helpers import member_with_password

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOT_DIR", tempfile.gettempdir()))
ORIGINAL = "Name a colleague who covers your clients.\nTell the intake desk before you go."


@pytest.fixture
def members(transactional_db):
    """Three members of the alliance and a members' page about cover during time away."""
    first = member_with_password(display_name="Member A")
    second = member_with_password(display_name="Member B")
    third = member_with_password(display_name="Member C")
    page = services.page_create(
        actor=first.user,
        title="Cover during time away",
        body=ORIGINAL,
        category=Page.Category.PROCEDURE,
    )
    services.page_create(
        actor=first.user,
        title="Meetings and minutes",
        body="## Before\n\nRead [[Cover during time away]].\n\n## During\n\nSee [[Quorum rules]]."
        "\n\n## After\n\nThe secretary publishes the minutes.",
        category=Page.Category.GUIDE,
        visibility=Page.Visibility.PUBLIC,
    )
    return {"first": first, "second": second, "third": third, "page": page}


def cast_vote(browser_page, address: str, choice: str) -> None:
    browser_page.goto(address)
    form = browser_page.locator(".vote-form")
    form.get_by_label(choice, exact=True).check()
    form.get_by_role("button", name=re.compile("(Cast|Change) my vote")).click()
    expect(browser_page.get_by_role("status")).to_contain_text(f"Your vote is recorded: {choice}")


def test_a_stale_save_is_refused_with_the_diff_and_nothing_lost(new_page, members, sign_in):
    edit_address = f"/handbook/pages/{members['page'].slug}/edit/"
    first, second = new_page(), new_page()
    sign_in(first, members["first"])
    sign_in(second, members["second"])

    # Both open the editor on the same revision.
    first.goto(edit_address)
    second.goto(edit_address)
    expect(first.get_by_label("Markdown text")).to_have_value(ORIGINAL)
    expect(second.get_by_label("Markdown text")).to_have_value(ORIGINAL)

    theirs = ORIGINAL + "\nCover lasts until you are back."
    first.get_by_label("Markdown text").fill(theirs)
    first.get_by_label("Summary of your change").fill("How long cover lasts")
    first.get_by_role("button", name="Save").click()
    expect(first.get_by_role("status")).to_contain_text("Saved revision 2")
    expect(first.locator("#page-body")).to_contain_text("Cover lasts until you are back.")

    mine = ORIGINAL.replace("a colleague", "a colleague in your group")
    second.get_by_label("Markdown text").fill(mine)
    second.get_by_label("Summary of your change").fill("Cover comes from your group")
    second.get_by_role("button", name="Save").click()

    # Refused: the message, the diff, both texts; my text is still in the editor.
    expect(second.locator("#conflict")).to_contain_text(
        "Someone saved this page while you were editing"
    )
    expect(second.locator("#conflict")).to_contain_text("nothing is lost")
    diff = second.locator("#conflict-diff .diff-table")
    expect(diff).to_be_visible()
    expect(diff).to_contain_text("Cover lasts until you are back.")
    expect(diff).to_contain_text("in your group")
    expect(second.locator("#latest-text")).to_contain_text("Cover lasts until you are back.")
    expect(second.locator("#my-text")).to_contain_text("a colleague in your group")
    expect(second.get_by_label("Markdown text")).to_have_value(mine)
    expect(second.get_by_label("Summary of your change")).to_have_value(
        "Cover comes from your group"
    )
    second.screenshot(path=str(SCREENSHOTS / "handbook-conflict.png"), full_page=True)
    assert Page.objects.get(pk=members["page"].pk).body == theirs

    # Merge their line into mine and save again: it goes through.
    merged = mine + "\nCover lasts until you are back."
    second.get_by_label("Markdown text").fill(merged)
    second.get_by_role("button", name="Save my merged text").click()
    expect(second.get_by_role("status")).to_contain_text("Saved revision 3")
    expect(second.locator("#page-body")).to_contain_text("a colleague in your group")
    expect(second.locator("#page-body")).to_contain_text("Cover lasts until you are back.")
    assert Page.objects.get(pk=members["page"].pk).body == merged
    expect(second.locator("#backlinks")).to_contain_text("Meetings and minutes")
    second.screenshot(path=str(SCREENSHOTS / "handbook-page.png"), full_page=True)

    # A red link takes a member to a prefilled "new page" form.
    second.get_by_role("link", name="Meetings and minutes").click()
    expect(second.locator("a.wikilink.missing")).to_have_text("Quorum rules")
    second.locator("a.wikilink.missing").click()
    second.get_by_role("link", name="Create “Quorum rules”").click()
    expect(second.get_by_label("Title")).to_have_value("Quorum rules")
    second.goto("/handbook/")
    second.screenshot(path=str(SCREENSHOTS / "handbook-index.png"), full_page=True)


def test_a_two_thirds_decision_follows_the_votes(new_page, members, sign_in):
    first, second, third = new_page(), new_page(), new_page()
    sign_in(first, members["first"])
    sign_in(second, members["second"])
    sign_in(third, members["third"])

    # The first member records the meeting with its three attendees.
    first.goto("/handbook/meetings/")
    form = first.locator(".meeting-form")
    form.get_by_label("Title").fill("Spring members' meeting")
    form.get_by_label("Date").fill("2030-04-01")
    form.get_by_label("Attendees").select_option(label=["Member A", "Member B", "Member C"])
    form.get_by_label("Agenda").fill("1. Adopt the cover policy")
    form.get_by_label("Minutes").fill("Three members met. The cover policy was put to a vote.")
    form.get_by_role("button", name="Record the meeting").click()
    expect(first.get_by_role("heading", level=1)).to_have_text("Spring members' meeting")
    expect(first.locator(".attendees")).to_contain_text("Member C")

    # A two-thirds decision. Who votes and the quorum follow the alliance's rules, not the
    # form: the three working members, and half of them (two) for a quorum.
    first.get_by_text("Record a decision…").click()
    decision_form = first.locator(".decision-form")
    decision_form.get_by_label("Motion").fill("Adopt the cover policy as written")
    decision_form.get_by_label("Rule").select_option(label="Two thirds")
    expect(decision_form.get_by_label("Quorum")).to_have_count(0)
    decision_form.get_by_role("button", name="Record the decision").click()
    expect(first.get_by_role("heading", level=1)).to_have_text("Adopt the cover policy as written")
    expect(first.locator(".eligible li")).to_have_count(3)
    expect(first.locator("#rule-explanation")).to_contain_text("Abstentions are not counted")
    expect(first.locator("#outcome")).to_contain_text("No quorum")
    decision_address = first.url

    cast_vote(first, decision_address, "For")
    cast_vote(second, decision_address, "For")
    cast_vote(third, decision_address, "Against")
    expect(third.locator("#outcome")).to_contain_text("Passed")
    expect(third.locator("#quorum-status")).to_contain_text("quorum reached")
    third.screenshot(path=str(SCREENSHOTS / "handbook-decision.png"), full_page=True)

    # The second member changes their vote: two against one is not two thirds.
    cast_vote(second, decision_address, "Against")
    expect(second.locator("#outcome")).to_contain_text("Failed")
    expect(second.locator("#superseded-votes")).to_contain_text("Member B")

    first.goto("/handbook/decisions/")
    row = first.locator(".decisions-table tbody tr", has_text="Adopt the cover policy")
    expect(row).to_contain_text("Failed")
    expect(row).to_contain_text("Spring members' meeting")
