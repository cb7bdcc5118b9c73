"""The bid rows in Django admin (``intake.bids.admin``): viewable in a bounded number of queries,
never edited."""

import pytest
from django.urls import reverse

from intake.bids import settlement, states, work
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
from tests.bids.helpers import named_member

pytestmark = pytest.mark.django_db


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
def whole_bid(signed_for_client, intake_coordinator):
    import datetime

    from django.utils import timezone

    submission, bid, lead, second = signed_for_client
    BidInterest.objects.create(
        request=submission.request, consultant=named_member("Member Third", "1")
    )
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    states.bid_start(bid_id=bid.pk, actor=lead.user)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Bid.objects.filter(pk=bid.pk).update(work_started_on=yesterday)
    work.hours_log(bid_id=bid.pk, actor=lead.user, date=yesterday, hours="7")
    work.hours_log(bid_id=bid.pk, actor=second.user, date=yesterday, hours="5")
    settlement.bid_settle(bid_id=bid.pk, actor=lead.user)
    settlement.statement_approve(bid_id=bid.pk, actor=second.user)
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


@pytest.mark.parametrize("model", BID_MODELS, ids=lambda model: model.__name__)
def test_the_admins_old_bid_addresses_redirect_to_the_bids_app(client, admin, whole_bid, model):
    """Bookmarks and links from before the move (``/admin/intake/<model>/…``) still arrive."""
    admin.refresh_from_db()
    client.force_login(admin)
    name = model._meta.model_name
    row = model.objects.order_by("pk").first()

    listed = client.get(f"/admin/intake/{name}/?o=1")
    changed = client.get(f"/admin/intake/{name}/{row.pk}/change/")

    assert (listed.status_code, listed["Location"]) == (301, f"/admin/bids/{name}/?o=1")
    assert (changed.status_code, changed["Location"]) == (
        301,
        reverse(f"admin:bids_{name}_change", args=[row.pk]),
    )
    assert client.get(changed["Location"]).status_code == 200


def test_the_intake_apps_own_admin_addresses_are_not_redirected(client, admin):
    admin.refresh_from_db()
    client.force_login(admin)

    assert client.get("/admin/intake/request/").status_code == 200
    assert client.get("/admin/intake/offer/").status_code == 200
