"""What a client sees of a team bid (the price and the team's names, nothing else), and the bid
rows in Django admin (viewable in a bounded number of queries, never edited)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

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
from intake.services import request_submit
from intake.workflow import request_apply
from network.models import Consultant
from tests.factories import ConsultantFactory

pytestmark = pytest.mark.django_db


def _member(name, rate):
    return ConsultantFactory(
        status=Consultant.Status.ACTIVE, display_name=name, hourly_rate=Decimal(rate)
    )


def _to_bidding(request, coordinator):
    for action in ("contact", "triage", "start_bidding"):
        request.refresh_from_db()
        request_apply(
            request_id=request.pk, action=action, actor=coordinator, version=request.version
        )


@pytest.fixture
def settled(intake_coordinator):
    """A request taken through a whole bid to settlement; returns (submission, bid)."""
    submission = request_submit(
        organization_name="Harbor Literacy Project",
        contact_name="Contact One",
        contact_email="contact@harbor.example.org",
        title="Rebuild our volunteer scheduling system",
        description="Three sites, two hundred volunteers, a spreadsheet that breaks.",
    )
    _to_bidding(submission.request, intake_coordinator)
    lead, second = _member("Member Lead", "97.00"), _member("Member Second", "83.00")
    bid = bids.bid_create(
        request_id=submission.request.pk,
        actor=lead.user,
        price="7777.00",
        alliance_share_percent="5",
        lead_estimated_hours="40",
        invite=[{"consultant": second.pk, "role": "Developer", "estimated_hours": "30"}],
    )
    bids.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
    bids.bid_send(bid_id=bid.pk, actor=lead.user)
    for member in (lead, second):
        bids.agreement_sign(bid_id=bid.pk, actor=member.user, agreement_version=2)
    return submission, bid, lead, second


def _status(token):
    return APIClient().get(f"/api/v1/requests/status/{token}/")


def test_client_sees_no_bid_before_it_is_sent(settled):
    submission, _bid, _lead, _second = settled
    body = _status(submission.status_token).json()
    assert body["stage"] == "bidding"
    assert body["bid"] is None


def test_client_sees_the_price_and_team_names_only_once_sent(settled, intake_coordinator):
    submission, bid, lead, second = settled
    bids.bid_submit(bid_id=bid.pk, actor=lead.user)
    response = _status(submission.status_token)
    body = response.json()
    assert body["bid"]["price"] == "7777.00"
    assert body["bid"]["team"] == ["Member Lead", "Member Second"]
    assert set(body["bid"]) == {"price", "currency", "team", "submitted_at"}
    text = response.content.decode()
    # Rates, the pool, the share and planned hours never reach the client.
    for private in ("97.00", "83.00", "7388.15", "388.85", "40.00", "30.00"):
        assert private not in text
    page = APIClient().get(reverse("request-status", args=[submission.status_token]))
    html = page.content.decode()
    assert "7777.00" in html and "Member Second" in html
    assert "97.00" not in html and "7388.15" not in html


def test_client_still_sees_the_proposal_after_it_was_lost(settled, intake_coordinator):
    submission, bid, lead, _second = settled
    bids.bid_submit(bid_id=bid.pk, actor=lead.user)
    bids.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=False)
    body = _status(submission.status_token).json()
    assert body["stage"] == "lost"
    assert body["bid"]["price"] == "7777.00"


# --- Admin --------------------------------------------------------------------------------------

BID_MODELS = [
    Bid,
    BidMember,
    BidInterest,
    AgreementVersion,
    AgreementSignature,
    HoursEntry,
    Settlement,
    StatementApproval,
    BidEvent,
]


@pytest.fixture
def whole_bid(settled, intake_coordinator):
    import datetime

    from django.utils import timezone

    submission, bid, lead, second = settled
    BidInterest.objects.create(request=submission.request, consultant=_member("Member Third", "1"))
    bids.bid_submit(bid_id=bid.pk, actor=lead.user)
    bids.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    bids.bid_start(bid_id=bid.pk, actor=lead.user)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Bid.objects.filter(pk=bid.pk).update(work_started_on=yesterday)
    bids.hours_log(bid_id=bid.pk, actor=lead.user, date=yesterday, hours="7")
    bids.hours_log(bid_id=bid.pk, actor=second.user, date=yesterday, hours="5")
    bid_statements.bid_settle(bid_id=bid.pk, actor=lead.user)
    bid_statements.statement_approve(bid_id=bid.pk, actor=second.user)
    return bid


@pytest.mark.parametrize("model", BID_MODELS, ids=lambda model: model.__name__)
def test_bid_rows_are_viewable_in_the_admin_and_never_edited(
    client, admin, whole_bid, model, django_assert_max_num_queries
):
    admin.refresh_from_db()
    client.force_login(admin)
    name = model._meta.model_name
    # Session, user, then the changelist's count and rows (joined), and the filters' choices.
    with django_assert_max_num_queries(12):
        changelist = client.get(reverse(f"admin:bids_{name}_changelist"))
    assert changelist.status_code == 200
    row = model.objects.order_by("pk").first()
    change = client.get(reverse(f"admin:bids_{name}_change", args=[row.pk]))
    assert change.status_code == 200
    assert b'type="submit"' not in change.content or b'name="_save"' not in change.content
    assert client.get(reverse(f"admin:bids_{name}_add")).status_code == 403
    assert client.post(reverse(f"admin:bids_{name}_delete", args=[row.pk])).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()
