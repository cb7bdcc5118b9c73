"""The secretary's journey: signing in lands on the desk; the handbook (its index, a page, a
search); a meeting recorded with its attendees and minutes, the minutes read as a handbook page; a
decision opened at the meeting, two members voting through their own pages, the secretary closing
the vote with the outcome final; an action item added for a member and marked done. Every page is
checked by the journey harness (tests/e2e/journey.py) at 1280 px and, as it stands at that step, on
the person's phone at 390 px."""

import re

import pytest
from playwright.sync_api import expect

from handbook.models import ActionItem, Decision, Meeting
from tests.e2e.journey import path_of
from tests.e2e.journeys_setup import handbook_record

pytestmark = pytest.mark.e2e

MEETING = "Spring members' meeting"
MOTION = "Adopt the cover policy as written"
ACTION = "Publish the cover policy in the newsletter"


def test_the_secretary_keeps_the_record(person_at_both_sizes, transactional_db):
    person = person_at_both_sizes
    record = handbook_record()
    secretary = person(record["secretary"])
    page = secretary.page
    expect(page).to_have_url(re.compile(r"/desk/$"))
    secretary.check()

    # The handbook: its index, a page, a search.
    secretary.visit("/handbook/")
    page.get_by_role("main").get_by_role("link", name="How we work").first.click()
    secretary.heading("How we work")
    secretary.check()
    secretary.visit("/handbook/search/?q=cover+colleague")
    results = page.get_by_role("main")
    expect(results.get_by_role("link", name="Cover during time away")).to_be_visible()

    # A meeting with its three attendees and its minutes.
    secretary.visit("/handbook/meetings/")
    secretary.submit(
        "Record the meeting",
        {
            "Title": MEETING,
            "Date": "2030-04-01",
            "Attendees": ["Member A", "Member B", "Member C"],
            "Agenda": "1. Adopt the cover policy",
            "Minutes": "Three members met. The cover policy was put to a vote.",
        },
    )
    secretary.done(f"Recorded the meeting {MEETING}")
    secretary.heading(MEETING)
    secretary.check()
    meeting_path = re.sub(r"#.*$", "", path_of(page))
    page.get_by_role("link", name="Read the minutes").click()
    expect(page.get_by_role("main")).to_contain_text("The cover policy was put to a vote.")
    secretary.check()

    # A decision at the meeting: the members vote on their own pages.
    secretary.visit(meeting_path, check=False)
    page.get_by_text("Record a decision…").click()
    secretary.submit("Record the decision", {"Motion": MOTION, "Rule": "Simple majority"})
    secretary.done("its 3 eligible members can vote now")
    secretary.heading(MOTION)
    secretary.check()
    decision_path = path_of(page)
    for letter, choice in (("A", "For"), ("B", "For")):
        member = person(record[letter])
        member.visit(decision_path)
        member.submit(re.compile("(Cast|Change) my vote"), {"Vote": choice})
        member.done(f"is recorded: {choice}")
        member.check()

    # The secretary closes the vote: the outcome is final.
    secretary.visit(decision_path, check=False)
    expect(page.get_by_role("main")).to_contain_text("Passed")
    secretary.submit("Close voting")
    secretary.done("Final outcome: Passed")
    secretary.check()
    decision = Decision.objects.get()
    assert decision.closed_at is not None and decision.votes.count() == 2

    # An action item for Member C, then marked done.
    secretary.visit(meeting_path, check=False)
    page.get_by_text("Add an action item…").click()
    secretary.submit(
        "Add the action item",
        {"What is to be done": ACTION, "Owner": "Member C", "Due": "2030-05-01"},
    )
    secretary.done(f"Added the action item “{ACTION}” for Member C")
    secretary.check()
    items = page.get_by_role("region", name="Action items")
    item = items.get_by_role("row").filter(has_text=ACTION)
    secretary.submit("Mark done", within=item)
    secretary.done(f"Marked the action item “{ACTION}” as done.")
    expect(items.get_by_role("row").filter(has_text=ACTION)).to_contain_text("Done")
    secretary.check()

    meeting = Meeting.objects.get()
    assert meeting.minutes is not None and meeting.attendees.count() == 3
    assert ActionItem.objects.get().done_at is not None
