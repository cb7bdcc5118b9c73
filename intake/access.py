"""Who may see or act on a request. Each rule is one condition; the workflow table names them.

``user`` may be None for the system's own moves (timers); every rule then answers False.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from intake.models import Contact, Engagement, Offer, Organization, Request
from network import access as network_access
from network.db import FixedQuery, joined_columns, joined_instances
from network.models import ConsultantGroup
from network.roles import Role


def signed_in(user) -> bool:
    return user is not None and user.is_authenticated


def is_intake_coordinator(user) -> bool:
    return signed_in(user) and network_access.has_role(user, Role.INTAKE_COORDINATOR)


def works_the_queue(user, request: Request) -> bool:
    """Intake coordinators (and administrators) contact, triage, route and close requests."""
    return is_intake_coordinator(user)


def coordinates_group_of(user, request: Request) -> bool:
    """The coordinator of the group the request is routed to, while a working member."""
    if not signed_in(user) or request.assigned_group_id is None:
        return False
    consultant = network_access.working_consultant_of(user)
    if consultant is None:
        return False
    return request.assigned_group.coordinator_id == consultant.pk


def makes_offers(user, request: Request) -> bool:
    """The routed group's coordinator offers the request to a member (administrators too)."""
    if signed_in(user) and user.is_superuser:
        return True
    return coordinates_group_of(user, request)


def holds_the_offer(user, request: Request) -> bool:
    """Only the member the request is offered to may accept or decline it."""
    if not signed_in(user) or request.offered_consultant_id is None:
        return False
    consultant = network_access.working_consultant_of(user)
    return consultant is not None and consultant.pk == request.offered_consultant_id


def serves_the_request(user, request: Request) -> bool:
    """The member engaged on the request, while a working member: they report the work done
    (a coordinator then confirms it with ``complete``)."""
    if not signed_in(user) or request.engaged_consultant_id is None:
        return False
    consultant = network_access.working_consultant_of(user)
    return consultant is not None and consultant.pk == request.engaged_consultant_id


def may_complete(user, request: Request) -> bool:
    """Staff (intake and community coordinators, administrators) mark work completed."""
    return signed_in(user) and network_access.is_staff_coordinator(user)


def visible_requests(user, rows: QuerySet[Request] | None = None) -> QuerySet[Request]:
    """Intake coordinators see every request; a group coordinator the group's; a member the
    requests offered to them or that they serve. ``rows``: a queryset to narrow instead of
    every request (the list's, with its joins and columns already set up)."""
    rows = Request.objects.all() if rows is None else rows.all()
    if not signed_in(user):
        return rows.none()
    if network_access.is_staff_coordinator(user):
        return rows
    consultant = network_access.consultant_of(user)
    if consultant is None:
        return rows.none()
    # A group's requests only while its coordinator works; one's own offers and engagements
    # stay listed (without the client's details, see ``may_reach_client``).
    coordinated = (
        Q(assigned_group__coordinator=consultant) if consultant.can_be_offered_work else Q()
    )
    # EXISTS rather than joins: a join through offers or engagements repeats a request once
    # per row, and the DISTINCT that would undo it sorts every selected column of every row.
    return rows.filter(
        coordinated
        | Exists(Offer.objects.filter(request=OuterRef("pk"), consultant=consultant))
        | Exists(Engagement.objects.filter(request=OuterRef("pk"), consultant=consultant))
    )


def can_use_request_pages(user) -> bool:
    """Request pages and API: coordinators, and members in good standing (who see only the
    requests offered to them or that they serve). Applicants and former members do not."""
    if not signed_in(user):
        return False
    if network_access.is_coordinator(user):
        return True
    return network_access.is_member(user) and network_access.consultant_of(user) is not None


# A request with what its pages and the API read beside it, as select_related would.
_REQUEST_PATHS = {
    "": Request,
    "assigned_group": ConsultantGroup,
    "organization": Organization,
    "contact": Contact,
}
# The staff coordinators' look-up (they see every request): the match calls and the request
# pages ask it on every call, so it is compiled once (network.db.FixedQuery).
_REQUEST_BY_PK = FixedQuery(
    lambda pk: Request.objects.filter(pk=pk).values_list(*joined_columns(_REQUEST_PATHS)),
    -1,
)


def get_request_for_user(user, pk) -> Request:
    """The request, or 404 when the user may not see it (which moves they may make is the
    workflow's to say: ``intake.workflow.allowed_moves``)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such request.")) from None
    request = None
    if network_access.is_staff_coordinator(user):
        for row in _REQUEST_BY_PK.rows(pk):
            request = joined_instances(row, _REQUEST_PATHS)[""]
    else:
        request = (
            visible_requests(user)
            .select_related("assigned_group", "organization", "contact")
            .filter(pk=pk)
            .first()
        )
    if request is None:
        raise Http404(_("No such request."))
    return request


def sees_internal_detail(user, request: Request) -> bool:
    """Internal notes, who made each move, every offer and its reason: coordinators only
    (staff coordinators, and the coordinator of the group the request is routed to)."""
    if signed_in(user) and network_access.is_staff_coordinator(user):
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
    consultant = network_access.working_consultant_of(user) if signed_in(user) else None
    if consultant is None:
        return False
    return consultant.pk == request.engaged_consultant_id


# --- The coordinators' queue (added with the intake pages) ----------------------------------


def may_use_queue(user) -> bool:
    """The queue is for coordinators: staff coordinators and the coordinators of groups."""
    return signed_in(user) and network_access.is_coordinator(user)


def queue_requests(user) -> QuerySet[Request]:
    """Staff coordinators work every request; a group coordinator those routed to the group."""
    if not may_use_queue(user):
        return Request.objects.none()
    if network_access.is_staff_coordinator(user):
        return Request.objects.all()
    return Request.objects.filter(
        assigned_group__coordinator=network_access.working_consultant_of(user)
    )
