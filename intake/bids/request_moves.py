"""The bid's side of a request's life: the request moves a bid makes, and what a bid does when
its request moves.

Intake's workflow knows nothing of bids. ``connect()`` (called from ``BidsConfig.ready()``)
adds the four bid moves to the request's table (``submit_bid``, ``win_bid``, ``lose_bid`` and
``settle_bid``, the last made only by the settlement) and connects receivers to intake's hooks:
a request closed while a team bids on it takes the bid with it (withdrawn), and a request whose
team is at work is completed by the bid's settlement, not by hand.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake import access, hooks, workflow
from intake.bids import access as bid_access
from intake.bids import rules
from intake.bids.models import Bid
from intake.models import Engagement, Request
from intake.workflow import WorkflowConflict
from matching.stamp import index_version_bump
from network.states import Move

B = Bid.Status
S = Request.Status

# The request moves that close a request while it may have a bid under way.
CLOSING = ("withdraw", "refer_out", "mark_spam")
# A team at work: the request completes with the bid's settlement.
AT_WORK = (B.WON, B.IN_PROGRESS)


def open_bid_for(request: Request) -> Bid | None:
    return request.bids.exclude(status__in=Bid.CLOSED).select_for_update().first()


def apply_request_outcome(request: Request, action: str, actor) -> dict:
    """The bid's side of a request move: ``submit_bid``, ``win_bid``, ``lose_bid``,
    ``settle_bid``, or ``close`` (the request withdrawn, referred out or closed as spam).

    Runs inside ``request_apply``'s transaction with the request row locked; returns the data
    for the request's event. Raises ``BidConflict`` when the bid is not in a state for it.
    """
    # The last approval of the statement (intake.bids.settlement) has settled the bid already,
    # in this transaction.
    if action == "settle_bid":
        settled = request.bids.filter(status=B.SETTLED).order_by("-settled_at", "-pk").first()
        if settled is None:
            raise rules.BidConflict(_("This request has no settled bid."))
        return {"bid": settled.pk}
    bid = open_bid_for(request)
    if bid is None:
        if action == "close":
            return {}
        raise rules.BidConflict(_("This request has no bid under way."))
    from_status = bid.status
    now = timezone.now()
    if action == "submit_bid":
        if bid.status != B.SIGNED:
            raise rules.BidConflict(
                _(
                    "Every member must sign the current agreement before the bid goes to the "
                    "client."
                ),
                bid=bid,
            )
        bid.status, bid.submitted_at = B.SUBMITTED, now
        fields = ["status", "submitted_at"]
    elif action == "win_bid":
        rules.require_status(bid, (B.SUBMITTED,), _("A bid that is %(status)s cannot be won."))
        bid.status, bid.decided_at = B.WON, now
        fields = ["status", "decided_at"]
        seats = rules.team_members(bid)
        for seat in seats:
            Engagement.objects.create(request=request, consultant=seat.consultant)
        request.engaged_consultant = bid.lead
    elif action == "lose_bid":
        rules.require_status(bid, (B.SUBMITTED,), _("A bid that is %(status)s cannot be lost."))
        bid.status, bid.decided_at = B.LOST, now
        fields = ["status", "decided_at"]
    elif action == "close":
        bid.status, bid.decided_at = B.WITHDRAWN, now
        fields = ["status", "decided_at"]
    else:
        raise ValueError(f"unknown request outcome {action!r}")
    rules.save_bid(bid, *fields)
    rules.record_event(bid, actor, action, from_status=from_status)
    return {"bid": bid.pk}


def _bid_move(request, actor, move, note: str = ""):
    """The effect of the four bid moves on the request: the bid follows, in the same
    transaction; a bid not in a state for it refuses the request's move (409)."""
    try:
        data = apply_request_outcome(request, move.action, actor)
    except rules.BidConflict as conflict:
        raise WorkflowConflict(str(conflict), request=request) from None
    if move.action == "win_bid":
        index_version_bump()  # the team's hours are committed now
    if move.action == "settle_bid":
        request.engagements.filter(end__isnull=True).update(end=timezone.localdate())
        index_version_bump()
    return None, note, data


# The lead sends a signed bid; intake coordinators record the client's answer; the settlement
# (intake.bids.settlement), which has the statement to write, completes the request.
REQUEST_MOVES = [
    Move("submit_bid", (S.BIDDING,), S.BID_SUBMITTED, bid_access.submits_bid,
         gettext_lazy("Send the signed bid to the client"), ("note",), effect=_bid_move),
    Move("win_bid", (S.BID_SUBMITTED,), S.ENGAGED, access.works_the_queue,
         gettext_lazy("The client took the bid"), ("note",), effect=_bid_move),
    Move("lose_bid", (S.BID_SUBMITTED,), S.LOST, access.works_the_queue,
         gettext_lazy("The client turned the bid down"), ("note",), effect=_bid_move),
    Move("settle_bid", (S.ENGAGED,), S.COMPLETED, bid_access.settles_bid,
         gettext_lazy("Bid settled"), ("note",), effect=_bid_move, public=False),
]  # fmt: skip


def _request_moved(sender, request, actor, move, **kwargs) -> dict | None:
    """A request closed while a team bids on it takes the bid with it (withdrawn)."""
    if move.action in CLOSING and request.status in (S.BIDDING, S.BID_SUBMITTED):
        return apply_request_outcome(request, "close", actor)
    return None


def _request_completing(sender, request, **kwargs) -> str | None:
    """A team's work ends with its settlement, which splits the pool and completes the request;
    completing it by hand would leave the bid unsettlable."""
    if request.bids.filter(status__in=AT_WORK).exists():
        return _("A team bid is working on this request: the lead closes it by settling the bid.")
    return None


def connect() -> None:
    workflow.register_moves(REQUEST_MOVES, after="start_bidding")
    hooks.request_moved.connect(_request_moved, dispatch_uid="bids-request-moved")
    hooks.request_completing.connect(_request_completing, dispatch_uid="bids-request-completing")
