"""Cover while a member is away: who the clients of a member's open engagements contact during
the member's time away (``network.TimeAway``).

Each open engagement of a member who is away, or about to be, has a cover for that time away:
the member named for it (an ``EngagementCover``, chosen by the member or an intake coordinator),
else the time away's ``covering`` member. When neither is there, the page proposes the working
member who knows the client best: the one with the most engagements with the same organisation.
The cover is shown to the client and on the request page only during the time away.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from intake import access, notifications
from intake.models import Engagement, EngagementCover, Request
from network import access as network_access
from network.errors import Conflict
from network.models import Consultant, TimeAway


class CoverConflict(Conflict):
    """The cover changed since it was read, or the engagement no longer needs one (409)."""


@dataclass(frozen=True)
class Proposal:
    consultant: Consultant
    why: str


@dataclass(frozen=True)
class Cover:
    """An engagement's cover for one time away. ``covering`` is who covers (None: nobody);
    ``source`` is "chosen" (named for this engagement), "default" (the time away's covering
    member) or "" (nobody); ``version`` is what a change must send (0 before any choice)."""

    engagement: Engagement
    time_away: TimeAway
    covering: Consultant | None
    source: str
    version: int
    proposal: Proposal | None = None

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.time_away.start <= today <= self.time_away.end


def open_engagements() -> QuerySet[Engagement]:
    return Engagement.objects.filter(end__isnull=True, request__status=Request.Status.ENGAGED)


def time_away_for(consultant_id: int, today: datetime.date | None = None) -> TimeAway | None:
    """The member's time away that covers ``today``, else their next one."""
    today = today or timezone.localdate()
    return (
        TimeAway.objects.filter(consultant_id=consultant_id, end__gte=today)
        .select_related("covering__user")
        .order_by("start", "pk")
        .first()
    )


def current_time_away(consultant_id: int, today: datetime.date | None = None) -> TimeAway | None:
    today = today or timezone.localdate()
    away = time_away_for(consultant_id, today)
    return away if away is not None and away.start <= today else None


def _is_away_during(consultant: Consultant, start, end) -> bool:
    return TimeAway.objects.filter(consultant=consultant, start__lte=end, end__gte=start).exists()


def _usable_default(time_away: TimeAway) -> Consultant | None:
    covering = time_away.covering
    if covering is None or not covering.can_be_offered_work:
        return None
    if _is_away_during(covering, time_away.start, time_away.end):
        return None
    return covering


def _default_away():
    """For a ``TimeAway`` query: its covering member is away at the same time."""
    return Exists(
        TimeAway.objects.filter(
            consultant=OuterRef("covering"), start__lte=OuterRef("end"), end__gte=OuterRef("start")
        )
    )


def propose(engagement: Engagement, time_away: TimeAway) -> Proposal | None:
    """The working member, not away at the same time, with the most engagements with the
    engagement's organisation (then the most recent one); None when nobody has any."""
    organization_id = engagement.request.organization_id
    away_then = TimeAway.objects.filter(
        consultant=OuterRef("pk"), start__lte=time_away.end, end__gte=time_away.start
    )
    best = (
        Consultant.objects.filter(status__in=Consultant.WORKING_STATUSES)
        .exclude(pk=engagement.consultant_id)
        .exclude(Exists(away_then))
        .annotate(
            known=Count(
                "engagements", filter=Q(engagements__request__organization_id=organization_id)
            )
        )
        .filter(known__gt=0)
        .order_by("-known", "display_name", "pk")
        .first()
    )
    if best is None:
        return None
    organization = engagement.request.organization.name
    why = ngettext(
        "%(name)s has worked with %(organization)s before (%(count)s engagement).",
        "%(name)s has worked with %(organization)s before (%(count)s engagements).",
        best.known,
    ) % {"name": best.display_name, "organization": organization, "count": best.known}
    return Proposal(best, why)


def cover_of(engagement: Engagement, time_away: TimeAway, *, with_proposal=False) -> Cover:
    chosen = (
        EngagementCover.objects.filter(engagement=engagement, time_away=time_away)
        .select_related("covering__user")
        .first()
    )
    if chosen is not None:
        return Cover(engagement, time_away, chosen.covering, "chosen", chosen.version)
    default = _usable_default(time_away)
    if default is not None:
        return Cover(engagement, time_away, default, "default", 0)
    proposal = propose(engagement, time_away) if with_proposal else None
    return Cover(engagement, time_away, None, "", 0, proposal)


def covers_for(consultant: Consultant, *, with_proposal=True) -> list[Cover]:
    """The cover of each of ``consultant``'s open engagements for their current or next time
    away; empty when they have none planned."""
    time_away = time_away_for(consultant.pk)
    if time_away is None:
        return []
    engagements = open_engagements().filter(consultant=consultant)
    engagements = engagements.select_related("request__organization", "consultant")
    return [
        cover_of(engagement, time_away, with_proposal=with_proposal) for engagement in engagements
    ]


def current_cover(engagement: Engagement) -> Cover | None:
    """The cover shown while the engagement's consultant is away today; None otherwise."""
    if engagement.end is not None:
        return None
    time_away = current_time_away(engagement.consultant_id)
    if time_away is None:
        return None
    return cover_of(engagement, time_away)


def request_cover(request: Request) -> Cover | None:
    """The cover of the engaged consultant's engagement on ``request``, during their time away."""
    if request.status != Request.Status.ENGAGED or request.engaged_consultant_id is None:
        return None
    engagement = (
        request.engagements.filter(consultant_id=request.engaged_consultant_id, end__isnull=True)
        .select_related("consultant")
        .first()
    )
    return current_cover(engagement) if engagement is not None else None


# The client's cover as columns of a query on the request's row (``client_cover_columns``).
CLIENT_COVER_FIELDS = ("display_name", "email", "website", "until")


def client_cover_columns(today: datetime.date | None = None) -> dict:
    """Annotations for a ``Request`` query: who covers the engaged consultant's open engagement
    during their time away today (``cover_display_name``, ``cover_email``, ``cover_website``,
    ``cover_until``), all None when nobody does or they are not away. The client's status page
    reads them in one query (``with_client_cover``)."""
    today = today or timezone.localdate()
    away_now = TimeAway.objects.filter(
        consultant=OuterRef("engaged_consultant"), start__lte=today, end__gte=today
    ).order_by("start", "pk")
    open_engagement = Engagement.objects.filter(
        request=OuterRef(OuterRef("pk")),
        consultant=OuterRef(OuterRef("engaged_consultant")),
        end__isnull=True,
    )
    default = (
        away_now.filter(covering__status__in=Consultant.WORKING_STATUSES)
        .filter(Exists(open_engagement))
        .exclude(_default_away())
    )
    chosen = EngagementCover.objects.filter(
        engagement__request=OuterRef("pk"),
        engagement__consultant=OuterRef("engaged_consultant"),
        engagement__end__isnull=True,
        time_away__consultant=OuterRef("engaged_consultant"),
        time_away__start__lte=today,
        time_away__end__gte=today,
    ).order_by("time_away__start", "time_away__pk")
    columns = {}
    for name, path in (
        ("display_name", "covering__display_name"),
        ("email", "covering__user__email"),
        ("website", "covering__website"),
    ):
        columns[f"cover_{name}"] = Coalesce(
            Subquery(chosen.values(path)[:1]), Subquery(default.values(path)[:1])
        )
    columns["cover_until"] = Subquery(away_now.values("end")[:1])
    return columns


def with_client_cover(request: Request) -> Request:
    """``request`` with ``client_cover_columns`` as its attributes (``cover_display_name``,
    ``cover_email``, ``cover_website``, ``cover_until``): read in a second query only when a
    consultant is engaged, since nobody covers otherwise. Most visits to a status page are to
    requests not yet engaged, and building the columns' subqueries costs more than the page's
    other work."""
    values = dict.fromkeys(("cover_display_name", "cover_email", "cover_website", "cover_until"))
    if request.engaged_consultant_id is not None:
        values = Request.objects.filter(pk=request.pk).values(**client_cover_columns()).get()
    for name, value in values.items():
        setattr(request, name, value)
    return request


def uncovered_engagements(today: datetime.date | None = None) -> QuerySet[Engagement]:
    """Open engagements whose consultant is away today with nobody covering."""
    today = today or timezone.localdate()
    chosen = EngagementCover.objects.filter(
        engagement=OuterRef(OuterRef("pk")), time_away=OuterRef("pk")
    )
    uncovered_away = (
        TimeAway.objects.filter(consultant=OuterRef("consultant"), start__lte=today, end__gte=today)
        .annotate(default_away=_default_away())
        .exclude(covering__status__in=Consultant.WORKING_STATUSES, default_away=False)
        .exclude(Exists(chosen))
    )
    return open_engagements().filter(Exists(uncovered_away))


# --- Who may name a cover --------------------------------------------------------------------


def may_name_cover(user, engagement: Engagement) -> bool:
    """The engagement's own consultant while a working member, and intake coordinators."""
    if access.is_intake_coordinator(user):
        return True
    consultant = network_access.working_consultant_of(user)
    return consultant is not None and consultant.pk == engagement.consultant_id


def coverable_engagements(user) -> QuerySet[Engagement]:
    """The open engagements ``user`` may name a cover for: intake coordinators every one whose
    consultant is away or about to be; a working member their own."""
    engagements = open_engagements().select_related("request__organization", "consultant__user")
    if access.is_intake_coordinator(user):
        today = timezone.localdate()
        planned = TimeAway.objects.filter(consultant=OuterRef("consultant"), end__gte=today)
        return engagements.filter(Exists(planned))
    consultant = network_access.working_consultant_of(user)
    if consultant is None:
        return Engagement.objects.none()
    return engagements.filter(consultant=consultant)


# --- Naming a cover ---------------------------------------------------------------------------


def _check_covering(covering: Consultant | None, engagement: Engagement, time_away: TimeAway):
    if covering is None:
        raise ValidationError({"covering": _("Choose the member who covers.")})
    if covering.pk == engagement.consultant_id:
        raise ValidationError({"covering": _("A member cannot cover for themselves.")})
    if not covering.can_be_offered_work:
        raise ValidationError(
            {
                "covering": _(
                    "%(name)s is %(status)s; the member who covers must be active or on probation."
                )
                % {"name": covering.display_name, "status": covering.status_in_words}
            }
        )
    if _is_away_during(covering, time_away.start, time_away.end):
        raise ValidationError(
            {
                "covering": _("%(name)s is away during this time too; choose another member.")
                % {"name": covering.display_name}
            }
        )


def cover_set(*, engagement_id: int, covering_id, actor, version: int | None) -> Cover:
    """Name ``covering_id`` to cover the engagement during its consultant's current or next time
    away. ``version`` is the cover's version as read (0 before any choice); another answers 409.
    The covering member is told by email once the change commits."""
    with transaction.atomic():
        engagement = (
            Engagement.objects.select_for_update(of=("self",))
            .select_related("request__organization", "consultant")
            .filter(pk=engagement_id)
            .first()
        )
        if engagement is None:
            raise CoverConflict(_("This engagement no longer exists."))
        if engagement.end is not None or engagement.request.status != Request.Status.ENGAGED:
            raise CoverConflict(_("This engagement has ended; it needs no cover."))
        time_away = time_away_for(engagement.consultant_id)
        if time_away is None:
            raise CoverConflict(_("The member has no time away planned; nobody needs to cover."))
        covering = None
        if covering_id not in (None, ""):
            try:
                covering = Consultant.objects.filter(pk=int(covering_id)).first()
            except (TypeError, ValueError):
                covering = None
            if covering is None:
                raise ValidationError({"covering": _("No such member.")})
        current = EngagementCover.objects.filter(engagement=engagement, time_away=time_away).first()
        current_version = current.version if current is not None else 0
        if version is not None and version != current_version:
            raise CoverConflict(
                _("Someone changed this cover since you looked; reload and try again."),
                version=current_version,
            )
        _check_covering(covering, engagement, time_away)
        if current is None:
            current = EngagementCover.objects.create(
                engagement=engagement, time_away=time_away, covering=covering, chosen_by=actor
            )
        else:
            current.covering = covering
            current.chosen_by = actor
            current.version += 1
            current.save(update_fields=["covering", "chosen_by", "version", "updated_at"])
        cover_id = current.pk
        transaction.on_commit(lambda: notifications.cover_named(cover_id))
    return Cover(engagement, time_away, covering, "chosen", current.version)
