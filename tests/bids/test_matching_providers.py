"""The collaboration pairs the bids feed to matching (``intake.bids.matching_providers``)."""

import pytest

from intake.bids import team
from matching.adapter import collaboration_pairs
from tests.bids.helpers import (
    member,
    start,
    team_bid,
)

pytestmark = pytest.mark.django_db


# --- collaboration pairs ---------------------------------------------------------------------


def pair(a, b) -> tuple[int, int]:
    return (min(a.pk, b.pk), max(a.pk, b.pk))


def test_accepted_seats_on_one_bid_become_collaboration_pairs(trio):
    lead, second, third = trio
    declined, removed = member(), member()
    bid = start(lead, second, third, declined, removed)
    team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
    team.bid_member_respond(bid_id=bid.pk, actor=declined.user, accept=False)
    team.bid_member_respond(bid_id=bid.pk, actor=removed.user, accept=True)
    team.bid_member_remove(bid_id=bid.pk, actor=lead.user, consultant_id=removed.pk)

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
