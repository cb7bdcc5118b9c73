"""The workspace's team actions (``intake/bids/views.py``): inviting a member or a proposed team,
accepting and declining an invitation, changing and removing a member. Each action goes through
and each refusal changes nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from intake.bids import terms
from intake.bids.models import BidMember
from tests.bids.page_helpers import (
    THIRD_RATE,
    fresh,
    messages_of,
    money,
    post,
    section,
    snapshot,
    start_bid,
    url,
)
from tests.factories import ConsultantSkillFactory, SkillFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


def test_invite_a_member(signed_in, people, bid):
    client = signed_in(people["lead"])
    response = post(
        client,
        "bid-invite",
        bid,
        {
            "version": bid.version,
            "consultant": people["_third"].pk,
            "role": "Drupal",
            "estimated_hours": "20",
        },
    )
    assert response.status_code == 302 and response["Location"] == section(bid, "team")
    seat = BidMember.objects.get(bid=bid, consultant=people["_third"])
    assert seat.status == BidMember.Status.INVITED and seat.standard_rate == Decimal(THIRD_RATE)
    assert "Invitation sent to Third Member." in client.get(section(bid, "team")).content.decode()


def test_invite_refusals_change_nothing(signed_in, people, bid):
    data = {
        "version": bid.version,
        "consultant": people["_third"].pk,
        "role": "Drupal",
        "estimated_hours": "20",
    }
    before = snapshot(bid)
    # A member who is not on the bid: 403.
    assert post(signed_in(people["other member"]), "bid-invite", bid, data).status_code == 403
    # A team member who does not lead: the service refuses (403).
    assert post(signed_in(people["team member"]), "bid-invite", bid, data).status_code == 403
    client = signed_in(people["lead"])
    # A stale version: back to the team section (303), saying the bid changed.
    response = post(client, "bid-invite", bid, {**data, "version": bid.version - 1})
    assert response.status_code == 303 and response["Location"] == section(bid, "team")
    assert messages_of(response) == [
        "The invitation was not sent: the bid changed after you opened the page. The latest "
        "change: Joined the team (Second Member). It is now draft. Check it as it is now, then "
        "try again if it still makes sense."
    ]
    # No role: 400 with the error next to the field.
    response = post(client, "bid-invite", bid, {**data, "role": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert snapshot(bid) == before


def test_invite_a_proposed_team(signed_in, people, bid):
    drupal = SkillFactory(name="Drupal")
    ConsultantSkillFactory(consultant=people["_third"], skill=drupal, level=5)
    client = signed_in(people["lead"])
    html = client.get(section(bid, "team")).content.decode()
    assert "Invite this team" in html
    response = post(
        client,
        "bid-invite-team",
        bid,
        {
            "version": bid.version,
            "member": [people["_third"].pk],
            "role": ["Drupal"],
            "estimated_hours": ["40"],
        },
    )
    assert response.status_code == 302
    assert BidMember.objects.get(bid=bid, consultant=people["_third"]).role == "Drupal"


def test_invite_a_team_is_all_or_nothing(signed_in, people, bid):
    before = snapshot(bid)
    client = signed_in(people["lead"])
    # The second member is already on the team: the whole team is refused.
    response = post(
        client,
        "bid-invite-team",
        bid,
        {
            "version": bid.version,
            "member": [people["_third"].pk, people["_second"].pk],
            "role": ["Drupal", "Design"],
            "estimated_hours": ["20", "20"],
        },
    )
    assert response.status_code == 400
    assert "already invited" in response.content.decode()
    assert snapshot(bid) == before


def test_accept_and_decline(signed_in, people, bidding):
    bid = start_bid(bidding, people, invite_third=True)
    # The invited members see the invitation, on the workspace and on my bids.
    client = signed_in(people["team member"])
    assert "You are invited to this team" in client.get(url("bid-workspace", bid)).content.decode()
    assert "Invitations waiting for your answer" in client.get(reverse("my-bids")).content.decode()
    response = post(client, "bid-accept", bid, {"version": bid.version})
    assert response.status_code == 302
    assert BidMember.objects.get(bid=bid, consultant=people["_second"]).status == "accepted"
    data = {"version": fresh(bid).version, "reason": "Booked."}
    response = post(signed_in(people["_third"].user), "bid-decline", bid, data)
    assert response.status_code == 302
    seat = BidMember.objects.get(bid=bid, consultant=people["_third"])
    assert seat.status == "declined" and seat.decline_reason == "Booked."


def test_answering_twice_or_uninvited_is_refused(signed_in, people, bid):
    before = snapshot(bid)
    data = {"version": bid.version}
    assert post(signed_in(people["other member"]), "bid-accept", bid, data).status_code == 403
    response = post(signed_in(people["team member"]), "bid-accept", bid, data)
    assert response.status_code == 303 and response["Location"] == section(bid, "agreement")
    assert messages_of(response) == [
        "You did not join the team. You have already answered this invitation (on the team). "
        "Nothing was changed."
    ]
    assert snapshot(bid) == before


@pytest.mark.parametrize("page", ["bid-workspace", "my-bids"])
@pytest.mark.parametrize("action", ["bid-accept", "bid-decline"])
def test_the_invitation_forms_carry_the_bid_version(signed_in, people, bidding, page, action):
    """The accept and decline forms, on the workspace and on my bids, send the version of the
    bid the member read, as the API requires."""
    bid = start_bid(bidding, people, invite_third=True)
    client = signed_in(people["_third"].user)
    html = client.get(url(page, bid) if page == "bid-workspace" else reverse(page)).content
    form = html.decode().split(f'action="{url(action, bid)}"', 1)[1].split("</form>", 1)[0]

    assert f'name="version" value="{bid.version}"' in form


@pytest.mark.parametrize("action", ["bid-accept", "bid-decline"])
def test_answering_an_invitation_on_a_stale_page_is_a_conflict(signed_in, people, bidding, action):
    """The lead changed the terms after the member opened the invitation: the answer the page
    sends carries the old version and is refused (back to the agreement as it is now, saying
    what changed); before, the page sent no version and the member joined terms they had not
    read."""
    bid = start_bid(bidding, people, invite_third=True)
    seen = bid.version
    terms.bid_terms_change(bid_id=bid.pk, actor=people["lead"], version=seen, price="20000.00")
    before = snapshot(bid)

    response = post(signed_in(people["_third"].user), action, bid, {"version": seen}, follow=True)

    assert response.redirect_chain == [(section(bid, "agreement"), 303)]
    html = response.content.decode()
    assert "the bid changed after you opened the page. The latest change: Changed the terms" in html
    assert money("20000.00") in html  # the agreement as it is now
    assert BidMember.objects.get(bid=bid, consultant=people["_third"]).status == "invited"
    assert snapshot(bid) == before


@pytest.mark.parametrize("action", ["bid-accept", "bid-decline"])
def test_answering_an_invitation_without_a_version_is_refused(signed_in, people, bidding, action):
    bid = start_bid(bidding, people, invite_third=True)
    before = snapshot(bid)

    response = post(signed_in(people["_third"].user), action, bid, {"reason": "Booked."})

    assert response.status_code == 400
    assert BidMember.objects.get(bid=bid, consultant=people["_third"]).status == "invited"
    assert snapshot(bid) == before


def test_change_and_remove_a_member(signed_in, people, bid):
    client = signed_in(people["lead"])
    second = people["_second"].pk
    response = post(
        client,
        "bid-member",
        bid,
        {
            "version": bid.version,
            "consultant": second,
            "role": "Accessibility lead",
            "estimated_hours": "35",
        },
    )
    assert response.status_code == 302
    seat = BidMember.objects.get(bid=bid, consultant_id=second)
    assert seat.role == "Accessibility lead" and seat.estimated_hours == Decimal("35")
    bid = fresh(bid)
    response = post(client, "bid-remove", bid, {"version": bid.version, "consultant": second})
    assert response.status_code == 302
    assert BidMember.objects.get(bid=bid, consultant_id=second).status == "removed"


def test_the_lead_cannot_be_removed(signed_in, people, bid):
    before = snapshot(bid)
    response = post(
        signed_in(people["lead"]),
        "bid-remove",
        bid,
        {"version": bid.version, "consultant": people["_lead"].pk},
    )
    assert response.status_code == 400
    assert "The lead cannot be removed" in response.content.decode()
    assert snapshot(bid) == before
