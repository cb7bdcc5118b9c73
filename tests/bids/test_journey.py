"""A team bid from start to settlement through the services, checking the money at each step."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from intake.bids import rules, settlement, states, team, terms, work
from intake.bids.models import AgreementVersion, Bid
from intake.models import Engagement, Notification, Request
from matching.adapter import collaboration_pairs
from network.models import Consultant
from tests.factories import ConsultantFactory, RequestFactory

pytestmark = pytest.mark.django_db


def _member(rate):
    return ConsultantFactory(status=Consultant.Status.ACTIVE, hourly_rate=Decimal(rate))


def _start(request, lead, second, third):
    return team.bid_create(
        request_id=request.pk,
        actor=lead.user,
        price="10000.00",
        alliance_share_percent="10",
        lead_estimated_hours="40",
        invite=[
            {"consultant": second.pk, "role": "Developer", "estimated_hours": "30"},
            {"consultant": third.pk, "role": "Designer", "estimated_hours": "30"},
        ],
    )


def test_a_bid_goes_from_board_to_settled_statement(
    intake_coordinator, django_capture_on_commit_callbacks
):
    """Lead starts, two members join, the terms change and void signatures, everyone signs,
    the bid is won, hours are logged and the pool is split to the cent."""
    request = RequestFactory(status=Request.Status.BIDDING, budget_max=Decimal("12000"))
    lead, second, third = _member("100"), _member("80"), _member("60")

    with django_capture_on_commit_callbacks(execute=True):
        bid = _start(request, lead, second, third)
    assert bid.lead == lead
    assert bid.agreement_versions.count() == 1
    assert Notification.objects.filter(kind="bid_invitation").count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
        team.bid_member_respond(bid_id=bid.pk, actor=third.user, accept=True)
    agreement = terms.current_agreement(bid)
    assert agreement.number == 3
    figures = agreement.terms
    assert figures["pool"] == "9000.00"
    assert figures["planned_hours"] == "100.00"
    assert figures["planned_blended_rate"] == "90.00"
    assert [m["planned_payout"] for m in figures["members"]] == ["3600.00", "2700.00", "2700.00"]
    assert "VERSION 3" in agreement.document and "20 % longer" in agreement.document

    with django_capture_on_commit_callbacks(execute=True):
        states.bid_send(bid_id=bid.pk, actor=lead.user)
    assert Notification.objects.filter(kind="agreement_to_sign").count() == 2
    terms.agreement_sign(bid_id=bid.pk, actor=second.user, agreement_version=3)
    terms.agreement_sign(bid_id=bid.pk, actor=lead.user, agreement_version=3)
    # A change before the last signature voids the two signatures on version 3.
    terms.bid_terms_change(bid_id=bid.pk, actor=lead.user, price="11000.00")
    with pytest.raises(rules.BidConflict):
        terms.agreement_sign(bid_id=bid.pk, actor=third.user, agreement_version=3)
    for member in (lead, second, third):
        terms.agreement_sign(bid_id=bid.pk, actor=member.user, agreement_version=4)
    bid.refresh_from_db()
    assert bid.status == Bid.Status.SIGNED
    in_force = AgreementVersion.objects.get(bid=bid, in_force_at__isnull=False)
    assert in_force.number == 4 and in_force.pool == Decimal("9900.00")
    assert AgreementVersion.objects.get(bid=bid, number=3).signatures.count() == 2
    with pytest.raises(rules.BidConflict):
        terms.bid_terms_change(bid_id=bid.pk, actor=lead.user, price="12000.00")

    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    request.refresh_from_db()
    assert request.status == Request.Status.BID_SUBMITTED
    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    request.refresh_from_db()
    assert request.status == Request.Status.ENGAGED
    assert Engagement.objects.filter(request=request).count() == 3
    assert (min(lead.pk, second.pk), max(lead.pk, second.pk)) in collaboration_pairs()

    states.bid_start(bid_id=bid.pk, actor=lead.user)
    today = timezone.localdate()
    # The work started a week ago: hours are taken for the days since then.
    Bid.objects.filter(pk=bid.pk).update(work_started_on=today - datetime.timedelta(days=7))
    logged = {lead: ["8", "8", "8", "8", "8", "8", "2"], second: ["8", "8", "8", "6", "3"],
              third: ["8", "8", "4.5"]}  # fmt: skip
    for member, days in logged.items():
        for back, hours in enumerate(days):
            day = today - datetime.timedelta(days=back)
            work.hours_log(bid_id=bid.pk, actor=member.user, date=day, hours=hours)
    statement = settlement.bid_settle(bid_id=bid.pk, actor=lead.user, collector=lead.pk)
    payouts = [Decimal(line["payout"]) for line in statement.lines]
    assert sum(payouts) == Decimal("9900.00")
    assert statement.total_hours == Decimal("103.50")
    # equal_rate: 9900 / 103.5 = 95.652… an hour for everyone.
    assert {line["effective_rate"] for line in statement.lines} == {"95.65"}
    assert [t["to_name"] for t in statement.transfers][-1] == "The alliance"
    assert Decimal(statement.transfers[-1]["amount"]) == Decimal("1100.00")
    # Proposed, not final: the request completes when every member has approved.
    request.refresh_from_db()
    assert request.status == Request.Status.ENGAGED
    for member in (third, second, lead):
        settlement.statement_approve(bid_id=bid.pk, actor=member.user)
    assert statement.approvals.count() == 3
    statement.refresh_from_db()
    assert statement.state == statement.State.FINAL
    request.refresh_from_db()
    assert request.status == Request.Status.COMPLETED
