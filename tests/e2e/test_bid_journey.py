"""A team bid through the pages, each person in their own browser context: a large request open for
bids, a member offering to lead from the bid board, a proposed team invited, the invitations
accepted, the agreement sent and signed, a price change voiding the signatures, everyone signing
again, the bid submitted and won, hours logged, the statement proposed with the lead as collector
and adding up to the pool, a member disputing it, the hours corrected, a new statement proposed, and
every member approving it: then it is final.

A second journey: a member goes on leave before approving, so they can no longer open the bid;
the intake coordinator approves on their behalf with a reason, and the team reads who approved
for whom and why.

Screenshots of the board, the workspace, the proposed statement and the approval on a member's
behalf go to E2E_SCREENSHOT_DIR (default /tmp).
"""

import os
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intake.bids import settlement, work
from intake.bids.models import Bid
from intake.models import Request
from matching import adapter
from network import services
from network.models import Consultant
from network.roles import Role
from tests.e2e.conftest import member_with_password
from tests.factories import ConsultantSkillFactory, RequestFactory, SkillFactory
from tests.helpers import bid_at_work

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOT_DIR", tempfile.gettempdir()))
TITLE = "A new donor CRM and an accessible website"


@pytest.fixture
def alliance(transactional_db):
    """Three members with one skill each, an intake coordinator, and a request open for bids
    that needs all three skills."""
    services.languages_ensure()
    adapter.forget_index()
    members = {}
    for letter, skill_name in (("A", "CiviCRM"), ("B", "Web accessibility"), ("C", "Drupal")):
        member = member_with_password(display_name=f"Member {letter}")
        ConsultantSkillFactory(consultant=member, skill=SkillFactory(name=skill_name), level=5)
        members[letter] = member
    intake = member_with_password(display_name="Intake Desk")
    services.user_grant_role(user=intake.user, role=Role.INTAKE_COORDINATOR)
    request = RequestFactory(
        status=Request.Status.BIDDING,
        title=TITLE,
        budget_max=Decimal("12000"),
        estimated_hours=90,
        skills=["CiviCRM", "Web accessibility", "Drupal"],
    )
    yield {**members, "intake": intake, "request": request}
    adapter.forget_index()


def done(page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def open_bid(page, bid_path: str) -> None:
    page.goto(bid_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def sign(page, bid_path: str, number: int) -> None:
    open_bid(page, bid_path)  # the agreement, while it is out for signature
    page.get_by_role("button", name=f"Sign version {number}").click()
    done(page, f"You signed version {number} of the agreement.")


def log_hours(page, bid_path: str, hours: str) -> None:
    open_bid(page, bid_path)  # the hours, while the work goes on
    form = page.locator(".hours-form")
    form.get_by_label("Hours", exact=True).fill(hours)
    form.get_by_label("Note").fill("Worked on it")
    page.get_by_role("button", name="Log hours").click()
    done(page, f"Hours logged: {hours} on ")


def propose(page, bid_path: str) -> None:
    open_bid(page, f"{bid_path}?section=settlement")
    page.get_by_label("Who collected the client's payment").select_option(label="Member A")
    page.get_by_role("button", name="Propose the statement").click()
    done(page, "Statement proposed: ")


def approve(page, bid_path: str, *, last: bool = False) -> None:
    open_bid(page, bid_path)  # the statement, while it waits for approvals
    if last:  # the approval that makes it final asks to confirm
        page.get_by_text("Approve the statement…").click()
        page.get_by_role("button", name="Yes, approve: the statement is final").click()
    else:
        page.get_by_role("button", name="Approve the statement").click()
    done(page, "You approved the statement.")


def test_a_team_bid_from_the_board_to_an_approved_statement(new_page, alliance, sign_in):
    # Member A finds the request on the bid board and offers to lead.
    lead = new_page()
    sign_in(lead, alliance["A"])
    nav = lead.get_by_role("navigation", name="Main")
    nav.locator("summary", has_text="My work").click()
    nav.get_by_role("link", name="Bid board").click()
    card = lead.locator(".bid-board-item", has_text=TITLE)
    expect(card).to_contain_text("Drupal")
    expect(card).not_to_contain_text(alliance["request"].contact.email)
    lead.screenshot(path=str(SCREENSHOTS / "bid-board.png"), full_page=True)
    card.get_by_role("link", name="Offer to lead").click()
    expect(lead.get_by_label("Price")).to_have_value("12000.00")
    lead.get_by_label("Your estimated hours").fill("30")
    lead.get_by_role("button", name="Start the bid").click()
    done(lead, "is started. Invite the team next.")
    expect(lead).to_have_url(re.compile(r"/bids/\d+/$"))
    bid_path = lead.url.removeprefix(lead.url.split("/bids/")[0])
    expect(lead.locator(".uncovered-skills")).to_contain_text("Web accessibility, Drupal")

    # A proposed team covers every skill: A invites it in one click.
    team = lead.locator(".proposed-team", has_text="Member B").filter(has_text="Member C").first
    team.get_by_role("button", name="Invite this team").click()
    done(lead, "Invitations sent to Member")
    expect(lead.locator(".uncovered-skills")).to_contain_text("Every skill the request names")

    # B and C accept from their own "My bids".
    members = {}
    for letter in ("B", "C"):
        page = new_page()
        sign_in(page, alliance[letter])
        nav = page.get_by_role("navigation", name="Main")
        nav.locator("summary", has_text="My work").click()
        nav.get_by_role("link", name="My bids").click()
        page.locator(".my-bid-invitation", has_text=TITLE).get_by_role(
            "button", name="Accept"
        ).click()
        done(page, "You joined the team bidding on")
        members[letter] = page

    # A sends the agreement; A and B sign it.
    open_bid(lead, bid_path)
    lead.get_by_role("button", name="Send for signature").click()
    done(lead, "sent to the team for signature")
    expect(lead.locator("#bid-status")).to_have_text("Agreement out for signature")
    heading = lead.get_by_role("heading", name=re.compile(r"^Agreement, version \d+$"))
    first_version = int(heading.inner_text().rsplit(" ", 1)[1])
    sign(lead, bid_path, first_version)
    sign(members["B"], bid_path, first_version)
    expect(members["B"].locator(".agreement-summary")).to_contain_text("2 of 3 signed")

    # A changes the price: a new version, and the two signatures no longer count.
    open_bid(lead, bid_path)
    lead.locator("#terms_price").fill("11000.00")
    lead.get_by_role("button", name="Change the terms").click()
    done(lead, "Terms saved: the agreement is now version")
    second_version = first_version + 1
    expect(lead.locator(".agreement-summary")).to_contain_text(
        f"Version {second_version} · 0 of 3 signed"
    )
    lead.screenshot(path=str(SCREENSHOTS / "bid-workspace.png"), full_page=True)

    # Everyone signs the new version: the agreement is in force.
    sign(lead, bid_path, second_version)
    sign(members["B"], bid_path, second_version)
    sign(members["C"], bid_path, second_version)
    expect(members["C"].locator("#bid-status")).to_have_text("Signed by every member")

    # A submits the bid; the intake coordinator records that the client took it.
    open_bid(lead, bid_path)
    lead.get_by_text("Submit to the client…").click()
    lead.get_by_role("button", name="Yes, submit the bid to the client").click()
    done(lead, "submitted to the client")
    intake = new_page()
    sign_in(intake, alliance["intake"])
    open_bid(intake, bid_path)
    intake.get_by_text("The client took the bid…").click()
    intake.get_by_role("button", name="Yes, record the bid as won").click()
    done(intake, "Recorded: the client took the bid")
    expect(intake.locator("#bid-status")).to_have_text("Won")

    # A starts the work; everyone logs hours.
    open_bid(lead, bid_path)
    lead.get_by_role("button", name="Start the work").click()
    done(lead, "The work started on")
    log_hours(lead, bid_path, "12")
    log_hours(members["B"], bid_path, "9.5")
    log_hours(members["C"], bid_path, "7.25")

    # A proposes the statement with themself as the collector of the client's payment.
    propose(lead, bid_path)
    statement = lead.locator("#statement")
    expect(statement).to_contain_text("Transfers owed")
    expect(statement.locator(".statement-pool")).to_have_text("USD\u00a011,000.00")
    pool = Decimal(statement.locator(".statement-pool").get_attribute("data-amount"))
    payouts = [
        Decimal(cell.get_attribute("data-amount")) for cell in statement.locator(".payout").all()
    ]
    assert len(payouts) == 3
    assert pool == Decimal("11000.00")
    assert sum(payouts) == pool
    expect(statement.get_by_role("link", name="Download CSV")).to_have_attribute(
        "href", f"/api/v1{bid_path}statement/csv/"
    )

    # C finds an hour missing and disputes the statement: it is withdrawn, the hours reopen.
    open_bid(members["C"], bid_path)
    c_statement = members["C"].locator("#statement")
    expect(c_statement).to_contain_text("What protects you")
    expect(c_statement.locator(".statement-to-approve")).to_have_text(
        "Member A, Member B, Member C"
    )
    members["C"].screenshot(path=str(SCREENSHOTS / "bid-statement.png"), full_page=True)
    members["C"].get_by_text("Dispute the statement…").click()
    members["C"].get_by_label("What is wrong").fill("My Friday hour is missing.")
    members["C"].get_by_role("button", name="Dispute the statement").click()
    done(members["C"], "You disputed the statement")
    expect(members["C"].locator("#statement")).to_have_count(0)
    log_hours(members["C"], bid_path, "1")

    # A proposes again; B, C and A approve, and with the last approval it is final.
    propose(lead, bid_path)
    for letter in ("B", "C"):
        approve(members[letter], bid_path)
        expect(members[letter].locator(".statement-state")).to_contain_text("Proposed")
    approve(lead, bid_path, last=True)
    expect(lead.locator(".statement-state")).to_contain_text("Final")
    expect(lead.locator("#bid-status")).to_have_text("Settled")

    bid = Bid.objects.get()
    assert bid.status == Bid.Status.SETTLED
    final = bid.settlements.get(state="final")
    assert final.approvals.count() == 3 and final.total_hours == Decimal("29.75")
    assert bid.settlements.get(state="disputed").dispute_reason == "My Friday hour is missing."
    assert Request.objects.get().status == Request.Status.COMPLETED


def test_a_coordinator_approves_for_a_member_who_went_on_leave(new_page, alliance, sign_in):
    lead, away, intake = alliance["A"], alliance["B"], alliance["intake"]
    bid = bid_at_work(request=alliance["request"], lead=lead, member=away, coordinator=intake.user)
    for consultant, hours in ((lead, "6"), (away, "4")):
        work.hours_log(bid_id=bid.pk, actor=consultant.user, date=timezone.localdate(), hours=hours)
    settlement.bid_settle(bid_id=bid.pk, actor=lead.user)
    settlement.statement_approve(bid_id=bid.pk, actor=lead.user)
    services.consultant_set_status(
        consultant=away, status=Consultant.Status.ON_LEAVE, reason="Six months away"
    )
    bid_path = f"/bids/{bid.pk}/"

    # Member B can no longer open the bid; the team sees why the statement waits.
    page = new_page()
    sign_in(page, lead)
    open_bid(page, bid_path)
    expect(page.locator(".statement-away")).to_contain_text(
        "Member B is no longer a working member"
    )
    expect(page.get_by_text("Approve for a member who no longer works…")).to_have_count(0)

    # The intake coordinator approves on B's behalf, saying why.
    desk = new_page()
    sign_in(desk, intake)
    open_bid(desk, bid_path)
    desk.get_by_text("Approve for a member who no longer works…").click()
    desk.get_by_label("The member you approve for").select_option(label="Member B (On leave)")
    reason = "Member B confirmed the 4 hours and the payout in writing before the leave."
    desk.get_by_label("Why you approve for them").fill(reason)
    desk.get_by_role("button", name="Approve on their behalf").click()
    done(desk, "You approved the statement on behalf of Member B")
    expect(desk.locator(".statement-state")).to_contain_text("Final")

    # The lead reads who approved for whom, and why; it was the last approval.
    open_bid(page, bid_path)
    expect(page.locator(".statement-on-behalf")).to_contain_text(
        "Approved by Intake Desk on behalf of Member B"
    )
    expect(page.locator(".statement-on-behalf")).to_contain_text(reason)
    expect(page.locator("#bid-status")).to_have_text("Settled")
    page.screenshot(path=str(SCREENSHOTS / "bid-statement-on-behalf.png"), full_page=True)
    approval = Bid.objects.get().settlements.get(state="final").approvals.get(consultant=away)
    assert (approval.recorded_by, approval.on_behalf_reason) == (intake.user, reason)
    assert Request.objects.get().status == Request.Status.COMPLETED
