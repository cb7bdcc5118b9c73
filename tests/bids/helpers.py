"""Team bids built through the services, stage by stage, for tests about one later step; the
statement proposed and approved; and a snapshot of every row a bid service may touch, to check
that a refusal changed nothing.

Plain functions (the fixtures are in ``tests/bids/conftest.py``). ``start`` and the builders after
it use the service tests' figures: a price of 9,000, the lead 40 h, each other member 20 h.
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
    BidInterest,
    BidMember,
    HoursEntry,
    Settlement,
    StatementApproval,
)
from intake.models import Engagement, Notification, Request, RequestEvent
from network.models import Consultant
from tests.factories import ConsultantFactory, RequestFactory

D = Decimal
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


def named_member(name, rate) -> Consultant:
    """An active member by name, at their standard rate."""
    return ConsultantFactory(status=ACTIVE, display_name=name, hourly_rate=D(rate))


def bidding_request(**fields) -> Request:
    return RequestFactory(status=Request.Status.BIDDING, **fields)


def seat(consultant, hours="20", role="Developer") -> dict:
    return {"consultant": consultant.pk, "role": role, "estimated_hours": hours}


def start(lead, *others, request=None, price="9000.00", lead_hours="40", **terms) -> Bid:
    """A bid led by ``lead`` with ``others`` invited (20 h each)."""
    request = request or bidding_request()
    return team.bid_create(
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
        team.bid_member_respond(bid_id=bid.pk, actor=other.user, accept=True)
    return fresh(bid)


def sent_bid(lead, *others, **terms) -> Bid:
    bid = team_bid(lead, *others, **terms)
    states.bid_send(bid_id=bid.pk, actor=lead.user)
    return fresh(bid)


def sign_all(bid, *signers) -> Bid:
    number = terms.current_agreement(bid).number
    for signer in signers:
        terms.agreement_sign(bid_id=bid.pk, actor=signer.user, agreement_version=number)
    return fresh(bid)


def signed_bid(lead, *others, **terms) -> Bid:
    return sign_all(sent_bid(lead, *others, **terms), lead, *others)


def won_bid(coordinator, lead, *others, **terms) -> Bid:
    bid = signed_bid(lead, *others, **terms)
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    states.bid_decide(bid_id=bid.pk, actor=coordinator, won=True)
    return fresh(bid)


def working_bid(coordinator, lead, *others, started_days_ago=30, **terms) -> Bid:
    """Won and started ``started_days_ago`` days ago (hours may be logged since then)."""
    bid = won_bid(coordinator, lead, *others, **terms)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=started_days_ago)):
        states.bid_start(bid_id=bid.pk, actor=lead.user)
    return fresh(bid)


def log(bid, consultant, hours, days_ago=0):
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return work.hours_log(bid_id=bid.pk, actor=consultant.user, date=day, hours=hours)


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


# Every change that writes a new agreement version: (bid, lead, second, third) -> the change.
CHANGES = {
    "accept": lambda bid, lead, second, third: team.bid_member_respond(
        bid_id=bid.pk, actor=third.user, accept=True
    ),
    "remove": lambda bid, lead, second, third: team.bid_member_remove(
        bid_id=bid.pk, actor=lead.user, consultant_id=second.pk
    ),
    "hours": lambda bid, lead, second, third: team.bid_member_change(
        bid_id=bid.pk, actor=lead.user, consultant_id=second.pk, estimated_hours="25.5"
    ),
    "role": lambda bid, lead, second, third: team.bid_member_change(
        bid_id=bid.pk, actor=lead.user, consultant_id=second.pk, role="Architect"
    ),
    "price": lambda bid, lead, second, third: terms.bid_terms_change(
        bid_id=bid.pk, actor=lead.user, price="9500.00"
    ),
    "share": lambda bid, lead, second, third: terms.bid_terms_change(
        bid_id=bid.pk, actor=lead.user, alliance_share_percent="5"
    ),
    "mode": lambda bid, lead, second, third: terms.bid_terms_change(
        bid_id=bid.pk, actor=lead.user, split_mode=Bid.SplitMode.RATE_WEIGHTED
    ),
    "everything": lambda bid, lead, second, third: terms.bid_terms_change(
        bid_id=bid.pk,
        actor=lead.user,
        price="9500.00",
        alliance_share_percent="5",
        split_mode=Bid.SplitMode.RATE_WEIGHTED,
        due_date=timezone.localdate(),
    ),  # fmt: skip
}


# --- the statement ---------------------------------------------------------------------------

# The statement's states, as stored (Settlement.State).
PROPOSED, FINAL, DISPUTED = "proposed", "final", "disputed"


def propose(bid, lead, **fields) -> Settlement:
    return settlement.bid_settle(bid_id=bid.pk, actor=lead.user, **fields)


def approve(bid, *consultants) -> None:
    for consultant in consultants:
        settlement.statement_approve(bid_id=bid.pk, actor=consultant.user)


# --- notifications ---------------------------------------------------------------------------


def sent(kind) -> list[str]:
    """The addresses a notification of ``kind`` was queued for, sorted."""
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_email", flat=True))


def emails(*consultants) -> list[str]:
    return sorted(consultant.user.email for consultant in consultants)
