"""Who sees what of a team bid through the API, and what a read costs.

The team (invited or accepted) and staff coordinators see the money: price, pool, share, rates,
hours, payouts, the agreement, the statement and its CSV. Other working members see that the bid
exists (its request, lead, team names and roles, status) and get 403 for the rest. Applicants,
other accounts get 403 and anonymous callers 401, before any lookup.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.bids import team
from network.models import Consultant
from tests.bids.api_helpers import (
    BIDS,
    bid_url,
    draft_bid,
    settled_bid,
    working_member,
)
from tests.factories import ConsultantFactory, UserFactory
from tests.helpers import fresh

pytestmark = pytest.mark.django_db

BOARD = "/api/v1/bid-board/"
MONEY_READS = ("agreement/", "hours/", "statement/", "statement/csv/")
PUBLIC_KEYS = {"id", "request", "status", "status_label", "lead", "due_date", "members",
               "sees_money"}  # fmt: skip
MONEY_KEYS = {"price", "pool", "alliance_share_percent", "split_mode", "planned_hours",
              "planned_blended_rate", "hours_logged", "agreement", "version"}  # fmt: skip
SEAT_MONEY_KEYS = {"estimated_hours", "standard_rate", "planned_payout", "hours_logged"}


@pytest.fixture
def settled(intake_coordinator):
    lead, second = working_member("100"), working_member("80")
    bid = settled_bid(lead, second, coordinator=intake_coordinator)
    return {"bid": bid, "lead": lead, "second": second}


def viewer(role, settled, request):
    if role == "team member":
        return settled["second"].user
    if role == "anonymous":
        return None
    if role == "applicant":
        return ConsultantFactory(status=Consultant.Status.APPLICANT).user
    if role == "alumnus":
        return ConsultantFactory(status=Consultant.Status.ALUMNI).user
    if role == "account without a member record":
        return UserFactory()
    return fresh(request.getfixturevalue(role))


SEES_MONEY = ["team member", "intake_coordinator", "community_coordinator", "admin"]
SEES_EXISTENCE = ["other_member", "group_coordinator"]
REFUSED = ["applicant", "alumnus", "account without a member record", "anonymous"]


@pytest.mark.parametrize("role", SEES_MONEY)
def test_the_team_and_staff_see_the_money(api_as, settled, request, role):
    client = api_as(viewer(role, settled, request))
    bid = settled["bid"]

    detail = client.get(bid_url(bid.pk))
    assert detail.status_code == 200
    body = detail.json()
    assert body["sees_money"] is True
    assert MONEY_KEYS <= set(body)
    assert body["price"] == "10000.00" and body["pool"] == "9000.00"
    assert all(SEAT_MONEY_KEYS <= set(seat) for seat in body["members"])
    for tail in MONEY_READS:
        assert client.get(bid_url(bid.pk, tail)).status_code == 200, tail
    listed = client.get(BIDS).json()["results"]
    assert listed[0]["price"] == "10000.00"
    assert client.get(BOARD).status_code == 200


@pytest.mark.parametrize("role", SEES_EXISTENCE)
def test_other_members_see_the_team_and_status_not_the_money(api_as, settled, request, role):
    client = api_as(viewer(role, settled, request))
    bid = settled["bid"]

    detail = client.get(bid_url(bid.pk))
    assert detail.status_code == 200
    body = detail.json()
    assert set(body) == PUBLIC_KEYS
    assert body["sees_money"] is False
    assert body["status"] == "settled"
    assert body["request"]["reference"] == bid.request.reference
    assert body["lead"]["name"] == settled["lead"].display_name
    assert [(seat["name"], seat["role"]) for seat in body["members"]] == [
        (settled["lead"].display_name, "Lead"),
        (settled["second"].display_name, "Developer"),
    ]
    assert all(set(seat) == {"consultant", "name", "role", "status", "lead"}
               for seat in body["members"])  # fmt: skip
    assert "10000" not in detail.content.decode() and "9000" not in detail.content.decode()
    for tail in MONEY_READS:
        assert client.get(bid_url(bid.pk, tail)).status_code == 403, tail
    assert set(client.get(BIDS).json()["results"][0]) == PUBLIC_KEYS
    assert client.get(BOARD).status_code == 200


@pytest.mark.parametrize("role", REFUSED)
def test_applicants_others_and_anonymous_are_refused_everything(api_as, settled, request, role):
    client = api_as(viewer(role, settled, request))
    refused = 401 if role == "anonymous" else 403
    bid = settled["bid"]
    for address in (BIDS, bid_url(bid.pk), *(bid_url(bid.pk, t) for t in MONEY_READS), BOARD):
        assert client.get(address).status_code == refused, address
    assert client.post(f"{BOARD}{bid.request_id}/volunteer/", {}).status_code == refused
    assert client.post(BIDS, {}).status_code == refused


def test_an_unknown_bid_is_404_for_a_member(api_as, other_member):
    assert api_as(other_member).get(bid_url(999_999)).status_code == 404
    assert api_as(other_member).get(bid_url(999_999, "agreement/")).status_code == 404


def test_an_invited_member_sees_the_terms_they_are_asked_to_join(api_as):
    """An invitation shows the whole agreement before the member says yes."""
    lead, invited = working_member("100"), working_member("80")
    bid = draft_bid(lead, invited, accept=False)
    client = api_as(invited.user)
    body = client.get(bid_url(bid.pk)).json()
    assert body["sees_money"] is True
    assert client.get(bid_url(bid.pk, "agreement/")).status_code == 200
    assert client.get(bid_url(bid.pk, "hours/")).status_code == 200


def test_other_members_may_not_write(api_as, other_member):
    """Seeing a bid is not changing it: every write by a member off the team is 403."""
    lead, second = working_member("100"), working_member("80")
    bid = draft_bid(lead, second)
    client = api_as(other_member)
    writes = [
        ("patch", bid_url(bid.pk), {"version": bid.version, "price": "1"}),
        ("post", bid_url(bid.pk, "invite/"), {"consultant": lead.pk, "role": "x",
                                              "estimated_hours": "1"}),
        ("post", bid_url(bid.pk, "decline/"), {}),
        ("patch", bid_url(bid.pk, f"members/{second.pk}/"), {"estimated_hours": "2"}),
        ("delete", bid_url(bid.pk, f"members/{second.pk}/"), {}),
        ("post", bid_url(bid.pk, "send/"), {}),
        ("post", bid_url(bid.pk, "withdraw/"), {}),
        ("post", bid_url(bid.pk, "submit/"), {}),
        ("post", bid_url(bid.pk, "start/"), {}),
        ("post", bid_url(bid.pk, "hours/"), {"date": "2026-01-05", "hours": "1"}),
        ("post", bid_url(bid.pk, "settle/"), {}),
        ("post", bid_url(bid.pk, "statement/approve/"), {}),
    ]  # fmt: skip
    version = bid.version
    for method, address, body in writes:
        response = getattr(client, method)(address, body, format="json")
        assert response.status_code == 403, (method, address)
    bid.refresh_from_db()
    assert bid.version == version and bid.status == "draft"


# --- What a read costs ------------------------------------------------------------------------


def _queries(client, address) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(captured)


def test_the_list_costs_the_same_for_two_bids_or_six(api_as, other_member):
    """No query per bid: members, agreements, signatures and hours are fetched per page."""
    team = [working_member() for _ in range(3)]
    for _ in range(2):
        draft_bid(working_member(), *team[:2])
    client = api_as(fresh(other_member))
    few = _queries(client, BIDS)
    for _ in range(4):
        draft_bid(working_member(), *team)
    assert _queries(api_as(fresh(other_member)), BIDS) == few


def test_the_list_query_count(api_as, intake_coordinator, django_assert_max_num_queries):
    team = [working_member() for _ in range(3)]
    for _ in range(4):
        draft_bid(working_member(), *team)
    client = api_as(fresh(intake_coordinator))
    # 1 the caller's roles (a staff coordinator needs no member record), 2 count, 3 the page
    # of bids with request and lead, 4 seats with members, 5 current agreement versions,
    # 6 their signatures, 7 statements proposed or final, 8 hours per member for the page.
    with django_assert_max_num_queries(8):
        assert client.get(BIDS).status_code == 200


def test_the_detail_query_count(api_as, intake_coordinator, django_assert_max_num_queries):
    lead, second = working_member(), working_member()
    bid = settled_bid(lead, second, coordinator=intake_coordinator)
    client = api_as(fresh(second.user))
    # 1 the caller's roles, 2 their member record, 3 the gate (bid with request and lead),
    # 4 seats with members (whether the caller sees the money is read from them),
    # 5 current agreement version, 6 its signatures, 7 the statement, 8 hours per member.
    with django_assert_max_num_queries(8):
        assert client.get(bid_url(bid.pk)).status_code == 200


def test_the_board_query_count(api_as, other_member, django_assert_max_num_queries):
    members = [working_member() for _ in range(2)]
    for _ in range(3):
        draft_bid(working_member(), *members)
    team.bid_volunteer(
        request_id=draft_bid(working_member()).request_id, actor=other_member, note=""
    )
    client = api_as(fresh(other_member))
    # 1 the caller's roles, 2 their member record, 3 count, 4 the page of requests with
    # "volunteered", 5 open bids with their lead, 6 their seats with members.
    with django_assert_max_num_queries(6):
        assert client.get(BOARD).status_code == 200
