"""``/api/v1/bids/<id>/`` the bid's moves by their own paths (``intake/bids/api.py``): submit,
outcome and withdraw, and the refusals of the request's own workflow. Each refusal answers with
its code and changes nothing."""

import pytest

from intake.bids import states
from intake.models import Request
from tests.bids.api_helpers import bid_url, draft_bid, signed_bid, snapshot

pytestmark = pytest.mark.django_db


# --- Outcome and the request's own refusals ---------------------------------------------------


def test_the_lead_cannot_record_the_outcome(api_as, lead, second):
    """The client's answer is recorded by intake coordinators."""
    bid = signed_bid(lead, second)
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    bid.refresh_from_db()
    before = snapshot(bid)
    response = api_as(lead.user).post(
        bid_url(bid.pk, "outcome/"), {"outcome": "won", "version": bid.version}
    )
    assert response.status_code == 403
    assert snapshot(bid) == before


def test_a_lost_bid_loses_the_request(api_as, intake_coordinator, lead, second):
    bid = signed_bid(lead, second)
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    response = api_as(intake_coordinator).post(
        bid_url(bid.pk, "outcome/"),
        {"outcome": "lost", "note": "Went with another firm", "version": bid.version + 1},
    )
    assert response.status_code == 200 and response.json()["status"] == "lost"
    assert Request.objects.get(pk=bid.request_id).status == Request.Status.LOST


def test_an_unknown_outcome_is_400(api_as, intake_coordinator, lead, second):
    bid = signed_bid(lead, second)
    response = api_as(intake_coordinator).post(
        bid_url(bid.pk, "outcome/"), {"outcome": "maybe", "version": bid.version}
    )
    assert response.status_code == 400
    assert response.json() == {"outcome": ['"maybe" is not a valid choice.']}


def test_submitting_before_everyone_signed_is_409(api_as, lead, second):
    bid = draft_bid(lead, second)
    before = snapshot(bid)
    response = api_as(lead.user).post(bid_url(bid.pk, "submit/"), {"version": bid.version})
    assert response.status_code == 409
    assert response.json()["status"] == "draft"
    assert snapshot(bid) == before


def test_withdrawing_a_draft_keeps_the_request_open(api_as, lead, second):
    bid = draft_bid(lead, second)
    response = api_as(lead.user).post(
        bid_url(bid.pk, "withdraw/"), {"note": "Too big for us", "version": bid.version}
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert Request.objects.get(pk=bid.request_id).status == Request.Status.BIDDING


def test_a_move_the_request_refuses_is_409_with_the_bids_state(api_as, lead, second):
    """The request's own workflow may refuse the move (here the request left bidding behind
    the bid's back): the answer is 409 with the bid's status and version, nothing changed."""
    bid = signed_bid(lead, second)
    Request.objects.filter(pk=bid.request_id).update(status=Request.Status.TRIAGED)
    before = snapshot(bid)
    response = api_as(lead.user).post(bid_url(bid.pk, "submit/"), {"version": bid.version})
    assert response.status_code == 409
    assert response.json()["status"] == "signed"
    assert response.json()["version"] == bid.version
    assert snapshot(bid) == before
