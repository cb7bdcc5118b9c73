"""Who may see or act on a request. Each rule is one condition; the workflow table names them.

``user`` may be None for the system's own moves (timers); every rule then answers False.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from intake.models import Bid, Engagement, Offer, Request, Settlement
from network import access as network_access
from network.roles import Role


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


def is_intake_coordinator(user) -> bool:
    return _signed_in(user) and network_access.has_role(user, Role.INTAKE_COORDINATOR)


def works_the_queue(user, request: Request) -> bool:
    """Intake coordinators (and administrators) contact, triage, route and close requests."""
    return is_intake_coordinator(user)


def coordinates_group_of(user, request: Request) -> bool:
    """The coordinator of the group the request is routed to, while a working member."""
    if not _signed_in(user) or request.assigned_group_id is None:
        return False
    consultant = network_access.working_consultant_of(user)
    if consultant is None:
        return False
    return request.assigned_group.coordinator_id == consultant.pk


def makes_offers(user, request: Request) -> bool:
    """The routed group's coordinator offers the request to a member (administrators too)."""
    if _signed_in(user) and user.is_superuser:
        return True
    return coordinates_group_of(user, request)


def holds_the_offer(user, request: Request) -> bool:
    """Only the member the request is offered to may accept or decline it."""
    if not _signed_in(user) or request.offered_consultant_id is None:
        return False
    consultant = network_access.working_consultant_of(user)
    return consultant is not None and consultant.pk == request.offered_consultant_id


def may_complete(user, request: Request) -> bool:
    """Staff (intake and community coordinators, administrators) mark work completed."""
    return _signed_in(user) and network_access.is_staff_coordinator(user)


def visible_requests(user) -> QuerySet[Request]:
    """Intake coordinators see every request; a group coordinator the group's; a member the
    requests offered to them or that they serve."""
    if not _signed_in(user):
        return Request.objects.none()
    if network_access.is_staff_coordinator(user):
        return Request.objects.all()
    consultant = network_access.consultant_of(user)
    if consultant is None:
        return Request.objects.none()
    # A group's requests only while its coordinator works; one's own offers and engagements
    # stay listed (without the client's details, see ``may_reach_client``).
    coordinated = (
        Q(assigned_group__coordinator=consultant) if consultant.can_be_offered_work else Q()
    )
    # EXISTS rather than joins: a join through offers or engagements repeats a request once
    # per row, and the DISTINCT that would undo it sorts every selected column of every row.
    return Request.objects.filter(
        coordinated
        | Exists(Offer.objects.filter(request=OuterRef("pk"), consultant=consultant))
        | Exists(Engagement.objects.filter(request=OuterRef("pk"), consultant=consultant))
    )


def can_use_request_pages(user) -> bool:
    """Request pages and API: coordinators, and members in good standing (who see only the
    requests offered to them or that they serve). Applicants and former members do not."""
    if not _signed_in(user):
        return False
    if network_access.is_coordinator(user):
        return True
    return network_access.is_member(user) and network_access.consultant_of(user) is not None


def get_request_for_user(user, pk, *, write: bool = False) -> Request:
    """404 when the user may not see the request; 403 when they may see but make no move."""
    request = (
        visible_requests(user)
        .select_related("assigned_group", "organization", "contact")
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404("No such request.")
    if write:
        from intake.workflow import allowed_moves

        if not allowed_moves(user, request):
            raise PermissionDenied("You have no move to make on this request.")
    return request


def sees_internal_detail(user, request: Request) -> bool:
    """Internal notes, who made each move, every offer and its reason: coordinators only
    (staff coordinators, and the coordinator of the group the request is routed to)."""
    if _signed_in(user) and network_access.is_staff_coordinator(user):
        return True
    return coordinates_group_of(user, request)


def may_reach_client(user, request: Request) -> bool:
    """The client's contact details: coordinators, and the member who serves the request while
    they are a working member.

    A member merely offered the request decides on its summary; the client's details reach
    them when they accept, so a declined offer has shared nothing of the client's. A member who
    goes on leave, becomes an alumnus or leaves keeps the engagement on record, not the
    client's details.
    """
    if sees_internal_detail(user, request):
        return True
    consultant = network_access.working_consultant_of(user) if _signed_in(user) else None
    if consultant is None:
        return False
    return consultant.pk == request.engaged_consultant_id


# --- The coordinators' queue (added with the intake pages) ----------------------------------


def may_use_queue(user) -> bool:
    """The queue is for coordinators: staff coordinators and the coordinators of groups."""
    return _signed_in(user) and network_access.is_coordinator(user)


def queue_requests(user) -> QuerySet[Request]:
    """Staff coordinators work every request; a group coordinator those routed to the group."""
    if not may_use_queue(user):
        return Request.objects.none()
    if network_access.is_staff_coordinator(user):
        return Request.objects.all()
    return Request.objects.filter(
        assigned_group__coordinator=network_access.working_consultant_of(user)
    )


# --- Team bids: who sees what ----------------------------------------------------------------
# The team (the members invited to or on the bid) sees the whole agreement, every member's hours
# and payout: shared risk needs that transparency. Other members see a bid's team and status,
# not its money; staff coordinators see everything; clients see the price and the team's names
# on their status page (client_view).


def works_for_bids(user) -> bool:
    """May use the bid board and bid pages: members who may be offered work, and staff."""
    if not _signed_in(user):
        return False
    if network_access.is_staff_coordinator(user):
        return True
    return network_access.working_consultant_of(user) is not None


def bid_seat(user, bid):
    """The user's seat on ``bid`` (invited or accepted), or None."""
    if not _signed_in(user):
        return None
    consultant = network_access.working_consultant_of(user)
    if consultant is None:
        return None
    from intake.models import BidMember

    return (
        BidMember.objects.filter(bid=bid, consultant=consultant)
        .filter(status__in=[BidMember.Status.INVITED, BidMember.Status.ACCEPTED])
        .first()
    )


def leads_bid(user, bid) -> bool:
    consultant = network_access.working_consultant_of(user) if _signed_in(user) else None
    return consultant is not None and consultant.pk == bid.lead_id


def manages_bid(user, bid) -> bool:
    """The lead, and staff coordinators, assemble the team, change the terms and close the work."""
    if _signed_in(user) and network_access.is_staff_coordinator(user):
        return True
    return leads_bid(user, bid)


def sees_bid_money(user, bid, seats=None) -> bool:
    """Price, rates, hours and payouts: staff coordinators and the team (invited or accepted).

    ``seats``: the bid's invited and accepted seats when already loaded (a list page), so the
    rule costs no query per row.
    """
    if _signed_in(user) and network_access.is_staff_coordinator(user):
        return True
    if seats is None:
        return bid_seat(user, bid) is not None
    consultant = network_access.working_consultant_of(user) if _signed_in(user) else None
    return consultant is not None and any(seat.consultant_id == consultant.pk for seat in seats)


def visible_bids(user):
    """Every bid for the people who may use the bid pages; money is filtered per bid."""
    from intake.models import Bid

    if not works_for_bids(user):
        return Bid.objects.none()
    return Bid.objects.all()


def get_bid_for_user(user, pk, *, write: bool = False):
    """404 when the user may not see the bid; 403 with ``write`` when they are not on its team
    and do not manage it."""
    bid = visible_bids(user).select_related("request", "lead__user").filter(pk=pk).first()
    if bid is None:
        raise Http404("No such bid.")
    if write and not (manages_bid(user, bid) or bid_seat(user, bid) is not None):
        raise PermissionDenied("Only the bid's team and coordinators may change it.")
    return bid


def submits_bid(user, request: Request) -> bool:
    """The lead of the request's open bid sends it to the client; so may intake coordinators."""
    if works_the_queue(user, request):
        return True
    consultant = network_access.working_consultant_of(user) if _signed_in(user) else None
    if consultant is None:
        return False
    from intake.models import Bid

    return (
        Bid.objects.filter(request=request, lead=consultant).exclude(status__in=Bid.CLOSED).exists()
    )


def settles_bid(user, request: Request) -> bool:
    """The settlement closes the request. The move is made by the approval that makes its bid's
    statement final (``intake.bid_statements``), in the approver's name: a staff coordinator
    (recording an absent member's approval), the lead, or a working member of the team who
    approved the final statement themself; the proposer and the lead may have stopped working
    by then, and the members' approvals must still close the request."""
    if _signed_in(user) and network_access.is_staff_coordinator(user):
        return True
    consultant = network_access.working_consultant_of(user) if _signed_in(user) else None
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
    return _signed_in(user) and network_access.is_staff_coordinator(user)


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
    return _signed_in(user) and network_access.can_see_rates(user, consultant)
