"""What bids add to intake's pages and commands, through intake's hooks (``intake.hooks``)."""

from intake import hooks
from intake.bids import access as bid_access
from intake.bids.models import Bid, BidEvent, BidInterest, BidMember, HoursEntry
from intake.erasure import erase_text
from intake.models import Request

B = Bid.Status
S = Request.Status

# Bids the client has been sent: from submission on, whatever the answer.
SENT = (B.SUBMITTED, B.WON, B.IN_PROGRESS, B.SETTLED, B.LOST)


def client_bid(sender, request: Request, **kwargs) -> dict | None:
    """The team's proposal as the client sees it: the price, the team's names and the lead as
    the main contact, with their email while the proposal stands or the work goes on
    (docs/architecture.md, "Shared-risk rate agreements"); never the split, the rates, the
    hours, the share or the other members' addresses. ``"kind": "team"`` tells the status page
    that the engagement is the team's. One query: the team's seats joined to their bid and
    member, newest bid sent first."""
    if request.status not in (S.BID_SUBMITTED, S.ENGAGED, S.COMPLETED, S.LOST):
        return None
    seats = list(
        BidMember.objects.filter(
            bid__request=request, bid__status__in=SENT, status=BidMember.Status.ACCEPTED
        )
        .select_related("bid", "consultant__user")
        .order_by("-bid__submitted_at", "-bid_id", "invited_at", "pk")
    )
    if not seats:
        return None
    bid = seats[0].bid
    team = sorted(
        (seat for seat in seats if seat.bid_id == bid.pk),
        key=lambda seat: seat.consultant_id != bid.lead_id,
    )
    # A proposal the client turned down leaves them nobody to write to.
    reachable = bid.status != B.LOST
    return {
        "kind": "team",
        "bid": {
            "price": bid.price,
            "currency": bid.currency,
            "team": [seat.consultant.display_name for seat in team],
            "members": [
                {
                    "display_name": seat.consultant.display_name,
                    "lead": seat.consultant_id == bid.lead_id,
                    "email": seat.consultant.user.email
                    if reachable and seat.consultant_id == bid.lead_id
                    else "",
                }
                for seat in team
            ],
            "submitted_at": bid.submitted_at,
        },
    }


def request_page(sender, request: Request, user, **kwargs) -> dict:
    """The coordinator's request page: the teams panel (proposed teams, the open bid's team)
    and a link to the request's bid for those who work with bids."""
    # Imported on first use, not when the app starts: the panel ranks teams, and the matching
    # engine (numpy, scikit-learn) loads only once something is ranked.
    from intake.bids import selectors

    context = {"request_panels": ["bids/_teams_panel.html"]}
    context["teams_panel"] = selectors.teams_panel_for(user, request)
    if context["teams_panel"] is not None:
        context["request_bid"] = context["teams_panel"].bid
    elif bid_access.works_for_bids(user):
        context["request_bid"] = selectors.request_bid(request)
    return context


def erase_client_text(sender, request_ids, **kwargs) -> dict:
    by_request = {"request_id__in": request_ids}
    by_bid = {"bid__request_id__in": request_ids}
    return {
        "bid interest notes": erase_text(BidInterest.objects.filter(**by_request), "note"),
        "bid event notes": erase_text(BidEvent.objects.filter(**by_bid), "note"),
        "bid decline reasons": erase_text(BidMember.objects.filter(**by_bid), "decline_reason"),
        "hours notes": erase_text(HoursEntry.objects.filter(**by_bid), "note"),
    }


def connect() -> None:
    hooks.client_status.connect(client_bid, dispatch_uid="bids-client-status")
    hooks.request_page.connect(request_page, dispatch_uid="bids-request-page")
    hooks.client_data_erasing.connect(erase_client_text, dispatch_uid="bids-erase-client-text")
