"""Who may see and change a team bid (``intake.bids.access``)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from intake.bids import access as bid_access
from intake.bids import team
from network.models import Consultant
from tests.bids.helpers import (
    fresh,
    member,
    start,
    team_bid,
)

pytestmark = pytest.mark.django_db


# --- access ----------------------------------------------------------------------------------

# who: (works_for_bids, manages_bid, sees_bid_money, read, write) with read/write one of
# "ok", 404, 403 for get_bid_for_user.
ACCESS = {
    "anonymous": (False, False, False, 404, 404),
    "applicant": (False, False, False, 404, 404),
    "former": (False, False, False, 404, 404),
    "outsider": (True, False, False, "ok", 403),
    "declined": (True, False, False, "ok", 403),
    "invited": (True, False, True, "ok", "ok"),
    "accepted": (True, False, True, "ok", "ok"),
    "lead": (True, True, True, "ok", "ok"),
    "intake_coordinator": (True, True, True, "ok", "ok"),
    "community_coordinator": (True, True, True, "ok", "ok"),
    "admin": (True, True, True, "ok", "ok"),
}


@pytest.fixture
def bid_people(trio):
    lead, accepted, invited = trio
    declined = member()
    bid = start(lead, accepted, invited, declined)
    team.bid_member_respond(bid_id=bid.pk, actor=accepted.user, accept=True)
    team.bid_member_respond(bid_id=bid.pk, actor=declined.user, accept=False)
    people = {
        "anonymous": AnonymousUser(),
        "applicant": member(status=Consultant.Status.APPLICANT).user,
        "former": member(status=Consultant.Status.FORMER).user,
        "outsider": member().user,
        "declined": declined.user,
        "invited": invited.user,
        "accepted": accepted.user,
        "lead": lead.user,
    }
    return fresh(bid), people


def _get(user, pk, write):
    try:
        bid_access.get_bid_for_user(user, pk, write=write)
    except Http404:
        return 404
    except PermissionDenied:
        return 403
    return "ok"


@pytest.mark.parametrize("who", list(ACCESS))
def test_who_may_see_and_change_a_bid(bid_people, who, request):
    bid, people = bid_people
    user = people.get(who) or request.getfixturevalue(who)
    works, manages, money, read, write = ACCESS[who]

    assert bid_access.works_for_bids(user) is works
    assert bid_access.manages_bid(user, bid) is manages
    assert bid_access.sees_bid_money(user, bid) is money
    assert _get(user, bid.pk, write=False) == read
    assert _get(user, bid.pk, write=True) == write


def test_an_unknown_bid_is_404_even_for_coordinators(admin):
    with pytest.raises(Http404):
        bid_access.get_bid_for_user(admin, 999_999)


def test_a_removed_member_no_longer_sees_the_money(trio):
    lead, second, _third = trio
    bid = team_bid(lead, second)

    team.bid_member_remove(bid_id=bid.pk, actor=lead.user, consultant_id=second.pk)

    assert bid_access.sees_bid_money(second.user, bid) is False
    with pytest.raises(PermissionDenied):
        bid_access.get_bid_for_user(second.user, bid.pk, write=True)
