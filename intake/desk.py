"""What intake puts on the desk (``network.desk``): the intake coordinators' queue, timers and
work reported done, a group coordinator's requests and offers, and a member's offers and
engagements.

Registered by ``IntakeConfig.ready``. Every panel reads a fixed number of queries: its counts in
one (``network.desk.count_all``) and one per list of rows.
"""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from intake import cover
from intake.models import Engagement, Offer, Request
from network import access as network_access
from network import desk

S = Request.Status

# Offers that run out within this long are shown as about to expire.
EXPIRING_WITHIN = datetime.timedelta(hours=24)
# The queue's stages the intake panel counts, in the workflow's order.
QUEUE_STAGES = (
    S.SUBMITTED,
    S.CONTACTED,
    S.TRIAGED,
    S.ROUTED,
    S.OFFERED,
    S.BIDDING,
    S.BID_SUBMITTED,
    S.ENGAGED,
)
# The stages where a request waits for an intake coordinator's move (the navigation's count).
WAITING_FOR_INTAKE = (S.SUBMITTED, S.CONTACTED, S.TRIAGED)


def _queue_url(**filters) -> str:
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    return reverse("intake-queue") + (f"?{query}" if query else "")


def _request_url(request_id: int) -> str:
    return reverse("intake-request", args=[request_id])


def _member_name(row: Request) -> str:
    member = row.engaged_consultant
    return member.display_name if member is not None else _("The member")


def _ago(moment, now) -> str:
    return timesince(moment, now, depth=1)


def _time_left(moment, now, *, before: str, after: str, **values) -> str:
    """``before`` with the time left until ``moment`` as ``%(time)s``, or ``after`` once it has
    passed (an offer past its time waits for the expiry timer); both take ``values``."""
    if moment <= now:
        return after % values
    return before % {**values, "time": timeuntil(moment, now, depth=1)}


def _offer_item(offer, now, *, before: str, after: str, urgent: bool, **values) -> desk.DeskItem:
    """An offer on a desk: its request, and the time left to answer it (see ``_time_left``)."""
    return desk.DeskItem(
        title=offer.request.title,
        reference=offer.request.reference,
        url=_request_url(offer.request.pk),
        note=_time_left(offer.expires_at, now, before=before, after=after, **values),
        urgent=urgent,
    )


# --- Who sees what ---------------------------------------------------------------------------


def _overdue(now) -> Q:
    return Q(status=S.SUBMITTED, response_due_at__lt=now)


def _reported_done():
    """Work the engaged member reported done, waiting for a staff coordinator to confirm it by
    completing the request."""
    return Request.objects.filter(status=S.ENGAGED, done_reported_at__isnull=False)


def _expiring_offers(now):
    return Offer.objects.filter(status=Offer.Status.PENDING, expires_at__lte=now + EXPIRING_WITHIN)


def _routed_to(consultant):
    """Requests routed to the groups ``consultant`` coordinates, waiting for an offer."""
    return Request.objects.filter(status=S.ROUTED, assigned_group__coordinator=consultant)


def _group_offers(consultant):
    return Offer.objects.filter(
        status=Offer.Status.PENDING, request__assigned_group__coordinator=consultant
    )


def _own_offers(consultant):
    return Offer.objects.filter(consultant=consultant, status=Offer.Status.PENDING)


def _own_engagements(consultant):
    return Engagement.objects.filter(consultant=consultant, end__isnull=True)


def _group_coordinator(user):
    """The user's member record when they coordinate a group as a working member."""
    if not network_access.is_group_coordinator(user):
        return None
    return network_access.working_consultant_of(user)


# --- Panels ---------------------------------------------------------------------------------


def intake_panel(user) -> desk.DeskPanel:
    now = timezone.now()
    requests = Request.objects.all()
    counted = desk.count_all(
        user,
        {
            **{stage: requests.filter(status=stage) for stage in QUEUE_STAGES},
            "overdue": requests.filter(_overdue(now)),
            "expiring": _expiring_offers(now),
            "done": _reported_done(),
            "uncovered": cover.uncovered_engagements(),
        },
    )
    counts = [
        desk.DeskCount(S(stage).label, counted[stage], _queue_url(status=stage))
        for stage in QUEUE_STAGES
    ]
    counts.append(
        desk.DeskCount(_("Overdue for first contact"), counted["overdue"], _queue_url(overdue="on"))
    )
    counts.append(desk.DeskCount(_("Offers expiring within 24 hours"), counted["expiring"]))
    counts.append(
        desk.DeskCount(
            _("Work reported done, awaiting your confirmation"),
            counted["done"],
            _queue_url(status=S.ENGAGED),
        )
    )
    counts.append(
        desk.DeskCount(
            _("Engagements whose consultant is away with nobody covering"), counted["uncovered"]
        )
    )
    overdue = (
        requests.filter(_overdue(now))
        .only("pk", "reference", "title", "response_due_at")
        .order_by("response_due_at", "pk")[: desk.ITEMS_SHOWN]
    )
    expiring = (
        _expiring_offers(now)
        .select_related("request", "consultant")
        .only(
            "pk", "expires_at", "request__id", "request__reference", "request__title",
            "consultant__display_name",
        )
        .order_by("expires_at", "pk")[: desk.ITEMS_SHOWN]
    )  # fmt: skip
    done = (
        _reported_done()
        .select_related("engaged_consultant")
        .only("pk", "reference", "title", "done_reported_at", "engaged_consultant__display_name")
        .order_by("done_reported_at", "pk")[: desk.ITEMS_SHOWN]
    )
    items = [
        desk.DeskItem(
            title=row.title,
            reference=row.reference,
            url=_request_url(row.pk),
            note=_("First contact overdue by %(time)s") % {"time": _ago(row.response_due_at, now)},
            urgent=True,
        )
        for row in overdue
    ]
    items += [
        _offer_item(
            offer,
            now,
            before=_("Offer to %(name)s runs out in %(time)s"),
            after=_("Offer to %(name)s has run out"),
            urgent=True,
            name=offer.consultant.display_name,
        )
        for offer in expiring
    ]
    items += [
        desk.DeskItem(
            title=row.title,
            reference=row.reference,
            url=_request_url(row.pk),
            note=_(
                "%(name)s reported the work done %(time)s ago: confirm it by marking the request "
                "completed"
            )
            % {"name": _member_name(row), "time": _ago(row.done_reported_at, now)},
        )
        for row in done
    ]
    return desk.DeskPanel(
        key="intake",
        title=_("Intake queue"),
        order=10,
        intro=_("Requests by stage, replies that are late and offers about to run out."),
        counts=counts,
        items=items,
        items_title=_("Waiting for you"),
        empty_text=_(
            "The queue is empty: no requests, no late replies, no offers running out, "
            "no work waiting to be confirmed."
        ),
        link_url=reverse("intake-queue"),
        link_text=_("Open the queue"),
    )


def group_panel(user, consultant) -> desk.DeskPanel:
    now = timezone.now()
    counted = desk.count_all(
        user, {"routed": _routed_to(consultant), "offers": _group_offers(consultant)}
    )
    routed = (
        _routed_to(consultant)
        .select_related("assigned_group")
        .only("pk", "reference", "title", "submitted_at", "urgency", "assigned_group__name")
        .order_by("submitted_at", "pk")[: desk.ITEMS_SHOWN]
    )
    offers = (
        _group_offers(consultant)
        .select_related("request", "consultant")
        .only(
            "pk", "expires_at", "request__id", "request__reference", "request__title",
            "consultant__display_name",
        )
        .order_by("expires_at", "pk")[: desk.ITEMS_SHOWN]
    )  # fmt: skip
    items = [
        desk.DeskItem(
            title=row.title,
            reference=row.reference,
            url=_request_url(row.pk),
            note=_("Routed to %(group)s: offer it to a member")
            % {"group": row.assigned_group.name},
            urgent=row.urgency in (Request.Urgency.HIGH, Request.Urgency.EMERGENCY),
        )
        for row in routed
    ]
    items += [
        _offer_item(
            offer,
            now,
            before=_("Offered to %(name)s; the answer is due in %(time)s"),
            after=_("Offered to %(name)s; the time is up"),
            urgent=offer.expires_at <= now + EXPIRING_WITHIN,
            name=offer.consultant.display_name,
        )
        for offer in offers
    ]
    return desk.DeskPanel(
        key="group",
        title=_("Your group's requests"),
        order=20,
        intro=_("Requests routed to the groups you coordinate, and the offers you have made."),
        counts=[
            desk.DeskCount(
                _("Waiting for an offer"), counted["routed"], _queue_url(status=S.ROUTED)
            ),
            desk.DeskCount(_("Offers out"), counted["offers"], _queue_url(status=S.OFFERED)),
        ],
        items=items,
        items_title=_("Waiting for you"),
        empty_text=_("No request is waiting for an offer, and no offer is out."),
        link_url=_queue_url(status=S.ROUTED),
        link_text=_("Open the queue"),
    )


def member_panel(user, consultant) -> desk.DeskPanel:
    now = timezone.now()
    counted = desk.count_all(
        user, {"offers": _own_offers(consultant), "engaged": _own_engagements(consultant)}
    )
    offers = (
        _own_offers(consultant)
        .select_related("request")
        .only("pk", "expires_at", "request__id", "request__reference", "request__title")
        .order_by("expires_at", "pk")[: desk.ITEMS_SHOWN]
    )
    engagements = (
        _own_engagements(consultant)
        .select_related("request")
        .only("pk", "start", "request__id", "request__reference", "request__title")
        .order_by("start", "pk")[: desk.ITEMS_SHOWN]
    )
    items = [
        _offer_item(
            offer,
            now,
            before=_("Offered to you: accept or decline within %(time)s"),
            after=_("Offered to you: the time to answer has run out"),
            urgent=offer.expires_at <= now + EXPIRING_WITHIN,
        )
        for offer in offers
    ]
    items += [
        desk.DeskItem(
            title=engagement.request.title,
            reference=engagement.request.reference,
            url=_request_url(engagement.request.pk),
            note=_("In progress since %(date)s") % {"date": date_format(engagement.start, "j F Y")},
        )
        for engagement in engagements
    ]
    return desk.DeskPanel(
        key="member",
        title=_("Your offers and engagements"),
        order=30,
        intro=_("Requests offered to you, and the clients you are working with."),
        counts=[
            desk.DeskCount(_("Offers to answer"), counted["offers"], reverse("my-offers")),
            desk.DeskCount(
                _("Engagements in progress"), counted["engaged"], reverse("my-engagements")
            ),
        ],
        items=items,
        items_title=_("Offers and engagements"),
        empty_text=_(
            "No offer is waiting for your answer, and you have no engagement in progress."
        ),
        link_url=reverse("my-offers"),
        link_text=_("All my offers"),
    )


def panels(user):
    found = []
    if network_access.is_staff_coordinator(user):
        found.append(intake_panel(user))
    coordinator = _group_coordinator(user)
    if coordinator is not None:
        found.append(group_panel(user, coordinator))
    consultant = network_access.working_consultant_of(user)
    if consultant is not None:
        found.append(member_panel(user, consultant))
    return found


# --- The navigation's counts ------------------------------------------------------------------


def counts(user):
    """The queue: requests waiting for a staff coordinator's move (new ones, and work reported
    done to confirm) or for an offer in a group the user coordinates; my offers: offers waiting
    for the member's answer.

    A working member's group condition is counted without asking first whether they coordinate
    a group (a query of its own): for anyone else it matches no request."""
    found = []
    waiting = Q()
    if network_access.is_staff_coordinator(user):
        waiting |= Q(status__in=WAITING_FOR_INTAKE)
        waiting |= Q(status=S.ENGAGED, done_reported_at__isnull=False)
    consultant = network_access.working_consultant_of(user)
    if consultant is not None:
        waiting |= Q(status=S.ROUTED, assigned_group__coordinator=consultant)
    if waiting:
        found.append(("queue", Request.objects.filter(waiting)))
    if consultant is not None:
        found.append(("my_offers", _own_offers(consultant)))
    return found


def register() -> None:
    desk.register("intake", panels, counts=counts)
