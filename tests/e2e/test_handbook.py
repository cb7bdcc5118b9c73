"""The handbook in a real browser: two members edit the same page at
once, the second save is refused with the diff shown and nothing lost, and then saved after
merging; a meeting records a two-thirds decision whose outcome follows the votes. At 1280 and at
390 px: a page shows its title once, search shows plain snippets with the matches marked, the
editor previews without saving (without JavaScript too), and a meeting's attendees are tick
boxes; every page visited there fits the screen and has no serious axe-core finding.

Screenshots of the conflict and the decision go to E2E_SCREENSHOT_DIR (default /tmp).
"""

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from handbook import services
from handbook.models import Meeting, Page, PageRevision
from tests.helpers import axe_report, axe_violations, member_with_password

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOT_DIR", tempfile.gettempdir()))
ORIGINAL = "Name a colleague who covers your clients.\nTell the intake desk before you go."
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


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
    expect(browser_page.get_by_role("status")).to_contain_text(f"is recorded: {choice}")


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
    expect(first.get_by_role("status")).to_contain_text(
        "Saved revision 2 of Cover during time away."
    )
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
    attendees = form.get_by_role("group", name="Attendees")
    for name in ("Member A", "Member B", "Member C"):
        attendees.get_by_label(name).check()
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


# --- Reading, searching, previewing and recording, at both sizes ---------------------------------


def check_page(browser_page, where: str) -> None:
    """The page fits the window (no sideways scroll) and has no serious axe-core finding."""
    overflow = browser_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{where} scrolls sideways by {overflow}px"
    violations = axe_violations(browser_page)
    assert violations == [], axe_report(where, violations)


@pytest.fixture
def titled(members):
    """A page whose Markdown opens with its own title, as the starter pages do."""
    return services.page_create(
        actor=members["first"].user,
        title="Outside referrals",
        body="# Outside referrals\n\nWhen **nobody** fits, we refer out: see "
        "[[Cover during time away|the cover procedure]] and [the list](https://example.org).\n\n"
        "## Who to name\n\n- Two `outside professionals` per referral",
        visibility=Page.Visibility.PUBLIC,
    )


@pytest.mark.parametrize("size", SIZES)
def test_a_page_shows_its_title_once_and_search_shows_plain_snippets(
    new_page, members, titled, sign_in, size
):
    browser_page = new_page(viewport=SIZES[size])
    sign_in(browser_page, members["first"])

    browser_page.goto(titled.get_absolute_url())
    expect(browser_page.get_by_role("heading", level=1)).to_have_count(1)
    expect(browser_page.get_by_role("heading", level=1)).to_have_text("Outside referrals")
    expect(browser_page.locator("#page-body")).not_to_contain_text("Outside referrals")
    expect(browser_page.locator("#page-body h2")).to_have_text("Who to name")
    check_page(browser_page, f"the page ({size})")

    browser_page.goto("/handbook/search/?q=referral")
    hit = browser_page.locator(".search-hit").filter(has_text="Outside referrals")
    snippet = hit.locator(".search-snippet")
    expect(snippet.locator("mark").first).to_have_text(re.compile("^referral", re.I))
    text = snippet.inner_text()
    assert "nobody fits" in text and "the cover procedure" in text
    for syntax in ("#", "**", "[[", "](", "`"):
        assert syntax not in text, text
    check_page(browser_page, f"search ({size})")
    browser_page.screenshot(path=str(SCREENSHOTS / f"handbook-search-{size}.png"), full_page=True)


@pytest.mark.parametrize("size", SIZES)
def test_the_editor_previews_without_saving(new_page, members, sign_in, size):
    page = members["page"]
    # Without JavaScript: the preview is a plain form post, rendered by the server.
    browser_page = new_page(viewport=SIZES[size], javascript_enabled=False)
    sign_in(browser_page, members["first"])
    browser_page.goto(f"/handbook/pages/{page.slug}/edit/")
    draft = "## Who covers\n\nA **named** colleague in [[Meetings and minutes|your group]]."
    browser_page.get_by_label("Markdown text").fill(draft)
    browser_page.get_by_role("button", name="Preview").click()

    preview = browser_page.get_by_role("region", name="Preview: Cover during time away")
    expect(preview.get_by_role("heading", name="Who covers")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("named")
    expect(preview.get_by_role("link", name="your group")).to_be_visible()
    expect(browser_page.get_by_label("Markdown text")).to_have_value(draft)
    assert Page.objects.get(pk=page.pk).body == ORIGINAL
    assert PageRevision.objects.filter(page=page).count() == 1
    browser_page.screenshot(path=str(SCREENSHOTS / f"handbook-preview-{size}.png"), full_page=True)

    browser_page.get_by_role("button", name="Save", exact=True).click()
    expect(browser_page.get_by_role("status")).to_contain_text(
        "Saved revision 2 of Cover during time away."
    )
    assert Page.objects.get(pk=page.pk).body == draft

    # A new page previews the same way, and nothing is created until it is.
    browser_page.goto("/handbook/new/")
    browser_page.get_by_label("Title").fill("Quorum rules")
    browser_page.get_by_label("Markdown text").fill("Half of the **working** members.")
    browser_page.get_by_role("button", name="Preview").click()
    expect(browser_page.locator("#preview strong")).to_have_text("working")
    assert not Page.objects.filter(title="Quorum rules").exists()

    # The preview passes the checks with JavaScript on (axe-core runs in the page).
    checked = new_page(viewport=SIZES[size])
    sign_in(checked, members["second"])
    checked.goto("/handbook/new/")
    checked.get_by_label("Title").fill("Quorum rules")
    checked.get_by_label("Markdown text").fill("## Counting\n\nHalf of the **working** members.")
    checked.get_by_role("button", name="Preview").click()
    expect(checked.locator("#preview h2", has_text="Counting")).to_be_visible()
    check_page(checked, f"the new page's preview ({size})")
    checked.get_by_role("button", name="Create page").click()
    expect(checked.get_by_role("status")).to_contain_text("Created the page Quorum rules.")
    expect(checked.get_by_role("heading", level=1)).to_have_text("Quorum rules")


@pytest.mark.parametrize("size", SIZES)
def test_a_meeting_records_attendees_ticked_by_name(new_page, members, sign_in, size):
    browser_page = new_page(viewport=SIZES[size])
    sign_in(browser_page, members["first"])
    browser_page.goto("/handbook/meetings/")
    form = browser_page.locator(".meeting-form")
    attendees = form.get_by_role("group", name="Attendees")
    boxes = attendees.get_by_role("checkbox")
    expect(boxes).to_have_count(3)
    names = [label.strip() for label in attendees.locator("label").all_inner_texts()]
    assert names == ["Member A", "Member B", "Member C"]
    check_page(browser_page, f"meetings ({size})")

    form.get_by_label("Title").fill("December members' meeting")
    form.get_by_label("Date").fill("2030-12-10")
    attendees.get_by_label("Member A").check()
    attendees.get_by_label("Member C").check()
    form.get_by_label("Minutes").fill("Two members met.")
    form.get_by_role("button", name="Record the meeting").click()

    expect(browser_page.get_by_role("status")).to_contain_text(
        "Recorded the meeting December members' meeting of 10 December 2030, with its minutes."
    )
    expect(browser_page.locator(".attendees li")).to_have_text(["Member A", "Member C"])
    expect(browser_page.locator("#minutes-link")).to_contain_text(
        "Minutes: December members' meeting (2030-12-10)"
    )
    expect(browser_page.get_by_role("main")).not_to_contain_text("Minutes: Minutes:")
    check_page(browser_page, f"the meeting ({size})")
    meeting = Meeting.objects.get()
    assert sorted(meeting.attendees.values_list("display_name", flat=True)) == [
        "Member A",
        "Member C",
    ]
