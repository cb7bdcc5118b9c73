"""A request's moves that carry its bid (``intake.bids.request_moves``)."""

import pytest

from intake.bids import states
from intake.bids.models import (
    Bid,
)
from intake.models import OutsideReferral, Request, RequestEvent
from intake.workflow import request_apply
from tests.bids.helpers import (
    actions,
    fresh,
    signed_bid,
    team_bid,
)
from tests.factories import ExternalProfessionalFactory

pytestmark = pytest.mark.django_db

B = Bid.Status


@pytest.mark.parametrize("stage", ["draft", "signed", "submitted"])
@pytest.mark.parametrize("move", ["withdraw", "refer_out"])
def test_a_request_closed_while_bidding_withdraws_its_open_bid(
    trio, intake_coordinator, stage, move
):
    lead, second, _third = trio
    bid = {"draft": team_bid, "signed": signed_bid, "submitted": signed_bid}[stage](lead, second)
    if stage == "submitted":
        states.bid_submit(bid_id=bid.pk, actor=lead.user)
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
