"""What a client sees of a team bid on their status page (``intake.bids.receivers``): the price
and the team's names once the bid is sent, nothing else."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from intake.bids import states

pytestmark = pytest.mark.django_db


def _status(token):
    return APIClient().get(f"/api/v1/requests/status/{token}/")


def test_client_sees_no_bid_before_it_is_sent(signed_for_client):
    submission, _bid, _lead, _second = signed_for_client
    body = _status(submission.status_token).json()
    assert body["stage"] == "bidding"
    assert body["bid"] is None


def test_client_sees_the_price_and_team_names_only_once_sent(signed_for_client, intake_coordinator):
    submission, bid, lead, second = signed_for_client
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    response = _status(submission.status_token)
    body = response.json()
    assert body["bid"]["price"] == "7777.00"
    assert body["bid"]["team"] == ["Member Lead", "Member Second"]
    assert set(body["bid"]) == {"price", "currency", "team", "members", "submitted_at"}
    # The lead is the client's main contact, with their address; the others are names only.
    assert body["bid"]["members"] == [
        {"display_name": "Member Lead", "lead": True, "email": lead.user.email},
        {"display_name": "Member Second", "lead": False, "email": ""},
    ]
    text = response.content.decode()
    # Rates, the pool, the share and planned hours never reach the client: no value of the
    # answer is one of them (as a whole string, not as the digits of a time of day).
    for private in ("97.00", "83.00", "7388.15", "388.85", "40.00", "30.00"):
        assert f'"{private}"' not in text and f": {private}" not in text
    page = APIClient().get(reverse("request-status", args=[submission.status_token]))
    html = page.content.decode()
    assert "USD\u00a07,777.00" in html and "Member Second" in html
    assert "97.00" not in html and "7388.15" not in html


def test_client_still_sees_the_proposal_after_it_was_lost(signed_for_client, intake_coordinator):
    submission, bid, lead, _second = signed_for_client
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=False)
    body = _status(submission.status_token).json()
    assert body["stage"] == "lost"
    assert body["bid"]["price"] == "7777.00"
