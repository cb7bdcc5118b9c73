"""The bid pages outside a bid's workspace (``intake/bids/views.py``): the bid board and
volunteering from it, offering to lead (the start page), my bids and the nav. Who may open each,
what each person sees, and that every refusal changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.bids import team
from intake.bids.models import Bid, BidInterest, BidMember
from intake.models import Request
from tests.bids.page_helpers import (
    BOARD_CODES,
    PRICE,
    fresh,
    login_redirect,
    signed,
    start_bid,
    url,
)
from tests.factories import ConsultantFactory, RequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


# --- Who may open each page -----------------------------------------------------------------

# My bids is for working members too, like every bid page (an applicant gets 403).
MY_BIDS_CODES = BOARD_CODES


@pytest.mark.parametrize("role", BOARD_CODES)
def test_who_may_open_the_board(signed_in, people, bid, role):
    client = signed_in(people[role])
    response = client.get(reverse("bid-board"))
    assert response.status_code == BOARD_CODES[role]
    if role == "anonymous":
        assert response["Location"] == login_redirect(reverse("bid-board"))


@pytest.mark.parametrize("role", BOARD_CODES)
def test_who_may_open_the_start_page(signed_in, people, bidding, role):
    client = signed_in(people[role])
    address = reverse("bid-start", args=[bidding.pk])
    response = client.get(address)
    assert response.status_code == BOARD_CODES[role]
    if role == "anonymous":
        assert response["Location"] == login_redirect(address)


@pytest.mark.parametrize("role", MY_BIDS_CODES)
def test_who_may_open_my_bids(signed_in, people, bid, role):
    client = signed_in(people[role])
    response = client.get(reverse("my-bids"))
    assert response.status_code == MY_BIDS_CODES[role]


def test_nav_links_bid_pages(signed_in, people, admin):
    as_member = signed_in(people["other member"]).get(reverse("home")).content
    assert b">Bid board<" in as_member and b">My bids<" in as_member
    as_applicant = signed_in(people["applicant"]).get(reverse("home")).content
    assert b">Bid board<" not in as_applicant


# --- The board ------------------------------------------------------------------------------


def test_board_lists_bidding_requests_without_client_contact(signed_in, people, bidding):
    other = RequestFactory(status=Request.Status.TRIAGED, title="Not open for bids")
    response = signed_in(people["other member"]).get(reverse("bid-board"))
    html = response.content.decode()
    assert bidding.reference in html and "USD\u00a015,000.00" in html and "Drupal" in html
    assert "Offer to lead" in html
    assert reverse("bid-start", args=[bidding.pk]) in html
    assert other.title not in html
    assert bidding.contact.email not in html and bidding.contact.name not in html
    assert bidding.organization.website not in html


def test_board_shows_the_open_bid_its_lead_and_team(signed_in, people, bid):
    response = signed_in(people["other member"]).get(reverse("bid-board"))
    html = response.content.decode()
    assert "Lead Member" in html and "Second Member" in html and "Draft" in html
    assert reverse("bid-start", args=[bid.request_id]) not in html
    assert "Volunteer to join" in html
    assert PRICE not in html


def test_board_has_no_volunteer_form_for_members_on_the_bid(signed_in, people, bid):
    html = signed_in(people["team member"]).get(reverse("bid-board")).content.decode()
    assert "You are on this bid" in html and 'name="note"' not in html


def test_board_empty_state(signed_in, people):
    html = signed_in(people["other member"]).get(reverse("bid-board")).content.decode()
    assert "No request is open for team bids" in html


def test_volunteering_from_the_board(signed_in, people, bid):
    client = signed_in(people["other member"])
    address = reverse("bid-volunteer", args=[bid.request_id])
    response = client.post(address, {"note": "I know Drupal well."})
    assert response.status_code == 302 and response["Location"] == reverse("bid-board")
    interest = BidInterest.objects.get(consultant=people["_other"])
    assert interest.note == "I know Drupal well."
    # The lead sees the volunteer with an invite button, in the team section.
    html = (
        signed_in(people["lead"]).get(url("bid-workspace", bid) + "?section=team").content.decode()
    )
    assert "I know Drupal well." in html and "Invite Other Member" in html


def test_volunteering_on_a_request_not_bidding_is_a_404(signed_in, people):
    closed = RequestFactory(status=Request.Status.TRIAGED)
    response = signed_in(people["other member"]).post(
        reverse("bid-volunteer", args=[closed.pk]), {"note": ""}
    )
    assert response.status_code == 404
    assert not BidInterest.objects.exists()


def test_board_runs_a_fixed_number_of_queries(signed_in, people, django_assert_max_num_queries):
    for _ in range(4):
        request = RequestFactory(status=Request.Status.BIDDING, budget_max=Decimal("9000"))
        lead = ConsultantFactory()
        team.bid_create(
            request_id=request.pk,
            actor=lead.user,
            price="9000",
            lead_estimated_hours="10",
            invite=[{"consultant": ConsultantFactory().pk, "role": "Dev", "estimated_hours": "10"}],
        )
    RequestFactory(status=Request.Status.BIDDING)
    client = signed_in(people["other member"])
    # session, user, the user's roles (groups), their member record, (group coordinator check),
    # the requests, their open bids with the lead, the bids' seats with their members, my
    # volunteer notes, the navigation's counts (network.desk): ten whatever the number of
    # requests and bids.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("bid-board"))
    assert response.status_code == 200


# --- Offering to lead -----------------------------------------------------------------------


def test_a_member_offers_to_lead(signed_in, people, bidding):
    client = signed_in(people["lead"])
    page = client.get(reverse("bid-start", args=[bidding.pk])).content.decode()
    assert 'value="15000' in page  # the price starts at the client's budget
    assert 'name="lead"' not in page  # members lead their own bids
    response = client.post(
        reverse("bid-start", args=[bidding.pk]),
        {
            "price": "14000",
            "alliance_share_percent": "5",
            "split_mode": "rate_weighted",
            "due_date": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
            "lead_role": "CRM lead",
            "lead_estimated_hours": "50",
        },
    )
    created = Bid.objects.get(request=bidding)
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.lead == people["_lead"] and created.price == Decimal("14000")
    assert created.split_mode == "rate_weighted"
    assert created.members.get().role == "CRM lead"


def test_a_coordinator_chooses_the_lead(signed_in, people, bidding):
    client = signed_in(people["intake coordinator"])
    assert b'name="lead"' in client.get(reverse("bid-start", args=[bidding.pk])).content
    response = client.post(
        reverse("bid-start", args=[bidding.pk]),
        {
            "lead": people["_third"].pk,
            "price": "9000",
            "alliance_share_percent": "0",
            "split_mode": "equal_rate",
            "lead_role": "Lead",
            "lead_estimated_hours": "30",
        },
    )
    assert response.status_code == 302
    assert Bid.objects.get(request=bidding).lead == people["_third"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "0", "greater than or equal to 0.01"),
        ("alliance_share_percent", "60", "less than or equal to 50"),
        ("due_date", "2000-01-01", "The due date has passed."),
    ],
)
def test_a_bad_start_is_400_and_starts_nothing(signed_in, people, bidding, field, value, message):
    fields = {
        "price": "9000",
        "alliance_share_percent": "0",
        "split_mode": "equal_rate",
        "lead_role": "Lead",
        "lead_estimated_hours": "30",
        field: value,
    }
    response = signed_in(people["lead"]).post(reverse("bid-start", args=[bidding.pk]), fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Bid.objects.exists()


def test_a_second_lead_is_told_the_bid_exists_409(signed_in, people, bid):
    client = signed_in(people["other member"])
    page = client.get(reverse("bid-start", args=[bid.request_id])).content.decode()
    assert "already leads a bid" in page
    response = client.post(
        reverse("bid-start", args=[bid.request_id]),
        {
            "price": "9000",
            "alliance_share_percent": "0",
            "split_mode": "equal_rate",
            "lead_role": "Lead",
            "lead_estimated_hours": "30",
        },
    )
    assert response.status_code == 409
    assert Bid.objects.count() == 1


# --- My bids --------------------------------------------------------------------------------


def test_my_bids_lists_what_i_lead_am_on_or_am_invited_to(signed_in, people, bidding):
    bid = start_bid(bidding, people, invite_third=True)
    html = signed_in(people["lead"]).get(reverse("my-bids")).content.decode()
    assert bidding.reference in html and "(you)" in html
    html = signed_in(people["_third"].user).get(reverse("my-bids")).content.decode()
    assert "Invitations waiting for your answer" in html and url("bid-accept", bid) in html
    html = signed_in(people["other member"]).get(reverse("my-bids")).content.decode()
    assert bidding.reference not in html


def test_an_invitation_still_open_when_the_team_signs_is_closed(signed_in, people, bid):
    """The agreement comes into force once every accepted member signs, even with an
    invitation unanswered; that invitation is then closed (on the record), so the invitee is
    offered no answer that could only 409 and no longer sees the bid's money."""
    team.bid_invite(
        bid_id=bid.pk,
        actor=people["lead"],
        consultant=people["_third"].pk,
        role="Drupal",
        estimated_hours="20",
    )
    bid = signed(fresh(bid), people)
    seat = BidMember.objects.get(bid=bid, consultant=people["_third"])
    assert seat.status == BidMember.Status.REMOVED
    assert bid.events.filter(action="invitation_closed").exists()
    client = signed_in(people["_third"].user)
    workspace = client.get(url("bid-workspace", bid)).content.decode()
    assert "You are invited to this team" not in workspace
    assert f"{bid.price:,.2f}" not in workspace and str(bid.price) not in workspace
    html = client.get(reverse("my-bids")).content.decode()
    assert url("bid-accept", bid) not in html
