"""Who may see and change team bids, built on intake's and the network's gatekeepers."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from intake.access import signed_in, works_the_queue
from intake.bids.models import Bid, BidMember, Settlement
from intake.models import Request
from network import access as network_access

# --- Team bids: who sees what ----------------------------------------------------------------
# The team (the members invited to or on the bid) sees the whole agreement, every member's hours
# and payout: shared risk needs that transparency. Other members see a bid's team and status,
# not its money; staff coordinators see everything; clients see the price and the team's names
# on their status page (client_view).


def works_for_bids(user) -> bool:
    """May use the bid board and bid pages: members who may be offered work, and staff."""
    if not signed_in(user):
        return False
    if network_access.is_staff_coordinator(user):
        return True
    return network_access.working_consultant_of(user) is not None


def bid_seat(user, bid):
    """The user's seat on ``bid`` (invited or accepted), or None."""
    if not signed_in(user):
        return None
    consultant = network_access.working_consultant_of(user)
    if consultant is None:
        return None

    return (
        BidMember.objects.filter(bid=bid, consultant=consultant)
        .filter(status__in=[BidMember.Status.INVITED, BidMember.Status.ACCEPTED])
        .first()
    )


def leads_bid(user, bid) -> bool:
    consultant = network_access.working_consultant_of(user) if signed_in(user) else None
    return consultant is not None and consultant.pk == bid.lead_id


def manages_bid(user, bid) -> bool:
    """The lead, and staff coordinators, assemble the team, change the terms and close the work."""
    if signed_in(user) and network_access.is_staff_coordinator(user):
        return True
    return leads_bid(user, bid)


def sees_bid_money(user, bid, seats=None) -> bool:
    """Price, rates, hours and payouts: staff coordinators and the team (invited or accepted).

    ``seats``: the bid's invited and accepted seats when already loaded (a list page), so the
    rule costs no query per row.
    """
    if signed_in(user) and network_access.is_staff_coordinator(user):
        return True
    if seats is None:
        return bid_seat(user, bid) is not None
    consultant = network_access.working_consultant_of(user) if signed_in(user) else None
    return consultant is not None and any(seat.consultant_id == consultant.pk for seat in seats)


def visible_bids(user):
    """Every bid for the people who may use the bid pages; money is filtered per bid."""

    if not works_for_bids(user):
        return Bid.objects.none()
    return Bid.objects.all()


def get_bid_for_user(user, pk, *, write: bool = False):
    """404 when the user may not see the bid; 403 with ``write`` when they are not on its team
    and do not manage it."""
    bid = visible_bids(user).select_related("request", "lead__user").filter(pk=pk).first()
    if bid is None:
        raise Http404(_("No such bid."))
    if write and not (manages_bid(user, bid) or bid_seat(user, bid) is not None):
        raise PermissionDenied(_("Only the bid's team and coordinators may change it."))
    return bid


def submits_bid(user, request: Request) -> bool:
    """The lead of the request's open bid sends it to the client; so may intake coordinators."""
    if works_the_queue(user, request):
        return True
    consultant = network_access.working_consultant_of(user) if signed_in(user) else None
    if consultant is None:
        return False

    return (
        Bid.objects.filter(request=request, lead=consultant).exclude(status__in=Bid.CLOSED).exists()
    )


def settles_bid(user, request: Request) -> bool:
    """The settlement closes the request. The move is made by the approval that makes its bid's
    statement final (``intake.bids.settlement``), in the approver's name: a staff coordinator
    (recording an absent member's approval), the lead, or a working member of the team who
    approved the final statement themself; the proposer and the lead may have stopped working
    by then, and the members' approvals must still close the request."""
    if signed_in(user) and network_access.is_staff_coordinator(user):
        return True
    consultant = network_access.working_consultant_of(user) if signed_in(user) else None
    if consultant is None:
        return False
    if request.bids.filter(lead=consultant).exists():
        return True
    return request.bids.filter(
        status=Bid.Status.SETTLED,
        settlements__state=Settlement.State.FINAL,
        settlements__approvals__consultant=consultant,
        settlements__approvals__recorded_by__isnull=True,
    ).exists()


def approves_for_absent_member(user, bid) -> bool:
    """Records a statement approval on behalf of a team member who is no longer a working member
    (who can no longer open the bid to approve it): staff coordinators only, with a reason; the
    service refuses it while the member still works (they approve themself)."""
    return signed_in(user) and network_access.is_staff_coordinator(user)


# --- Team bids: whose standard rate a reader sees ----------------------------------------------
# The directory shows a member's rate only to coordinators and the member (network.access
# can_see_rates). A bid must not be a way around that: a member's rate reaches the rest of the
# team once they accept their seat (they agreed to the agreement's terms, which need it); an
# invitation, a declined seat or a proposed team shows it only to those who may see rates.


def sees_bid_rate(user, consultant, *, accepted_on_bid: bool) -> bool:
    """Whether ``user``, who reads a bid's money, sees ``consultant``'s standard rate on it (or
    a figure it follows from, such as a proposed team's blended rate)."""
    if accepted_on_bid:
        return True
    return signed_in(user) and network_access.can_see_rates(user, consultant)
