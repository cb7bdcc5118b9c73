"""What team bids put on the desk (``intake.bids.desk``): a working member's invitations to
answer, agreements to sign, hours to log and statements to approve, each leading to the bid's
workspace, and the navigation's "My bids" count."""

import re

import pytest
from django.urls import reverse

from intake.bids import desk as bids_desk
from intake.bids.models import Bid
from network.models import Consultant
from tests.bids.helpers import (
    approve,
    log,
    member,
    propose,
    sent_bid,
    sign_all,
    start,
    team_bid,
    working_bid,
)
from tests.helpers import fresh, with_status

pytestmark = pytest.mark.django_db

DESK = "/desk/"


def counts_of(consultant) -> dict[str, int]:
    panel = bids_desk.bids_panel(fresh(consultant.user), consultant)
    return {count.label: count.value for count in panel.counts}


def items_of(consultant) -> list[tuple[str, str]]:
    panel = bids_desk.bids_panel(fresh(consultant.user), consultant)
    return [(item.url, item.note) for item in panel.items]


def workspace(bid: Bid) -> str:
    return reverse("bid-workspace", args=[bid.pk])


def my_bids_count(client) -> int | None:
    html = client.get(reverse("home")).content.decode()
    match = re.search(r">My bids<span class=\"nav-count\">(\d+)<", html)
    return int(match.group(1)) if match else None


def test_an_invitation_waits_for_an_answer(signed_in):
    lead, invited = member(), member()
    bid = start(lead, invited)

    assert counts_of(invited)["Invitations to answer"] == 1
    assert items_of(invited) == [(workspace(bid), bids_desk.NOTES["invited"])]
    assert counts_of(lead)["Invitations to answer"] == 0
    assert my_bids_count(signed_in(invited.user)) == 1
    assert signed_in(invited.user).get(workspace(bid)).status_code == 200


def test_an_agreement_out_waits_for_each_signature():
    lead, second = member(), member()
    bid = sent_bid(lead, second)
    assert counts_of(second)["Agreements to sign"] == 1
    assert counts_of(lead)["Agreements to sign"] == 1

    sign_all(bid, second)
    assert counts_of(second)["Agreements to sign"] == 0
    assert items_of(lead) == [(workspace(bid), bids_desk.NOTES["to_sign"])]


def test_a_draft_asks_for_no_signature():
    lead, second = member(), member()
    team_bid(lead, second)
    assert counts_of(second) == dict.fromkeys(bids_desk.LABELS.values(), 0)


def test_a_bid_at_work_asks_for_hours_then_the_statement_for_approval(intake_coordinator):
    lead, second = member(), member()
    bid = working_bid(intake_coordinator, lead, second)
    log(bid, lead, "4")
    log(bid, second, "3")
    assert counts_of(second)["Bids at work: log your hours"] == 1
    assert items_of(second) == [(workspace(bid), bids_desk.NOTES["at_work"])]

    propose(bid, lead)
    assert counts_of(second)["Bids at work: log your hours"] == 0
    assert counts_of(second)["Statements to approve"] == 1
    assert items_of(second) == [(workspace(bid), bids_desk.NOTES["to_approve"])]

    approve(bid, second)
    assert counts_of(second)["Statements to approve"] == 0
    assert counts_of(lead)["Statements to approve"] == 1


def test_the_most_urgent_come_first_and_the_nav_counts_steps_not_hours(
    signed_in, intake_coordinator
):
    me, lead = member(), member()
    at_work = working_bid(intake_coordinator, lead, me)
    invitation = start(member(), me)
    response = signed_in(me.user).get(DESK)
    html = response.content.decode()

    panel = html[html.index('id="desk-bids"') :]
    assert panel.index(workspace(invitation)) < panel.index(workspace(at_work))
    assert my_bids_count(signed_in(me.user)) == 1


def test_nothing_waiting_reads_the_empty_state(signed_in):
    me = member()
    html = signed_in(me.user).get(DESK).content.decode()
    assert "No bid is waiting for you: no invitation, agreement, hours or statement." in html
    assert my_bids_count(signed_in(me.user)) is None


def test_a_member_who_stops_working_has_no_bid_panel(signed_in):
    lead, invited = member(), member()
    start(lead, invited)
    user = with_status(invited.user, Consultant.Status.ON_LEAVE)
    assert bids_desk.panels(user) is None
    assert bids_desk.counts(user) is None
    assert 'id="desk-bids"' not in signed_in(user).get(DESK).content.decode()


def test_the_panel_reads_two_queries_whatever_the_number_of_bids(
    intake_coordinator, django_assert_num_queries
):
    me = member()
    for _ in range(3):
        start(member(), me)
    working_bid(intake_coordinator, member(), me)
    user = fresh(me.user)
    with django_assert_num_queries(2):
        panel = bids_desk.bids_panel(user, me)
    assert len(panel.items) == 4
