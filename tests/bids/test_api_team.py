"""``/api/v1/bids/<id>/`` the team (``intake/bids/api.py``): the lead invites, changes and removes
members; the invited accept or decline. Each refusal answers with its code and changes nothing."""

import pytest

from intake.bids import terms
from intake.bids.models import BidMember
from tests.bids.api_helpers import bid_url, draft_bid, snapshot
from tests.helpers import assert_matches_schema

pytestmark = pytest.mark.django_db


def test_the_lead_invites_changes_and_removes_a_member(api_as, lead, second):
    """Invite (201), change the planned hours, then take them off the team."""
    bid = draft_bid(lead)
    client = api_as(lead.user)
    invited = client.post(
        bid_url(bid.pk, "invite/"),
        {"consultant": second.pk, "role": "Developer", "estimated_hours": "12.5",
         "version": bid.version},
    )  # fmt: skip
    assert invited.status_code == 201, invited.json()
    seat = invited.json()["members"][1]
    assert (seat["consultant"], seat["status"], seat["planned_payout"]) == (
        second.pk,
        "invited",
        None,
    )
    changed = client.patch(
        bid_url(bid.pk, f"members/{second.pk}/"),
        {"estimated_hours": "20", "version": invited.json()["version"]},
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["members"][1]["estimated_hours"] == "20.00"
    version = changed.json()["version"]
    removed = client.delete(bid_url(bid.pk, f"members/{second.pk}/?version={version}"))
    assert removed.status_code == 200, removed.json()
    assert [m["consultant"] for m in removed.json()["members"]] == [lead.pk]


def test_removing_with_a_stale_version_is_409(api_as, lead, second):
    bid = draft_bid(lead, second)
    before = snapshot(bid)
    response = api_as(lead.user).delete(
        bid_url(bid.pk, f"members/{second.pk}/"), {"version": 1}, format="json"
    )
    assert response.status_code == 409
    assert snapshot(bid) == before


@pytest.mark.parametrize("consultant_id", [2**63, 10**30, 0])
@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_member_id_no_row_can_have_is_404_not_a_server_error(
    api_as, lead, second, method, consultant_id
):
    """SQLite's driver cannot take an integer beyond 8 bytes (found by `make fuzz`)."""
    bid = draft_bid(lead, second)
    before = snapshot(bid)
    url = bid_url(bid.pk, f"members/{consultant_id}/")

    response = getattr(api_as(lead.user), method)(url, {"version": 1}, format="json")

    assert response.status_code == 404
    assert snapshot(bid) == before
    assert_matches_schema(
        response, f"{method.upper()} /api/v1/bids/{{id}}/members/{{consultant_id}}/"
    )


def test_inviting_an_unknown_member_is_400(api_as, lead):
    bid = draft_bid(lead)
    before = snapshot(bid)
    response = api_as(lead.user).post(
        bid_url(bid.pk, "invite/"),
        {"consultant": 999_999, "role": "Developer", "estimated_hours": "10",
         "version": bid.version},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {"consultant": ["No such member."]}
    assert snapshot(bid) == before


def test_accepting_twice_is_409(api_as, lead, second):
    bid = draft_bid(lead, second)
    before = snapshot(bid)
    response = api_as(second.user).post(bid_url(bid.pk, "accept/"), {"version": bid.version})
    assert response.status_code == 409
    assert "already answered" in response.json()["detail"]
    assert snapshot(bid) == before


def test_a_member_not_invited_cannot_accept(api_as, lead, second, other_member):
    bid = draft_bid(lead, second, accept=False)
    before = snapshot(bid)
    response = api_as(other_member).post(bid_url(bid.pk, "accept/"), {"version": bid.version})
    assert response.status_code == 403
    assert snapshot(bid) == before


def test_declining_leaves_the_team_as_it_was(api_as, lead, second):
    """A declined invitation writes no new agreement version; the decliner then sees the
    bid as any other member does."""
    bid = draft_bid(lead, second, accept=False)
    response = api_as(second.user).post(
        bid_url(bid.pk, "decline/"), {"reason": "Too busy", "version": bid.version}
    )
    assert response.status_code == 200
    assert response.json()["sees_money"] is False
    assert BidMember.objects.get(bid=bid, consultant=second).decline_reason == "Too busy"
    assert terms.current_agreement(bid).number == 1
