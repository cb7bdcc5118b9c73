"""``/api/v1/bids/<id>/`` the terms and the agreement (``intake/bids/api.py``): changing the price,
share and split, and signing the current version. Each refusal answers with its code and changes
nothing."""

import pytest

from intake.bids import states, team, terms
from tests.bids.api_helpers import bid_url, draft_bid, signed_bid, snapshot

pytestmark = pytest.mark.django_db


# --- Terms ---------------------------------------------------------------------------------------


def test_a_stale_version_is_409_and_changes_nothing(api_as, lead, second):
    bid = draft_bid(lead, second)
    before = snapshot(bid)
    response = api_as(lead.user).patch(
        bid_url(bid.pk), {"version": bid.version - 1, "price": "9000"}
    )
    assert response.status_code == 409
    assert response.json()["version"] == bid.version
    assert response.json()["status"] == "draft"
    assert snapshot(bid) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "0.00", "The price must be above 0."),
        ("alliance_share_percent", "75", "The alliance share must be between 0 and 50 %."),
        ("split_mode", "by_hours", '"by_hours" is not a valid choice.'),
    ],
)
def test_bad_terms_on_change_are_400_and_change_nothing(
    api_as, lead, second, field, value, message
):
    bid = draft_bid(lead, second)
    before = snapshot(bid)
    response = api_as(lead.user).patch(bid_url(bid.pk), {"version": bid.version, field: value})
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert snapshot(bid) == before


def test_a_change_needs_the_version(api_as, lead):
    bid = draft_bid(lead)
    response = api_as(lead.user).patch(bid_url(bid.pk), {"price": "9000"})
    assert response.status_code == 400
    assert response.json()["version"] == ["This field is required."]


def test_changing_a_signed_agreement_is_409_and_changes_nothing(api_as, lead, second):
    """Once every member signed, the terms are frozen."""
    bid = signed_bid(lead, second)
    before = snapshot(bid)
    response = api_as(lead.user).patch(bid_url(bid.pk), {"version": bid.version, "price": "1"})
    assert response.status_code == 409
    assert "can no longer change" in response.json()["detail"]
    assert response.json()["status"] == "signed"
    assert snapshot(bid) == before


def test_a_team_member_may_not_change_the_terms(api_as, lead, second):
    """Only the lead and coordinators change the terms: a member on the team gets 403."""
    bid = draft_bid(lead, second)
    before = snapshot(bid)
    response = api_as(second.user).patch(bid_url(bid.pk), {"version": bid.version, "price": "1"})
    assert response.status_code == 403
    assert snapshot(bid) == before


# --- Signing ----------------------------------------------------------------------------------


def test_signing_a_version_no_longer_current_is_409(api_as, lead, second):
    bid = draft_bid(lead, second)
    states.bid_send(bid_id=bid.pk, actor=lead.user)
    stale = terms.current_agreement(bid).number - 1
    before = snapshot(bid)
    response = api_as(second.user).post(bid_url(bid.pk, "sign/"), {"version": stale})
    assert response.status_code == 409
    assert "no longer the agreement" in response.json()["detail"]
    assert snapshot(bid) == before


def test_a_non_member_cannot_sign(api_as, lead, second, other_member):
    bid = draft_bid(lead, second)
    states.bid_send(bid_id=bid.pk, actor=lead.user)
    number = terms.current_agreement(bid).number
    before = snapshot(bid)
    response = api_as(other_member).post(bid_url(bid.pk, "sign/"), {"version": number})
    assert response.status_code == 403
    assert snapshot(bid) == before


def test_an_invited_member_cannot_sign_before_accepting(api_as, lead, second, third):
    """An invitation is a seat to see the bid, not to sign it: the service answers 403."""
    bid = draft_bid(lead, second)
    team.bid_invite(bid_id=bid.pk, actor=lead.user, consultant=third.pk, role="QA",
                    estimated_hours="5")  # fmt: skip
    states.bid_send(bid_id=bid.pk, actor=lead.user)
    before = snapshot(bid)
    number = terms.current_agreement(bid).number
    response = api_as(third.user).post(bid_url(bid.pk, "sign/"), {"version": number})
    assert response.status_code == 403
    assert snapshot(bid) == before


def test_signing_needs_the_agreement_version(api_as, lead, second):
    bid = draft_bid(lead, second)
    response = api_as(second.user).post(bid_url(bid.pk, "sign/"), {})
    assert response.status_code == 400
    assert response.json() == {"version": ["This field is required."]}
