"""Disputing the statement (``intake/bids/settlement.py``, ``statement_dispute``): a member on the
team withdraws it with a reason and the hours reopen. Refusals are checked by the exception and a
snapshot of every bid row before and after (``tests/bids/helpers.py``)."""

import pytest
from django.core.exceptions import ValidationError

from intake.bids import settlement
from intake.bids.models import Bid, BidEvent
from tests.bids.helpers import DISPUTED, D, approve, assert_unchanged, fresh, log, propose, snapshot

pytestmark = pytest.mark.django_db

B = Bid.Status


# --- Disputing -------------------------------------------------------------------------------


def test_a_dispute_withdraws_the_statement_and_reopens_the_hours(working):
    bid, lead, second, third = working
    log(bid, second, "5")
    first = propose(bid, lead)
    approve(bid, lead)
    version = fresh(bid).version

    settlement.statement_dispute(
        bid_id=bid.pk, actor=third.user, reason="  My 6 hours on Monday are missing.  "
    )

    first.refresh_from_db()
    assert first.state == DISPUTED
    assert (first.disputed_by, first.dispute_reason) == (third, "My 6 hours on Monday are missing.")
    assert first.decided_at is not None
    bid = fresh(bid)
    assert (bid.status, bid.version) == (B.IN_PROGRESS, version + 1)
    assert settlement.live_statement(bid) is None
    event = BidEvent.objects.filter(bid=bid).latest("pk")
    assert (event.action, event.note) == ("statement_disputed", "My 6 hours on Monday are missing.")
    # The hours reopen; the next proposal starts with no approvals.
    log(bid, third, "6", days_ago=1)
    second_statement = propose(bid, lead)
    assert second_statement.pk != first.pk
    assert list(second_statement.approvals.all()) == []
    assert second_statement.total_hours == D("11.00")
    assert first.approvals.count() == 1


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 1001])
def test_a_dispute_needs_a_reason(working, reason):
    bid, lead, second, _third = working
    log(bid, second, "5")
    propose(bid, lead)
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        settlement.statement_dispute(bid_id=bid.pk, actor=second.user, reason=reason)

    assert list(error.value.message_dict) == ["reason"]
    assert_unchanged(before)


def test_the_lead_may_dispute_their_own_proposal(working):
    bid, lead, second, _third = working
    log(bid, second, "5")
    propose(bid, lead)

    statement = settlement.statement_dispute(
        bid_id=bid.pk, actor=lead.user, reason="I forgot my own hours."
    )

    assert statement.state == DISPUTED
