"""What every bid service shares (``intake.bids.rules``): one event per change, append-only."""

import pytest
from django.core.exceptions import ValidationError

from intake.bids import settlement, states, team, terms, work
from intake.bids.models import (
    Bid,
    BidEvent,
)
from tests.bids.helpers import (
    actions,
    log,
    sign_all,
    start,
)

pytestmark = pytest.mark.django_db

B = Bid.Status


# --- events ----------------------------------------------------------------------------------


def test_every_service_writes_its_event(trio, intake_coordinator):
    lead, second, third = trio
    bid = start(lead, second, third)
    team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
    team.bid_member_respond(bid_id=bid.pk, actor=third.user, accept=False)
    team.bid_member_change(bid_id=bid.pk, actor=lead.user, consultant_id=second.pk, role="Dev")
    terms.bid_terms_change(bid_id=bid.pk, actor=lead.user, price="8000")
    states.bid_send(bid_id=bid.pk, actor=lead.user)
    sign_all(bid, lead, second)
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    states.bid_start(bid_id=bid.pk, actor=lead.user)
    entry = log(bid, second, "3")
    work.hours_delete(bid_id=bid.pk, actor=second.user, entry_id=entry.pk)
    log(bid, second, "4")
    settlement.bid_settle(bid_id=bid.pk, actor=lead.user)
    settlement.statement_dispute(bid_id=bid.pk, actor=second.user, reason="Missing a day")
    log(bid, second, "2")
    settlement.bid_settle(bid_id=bid.pk, actor=lead.user)
    settlement.statement_approve(bid_id=bid.pk, actor=second.user)
    settlement.statement_approve(bid_id=bid.pk, actor=lead.user)

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
