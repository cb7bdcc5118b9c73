"""``/api/v1/bid-board/`` and the reads of ``/api/v1/bids/`` (``intake/bids/api.py``): the board
and volunteering from it, starting a bid and every refusal of a bad one, the list and its
filters, and answers that match the schema."""

import pytest

from intake.bids import states
from intake.bids.models import AgreementVersion, Bid, BidInterest, BidMember
from intake.models import Request
from tests.bids.api_helpers import BIDS, bid_url, bidding_request, draft_bid
from tests.factories import RequestFactory
from tests.helpers import assert_matches_schema

pytestmark = pytest.mark.django_db


# --- The bid board ----------------------------------------------------------------------------


def test_the_board_shows_what_the_client_needs_never_who_they_are(api_as, lead, second):
    """Requests in bidding only, with the bid under way; no organisation, no contact."""
    request = bidding_request(title="New donor database", skills=["CiviCRM", "WordPress"])
    RequestFactory(status=Request.Status.TRIAGED)
    bid = draft_bid(lead, second)
    BidInterest.objects.create(request=request, consultant=second)

    response = api_as(second.user).get("/api/v1/bid-board/")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {request.pk, bid.request_id}
    assert rows[request.pk]["volunteered"] is True
    assert rows[request.pk]["open_bid"] is None
    assert rows[request.pk]["skills"] == ["CiviCRM", "WordPress"]
    assert rows[bid.request_id]["volunteered"] is False
    assert rows[bid.request_id]["open_bid"] == {
        "id": bid.pk,
        "lead": lead.display_name,
        "team": [lead.display_name, second.display_name],
        "status": "draft",
        "due_date": None,
    }
    assert set(rows[request.pk]) == {
        "id", "reference", "title", "description", "skills", "budget_max", "currency",
        "estimated_hours", "desired_start", "urgency", "open_bid", "volunteered",
    }  # fmt: skip
    text = response.content.decode()
    for secret in (request.contact.email, request.contact.name, request.organization.name):
        assert secret not in text


def test_a_member_volunteers_from_the_board(api_as, lead):
    request = bidding_request()
    response = api_as(lead.user).post(
        f"/api/v1/bid-board/{request.pk}/volunteer/", {"note": "I know CiviCRM"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["note"] == "I know CiviCRM"
    assert BidInterest.objects.filter(request=request, consultant=lead).exists()
    board = api_as(lead.user).get("/api/v1/bid-board/").json()["results"]
    assert board[0]["volunteered"] is True


def test_volunteering_for_a_request_not_on_the_board_is_404(api_as, lead):
    closed = RequestFactory(status=Request.Status.ENGAGED)
    response = api_as(lead.user).post(f"/api/v1/bid-board/{closed.pk}/volunteer/", {})
    assert response.status_code == 404
    assert not BidInterest.objects.exists()


# --- Creating a bid -------------------------------------------------------------------------------


def test_a_coordinator_names_the_lead(api_as, intake_coordinator, lead):
    """A staff coordinator may start a bid on a member's behalf."""
    response = api_as(intake_coordinator).post(
        BIDS,
        {"request": bidding_request().pk, "price": "5000", "lead": lead.pk,
         "lead_estimated_hours": "20"},
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["lead"]["consultant"] == lead.pk


def test_a_member_cannot_start_a_bid_for_someone_else(api_as, lead, second):
    """Members start a bid by offering to lead it themselves: naming another lead is 403."""
    response = api_as(lead.user).post(
        BIDS,
        {"request": bidding_request().pk, "price": "5000", "lead": second.pk,
         "lead_estimated_hours": "20"},
    )  # fmt: skip
    assert response.status_code == 403
    assert not Bid.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "0", "The price must be above 0."),
        ("price", "-5.00", "The price must be above 0."),
        ("price", "12,5", "A valid number is required."),
        ("price", "abc", "A valid number is required."),
        ("price", "10.001", "Ensure that there are no more than 2 decimal places."),
        ("alliance_share_percent", "50.01", "The alliance share must be between 0 and 50 %."),
        ("alliance_share_percent", "-1", "The alliance share must be between 0 and 50 %."),
        ("split_mode", "by_seniority", '"by_seniority" is not a valid choice.'),
        ("lead_estimated_hours", "0", "Estimated hours must be above 0."),
    ],
)
def test_bad_terms_on_create_are_400_and_store_nothing(api_as, lead, field, value, message):
    """Each bad value answers 400 with the field's message; no bid, member or version is
    written."""
    fields = {"request": bidding_request().pk, "price": "5000", "lead_estimated_hours": "20",
              field: value}  # fmt: skip
    response = api_as(lead.user).post(BIDS, fields, format="json")
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert not Bid.objects.exists()
    assert not BidMember.objects.exists() and not AgreementVersion.objects.exists()


def test_missing_required_fields_are_named(api_as, lead):
    """The request, the price and the lead's hours are required."""
    response = api_as(lead.user).post(BIDS, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"request", "price", "lead_estimated_hours"}
    assert not Bid.objects.exists()


def test_a_request_not_open_for_bids_is_unknown_to_members(api_as, lead):
    """A member's create on a request not in bidding, or on no request, answers 400 on
    ``request`` and says nothing of the request."""
    engaged = RequestFactory(status=Request.Status.ENGAGED)
    for request_id in (engaged.pk, 999_999):
        response = api_as(lead.user).post(
            BIDS, {"request": request_id, "price": "5000", "lead_estimated_hours": "20"}
        )
        assert response.status_code == 400
        assert response.json() == {"request": ["No request open for bids has this id."]}
    assert not Bid.objects.exists()


def test_a_second_bid_on_one_request_is_409(api_as, lead, second):
    """One bid under way per request: the next member is told to volunteer instead."""
    bid = draft_bid(lead)
    response = api_as(second.user).post(
        BIDS, {"request": bid.request_id, "price": "5000", "lead_estimated_hours": "20"}
    )
    assert response.status_code == 409
    assert response.json()["status"] == "draft"
    assert Bid.objects.count() == 1


# --- The list -------------------------------------------------------------------------------------


def test_the_list_is_newest_first_and_filters_by_status_and_request(api_as, lead, second, third):
    """``status`` repeats; ``request`` picks one request's bids."""
    first = draft_bid(lead)
    middle = draft_bid(second)
    states.bid_withdraw(bid_id=middle.pk, actor=second.user)
    last = draft_bid(third)
    client = api_as(lead.user)

    everything = client.get(BIDS).json()
    assert [row["id"] for row in everything["results"]] == [last.pk, middle.pk, first.pk]
    drafts = client.get(BIDS, {"status": "draft"}).json()
    assert [row["id"] for row in drafts["results"]] == [last.pk, first.pk]
    both = client.get(f"{BIDS}?status=draft&status=withdrawn").json()
    assert both["count"] == 3
    one = client.get(BIDS, {"request": first.request_id}).json()
    assert [row["id"] for row in one["results"]] == [first.pk]
    assert client.get(BIDS, {"status": "nonsense"}).status_code == 400


# --- Answers match the schema (found by the API fuzzer, tests/fuzz) ----------------------------


def test_a_bid_with_its_money_matches_exactly_one_documented_shape(api_as, lead, second, third):
    """A full bid has every field of the public shape too; `sees_money` tells them apart, so
    the answer is one of BidView's two shapes, not both (which `oneOf` refuses)."""
    bid = draft_bid(lead, second)

    as_team = api_as(lead.user).get(bid_url(bid.pk))
    as_outsider = api_as(third.user).get(bid_url(bid.pk))
    listed = api_as(lead.user).get(BIDS)

    assert as_team.json()["sees_money"] is True
    assert as_outsider.json()["sees_money"] is False
    assert_matches_schema(as_team, "GET /api/v1/bids/{id}/")
    assert_matches_schema(as_outsider, "GET /api/v1/bids/{id}/")
    assert_matches_schema(listed, "GET /api/v1/bids/")


def test_a_bad_status_filter_and_a_page_past_the_end_are_documented(api_as, lead):
    bad_filter = api_as(lead.user).get(BIDS, {"status": "nonsense"})
    past_the_end = api_as(lead.user).get(BIDS, {"page": 99})

    assert bad_filter.status_code == 400
    assert past_the_end.status_code == 404
    assert_matches_schema(bad_filter, "GET /api/v1/bids/")
    assert_matches_schema(past_the_end, "GET /api/v1/bids/")


@pytest.mark.parametrize("request_id", ["1e86", str(2**63), "-1"])
def test_a_request_filter_out_of_range_is_400_not_a_server_error(api_as, lead, request_id):
    """SQLite's driver cannot take an integer beyond 8 bytes (found by the API fuzzer)."""
    response = api_as(lead.user).get(BIDS, {"request": request_id})

    assert response.status_code == 400
    assert "request" in response.json()
