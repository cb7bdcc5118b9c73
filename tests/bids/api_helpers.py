"""The API tests' addresses, and team bids built through the services at their figures (a price
of 10,000 with a 10 % share, the lead 40 h, each other member 30 h), stage by stage.

Plain functions; the fixtures (``lead``, ``second``, ``third``) are in ``tests/bids/conftest.py``.
"""

import datetime
from decimal import Decimal

import time_machine
from django.utils import timezone

from intake.bids import settlement, states, team, terms, work
from intake.bids.models import (
    AgreementSignature,
    AgreementVersion,
    Bid,
    BidEvent,
    BidMember,
    HoursEntry,
    Settlement,
)
from intake.models import Request
from network.models import Consultant
from tests.factories import ConsultantFactory, RequestFactory

BIDS = "/api/v1/bids/"


def bid_url(bid_id: int, tail: str = "") -> str:
    return f"{BIDS}{bid_id}/{tail}"


def working_member(rate="95", **fields) -> Consultant:
    return ConsultantFactory(status=Consultant.Status.ACTIVE, hourly_rate=Decimal(rate), **fields)


def bidding_request(**fields) -> Request:
    return RequestFactory(status=Request.Status.BIDDING, budget_max=Decimal("12000"), **fields)


# --- Bids built through the services, for tests about one later step --------------------------


def draft_bid(lead: Consultant, *others: Consultant, accept=True) -> Bid:
    """A draft on a fresh request: ``lead`` 40 h, each other member 30 h, all accepted."""
    bid = team.bid_create(
        request_id=bidding_request().pk,
        actor=lead.user,
        price="10000.00",
        alliance_share_percent="10",
        lead_estimated_hours="40",
        invite=[
            {"consultant": member.pk, "role": "Developer", "estimated_hours": "30"}
            for member in others
        ],
    )
    if accept:
        for member in others:
            team.bid_member_respond(bid_id=bid.pk, actor=member.user, accept=True)
    return Bid.objects.get(pk=bid.pk)


def signed_bid(lead: Consultant, *others: Consultant) -> Bid:
    bid = draft_bid(lead, *others)
    states.bid_send(bid_id=bid.pk, actor=lead.user)
    number = terms.current_agreement(bid).number
    for member in (lead, *others):
        terms.agreement_sign(bid_id=bid.pk, actor=member.user, agreement_version=number)
    return Bid.objects.get(pk=bid.pk)


def working_bid(lead: Consultant, *others: Consultant, coordinator) -> Bid:
    """Signed, submitted, won and started a week ago: members may log hours since then."""
    bid = signed_bid(lead, *others)
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    states.bid_decide(bid_id=bid.pk, actor=coordinator, won=True)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=7)):
        states.bid_start(bid_id=bid.pk, actor=lead.user)
    return Bid.objects.get(pk=bid.pk)


def proposed_bid(lead: Consultant, *others: Consultant, coordinator) -> Bid:
    """Working, 8 h logged today by each member, and the statement proposed by the lead."""
    bid = working_bid(lead, *others, coordinator=coordinator)
    today = timezone.localdate()
    for member in (lead, *others):
        work.hours_log(bid_id=bid.pk, actor=member.user, date=today, hours="8")
    settlement.bid_settle(bid_id=bid.pk, actor=lead.user, collector=lead.pk)
    return Bid.objects.get(pk=bid.pk)


def settled_bid(lead: Consultant, *others: Consultant, coordinator) -> Bid:
    """The proposed statement approved by every member: final, the bid settled."""
    bid = proposed_bid(lead, *others, coordinator=coordinator)
    for member in (lead, *others):
        settlement.statement_approve(bid_id=bid.pk, actor=member.user)
    return Bid.objects.get(pk=bid.pk)


def snapshot(bid: Bid) -> tuple:
    """Everything a refused write could have touched, to assert that nothing did."""
    bid = Bid.objects.get(pk=bid.pk)
    return (
        (bid.status, bid.version, bid.price, bid.alliance_share_percent, bid.split_mode),
        sorted(
            BidMember.objects.filter(bid=bid).values_list(
                "consultant_id", "status", "role", "estimated_hours"
            )
        ),
        sorted(AgreementVersion.objects.filter(bid=bid).values_list("number", "voided_at")),
        AgreementSignature.objects.filter(version__bid=bid).count(),
        HoursEntry.objects.filter(bid=bid).count(),
        Settlement.objects.filter(bid=bid).count(),
        BidEvent.objects.filter(bid=bid).count(),
    )
