"""Team bids through their services (``intake/bids.py``), the workflow moves that carry them
(``intake/workflow.py``), their access rules (``intake/access.py``), their notifications and the
collaboration pairs they feed to matching.

Every refusal is checked twice: the exception (409 ``BidConflict``/``WorkflowConflict``, 403
``PermissionDenied``, 400 ``ValidationError`` naming the field) and a snapshot of every bid and
request row taken before and after, which must be equal: "a clear error and nothing changed"
(README, "Refusals").
"""

import datetime
import importlib
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.http import Http404
from django.utils import timezone

from intake.bids import access as bid_access
from intake.bids import services as bids
from intake.bids import settlement as bid_statements
from intake.bids.models import (
    AgreementSignature,
    AgreementVersion,
    Bid,
    BidEvent,
    BidInterest,
    BidMember,
    HoursEntry,
    Settlement,
    StatementApproval,
)
from intake.models import Engagement, Notification, OutsideReferral, Request, RequestEvent
from intake.workflow import WorkflowConflict, request_apply
from matching.adapter import collaboration_pairs
from network.models import Consultant
from tests.factories import ConsultantFactory, ExternalProfessionalFactory, RequestFactory

pytestmark = pytest.mark.django_db

D = Decimal
B = Bid.Status
M = BidMember.Status
ACTIVE = Consultant.Status.ACTIVE

# Every row a bid service may touch; a refusal must leave all of them as they were.
TRACKED = (
    Request,
    RequestEvent,
    Engagement,
    Bid,
    BidMember,
    BidInterest,
    BidEvent,
    AgreementVersion,
    AgreementSignature,
    HoursEntry,
    Settlement,
    StatementApproval,
)


def snapshot() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in TRACKED}


def assert_unchanged(before: dict) -> None:
    after = snapshot()
    for name, rows in before.items():
        assert after[name] == rows, f"{name} rows changed on a refusal"


# --- building bids ---------------------------------------------------------------------------


def member(rate="100.00", status=ACTIVE) -> Consultant:
    return ConsultantFactory(status=status, hourly_rate=D(rate))


def bidding_request(**fields) -> Request:
    return RequestFactory(status=Request.Status.BIDDING, **fields)


def seat(consultant, hours="20", role="Developer") -> dict:
    return {"consultant": consultant.pk, "role": role, "estimated_hours": hours}


def start(lead, *others, request=None, price="9000.00", lead_hours="40", **terms) -> Bid:
    """A bid led by ``lead`` with ``others`` invited (20 h each)."""
    request = request or bidding_request()
    return bids.bid_create(
        request_id=request.pk,
        actor=lead.user,
        price=price,
        lead_estimated_hours=lead_hours,
        invite=[seat(other) for other in others],
        **terms,
    )


def fresh(bid) -> Bid:
    return Bid.objects.get(pk=bid.pk)


def team_bid(lead, *others, **terms) -> Bid:
    """A draft bid whose invited members have all accepted."""
    bid = start(lead, *others, **terms)
    for other in others:
        bids.bid_member_respond(bid_id=bid.pk, actor=other.user, accept=True)
    return fresh(bid)


def sent_bid(lead, *others, **terms) -> Bid:
    bid = team_bid(lead, *others, **terms)
    bids.bid_send(bid_id=bid.pk, actor=lead.user)
    return fresh(bid)


def sign_all(bid, *signers) -> Bid:
    number = bids.current_agreement(bid).number
    for signer in signers:
        bids.agreement_sign(bid_id=bid.pk, actor=signer.user, agreement_version=number)
    return fresh(bid)


def signed_bid(lead, *others, **terms) -> Bid:
    return sign_all(sent_bid(lead, *others, **terms), lead, *others)


def won_bid(coordinator, lead, *others, **terms) -> Bid:
    bid = signed_bid(lead, *others, **terms)
    bids.bid_submit(bid_id=bid.pk, actor=lead.user)
    bids.bid_decide(bid_id=bid.pk, actor=coordinator, won=True)
    return fresh(bid)


def working_bid(coordinator, lead, *others, started_days_ago=30, **terms) -> Bid:
    """Won and started ``started_days_ago`` days ago (hours may be logged since then)."""
    bid = won_bid(coordinator, lead, *others, **terms)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=started_days_ago)):
        bids.bid_start(bid_id=bid.pk, actor=lead.user)
    return fresh(bid)


def log(bid, consultant, hours, days_ago=0):
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return bids.hours_log(bid_id=bid.pk, actor=consultant.user, date=day, hours=hours)


def log_total(bid, consultant, total) -> None:
    """Log ``total`` hours as a run of working days of at most 8 hours, today backwards."""
    left, days_ago = D(total), 0
    while left > 0:
        today = min(left, D("8"))
        log(bid, consultant, str(today), days_ago=days_ago)
        left, days_ago = left - today, days_ago + 1


def actions(bid) -> list[str]:
    return list(BidEvent.objects.filter(bid=bid).order_by("pk").values_list("action", flat=True))


def versions(bid) -> list[AgreementVersion]:
    return list(AgreementVersion.objects.filter(bid=bid).order_by("number"))


@pytest.fixture
def trio(db):
    """A lead and two members with different standard rates."""
    return member("100.00"), member("80.00"), member("60.00")


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

    with pytest.raises(bids.BidConflict):
        start(lead, request=request)

    assert_unchanged(before)


def test_a_request_has_at_most_one_open_bid(trio):
    """A second member offering to lead is told to volunteer instead (409); nothing changes."""
    lead, second, _third = trio
    bid = start(lead)
    before = snapshot()

    with pytest.raises(bids.BidConflict) as conflict:
        start(second, request=bid.request)

    assert conflict.value.status == B.DRAFT
    assert_unchanged(before)


def test_a_member_may_only_offer_to_lead_themselves(trio):
    lead, second, _third = trio
    request = bidding_request()
    before = snapshot()

    with pytest.raises(PermissionDenied):
        bids.bid_create(
            request_id=request.pk, actor=lead.user, lead=second, price="100.00",
            lead_estimated_hours="10",
        )  # fmt: skip

    assert_unchanged(before)


@pytest.mark.parametrize("coordinator", ["intake_coordinator", "community_coordinator", "admin"])
def test_a_staff_coordinator_may_name_any_working_member_as_lead(coordinator, request):
    actor = request.getfixturevalue(coordinator)
    lead = member()
    bidding = bidding_request()

    bid = bids.bid_create(
        request_id=bidding.pk, actor=actor, lead=lead.pk, price="100.00", lead_estimated_hours="10"
    )

    assert bid.lead == lead
    assert BidMember.objects.get(bid=bid).consultant == lead
    assert BidEvent.objects.get(bid=bid, action="created").actor == actor


def test_a_coordinator_without_a_member_record_must_name_a_lead(community_coordinator):
    request = bidding_request()
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        bids.bid_create(
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
        bids.bid_create(
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
    assert bids.current_agreement(bid).pool == D("0.01")


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
        bids.bid_create(
            request_id=request.pk, actor=lead.user, price="100", lead_estimated_hours="5",
            invite=invite,
        )  # fmt: skip

    assert "invite" in error.value.message_dict
    assert_unchanged(before)


def test_bid_create_writes_agreement_v1_with_the_lead_alone_and_invites_the_rest(trio):
    lead, second, third = trio
    request = bidding_request()

    bid = bids.bid_create(
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
    assert "VERSION 1" in v1.document and "9000.00" in v1.document
    assert actions(bid) == ["created", "invited", "invited"]


def test_bid_create_refuses_more_invitations_than_a_team_holds():
    """The cap of 5 seats counts the lead and the invitations, at creation as in bid_invite."""
    lead = member()
    others = [member() for _ in range(bids.MAX_TEAM_SIZE)]
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
    invited = [member() for _ in range(bids.MAX_TEAM_SIZE - 1)]
    bid = start(lead, *invited)
    extra = member()
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        bids.bid_invite(
            bid_id=bid.pk, actor=lead.user, consultant=extra, role="Tester", estimated_hours="5"
        )

    assert "consultant" in error.value.message_dict
    assert_unchanged(before)
    bids.bid_member_respond(bid_id=bid.pk, actor=invited[0].user, accept=False, reason="Busy")
    bids.bid_invite(
        bid_id=bid.pk, actor=lead.user, consultant=extra, role="Tester", estimated_hours="5"
    )
    assert BidMember.objects.get(bid=bid, consultant=extra).status == M.INVITED


def test_a_declined_member_can_be_invited_again_at_their_current_rate(trio):
    lead, second, _third = trio
    bid = start(lead, second)
    bids.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=False, reason="Too busy")
    Consultant.objects.filter(pk=second.pk).update(hourly_rate=D("85.00"))

    seat_again = bids.bid_invite(
        bid_id=bid.pk, actor=lead.user, consultant=second.pk, role="Analyst", estimated_hours="12"
    )

    seat_again.refresh_from_db()
    assert (seat_again.status, seat_again.role, seat_again.decline_reason) == (
        M.INVITED, "Analyst", ""
    )  # fmt: skip
    assert (seat_again.estimated_hours, seat_again.standard_rate) == (D("12"), D("85.00"))
    assert BidMember.objects.filter(bid=bid, consultant=second).count() == 1
    bids.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
    assert BidMember.objects.get(bid=bid, consultant=second).status == M.ACCEPTED


def test_inviting_a_member_already_invited_or_on_the_team_is_refused(trio):
    lead, second, _third = trio
    bid = start(lead, second)
    before = snapshot()

    for already in (second, lead):
        with pytest.raises(ValidationError):
            bids.bid_invite(
                bid_id=bid.pk, actor=lead.user, consultant=already, role="Dev", estimated_hours="5"
            )

    assert_unchanged(before)


def test_only_the_lead_or_a_coordinator_invites(trio, intake_coordinator):
    lead, second, third = trio
    bid = team_bid(lead, second)
    before = snapshot()

    with pytest.raises(PermissionDenied):
        bids.bid_invite(
            bid_id=bid.pk, actor=second.user, consultant=third, role="Dev", estimated_hours="5"
        )

    assert_unchanged(before)
    bids.bid_invite(
        bid_id=bid.pk, actor=intake_coordinator, consultant=third, role="Dev", estimated_hours="5"
    )
    assert BidMember.objects.get(bid=bid, consultant=third).invited_by == intake_coordinator


def test_accepting_writes_a_new_agreement_version_with_the_member_on_it(trio):
    lead, second, _third = trio
    bid = start(lead, second)

    bids.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)

    v1, v2 = versions(bid)
    assert v1.voided_at is not None and v2.voided_at is None
    assert [m["consultant"] for m in v2.terms["members"]] == [lead.pk, second.pk]
    assert v2.reason.endswith("joined the team")
    assert actions(bid)[-1] == "joined"


def test_declining_writes_no_agreement_version(trio):
    lead, second, _third = trio
    bid = start(lead, second)

    bids.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=False, reason=" Away ")

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
        bids.bid_member_remove(bid_id=bid.pk, actor=lead.user, consultant_id=third.pk)
    actor = {"outsider": member(), "lead": lead, "removed": third}[who]
    before = snapshot()

    with pytest.raises((PermissionDenied, bids.BidConflict)) as refused:
        bids.bid_member_respond(bid_id=bid.pk, actor=actor.user, accept=True)

    # The lead holds an accepted seat: answering it again is a conflict, not a permission.
    expected = bids.BidConflict if who == "lead" else PermissionDenied
    assert isinstance(refused.value, expected)
    assert_unchanged(before)


@pytest.mark.parametrize("first", [True, False], ids=["accepted", "declined"])
def test_answering_an_invitation_twice_is_a_conflict(trio, first):
    lead, second, _third = trio
    bid = start(lead, second)
    bids.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=first)
    before = snapshot()

    for answer in (True, False):
        with pytest.raises(bids.BidConflict):
            bids.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=answer)

    assert_unchanged(before)


def test_accepting_after_the_agreement_is_in_force_is_a_conflict(trio):
    """A member invited while the agreement was out cannot join once everyone else signed."""
    lead, second, third = trio
    bid = sent_bid(lead, second)
    bids.bid_invite(
        bid_id=bid.pk, actor=lead.user, consultant=third, role="QA", estimated_hours="5"
    )
    bid = sign_all(bid, lead, second)
    assert bid.status == B.SIGNED
    before = snapshot()

    with pytest.raises(bids.BidConflict):
        bids.bid_member_respond(bid_id=bid.pk, actor=third.user, accept=True)

    assert_unchanged(before)


def test_a_member_who_can_no_longer_work_cannot_accept(trio):
    lead, second, _third = trio
    bid = start(lead, second)
    Consultant.objects.filter(pk=second.pk).update(status=Consultant.Status.ON_LEAVE)
    second.user.refresh_from_db()
    before = snapshot()

    with pytest.raises(PermissionDenied):
        bids.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)

    assert_unchanged(before)


def test_volunteering_records_interest_and_an_event_on_the_open_bid(trio):
    lead, second, third = trio
    bid = start(lead)

    interest = bids.bid_volunteer(request_id=bid.request_id, actor=second.user, note="Drupal")
    again = bids.bid_volunteer(request_id=bid.request_id, actor=second.user, note="Drupal 10")

    assert interest.pk == again.pk
    assert BidInterest.objects.get(pk=interest.pk).note == "Drupal 10"
    assert actions(bid)[-2:] == ["volunteered", "volunteered"]
    not_bidding, alumnus = RequestFactory(), member(status=Consultant.Status.ALUMNI)
    before = snapshot()
    with pytest.raises(bids.BidConflict):
        bids.bid_volunteer(request_id=not_bidding.pk, actor=third.user)
    with pytest.raises(PermissionDenied):
        bids.bid_volunteer(request_id=bid.request_id, actor=alumnus.user)
    assert_unchanged(before)


# --- terms and agreement versions ------------------------------------------------------------


CHANGES = {
    "accept": lambda bid, lead, second, third: bids.bid_member_respond(
        bid_id=bid.pk, actor=third.user, accept=True
    ),
    "remove": lambda bid, lead, second, third: bids.bid_member_remove(
        bid_id=bid.pk, actor=lead.user, consultant_id=second.pk
    ),
    "hours": lambda bid, lead, second, third: bids.bid_member_change(
        bid_id=bid.pk, actor=lead.user, consultant_id=second.pk, estimated_hours="25.5"
    ),
    "role": lambda bid, lead, second, third: bids.bid_member_change(
        bid_id=bid.pk, actor=lead.user, consultant_id=second.pk, role="Architect"
    ),
    "price": lambda bid, lead, second, third: bids.bid_terms_change(
        bid_id=bid.pk, actor=lead.user, price="9500.00"
    ),
    "share": lambda bid, lead, second, third: bids.bid_terms_change(
        bid_id=bid.pk, actor=lead.user, alliance_share_percent="5"
    ),
    "mode": lambda bid, lead, second, third: bids.bid_terms_change(
        bid_id=bid.pk, actor=lead.user, split_mode=Bid.SplitMode.RATE_WEIGHTED
    ),
    "everything": lambda bid, lead, second, third: bids.bid_terms_change(
        bid_id=bid.pk,
        actor=lead.user,
        price="9500.00",
        alliance_share_percent="5",
        split_mode=Bid.SplitMode.RATE_WEIGHTED,
        due_date=timezone.localdate(),
    ),  # fmt: skip
}


@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("out", [False, True], ids=["draft", "agreement_out"])
def test_every_change_of_terms_writes_exactly_one_version_and_voids_the_one_before(
    trio, change, out
):
    lead, second, third = trio
    bid = start(lead, second, third)
    bids.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
    if out:
        bids.bid_send(bid_id=bid.pk, actor=lead.user)
    before_versions = versions(bid)
    previous = before_versions[-1]
    bid_version = fresh(bid).version

    CHANGES[change](bid, lead, second, third)

    after = versions(bid)
    assert len(after) == len(before_versions) + 1
    newest, voided = after[-1], after[-2]
    assert voided.pk == previous.pk and voided.voided_at is not None
    assert newest.number == previous.number + 1 and newest.voided_at is None
    assert [v for v in after if v.voided_at is None] == [newest]
    assert fresh(bid).version > bid_version
    bid = fresh(bid)
    assert (newest.price, newest.alliance_share_percent, newest.split_mode) == (
        bid.price, bid.alliance_share_percent, bid.split_mode
    )  # fmt: skip
    assert newest.pool == D(newest.terms["pool"])
    on_team = set(BidMember.objects.filter(bid=bid, status=M.ACCEPTED).values_list(
        "consultant_id", flat=True))  # fmt: skip
    assert {m["consultant"] for m in newest.terms["members"]} == on_team
    # Removing the only other member leaves the lead alone: the agreement goes back to draft.
    lead_alone = change == "remove"
    assert fresh(bid).status == (B.AGREEMENT_OUT if out and not lead_alone else B.DRAFT)


@pytest.mark.parametrize("mode", Bid.SplitMode.values)
@pytest.mark.parametrize(
    ("price", "share"), [("10000.01", "12.5"), ("100.00", "0"), ("0.07", "33.33"), ("999.99", "50")]
)
def test_the_planned_payouts_of_every_version_add_up_to_the_pool(trio, mode, price, share):
    lead, second, third = trio
    bid = team_bid(lead, second, third, price=price, alliance_share_percent=share, split_mode=mode)
    bids.bid_member_change(
        bid_id=bid.pk, actor=lead.user, consultant_id=third.pk, estimated_hours="7.25"
    )

    for version in versions(bid):
        terms = version.terms
        payouts = [D(m["planned_payout"]) for m in terms["members"]]
        assert sum(payouts) == D(terms["pool"]) == version.pool
        assert D(terms["alliance_amount"]) + version.pool == version.price
        overrun = [D(m["overrun_payout"]) for m in terms["members"]]
        early = [D(m["early_payout"]) for m in terms["members"]]
        assert sum(overrun) == sum(early) == version.pool
        hours = sum(D(m["estimated_hours"]) for m in terms["members"])
        assert D(terms["planned_hours"]) == hours


def test_the_terms_show_the_overrun_and_early_finish_of_every_member(trio):
    lead, second, _third = trio
    bid = team_bid(lead, second, price="6000.00")

    terms = bids.current_agreement(bid).terms

    # equal_rate, 40 + 20 planned hours: 100 an hour; 20 % longer is 83.33, 20 % early 125.
    assert terms["planned_blended_rate"] == "100.00"
    lead_terms = terms["members"][0]
    assert lead_terms["lead"] is True and lead_terms["planned_payout"] == "4000.00"
    assert (lead_terms["overrun_hours"], lead_terms["overrun_rate"]) == ("48.00", "83.33")
    assert (lead_terms["early_hours"], lead_terms["early_rate"]) == ("32.00", "125.00")
    assert lead_terms["overrun_payout"] == lead_terms["early_payout"] == "4000.00"


@pytest.mark.parametrize(
    "change", ["price", "share", "mode", "hours", "role", "remove", "invite", "everything"]
)
def test_changing_the_terms_of_a_signed_bid_is_a_conflict_and_changes_nothing(trio, change):
    lead, second, third = trio
    bid = signed_bid(lead, second)
    before = snapshot()

    with pytest.raises(bids.BidConflict) as conflict:
        if change == "invite":
            bids.bid_invite(
                bid_id=bid.pk, actor=lead.user, consultant=third, role="QA", estimated_hours="3"
            )
        else:
            CHANGES[change](bid, lead, second, third)

    assert conflict.value.status == B.SIGNED
    assert_unchanged(before)


def test_changing_the_due_date_alone_writes_no_version(trio):
    lead, second, _third = trio
    bid = sent_bid(lead, second)
    number = bids.current_agreement(bid).number
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    changed = bids.bid_terms_change(bid_id=bid.pk, actor=lead.user, due_date=tomorrow)

    assert fresh(bid).due_date == tomorrow and changed.version == bid.version + 1
    assert [v.number for v in versions(bid)] == list(range(1, number + 1))
    assert bids.current_agreement(bid).number == number
    assert actions(bid)[-1] == "terms_changed"


def test_the_due_date_of_a_signed_bid_may_still_move(trio):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    bids.bid_terms_change(bid_id=bid.pk, actor=lead.user, due_date=tomorrow)

    assert fresh(bid).due_date == tomorrow
    assert AgreementVersion.objects.get(bid=bid, in_force_at__isnull=False).voided_at is None


def test_a_change_to_the_same_values_is_no_change(trio):
    lead, second, _third = trio
    bid = team_bid(lead, second)
    before = snapshot()

    bids.bid_terms_change(bid_id=bid.pk, actor=lead.user, price="9000", split_mode="equal_rate")
    bids.bid_member_change(bid_id=bid.pk, actor=lead.user, consultant_id=second.pk,
                           estimated_hours="20.00", role="Developer")  # fmt: skip

    assert_unchanged(before)


@pytest.mark.parametrize("change", ["hours", "remove"])
def test_changing_or_removing_an_invited_member_writes_no_version(trio, change):
    lead, second, third = trio
    bid = team_bid(lead, second)
    bids.bid_invite(
        bid_id=bid.pk, actor=lead.user, consultant=third, role="QA", estimated_hours="3"
    )
    count = len(versions(bid))

    if change == "hours":
        bids.bid_member_change(
            bid_id=bid.pk, actor=lead.user, consultant_id=third.pk, estimated_hours="9"
        )
    else:
        bids.bid_member_remove(bid_id=bid.pk, actor=lead.user, consultant_id=third.pk)

    assert len(versions(bid)) == count


def test_the_lead_cannot_be_removed_and_only_managers_change_the_team(trio):
    lead, second, _third = trio
    bid = team_bid(lead, second)
    before = snapshot()

    with pytest.raises(ValidationError):
        bids.bid_member_remove(bid_id=bid.pk, actor=lead.user, consultant_id=lead.pk)
    with pytest.raises(PermissionDenied):
        bids.bid_member_remove(bid_id=bid.pk, actor=second.user, consultant_id=second.pk)
    with pytest.raises(PermissionDenied):
        bids.bid_terms_change(bid_id=bid.pk, actor=second.user, price="1.00")
    with pytest.raises(PermissionDenied):
        bids.bid_member_change(
            bid_id=bid.pk, actor=second.user, consultant_id=second.pk, estimated_hours="99"
        )

    assert_unchanged(before)


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("price", {"price": "0"}),
        ("alliance_share_percent", {"alliance_share_percent": "51"}),
        ("split_mode", {"split_mode": "equal"}),
        ("due_date", {"due_date": datetime.date(2000, 1, 1)}),
    ],
)
def test_bad_changes_of_terms_are_refused_with_the_field_name(trio, field, values):
    lead, second, _third = trio
    bid = team_bid(lead, second)
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        bids.bid_terms_change(bid_id=bid.pk, actor=lead.user, **values)

    assert field in error.value.message_dict
    assert_unchanged(before)


STALE_CALLS = {
    "terms": lambda bid, lead, other, v: bids.bid_terms_change(
        bid_id=bid.pk, actor=lead.user, price="1.00", version=v
    ),
    "invite": lambda bid, lead, other, v: bids.bid_invite(
        bid_id=bid.pk, actor=lead.user, consultant=other, role="QA", estimated_hours="1", version=v
    ),
    "change": lambda bid, lead, other, v: bids.bid_member_change(
        bid_id=bid.pk, actor=lead.user, consultant_id=lead.pk, estimated_hours="1", version=v
    ),
    "send": lambda bid, lead, other, v: bids.bid_send(bid_id=bid.pk, actor=lead.user, version=v),
    "withdraw": lambda bid, lead, other, v: bids.bid_withdraw(
        bid_id=bid.pk, actor=lead.user, version=v
    ),
}


@pytest.mark.parametrize("call", list(STALE_CALLS))
def test_a_change_based_on_a_stale_bid_version_is_a_conflict(trio, call):
    lead, second, third = trio
    bid = team_bid(lead, second)
    stale = bid.version - 1
    before = snapshot()

    with pytest.raises(bids.BidConflict) as conflict:
        STALE_CALLS[call](bid, lead, third, stale)

    assert conflict.value.version == bid.version
    assert_unchanged(before)


# --- sending and signing ---------------------------------------------------------------------


def test_sending_needs_a_second_member_on_the_team(trio):
    lead, second, _third = trio
    bid = start(lead, second)  # invited, not yet accepted
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        bids.bid_send(bid_id=bid.pk, actor=lead.user)

    assert "team" in error.value.message_dict
    assert_unchanged(before)


@pytest.mark.parametrize("who", ["outsider", "invited", "declined", "coordinator"])
def test_only_members_on_the_team_sign(trio, who, intake_coordinator):
    lead, second, third = trio
    bid = start(lead, second, third)
    bids.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
    if who == "declined":
        bids.bid_member_respond(bid_id=bid.pk, actor=third.user, accept=False)
    bids.bid_send(bid_id=bid.pk, actor=lead.user)
    actor = {"outsider": member().user, "invited": third.user, "declined": third.user,
             "coordinator": intake_coordinator}[who]  # fmt: skip
    number = bids.current_agreement(bid).number
    before = snapshot()

    with pytest.raises(PermissionDenied):
        bids.agreement_sign(bid_id=bid.pk, actor=actor, agreement_version=number)

    assert_unchanged(before)


@pytest.mark.parametrize("offset", [-1, 1])
def test_signing_a_version_that_is_not_the_current_one_is_a_conflict(trio, offset):
    lead, second, _third = trio
    bid = sent_bid(lead, second)
    number = bids.current_agreement(bid).number
    before = snapshot()

    with pytest.raises(bids.BidConflict):
        bids.agreement_sign(bid_id=bid.pk, actor=second.user, agreement_version=number + offset)

    assert_unchanged(before)


def test_a_draft_agreement_cannot_be_signed_before_it_is_sent(trio):
    lead, second, _third = trio
    bid = team_bid(lead, second)
    number = bids.current_agreement(bid).number
    before = snapshot()

    with pytest.raises(bids.BidConflict):
        bids.agreement_sign(bid_id=bid.pk, actor=second.user, agreement_version=number)

    assert_unchanged(before)


def test_signing_twice_answers_the_first_signature(trio):
    lead, second, third = trio
    bid = sent_bid(lead, second, third)
    number = bids.current_agreement(bid).number
    first = bids.agreement_sign(bid_id=bid.pk, actor=second.user, agreement_version=number)
    before = snapshot()

    again = bids.agreement_sign(bid_id=bid.pk, actor=second.user, agreement_version=number)

    assert again.pk == first.pk
    assert_unchanged(before)


def test_the_last_signature_puts_the_version_in_force_and_signs_the_bid(trio):
    lead, second, third = trio
    bid = sent_bid(lead, second, third)
    agreement = bids.current_agreement(bid)
    sign_all(bid, lead, second)
    agreement.refresh_from_db()
    assert agreement.in_force_at is None and fresh(bid).status == B.AGREEMENT_OUT

    sign_all(bid, third)

    agreement.refresh_from_db()
    assert agreement.in_force_at is not None and agreement.voided_at is None
    assert fresh(bid).status == B.SIGNED
    assert set(agreement.signatures.values_list("consultant_id", flat=True)) == {
        lead.pk, second.pk, third.pk
    }  # fmt: skip
    in_force = BidEvent.objects.get(bid=bid, action="in_force")
    assert (in_force.from_status, in_force.to_status) == (B.AGREEMENT_OUT, B.SIGNED)
    assert in_force.data == {"agreement": agreement.number}
    # A signature on the signed bid answers the one already there.
    assert (
        bids.agreement_sign(
            bid_id=bid.pk, actor=lead.user, agreement_version=agreement.number
        ).version_id
        == agreement.pk
    )


def test_a_change_between_signatures_voids_them_and_keeps_them_on_the_old_version(trio):
    lead, second, third = trio
    bid = sent_bid(lead, second, third)
    old = bids.current_agreement(bid)
    sign_all(bid, lead, second)

    bids.bid_terms_change(bid_id=bid.pk, actor=lead.user, alliance_share_percent="5")

    old.refresh_from_db()
    new = bids.current_agreement(bid)
    assert old.voided_at is not None and old.in_force_at is None
    assert old.signatures.count() == 2 and new.signatures.count() == 0
    assert fresh(bid).status == B.AGREEMENT_OUT
    with pytest.raises(bids.BidConflict):
        bids.agreement_sign(bid_id=bid.pk, actor=third.user, agreement_version=old.number)
    sign_all(bid, third, lead)
    assert (
        fresh(bid).status == B.AGREEMENT_OUT
    )  # second's signature on the old one no longer counts
    sign_all(bid, second)
    assert fresh(bid).status == B.SIGNED
    new.refresh_from_db()
    assert new.in_force_at is not None


def test_removing_the_last_unsigned_member_puts_the_remaining_signatures_to_a_new_version(trio):
    """Removing a member writes a version nobody signed yet: the others sign again."""
    lead, second, third = trio
    bid = sent_bid(lead, second, third)
    sign_all(bid, lead, second)

    bids.bid_member_remove(bid_id=bid.pk, actor=lead.user, consultant_id=third.pk)

    assert fresh(bid).status == B.AGREEMENT_OUT
    assert bids.current_agreement(bid).signatures.count() == 0


def test_a_team_of_the_lead_alone_never_comes_into_force(trio):
    lead, second, _third = trio
    bid = sent_bid(lead, second)
    bids.bid_member_remove(bid_id=bid.pk, actor=lead.user, consultant_id=second.pk)

    number = bids.current_agreement(bid).number
    try:
        bids.agreement_sign(bid_id=bid.pk, actor=lead.user, agreement_version=number)
    except (bids.BidConflict, ValidationError):
        pass  # refusing the signature is one way to keep the rule

    assert fresh(bid).status != B.SIGNED
    assert not AgreementVersion.objects.filter(bid=bid, in_force_at__isnull=False).exists()


# --- the request workflow --------------------------------------------------------------------


def test_a_bid_goes_to_the_client_only_when_signed(trio, intake_coordinator):
    lead, second, _third = trio
    bid = sent_bid(lead, second)
    before = snapshot()

    with pytest.raises(bids.BidConflict):
        bids.bid_submit(bid_id=bid.pk, actor=lead.user)
    with pytest.raises(WorkflowConflict):
        request_apply(
            request_id=bid.request_id, action="submit_bid", actor=intake_coordinator, version=None
        )

    assert_unchanged(before)


@pytest.mark.parametrize("who", ["lead", "intake_coordinator"])
def test_the_lead_or_an_intake_coordinator_submits_the_signed_bid(trio, who, request):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    actor = lead.user if who == "lead" else request.getfixturevalue("intake_coordinator")

    bids.bid_submit(bid_id=bid.pk, actor=actor)

    bid = fresh(bid)
    assert bid.status == B.SUBMITTED and bid.submitted_at is not None
    assert bid.request.status == Request.Status.BID_SUBMITTED
    event = RequestEvent.objects.filter(request=bid.request).latest("pk")
    assert (event.action, event.actor, event.data) == ("submit_bid", actor, {"bid": bid.pk})


@pytest.mark.parametrize("who", ["member", "outsider", "community_coordinator"])
def test_other_people_may_not_submit_the_bid(trio, who, request):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    actor = {
        "member": second.user,
        "outsider": member().user,
        "community_coordinator": request.getfixturevalue("community_coordinator"),
    }[who]
    before = snapshot()

    with pytest.raises(PermissionDenied):
        bids.bid_submit(bid_id=bid.pk, actor=actor)
    with pytest.raises(PermissionDenied):
        request_apply(request_id=bid.request_id, action="submit_bid", actor=actor, version=None)

    assert_unchanged(before)


def test_winning_engages_every_member_of_the_team(trio, intake_coordinator):
    lead, second, third = trio
    bid = signed_bid(lead, second, third)
    bids.bid_submit(bid_id=bid.pk, actor=lead.user)

    bids.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)

    bid = fresh(bid)
    assert bid.status == B.WON and bid.decided_at is not None
    assert bid.request.status == Request.Status.ENGAGED
    assert bid.request.engaged_consultant == lead
    engaged = Engagement.objects.filter(request=bid.request)
    assert sorted(engaged.values_list("consultant_id", flat=True)) == sorted(
        [lead.pk, second.pk, third.pk]
    )
    assert all(e.end is None for e in engaged)


def test_an_invited_member_who_never_joined_is_not_engaged(trio, intake_coordinator):
    lead, second, third = trio
    bid = sent_bid(lead, second)
    bids.bid_invite(
        bid_id=bid.pk, actor=lead.user, consultant=third, role="QA", estimated_hours="3"
    )
    sign_all(bid, lead, second)
    bids.bid_submit(bid_id=bid.pk, actor=lead.user)

    bids.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)

    assert not Engagement.objects.filter(request=bid.request, consultant=third).exists()


def test_losing_marks_the_request_and_the_bid_lost(trio, intake_coordinator):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    bids.bid_submit(bid_id=bid.pk, actor=lead.user)

    bids.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=False, note="Went elsewhere")

    bid = fresh(bid)
    assert (bid.status, bid.request.status) == (B.LOST, Request.Status.LOST)
    assert not Engagement.objects.filter(request=bid.request).exists()
    assert actions(bid)[-1] == "lose_bid"


def test_only_intake_coordinators_record_the_clients_answer(trio):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    bids.bid_submit(bid_id=bid.pk, actor=lead.user)
    before = snapshot()

    with pytest.raises(PermissionDenied):
        bids.bid_decide(bid_id=bid.pk, actor=lead.user, won=True)

    assert_unchanged(before)


def test_deciding_a_bid_not_yet_submitted_is_a_conflict(trio, intake_coordinator):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    before = snapshot()

    with pytest.raises(bids.BidConflict):
        bids.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)

    assert_unchanged(before)


@pytest.mark.parametrize("stage", ["draft", "signed", "submitted"])
@pytest.mark.parametrize("move", ["withdraw", "refer_out"])
def test_a_request_closed_while_bidding_withdraws_its_open_bid(
    trio, intake_coordinator, stage, move
):
    lead, second, _third = trio
    bid = {"draft": team_bid, "signed": signed_bid, "submitted": signed_bid}[stage](lead, second)
    if stage == "submitted":
        bids.bid_submit(bid_id=bid.pk, actor=lead.user)
    fields = (
        {"professionals": [ExternalProfessionalFactory().pk], "message": "They can help."}
        if move == "refer_out"
        else {"note": "The client found help."}
    )

    request_apply(
        request_id=bid.request_id, action=move, actor=intake_coordinator, version=None, **fields
    )

    bid = fresh(bid)
    assert bid.status == B.WITHDRAWN and bid.decided_at is not None
    assert bid.request.status in (Request.Status.WITHDRAWN, Request.Status.REFERRED_OUT)
    assert RequestEvent.objects.filter(request=bid.request).latest("pk").data["bid"] == bid.pk
    assert actions(bid)[-1] == "close"
    if move == "refer_out":
        assert OutsideReferral.objects.filter(request=bid.request).count() == 1


def test_after_a_bid_is_withdrawn_a_new_bid_can_start_on_the_request(trio):
    lead, second, _third = trio
    bid = signed_bid(lead, second)

    bids.bid_withdraw(bid_id=bid.pk, actor=lead.user, note="Could not agree")
    again = start(second, lead, request=bid.request)

    assert fresh(bid).status == B.WITHDRAWN
    assert fresh(bid).request.status == Request.Status.BIDDING
    assert again.lead == second and again.status == B.DRAFT
    assert bids.current_agreement(again).number == 1


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_only_the_lead_or_a_coordinator_withdraws_a_bid(trio, who):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    actor = second.user if who == "member" else member().user
    before = snapshot()

    with pytest.raises(PermissionDenied):
        bids.bid_withdraw(bid_id=bid.pk, actor=actor)

    assert_unchanged(before)


def test_a_submitted_bid_cannot_be_withdrawn_by_the_team(trio):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    bids.bid_submit(bid_id=bid.pk, actor=lead.user)
    before = snapshot()

    with pytest.raises(bids.BidConflict):
        bids.bid_withdraw(bid_id=bid.pk, actor=lead.user)

    assert_unchanged(before)


def test_the_work_starts_only_on_a_won_bid_by_its_managers(trio, intake_coordinator):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    before = snapshot()
    with pytest.raises(bids.BidConflict):
        bids.bid_start(bid_id=bid.pk, actor=lead.user)
    assert_unchanged(before)
    bids.bid_submit(bid_id=bid.pk, actor=lead.user)
    bids.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        bids.bid_start(bid_id=bid.pk, actor=second.user)
    assert_unchanged(before)

    bids.bid_start(bid_id=bid.pk, actor=lead.user)

    assert fresh(bid).status == B.IN_PROGRESS


# --- hours -----------------------------------------------------------------------------------


@pytest.fixture
def working(trio, intake_coordinator):
    lead, second, third = trio
    return working_bid(intake_coordinator, lead, second, third), lead, second, third


def test_members_on_the_team_log_their_hours(working):
    bid, lead, second, _third = working

    entry = log(bid, second, "7.25", days_ago=1)

    entry.refresh_from_db()
    assert (entry.consultant, entry.hours, entry.bid) == (second, D("7.25"), bid)
    event = BidEvent.objects.filter(bid=bid).latest("pk")
    assert (event.action, event.data["hours"], event.data["entry"]) == (
        "hours_logged", "7.25", entry.pk
    )  # fmt: skip


@pytest.mark.parametrize("who", ["outsider", "invited", "coordinator"])
def test_only_accepted_members_log_hours(trio, intake_coordinator, who):
    lead, second, third = trio
    bid = sent_bid(lead, second)
    bids.bid_invite(
        bid_id=bid.pk, actor=lead.user, consultant=third, role="QA", estimated_hours="3"
    )
    sign_all(bid, lead, second)
    bids.bid_submit(bid_id=bid.pk, actor=lead.user)
    bids.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    bids.bid_start(bid_id=bid.pk, actor=lead.user)
    actor = {"outsider": member().user, "invited": third.user,
             "coordinator": intake_coordinator}[who]  # fmt: skip
    before = snapshot()

    with pytest.raises(PermissionDenied):
        bids.hours_log(bid_id=bid.pk, actor=actor, date=timezone.localdate(), hours="1")

    assert_unchanged(before)


@pytest.mark.parametrize("stage", ["signed", "won"])
def test_hours_are_logged_only_while_the_work_is_in_progress(trio, intake_coordinator, stage):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    if stage == "won":
        bids.bid_submit(bid_id=bid.pk, actor=lead.user)
        bids.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    before = snapshot()

    with pytest.raises(bids.BidConflict):
        log(bid, second, "1")

    assert_unchanged(before)


@pytest.mark.parametrize(
    ("field", "hours", "days_ago"),
    [
        ("hours", "0", 0),
        ("hours", "-1", 0),
        ("hours", "24.01", 0),
        ("hours", "25", 0),
        ("hours", "1.005", 0),
        ("hours", "many", 0),
        ("hours", 1.5, 0),
        ("date", "1", -1),
    ],
)
def test_bad_hours_are_refused_with_the_field_name(working, field, hours, days_ago):
    bid, _lead, second, _third = working
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        log(bid, second, hours, days_ago=days_ago)

    assert field in error.value.message_dict
    assert_unchanged(before)


def test_starting_the_work_records_the_day_it_started(trio, intake_coordinator):
    lead, second, _third = trio
    bid = won_bid(intake_coordinator, lead, second)

    bids.bid_start(bid_id=bid.pk, actor=lead.user)

    assert fresh(bid).work_started_on == timezone.localdate()
    event = BidEvent.objects.filter(bid=bid).latest("pk")
    assert event.data["work_started_on"] == timezone.localdate().isoformat()


@pytest.mark.parametrize(
    "day",
    [
        datetime.date(1, 1, 1),
        datetime.date(1900, 1, 1),
        "the day before the work started",
        "tomorrow",
    ],
    ids=["year-1", "year-1900", "day-before-start", "tomorrow"],
)
def test_hours_outside_the_days_of_the_work_are_refused_on_the_date(trio, intake_coordinator, day):
    lead, second, _third = trio
    bid = working_bid(intake_coordinator, lead, second, started_days_ago=3)
    today = timezone.localdate()
    day = {
        "the day before the work started": today - datetime.timedelta(days=4),
        "tomorrow": today + datetime.timedelta(days=1),
    }.get(day, day)
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        bids.hours_log(bid_id=bid.pk, actor=lead.user, date=day, hours="24")

    assert list(error.value.message_dict) == ["date"]
    assert "the day it started" in error.value.message_dict["date"][0]
    assert_unchanged(before)


@pytest.mark.parametrize("days_ago", [3, 0], ids=["first-day", "today"])
def test_hours_on_the_first_day_of_the_work_and_today_are_accepted(
    trio, intake_coordinator, days_ago
):
    lead, second, _third = trio
    bid = working_bid(intake_coordinator, lead, second, started_days_ago=3)

    entry = log(bid, second, "8", days_ago=days_ago)

    assert entry.date == timezone.localdate() - datetime.timedelta(days=days_ago)


def test_a_bid_started_today_takes_no_hours_for_yesterday(trio, intake_coordinator):
    lead, second, _third = trio
    bid = won_bid(intake_coordinator, lead, second)
    bids.bid_start(bid_id=bid.pk, actor=lead.user)
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        log(bid, second, "8", days_ago=1)

    assert "date" in error.value.message_dict
    assert_unchanged(before)
    assert log(bid, second, "8").date == timezone.localdate()


def test_a_bid_with_no_recorded_start_takes_hours_for_today_only(trio, intake_coordinator):
    lead, second, _third = trio
    bid = working_bid(intake_coordinator, lead, second)
    Bid.objects.filter(pk=bid.pk).update(work_started_on=None)
    before = snapshot()

    with pytest.raises(ValidationError):
        log(bid, second, "1", days_ago=1)

    assert_unchanged(before)
    assert log(bid, second, "1").date == timezone.localdate()


def test_the_migration_takes_the_start_of_existing_bids_from_their_started_event(
    trio, intake_coordinator
):
    lead, second, _third = trio
    bid = won_bid(intake_coordinator, lead, second)
    bids.bid_start(bid_id=bid.pk, actor=lead.user)
    started = BidEvent.objects.get(bid=bid, action="started")
    Bid.objects.filter(pk=bid.pk).update(work_started_on=None)
    name = "0005_hours_window_and_statement_approvals"
    migration = importlib.import_module(f"intake.migrations.{name}")
    # The models as that migration saw them (bids were still intake's then).
    state = MigrationLoader(connection).project_state(("intake", name), at_end=True)

    migration.fill_work_started_and_final(state.apps, None)

    assert fresh(bid).work_started_on == timezone.localdate(started.created_at)


def test_a_datetime_instead_of_a_date_is_a_field_error(working):
    bid, _lead, second, _third = working
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        bids.hours_log(bid_id=bid.pk, actor=second.user, date=timezone.now(), hours="1")

    assert "date" in error.value.message_dict
    assert_unchanged(before)


def test_a_full_day_of_24_hours_is_accepted(working):
    bid, _lead, second, _third = working

    log(bid, second, "16")
    log(bid, second, "8")

    assert HoursEntry.objects.filter(consultant=second).count() == 2


def test_a_members_hours_on_one_date_across_all_their_bids_stay_within_24(
    working, intake_coordinator
):
    bid, lead, second, _third = working
    other_request_bid = working_bid(intake_coordinator, second, member())
    log(bid, second, "16")
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        log(other_request_bid, second, "8.01")

    assert "hours" in error.value.message_dict
    assert_unchanged(before)
    log(other_request_bid, second, "8")
    log(bid, second, "10", days_ago=1)  # another day starts again at 0


def test_members_delete_only_their_own_entries_while_the_work_is_in_progress(working):
    bid, lead, second, _third = working
    mine, theirs = log(bid, second, "3"), log(bid, lead, "4")
    before = snapshot()

    with pytest.raises(PermissionDenied):
        bids.hours_delete(bid_id=bid.pk, actor=second.user, entry_id=theirs.pk)
    with pytest.raises(ValidationError):
        bids.hours_delete(bid_id=bid.pk, actor=second.user, entry_id=999_999)

    assert_unchanged(before)
    bids.hours_delete(bid_id=bid.pk, actor=second.user, entry_id=mine.pk)
    assert list(HoursEntry.objects.filter(bid=bid)) == [theirs]
    assert actions(bid)[-1] == "hours_removed"
    bid_statements.bid_settle(bid_id=bid.pk, actor=lead.user)
    before = snapshot()
    with pytest.raises(bids.BidConflict):
        bids.hours_delete(bid_id=bid.pk, actor=lead.user, entry_id=theirs.pk)
    assert_unchanged(before)


# --- events ----------------------------------------------------------------------------------


def test_every_service_writes_its_event(trio, intake_coordinator):
    lead, second, third = trio
    bid = start(lead, second, third)
    bids.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
    bids.bid_member_respond(bid_id=bid.pk, actor=third.user, accept=False)
    bids.bid_member_change(bid_id=bid.pk, actor=lead.user, consultant_id=second.pk, role="Dev")
    bids.bid_terms_change(bid_id=bid.pk, actor=lead.user, price="8000")
    bids.bid_send(bid_id=bid.pk, actor=lead.user)
    sign_all(bid, lead, second)
    bids.bid_submit(bid_id=bid.pk, actor=lead.user)
    bids.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    bids.bid_start(bid_id=bid.pk, actor=lead.user)
    entry = log(bid, second, "3")
    bids.hours_delete(bid_id=bid.pk, actor=second.user, entry_id=entry.pk)
    log(bid, second, "4")
    bid_statements.bid_settle(bid_id=bid.pk, actor=lead.user)
    bid_statements.statement_dispute(bid_id=bid.pk, actor=second.user, reason="Missing a day")
    log(bid, second, "2")
    bid_statements.bid_settle(bid_id=bid.pk, actor=lead.user)
    bid_statements.statement_approve(bid_id=bid.pk, actor=second.user)
    bid_statements.statement_approve(bid_id=bid.pk, actor=lead.user)

    assert actions(bid) == [
        "created", "invited", "invited", "joined", "declined", "member_changed", "terms_changed",
        "sent", "signed", "signed", "in_force", "submit_bid", "win_bid", "started",
        "hours_logged", "hours_removed", "hours_logged", "settlement_proposed",
        "statement_disputed", "hours_logged", "settlement_proposed", "statement_approved",
        "statement_approved", "settled",
    ]  # fmt: skip
    moves = {
        event.action: (event.from_status, event.to_status)
        for event in BidEvent.objects.filter(bid=bid)
    }
    assert moves["sent"] == (B.DRAFT, B.AGREEMENT_OUT)
    assert moves["submit_bid"] == (B.SIGNED, B.SUBMITTED)
    assert moves["win_bid"] == (B.SUBMITTED, B.WON)
    assert moves["started"] == (B.WON, B.IN_PROGRESS)
    assert moves["settled"] == (B.IN_PROGRESS, B.SETTLED)
    assert moves["settlement_proposed"] == moves["statement_disputed"] == ("", "")
    assert moves["joined"] == ("", "")


def test_bid_events_are_append_only(trio):
    lead, _second, _third = trio
    event = BidEvent.objects.get(bid=start(lead), action="created")

    event.note = "rewritten"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()

    event.refresh_from_db()
    assert event.note == ""


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
    bids.bid_member_respond(bid_id=bid.pk, actor=accepted.user, accept=True)
    bids.bid_member_respond(bid_id=bid.pk, actor=declined.user, accept=False)
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

    bids.bid_member_remove(bid_id=bid.pk, actor=lead.user, consultant_id=second.pk)

    assert bid_access.sees_bid_money(second.user, bid) is False
    with pytest.raises(PermissionDenied):
        bid_access.get_bid_for_user(second.user, bid.pk, write=True)


# --- notifications ---------------------------------------------------------------------------


def sent(kind) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_email", flat=True))


def emails(*consultants) -> list[str]:
    return sorted(consultant.user.email for consultant in consultants)


def test_an_invitation_is_emailed_to_the_invitee(trio, django_capture_on_commit_callbacks):
    lead, second, third = trio
    with django_capture_on_commit_callbacks(execute=True):
        bid = start(lead, second)
    assert sent("bid_invitation") == emails(second)

    with django_capture_on_commit_callbacks(execute=True):
        bids.bid_invite(
            bid_id=bid.pk, actor=lead.user, consultant=third, role="QA", estimated_hours="2"
        )

    assert sent("bid_invitation") == emails(second, third)
    row = Notification.objects.get(kind="bid_invitation", recipient_email=third.user.email)
    assert bid.request.reference in row.subject
    assert row.recipient_user == third.user


def test_sending_asks_the_team_but_not_the_sender_to_sign(trio, django_capture_on_commit_callbacks):
    lead, second, third = trio
    bid = team_bid(lead, second, third)

    with django_capture_on_commit_callbacks(execute=True):
        bids.bid_send(bid_id=bid.pk, actor=lead.user)

    assert sent("agreement_to_sign") == emails(second, third)
    number = bids.current_agreement(bid).number
    assert all(
        f"version {number}" in subject
        for subject in Notification.objects.filter(kind="agreement_to_sign").values_list(
            "subject", flat=True
        )
    )


def test_a_draft_asks_nobody_to_sign(trio, django_capture_on_commit_callbacks):
    lead, second, _third = trio
    with django_capture_on_commit_callbacks(execute=True):
        bid = team_bid(lead, second)
        bids.bid_terms_change(bid_id=bid.pk, actor=lead.user, price="1.00")

    assert sent("agreement_to_sign") == []


@pytest.mark.parametrize("change", ["price", "hours", "remove", "accept"])
def test_a_new_version_while_out_asks_the_team_to_sign_again(
    trio, change, django_capture_on_commit_callbacks
):
    lead, second, third = trio
    bid = start(lead, second, third)
    bids.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
    if change != "accept":
        bids.bid_member_respond(bid_id=bid.pk, actor=third.user, accept=True)
    bids.bid_send(bid_id=bid.pk, actor=lead.user)

    with django_capture_on_commit_callbacks(execute=True):
        CHANGES[change](bid, lead, second, third)

    expected = {
        "price": emails(second, third),  # lead made the change
        "hours": emails(second, third),
        "remove": emails(third),  # second left the team
        "accept": emails(lead, second),  # third joined and is the actor
    }[change]
    assert sent("agreement_to_sign") == expected


@pytest.mark.parametrize("change", ["due_date", "invited_hours", "invited_removed"])
def test_a_change_that_writes_no_version_asks_nobody_to_sign_again(
    trio, change, django_capture_on_commit_callbacks
):
    lead, second, third = trio
    bid = sent_bid(lead, second)
    bids.bid_invite(
        bid_id=bid.pk, actor=lead.user, consultant=third, role="QA", estimated_hours="3"
    )
    number = bids.current_agreement(bid).number

    with django_capture_on_commit_callbacks(execute=True):
        if change == "due_date":
            bids.bid_terms_change(
                bid_id=bid.pk, actor=lead.user,
                due_date=timezone.localdate() + datetime.timedelta(days=3),
            )  # fmt: skip
        elif change == "invited_hours":
            bids.bid_member_change(
                bid_id=bid.pk, actor=lead.user, consultant_id=third.pk, estimated_hours="9"
            )
        else:
            bids.bid_member_remove(bid_id=bid.pk, actor=lead.user, consultant_id=third.pk)

    assert bids.current_agreement(bid).number == number
    assert sent("agreement_to_sign") == []


def test_the_last_signature_tells_the_whole_team_it_is_in_force(
    trio, django_capture_on_commit_callbacks
):
    lead, second, third = trio
    bid = sent_bid(lead, second, third)
    with django_capture_on_commit_callbacks(execute=True):
        sign_all(bid, lead, second)
    assert sent("agreement_in_force") == []

    with django_capture_on_commit_callbacks(execute=True):
        sign_all(bid, third)

    assert sent("agreement_in_force") == emails(lead, second, third)


def test_a_rolled_back_change_tells_nobody(trio, django_capture_on_commit_callbacks):
    lead, second, _third = trio
    bid = signed_bid(lead, second)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(bids.BidConflict):
            bids.bid_terms_change(bid_id=bid.pk, actor=lead.user, price="1.00")

    assert callbacks == []


# --- collaboration pairs ---------------------------------------------------------------------


def pair(a, b) -> tuple[int, int]:
    return (min(a.pk, b.pk), max(a.pk, b.pk))


def test_accepted_seats_on_one_bid_become_collaboration_pairs(trio):
    lead, second, third = trio
    declined, removed = member(), member()
    bid = start(lead, second, third, declined, removed)
    bids.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
    bids.bid_member_respond(bid_id=bid.pk, actor=declined.user, accept=False)
    bids.bid_member_respond(bid_id=bid.pk, actor=removed.user, accept=True)
    bids.bid_member_remove(bid_id=bid.pk, actor=lead.user, consultant_id=removed.pk)

    pairs = collaboration_pairs()

    assert pair(lead, second) in pairs
    for outsider in (third, declined, removed):  # invited, declined, removed
        assert pair(lead, outsider) not in pairs
        assert pair(second, outsider) not in pairs
    assert all(first < last for first, last in pairs)


def test_seats_on_different_bids_do_not_pair(trio):
    lead, second, third = trio
    team_bid(lead, second)
    team_bid(third, member())

    assert pair(lead, third) not in collaboration_pairs()
    assert pair(second, third) not in collaboration_pairs()
