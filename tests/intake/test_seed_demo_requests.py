import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from intake.bids.models import Bid
from intake.models import Request, RequestEvent

pytestmark = pytest.mark.django_db


def test_demo_requests_cover_the_stages_and_seed_once():
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    call_command("seed_demo_requests", stdout=io.StringIO())

    statuses = sorted(Request.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [
            "submitted",
            "contacted",
            "routed",
            "offered",
            "engaged",
            "referred_out",
            "bidding",
            "bidding",
        ]  # fmt: skip
    )
    # Every move went through the workflow: one event per move plus the submission.
    assert RequestEvent.objects.count() == 8 + 1 + 3 + 4 + 5 + 3 + 3 + 3
    events = RequestEvent.objects.count()
    # One request is on the bid board with no bid; the other has a bid out for signature,
    # signed by its lead only, on the version written when the second member accepted.
    bid = Bid.objects.get()
    assert bid.status == Bid.Status.AGREEMENT_OUT
    agreement = bid.agreement_versions.get(voided_at__isnull=True)
    assert agreement.number == 3
    assert agreement.signatures.count() == 1

    call_command("seed_demo_requests", stdout=io.StringIO())
    assert Request.objects.count() == 8
    assert Bid.objects.count() == 1
    assert RequestEvent.objects.count() == events


def test_demo_requests_need_the_demo_accounts():
    with pytest.raises(CommandError, match="seed_demo first"):
        call_command("seed_demo_requests")
