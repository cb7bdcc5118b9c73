"""A member's own intake pages: the offers waiting for their answer (``/my/offers/``) and the
clients they serve (``/my/engagements/``), where they report the work done.

The forms on both post to the request's move address (``intake.request_views``), with
``next`` naming the page to come back to; a form that failed there is rendered here again.
"""

import functools
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from intake import access
from intake.forms import TransitionForm
from intake.models import Engagement, Offer, Request
from intake.workflow import MOVES, not_now
from network import access as network_access

# Past offers on "My offers": enough to remember recent ones, not a full archive.
PAST_OFFERS_SHOWN = 50
# The pages a move's form may come back to (``next``), besides the request's own page.
MY_PAGES = ("my-offers", "my-engagements")


def my_page_of(request) -> str | None:
    """The name of the member's page a move's form came from (its ``next``), or None."""
    back = request.POST.get("next")
    return next((name for name in MY_PAGES if back == reverse(name)), None)


def own_consultant(view):
    """Runs ``view`` for a member with a member record (applicants and former members are not
    members); others get a 403."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not access.can_use_request_pages(request.user) or (
            network_access.consultant_of(request.user) is None
        ):
            raise PermissionDenied(_("This page is for members of the alliance."))
        return view(request, *args, **kwargs)

    return wrapper


def _form(action: str, client_request: Request, failed_form):
    """The move's form for ``client_request``, or the one that just failed for it. Names carry
    the action (what the move view reads); ids carry the request, so several requests' forms
    can share the page."""
    if (
        failed_form is not None
        and failed_form.action == action
        and failed_form.request.pk == client_request.pk
    ):
        return failed_form
    return TransitionForm(action, client_request, auto_id=f"offer{client_request.pk}_%s")


# --- My offers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingOffer:
    offer: Offer
    accept_form: TransitionForm
    decline_form: TransitionForm


def offers_page(request, *, failed_form=None, status=200):
    consultant = network_access.consultant_of(request.user)
    offers = Offer.objects.filter(consultant=consultant).select_related(
        "request", "request__assigned_group"
    )
    pending = [
        PendingOffer(
            offer,
            _form("accept", offer.request, failed_form),
            _form("decline", offer.request, failed_form),
        )
        for offer in offers.filter(status=Offer.Status.PENDING).order_by("expires_at", "pk")
    ]
    past = offers.exclude(status=Offer.Status.PENDING).order_by("-created_at", "-pk")
    context = {"pending": pending, "past": past[:PAST_OFFERS_SHOWN]}
    return render(request, "intake/my_offers.html", context, status=status)


@require_safe
@own_consultant
def my_offers(request):
    return offers_page(request)


# --- My engagements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EngagementRow:
    engagement: Engagement
    # The "Report the work done" form, while the member may report it; None otherwise.
    report_form: TransitionForm | None


def engagements_page(request, *, failed_form=None, status=200):
    consultant = network_access.consultant_of(request.user)
    engagements = Engagement.objects.filter(consultant=consultant).select_related(
        "request", "request__organization", "request__contact"
    )
    current, past = [], []
    for engagement in engagements:
        if engagement.end is not None:
            past.append(EngagementRow(engagement, None))
            continue
        client_request = engagement.request
        report = None
        # Only where the member serves the request alone and has not reported yet: the rule
        # and the one-query check for a team's work run for those rows only.
        if (
            client_request.status in MOVES["report_done"].sources
            and client_request.engaged_consultant_id == consultant.pk
            and client_request.done_reported_at is None
            and access.serves_the_request(request.user, client_request)
            and not_now("report_done", client_request) is None
        ):
            report = _form("report_done", client_request, failed_form)
        current.append(EngagementRow(engagement, report))
    context = {
        "current": current,
        "past": past,
        # The clients' details belong to working members (access.may_reach_client): a member on
        # leave, an alumnus or a former member sees the record of their work, not the contacts.
        "reaches_clients": network_access.working_consultant_of(request.user) is not None,
    }
    return render(request, "intake/my_engagements.html", context, status=status)


@require_safe
@own_consultant
def my_engagements(request):
    return engagements_page(request)
