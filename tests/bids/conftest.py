"""Fixtures of the bid tests, by the names the tests ask for: members (``trio``; ``lead``,
``second`` and ``third`` at the API tests' rates), a bid at work (``working``, for the statement's
tests) and the bid pages' people, request and bid.

A test module may define a fixture of the same name for its own people; its own wins there."""

from decimal import Decimal

import pytest

from intake.bids import states, team, terms
from intake.models import Request
from intake.services import request_submit
from intake.workflow import request_apply
from network.models import Consultant
from tests.bids.api_helpers import working_member
from tests.bids.helpers import member, named_member, working_bid
from tests.bids.page_helpers import LEAD_RATE, SECOND_RATE, THIRD_RATE, start_bid
from tests.factories import (
    ConsultantFactory,
    ConsultantSkillFactory,
    RequestFactory,
    SkillFactory,
)


@pytest.fixture
def trio(db):
    """A lead and two members with different standard rates."""
    return member("100.00"), member("80.00"), member("60.00")


@pytest.fixture
def lead():
    return working_member("100")


@pytest.fixture
def second():
    return working_member("80")


@pytest.fixture
def third():
    return working_member("60")


@pytest.fixture
def working(db, intake_coordinator):
    """A bid at work for 30 days: a lead (100/h), two members (80/h and 60/h), price 9000."""
    lead, second, third = member("100.00"), member("80.00"), member("60.00")
    return working_bid(intake_coordinator, lead, second, third), lead, second, third


# --- The bid pages ---------------------------------------------------------------------------


@pytest.fixture
def people(db, intake_coordinator):
    civicrm = SkillFactory(name="CiviCRM")
    accessibility = SkillFactory(name="Web accessibility")
    lead = ConsultantFactory(display_name="Lead Member", hourly_rate=Decimal(LEAD_RATE))
    ConsultantSkillFactory(consultant=lead, skill=civicrm, level=5)
    second = ConsultantFactory(display_name="Second Member", hourly_rate=Decimal(SECOND_RATE))
    ConsultantSkillFactory(consultant=second, skill=accessibility, level=4)
    third = ConsultantFactory(display_name="Third Member", hourly_rate=Decimal(THIRD_RATE))
    other = ConsultantFactory(display_name="Other Member")
    applicant = ConsultantFactory(display_name="Applicant", status=Consultant.Status.APPLICANT)
    return {
        "anonymous": None,
        "applicant": applicant.user,
        "other member": other.user,
        "team member": second.user,
        "lead": lead.user,
        "intake coordinator": intake_coordinator,
        "_lead": lead,
        "_second": second,
        "_third": third,
        "_other": other,
    }


@pytest.fixture
def bidding(db):
    return RequestFactory(
        status=Request.Status.BIDDING,
        title="A new donor CRM and an accessible website",
        budget_max=Decimal("15000"),
        estimated_hours=120,
        skills=["CiviCRM", "web accessibility", "Drupal"],
    )


@pytest.fixture
def bid(bidding, people):
    """A draft bid: the lead on the team, the second member invited and accepted."""
    started = start_bid(bidding, people)
    team.bid_member_respond(bid_id=started.pk, actor=people["team member"], accept=True)
    started.refresh_from_db()
    return started


# --- A bid on a request filed through the front door (the client's status page, the admin) ---


def _to_bidding(request, coordinator):
    for action in ("contact", "triage", "start_bidding"):
        request.refresh_from_db()
        request_apply(
            request_id=request.pk, action=action, actor=coordinator, version=request.version
        )


@pytest.fixture
def signed_for_client(intake_coordinator):
    """A request taken through a whole bid to settlement; returns (submission, bid)."""
    submission = request_submit(
        organization_name="Harbor Literacy Project",
        contact_name="Contact One",
        contact_email="contact@harbor.example.org",
        title="Rebuild our volunteer scheduling system",
        description="Three sites, two hundred volunteers, a spreadsheet that breaks.",
    )
    _to_bidding(submission.request, intake_coordinator)
    lead, second = named_member("Member Lead", "97.00"), named_member("Member Second", "83.00")
    bid = team.bid_create(
        request_id=submission.request.pk,
        actor=lead.user,
        price="7777.00",
        alliance_share_percent="5",
        lead_estimated_hours="40",
        invite=[{"consultant": second.pk, "role": "Developer", "estimated_hours": "30"}],
    )
    team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
    states.bid_send(bid_id=bid.pk, actor=lead.user)
    for signer in (lead, second):
        terms.agreement_sign(bid_id=bid.pk, actor=signer.user, agreement_version=2)
    return submission, bid, lead, second
