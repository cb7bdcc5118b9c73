"""Forming a bid's team (``intake.bids.team``): starting a bid, the invitations and their
answers, volunteering. Every refusal is checked twice: the exception and a snapshot of every
bid and request row before and after, which must be equal (``tests.bids.helpers.snapshot``).
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from intake.bids import rules, team, terms
from intake.bids.models import (
    Bid,
    BidEvent,
    BidInterest,
    BidMember,
)
from intake.models import Request
from network.models import Consultant
from tests.bids.helpers import (
    D,
    actions,
    assert_unchanged,
    bidding_request,
    member,
    seat,
    sent_bid,
    sign_all,
    snapshot,
    start,
    team_bid,
    versions,
)
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db

B = Bid.Status
M = BidMember.Status


# --- bid_create ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [
        Request.Status.TRIAGED,
        Request.Status.ROUTED,
        Request.Status.BID_SUBMITTED,
        Request.Status.ENGAGED,
        Request.Status.WITHDRAWN,
    ],
)
def test_a_bid_starts_only_on_a_request_open_for_bidding(status):
    """A request in any other state refuses a bid with 409 and nothing is written."""
    lead = member()
    request = RequestFactory(status=status)
    before = snapshot()

    with pytest.raises(rules.BidConflict):
        start(lead, request=request)

    assert_unchanged(before)


def test_a_request_has_at_most_one_open_bid(trio):
    """A second member offering to lead is told to volunteer instead (409); nothing changes."""
    lead, second, _third = trio
    bid = start(lead)
    before = snapshot()

    with pytest.raises(rules.BidConflict) as conflict:
        start(second, request=bid.request)

    assert conflict.value.status == B.DRAFT
    assert_unchanged(before)


def test_a_member_may_only_offer_to_lead_themselves(trio):
    lead, second, _third = trio
    request = bidding_request()
    before = snapshot()

    with pytest.raises(PermissionDenied):
        team.bid_create(
            request_id=request.pk, actor=lead.user, lead=second, price="100.00",
            lead_estimated_hours="10",
        )  # fmt: skip

    assert_unchanged(before)


@pytest.mark.parametrize("coordinator", ["intake_coordinator", "community_coordinator", "admin"])
def test_a_staff_coordinator_may_name_any_working_member_as_lead(coordinator, request):
    actor = request.getfixturevalue(coordinator)
    lead = member()
    bidding = bidding_request()

    bid = team.bid_create(
        request_id=bidding.pk, actor=actor, lead=lead.pk, price="100.00", lead_estimated_hours="10"
    )

    assert bid.lead == lead
    assert BidMember.objects.get(bid=bid).consultant == lead
    assert BidEvent.objects.get(bid=bid, action="created").actor == actor


def test_a_coordinator_without_a_member_record_must_name_a_lead(community_coordinator):
    request = bidding_request()
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        team.bid_create(
            request_id=request.pk,
            actor=community_coordinator,
            price="100",
            lead_estimated_hours="5",
        )

    assert "lead" in error.value.message_dict
    assert_unchanged(before)


def test_a_member_on_probation_may_lead():
    lead = member(status=Consultant.Status.PROBATION)

    bid = start(lead)

    assert bid.lead == lead


@pytest.mark.parametrize(
    "status",
    [
        Consultant.Status.APPLICANT,
        Consultant.Status.ON_LEAVE,
        Consultant.Status.ALUMNI,
        Consultant.Status.FORMER,
    ],
)
def test_the_lead_must_be_active_or_on_probation(status, intake_coordinator):
    """Named by a coordinator or offering themselves, a member who cannot work cannot lead."""
    lead = member(status=status)
    request = bidding_request()
    before = snapshot()

    with pytest.raises(ValidationError) as named:
        team.bid_create(
            request_id=request.pk, actor=intake_coordinator, lead=lead, price="100",
            lead_estimated_hours="5",
        )  # fmt: skip
    with pytest.raises((ValidationError, PermissionDenied)):
        start(lead, request=request)

    assert "lead" in named.value.message_dict
    assert_unchanged(before)


@pytest.mark.parametrize(
    ("field", "terms"),
    [
        ("price", {"price": "0"}),
        ("price", {"price": "-100.00"}),
        ("price", {"price": "100.001"}),
        ("price", {"price": "a lot"}),
        ("price", {"price": 100.5}),
        ("price", {"price": "NaN"}),
        ("alliance_share_percent", {"alliance_share_percent": "-0.01"}),
        ("alliance_share_percent", {"alliance_share_percent": "50.01"}),
        ("alliance_share_percent", {"alliance_share_percent": "10.005"}),
        ("split_mode", {"split_mode": "by_seniority"}),
        ("due_date", {"due_date": datetime.date(2000, 1, 1)}),
        ("lead_estimated_hours", {"lead_hours": "0"}),
        ("lead_estimated_hours", {"lead_hours": "-5"}),
        ("lead_role", {"lead_role": "x" * 81}),
    ],
    ids=lambda value: str(value)[:30],
)
def test_bad_terms_are_refused_with_the_field_name(field, terms):
    lead = member()
    request = bidding_request()
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        start(lead, request=request, **terms)

    assert field in error.value.message_dict
    assert_unchanged(before)


def test_the_due_date_may_be_today_and_the_share_exactly_fifty():
    bid = start(member(), due_date=timezone.localdate(), alliance_share_percent="50", price="0.01")

    assert bid.due_date == timezone.localdate()
    assert terms.current_agreement(bid).pool == D("0.01")


@pytest.mark.parametrize("problem", ["duplicate", "lead", "inactive", "unknown", "no_role"])
def test_the_invite_list_refuses_duplicates_the_lead_and_members_who_cannot_work(trio, problem):
    lead, second, _third = trio
    invite = {
        "duplicate": [seat(second), seat(second)],
        "lead": [seat(lead)],
        "inactive": [seat(member(status=Consultant.Status.ON_LEAVE))],
        "unknown": [{"consultant": 999_999, "role": "Developer", "estimated_hours": "5"}],
        "no_role": [{"consultant": second.pk, "role": " ", "estimated_hours": "5"}],
    }[problem]
    request = bidding_request()
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        team.bid_create(
            request_id=request.pk, actor=lead.user, price="100", lead_estimated_hours="5",
            invite=invite,
        )  # fmt: skip

    assert "invite" in error.value.message_dict
    assert_unchanged(before)


def test_bid_create_writes_agreement_v1_with_the_lead_alone_and_invites_the_rest(trio):
    lead, second, third = trio
    request = bidding_request()

    bid = team.bid_create(
        request_id=request.pk,
        actor=lead.user,
        price="10000.00",
        alliance_share_percent="10",
        split_mode=Bid.SplitMode.RATE_WEIGHTED,
        lead_estimated_hours="40",
        lead_role="Project lead",
        invite=[seat(second, "30"), seat(third, "30", "Designer")],
    )

    assert (bid.status, bid.version, bid.currency) == (B.DRAFT, 1, request.currency)
    seats = {s.consultant_id: s for s in BidMember.objects.filter(bid=bid)}
    assert seats[lead.pk].status == M.ACCEPTED and seats[lead.pk].role == "Project lead"
    assert seats[lead.pk].standard_rate == D("100.00")
    assert {seats[second.pk].status, seats[third.pk].status} == {M.INVITED}
    assert seats[second.pk].standard_rate == D("80.00")
    (v1,) = versions(bid)
    assert (v1.number, v1.voided_at, v1.in_force_at) == (1, None, None)
    assert (v1.price, v1.alliance_share_percent, v1.pool) == (D("10000"), D("10"), D("9000"))
    assert v1.split_mode == Bid.SplitMode.RATE_WEIGHTED
    assert v1.terms["alliance_amount"] == "1000.00"
    assert v1.terms["planned_hours"] == "40.00"
    assert v1.terms["planned_blended_rate"] == "225.00"
    assert [m["consultant"] for m in v1.terms["members"]] == [lead.pk]
    assert v1.terms["members"][0]["planned_payout"] == "9000.00"
    assert "VERSION 1" in v1.document and "USD\u00a09,000.00" in v1.document
    assert actions(bid) == ["created", "invited", "invited"]


def test_bid_create_refuses_more_invitations_than_a_team_holds():
    """The cap of 5 seats counts the lead and the invitations, at creation as in bid_invite."""
    lead = member()
    others = [member() for _ in range(rules.MAX_TEAM_SIZE)]
    request = bidding_request()
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        start(lead, *others, request=request)

    assert "invite" in error.value.message_dict
    assert_unchanged(before)


def test_rate_weighted_with_every_standard_rate_zero_is_a_field_error():
    """Members may charge 0 (pro bono); rate_weighted then has nothing to weigh the pool by."""
    lead = member("0.00")
    request = bidding_request()
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        start(lead, request=request, split_mode=Bid.SplitMode.RATE_WEIGHTED)

    assert "split_mode" in error.value.message_dict
    assert_unchanged(before)


# --- invitations -----------------------------------------------------------------------------


def test_invitations_count_towards_the_team_cap():
    """The lead and four invitations fill the team; a sixth seat is refused until one declines."""
    lead = member()
    invited = [member() for _ in range(rules.MAX_TEAM_SIZE - 1)]
    bid = start(lead, *invited)
    extra = member()
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        team.bid_invite(
            bid_id=bid.pk, actor=lead.user, consultant=extra, role="Tester", estimated_hours="5"
        )

    assert "consultant" in error.value.message_dict
    assert_unchanged(before)
    team.bid_member_respond(bid_id=bid.pk, actor=invited[0].user, accept=False, reason="Busy")
    team.bid_invite(
        bid_id=bid.pk, actor=lead.user, consultant=extra, role="Tester", estimated_hours="5"
    )
    assert BidMember.objects.get(bid=bid, consultant=extra).status == M.INVITED


def test_a_declined_member_can_be_invited_again_at_their_current_rate(trio):
    lead, second, _third = trio
    bid = start(lead, second)
    team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=False, reason="Too busy")
    Consultant.objects.filter(pk=second.pk).update(hourly_rate=D("85.00"))

    seat_again = team.bid_invite(
        bid_id=bid.pk, actor=lead.user, consultant=second.pk, role="Analyst", estimated_hours="12"
    )

    seat_again.refresh_from_db()
    assert (seat_again.status, seat_again.role, seat_again.decline_reason) == (
        M.INVITED, "Analyst", ""
    )  # fmt: skip
    assert (seat_again.estimated_hours, seat_again.standard_rate) == (D("12"), D("85.00"))
    assert BidMember.objects.filter(bid=bid, consultant=second).count() == 1
    team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
    assert BidMember.objects.get(bid=bid, consultant=second).status == M.ACCEPTED


def test_inviting_a_member_already_invited_or_on_the_team_is_refused(trio):
    lead, second, _third = trio
    bid = start(lead, second)
    before = snapshot()

    for already in (second, lead):
        with pytest.raises(ValidationError):
            team.bid_invite(
                bid_id=bid.pk, actor=lead.user, consultant=already, role="Dev", estimated_hours="5"
            )

    assert_unchanged(before)


def test_only_the_lead_or_a_coordinator_invites(trio, intake_coordinator):
    lead, second, third = trio
    bid = team_bid(lead, second)
    before = snapshot()

    with pytest.raises(PermissionDenied):
        team.bid_invite(
            bid_id=bid.pk, actor=second.user, consultant=third, role="Dev", estimated_hours="5"
        )

    assert_unchanged(before)
    team.bid_invite(
        bid_id=bid.pk, actor=intake_coordinator, consultant=third, role="Dev", estimated_hours="5"
    )
    assert BidMember.objects.get(bid=bid, consultant=third).invited_by == intake_coordinator


def test_accepting_writes_a_new_agreement_version_with_the_member_on_it(trio):
    lead, second, _third = trio
    bid = start(lead, second)

    team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)

    v1, v2 = versions(bid)
    assert v1.voided_at is not None and v2.voided_at is None
    assert [m["consultant"] for m in v2.terms["members"]] == [lead.pk, second.pk]
    assert v2.reason.endswith("joined the team")
    assert actions(bid)[-1] == "joined"


def test_declining_writes_no_agreement_version(trio):
    lead, second, _third = trio
    bid = start(lead, second)

    team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=False, reason=" Away ")

    assert len(versions(bid)) == 1 and versions(bid)[0].voided_at is None
    seat_row = BidMember.objects.get(bid=bid, consultant=second)
    assert (seat_row.status, seat_row.decline_reason) == (M.DECLINED, "Away")
    assert seat_row.responded_at is not None
    assert actions(bid)[-1] == "declined"


@pytest.mark.parametrize("who", ["outsider", "lead", "removed"])
def test_only_the_invited_member_may_answer_an_invitation(trio, who):
    lead, second, third = trio
    bid = start(lead, second, third)
    if who == "removed":
        team.bid_member_remove(bid_id=bid.pk, actor=lead.user, consultant_id=third.pk)
    actor = {"outsider": member(), "lead": lead, "removed": third}[who]
    before = snapshot()

    with pytest.raises((PermissionDenied, rules.BidConflict)) as refused:
        team.bid_member_respond(bid_id=bid.pk, actor=actor.user, accept=True)

    # The lead holds an accepted seat: answering it again is a conflict, not a permission.
    expected = rules.BidConflict if who == "lead" else PermissionDenied
    assert isinstance(refused.value, expected)
    assert_unchanged(before)


@pytest.mark.parametrize("first", [True, False], ids=["accepted", "declined"])
def test_answering_an_invitation_twice_is_a_conflict(trio, first):
    lead, second, _third = trio
    bid = start(lead, second)
    team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=first)
    before = snapshot()

    for answer in (True, False):
        with pytest.raises(rules.BidConflict):
            team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=answer)

    assert_unchanged(before)


def test_accepting_after_the_agreement_is_in_force_is_a_conflict(trio):
    """A member invited while the agreement was out cannot join once everyone else signed."""
    lead, second, third = trio
    bid = sent_bid(lead, second)
    team.bid_invite(
        bid_id=bid.pk, actor=lead.user, consultant=third, role="QA", estimated_hours="5"
    )
    bid = sign_all(bid, lead, second)
    assert bid.status == B.SIGNED
    before = snapshot()

    with pytest.raises(rules.BidConflict):
        team.bid_member_respond(bid_id=bid.pk, actor=third.user, accept=True)

    assert_unchanged(before)


def test_a_member_who_can_no_longer_work_cannot_accept(trio):
    lead, second, _third = trio
    bid = start(lead, second)
    Consultant.objects.filter(pk=second.pk).update(status=Consultant.Status.ON_LEAVE)
    second.user.refresh_from_db()
    before = snapshot()

    with pytest.raises(PermissionDenied):
        team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)

    assert_unchanged(before)


def test_volunteering_records_interest_and_an_event_on_the_open_bid(trio):
    lead, second, third = trio
    bid = start(lead)

    interest = team.bid_volunteer(request_id=bid.request_id, actor=second.user, note="Drupal")
    again = team.bid_volunteer(request_id=bid.request_id, actor=second.user, note="Drupal 10")

    assert interest.pk == again.pk
    assert BidInterest.objects.get(pk=interest.pk).note == "Drupal 10"
    assert actions(bid)[-2:] == ["volunteered", "volunteered"]
    not_bidding, alumnus = RequestFactory(), member(status=Consultant.Status.ALUMNI)
    before = snapshot()
    with pytest.raises(rules.BidConflict):
        team.bid_volunteer(request_id=not_bidding.pk, actor=third.user)
    with pytest.raises(PermissionDenied):
        team.bid_volunteer(request_id=bid.request_id, actor=alumnus.user)
    assert_unchanged(before)
