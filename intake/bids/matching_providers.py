"""What bids tell the matching engine: members who built a proposal together (registered with
``matching.providers`` in ``BidsConfig.ready()``)."""

from django.db.models import F

from intake.bids.models import BidMember
from matching import providers


def bid_seat_pairs():
    """Consultants on the same team of a bid (accepted seats, won or lost: they built a
    proposal together), the smaller id first."""
    accepted = BidMember.Status.ACCEPTED
    return (
        BidMember.objects.filter(
            status=accepted,
            bid__members__status=accepted,
            bid__members__consultant_id__gt=F("consultant_id"),
        )
        .values_list("consultant_id", "bid__members__consultant_id")
        .order_by()
    )


def register() -> None:
    providers.register_collaboration_pairs(bid_seat_pairs)
