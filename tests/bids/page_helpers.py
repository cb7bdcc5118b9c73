"""The bid pages' tests' figures and a bid started on their request (plain functions; the
people, the request and the bid are fixtures in ``tests/bids/conftest.py``)."""

from django.urls import reverse

from intake.bids import team
from intake.bids.models import Bid

# Figures that appear nowhere else on the pages, so their absence proves the money is hidden.
PRICE = "12345.67"
LEAD_RATE = "101.11"
SECOND_RATE = "83.33"
THIRD_RATE = "77.77"


def start_bid(request, people, *, invite_third=False) -> Bid:
    invite = [
        {"consultant": people["_second"].pk, "role": "Accessibility", "estimated_hours": "30"}
    ]
    if invite_third:
        invite.append(
            {"consultant": people["_third"].pk, "role": "Drupal", "estimated_hours": "20"}
        )
    return team.bid_create(
        request_id=request.pk,
        actor=people["lead"],
        price=PRICE,
        lead_estimated_hours="40",
        invite=invite,
    )


def url(name, bid) -> str:
    return reverse(name, args=[bid.pk])
