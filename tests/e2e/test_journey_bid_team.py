"""A bid team's journey: the lead offers to lead a large request from the
bid board and starts the bid, invites a colleague, who joins from My bids; the lead sends the
agreement, both sign it, the lead submits the bid, the intake coordinator records that the
client took it, the lead starts the work, both log hours, the lead proposes the statement and
both approve it: the bid is settled. Each step is followed on the workspace's stepper (the stage
marked current); every page is checked by the journey harness (tests/e2e/journey.py), at 1280 px
and, as it stands at each step, on each person's phone at 390 px (the journey is long: it runs
once, and the phones open the pages without making the moves again).

The people and the request are those of test_bid_journey.py (journeys_setup.bid_team); that
module follows the full three-member story with a price change and a dispute, this one the
shortest road to a settled bid through every stage, at both sizes.
"""

import re

import pytest
from playwright.sync_api import expect

from intake.bids.models import Bid
from intake.models import Request
from matching import adapter
from tests.e2e.journey import path_of
from tests.e2e.journeys_setup import BID_TITLE, bid_team

pytestmark = pytest.mark.e2e


@pytest.fixture
def team(transactional_db):
    adapter.forget_index()
    yield bid_team()
    adapter.forget_index()


def open_bid(journey, bid_path: str, section: str) -> None:
    """The workspace at ``section`` (its tab), checked."""
    journey.visit(f"{bid_path}?section={section}")
    journey.heading(BID_TITLE)


def at_stage(journey, label: str) -> None:
    """The workspace's stepper marks ``label`` as the current stage."""
    expect(journey.page.locator('[aria-current="step"]')).to_contain_text(label)


def test_a_bid_team_goes_from_the_board_to_a_settled_bid(person_at_both_sizes, team):
    person = person_at_both_sizes
    # The lead finds the request on the bid board and starts a bid.
    lead = person(team["A"])
    lead.visit("/bids/board/")
    card = lead.page.locator(".bid-board-item", has_text=BID_TITLE)
    card.get_by_role("link", name="Offer to lead").click()
    lead.check()
    expect(lead.page.get_by_label("Price")).to_have_value(re.compile(r"^12,?000\.00$"))
    lead.submit("Start the bid", {"Your estimated hours": "40"})
    lead.done(re.compile(r"bid .*is started", re.I))
    expect(lead.page).to_have_url(re.compile(r"/bids/\d+/"))
    bid_path = re.sub(r"\?.*$", "", path_of(lead.page))
    at_stage(lead, "Team")
    lead.check()

    # The lead invites Member B, who joins from My bids.
    open_bid(lead, bid_path, "team")
    lead.submit("Invite", {"Member": "Member B", "Role": "Website", "Estimated hours": "30"})
    lead.done("Invitation sent to Member B")
    lead.check()
    colleague = person(team["B"])
    colleague.visit("/my/bids/")
    invitation = colleague.page.locator(".my-bid-invitation", has_text=BID_TITLE)
    colleague.submit("Accept", within=invitation)
    colleague.done("You joined the team")
    colleague.check()

    # The lead sends the agreement; both sign it.
    open_bid(lead, bid_path, "agreement")
    at_stage(lead, "Agreement")
    lead.submit("Send for signature")
    lead.done(re.compile(r"sent to the team for signature|out for signature", re.I))
    at_stage(lead, "Signatures")
    lead.check()
    for signer in (lead, colleague):
        open_bid(signer, bid_path, "agreement")
        signer.submit(re.compile(r"^Sign version \d+$"))
        signer.done(re.compile(r"You signed (version \d+ of )?the agreement"))
    at_stage(colleague, "Submitted")
    colleague.check()

    # The lead submits it; the intake coordinator records that the client took it.
    open_bid(lead, bid_path, "agreement")
    lead.submit("Yes, submit the bid to the client")
    lead.done("is submitted to the client")
    at_stage(lead, "Won")
    lead.check()
    intake = person(team["intake"])
    open_bid(intake, bid_path, "agreement")
    intake.submit("Yes, record the bid as won")
    intake.done(re.compile(r"the client took the bid|answer is recorded", re.I))
    at_stage(intake, "Work")
    intake.check()

    # The lead starts the work; both log hours.
    open_bid(lead, bid_path, "hours")
    lead.submit("Start the work")
    lead.done(re.compile(r"work (has )?started", re.I))
    lead.check()
    for worker, hours in ((lead, "12"), (colleague, "9.5")):
        open_bid(worker, bid_path, "hours")
        worker.submit("Log hours", {"Hours": hours, "Note": "Worked on it"})
        worker.done(re.compile(r"hours (are )?logged", re.I))
    colleague.check()

    # The lead proposes the statement; both approve it, the lead last (asked to confirm): it is
    # final.
    open_bid(lead, bid_path, "settlement")
    lead.submit("Propose the statement", {"Who collected the client's payment": "Member A"})
    lead.done(re.compile(r"statement (is )?proposed", re.I))
    at_stage(lead, "Settlement")
    lead.check()
    open_bid(colleague, bid_path, "settlement")
    colleague.submit("Approve the statement")
    colleague.done("You approved the statement.")
    open_bid(lead, bid_path, "settlement")
    lead.submit("Yes, approve: the statement is final")
    lead.done("You approved the statement.")
    expect(lead.page.get_by_role("main")).to_contain_text("the bid is settled")
    lead.check()

    bid = Bid.objects.get()
    assert bid.status == Bid.Status.SETTLED
    assert bid.settlements.get(state="final").approvals.count() == 2
    assert Request.objects.get().status == Request.Status.COMPLETED
