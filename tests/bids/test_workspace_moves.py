"""The workspace's moves (``intake/bids/views.py``): withdrawing, submitting to the client, the
coordinator's outcome and starting the work; an action answers only a POST. The messages, the
confirmation of moves that cannot be undone and the answer to a refused move:
``test_workspace_refusals``."""

import pytest

from intake.bids.models import Bid
from intake.models import Request
from tests.bids.page_helpers import (
    fresh,
    messages_of,
    post,
    section,
    sent,
    signed,
    snapshot,
    url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


def test_withdraw(signed_in, people, bid):
    before = snapshot(bid)
    assert (
        post(
            signed_in(people["team member"]), "bid-withdraw", bid, {"version": bid.version}
        ).status_code
        == 403
    )
    assert snapshot(bid) == before
    response = post(signed_in(people["lead"]), "bid-withdraw", bid, {"version": bid.version})
    assert response.status_code == 302 and fresh(bid).status == Bid.Status.WITHDRAWN


def test_submit_decide_and_start(signed_in, people, bid, intake_coordinator):
    bid = signed(bid, people)
    lead = signed_in(people["lead"])
    assert "Submit to the client" in lead.get(url("bid-workspace", bid)).content.decode()
    assert post(lead, "bid-submit", bid, {"version": bid.version}).status_code == 302
    bid = fresh(bid)
    assert bid.status == Bid.Status.SUBMITTED
    # Only intake coordinators record the client's answer.
    before = snapshot(bid)
    assert url("bid-decide", bid) not in lead.get(url("bid-workspace", bid)).content.decode()
    response = post(lead, "bid-decide", bid, {"version": bid.version, "outcome": "won"})
    assert response.status_code == 403 and snapshot(bid) == before
    coordinator = signed_in(intake_coordinator)
    html = coordinator.get(url("bid-workspace", bid)).content.decode()
    assert "Yes, record the bid as won</button>" in html
    assert "Yes, record the bid as lost</button>" in html
    response = post(coordinator, "bid-decide", bid, {"version": bid.version, "outcome": "won"})
    assert response.status_code == 302
    bid = fresh(bid)
    assert bid.status == Bid.Status.WON
    assert bid.request.status == Request.Status.ENGAGED
    lead = signed_in(people["lead"])
    assert "Start the work" in lead.get(url("bid-workspace", bid)).content.decode()
    assert post(lead, "bid-start-work", bid, {"version": bid.version}).status_code == 302
    assert fresh(bid).status == Bid.Status.IN_PROGRESS


def test_submitting_an_unsigned_bid_is_409(signed_in, people, bid):
    bid = sent(bid, people)
    before = snapshot(bid)
    response = post(signed_in(people["lead"]), "bid-submit", bid, {"version": bid.version})
    assert response.status_code == 303 and response["Location"] == section(bid, "agreement")
    assert messages_of(response) == [
        "The bid was not submitted. A bid that is agreement out for signature cannot be "
        "submitted. Nothing was changed."
    ]
    assert snapshot(bid) == before


def test_a_get_on_an_action_is_405(signed_in, people, bid):
    assert signed_in(people["lead"]).get(url("bid-send", bid)).status_code == 405
